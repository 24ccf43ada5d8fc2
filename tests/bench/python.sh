#!/usr/bin/env bash
# Benchmark: Python packages. (1) Building one wheel (CPU time of
# pywheel_build, tests/tools/wheelbench) of the Python code protoc writes for
# google/api, google/rpc, google/type and google/longrunning of the npm
# package google-proto-files; (2) rewriting the index of one project as its
# versions grow: N commits of acme/weather (default 1000) published through the
# protocolbuffers/python template in one `run --once`, the publisher's time
# per version (publish_ms: wheel upload, the project page with every version so
# far and the root page, in the transaction that records it) for the first and
# the last 50, and the wall time of `generation deprecate` (which rewrites the
# project page and the root page from the database) at 1 and at N versions.
#   bash tests/bench/python.sh [N]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RG=${REMOTEGEN:-$ROOT/build/rel/remotegen}
WB="$ROOT/build/rel/tests/tools/wheelbench"
GPF="$ROOT/node_modules/google-proto-files"
[ -x "$RG" ] && [ -x "$WB" ] && [ -x "$ROOT/build/plugins/protoc-gen-pyi" ] ||
  { echo "build first: make remotegen tools plugins" >&2; exit 2; }
[ -d "$GPF/google" ] || { echo "npm ci first (google-proto-files)" >&2; exit 2; }
N=${1:-1000}
. "$ROOT/tests/bench/lib.sh"
bench_start "$@"

# (1) one wheel
mkdir -p "$W/gen"
(cd "$GPF" && protoc -I . --python_out="$W/gen" --pyi_out="$W/gen" \
  $(find google/api google/rpc google/type google/longrunning -name '*.proto' | sort) 2>/dev/null)
"$WB" "$W/gen" 20 "$N"

# (2) one project with N versions
bench_db py
P="$ROOT/build/plugins"
"$RG" plugin add protocolbuffers/python v21.12 --exec "$P/protoc-gen-python" --python-dep 'protobuf>=3.21' >/dev/null
"$RG" plugin add protocolbuffers/pyi v21.12 --exec "$P/protoc-gen-pyi" --python-dep 'protobuf>=3.21' >/dev/null
"$RG" template create protocolbuffers/python --plugin protocolbuffers/python --plugin protocolbuffers/pyi >/dev/null
"$RG" template version protocolbuffers/python --plugin protocolbuffers/python:v21.12 \
  --plugin protocolbuffers/pyi:v21.12 >/dev/null
"$RG" module push acme/single "$ROOT/ops/example" >/dev/null
cp -r "$ROOT/ops/example" "$W/src"
start=$(date +%s.%N)
for i in $(seq 1 "$N"); do
  printf 'message Extra%d {\n  string note = 1;\n}\n' "$i" >>"$W/src/acme/weather/v1/weather.proto"
  "$RG" module push acme/weather "$W/src" >/dev/null
done
echo "pushed $N commits in $(echo "$(date +%s.%N) - $start" | bc) s"
bench_run_once "$W/run.log" --workers 2
echo "published $((N + 1)) versions in $BENCH_S s (run --once, 2 workers)"
grep 'event=published' "$W/run.log" | grep 'module=acme/weather' | sed 's/.*publish_ms=\([0-9]*\).*/\1/' >"$W/pms"
printf 'publish_ms per version, mean: first 50 %.1f, last 50 %.1f\n' \
  "$(head -n 50 "$W/pms" | awk '{s+=$1} END {print s/NR}')" "$(tail -n 50 "$W/pms" | awk '{s+=$1} END {print s/NR}')"

# generation deprecate: the project page and the root page from the database
deprecate_ms() {
  local id=$1 best=999999 t0 t1 ms
  for _ in 1 2 3 4 5; do
    t0=$(date +%s%N)
    "$RG" generation deprecate "$id" --message "bench" >/dev/null 2>&1
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    [ "$ms" -lt "$best" ] && best=$ms
  done
  echo "$best"
}
one=$(psql -qAt -c "SELECT g.id FROM generations g JOIN commits c ON c.id = g.commit_id JOIN modules m ON m.id = c.module_id WHERE m.name = 'single'" -d py)
many=$(psql -qAt -c "SELECT g.id FROM generations g JOIN commits c ON c.id = g.commit_id JOIN modules m ON m.id = c.module_id WHERE m.name = 'weather' ORDER BY c.sequence DESC LIMIT 1" -d py)
echo "generation deprecate (index rewrite), best of 5: 1 version $(deprecate_ms "$one") ms, $N versions $(deprecate_ms "$many") ms"
echo "project page at $N versions: $(wc -c <"$W/store-py/python/simple/acme-weather-protocolbuffers-python/index.html") bytes"
