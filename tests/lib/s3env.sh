# Starts and stops the test S3 server (tests/lib/s3server.js on Node.js 24
# from node_modules) and points remotegen at it.
#   s3_start BUCKET     starts it on a free loopback port; exports S3_PORT, S3_PID,
#                       REMOTEGEN_S3_ENDPOINT, REMOTEGEN_S3_REGION, AWS_* (S3RVER keys)
#   s3_fault MODE       "500", "reset" or "" (none) for the following requests
#   s3_stop             stops it by its pid

s3_start() {
  local node="$ROOT/node_modules/.bin/node"
  [ -x "$node" ] || fail "Node.js 24 is not installed (npm ci installs it into node_modules)"
  mkdir -p "$TMP/s3/data"
  rm -f "$TMP/s3/fault"
  for _ in 1 2 3 4 5; do
    S3_PORT=$(pg_free_port)
    (cd "$ROOT" && exec "$node" tests/lib/s3server.js "$S3_PORT" "$TMP/s3/data" "$@") >"$TMP/s3/log" 2>&1 &
    S3_PID=$!
    for _ in $(seq 1 100); do
      grep -q ready "$TMP/s3/log" 2>/dev/null && break
      kill -0 "$S3_PID" 2>/dev/null || break
      sleep 0.1
    done
    grep -q ready "$TMP/s3/log" && break
    kill "$S3_PID" 2>/dev/null; wait "$S3_PID" 2>/dev/null
  done
  grep -q ready "$TMP/s3/log" || fail "the S3 server did not start: $(cat "$TMP/s3/log")"
  export S3_PORT S3_PID
  export REMOTEGEN_S3_ENDPOINT="http://127.0.0.1:$S3_PORT" REMOTEGEN_S3_REGION=us-east-1
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
  export REMOTEGEN_S3_RETRY_BASE_MS=100
}

s3_fault() {
  printf '%s' "$1" >"$TMP/s3/fault"
}

s3_stop() {
  [ -n "${S3_PID:-}" ] || return 0
  kill "$S3_PID" 2>/dev/null || true
  wait "$S3_PID" 2>/dev/null || true
  S3_PID=
}
