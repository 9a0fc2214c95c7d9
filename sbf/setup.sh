#!/bin/bash
# Installs the SBPF v0 build pieces into $SBF_HOME (default ~/.cache/sbf-v0): Debian's rust-src 1.95.0
# with our std port, Debian sid's libLLVM 23 with its private runtime, sbpf-linker 0.2.6 with our v0
# patch, the linker wrapper, the target spec and env.sh. Idempotent: each step is skipped while its
# stamp (the sha256s of its inputs) matches. Nothing is installed system-wide. See sbf/README.md.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SBF_HOME="${SBF_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/sbf-v0}"
# Optional local copies of the pinned .debs. If SBF_DEB_CACHE is unset we look beside the clone
# (../shared/sbf/debs, present on the machine this kit was made on); otherwise we download.
if [ -z "${SBF_DEB_CACHE:-}" ] && [ -d "$REPO/../shared/sbf/debs" ]; then
  SBF_DEB_CACHE="$REPO/../shared/sbf/debs"
fi
SBF_DEB_CACHE="${SBF_DEB_CACHE:-}"
export RUSTUP_TOOLCHAIN=1.95.0

LINKER_CRATE_SHA256=fb77b853725e5cc2455815109cadb110ecb62965dac9e91511a0531c9ea61f22   # sbpf-linker-0.2.6.crate
# sha256  Debian pool path (rust-src from trixie-backports, the rest from sid; sums from the signed Packages indexes)
DEBS="
7b76db5b880a77f9e52975d2baa6209d2f76d2c9c2789515c3088cb960e2c83b pool/main/r/rustc/rust-src_1.95.0+dfsg1-2~bpo13+1_all.deb
9e5729878d80a43b19560e2b0a2bd812441d602c7dfc68317d7205377cf4a407 pool/main/l/llvm-toolchain-23/libllvm23_23.1.4-2_amd64.deb
5c71715c51103beb4fbba9fe9f8dff604af6610dfa71c70bff342f54a7860803 pool/main/g/glibc/libc6_2.43-7_amd64.deb
d251ea642c3795e8723ac2b9eeebe511467ca04590ba70f3d555a7616787d7e3 pool/main/g/gcc-16/libgcc-s1_16.2.0-4_amd64.deb
cef6654bba1daece0bc0dbe0e3f69fa5a26eb6ba139f3536e6f4806bd787f3e7 pool/main/g/gcc-16/libstdc++6_16.2.0-4_amd64.deb
0383e47d704a5e58080606cbcafd2f2aa725702767ccf8b877fb224d04ff38c5 pool/main/libb/libbsd/libbsd0_0.12.2-3_amd64.deb
85133718b6f81f44c88c4d95162e4e39af1521fbbd97d108d36294a37076a4cd pool/main/libe/libedit/libedit2_3.1-20260512-1_amd64.deb
8f52979b2f3831088c419aae858f10fd3ad7e42cc6c1d28967bae996a98223a4 pool/main/libf/libffi/libffi8_3.8.0-2_amd64.deb
2dd166f61cb2a32c50f1a4dd3cd34f5f18a4ff97a6ff23665b9a57537fd60625 pool/main/x/xz-utils/liblzma5_5.8.4-1_amd64.deb
b93615e08319799bedd98a68643d607b06a7713365f829fb3cae131f8a3b81b1 pool/main/libm/libmd/libmd0_1.3.0-1_amd64.deb
14682d1f6e35df22df0fe1eb2c09418aff0e29e2ea5a7bc0aa1bcd37192ba5a7 pool/main/n/ncurses/libtinfo6_6.6+20260608-2_amd64.deb
f2b4d9acff743ff71f5409ae301452ebbb37d0d8709cf46fc9ec755d7df803ff pool/main/libx/libxml2/libxml2-16_2.15.4+dfsg-1+b1_amd64.deb
17a0b6d5dba8db60732334ae3eb6be5f0c58f72a77304311add514a4d55bc434 pool/main/z/z3/libz3-4_4.13.3-1.1_amd64.deb
93e7930e4c25b918f1dd980cc1c6d4487654a248f5fa71eacb976ed7bbe954bd pool/main/libz/libzstd/libzstd1_1.5.7+dfsg-4_amd64.deb
8506ce550a81ac14b047608e0df121037d9cbb10c3cc28446f68cf8c1d9d31ce pool/main/z/zlib/zlib1g_1.3.dfsg+really1.3.2-4_amd64.deb
"

