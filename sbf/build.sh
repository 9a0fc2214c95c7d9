#!/bin/bash
# Usage: sbf/build.sh [PROGRAM...]   (default: every package under programs/)
# Builds each program for SBPF v0 (one cargo call per program, so features are not unified across
# them) and writes $SBF_OUT_DIR/<name>.so (default target/deploy/), the name solana-program-test
# loads. Runs sbf/setup.sh first (idempotent: installs only what is missing in $SBF_HOME).
# Cargo target dir: $SBF_TARGET_DIR (default target/sbf). SBF_FEATURES="a,b" passes --features
# (e.g. SBF_FEATURES=cu-trace for compute-unit marks; see README "Compute units").
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
WS="$(cd "$HERE/.." && pwd)"
export SBF_HOME="${SBF_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/sbf-v0}"
"$HERE/setup.sh" >/dev/null
. "$SBF_HOME/env.sh"
[ -z "${RUSTFLAGS:-}" ] || echo "sbf/build.sh: warning: RUSTFLAGS is set and overrides the SBF target's rustflags" >&2
OUT="${SBF_OUT_DIR:-$WS/target/deploy}"; mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"
export CARGO_TARGET_DIR="${SBF_TARGET_DIR:-$WS/target/sbf}"
PROGRAMS=("$@")
if [ ${#PROGRAMS[@]} -eq 0 ]; then
  for m in "$WS"/programs/*/Cargo.toml; do PROGRAMS+=("$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$m" | head -1)"); done
fi
cd "$WS"
for p in "${PROGRAMS[@]}"; do
  n="${p//-/_}"; t0=$SECONDS
  echo "== $p"
  cargo build --release --locked -p "$p" --lib ${SBF_FEATURES:+--features "$SBF_FEATURES"} -Zjson-target-spec -Zbuild-std=std,panic_abort --target "$SBF_TARGET"
  so="$CARGO_TARGET_DIR/sbpf-solana-solana/release/lib$n.so"
  # A build of the program as another program's dependency (features cpi/no-entrypoint) writes the
  # same file; refuse a .so that exports no entrypoint.
  if command -v readelf >/dev/null && ! readelf -W --dyn-syms "$so" | grep -qw entrypoint; then
    echo "sbf/build.sh: $so exports no entrypoint (built with no-entrypoint?)" >&2; exit 1
  fi
  cp "$so" "$OUT/$n.so"
  echo "== $p built in $((SECONDS - t0))s"
done
cd "$OUT"
for p in "${PROGRAMS[@]}"; do n="${p//-/_}.so"; printf '%9d  %s\n' "$(stat -c %s "$n")" "$(sha256sum "$n")"; done
