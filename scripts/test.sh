#!/usr/bin/env bash
# The whole test suite: installs what it needs, checks formatting and lints, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Outside the clone so repeated runs on one machine are incremental.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/katalog-target}"
KATALOG_PYTHON="$(bash scripts/python-env.sh)"
# The npm packages the lockfile pins: axe-core for the browser test, and the originals of the
# vendored browser libraries (the test compares them).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi
export KATALOG_PYTHON
cargo fmt --all -- --check
# Clippy as the compiler of katalog's own crates during a normal build: `cargo clippy` is a
# check build, which would compile RocksDB a second time (25 minutes on two cores); this way
# the dependencies' build artifacts are shared with the tests. Same lints, same -D warnings.
RUSTC_WORKSPACE_WRAPPER="$(rustc --print sysroot)/bin/clippy-driver" \
  CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" \
  cargo build --all-targets --locked
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi
