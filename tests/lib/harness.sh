# Test harness: sourced by tests/run-all.sh before each test file. Gives
# each test function a fresh database and temporary directory, and the
# helpers below. A test fails through `fail` (or any failing command: tests
# run with errexit).
#
#   rg ARGS...            runs remotegen; sets RC, OUT (stdout file), ERR (stderr file)
#   assert_rc N           the last rg exited N
#   assert_out_has TEXT   stdout of the last rg contains TEXT
#   assert_err_has TEXT   stderr of the last rg contains TEXT
#   assert_eq WANT GOT [WHAT]
#   assert_file PATH / assert_no_file PATH
#   sql QUERY             one psql query on the test database, unaligned output
#   setup_go_template     registers protoc-gen-go as protocolbuffers/go and template v1
#   publish_example       migrate, setup_go_template, push ops/example as acme/weather, run --once
#   push_example_with NAME FIELD
#                         pushes acme/weather again from $TMP/src2 (a copy of ops/example,
#                         made on first use) with one more "message NAME { string FIELD = 1; }"

. "$ROOT/ops/pg.sh"   # pg_free_port, for servers a test starts

fail() {
  echo "    FAIL: $*" >&2
  exit 1
}

# Ends the test as skipped, with the reason printed by the runner.
skip() {
  echo "$*" >"$TMP/skipped"
  exit 0
}

rg() {
  OUT="$TMP/rg.out"
  ERR="$TMP/rg.err"
  set +e
  "$REMOTEGEN" "$@" >"$OUT" 2>"$ERR"
  RC=$?
  set -e
  cat "$OUT" >>"$TMP/all.out"
  cat "$ERR" >>"$TMP/all.err"
}

assert_rc() {
  [ "$RC" = "$1" ] || fail "remotegen exited $RC, want $1; stderr: $(tail -c 1500 "$ERR")"
}

assert_out_has() {
  grep -qF -- "$1" "$OUT" || fail "stdout lacks \"$1\"; stdout: $(head -c 1500 "$OUT")"
}

assert_err_has() {
  grep -qF -- "$1" "$ERR" || fail "stderr lacks \"$1\"; stderr: $(tail -c 1500 "$ERR")"
}

assert_eq() {
  [ "$1" = "$2" ] || fail "${3:-value}: want \"$1\", got \"$2\""
}

assert_file() {
  [ -f "$1" ] || fail "missing file $1"
}

assert_no_file() {
  [ ! -e "$1" ] || fail "unexpected file $1"
}

sql() {
  psql -X -q -At -v ON_ERROR_STOP=1 -d "$TEST_DB" -c "$1"
}

# start_service [FLAGS...]: `remotegen run FLAGS` (service mode) in the background,
# logging to $TMP/svc.out and $TMP/svc.err; SVC_PID is killed by pid when the test ends.
# Environment for it goes before the call: REMOTEGEN_POLL_MS=200 start_service.
start_service() {
  "$REMOTEGEN" run "$@" >"$TMP/svc.out" 2>"$TMP/svc.err" &
  SVC_PID=$!
  trap "kill -9 $SVC_PID 2>/dev/null || true" EXIT
}

# wait_for_event EVENT: waits up to 10 s for event=EVENT in the service's log.
wait_for_event() {
  for _ in $(seq 1 100); do
    grep -q "event=$1" "$TMP/svc.err" && return 0
    sleep 0.1
  done
  fail "no event=$1 in 10 s: $(tail -c 1500 "$TMP/svc.err")"
}

# wait_for_sql QUERY WANT [TENTHS]: waits (default 15 s) until the query answers WANT.
wait_for_sql() {
  for _ in $(seq 1 "${3:-150}"); do
    [ "$(sql "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  fail "waited for \"$1\" to be $2; it is $(sql "$1")"
}

# stop_service: SIGTERM, then the service must exit 0.
stop_service() {
  kill -TERM "$SVC_PID"
  wait "$SVC_PID" || fail "remotegen run exited $? after SIGTERM"
  cat "$TMP/svc.err" >>"$TMP/all.err"
}

# assert_headers URL TYPE [CACHE]: the response's Content-Type (and Cache-Control).
assert_headers() {
  curl -s -D "$TMP/headers" -o /dev/null "$1"
  grep -qi "^content-type: $2"$'\r'"\?$" "$TMP/headers" || fail "$1: want Content-Type $2: $(cat "$TMP/headers")"
  [ -z "${3:-}" ] || grep -qi "^cache-control: $3"$'\r'"\?$" "$TMP/headers" ||
    fail "$1: want Cache-Control $3: $(cat "$TMP/headers")"
}

GO_PLUGIN_VERSION=v1.28.1
setup_go_template() {
  rg plugin add protocolbuffers/go "$GO_PLUGIN_VERSION" --exec /usr/bin/protoc-gen-go \
    --go-dep google.golang.org/protobuf@v1.28.1 --go-min-version 1.19
  assert_rc 0
  rg template create protocolbuffers/go --plugin protocolbuffers/go
  assert_rc 0
  rg template version protocolbuffers/go --plugin "protocolbuffers/go:$GO_PLUGIN_VERSION"
  assert_rc 0
}

publish_example() {
  rg migrate
  setup_go_template
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once
  assert_rc 0
}

# The store directory of a test and the key path of the example module.
store_module_dir() {
  echo "$STORE_DIR/gen.example.com/go/protocolbuffers/go/$1"
}

push_example_with() {
  [ -d "$TMP/src2" ] || cp -r "$ROOT/ops/example" "$TMP/src2"
  printf 'message %s { string %s = 1; }\n' "$1" "$2" >>"$TMP/src2/acme/weather/v1/weather.proto"
  rg module push acme/weather "$TMP/src2"
}
