# Plugin execution: several plugins with insertion points (against protoc),
# hostile plugins, sandboxes, the oci runtime and clean shutdown.

# add_plugin_template NAME PARAMETER [plugin add flags...]: plugin acme/NAME v1 (testplugin)
# and a one-plugin template acme/NAME v1 with that parameter.
add_plugin_template() {
  local name=$1 param=$2
  shift 2
  rg plugin add "acme/$name" v1 --exec "$TOOLS/testplugin" "$@"
  assert_rc 0
  rg template create "acme/$name" --plugin "acme/$name=$param"
  assert_rc 0
  rg template version "acme/$name" --plugin "acme/$name:v1"
  assert_rc 0
}

# The last error of the generation of template acme/NAME.
error_of() {
  sql "SELECT g.state || ': ' || coalesce(g.last_error, '') FROM generations g
       JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id
       WHERE t.name = '$1' ORDER BY g.id LIMIT 1"
}

test_insertion_points_across_plugins_match_protoc() {
  rg migrate
  rg plugin add acme/points v1 --exec "$TOOLS/testplugin"
  rg plugin add acme/insert v1 --exec "$TOOLS/testplugin"
  rg template create acme/two --plugin acme/points=points --plugin acme/insert=insert
  rg template version acme/two --plugin acme/points:v1 --plugin acme/insert:v1
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once
  assert_rc 0
  local mod=gen.example.com/go/acme/two/acme/weather
  mkdir -p "$TMP/ours" "$TMP/theirs"
  (cd "$TMP/ours" && unzip -q "$STORE_DIR/$mod/@v/v1.1.1.zip")
  (cd "$ROOT/ops/example" && protoc --plugin=protoc-gen-points="$TOOLS/testplugin" --points_out=points:"$TMP/theirs" \
     --plugin=protoc-gen-insert="$TOOLS/testplugin" --insert_out=insert:"$TMP/theirs" acme/weather/v1/weather.proto)
  diff -r "$TMP/theirs" "$TMP/ours/$mod@v1.1.1" -x go.mod >"$TMP/diff" || fail "differs from protoc: $(cat "$TMP/diff")"
  grep -q '^  int inserted_a;$' "$TMP/ours/$mod@v1.1.1/acme/weather/v1/weather.proto.gen.txt" || fail "insertion missing"
}

test_hostile_plugins_are_stopped_and_healthy_work_publishes() {
  rg migrate
  add_plugin_template healthy ""
  add_plugin_template hang hang --timeout 2s
  add_plugin_template flood flood --max-output 1M
  add_plugin_template floodstderr flood-stderr --timeout 2s
  add_plugin_template forker "fork,pidfile=$TMP/child.pid" --runtime exec
  add_plugin_template forkbwrap fork
  add_plugin_template eatmem eatmem --memory 64M
  add_plugin_template crash crash
  add_plugin_template garbage garbage
  add_plugin_template failing error
  add_plugin_template dotdot "badpath=../escape.go"
  add_plugin_template absolute "badpath=/etc/evil.go"
  add_plugin_template backslash 'badpath=a\b.go'
  add_plugin_template emptyname "badpath="
  add_plugin_template dotslash "badpath=a/./b.go"
  add_plugin_template leadingdot "files=./x/lead.txt"
  add_plugin_template dup dup
  add_plugin_template nowhere insert-missing
  add_plugin_template closestdin closestdin
  rg module push acme/weather "$ROOT/ops/example"

  # One publisher: publishers connect to the database when they first publish.
  REMOTEGEN_RETRY_BASE_MS=100 REMOTEGEN_POLL_MS=100 start_service --workers 4 --publishers 1 --max-attempts 2
  local pid=$SVC_PID
  wait_for_event run_started
  wait_idle() {
    for _ in $(seq 1 300); do
      [ "$(sql "SELECT count(*) FROM generations WHERE state IN ('pending', 'running')")" = 0 ] && \
        [ "$(sql "SELECT count(*) FROM generations")" -ge "$1" ] && return 0
      sleep 0.2
    done
    fail "the service did not finish its work"
  }
  wait_idle 19
  local fds_first fds_second
  fds_first=$(ls /proc/$pid/fd | wc -l)
  # A second round of the same hostile work leaks no file descriptor.
  push_example_with Again x
  wait_idle 38
  # Work may still be winding down (index writes) when the database says idle: a leak
  # never goes away, a file being written does.
  for _ in $(seq 1 50); do
    fds_second=$(ls /proc/$pid/fd | wc -l)
    [ "$fds_second" = "$fds_first" ] && break
    sleep 0.1
  done
  [ "$fds_second" = "$fds_first" ] || ls -l /proc/$pid/fd >&2
  stop_service
  assert_eq "$fds_first" "$fds_second" "open file descriptors of remotegen after a second round"

  assert_eq "published: " "$(error_of healthy)" "healthy"
  assert_file "$STORE_DIR/gen.example.com/go/acme/healthy/acme/weather/@v/v1.1.1.zip"
  case "$(error_of hang)" in *"killed after the 2000 ms time limit"*) ;; *) fail "hang: $(error_of hang)" ;; esac
  case "$(error_of flood)" in "failed: "*"killed for writing more than 1048576 bytes to stdout"*) ;; *) fail "flood: $(error_of flood)" ;; esac
  case "$(error_of floodstderr)" in *"killed after the 2000 ms time limit"*) ;; *) fail "flood-stderr: $(error_of floodstderr)" ;; esac
  case "$(error_of eatmem)" in *"killed by signal 6"*"out of memory"*) ;; *) fail "eatmem: $(error_of eatmem)" ;; esac
  case "$(error_of crash)" in *"killed by signal 6 (Aborted)"*) ;; *) fail "crash: $(error_of crash)" ;; esac
  case "$(error_of garbage)" in "failed: plugin acme/garbage:v1: its output is not a valid CodeGeneratorResponse"*) ;; *) fail "garbage: $(error_of garbage)" ;; esac
  case "$(error_of failing)" in "failed: plugin acme/failing:v1: testplugin: failing as asked"*) ;; *) fail "error: $(error_of failing)" ;; esac
  assert_eq 'failed: plugin acme/dotdot:v1: file "../escape.go": the file name holds a '"'..'"' element' "$(error_of dotdot)" "dotdot"
  assert_eq 'failed: plugin acme/absolute:v1: file "/etc/evil.go": the file name is absolute' "$(error_of absolute)" "absolute"
  assert_eq 'failed: plugin acme/backslash:v1: file "a\b.go": the file name holds a backslash' "$(error_of backslash)" "backslash"
  assert_eq 'failed: plugin acme/dup:v1: file same.txt: the plugin produced the file twice' "$(error_of dup)" "dup"
  assert_eq 'failed: plugin acme/emptyname:v1: file #1: the file name is empty' "$(error_of emptyname)" "empty name"
  assert_eq 'failed: plugin acme/dotslash:v1: file "a/./b.go": the file name is not normalized' "$(error_of dotslash)" "a/./b.go"
  # A leading "./" is the output directory itself, as protoc writes it (protoc-gen-js names files so).
  assert_eq "published: " "$(error_of leadingdot)" "leading ./"
  unzip -Z1 "$STORE_DIR/gen.example.com/go/acme/leadingdot/acme/weather/@v/v1.1.1.zip" | grep -q '@v1.1.1/x/lead.txt$' ||
    fail "./x/lead.txt is not x/lead.txt in the zip"
  assert_eq 'failed: plugin acme/nowhere:v1: file nobody/made/this.go: insertion point imports targets a file that no earlier plugin or file produced' "$(error_of nowhere)" "insert-missing"
  assert_eq "published: " "$(error_of closestdin)" "closestdin"
  # The forked children died with their plugin.
  assert_eq "published: " "$(error_of forker)" "forker"
  assert_eq "published: " "$(error_of forkbwrap)" "forkbwrap"
  local child
  child=$(cat "$TMP/child.pid")
  [ -n "$child" ] && ! kill -0 "$child" 2>/dev/null || fail "the plugin's child $child is still alive"
  if ps -eo args | grep -v grep | grep -q "^$TOOLS/testplugin"; then fail "plugin processes left: $(ps -eo pid,args | grep testplugin)"; fi
  # Nothing of a failed generation was published.
  for t in hang flood floodstderr eatmem crash garbage failing dotdot absolute backslash emptyname dotslash dup nowhere; do
    assert_no_file "$STORE_DIR/gen.example.com/go/acme/$t"
  done
}