die() { echo "sbf/setup.sh: $*" >&2; exit 1; }
for t in cargo dpkg-deb patch tar sha256sum; do command -v "$t" >/dev/null || die "'$t' not found"; done
cargo --version | grep -q '^cargo 1\.95\.0' || die "need the 1.95.0 toolchain: rustup toolchain install 1.95.0"
mkdir -p "$SBF_HOME"/{debs,bin,llvm,src}
stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
sum_ok() { [ -f "$2" ] && echo "$1  $2" | sha256sum -c --quiet - >/dev/null 2>&1; }
mirror() {   # $DEBIAN_MIRROR, else the first Debian mirror in this machine's apt sources, else deb.debian.org
  local m="${DEBIAN_MIRROR:-}"
  [ -n "$m" ] || m="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | grep -E '^(deb |URIs:)' | grep -oE 'https?://[^ ]+/debian/?( |$)' | head -n1 | sed 's:[/ ]*$::' || true)"
  echo "${m:-https://deb.debian.org/debian}"
}

# 1. The pinned .debs into $SBF_HOME/debs: already there, else the local cache, else the Debian pool.
#    The sha256 is checked whichever way the file came. Downloads go through apt's helper (no apt
#    sources, indexes or system state are touched), or curl where apt is absent.
while read -r sum path; do
  [ -n "$sum" ] || continue
  name="${path##*/}"; f="$SBF_HOME/debs/$name"
  sum_ok "$sum" "$f" && continue
  rm -f "$f"
  if [ -n "$SBF_DEB_CACHE" ] && sum_ok "$sum" "$SBF_DEB_CACHE/$name"; then
    cp "$SBF_DEB_CACHE/$name" "$f"
  else
    url="$(mirror)/$path"; echo "sbf/setup.sh: downloading $url"
    if [ -x /usr/lib/apt/apt-helper ]; then /usr/lib/apt/apt-helper download-file "$url" "$f" "SHA256:$sum" >/dev/null
    else curl -fsSL -o "$f" "$url"; fi
  fi
  sum_ok "$sum" "$f" || die "sha256 mismatch for $name (want $sum)"
done <<< "$DEBS"

# 2. rust-src 1.95.0 (trixie-backports) with the std port to target_os = "solana".
key="$(sha256sum "$SBF_HOME"/debs/rust-src_*.deb "$HERE/std-solana.patch" | sha256sum)"
if ! stamp_ok "$SBF_HOME/rust-src/.stamp" "$key"; then
  echo "sbf/setup.sh: unpacking and patching rust-src"
  rm -rf "$SBF_HOME/rust-src" "$SBF_HOME/src/rust-src-tmp"; mkdir -p "$SBF_HOME/src/rust-src-tmp" "$SBF_HOME/rust-src"
  dpkg-deb -x "$SBF_HOME"/debs/rust-src_*.deb "$SBF_HOME/src/rust-src-tmp"
  mv "$SBF_HOME/src/rust-src-tmp/usr/src/rustc-1.95.0/library" "$SBF_HOME/rust-src/library"
  rm -rf "$SBF_HOME/src/rust-src-tmp"
  patch -p1 -s -d "$SBF_HOME/rust-src/library" < "$HERE/std-solana.patch"
  echo "$key" > "$SBF_HOME/rust-src/.stamp"
fi

