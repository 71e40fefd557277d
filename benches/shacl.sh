#!/usr/bin/env bash
# katalog's SHACL engine beside pyshacl on generated DCAT-AP-SE catalogues of 1 000 and
# 10 000 datasets, against the EU DCAT-AP 3.0.1 shapes (../shared/anchors/dcat-ap-3).
# Usage: bash benches/shacl.sh [SIZES...]   (needs ../shared beside the project)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/katalog-target}"
python="$(bash scripts/python-env.sh)"
shapes="${SHAPES:-../shared/anchors/dcat-ap-3/shacl/dcat-ap-SHACL.ttl}"
profile="${PROFILE:-release}"
flag=$([ "$profile" = release ] && echo --release || true)
cargo build $flag --example bench_shacl --bin katalog
bin="$CARGO_TARGET_DIR/$([ "$profile" = release ] && echo release || echo debug)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for size in "${@:-1000 10000}"; do
  for n in $size; do
    "$bin/katalog" generate --datasets "$n" > "$work/c$n.ttl"
    echo "== $n datasets"
    "$bin/examples/bench_shacl" --runs 3 --shapes "$shapes" --data "$work/c$n.ttl" | grep -E "validate|results|conforms|peak"
    /usr/bin/time -f "pyshacl: %e s wall, peak RSS %M KB" "$python" tests/python/shacl_verdict.py \
      --shapes "$shapes" --data "$work/c$n.ttl" --base http://127.0.0.1:8080/
  done
done