test_sandbox_denies_files_network_and_writes() {
  rg migrate
  add_plugin_template probebwrap "probe,connect=$PGPORT,write=$TMP/escaped-bwrap"
  add_plugin_template probeexec "probe,connect=$PGPORT,write=$TMP/escaped-exec" --runtime exec
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once
  assert_rc 0
  local z=gen.example.com/go/acme/probebwrap/acme/weather
  unzip -p "$STORE_DIR/$z/@v/v1.1.1.zip" "$z@v1.1.1/probe.txt" >"$TMP/bwrap.txt"
  grep -q '^shadow: denied' "$TMP/bwrap.txt" || fail "bwrap: $(cat "$TMP/bwrap.txt")"
  grep -q '^connect: denied' "$TMP/bwrap.txt" || fail "bwrap: $(cat "$TMP/bwrap.txt")"
  grep -q '^write: denied' "$TMP/bwrap.txt" || fail "bwrap: $(cat "$TMP/bwrap.txt")"
  assert_no_file "$TMP/escaped-bwrap"
  # The same probe without a sandbox gets through: the probe itself works.
  z=gen.example.com/go/acme/probeexec/acme/weather
  unzip -p "$STORE_DIR/$z/@v/v1.1.1.zip" "$z@v1.1.1/probe.txt" >"$TMP/exec.txt"
  grep -q '^connect: CONNECTED' "$TMP/exec.txt" || fail "exec: $(cat "$TMP/exec.txt")"
  grep -q '^write: WROTE' "$TMP/exec.txt" || fail "exec: $(cat "$TMP/exec.txt")"
  if [ "$(id -u)" = 0 ]; then grep -q '^shadow: READ' "$TMP/exec.txt" || fail "exec: $(cat "$TMP/exec.txt")"; fi
}

test_sigterm_finishes_claimed_work() {
  rg migrate
  add_plugin_template slow "sleep=1500"
  rg module push acme/weather "$ROOT/ops/example"
  start_service
  wait_for_event claimed
  stop_service
  grep -q event=published "$TMP/svc.err" || fail "claimed work was not finished: $(cat "$TMP/svc.err")"
  assert_eq published "$(sql "SELECT state FROM generations")" "state"
  assert_file "$STORE_DIR/gen.example.com/go/acme/slow/acme/weather/@v/list"
}

test_second_sigterm_hands_work_back() {
  rg migrate
  add_plugin_template glacial "sleep=60000" --timeout 5m
  rg module push acme/weather "$ROOT/ops/example"
  start_service
  local pid=$SVC_PID
  wait_for_event claimed
  kill -TERM $pid
  sleep 0.5
  kill -0 $pid || fail "stopped before the second signal (the plugin sleeps 60 s)"
  kill -TERM $pid
  local waited=0
  while kill -0 $pid 2>/dev/null && [ $waited -lt 300 ]; do sleep 0.1; waited=$((waited + 1)); done
  kill -0 $pid 2>/dev/null && fail "still running 30 s after the second SIGTERM"
  wait $pid || fail "exited $?"
  cat "$TMP/svc.err" >>"$TMP/all.err"
  grep -q event=handed_back "$TMP/svc.err" || fail "not handed back: $(cat "$TMP/svc.err")"
  assert_eq "pending|0" "$(sql "SELECT state || '|' || attempts FROM generations")" "generation"
  case "$(sql "SELECT last_error FROM generations")" in *"shutting down"*) ;; *) fail "last error: $(sql "SELECT last_error FROM generations")" ;; esac
  assert_no_file "$STORE_DIR/gen.example.com/go/acme/glacial"
  if ps -eo args | grep -v grep | grep -q "^$TOOLS/testplugin"; then fail "plugin left running"; fi
}

