#!/usr/bin/env bash
# Benchmark: generating a real history, pushed as commits of one module and
# generated with protoc-gen-go and protoc-gen-go-grpc (bwrap), 2 workers.
#   googleapis  (default) ten releases of npm google-proto-files, 3.0.3 .. 6.0.1
#               (nine distinct): about 200 googleapis files each (google/api, type,
#               rpc, longrunning, iam/v1, cloud/location, cloud/aiplatform/v1,
#               cloud/dialogflow/cx/v3); from node_modules (the committed lock)
#   aiplatform  twenty releases of npm @google-cloud/aiplatform, 5.8.0 .. 7.4.0: the
#               google/cloud/aiplatform/v1 files each ships (about 124), with
#               google/api, type, rpc and longrunning of google-proto-files 6.0.1;
#               fetched once with `npm pack` into build/bench-corpus, each tarball
#               checked against the sha512 the registry published for it
# Runs:
#   loop      a sequential `protoc --go_out --go-grpc_out` + `zip` per distinct snapshot
#   full      remotegen run --once, plugins without --per-file (no cache)
#   cold      the same with --per-file plugins and an empty output cache
#   new tv    then a new template version with the same plugin versions (all from the cache)
# Prints how many files change between snapshots, wall and CPU seconds (of the
# whole machine during the run: plugins and PostgreSQL included) and how many
# times faster than the loop each is, the cache's hits and misses, zip entries reused and deflated, remotegen's own CPU
# (cpu_ms) and the plugins' time summed over the generations (plugin_ms);
# checks that the zips of full and cold are byte-identical.
#   bash tests/bench/history.sh [googleapis|aiplatform]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RG=${RG:-$ROOT/build/rel/remotegen}
CORPUS=${1:-googleapis}
[ -x "$RG" ] || { echo "build first: make" >&2; exit 2; }
W=$(mktemp -d /tmp/remotegen-history.XXXXXX)
chmod 755 "$W"
. "$ROOT/ops/pg.sh"
trap 'pg_stop "$W/pg"; rm -rf "$W"' EXIT
GPF="$ROOT/node_modules/google-proto-files"
case "$CORPUS" in
googleapis)
  DIRS="google/api google/type google/rpc google/longrunning google/iam/v1 google/cloud/location google/cloud/aiplatform/v1 google/cloud/dialogflow/cx/v3"
  VERSIONS="3.0.3 4.0.0 4.1.0 4.2.0 5.0.0 5.0.1 5.0.2 5.0.3 6.0.0 6.0.1"
  snapshot() { # VERSION DEST
    local d="$ROOT/node_modules/google-proto-files-$1"
    [ "$1" = 6.0.1 ] && d="$GPF"
    mkdir -p "$2"
    (cd "$d" && cp --parents $(for x in $DIRS; do ls $x/*.proto; done) "$2/")
  }
  ;;
aiplatform)
  # version and the sha512 integrity npm's registry lists for its tarball
  PINNED="5.8.0 VmLrNDSrnV2e3HKfdoSOak7qi01oiciwBJvflwPMYrHlAIJFVPcFIkfTmuP9X+3NG1AB0z+SaNqjCGQOccuRKg==
5.9.0 GL/dqn2AB1ooQ7j5kBizjF28R90kEobEa6L1KWvT2Sb4kvgwzSuvAopTGdltHRMrqzMMCntorBR/8V7WAqynGQ==
5.10.0 uwIRDSBYygTpR0NTh+Ek8qsmlQvJ5xD8DyalHeBmAoKOWSTgVqiNPtDS2VAWmOV17kNfyRtShT/K2HJzcksyoA==
5.11.0 S8sXszJCIQCvO1GbAURAXFOsBsfDZHVLhdts5U4Z+IAZ1d8+qR3+CDfiP8zbwBC/MYzKUdlcvmVW6a8hzTg8Og==
5.12.0 BN4DSumv3RP6oPSnlwnvErYK2sngG/ZsNv0SA6dp15UFEUM1tFm9TQQnnWw2HWdUI8aztMeJyxfOEfdgluxPuQ==
5.13.0 5qILjQwfk4nZL5Mp/xPaJdd4GqNLB6b24ssyqK+ApGu3xW81kcDWzt0ePY8LpedNV4VEwWpa8oZWwnnswSy8ag==
5.14.0 Bh36aXsH/CkWfw/Sm7M2j56Ozi+nV5aVcVGmGsRn1M5espcFo2eEbG5zsHvdJ/RJrQc+R/Q8jLqaovfhEy1tHw==
6.0.0 fXGybBR7M+xI9sRlAR4XRV/t2ERqigy7/e5dKTWzlT3XWGKoND096727DWz9utR631lc5uKRpIjfFQjFVBoAxA==
6.1.0 EgQ1BU97GAHEkXtBE3iyFWPyHdofULqbqE0672DbCQuInHpQJ5BSpwtOjALOrtvYrTH4m13RtFBrox//1VRV7A==
6.2.0 5no+zSKV5VgMw2m5vdm0Lb3ADcrqEQUqcOgMe1yxwHe6bIuERi5cPfjEpjeKvjdkDla25UOALd7QdIP/qBRR/Q==
6.4.0 lNcYOnHfzedewgjTRxQs2/mLk+TYcq4qhdDx+0jG/h0dgQvXCQvnxofOUhpoyTunk2SawlwRZqQOxHHVVENhCA==
6.5.0 UZaeXg4Xt+/2LQLWw2nZ7ipbFdUIm9Xo3edAu2xpP/GMmHQIFk3nJmCI7Y3bFUrcr7kK4mw1gPJ374LQKpOO3w==
6.7.0 CxMkLxRPiJ6fUd9gLiM8tyENX58b9xuX+86RG8wXfYyEUqvZQZdvpSnHq50EQcsn9jzqPGeMkEFHdrO7+ugvCg==
6.8.0 uN1azwaREjQA26V+Wx8IsAFMBfNjtBYlQ+TKoNXnzEmQwGq097PIw3vaRQPSZHmJqiNYxJ1/BPZ6glCZBRNe+A==
6.8.1 8O64485bzBzQQ1VlgEhaLJcOvVlfC/V8MB5nQ5y2Dcl8UAfGXW5LkXK1CEfZ7c6IZYxpkJ9U818ldc8pg7eteg==
6.9.0 T1LT/g2txHH6TyaJZCzMfTRiJgu0PBk1gEQFVecqlkwmvyWu5lJ31M3oJfuTLzWTWwZMZhj0SipsBcUBWdeJwA==
6.11.0 B+uWA8M3rTNc9iEGY97jA5ucjXb8T7/aN5QTyxZr02xUBEM8Et2i57pNNEQxCgNTE9/hxdJRGBkb7/qaLpgX3w==
7.2.0 piGe968bAkxrVlrD6dTwWak1xBiWKk9SlXbMv41Hb/CLTLa3DqAi8eapl4iuQE8SwVQsSfMmWFsewfroIqMubw==
7.3.0 ZHeJKbMEZGgsBTTWgQwcEyQbw7BkT27tk67roh3y/ZpO78iIs9yd3CBn4ptROHQTAZLeWeLdKqDaLTKcaK+NpA==
7.4.0 aq1QmKYMfR6aJddgL8eugs2rxFo1ig6/qmIDrFDf6ow6BdAXraSbnbbczkrZvScc8eQ6hG0jXR7chiZiVXPd3A=="
  VERSIONS=$(echo "$PINNED" | awk '{ print $1 }' | tr '\n' ' ')
  CACHE="$ROOT/build/bench-corpus/aiplatform"
  mkdir -p "$CACHE"
  while read -r v sum; do
    t="$CACHE/google-cloud-aiplatform-$v.tgz"
    [ -f "$t" ] || (cd "$CACHE" && npm pack "@google-cloud/aiplatform@$v" --silent >/dev/null)
    [ "$(openssl dgst -sha512 -binary "$t" | base64 -w0)" = "$sum" ] ||
      { echo "$t: not the tarball npm published (sha512 differs); remove it and run again" >&2; exit 1; }
  done <<<"$PINNED"
  snapshot() { # VERSION DEST
    mkdir -p "$2/x"
    tar xzf "$CACHE/google-cloud-aiplatform-$1.tgz" -C "$2/x" --wildcards 'package/build/protos/google/cloud/aiplatform/v1/*.proto'
    mkdir -p "$2/google/cloud/aiplatform"
    mv "$2/x/package/build/protos/google/cloud/aiplatform/v1" "$2/google/cloud/aiplatform/"
    rm -rf "$2/x"
    (cd "$GPF" && cp --parents google/api/*.proto google/type/*.proto google/rpc/*.proto google/longrunning/*.proto "$2/")
  }
  ;;
*) echo "usage: bash tests/bench/history.sh [googleapis|aiplatform]" >&2; exit 2 ;;
esac
pg_start "$W/pg" >/dev/null
for v in $VERSIONS; do snapshot "$v" "$W/src/$v"; done
# How much of the history changes: files of each snapshot that differ from the one before.
changed=0 total=0 prev=
for v in $VERSIONS; do
  if [ -n "$prev" ]; then
    for f in $(cd "$W/src/$v" && find . -name '*.proto'); do
      total=$((total + 1))
      cmp -s "$W/src/$v/$f" "$W/src/$prev/$f" || changed=$((changed + 1))
    done
  fi
  prev=$v
done

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "command: bash tests/bench/history.sh $CORPUS"
echo "history: $(echo $VERSIONS | wc -w) snapshots; after the first, $changed of $total files differ from the snapshot before ($((100 * changed / total))%)"
# timed LABEL STDERR CMD...: runs CMD (its stderr to STDERR); keeps its wall time
# and the CPU time the whole machine spent meanwhile (user, nice, system, irq and
# softirq of every CPU, from /proc/stat: plugins in their sandboxes and
# PostgreSQL included; the machine runs nothing else).
HZ=$(getconf CLK_TCK)
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
timed() {
  local label=$1 err=$2 a b c0 c1
  shift 2
  c0=$(busy)
  a=$(date +%s%N)
  "$@" 2>"$err"
  b=$(date +%s%N)
  c1=$(busy)
  echo "$(echo "($b - $a) / 1000000000" | bc -l) $(echo "($c1 - $c0) / $HZ" | bc -l)" >"$W/fig.$label"
}
loop() {
  local v prev=
  for v in $VERSIONS; do
    if [ -n "$prev" ] && diff -rq "$W/src/$prev" "$W/src/$v" >/dev/null; then prev=$v; continue; fi
    mkdir -p "$W/loop/$v"
    (cd "$W/src/$v" && protoc --go_out="$W/loop/$v" --go_opt=paths=source_relative \
       --go-grpc_out="$W/loop/$v" --go-grpc_opt=paths=source_relative $(find . -name '*.proto' | sed 's|^\./||' | sort) 2>/dev/null)
    (cd "$W/loop/$v" && zip -q -r "$W/loop/$v.zip" .)
    prev=$v
  done
}
# report LABEL [EXTRA]: wall and CPU seconds, and how many times faster than the loop.
report() {
  local w c lw lc
  read -r w c <"$W/fig.$1"
  read -r lw lc <"$W/fig.loop"
  printf '%-8s wall %7.2f s (%5.1fx)  cpu %7.2f s (%5.1fx)  %s\n' "$1" "$w" \
    "$(echo "$lw / $w" | bc -l)" "$c" "$(echo "$lc / $c" | bc -l)" "${2:-}"
}
timed loop "$W/loop.err" loop
report loop

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
  timed "$1" "$W/$1.log" "$RG" run --once --workers 2
  report "$1" "$(grep -o 'published=[0-9]*.*' "$W/$1.log" | tail -n 1) plugin_ms=$(grep -o 'plugin_ms=[0-9]*' "$W/$1.log" | awk -F= '{ s += $2 } END { print s + 0 }')"
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
