#!/usr/bin/env bash
# Benchmark: end-to-end pipeline throughput with a real plugin (protoc-gen-go,
# bwrap runtime) into a file:// store: N modules, one commit each, one
# template version; `remotegen run --once` with 1 and with 2 workers.
#   bash tests/bench/pipeline.sh [MODULES]     (default 100)
# Prints generations, wall seconds and generations per second.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-100}
RG="$ROOT/build/rel/remotegen"
[ -x "$RG" ] || { echo "build first: make" >&2; exit 2; }
. "$ROOT/tests/bench/lib.sh"
bench_start "$N"
printf '%-8s %6s %8s %10s\n' workers gens wall_s gens_per_s
for workers in 1 2; do
  db="bench_w$workers"
  bench_db "$db"
  "$RG" plugin add protocolbuffers/go v1.28.1 --exec /usr/bin/protoc-gen-go \
    --go-dep google.golang.org/protobuf@v1.28.1 >/dev/null
  "$RG" template create protocolbuffers/go --plugin protocolbuffers/go >/dev/null
  "$RG" template version protocolbuffers/go --plugin protocolbuffers/go:v1.28.1 >/dev/null
  for i in $(seq 1 "$N"); do
    "$RG" module push "bench/m$i" "$ROOT/ops/example" >/dev/null 2>&1
  done
  bench_run_once "$W/run-$workers.err" --workers "$workers"
  gens=$(psql -At -d "$db" -c "SELECT count(*) FROM generations WHERE state = 'published'")
  printf '%-8s %6s %8.2f %10.1f\n' "$workers" "$gens" "$BENCH_S" "$(echo "$gens / $BENCH_S" | bc -l)"
done
