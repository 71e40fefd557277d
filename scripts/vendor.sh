#!/usr/bin/env bash
# The browser-side libraries katalog serves under /static/ come from npm, pinned by
# package-lock.json: `npm ci` installs them, this script copies the files the pages load into
# src/http/pages/assets/vendor/ (committed, so building katalog needs no Node.js). With
# --check it only compares, and fails when a committed copy differs from the npm package
# (the test suite runs it so).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/codemirror ] && [ -d node_modules/leaflet ] || npm ci --no-audit --no-fund >&2
files=(
  "node_modules/codemirror/lib/codemirror.js:codemirror.js"
  "node_modules/codemirror/lib/codemirror.css:codemirror.css"
  "node_modules/codemirror/mode/sparql/sparql.js:codemirror-sparql.js"
  "node_modules/codemirror/LICENSE:codemirror-LICENSE"
  "node_modules/leaflet/dist/leaflet.js:leaflet.js"
  "node_modules/leaflet/dist/leaflet.css:leaflet.css"
  "node_modules/leaflet/LICENSE:leaflet-LICENSE"
)
out=src/http/pages/assets/vendor
mkdir -p "$out"
status=0
for pair in "${files[@]}"; do
  from="${pair%%:*}"
  to="$out/${pair##*:}"
  if [ "${1:-}" = --check ]; then
    cmp -s "$from" "$to" || { echo "$to differs from $from (run scripts/vendor.sh)" >&2; status=1; }
  else
    cp "$from" "$to"
  fi
done
exit $status
