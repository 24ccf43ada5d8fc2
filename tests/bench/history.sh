#!/usr/bin/env bash
# Benchmark: generating a real history. Nine distinct snapshots of about 200
# googleapis files (npm google-proto-files 3.0.3 .. 6.0.1: google/api, type,
# rpc, longrunning, iam/v1, cloud/location, cloud/aiplatform/v1,
# cloud/dialogflow/cx/v3), pushed as commits of one module, generated with
# protoc-gen-go and protoc-gen-go-grpc (bwrap), 2 workers:
#   loop      a sequential `protoc --go_out --go-grpc_out` + `zip` per snapshot
#   full      remotegen run --once, plugins without --per-file (no cache)
#   cold      the same with --per-file plugins and an empty output cache
#   new tv    then a new template version with the same plugin versions (all from the cache)
# Prints wall seconds, the cache's hits and misses, zip entries reused and
# deflated, remotegen's own CPU (cpu_ms) and the plugins' time summed over the
# generations (plugin_ms); checks that the zips of full and cold are byte-identical.
#   bash tests/bench/history.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RG=${RG:-$ROOT/build/rel/remotegen}
[ -x "$RG" ] || { echo "build first: make" >&2; exit 2; }
W=$(mktemp -d /tmp/remotegen-history.XXXXXX)
chmod 755 "$W"
. "$ROOT/ops/pg.sh"
trap 'pg_stop "$W/pg"; rm -rf "$W"' EXIT
pg_start "$W/pg" >/dev/null
DIRS="google/api google/type google/rpc google/longrunning google/iam/v1 google/cloud/location google/cloud/aiplatform/v1 google/cloud/dialogflow/cx/v3"
VERSIONS="3.0.3 4.0.0 4.1.0 4.2.0 5.0.0 5.0.1 5.0.2 5.0.3 6.0.0 6.0.1"
snapshot() { # VERSION DEST
  local d="$ROOT/node_modules/google-proto-files-$1"
  [ "$1" = 6.0.1 ] && d="$ROOT/node_modules/google-proto-files"
  mkdir -p "$2"
  (cd "$d" && cp --parents $(for x in $DIRS; do ls $x/*.proto; done) "$2/")
}
for v in $VERSIONS; do snapshot "$v" "$W/src/$v"; done
secs() { echo "scale=2; ($2 - $1) / 1000000000" | bc; }

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "command: bash tests/bench/history.sh"
t0=$(date +%s%N)
prev=
for v in $VERSIONS; do
  if [ -n "$prev" ] && diff -rq "$W/src/$prev" "$W/src/$v" >/dev/null; then prev=$v; continue; fi
  mkdir -p "$W/loop/$v"
  (cd "$W/src/$v" && protoc --go_out="$W/loop/$v" --go_opt=paths=source_relative \
     --go-grpc_out="$W/loop/$v" --go-grpc_opt=paths=source_relative $(find . -name '*.proto' | sed 's|^\./||' | sort) 2>/dev/null)
  (cd "$W/loop/$v" && zip -q -r "$W/loop/$v.zip" .)
  prev=$v
done
t1=$(date +%s%N)
printf '%-10s %8s s\n' loop "$(secs "$t0" "$t1")"

setup() { # DB PERFILE
  createdb "$1"
  export REMOTEGEN_DATABASE_URL="host=127.0.0.1 port=$PGPORT user=postgres dbname=$1" REMOTEGEN_STORE="file://$W/store-$1"
  "$RG" migrate >/dev/null 2>&1
  local pf=; [ "$2" = 1 ] && pf=--per-file
  "$RG" plugin add protocolbuffers/go v1.28.1 --exec /usr/bin/protoc-gen-go --go-dep google.golang.org/protobuf@v1.28.1 $pf >/dev/null
  "$RG" plugin add grpc/go v1.2.0 --exec /usr/bin/protoc-gen-go-grpc --go-dep google.golang.org/grpc@v1.33.3 $pf >/dev/null
  "$RG" template create protocolbuffers/go --plugin protocolbuffers/go --plugin grpc/go >/dev/null
  "$RG" template version protocolbuffers/go --plugin protocolbuffers/go:v1.28.1 --plugin grpc/go:v1.2.0 >/dev/null
  for v in $VERSIONS; do "$RG" module push googleapis/history "$W/src/$v" >/dev/null; done
}
run() { # LABEL
  local a b
  a=$(date +%s%N)
  "$RG" run --once --workers 2 2>"$W/$1.log"
  b=$(date +%s%N)
  printf '%-10s %8s s  %s plugin_ms=%s\n' "$1" "$(secs "$a" "$b")" \
    "$(grep -o 'published=[0-9]*.*' "$W/$1.log" | tail -n 1)" \
    "$(grep -o 'plugin_ms=[0-9]*' "$W/$1.log" | awk -F= '{ s += $2 } END { print s + 0 }')"
}
setup full 0
run full
setup cold 1
run cold
"$RG" template version protocolbuffers/go --plugin protocolbuffers/go:v1.28.1 --plugin grpc/go:v1.2.0 >/dev/null
"$RG" backfill --template protocolbuffers/go:v2 >/dev/null 2>&1
run "new tv"
diffs=0
for f in $(cd "$W/store-full" && find . -name '*.zip' -o -name '*.mod'); do cmp -s "$W/store-full/$f" "$W/store-cold/$f" || diffs=$((diffs + 1)); done
echo "zips and go.mod files of full and cold that differ: $diffs"
