# The scheduler: retries and backoff, retry command, backfill, metrics,
# service mode (LISTEN/NOTIFY, PostgreSQL restart), several processes at
# once, and crash safety under kill -9.

# N modules acme/mNNN with one commit each (a small image, pushed from a prebuilt file).
push_modules() {
  local n=$1 i
  mkdir -p "$TMP/mods"
  for i in $(seq 1 "$n"); do
    mkdir -p "$TMP/mods/$i/acme/m$i/v1"
    printf 'syntax = "proto3";\npackage acme.m%d.v1;\nmessage M%d { string id = 1; }\n' "$i" "$i" \
      >"$TMP/mods/$i/acme/m$i/v1/m.proto"
    rg module push "acme/m$i" "$TMP/mods/$i"
    assert_rc 0
  done
}

make_plugin_template() {
  # make_plugin_template NAME PARAMETER: plugin acme/NAME (testplugin, exec) and template acme/NAME.
  rg plugin add "acme/$1" v1 --exec "$TOOLS/testplugin" --runtime exec
  rg template create "acme/$1" --plugin "acme/$1=$2"
  rg template version "acme/$1" --plugin "acme/$1:v1"
}

# Milliseconds since the epoch of a log line's ts=.
ts_ms() {
  local ts
  ts=$(sed -n 's/^ts=\([^ ]*\) .*/\1/p' <<<"$1")
  echo $(( $(date -d "$ts" +%s%N) / 1000000 ))
}

test_backoff_delays_grow_and_retry_requeues() {
  rg migrate
  make_plugin_template crasher crash
  rg module push acme/weather "$ROOT/ops/example"
  REMOTEGEN_RETRY_BASE_MS=400 rg run --once --max-attempts 4
  assert_rc 1
  mapfile -t claims < <(grep 'event=claimed' "$ERR")
  assert_eq 4 "${#claims[@]}" "attempts"
  local t1 t2 t3 t4
  t1=$(ts_ms "${claims[0]}"); t2=$(ts_ms "${claims[1]}"); t3=$(ts_ms "${claims[2]}"); t4=$(ts_ms "${claims[3]}")
  local d1=$((t2 - t1)) d2=$((t3 - t2)) d3=$((t4 - t3))
  echo "note: backoff delays with a 400 ms base: ${d1} ms, ${d2} ms, ${d3} ms"
  # base * 2^(k-1), with jitter between 50% and 150%: the lower bounds grow (200, 400, 800 ms)
  # and never depend on the machine's speed; the upper bounds only catch a runaway.
  [ "$d1" -ge 200 ] && [ "$d2" -ge 400 ] && [ "$d3" -ge 800 ] || fail "delays too short: $d1 $d2 $d3"
  [ "$d1" -le 10000 ] && [ "$d2" -le 10000 ] && [ "$d3" -le 15000 ] || fail "delays too long: $d1 $d2 $d3"
  assert_eq "failed|4" "$(sql "SELECT state || '|' || attempts FROM generations")" "after the last attempt"
  rg status
  assert_out_has "killed by signal 6"
  rg retry --template acme/crasher
  assert_rc 0
  assert_out_has "1 generation queued again"
  assert_eq "pending|0" "$(sql "SELECT state || '|' || attempts FROM generations")" "after retry"
  rg retry
  assert_out_has "0 generations queued again"
  # What names nothing is refused, as backfill refuses an unknown template.
  rg retry --module acme/nosuch
  assert_rc 2
  assert_err_has "module acme/nosuch: no such module"
  rg retry --template acme/nosuch
  assert_rc 2
  assert_err_has "template acme/nosuch: no such template"
  rg retry --generation 999999
  assert_rc 2
  assert_err_has "generation 999999: no such generation"
}

