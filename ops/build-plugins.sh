#!/usr/bin/env bash
# Builds the protoc plugins no registry ships as binaries, from their upstream
# sources, against Debian 12's libprotoc-dev, into build/plugins/:
#   protoc-gen-js        (protocolbuffers/js v3.21.2)
#   protoc-gen-grpc-web  (grpc/web 1.5.0)
#   protoc-gen-python, protoc-gen-pyi (protocolbuffers/python and /pyi: protoc's
#                        own generators as plugins, ops/plugins/python/)
# Sources: third_party/ (as released; see its README), or --src DIR holding
# the same directories (e.g. a download of the same tags). A plugin already
# built from unchanged sources is kept. A failed build stops with the plugin
# named and the compiler's own message.
#   bash ops/build-plugins.sh [--src DIR] [--out DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src="$here/third_party"
out="$here/build/plugins"
while [ $# -gt 0 ]; do
  case "$1" in
    --src) src=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: build-plugins.sh [--src DIR] [--out DIR]" >&2; exit 2 ;;
  esac
done
CXX=${CXX:-g++}
mkdir -p "$out"

# need NAME SOURCE... -- FLAGS...: every source exists, or the script stops naming the plugin.
need() {
  local name=$1; shift
  while [ "$1" != "--" ]; do
    if [ ! -f "$1" ]; then
      echo "build-plugins: $name: source $1 not found (sources from $src)" >&2
      exit 1
    fi
    shift
  done
}

# build NAME SOURCE... -- FLAGS...: compiles into $out/NAME unless it is newer than its sources
# (a .h among them is a dependency, not compiled).
build() {
  local name=$1; shift
  local sources=() flags=()
  while [ "$1" != "--" ]; do sources+=("$1"); shift; done
  shift
  flags=("$@")
  local f
  if [ -x "$out/$name" ] && [ -z "$(find "${sources[@]}" -newer "$out/$name" 2>/dev/null)" ]; then
    echo "build-plugins: $name up to date"
    return
  fi
  if ! command -v "$CXX" >/dev/null; then
    echo "build-plugins: $name: no C++ compiler ($CXX; install g++, ops/install-deps.sh does)" >&2
    exit 1
  fi
  local log units=()
  for f in "${sources[@]}"; do case "$f" in *.h) ;; *) units+=("$f") ;; esac; done
  log=$(mktemp)
  if ! "$CXX" -std=c++17 -O2 "${flags[@]}" "${units[@]}" -o "$out/$name.tmp" -lprotoc -lprotobuf -lpthread \
      >"$log" 2>&1; then
    echo "build-plugins: $name: the build failed ($CXX, sources from $src):" >&2
    head -n 20 "$log" >&2
    rm -f "$log" "$out/$name.tmp"
    exit 1
  fi
  rm -f "$log"
  mv "$out/$name.tmp" "$out/$name"
  echo "build-plugins: built $out/$name"
}

# each CMD: CMD for every plugin, with its sources and flags.
each() {
  local js="$src/protobuf-javascript-3.21.2" py="$here/ops/plugins/python"
  "$1" protoc-gen-js "$js/generator/js_generator.cc" "$js/generator/well_known_types_embed.cc" \
    "$js/generator/protoc-gen-js.cc" -- -I"$js" -I"$src/protobuf-21.12-headers"
  "$1" protoc-gen-grpc-web "$src/grpc-web-1.5.0/javascript/net/grpc/web/generator/grpc_generator.cc" --
  # protoc's own Python generators as plugins (our small mains, not third_party).
  "$1" protoc-gen-python "$py/protoc-gen-python.cc" "$py/builtin_main.h" --
  "$1" protoc-gen-pyi "$py/protoc-gen-pyi.cc" "$py/builtin_main.h" --
}
# Every source first: a missing one stops the script before anything is compiled.
each need
each build
