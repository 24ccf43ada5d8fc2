# The shipped systemd units, environment file and cron line: systemd accepts
# the units, and their command lines publish under their restrictions
# (tests/lib/unit-sandbox.sh reproduces them without systemd as PID 1).

SANDBOX="$ROOT/tests/lib/unit-sandbox.sh"
UNITS="$ROOT/ops/systemd"

# A root for systemd-analyze: the units, the binary where ExecStart= names it,
# and the system's own units they refer to.
units_root() {
  mkdir -p "$TMP/root/etc/systemd/system" "$TMP/root/usr/local/bin" "$TMP/root/usr/lib/systemd"
  cp "$REMOTEGEN" "$TMP/root/usr/local/bin/remotegen"
  cp -r /usr/lib/systemd/system "$TMP/root/usr/lib/systemd/"
  cp "$UNITS"/remotegen.service "$UNITS"/remotegen-once.service "$UNITS"/remotegen.timer "$TMP/root/etc/systemd/system/"
}

analyze() {
  (cd "$TMP/root" && systemd-analyze verify --root="$TMP/root" "$@" >"$TMP/analyze.out" 2>&1)
}

# The configuration of the test database, in the documented format.
write_env() {
  mkdir -p "$TMP/state"
  cat >"$TMP/env" <<EOF
# as ops/env.example
REMOTEGEN_DATABASE_URL="$REMOTEGEN_DATABASE_URL"
REMOTEGEN_STORE=file:///var/lib/remotegen/store
REMOTEGEN_GO_PREFIX=gen.example.com/go
REMOTEGEN_METRICS_FILE=/var/lib/remotegen/metrics/remotegen.prom
REMOTEGEN_RETRY_BASE_MS=0
EOF
  sh "$ROOT/ops/check-env.sh" "$TMP/env" || fail "the test's env file is not in the documented format"
}

# Registers the Go template (bwrap, the default runtime) and pushes a module.
queue_example() {
  rg migrate
  setup_go_template
  rg module push acme/weather "$ROOT/ops/example"
  assert_rc 0
}

sandbox() {
  local unit=$1
  shift
  bash "$SANDBOX" "$UNITS/$unit" --bin "$REMOTEGEN" --user nobody --state "$TMP/state" --env-file "$TMP/env" "$@"
}

test_units_pass_systemd_analyze_verify() {
  command -v systemd-analyze >/dev/null || fail "systemd-analyze missing (package systemd)"
  units_root
  analyze etc/systemd/system/remotegen.service etc/systemd/system/remotegen-once.service \
    etc/systemd/system/remotegen.timer || fail "systemd-analyze verify: $(cat "$TMP/analyze.out")"
  [ ! -s "$TMP/analyze.out" ] || fail "systemd-analyze warns: $(cat "$TMP/analyze.out")"
  # A misspelt directive is only a warning to systemd: the check above must see it.
  sed -i 's/^ProtectClock=/ProtectClok=/' "$TMP/root/etc/systemd/system/remotegen.service"
  analyze etc/systemd/system/remotegen.service || true
  grep -q "Unknown key 'ProtectClok'" "$TMP/analyze.out" || fail "no warning: $(cat "$TMP/analyze.out")"
  # The user the units name, created by the shipped sysusers.d file.
  mkdir -p "$TMP/users/etc"
  touch "$TMP/users/etc/passwd" "$TMP/users/etc/group" "$TMP/users/etc/shadow" "$TMP/users/etc/gshadow"
  systemd-sysusers --root="$TMP/users" "$UNITS/remotegen.sysusers" >/dev/null 2>&1 || fail "systemd-sysusers failed"
  grep -q '^remotegen:x:[0-9]*:[0-9]*:[^:]*:/var/lib/remotegen:/usr/sbin/nologin$' "$TMP/users/etc/passwd" ||
    fail "no remotegen user: $(cat "$TMP/users/etc/passwd")"
  for u in remotegen.service remotegen-once.service; do grep -qx 'User=remotegen' "$UNITS/$u" || fail "$u: User="; done
  # Every hardening directive the issue asks for, in both units.
  for u in remotegen.service remotegen-once.service; do
    for d in 'CapabilityBoundingSet=' 'SystemCallArchitectures=native' 'ProtectClock=yes' 'RestrictSUIDSGID=yes' \
      'UMask=0022' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'PrivateTmp=yes'; do
      grep -qx "$d" "$UNITS/$u" || fail "$u lacks $d"
    done
  done
}

test_env_file_means_the_same_to_systemd_and_the_cron_line() {
  sh "$ROOT/ops/check-env.sh" "$ROOT/ops/env.example" || fail "ops/env.example fails its own check"
  # The line the old README documented: sh ran "dbname=registry user=remotegen" as a command.
  printf 'REMOTEGEN_DATABASE_URL=host=db.internal dbname=registry user=remotegen\n' >"$TMP/old.env"
  if sh "$ROOT/ops/check-env.sh" "$TMP/old.env" 2>"$TMP/check.err"; then fail "unquoted value with blanks accepted"; fi
  grep -q "old.env:1: " "$TMP/check.err" && grep -q "needs double quotes" "$TMP/check.err" || fail "no reason: $(cat "$TMP/check.err")"
  # The cron line's way of reading it exports every variable with its whole value.
  local line
  line=$(grep -v '^#' "$ROOT/ops/cron.example" | grep remotegen)
  case $line in *"set -a && . /etc/remotegen/env && set +a"*) ;; *) fail "cron line does not export the env file: $line" ;; esac
  got=$(env -i /bin/sh -c 'set -a && . "$1" && set +a && exec /bin/sh -c "echo \"\$REMOTEGEN_DATABASE_URL|\$REMOTEGEN_METRICS_FILE\""' \
    sh "$ROOT/ops/env.example")
  assert_eq "host=db.internal dbname=registry user=remotegen|/var/lib/remotegen/metrics/remotegen.prom" "$got" "exported"
}

test_oneshot_unit_publishes_under_its_restrictions() {
  write_env
  queue_example
  sandbox remotegen-once.service >"$TMP/once.out" 2>"$TMP/once.err" || fail "run --once: $(tail -c 1500 "$TMP/once.err")"
  assert_eq "published" "$(sql "SELECT string_agg(state, ',') FROM generations")" "generation state"
  local zip
  zip=$(find "$TMP/state/store" -name '*.zip' | head -1)
  [ -n "$zip" ] || fail "no zip in the state directory's store"
  # UMask=0022: nginx (another user) can read what the unit wrote.
  assert_eq "644" "$(stat -c %a "$zip")" "mode of $zip"
  assert_eq "nobody" "$(stat -c %U "$zip")" "owner of $zip"
  grep -q '^remotegen_queue_depth{state="published"} 1$' "$TMP/state/metrics/remotegen.prom" ||
    fail "metrics not written where ops/env.example says: $(ls -R "$TMP/state")"
}

test_cron_line_publishes_as_the_remotegen_user() {
  write_env
  queue_example
  # The cron line's command, with the test's env file and a logger that writes a file.
  local cmd
  cmd=$(grep -v '^#' "$ROOT/ops/cron.example" | grep remotegen | sed 's/^[^ ]* [^ ]* [^ ]* [^ ]* [^ ]* remotegen //')
  mkdir -p "$TMP/state/bin"
  printf '#!/bin/sh\ncat >>/var/lib/remotegen/syslog\n' >"$TMP/state/bin/logger"
  chmod 755 "$TMP/state/bin/logger"
  cp "$TMP/env" "$TMP/state/env"
  cmd=${cmd//logger -t remotegen//var/lib/remotegen/bin/logger}
  cmd=${cmd//\/etc\/remotegen\/env//var/lib/remotegen/env}
  # cron gives the line no environment of its own: the line must read the file itself.
  : >"$TMP/empty.env"
  bash "$SANDBOX" "$UNITS/remotegen-once.service" --bin "$REMOTEGEN" --user nobody --state "$TMP/state" \
    --env-file "$TMP/empty.env" --cmd "$cmd" >"$TMP/cron.out" 2>"$TMP/cron.err" || fail "cron line: $(cat "$TMP/cron.err")"
  assert_eq "published" "$(sql "SELECT string_agg(state, ',') FROM generations")" "generation state"
  grep -q 'event=run_finished' "$TMP/state/syslog" || fail "no log through logger: $(cat "$TMP/state/syslog" 2>&1)"
}

test_service_unit_publishes_and_stops_under_its_restrictions() {
  write_env
  queue_example
  # Not through the sandbox function: $! must be the service's own pid (every step execs).
  bash "$SANDBOX" "$UNITS/remotegen.service" --bin "$REMOTEGEN" --user nobody --state "$TMP/state" \
    --env-file "$TMP/env" >"$TMP/svc.out" 2>"$TMP/svc.err" &
  SVC_PID=$!
  trap "kill -9 $SVC_PID 2>/dev/null || true" EXIT
  wait_for_event published || fail "nothing published: $(tail -c 1500 "$TMP/svc.err")"
  kill -TERM "$SVC_PID"
  local rc=0
  wait "$SVC_PID" || rc=$?
  assert_eq 0 "$rc" "exit status after SIGTERM (stderr: $(tail -c 600 "$TMP/svc.err"))"
  grep -q 'event=stop_requested' "$TMP/svc.err" || fail "no stop_requested"
  assert_eq "published" "$(sql "SELECT string_agg(state, ',') FROM generations")" "generation state"
}

# The two settings the service unit shipped with: each stops every plugin run under bwrap.
test_settings_that_break_bwrap_fail_every_plugin_run() {
  write_env
  queue_example
  local cmd="/usr/local/bin/remotegen run --once --max-attempts 1"
  sandbox remotegen.service --cmd "$cmd" --set ProtectKernelTunables=yes >"$TMP/a.out" 2>"$TMP/a.err" &&
    fail "published with ProtectKernelTunables=yes"
  grep -q "Can't mount proc" "$TMP/a.err" || fail "not bwrap's /proc: $(tail -c 1500 "$TMP/a.err")"
  rg retry --template protocolbuffers/go
  assert_rc 0
  sandbox remotegen.service --cmd "$cmd" --set "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" \
    >"$TMP/b.out" 2>"$TMP/b.err" && fail "published without AF_NETLINK"
  grep -q "NETLINK_ROUTE socket: Address family not supported" "$TMP/b.err" ||
    fail "not bwrap's netlink: $(tail -c 1500 "$TMP/b.err")"
  assert_eq "failed" "$(sql "SELECT string_agg(state, ',') FROM generations")" "generation state"
}
