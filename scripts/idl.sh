#!/usr/bin/env bash
# Generates the programs' Anchor IDLs into idl/ (anchor-lang's own IDL build on the pinned stable
# toolchain; no Anchor CLI), or with --check fails when the committed ones are stale.
#   bash scripts/idl.sh           # regenerate idl/*.json
#   bash scripts/idl.sh --check   # CI: regenerate into a temp dir and compare
# The generator (tools/idl) is a workspace of its own, built into target/idl-tool. The programs'
# idl-build test binaries build in target/debug with the caller's RUSTFLAGS (see tools/idl), so
# they reuse what `cargo test --workspace` compiled and never invalidate it.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet --locked --manifest-path tools/idl/Cargo.toml --target-dir target/idl-tool -- "$@"
