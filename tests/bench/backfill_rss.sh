#!/usr/bin/env bash
# Benchmark: remotegen's own peak memory (max RSS of the run --once process,
# plugins not included) while it generates a backfill of N commits of one
# module (googleapis' google/api, google/type, google/rpc, google/longrunning:
# ~60 files) with protoc-gen-go in bwrap and two workers, for each N given
# (default 10 40), with the build in REMOTEGEN (default build/rel/remotegen).
# Flat in N is the goal.
#   bash tests/bench/backfill_rss.sh [N...]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RG=${REMOTEGEN:-$ROOT/build/rel/remotegen}
GAPI="$ROOT/node_modules/google-proto-files"
[ -x "$RG" ] || { echo "build first: make" >&2; exit 2; }
[ -d "$GAPI/google" ] || { echo "npm ci first (google-proto-files)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (package time)" >&2; exit 2; }
[ $# -gt 0 ] || set -- 10 40
. "$ROOT/tests/bench/lib.sh"
bench_start "$@"
printf '%-8s %8s %12s\n' commits wall_s peak_rss_mb
for n in "$@"; do
  src="$W/src-$n"
  mkdir -p "$src"
  (cd "$GAPI" && cp --parents google/api/*.proto google/type/*.proto google/rpc/*.proto google/longrunning/*.proto "$src/")
  bench_db "rss_$n"
  for i in $(seq 1 "$n"); do
    printf 'message BenchCommit%d { string s = 1; }\n' "$i" >>"$src/google/type/date.proto"
    "$RG" module push acme/gapi "$src" >/dev/null 2>"$W/push.err" || { cat "$W/push.err"; exit 1; }
  done
  "$RG" plugin add protocolbuffers/go v1.28.1 --exec /usr/bin/protoc-gen-go \
    --go-dep google.golang.org/protobuf@v1.28.1 >/dev/null
  "$RG" template create protocolbuffers/go --plugin protocolbuffers/go >/dev/null
  "$RG" template version protocolbuffers/go --plugin protocolbuffers/go:v1.28.1 >/dev/null
  "$RG" backfill --template protocolbuffers/go >/dev/null 2>&1
  start=$(date +%s.%N)
  /usr/bin/time -f %M -o "$W/rss-$n" "$RG" run --once --workers 2 2>"$W/run-$n.err" ||
    { tail -3 "$W/run-$n.err"; exit 1; }
  end=$(date +%s.%N)
  printf '%-8s %8.2f %12.1f\n' "$n" "$(echo "$end - $start" | bc)" "$(echo "$(cat "$W/rss-$n") / 1024" | bc -l)"
done
