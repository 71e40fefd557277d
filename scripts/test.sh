#!/usr/bin/env bash
# The whole test suite: installs what it needs, checks formatting and lints, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Outside the clone so repeated runs on one machine are incremental.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/katalog-target}"
KATALOG_PYTHON="$(bash scripts/python-env.sh)"
export KATALOG_PYTHON
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi
