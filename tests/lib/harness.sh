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

# The store directory of a test and the key path of the example module.
store_module_dir() {
  echo "$STORE_DIR/gen.example.com/go/protocolbuffers/go/$1"
}
