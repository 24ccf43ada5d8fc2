# Private PostgreSQL clusters for the quick start and the tests. Source this
# file, then:
#   pg_start DIR   initialises DIR/data if needed and starts a server on a free
#                  loopback port (as the postgres user when run as root);
#                  exports PGHOST, PGPORT, PGUSER, PGDATABASE
#   pg_stop DIR    stops that server by the pid in its postmaster.pid
# Nothing listens beyond 127.0.0.1; the Unix socket lives in DIR/sock.

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

pg_as() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A port that nothing listens on, below the kernel's ephemeral range (so that no
# outgoing connection can be holding it).
pg_free_port() {
  local port low=32768
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  [ "$low" -gt 12000 ] || low=32768
  for _ in $(seq 1 50); do
    port=$(( 10000 + (RANDOM % (low - 10000)) ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

pg_start() {
  local dir=$1 port
  mkdir -p "$dir/sock"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir" "$dir/sock"
    if ! runuser -u postgres -- test -w "$dir"; then
      echo "pg_start: user postgres cannot write $dir (a parent directory is closed to it)" >&2
      return 1
    fi
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    pg_as "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      return 1
    }
  fi
  for _ in 1 2 3 4 5; do
    port=$(pg_free_port) || return 1
    if pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null 2>&1; then
      export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
      return 0
    fi
  done
  echo "pg_start: the server did not start; see $dir/server.log" >&2
  tail -n 20 "$dir/server.log" >&2 || true
  return 1
}

pg_stop() {
  local dir=$1 pid
  [ -f "$dir/data/postmaster.pid" ] || return 0
  pid=$(head -n 1 "$dir/data/postmaster.pid")
  [ -n "$pid" ] || return 0
  kill -INT "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
