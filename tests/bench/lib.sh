# Sourced by the benchmarks (tests/bench/*.sh): a work directory and a private
# PostgreSQL for the run, stopped and removed on exit (KEEP=1 keeps the
# directory), the figures' header, one database per measurement, and a timer.
#   bench_start ARGS...   sets W, starts PostgreSQL, prints the machine and the
#                         command line (the calling script's name and ARGS)
#   bench_db NAME         creates database NAME, points remotegen at it
#                         (REMOTEGEN_DATABASE_URL; REMOTEGEN_STORE=file://$W/store-NAME)
#                         and migrates it with $RG
#   bench_run_once LOG ARGS...
#                         times `$RG run --once ARGS` (stderr to LOG): BENCH_S is its
#                         wall seconds; exits the benchmark when the run fails
. "$ROOT/ops/pg.sh"

bench_start() {
  W=$(mktemp -d /tmp/remotegen-bench.XXXXXX)
  chmod 755 "$W"
  trap 'pg_stop "$W/pg"; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
  pg_start "$W/pg" >/dev/null
  echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); remotegen: $RG"
  echo "command: bash tests/bench/$(basename "$0") $*"
}

bench_db() {
  createdb "$1"
  export REMOTEGEN_DATABASE_URL="host=127.0.0.1 port=$PGPORT user=postgres dbname=$1"
  export REMOTEGEN_STORE="file://$W/store-$1"
  "$RG" migrate >/dev/null 2>&1
}

bench_run_once() {
  local log=$1 start end
  shift
  start=$(date +%s.%N)
  "$RG" run --once "$@" 2>"$log" || { tail -3 "$log"; exit 1; }
  end=$(date +%s.%N)
  BENCH_S=$(echo "$end - $start" | bc)
}
