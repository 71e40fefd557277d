#!/usr/bin/env bash
# Starts katalog on http://127.0.0.1:8080 with the demo catalogue from examples/ loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/katalog-target}"
exec cargo run --locked -- serve --data katalog-data --load examples/demo-catalog.ttl --files examples/files "$@"
