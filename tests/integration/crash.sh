# Crash safety: `run --once` killed with SIGKILL at random moments, many
# times; then one more run finishes the work. Everything is published exactly
# once, the store passes verify, and every zip is byte-identical to a run that
# was never interrupted.

crash_setup() {
  # crash_setup: registrations and N modules in the current database.
  rg migrate
  rg plugin add protocolbuffers/go v1.28.1 --exec /usr/bin/protoc-gen-go \
    --go-dep google.golang.org/protobuf@v1.28.1 --runtime exec
  rg plugin add acme/slow v1 --exec "$TOOLS/testplugin" --runtime exec
  rg template create acme/crashy --plugin protocolbuffers/go --plugin acme/slow=sleep=120
  rg template version acme/crashy --plugin protocolbuffers/go:v1.28.1 --plugin acme/slow:v1
  local i
  for i in $(seq 1 "$1"); do
    mkdir -p "$TMP/src$i/acme/c$i/v1"
    printf 'syntax = "proto3";\npackage acme.c%d.v1;\nmessage C%d { string id = 1; int64 n = 2; }\n' "$i" "$i" \
      >"$TMP/src$i/acme/c$i/v1/c.proto"
    rg module push "acme/c$i" "$TMP/src$i"
    assert_rc 0
  done
}

test_kill_9_at_random_moments() {
  local n=90 kills=${CRASH_KILLS:-25} k
  export REMOTEGEN_LEASE_MS=1500 REMOTEGEN_RETRY_BASE_MS=50
  crash_setup $n
  declare -A where=()
  for k in $(seq 1 "$kills"); do
    "$REMOTEGEN" run --once --workers 2 --publishers 2 --log-level debug >"$TMP/k$k.out" 2>"$TMP/k$k.err" &
    local pid=$!
    sleep "0.$(( RANDOM % 7 + 2 ))$(( RANDOM % 10 ))"
    kill -9 $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    local last
    last=$(grep -o 'event=[a-z_]*' "$TMP/k$k.err" | tail -n 1 | cut -d= -f2)
    where[${last:-starting}]=$(( ${where[${last:-starting}]:-0} + 1 ))
  done
  local published_before
  published_before=$(sql "SELECT count(*) FROM generations WHERE state = 'published'")
  rg run --once --workers 2
  assert_rc 0
  assert_eq $n "$(sql "SELECT count(*) FROM generations WHERE state = 'published'")" "published"
  assert_eq $n "$(sql "SELECT count(*) FROM generations")" "generations"
  rg verify
  assert_rc 0
  local summary="" w
  for w in "${!where[@]}"; do summary="$summary $w=${where[$w]}"; done
  echo "note: crash safety: $kills kills (last event before each kill:$summary); $published_before/$n published before the final run; verify clean"

  # A run that was never interrupted, in its own database and store.
  local ref_db="${TEST_DB}_ref"
  createdb "$ref_db"
  (
    export REMOTEGEN_DATABASE_URL="host=127.0.0.1 port=$PGPORT user=postgres dbname=$ref_db"
    export REMOTEGEN_STORE="file://$TMP/refstore"
    crash_setup $n >/dev/null
    "$REMOTEGEN" run --once >/dev/null 2>&1
  ) || { dropdb "$ref_db"; fail "reference run failed"; }
  dropdb "$ref_db"
  local zips=0 f
  while read -r f; do
    cmp "$STORE_DIR/$f" "$TMP/refstore/$f" || fail "$f differs from the uninterrupted run"
    zips=$((zips + 1))
  done < <(cd "$STORE_DIR" && find . -name '*.zip' -o -name '*.mod' | sed 's|^\./||')
  [ "$zips" = $((2 * n)) ] || fail "compared $zips files, want $((2 * n))"
}
