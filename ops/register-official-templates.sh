#!/usr/bin/env bash
# Registers the official templates and their plugins (idempotent: what
# exists already is left as it is):
#   protocolbuffers/go  protoc-gen-go (Debian)                      Go module
#   grpc/go             protoc-gen-go + protoc-gen-go-grpc (Debian)  Go module
#   protocolbuffers/js  protoc-gen-js 3.21.2                         CommonJS npm package
#   grpc/web            protoc-gen-js + protoc-gen-grpc-web 1.5.0    CommonJS npm package with .d.ts
#   protocolbuffers/python  protoc's python and pyi generators 21.12 Python wheel with .pyi stubs
#   grpc/python         those + grpc_python_plugin 1.51.1 (Debian)   Python wheel
# A service template holds its messages' plugin too, so its package is whole
# (grpc/web's _grpc_web_pb.js requires ./x_pb.js from the same package).
# Builds protoc-gen-js, protoc-gen-grpc-web, protoc-gen-python and
# protoc-gen-pyi first (ops/build-plugins.sh).
# Uses the database and settings of the environment, as remotegen does
# (REMOTEGEN_DATABASE_URL, ...).   bash ops/register-official-templates.sh [REMOTEGEN]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
rg=${1:-$here/remotegen}
plugins="$here/build/plugins"
bash "$here/ops/build-plugins.sh" --out "$plugins"

# register CMD...: runs a registration; "already exists" is not an error. 0 when it did something.
register() {
  local out
  if out=$("$rg" "$@" 2>&1); then echo "$out"; return 0; fi
  case "$out" in *"already exists"*) return 1 ;; *) echo "$out" >&2; exit 2 ;; esac
}
# template NAME PLUGIN[=PARAM]... -- PLUGIN:VERSION...: creates the template and its first version.
template() {
  local name=$1 create=() pins=()
  shift
  while [ "$1" != "--" ]; do create+=(--plugin "$1"); shift; done
  shift
  while [ $# -gt 0 ]; do pins+=(--plugin "$1"); shift; done
  if register template create "$name" "${create[@]}"; then
    register template version "$name" "${pins[@]}"
  fi
}

register plugin add protocolbuffers/go v1.28.1 --exec /usr/bin/protoc-gen-go \
  --go-dep google.golang.org/protobuf@v1.28.1 --go-min-version 1.19 || true
register plugin add grpc/go v1.0.0 --exec /usr/bin/protoc-gen-go-grpc \
  --go-dep google.golang.org/grpc@v1.33.3 --go-dep google.golang.org/protobuf@v1.28.1 --go-min-version 1.19 || true
register plugin add protocolbuffers/js v3.21.2 --exec "$plugins/protoc-gen-js" \
  --npm-dep google-protobuf@^3.21.2 --npm-module commonjs || true
register plugin add grpc/web v1.5.0 --exec "$plugins/protoc-gen-grpc-web" \
  --npm-dep grpc-web@^1.5.0 --npm-dep google-protobuf@^3.21.2 --npm-module commonjs || true

register plugin add protocolbuffers/python v21.12 --exec "$plugins/protoc-gen-python" \
  --python-dep 'protobuf>=3.21' || true
register plugin add protocolbuffers/pyi v21.12 --exec "$plugins/protoc-gen-pyi" --python-dep 'protobuf>=3.21' || true
register plugin add grpc/python v1.51.1 --exec /usr/bin/grpc_python_plugin --python-dep 'grpcio>=1.51' || true

template protocolbuffers/go protocolbuffers/go -- protocolbuffers/go:v1.28.1
template grpc/go protocolbuffers/go grpc/go -- protocolbuffers/go:v1.28.1 grpc/go:v1.0.0
template protocolbuffers/js "protocolbuffers/js=import_style=commonjs,binary" -- protocolbuffers/js:v3.21.2
template grpc/web "protocolbuffers/js=import_style=commonjs,binary" "grpc/web=import_style=commonjs+dts,mode=grpcweb" \
  -- protocolbuffers/js:v3.21.2 grpc/web:v1.5.0
template protocolbuffers/python protocolbuffers/python protocolbuffers/pyi \
  -- protocolbuffers/python:v21.12 protocolbuffers/pyi:v21.12
template grpc/python protocolbuffers/python protocolbuffers/pyi grpc/python \
  -- protocolbuffers/python:v21.12 protocolbuffers/pyi:v21.12 grpc/python:v1.51.1
