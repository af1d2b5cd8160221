#!/usr/bin/env bash
# `npm run bench`: every benchmark in the repository. A benchmark is a file named *.bench.ts under
# bench/ (the Pulumi program, the local runtime) or images/<workspace>/bench/ (a service). Each one
# prints its figures next to a baseline measured in the same run; absolute times are not comparable
# across runs on these machines.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

status=0
shopt -s nullglob
for bench in bench/*.bench.ts; do
  echo "=== ${bench}"
  npx tsx "$bench" || status=1
done
for bench in images/*/bench/*.bench.ts; do
  workspace="${bench%%/bench/*}"
  echo "=== ${bench}"
  (cd "$workspace" && npx tsx --conditions=source "bench/${bench##*/bench/}") || status=1
done
exit $status