test_metrics_textfile() {
  rg migrate
  make_plugin_template ok ""
  make_plugin_template bad error
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once --metrics-file "$TMP/remotegen.prom"
  assert_rc 1
  local m="$TMP/remotegen.prom"
  assert_file "$m"
  # node_exporter's conventions: this run's figures are gauges named last_run, ...
  grep -q '^remotegen_last_run_generations{outcome="published"} 1$' "$m" || fail "metrics: $(cat "$m")"
  grep -q '^remotegen_last_run_generations{outcome="failed"} 1$' "$m" || fail "metrics: $(cat "$m")"
  grep -q '^# TYPE remotegen_last_run_plugin_seconds gauge$' "$m" || fail "metrics: $(cat "$m")"
  grep -q '^remotegen_last_run_success 0$' "$m" || fail "a run that failed a generation: $(cat "$m")"
  local start end
  start=$(awk '/^remotegen_last_run_start_timestamp_seconds / {print $2}' "$m")
  end=$(awk '/^remotegen_last_run_end_timestamp_seconds / {print $2}' "$m")
  [ "$start" -gt 1700000000 ] && [ "$end" -ge "$start" ] && [ "$end" -le "$(date +%s)" ] || fail "start $start end $end"
  grep -q '^remotegen_build_info{version="[^"]\+"} 1$' "$m" || fail "no build info: $(cat "$m")"
  grep -q "^remotegen_build_info{version=\"$("$REMOTEGEN" --version | cut -d' ' -f2)\"} 1$" "$m" || fail "build info"
  # ... per-template gauges, and the one counter comes from the database: it does not reset.
  grep -q '^remotegen_generations{template="acme/bad",state="failed"} 1$' "$m" || fail "metrics: $(cat "$m")"
  grep -q '^remotegen_generations_published_total{template="acme/ok"} 1$' "$m" || fail "metrics: $(cat "$m")"
  grep -q '^# TYPE remotegen_generations_published_total counter$' "$m" || fail "metrics: $(cat "$m")"
  grep -q '^remotegen_queue_depth{state="published"} 1$' "$m" || fail "metrics: $(cat "$m")"
  grep -q '^remotegen_queue_depth{state="pending"} 0$' "$m" || fail "metrics: $(cat "$m")"
  [ "$(awk '/^remotegen_last_success_timestamp_seconds/ {print int($2)}' "$m")" -gt 1700000000 ] || fail "last success: $(cat "$m")"
  # The next run: nothing new, a success; the counter keeps what earlier runs published.
  rg module push acme/other "$ROOT/ops/example"
  rg retry --template acme/bad
  rg template disable acme/bad
  rg run --once --metrics-file "$TMP/remotegen.prom"
  assert_rc 0
  grep -q '^remotegen_last_run_generations{outcome="published"} 1$' "$m" || fail "metrics: $(cat "$m")"
  grep -q '^remotegen_last_run_success 1$' "$m" || fail "metrics: $(cat "$m")"
  grep -q '^remotegen_generations_published_total{template="acme/ok"} 2$' "$m" || fail "counter reset: $(cat "$m")"
  rg status
  assert_out_has "acme/ok  pending=0 running=0 failed=0 published=2"
  # A metrics file that cannot be written is a configuration error, found before the run starts.
  rg run --once --metrics-file /nonexistent/remotegen.prom
  assert_rc 2
  assert_err_has "metrics file /nonexistent/remotegen.prom"
  if grep -q 'event=run_started' "$ERR"; then fail "the run started: $(cat "$ERR")"; fi
}

