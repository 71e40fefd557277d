#!/usr/bin/env bash
# katalog's SHACL engine beside pyshacl on generated DCAT-AP-SE catalogues, against the EU
# DCAT-AP 3.0.1 shapes (../shared/anchors/dcat-ap-3): `katalog validate` end to end (parse,
# validate, write the report) in every report format, with its wall time and peak memory,
# then pyshacl on the same files; and the engine alone (bench_shacl, median of 3).
# Usage: bash benches/shacl.sh [SIZES...]   (default 1000 2000 10000; needs ../shared)
#        PYSHACL_UP_TO=N  runs pyshacl only up to N datasets (default 2000: it takes minutes)
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
base=http://127.0.0.1:8080/
for n in ${@:-1000 2000 10000}; do
  "$bin/katalog" generate --datasets "$n" > "$work/c$n.ttl"
  echo "== $n datasets"
  for format in text json turtle; do
    best=""
    for run in 1 2 3; do
      # Exit 1 means the data has violations, which is expected here.
      /usr/bin/time -f "%e %M" -o "$work/time" "$bin/katalog" validate --format "$format" \
        --shapes "$shapes" --base-uri "$base" "$work/c$n.ttl" > "$work/report.$format" || [ $? -eq 1 ]
      best="$best$(tail -n 1 "$work/time")"$'\n'
    done
    # The median wall time of the three runs, and the peak memory of that run.
    read -r wall peak < <(printf '%s' "$best" | sort -n | sed -n 2p)
    echo "katalog validate --format $format: ${wall} s wall (median of 3), peak RSS $((peak / 1024)) MB, report $(($(wc -c < "$work/report.$format") / 1024)) KB"
  done
  "$python" -c 'import json,sys; r=json.load(open(sys.argv[1])); print("katalog verdict:", json.dumps({"conforms": r["conforms"], "results": len(r["results"]), "violations": r["violations"], "warnings": r["warnings"]}))' "$work/report.json"
  "$bin/examples/bench_shacl" --runs 3 --shapes "$shapes" --data "$work/c$n.ttl" | grep -E "validate|peak" | sed 's/^/engine alone: /'
  if [ "$n" -le "${PYSHACL_UP_TO:-2000}" ]; then
    /usr/bin/time -f "pyshacl: %e s wall, peak RSS %M KB" "$python" tests/python/shacl_verdict.py \
      --shapes "$shapes" --data "$work/c$n.ttl" --base "$base"
  fi
done