# 3. sid's libLLVM 23 and its runtime (glibc 2.43 & co.), unpacked privately; the loader comes from libc6.
key="$(cd "$SBF_HOME/debs" && ls | grep -v '^rust-src' | xargs sha256sum | sha256sum)"
if ! stamp_ok "$SBF_HOME/sid/.stamp" "$key"; then
  echo "sbf/setup.sh: unpacking libLLVM 23 and its runtime"
  rm -rf "$SBF_HOME/sid"; mkdir -p "$SBF_HOME/sid"
  for d in "$SBF_HOME"/debs/*.deb; do case "$d" in */rust-src_*) ;; *) dpkg-deb -x "$d" "$SBF_HOME/sid" ;; esac; done
  echo "$key" > "$SBF_HOME/sid/.stamp"
fi
ln -sfn ../sid/usr/lib/x86_64-linux-gnu/libLLVM.so.23.1 "$SBF_HOME/llvm/libLLVM.so.23.1"

# 4. sbpf-linker 0.2.6 from crates.io (cargo fetches it through a throwaway manifest; the .crate's
#    sha256 is checked), patched for v0 stack-frame gaps, built with its own Cargo.lock.
key="$LINKER_CRATE_SHA256 $(sha256sum < "$HERE/sbpf-linker-v0-gaps.patch")"
if ! stamp_ok "$SBF_HOME/linker/.stamp" "$key"; then
  echo "sbf/setup.sh: building sbpf-linker 0.2.6"
  P="$SBF_HOME/src/fetch-sbpf-linker"; mkdir -p "$P/src"; : > "$P/src/lib.rs"
  printf '[package]\nname = "fetch-sbpf-linker"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nsbpf-linker = "=0.2.6"\n' > "$P/Cargo.toml"
  cargo fetch -q --manifest-path "$P/Cargo.toml"
  crate="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/sbpf-linker-0.2.6.crate | head -1)"
  echo "$LINKER_CRATE_SHA256  $crate" | sha256sum -c --quiet - || die "sha256 mismatch for $crate"
  rm -rf "$SBF_HOME/src/sbpf-linker-0.2.6"; tar -xzf "$crate" -C "$SBF_HOME/src"
  patch -p0 -s -d "$SBF_HOME/src/sbpf-linker-0.2.6" < "$HERE/sbpf-linker-v0-gaps.patch"
  cargo install -q --locked --force --path "$SBF_HOME/src/sbpf-linker-0.2.6" --root "$SBF_HOME/linker"
  echo "$key" > "$SBF_HOME/linker/.stamp"
fi

# 5. Target spec, linker wrapper, env file (always refreshed: cheap).
cp "$HERE/sbpf-solana-solana.json" "$SBF_HOME/"
cp "$HERE/sbpf-linker-wrap" "$SBF_HOME/bin/"; chmod +x "$SBF_HOME/bin/sbpf-linker-wrap"
cat > "$SBF_HOME/env.sh" <<ENV
# Source, then: cargo build --release -p PROGRAM --lib -Zjson-target-spec -Zbuild-std=std,panic_abort --target \$SBF_TARGET
export SBF_HOME="$SBF_HOME"
export RUSTUP_TOOLCHAIN=1.95.0
export RUSTC_BOOTSTRAP=1
export RUSTC_BOOTSTRAP_SYNTHETIC_TARGET=1
export __CARGO_TESTS_ONLY_SRC_ROOT="$SBF_HOME/rust-src/library"
export SBF_TARGET="$SBF_HOME/sbpf-solana-solana.json"
export CARGO_TARGET_SBPF_SOLANA_SOLANA_LINKER="$SBF_HOME/bin/sbpf-linker-wrap"
export CARGO_TARGET_SBPF_SOLANA_SOLANA_RUSTFLAGS="-C link-arg=--llvm-args=-bpf-stack-size=4096 -C passes=lower-atomic"
ENV
"$SBF_HOME/bin/sbpf-linker-wrap" --version >/dev/null 2>&1 || "$SBF_HOME/bin/sbpf-linker-wrap" --help >/dev/null \
  || die "sbpf-linker does not start under $SBF_HOME/sid"
echo "SBF toolchain ready in $SBF_HOME"
