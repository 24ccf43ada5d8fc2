#!/usr/bin/env bash
# The main job on the embedded default: installs what is missing, builds
# remotegen, starts a private PostgreSQL cluster in ./var/pg, registers
# Debian's protoc-gen-go as plugin protocolbuffers/go and a template of the
# same name, pushes the example module acme/weather (ops/example), runs the
# pipeline once into the file:// store ./var/store, shows the status, checks
# the result with the go command, and stops PostgreSQL again.
# Run it again: it keeps its data and generates only what is new.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

if [ "$(id -u)" = 0 ]; then bash ops/install-deps.sh; else bash ops/install-deps.sh || {
  echo "quickstart: run as root (or install the packages above) first" >&2; exit 2; }; fi
make -s remotegen

. ops/pg.sh
mkdir -p var
trap 'pg_stop "$ROOT/var/pg"' EXIT
pg_start "$ROOT/var/pg"
createdb remotegen 2>/dev/null || true
export REMOTEGEN_DATABASE_URL="host=127.0.0.1 port=$PGPORT user=postgres dbname=remotegen"
export REMOTEGEN_STORE="file://$ROOT/var/store"
export REMOTEGEN_GO_PREFIX="${REMOTEGEN_GO_PREFIX:-gen.example.com/go}"

./remotegen migrate

# Registration is idempotent here: "already exists" is fine on a second run.
register() {
  local out
  if out=$("$@" 2>&1); then echo "$out"; return 0; fi
  case "$out" in *"already exists"*) return 1 ;; *) echo "$out" >&2; exit 2 ;; esac
}
register ./remotegen plugin add protocolbuffers/go v1.28.1 --exec /usr/bin/protoc-gen-go \
  --go-dep google.golang.org/protobuf@v1.28.1 --go-min-version 1.19 || true
if register ./remotegen template create protocolbuffers/go --plugin protocolbuffers/go; then
  echo "template protocolbuffers/go $(./remotegen template version protocolbuffers/go --plugin protocolbuffers/go:v1.28.1)"
fi
./remotegen module push acme/weather ops/example

set +e
./remotegen run --once
rc=$?
set -e
./remotegen status

MOD="$REMOTEGEN_GO_PREFIX/protocolbuffers/go/acme/weather"
echo
echo "The go command sees:"
(export GOPROXY="file://$ROOT/var/store" GOSUMDB=off GOPATH="$ROOT/var/gopath" GOCACHE="$ROOT/var/gocache" GOFLAGS=-modcacherw
 cd "$ROOT/var" && go list -m -versions "$MOD")
cat <<MSG

Published to $ROOT/var/store. Use it as a Go module proxy:
  export GOPROXY=file://$ROOT/var/store,https://proxy.golang.org
  export GONOSUMDB=${REMOTEGEN_GO_PREFIX%%/*}
  go get $MOD@latest
  (the package is $MOD/acme/weather/v1)
or serve var/store over HTTP with nginx and ops/nginx/goproxy-locations.conf,
and set GOPROXY=https://your-host/ instead.
MSG
exit $rc