test_backfill_200_commits_with_new_work_first() {
  rg migrate
  mkdir -p "$TMP/src/acme/hist/v1"
  local i
  for i in $(seq 1 200); do
    printf 'syntax = "proto3";\npackage acme.hist.v1;\nmessage H { string f%d = 1; }\n' "$i" >"$TMP/src/acme/hist/v1/h.proto"
    "$REMOTEGEN" module push acme/hist "$TMP/src" >/dev/null 2>>"$TMP/push.err" || fail "push $i: $(tail -n 2 "$TMP/push.err")"
  done
  assert_eq 200 "$(sql "SELECT count(*) FROM commits")" "commits"
  rg run --once  # no template yet: the commits are seen, nothing to generate
  # A template made now generates only the latest commit.
  make_plugin_template slow "sleep=30"
  rg run --once
  assert_rc 0
  assert_eq "v1.1.200" "$(sql "SELECT string_agg(version, ',') FROM generations")" "before backfill"
  rg backfill --template acme/slow --module acme/hist --batch 64
  assert_rc 0
  assert_out_has "backfill acme/slow:v1: 200 commits, 199 generations queued (1 already there)"
  assert_err_has "backfill acme/slow:v1: 64/200 commits"
  rg backfill --template acme/slow:v1
  assert_out_has "200 commits, 0 generations queued (200 already there)"
  # While the backfill runs, a new commit arrives: it is published before the backfill ends.
  "$REMOTEGEN" run --once --workers 1 >"$TMP/run.out" 2>"$TMP/run.err" &
  local pid=$!
  trap "kill -9 $pid 2>/dev/null || true" EXIT
  for _ in $(seq 1 100); do
    [ "$(sql "SELECT count(*) FROM generations WHERE state = 'published'")" -ge 20 ] && break
    sleep 0.1
  done
  printf 'syntax = "proto3";\npackage acme.hist.v1;\nmessage H { string brand_new = 1; }\n' >"$TMP/src/acme/hist/v1/h.proto"
  rg module push acme/hist "$TMP/src"
  assert_out_has "commit 201"
  wait $pid || fail "run exited $?: $(tail -n 3 "$TMP/run.err")"
  assert_eq 201 "$(sql "SELECT count(*) FROM generations WHERE state = 'published'")" "published"
  local later
  later=$(sql "SELECT count(*) FROM generations WHERE priority < 0 AND finished_at > (SELECT finished_at FROM generations WHERE version = 'v1.1.201')")
  [ "$later" -gt 0 ] || fail "the new commit was published after the whole backfill"
  echo "note: backfill: the new commit v1.1.201 was published with $later backfilled generations still to go"
  rg status
  echo "note: status after the backfill: $(tr '\n' ';' <"$OUT")"
  rg verify
  assert_rc 0
}

test_service_mode_wakes_on_notify() {
  rg migrate
  make_plugin_template ok ""
  REMOTEGEN_POLL_MS=600000 start_service
  wait_for_event run_started
  sleep 0.5
  rg module push acme/weather "$ROOT/ops/example"
  # published without polling (the poll interval is 10 minutes)
  wait_for_sql "SELECT count(*) FROM generations WHERE state = 'published'" 1 100
  stop_service
}

test_service_survives_postgres_restart() {
  rg migrate
  make_plugin_template ok ""
  REMOTEGEN_POLL_MS=200 start_service
  wait_for_event run_started
  pg_as "$PG_BIN/pg_ctl" -D "$RUN_TMP/pg/data" -m fast -w restart >/dev/null 2>&1 || fail "restart failed"
  rg module push acme/weather "$ROOT/ops/example"
  assert_rc 0
  wait_for_sql "SELECT count(*) FROM generations WHERE state = 'published'" 1  # after the restart
  kill -0 "$SVC_PID" || fail "the service died"
  stop_service
  grep -q event=database_reconnected "$TMP/svc.err" || fail "no reconnect logged: $(cat "$TMP/svc.err")"
}

test_several_processes_publish_each_generation_once() {
  rg migrate
  make_plugin_template ok "sleep=20"
  push_modules 40
  local pids=() k
  for k in 1 2 3; do
    "$REMOTEGEN" run --once --workers 2 >"$TMP/p$k.out" 2>"$TMP/p$k.err" &
    pids+=($!)
  done
  trap "kill -9 ${pids[*]} 2>/dev/null || true" EXIT
  for k in 0 1 2; do wait "${pids[$k]}" || fail "process $((k + 1)) exited $?"; done
  assert_eq 40 "$(sql "SELECT count(*) FROM generations WHERE state = 'published'")" "published"
  assert_eq 40 "$(cat "$TMP"/p*.err | grep -c 'event=published')" "publish events across processes"
  assert_eq 40 "$(cat "$TMP"/p*.err | grep 'event=published' | sed 's/.*generation=\([0-9]*\).*/\1/' | sort -u | wc -l)" "distinct generations"
  local busy=0
  for k in 1 2 3; do grep -q 'event=published' "$TMP/p$k.err" && busy=$((busy + 1)); done
  echo "note: 3 processes, 40 generations, $busy processes published, none twice"
  rg verify
  assert_rc 0
}

test_backfill_progress_bar_on_a_terminal() {
  command -v script >/dev/null || skip "script(1) is not installed"
  rg migrate
  make_plugin_template ok ""
  mkdir -p "$TMP/src/acme/t/v1"
  local i
  for i in 1 2 3 4 5; do
    printf 'syntax = "proto3";\npackage acme.t.v1;\nmessage T { string f%d = 1; }\n' "$i" >"$TMP/src/acme/t/v1/t.proto"
    rg module push acme/t "$TMP/src"
  done
  # script(1) gives the command a terminal: the progress is a bar redrawn with \r.
  script -qec "$REMOTEGEN backfill --template acme/ok --batch 2" /dev/null >"$TMP/tty.out" </dev/null
  grep -q $'\r'"acme/ok:v1 \[" "$TMP/tty.out" || fail "no progress bar: $(od -c "$TMP/tty.out" | head -n 5)"
  grep -q '5/5 commits' "$TMP/tty.out" || fail "progress: $(cat -v "$TMP/tty.out")"
  assert_eq 5 "$(sql "SELECT count(*) FROM generations")" "queued"
}

# Pushes N commits of module acme/t (no template yet generates them).
push_commits() {
  mkdir -p "$TMP/src/acme/t/v1"
  local i
  for i in $(seq 1 "$1"); do
    printf 'syntax = "proto3";\npackage acme.t.v1;\nmessage T { string f%d = 1; }\n' "$i" >"$TMP/src/acme/t/v1/t.proto"
    rg module push acme/t "$TMP/src"
  done
}

test_generating_a_backfill_shows_progress_and_eta() {
  rg migrate
  push_commits 8
  make_plugin_template slow "sleep=150"
  rg backfill --template acme/slow
  assert_out_has "8 generations queued"
  # Off a terminal: a progress line every REMOTEGEN_PROGRESS_MS while there is work.
  REMOTEGEN_PROGRESS_MS=200 rg run --once --workers 1
  assert_rc 0
  grep -q 'event=progress done=[0-9]* remaining=[1-9][0-9]* per_s=[0-9.]* eta_s=[0-9]* elapsed_s=' "$ERR" ||
    fail "no progress line with an ETA: $(cat "$ERR")"
  grep 'event=progress' "$ERR" | head -n 1 | grep -q 'remaining=[5-8] ' || fail "first progress: $(grep progress "$ERR")"
  # The run's wall-clock time: 8 plugin runs of 150 ms, one at a time.
  local ms
  ms=$(sed -n 's/.*event=run_finished .* duration_ms=\([0-9]*\)$/\1/p' "$ERR")
  [ -n "$ms" ] && [ "$ms" -ge 1200 ] || fail "run_finished duration_ms=$ms: $(grep run_finished "$ERR")"
  # On a terminal: a status line redrawn in place, taken down before the last lines.
  command -v script >/dev/null || fail "script(1) is not installed (util-linux)"
  make_plugin_template slow2 "sleep=300"
  rg backfill --template acme/slow2
  script -qec "$REMOTEGEN run --once --workers 1" /dev/null >"$TMP/tty.out" </dev/null
  grep -q $'\r\033\[Kgenerating: [0-9]* done, [0-9]* left, [0-9.]*/s, ETA ' "$TMP/tty.out" ||
    fail "no status line: $(cat -v "$TMP/tty.out" | tail -c 1500)"
  grep -q 'ETA [0-9]' "$TMP/tty.out" || fail "no ETA: $(cat -v "$TMP/tty.out" | tail -c 1500)"
  grep -q $'\r\033\[K\rts=[^\r]*event=run_finished' "$TMP/tty.out" ||
    fail "status not taken down: $(cat -v "$TMP/tty.out" | tail -c 800)"
  if tr '\r' '\n' <"$TMP/tty.out" | sed -n '/event=run_finished/,$p' | grep -q 'generating:'; then
    fail "status left on the terminal"
  fi
  assert_eq 16 "$(sql "SELECT count(*) FROM generations WHERE state = 'published'")" "published"
}

test_sighup_is_logged_and_ignored() {
  rg migrate
  REMOTEGEN_POLL_MS=200 start_service
  wait_for_event run_started
  kill -HUP "$SVC_PID"
  wait_for_event "signal_received signal=HUP"
  sleep 0.3
  kill -0 "$SVC_PID" 2>/dev/null || fail "SIGHUP stopped the service: $(cat "$TMP/svc.err")"
  stop_service
  grep -q 'event=stop_requested signal=TERM' "$TMP/svc.err" || fail "SIGTERM not logged: $(cat "$TMP/svc.err")"
}

test_database_outage_backs_off_and_logs_recovery() {
  rg migrate
  make_plugin_template ok ""
  REMOTEGEN_POLL_MS=200 start_service
  wait_for_event run_started
  pg_as "$PG_BIN/pg_ctl" -D "$RUN_TMP/pg/data" -m fast -w stop >/dev/null 2>&1 || fail "stop failed"
  sleep 8
  pg_as "$PG_BIN/pg_ctl" -D "$RUN_TMP/pg/data" -l "$RUN_TMP/pg/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $RUN_TMP/pg/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null 2>&1 || fail "start failed"
  rg module push acme/weather "$ROOT/ops/example"
  assert_rc 0
  wait_for_sql "SELECT count(*) FROM generations WHERE state = 'published'" 1 300
  stop_service
  # One line when the database goes away and one when it is back, not one a second.
  assert_eq 1 "$(grep -c 'event=database_unavailable' "$TMP/svc.err")" "database_unavailable lines"
  assert_eq 1 "$(grep -c 'event=database_recovered' "$TMP/svc.err")" "database_recovered lines"
  local errors
  errors=$(grep -c 'level=error' "$TMP/svc.err" || true)
  [ "$errors" -le 2 ] || fail "$errors error lines in an 8 s outage: $(grep 'level=error' "$TMP/svc.err")"
}

test_sigterm_hands_back_claimed_work_not_started() {
  rg migrate
  make_plugin_template slow "sleep=1500"
  push_modules 3
  start_service --workers 1
  # One worker: one generation runs, the others wait in the pool.
  wait_for_sql "SELECT count(*) FROM generations WHERE state = 'running'" 3
  wait_for_event "claimed generation=3"
  kill -TERM "$SVC_PID"
  wait "$SVC_PID" || fail "remotegen run exited $? after SIGTERM"
  cat "$TMP/svc.err" >>"$TMP/all.err"
  # The started one is finished; the waiting ones are handed back at once, attempts not counted.
  assert_eq 1 "$(grep -c 'event=published' "$TMP/svc.err")" "published"
  assert_eq 2 "$(grep -c 'event=handed_back' "$TMP/svc.err")" "handed back"
  assert_eq "pending|0 pending|0 published|1" \
    "$(sql "SELECT string_agg(state || '|' || attempts, ' ' ORDER BY state, id) FROM generations")" "states"
  local back
  back=$(sql "SELECT min(id) FROM generations WHERE state = 'pending'")
  rg generation show "$back" --json
  assert_eq "handed_back" "$(jq -r '[.attempt_history[].outcome] | join(" ")' "$OUT")" "attempt history"
  assert_eq 1 "$(jq '.attempt_history[0].attempt' "$OUT")" "the attempt it was"
}

