#!/usr/bin/env bash
# Runs every test: unit tests, then integration and end-to-end tests against
# a private PostgreSQL cluster (started here, stopped by its pid on exit) and,
# where a test needs it, nginx and the go command.
#   REMOTEGEN_BUILD=build/san bash tests/run-all.sh    (what `make check` does)
#   bash tests/run-all.sh tests/integration/cli.sh     (one file)
# Ends with "N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${REMOTEGEN_BUILD:-build/rel}
export REMOTEGEN="$ROOT/$BUILD/remotegen"
export TOOLS="$ROOT/build/rel/tests/tools"   # never sanitized (see Makefile)
export ROOT
# A leak or memory error exits 86, so that no test expecting status 1 or 2 mistakes it for one.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

[ -x "$REMOTEGEN" ] || { echo "missing $REMOTEGEN: build first (make check does)" >&2; exit 2; }
[ -x "$TOOLS/testplugin" ] || { echo "missing $TOOLS: run 'make tools'" >&2; exit 2; }

RUN_TMP=$(mktemp -d /tmp/remotegen-tests.XXXXXX)
chmod 755 "$RUN_TMP"
export RUN_TMP
. "$ROOT/ops/pg.sh"

cleanup() {
  pg_stop "$RUN_TMP/pg"
  if [ -n "${KEEP_TMP:-}" ]; then echo "kept $RUN_TMP"; else rm -rf "$RUN_TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
skipped=0
failed_names=()

# Unit tests.
unit_bins=$(ls "$ROOT/$BUILD"/tests/test_* 2>/dev/null)
if [ $# -eq 0 ] && [ -n "$unit_bins" ]; then
  echo "== unit tests ($BUILD)"
  for t in $unit_bins; do
    out=$("$t" 2>&1)
    rc=$?
    line=$(printf '%s\n' "$out" | tail -n 1)
    p=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -z "$p" ] || [ "$rc" != 0 ]; then
      printf '%s\n' "$out" | grep -v '^ok' | tail -n 30
      echo "not ok - unit $(basename "$t") (exit $rc)"
      failed=$((failed + 1))
      failed_names+=("unit:$(basename "$t")")
    else
      echo "ok - unit $(basename "$t"): $p checks"
      passed=$((passed + 1))
    fi
  done
fi

echo "== starting PostgreSQL"
if ! pg_start "$RUN_TMP/pg"; then
  echo "0 passed, 1 failed"
  exit 1
fi
echo "PostgreSQL on 127.0.0.1:$PGPORT"

files=()
for f in "$@"; do files+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"); done
if [ ${#files[@]} -eq 0 ]; then
  files=("$ROOT"/tests/integration/*.sh "$ROOT"/tests/e2e/*.sh)
fi

n=0
for file in "${files[@]}"; do
  echo "== $(basename "$(dirname "$file")")/$(basename "$file")"
  tests=$(bash -c ". '$ROOT/tests/lib/harness.sh'; . '$file'; declare -F" | awk '{print $3}' | grep '^test_' || true)
  for t in $tests; do
    n=$((n + 1))
    export TEST_DB="test_$n"
    export TMP="$RUN_TMP/t$n"
    export STORE_DIR="$TMP/store"
    mkdir -p "$TMP"
    chmod 755 "$TMP"
    createdb "$TEST_DB" || { echo "not ok - $t (createdb failed)"; failed=$((failed + 1)); continue; }
    export REMOTEGEN_DATABASE_URL="host=127.0.0.1 port=$PGPORT user=postgres dbname=$TEST_DB"
    export REMOTEGEN_STORE="file://$STORE_DIR"
    export REMOTEGEN_GO_PREFIX="gen.example.com/go"
    start=$(date +%s)
    # Each test runs in its own bash, stopped after TEST_TIMEOUT seconds (default 600).
    timeout --kill-after=10 "${TEST_TIMEOUT:-600}" bash -c '
      set -eE -o pipefail
      trap "echo \"    FAIL: command failed at $(basename "$1"):\$LINENO: \$BASH_COMMAND\" >&2" ERR
      cd "$TMP"
      . "$ROOT/tests/lib/harness.sh"
      . "$1"
      "$2"
    ' test "$file" "$t" >"$TMP/test.log" 2>&1
    rc=$?
    [ $rc = 124 ] && echo "    FAIL: timed out after ${TEST_TIMEOUT:-600}s" >>"$TMP/test.log"
    secs=$(( $(date +%s) - start ))
    if [ $rc = 0 ] && [ -f "$TMP/skipped" ]; then
      echo "ok - $(basename "$file" .sh):$t # SKIP $(cat "$TMP/skipped")"
      skipped=$((skipped + 1))
    elif [ $rc = 0 ]; then
      echo "ok - $(basename "$file" .sh):$t (${secs}s)"
      grep '^note: ' "$TMP/test.log" | sed 's/^/    /' || true
      passed=$((passed + 1))
    else
      echo "not ok - $(basename "$file" .sh):$t (${secs}s)"
      sed 's/^/    /' "$TMP/test.log" | tail -n 40
      if [ -f "$TMP/all.err" ]; then echo "    -- remotegen stderr (tail):"; tail -n 15 "$TMP/all.err" | sed 's/^/    /'; fi
      failed=$((failed + 1))
      failed_names+=("$(basename "$file" .sh):$t")
    fi
    dropdb --if-exists "$TEST_DB" >/dev/null 2>&1 || true
  done
done

echo
if [ $failed -gt 0 ]; then
  echo "failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
