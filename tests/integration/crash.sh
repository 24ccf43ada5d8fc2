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
  # Every kill expires the leases of what the run had claimed, and each expiry
  # counts as an attempt: the kills are ours, not the generations' fault, so the
  # runs here allow many attempts.
  local n=90 kills=${CRASH_KILLS:-25} k
  export REMOTEGEN_LEASE_MS=1500 REMOTEGEN_RETRY_BASE_MS=50
  crash_setup $n
  declare -A where=()
  for k in $(seq 1 "$kills"); do
    "$REMOTEGEN" run --once --workers 2 --publishers 2 --max-attempts 1000 --log-level debug >"$TMP/k$k.out" 2>"$TMP/k$k.err" &
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
  rg run --once --workers 2 --max-attempts 1000
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
    "$REMOTEGEN" run --once --max-attempts 1000 >/dev/null 2>&1
  ) || { dropdb "$ref_db"; fail "reference run failed"; }
  dropdb "$ref_db"
  local zips=0 f
  while read -r f; do
    cmp "$STORE_DIR/$f" "$TMP/refstore/$f" || fail "$f differs from the uninterrupted run"
    zips=$((zips + 1))
  done < <(cd "$STORE_DIR" && find . -name '*.zip' -o -name '*.mod' | sed 's|^\./||')
  [ "$zips" = $((2 * n)) ] || fail "compared $zips files, want $((2 * n))"
}

# Text from outside that is not UTF-8 (plugin stderr) is stored and shown clean,
# and the generation fails within its attempts: it used to loop forever.
test_non_utf8_plugin_error_fails_the_generation_and_run_once_exits() {
  rg migrate
  printf '#!/bin/sh\nprintf '"'"'bad \\377 \\033[2J\\033]0;pwned\\007 end\\n'"'"' >&2\nexit 1\n' >"$TMP/badbytes"
  chmod 755 "$TMP/badbytes"
  rg plugin add acme/bad v1 --exec "$TMP/badbytes" --runtime exec
  rg template create acme/bad --plugin acme/bad
  rg template version acme/bad --plugin acme/bad:v1
  rg module push acme/weather "$ROOT/ops/example"
  set +e
  REMOTEGEN_LEASE_MS=3000 REMOTEGEN_RETRY_BASE_MS=0 timeout 30 "$REMOTEGEN" run --once --max-attempts 2 \
    >"$TMP/run.out" 2>"$TMP/run.err"
  local rc=$?
  set -e
  assert_eq 1 "$rc" "run --once exit status (stderr: $(tail -c 800 "$TMP/run.err"))"
  if grep -q 'record_outcome_failed' "$TMP/run.err"; then fail "an outcome was not recorded: $(grep record_outcome "$TMP/run.err")"; fi
  assert_eq "failed|2" "$(sql "SELECT state || '|' || attempts FROM generations")" "the generation"
  local e
  e=$(sql "SELECT last_error FROM generations")
  case $e in *'bad \xff \x1b[2J\x1b]0;pwned\x07 end'*) ;; *) fail "stored error: $e" ;; esac
  rg status
  if grep -q $'\033' "$OUT"; then fail "status prints an escape sequence: $(cat -v "$OUT")"; fi
  assert_out_has 'bad \xff \x1b[2J'
  rg generation show "$(sql "SELECT id FROM generations")"
  if grep -q $'\033' "$OUT"; then fail "generation show prints an escape sequence: $(cat -v "$OUT")"; fi
}

# A plugin that kills the process running it: every attempt ends with an expired
# lease; the reaper counts them and fails the generation after --max-attempts.
test_a_job_that_kills_its_process_fails_after_max_attempts() {
  rg migrate
  printf '#!/bin/sh\nkill -9 $PPID\nsleep 5\n' >"$TMP/killer"
  chmod 755 "$TMP/killer"
  rg plugin add acme/killer v1 --exec "$TMP/killer" --runtime exec
  rg template create acme/killer --plugin acme/killer
  rg template version acme/killer --plugin acme/killer:v1
  rg module push acme/weather "$ROOT/ops/example"
  local runs=0 rc=137
  while [ "$rc" = 137 ] && [ "$runs" -lt 6 ]; do
    runs=$((runs + 1))
    set +e
    REMOTEGEN_LEASE_MS=1000 REMOTEGEN_RETRY_BASE_MS=0 timeout 30 "$REMOTEGEN" run --once --max-attempts 2 \
      >"$TMP/k$runs.out" 2>"$TMP/k$runs.err"
    rc=$?
    set -e
  done
  assert_eq 1 "$rc" "the last run's exit status (after $runs runs: $(tail -c 600 "$TMP/k$runs.err"))"
  assert_eq 3 "$runs" "runs: two killed, the third fails the generation"
  assert_eq "failed|2" "$(sql "SELECT state || '|' || attempts FROM generations")" "the generation"
  grep -q 'event=failed generation=1 .* failure=lease_expired reason="lease expired 2 times' "$TMP/k3.err" ||
    fail "no failed line: $(cat "$TMP/k3.err")"
  assert_eq "lease_expired,lease_expired" \
    "$(sql "SELECT string_agg(outcome, ',' ORDER BY id) FROM generation_attempts")" "attempt history"
}