test_generation_list_and_show_with_every_attempt() {
  rg migrate
  make_plugin_template crasher crash
  make_plugin_template ok ""
  rg module push acme/weather "$ROOT/ops/example"
  REMOTEGEN_RETRY_BASE_MS=10 rg run --once --max-attempts 3
  assert_rc 1
  local failed ok
  failed=$(sql "SELECT g.id FROM generations g JOIN template_versions tv ON tv.id = g.template_version_id
                JOIN templates t ON t.id = tv.template_id WHERE t.name = 'crasher'")
  ok=$(sql "SELECT g.id FROM generations g JOIN template_versions tv ON tv.id = g.template_version_id
            JOIN templates t ON t.id = tv.template_id WHERE t.name = 'ok'")
  # list: filters by state and template, text and JSON
  rg generation list --state failed
  assert_rc 0
  assert_out_has "acme/crasher:v1"
  if grep -q "acme/ok:v1" "$OUT"; then fail "state filter: $(cat "$OUT")"; fi
  rg generation list --template acme/ok --json
  assert_eq "$ok published v1.1.1" "$(jq -r '.generations[] | "\(.id) \(.state) \(.version)"' "$OUT")" "list --json"
  rg generation list --since 1h --module acme/weather --json
  assert_eq 2 "$(jq '.generations | length' "$OUT")" "recent generations"
  # show: every attempt, not only the last error
  rg generation show "$failed"
  assert_rc 0
  assert_out_has "state         failed"
  assert_out_has "#1 retry"
  assert_out_has "#2 retry"
  assert_out_has "#3 failed"
  rg generation show "$failed" --json
  assert_eq "retry retry failed" "$(jq -r '[.attempt_history[].outcome] | join(" ")' "$OUT")" "attempt outcomes"
  assert_eq 3 "$(jq '[.attempt_history[] | select(.error | test("killed by signal 6"))] | length' "$OUT")" "errors kept"
  rg generation show "$ok" --json
  assert_eq "published" "$(jq -r '[.attempt_history[].outcome] | join(" ")' "$OUT")" "published attempt"
  jq -e '.zip_hash | startswith("h1:")' "$OUT" >/dev/null || fail "zip hash: $(cat "$OUT")"
  # mistakes are refused
  rg generation show 999999
  assert_rc 2
  assert_err_has "generation 999999: no such generation"
  rg generation list --state sleeping
  assert_rc 2
  assert_err_has "--state sleeping"
  rg generation list --since yesterday
  assert_rc 2
}

test_status_lists_every_failure_and_counts_by_template() {
  rg migrate
  make_plugin_template crasher crash
  make_plugin_template ok ""
  push_modules 12
  rg run --once --max-attempts 1
  assert_rc 1
  rg status
  assert_eq 10 "$(grep -c '^  #' "$OUT")" "failures shown by default"
  assert_out_has "acme/crasher  pending=0 running=0 failed=12"
  rg status --failures 0
  assert_eq 12 "$(grep -c '^  #' "$OUT")" "every failure"
  rg status --failures 3 --json
  assert_eq 3 "$(jq '.recent_failures | length' "$OUT")" "--failures 3"
  assert_eq "acme/crasher 12 0,acme/ok 0 12" "$(jq -r '[.templates[] | "\(.template) \(.failed) \(.published)"] | join(",")' "$OUT")" \
    "by template (those with work, failures or publications)"
  rg status --failures lots
  assert_rc 2
}

test_disabled_template_generates_nothing_new() {
  rg migrate
  make_plugin_template ok ""
  make_plugin_template other ""
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once
  assert_rc 0
  mkdir -p "$TMP/v2/acme/weather/v1"
  { cat "$ROOT/ops/example/acme/weather/v1/weather.proto"; echo "message Extra2 { string x = 1; }"; } >"$TMP/v2/acme/weather/v1/weather.proto"
  rg module push acme/weather "$TMP/v2"
  assert_rc 0
  rg run --once
  assert_rc 0
  rg template disable acme/ok
  assert_rc 0
  assert_out_has "template acme/ok disabled"
  rg template list --json
  jq -e '.templates[] | select(.template == "acme/ok") | .disabled_at != null' "$OUT" >/dev/null || fail "not listed as disabled: $(cat "$OUT")"
  # New commits get no generation of it; published versions stay.
  mkdir -p "$TMP/v3/acme/weather/v1"
  { cat "$ROOT/ops/example/acme/weather/v1/weather.proto"; echo "message Extra3 { string x = 1; }"; } >"$TMP/v3/acme/weather/v1/weather.proto"
  rg module push acme/weather "$TMP/v3"
  assert_rc 0
  rg run --once
  assert_rc 0
  assert_eq "v1.1.1 v1.1.2" "$(sql "SELECT string_agg(g.version, ' ' ORDER BY g.version) FROM generations g
    JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id
    WHERE t.name = 'ok'")" "generations of the disabled template"
  assert_eq "v1.1.1 v1.1.2 v1.1.3" "$(sql "SELECT string_agg(g.version, ' ' ORDER BY g.version) FROM generations g
    JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id
    WHERE t.name = 'other'")" "generations of the other template"
  rg backfill --template acme/ok
  assert_rc 2
  assert_err_has "template acme/ok is disabled"
  # Enabled again: the latest commit is generated with its latest version.
  rg template enable acme/ok
  assert_rc 0
  rg run --once
  assert_rc 0
  assert_eq "published" "$(sql "SELECT g.state FROM generations g JOIN template_versions tv ON tv.id = g.template_version_id
    JOIN templates t ON t.id = tv.template_id WHERE t.name = 'ok' AND g.version = 'v1.1.3'")" "latest commit after enabling"
}

test_disabling_a_template_stops_its_pending_work() {
  rg migrate
  make_plugin_template ok ""
  rg module push acme/weather "$ROOT/ops/example"
  rg backfill --template acme/ok
  rg template disable acme/ok
  assert_out_has "1 pending generation stopped"
  assert_eq "failed" "$(sql "SELECT state FROM generations")" "state"
  case "$(sql "SELECT last_error FROM generations")" in
    *"template acme/ok was disabled"*) ;;
    *) fail "error: $(sql "SELECT last_error FROM generations")" ;;
  esac
  rg run --once
  assert_rc 0
  rg retry --template acme/ok
  assert_rc 2
  assert_err_has "template acme/ok is disabled"
  rg retry
  assert_out_has "0 generations queued again"
  rg template enable acme/ok
  rg retry --template acme/ok
  assert_out_has "1 generation queued again"
  rg run --once
  assert_rc 0
  assert_eq "published" "$(sql "SELECT state FROM generations")" "after enable and retry"
}

