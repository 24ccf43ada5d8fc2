#!/usr/bin/env bash
# Benchmark: output handling of a plugin that writes many small files
# (testplugin many=N, runtime exec): wall seconds of `run --once` for one
# generation of N files, for each N given (default 20000 40000 80000), with the
# build in REMOTEGEN (default build/rel/remotegen). Linear is the goal: seconds
# per 10k files should stay flat as N grows.
#   bash tests/bench/manyfiles.sh [N...]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RG=${REMOTEGEN:-$ROOT/build/rel/remotegen}
TP="$ROOT/build/rel/tests/tools/testplugin"
[ -x "$RG" ] && [ -x "$TP" ] || { echo "build first: make remotegen tools" >&2; exit 2; }
[ $# -gt 0 ] || set -- 20000 40000 80000
. "$ROOT/tests/bench/lib.sh"
bench_start "$@"
printf '%-8s %8s %14s\n' files wall_s s_per_10k
for n in "$@"; do
  bench_db "many_$n"
  "$RG" plugin add bench/many v1 --exec "$TP" --runtime exec --go-dep google.golang.org/protobuf@v1.28.1 >/dev/null
  "$RG" template create bench/many --plugin "bench/many=many=$n" >/dev/null
  "$RG" template version bench/many --plugin bench/many:v1 >/dev/null
  "$RG" module push acme/weather "$ROOT/ops/example" >/dev/null 2>&1
  bench_run_once "$W/run-$n.err" --workers 1
  printf '%-8s %8.2f %14.2f\n' "$n" "$BENCH_S" "$(echo "$BENCH_S * 10000 / $n" | bc -l)"
done
