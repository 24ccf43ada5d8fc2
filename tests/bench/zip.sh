#!/usr/bin/env bash
# Benchmark: the deflate level of module zips. Generates Go code for the
# googleapis corpus (npm google-proto-files) with protoc-gen-go and
# protoc-gen-go-grpc, then builds the module zip at levels 1, 4, 6, 9 and
# prints size and CPU time per zip (a CDN serves the bytes; remotegen spends
# the CPU once per version).
#   bash tests/bench/zip.sh [ROUNDS]     (default 20)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${1:-20}
TOOL="$ROOT/build/rel/tests/tools/zipbench"
[ -x "$TOOL" ] || { echo "build first: make tools" >&2; exit 2; }
GAPI="$ROOT/node_modules/google-proto-files"
W=$(mktemp -d /tmp/remotegen-zip.XXXXXX)
trap 'rm -rf "$W"' EXIT
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "command: bash tests/bench/zip.sh $ROUNDS"
mkdir -p "$W/out"
(cd "$GAPI" && protoc --go_out="$W/out" --go_opt=paths=source_relative \
   --go-grpc_out="$W/out" --go-grpc_opt=paths=source_relative \
   $(ls google/api/*.proto google/type/*.proto google/rpc/*.proto google/longrunning/*.proto \
        google/iam/v1/*.proto google/cloud/secretmanager/v1/*.proto google/pubsub/v1/*.proto \
        google/cloud/kms/v1/*.proto google/storage/v2/*.proto 2>/dev/null))
"$TOOL" "$W/out" "$ROUNDS" 1 4 6 9