# A PostgreSQL restart in the middle of `run --once`: everything publishes, the
# run reconnects, and it exits 0 (it used to exit 2 printing an error).
test_run_once_survives_postgres_restart() {
  rg migrate
  make_plugin_template slow "sleep=1500"
  rg module push acme/weather "$ROOT/ops/example"
  "$REMOTEGEN" run --once >"$TMP/once.out" 2>"$TMP/once.err" &
  local pid=$! rc=0
  trap "kill -9 $pid 2>/dev/null || true" EXIT
  for _ in $(seq 1 50); do grep -q 'event=claimed' "$TMP/once.err" && break; sleep 0.1; done
  pg_as "$PG_BIN/pg_ctl" -D "$RUN_TMP/pg/data" -m fast -w restart >/dev/null 2>&1 || fail "restart failed"
  wait "$pid" || rc=$?
  assert_eq 0 "$rc" "exit status (stderr: $(grep -v migration_applied "$TMP/once.err" | tail -c 1200))"
  assert_eq "published" "$(sql "SELECT state FROM generations")" "the generation"
}

# Pending work of a disabled template (only a race with `template disable`
# makes some) is not waited for: `run --once` ends and says it is left.
test_run_once_does_not_wait_for_work_of_a_disabled_template() {
  rg migrate
  make_plugin_template bad error
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once --max-attempts 1
  assert_rc 1
  rg retry --template acme/bad
  assert_rc 0
  sql "UPDATE templates SET disabled_at = now() WHERE name = 'bad'" >/dev/null
  assert_eq "pending" "$(sql "SELECT state FROM generations")" "the generation"
  set +e
  timeout 20 "$REMOTEGEN" run --once >"$TMP/once.out" 2>"$TMP/once.err"
  local rc=$?
  set -e
  assert_eq 0 "$rc" "exit status (stderr: $(tail -c 600 "$TMP/once.err"))"
  grep -q 'event=disabled_template_work_left generations=1' "$TMP/once.err" || fail "not said: $(cat "$TMP/once.err")"
}
