#!/usr/bin/env bash
# Benchmark: remotegen on a large registry. Loads MODULES x COMMITS published
# generations (default 1000 x 1000 = 10^6) straight into the database, next to
# one real module (acme/weather, protoc-gen-go), then times:
#   - the first `run --once` after the load (it indexes the loaded history into the feed),
#   - an idle `run --once` (nothing to do), `status`, `status --json`,
#   - the same idle run through pgbouncer (session pooling, Debian's pgbouncer; skipped
#     when it is not installed: apt-get install pgbouncer), which keeps server
#     connections open between runs,
#   - a `run --once` that publishes one new commit of acme/weather.
# Each figure is the median of REPEAT runs (default 5) in milliseconds.
#   bash tests/bench/scale.sh [MODULES] [COMMITS] [REPEAT]
#   RG=/path/to/other/remotegen bash tests/bench/scale.sh     (compare builds)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MODS=${1:-1000}
COMMITS=${2:-1000}
REPEAT=${3:-5}
RG=${RG:-$ROOT/build/rel/remotegen}
[ -x "$RG" ] || { echo "build first: make" >&2; exit 2; }
W=$(mktemp -d /tmp/remotegen-scale.XXXXXX)
chmod 755 "$W"
. "$ROOT/ops/pg.sh"
if [ -n "${KEEP:-}" ]; then trap 'echo "kept $W (PostgreSQL on port $PGPORT)"' EXIT
else trap 'stop_pgbouncer; pg_stop "$W/pg"; rm -rf "$W"' EXIT; fi
PGB_PID=
stop_pgbouncer() { [ -z "$PGB_PID" ] || kill "$PGB_PID" 2>/dev/null || true; }
pg_start "$W/pg" >/dev/null
createdb bench
export REMOTEGEN_DATABASE_URL="host=127.0.0.1 port=$PGPORT user=postgres dbname=bench"
export REMOTEGEN_STORE="file://$W/store"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d bench -c "$1"; }

# median_ms CMD...: runs CMD REPEAT times, prints the median wall time in ms.
median_ms() {
  local i t0 t1 times=()
  for i in $(seq 1 "$REPEAT"); do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>>"$W/bench.err"
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r), PostgreSQL $(psql -V | awk '{print $3}')"
echo "command: bash tests/bench/scale.sh $MODS $COMMITS $REPEAT"
"$RG" migrate >/dev/null 2>&1
"$RG" plugin add protocolbuffers/go v1.28.1 --exec /usr/bin/protoc-gen-go \
  --go-dep google.golang.org/protobuf@v1.28.1 >/dev/null
"$RG" template create protocolbuffers/go --plugin protocolbuffers/go >/dev/null
"$RG" template version protocolbuffers/go --plugin protocolbuffers/go:v1.28.1 >/dev/null
"$RG" module push acme/weather "$ROOT/ops/example" >/dev/null
"$RG" run --once 2>/dev/null

t0=$(date +%s)
tv=$(q "SELECT id FROM template_versions")
q "INSERT INTO modules (owner, name) SELECT 'bench', 'm' || i FROM generate_series(1, $MODS) i"
q "INSERT INTO commits (module_id, sequence, digest, image, own_files, protoc_version, scheduled, created_at)
   SELECT m.id, s, 'sha256:' || md5(m.id || ':' || s), '\\x00'::bytea, '{a.proto}', '3.21.12', true,
          now() - interval '30 days' + (m.id * $COMMITS + s) * interval '1 ms'
   FROM modules m, generate_series(1, $COMMITS) s WHERE m.owner = 'bench'"
q "INSERT INTO generations (commit_id, template_version_id, version, state, attempts, zip_hash, mod_hash,
                            created_at, started_at, finished_at)
   SELECT c.id, $tv, 'v1.1.' || c.sequence, 'published', 1,
          'h1:' || encode(sha256(c.digest::bytea), 'base64'), 'h1:' || encode(sha256(md5(c.digest)::bytea), 'base64'),
          c.created_at, c.created_at, c.created_at + interval '1 second'
   FROM commits c JOIN modules m ON m.id = c.module_id WHERE m.owner = 'bench'"
q "VACUUM ANALYZE"
echo "loaded $(q "SELECT count(*) FROM generations") generations in $(( $(date +%s) - t0 )) s"

printf '%-44s %10s\n' measurement ms
REPEAT_SAVED=$REPEAT
REPEAT=1
printf '%-44s %10s\n' "first run --once after the load" "$(median_ms "$RG" run --once)"
REPEAT=$REPEAT_SAVED
# That run gave 10^6 rows their feed positions: vacuum now, as autovacuum long
# since has on a registry that grew to this size, so that the runs below are
# not timed against the autovacuum of the load.
q "VACUUM ANALYZE"
printf '%-44s %10s\n' "idle run --once" "$(median_ms "$RG" run --once)"
if [ -x /usr/sbin/pgbouncer ]; then
  PGB_PORT=$(pg_free_port)
  mkdir -p "$W/pgb"
  printf '"postgres" ""\n' >"$W/pgb/users"
  cat >"$W/pgb/pgbouncer.ini" <<INI
[databases]
bench = host=127.0.0.1 port=$PGPORT dbname=bench
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
auth_type = trust
auth_file = $W/pgb/users
pool_mode = session
logfile = $W/pgb/pgbouncer.log
INI
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres "$W/pgb"
    setpriv --reuid=postgres --regid=postgres --clear-groups /usr/sbin/pgbouncer -q "$W/pgb/pgbouncer.ini" &
  else /usr/sbin/pgbouncer -q "$W/pgb/pgbouncer.ini" & fi
  PGB_PID=$!
  sleep 1
  PGB_URL="host=127.0.0.1 port=$PGB_PORT user=postgres dbname=bench"
  # A run that fails fast would look fast: it must succeed first.
  REMOTEGEN_DATABASE_URL=$PGB_URL "$RG" run --once 2>>"$W/bench.err" ||
    { echo "run --once through pgbouncer failed: $(tail -3 "$W/bench.err")" >&2; exit 1; }
  printf '%-44s %10s\n' "idle run --once through pgbouncer" \
    "$(REMOTEGEN_DATABASE_URL=$PGB_URL median_ms "$RG" run --once)"
  stop_pgbouncer
fi
printf '%-44s %10s\n' "status" "$(median_ms "$RG" status)"
printf '%-44s %10s\n' "status --json" "$(median_ms "$RG" status --json)"

# One new commit per repetition, each published by its own run.
publish_one() {
  local n=$((++PUBLISHED)) dir="$W/src$PUBLISHED"
  cp -r "$ROOT/ops/example" "$dir"
  printf 'message Bench%d { string s = 1; }\n' "$n" >>"$dir/acme/weather/v1/weather.proto"
  "$RG" module push acme/weather "$dir" >/dev/null
  local t0 t1
  t0=$(date +%s%N)
  "$RG" run --once 2>>"$W/bench.err"
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) >>"$W/publish.ms"
}
PUBLISHED=0
for _ in $(seq 1 "$REPEAT"); do publish_one; done
printf '%-44s %10s\n' "run --once publishing one commit" \
  "$(sort -n "$W/publish.ms" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
echo "published by the runs: $(q "SELECT count(*) FROM generations g JOIN commits c ON c.id = g.commit_id
  JOIN modules m ON m.id = c.module_id WHERE m.name = 'weather' AND g.state = 'published'") versions of acme/weather"