test_vanished_executable_fails_at_once() {
  rg migrate
  cp "$TOOLS/testplugin" "$TMP/gone-plugin"
  for rt in exec bwrap; do
    rg plugin add "acme/gone-$rt" v1 --exec "$TMP/gone-plugin" --runtime "$rt"
    rg template create "acme/gone-$rt" --plugin "acme/gone-$rt"
    rg template version "acme/gone-$rt" --plugin "acme/gone-$rt:v1"
  done
  rm "$TMP/gone-plugin"
  rg module push acme/weather "$ROOT/ops/example"
  # An operator's mistake, not a crash: failed at the first attempt, naming the path.
  REMOTEGEN_RETRY_BASE_MS=10 rg run --once --max-attempts 5
  assert_rc 1
  for rt in exec bwrap; do
    case "$(error_of "gone-$rt")" in
      "failed: plugin acme/gone-$rt:v1: executable $TMP/gone-plugin is gone"*) ;;
      *) fail "$rt: $(error_of "gone-$rt")" ;;
    esac
  done
  assert_eq "1 1" "$(sql "SELECT string_agg(attempts::text, ' ' ORDER BY id) FROM generations")" "attempts"
  # The binary moved: point the plugin version at it (identity and outputs unchanged), retry.
  mkdir -p "$TMP/moved"
  cp "$TOOLS/testplugin" "$TMP/moved/plugin"
  rg plugin move acme/gone-exec v1 --exec "$TMP/nowhere"
  assert_rc 2
  assert_err_has "$TMP/nowhere is not an executable file"
  rg plugin move acme/gone-exec v9 --exec "$TMP/moved/plugin"
  assert_rc 2
  assert_err_has "plugin acme/gone-exec v9: no such plugin version"
  rg plugin move acme/gone-exec v1 --image localhost/x:1
  assert_rc 2
  assert_err_has "runtime exec needs --exec PATH"
  rg plugin move acme/gone-exec v1 --exec "$TMP/moved/plugin"
  assert_rc 0
  assert_out_has "plugin acme/gone-exec v1: $TMP/gone-plugin -> $TMP/moved/plugin"
  assert_eq "$TMP/gone-plugin -> $TMP/moved/plugin" \
    "$(sql "SELECT old_location || ' -> ' || new_location FROM plugin_version_moves")" "the move is recorded"
  rg plugin list --json
  assert_eq "$TMP/moved/plugin" "$(jq -r '.plugins[] | select(.plugin == "acme/gone-exec") | .executable' "$OUT")" "listed"
  rg retry --template acme/gone-exec
  rg run --once
  assert_eq "published: " "$(error_of gone-exec)" "after the move"
}

# Runtime exec: a plugin that leaves a setsid child holding its stdout and
# stderr. The run used to wait as long as the child lived (timeout, SIGTERM and
# lease ignored); now the pipes get SUBPROC_DRAIN_MS after the plugin exits,
# then whatever holds them is killed.
escaping_plugin() {
  printf '#!/bin/sh\nsetsid sh -c '"'"'echo $$ >%s; exec sleep 60'"'"' &\nsleep 0.3\nexec %s\n' \
    "$TMP/escaped.pid" "$TOOLS/testplugin" >"$TMP/escaper"
  chmod 755 "$TMP/escaper"
  rg plugin add acme/escaper v1 --exec "$TMP/escaper" --runtime exec --timeout 30s
  rg template create acme/escaper --plugin acme/escaper
  rg template version acme/escaper --plugin acme/escaper:v1
  rg module push acme/weather "$ROOT/ops/example"
}

