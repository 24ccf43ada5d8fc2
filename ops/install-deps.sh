#!/usr/bin/env bash
# Installs everything remotegen's build, quick start and tests need on a fresh
# Debian 12 machine. Idempotent: installs only what is missing. Run as root
# (or with sudo); as another user it only reports what is missing.
set -euo pipefail

PACKAGES=(
  # build
  build-essential clang clang-format pkg-config libtsan2
  # g++ builds protoc-gen-js and protoc-gen-grpc-web against libprotoc-dev (ops/build-plugins.sh)
  g++
  # make fuzz: libFuzzer's runtime (clang only recommends it; installs here skip recommends)
  libclang-rt-14-dev
  libpq-dev libprotobuf-c-dev protobuf-c-compiler libck-dev libzip-dev
  libcurl4-openssl-dev libssl-dev libicu-dev libjansson-dev libarchive-dev
  # protoc, plugin.proto/descriptor.proto, real plugins
  protobuf-compiler libprotobuf-dev libprotoc-dev protoc-gen-go protoc-gen-go-grpc
  # services and clients the tests use
  postgresql postgresql-client nginx-light libnginx-mod-http-cache-purge
  golang-go golang-google-protobuf-dev golang-google-grpc-dev golang-golang-x-mod-dev
  bubblewrap
  # the oci plugin runtime (tests run containers as root with runc)
  podman runc
  # test tools
  unzip zip curl ca-certificates procps jq openssl
  # the grpc/web browser test: headless Chromium (puppeteer-core drives it)
  chromium
  # Python: grpc_python_plugin (grpc/python), and pip, venv, protobuf, grpcio and
  # mypy as the Python tests' consumers use them (PyPI is not reachable here)
  protobuf-compiler-grpc python3-pip python3-venv python3-protobuf python3-grpcio python3-mypy
  # the units' test: systemd-analyze, systemd-sysusers; unshare, setpriv, mount
  systemd util-linux mount
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages present"
else
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages (run as root): ${missing[*]}" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Debian postgresql package starts a system cluster on port 5432; remotegen
# never uses it (tests and the quick start run private clusters), so leave it.

# npm packages (test servers and corpora), from the committed lock file.
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$here/package-lock.json" ]; then
  if [ ! -d "$here/node_modules" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
