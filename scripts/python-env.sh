#!/usr/bin/env bash
# Makes (once) the Python venv with the outside clients the tests use: rdflib, SPARQLWrapper,
# pyshacl. Prints the venv's python.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${KATALOG_VENV:-$HOME/.cache/katalog-venv}"
req="$root/tests/python/requirements.txt"
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$req" "$stamp"; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2
  cp "$req" "$stamp"
fi
echo "$venv/bin/python"
