#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what is missing (Debian
# packages, npm packages from the lock file), then `make check`: style
# checks, gcc and clang builds with -Werror, and all unit, integration and
# end-to-end tests (real PostgreSQL, nginx, protoc plugins and the go
# command) under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash ops/install-deps.sh
make -j"$(nproc)" check
