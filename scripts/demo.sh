#!/usr/bin/env bash
# Starts katalog on http://127.0.0.1:8080 with the demo catalogue from examples/ loaded.
# Extra arguments go to `katalog serve` (e.g. --admin-token secret to allow publishing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/katalog-target}"
# Built like the tests build it, so the demo and the test suite share one build (one RocksDB).
cargo build --locked --all-targets
# Each example data file is hosted as the distribution its dataset names
# (examples/files/badplatser.csv is distribution csv of dataset badplatser), so the data API
# and the previews answer at once.
hosted=()
for file in examples/files/*.csv examples/files/*.geojson examples/files/*.json; do
  case "$file" in *-schema.json) continue ;; esac
  name="$(basename "$file")"
  hosted+=(--host "${name%.*}/${name##*.}=$file")
done
exec "$CARGO_TARGET_DIR/debug/katalog" serve --data katalog-data \
  --load examples/demo-catalog.ttl --files examples/files "${hosted[@]}" "$@"