# 0 when process $1 runs (a zombie nobody reaped yet does not count).
runs() {
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$st" != Z ]
}

test_exec_plugin_whose_child_holds_its_output_is_stopped() {
  rg migrate
  escaping_plugin
  local t0 t1
  t0=$(date +%s)
  set +e
  timeout 60 "$REMOTEGEN" run --once --max-attempts 1 >"$TMP/run.out" 2>"$TMP/run.err"
  local rc=$?
  set -e
  t1=$(date +%s)
  assert_eq 1 "$rc" "exit status (stderr: $(tail -c 800 "$TMP/run.err"))"
  [ $((t1 - t0)) -lt 20 ] || fail "took $((t1 - t0)) s: the run waited for the escaped child"
  grep -q 'held its output open' "$TMP/run.err" || fail "no reason: $(cat "$TMP/run.err")"
  local pid
  pid=$(cat "$TMP/escaped.pid")
  for _ in $(seq 1 20); do runs "$pid" || break; sleep 0.1; done
  if runs "$pid"; then
    kill -9 "$pid"
    fail "the escaped child $pid still runs"
  fi
  assert_eq "failed" "$(sql "SELECT state FROM generations")" "the generation"
}

test_sigterm_ends_a_run_whose_plugin_child_holds_its_output() {
  rg migrate
  escaping_plugin
  REMOTEGEN_POLL_MS=200 start_service --max-attempts 1
  wait_for_event claimed
  sleep 0.5  # the plugin has exited; its child holds the pipes
  kill -TERM "$SVC_PID"
  wait_for_event stop_requested
  kill -TERM "$SVC_PID"
  local rc=0 i t0
  t0=$(date +%s%N)
  for i in $(seq 1 50); do kill -0 "$SVC_PID" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$SVC_PID" 2>/dev/null && fail "the service still runs after two SIGTERMs: $(tail -c 600 "$TMP/svc.err")"
  wait "$SVC_PID" || rc=$?
  assert_eq 0 "$rc" "exit status"
  grep -q 'event=abort_requested' "$TMP/svc.err" || fail "no abort: $(cat "$TMP/svc.err")"
  # Handed back (an abort does not count the attempt), not failed.
  assert_eq "pending|0" "$(sql "SELECT state || '|' || attempts FROM generations")" "the generation"
  local pid
  pid=$(cat "$TMP/escaped.pid")
  for i in $(seq 1 20); do runs "$pid" || break; sleep 0.1; done
  if runs "$pid"; then kill -9 "$pid"; fail "the escaped child still runs"; fi
}

# The sandbox's /tmp is memory (tmpfs) that RLIMIT_AS does not count: it is
# bounded by the plugin's --memory.
test_bwrap_tmp_is_bounded_by_the_plugin_memory_limit() {
  rg migrate
  printf '#!/bin/sh\nif head -c 419430400 /dev/zero >/tmp/fill 2>/dev/null; then echo "wrote 400 MiB to /tmp" >&2\nelse echo "tmp refused after $(wc -c </tmp/fill) bytes" >&2; fi\nexit 1\n' >"$TMP/tmpfill"
  chmod 755 "$TMP/tmpfill"
  rg plugin add acme/tmpfill v1 --exec "$TMP/tmpfill" --memory 64M
  assert_rc 0
  rg template create acme/tmpfill --plugin acme/tmpfill
  rg template version acme/tmpfill --plugin acme/tmpfill:v1
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once --max-attempts 1
  assert_rc 1
  local e
  e=$(sql "SELECT last_error FROM generations")
  case $e in *"tmp refused after 67108864 bytes"*) ;; *) fail "error: $e" ;; esac
}
