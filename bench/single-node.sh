#!/usr/bin/env bash
# Runs `shoal bench --embedded --compare-raw` on the ANN datasets of ../shared/datasets, one after
# the other, each under a time limit, and keeps the report of each (text and JSON) in OUT.
# Usage: bench/single-node.sh [OUT] [DATASET...]   (from anywhere; default OUT: $TMPDIR/shoal-bench)
# Environment: BENCH_TIMEOUT (seconds per dataset, default 900), extra `shoal bench` options in BENCH_ARGS.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-${TMPDIR:-/tmp}/shoal-bench}"
shift || true
datasets=("$@")
if [ ${#datasets[@]} -eq 0 ]; then
  datasets=(siftsmall-128-euclidean glove-25-angular fashion-mnist-784-euclidean)
fi
mkdir -p "$out"
cd "$root"
for ds in "${datasets[@]}"; do
  echo "== $ds" >&2
  # shellcheck disable=SC2086 # BENCH_ARGS is a list of options
  timeout "${BENCH_TIMEOUT:-900}" npx node apps/node/src/bin.ts bench --dataset "../shared/datasets/$ds" \
    --embedded --compare-raw --json "$out/$ds.json" ${BENCH_ARGS:-} | tee "$out/$ds.txt"
done
echo "reports in $out" >&2
