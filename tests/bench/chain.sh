#!/usr/bin/env bash
# Benchmark: a module of N files that import each other in one chain
# (c0 <- c1 <- ... <- cN-1): wall seconds of `run --once` with a plugin that
# writes one file per input (testplugin, runtime exec), for each N given
# (default 2500 5000 10000; protoc itself fails on a chain of 20000), with the build in REMOTEGEN (default
# build/rel/remotegen). The request's preparation should stay linear in N.
#   bash tests/bench/chain.sh [N...]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RG=${REMOTEGEN:-$ROOT/build/rel/remotegen}
TP="$ROOT/build/rel/tests/tools/testplugin"
[ -x "$RG" ] && [ -x "$TP" ] || { echo "build first: make remotegen tools" >&2; exit 2; }
[ $# -gt 0 ] || set -- 2500 5000 10000
. "$ROOT/tests/bench/lib.sh"
bench_start "$@"
printf '%-8s %8s %14s\n' files wall_s s_per_10k
for n in "$@"; do
  src="$W/src-$n/acme/chain/v1"
  mkdir -p "$src"
  printf 'syntax = "proto3";\npackage acme.chain.v1;\nmessage C0 { string s = 1; }\n' >"$src/c0.proto"
  for i in $(seq 1 $((n - 1))); do
    printf 'syntax = "proto3";\npackage acme.chain.v1;\nimport "acme/chain/v1/c%d.proto";\nmessage C%d { C%d prev = 1; }\n' \
      $((i - 1)) "$i" $((i - 1)) >"$src/c$i.proto"
  done
  bench_db "chain_$n"
  "$RG" plugin add bench/chain v1 --exec "$TP" --runtime exec --go-dep google.golang.org/protobuf@v1.28.1 >/dev/null
  "$RG" template create bench/chain --plugin bench/chain >/dev/null
  "$RG" template version bench/chain --plugin bench/chain:v1 >/dev/null
  "$RG" module push acme/chain "$W/src-$n" >/dev/null 2>"$W/push-$n.err" || { cat "$W/push-$n.err"; exit 1; }
  bench_run_once "$W/run-$n.err" --workers 1
  printf '%-8s %8.2f %14.2f\n' "$n" "$BENCH_S" "$(echo "$BENCH_S * 10000 / $n" | bc -l)"
done
