# The s3:// store against a real S3-compatible server that verifies SigV4
# signatures, and the go command reading the bucket as a GOPROXY.

. "$ROOT/tests/lib/goenv.sh"
. "$ROOT/tests/lib/s3env.sh"

MOD=gen.example.com/go/protocolbuffers/go/acme/weather

s3_setup() {
  trap 's3_stop' EXIT
  s3_start gomod
  export REMOTEGEN_STORE=s3://gomod/proxy
  rg migrate
  setup_go_template
  rg module push acme/weather "$ROOT/ops/example"
}

test_s3_publish_and_go_get() {
  s3_setup
  rg run --once
  assert_rc 0
  local base="http://127.0.0.1:$S3_PORT/gomod/proxy"
  local forever="public, max-age=31536000, immutable" short="public, max-age=60"
  assert_headers "$base/$MOD/@v/v1.1.1.zip" application/zip "$forever"
  assert_headers "$base/$MOD/@v/v1.1.1.mod" "text/plain; charset=utf-8" "$forever"
  assert_headers "$base/$MOD/@v/v1.1.1.info" application/json "$forever"
  assert_headers "$base/$MOD/@v/list" "text/plain; charset=utf-8" "$short"
  assert_headers "$base/$MOD/@latest" application/json "$short"
  assert_headers "$base/index/feed/head.ndjson" "application/x-ndjson; charset=utf-8" "$short"
  assert_headers "$base/index/feed.json" application/json "$short"
  assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "$base/gen.example.com/go/nothing/@v/list")" "missing key"
  # Every request remotegen made was signed, x-amz-content-sha256 included.
  local signed unsigned
  signed=$(grep -c 'signed=.*x-amz-content-sha256' "$TMP/s3/requests.log")
  unsigned=$(grep -v 'signed=.*x-amz-content-sha256' "$TMP/s3/requests.log" | grep -vc 'signed=-' || true)
  [ "$signed" -ge 7 ] && [ "$unsigned" = 0 ] || fail "signing: $(cat "$TMP/s3/requests.log")"

  go_env "$base"
  cd "$TMP"
  assert_eq "$MOD v1.1.1" "$(go list -m -versions "$MOD")" "go list -m -versions"
  make_consumer "$TMP/consumer" "$MOD/acme/weather/v1"
  cd "$TMP/consumer"
  go get "$MOD@latest" >"$TMP/get.log" 2>&1 || fail "go get: $(cat "$TMP/get.log")"
  go build -o app . >"$TMP/build.log" 2>&1 || fail "go build: $(cat "$TMP/build.log")"
  assert_eq "city=Oslo celsius=-3.5 sky=SKY_CLOUDY bytes=17" "$(./app)" "program output"
  echo "note: go get $MOD@latest from the S3 bucket: $(grep "$MOD" go.mod | xargs)"
}

test_s3_wrong_secret_then_right() {
  s3_setup
  AWS_SECRET_ACCESS_KEY=not-the-secret rg run --once
  assert_rc 1
  assert_err_has "store s3://gomod/proxy"
  assert_err_has "access key S3RVER"
  assert_err_has "HTTP 403"
  if grep -q "not-the-secret" "$ERR"; then fail "the secret was logged"; fi
  assert_eq "pending|0" "$(sql "SELECT state || '|' || attempts FROM generations")" "generation after a refused store"
  rg run --once
  assert_rc 0
  assert_eq "published|1" "$(sql "SELECT state || '|' || attempts FROM generations")" "generation"
  assert_eq "v1.1.1" "$(curl -s "http://127.0.0.1:$S3_PORT/gomod/proxy/$MOD/@v/list")" "list"
}

test_s3_outage_and_errors_are_retried() {
  s3_setup
  # Down (connections dropped) for the first 1.5 s, then 500s for 1.5 s, then fine.
  s3_fault reset
  ( sleep 1.5; s3_fault 500; sleep 1.5; s3_fault "" ) &
  local flipper=$!
  rg run --once
  wait $flipper
  assert_rc 0
  assert_eq "published" "$(sql "SELECT state FROM generations")" "state"
  assert_eq "v1.1.1" "$(curl -s "http://127.0.0.1:$S3_PORT/gomod/proxy/$MOD/@v/list")" "list"
  # Exactly one version's objects, nothing else.
  find "$TMP/s3/data/gomod" -type f -name '*._S3rver_object' | sed 's|.*/proxy/||; s|._S3rver_object$||' | sort >"$TMP/objects"
  printf '%s\n' "$MOD/@latest" "$MOD/@v/list" "$MOD/@v/v1.1.1.info" "$MOD/@v/v1.1.1.mod" "$MOD/@v/v1.1.1.zip" \
    index/feed.json index/feed/head.ndjson | sort >"$TMP/want"
  diff "$TMP/want" "$TMP/objects" || fail "objects in the bucket: $(cat "$TMP/objects")"
}

test_s3_refuses_to_overwrite_different_bytes() {
  s3_setup
  # (curl's own SigV4 signs the path as written: '@' must be pre-encoded for S3's canonical URI.)
  printf 'tampered' >"$TMP/t.zip"
  local h
  h=$(sha256sum "$TMP/t.zip" | cut -d' ' -f1)
  curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER -H "x-amz-content-sha256: $h" \
    -T "$TMP/t.zip" "http://127.0.0.1:$S3_PORT/gomod/proxy/$MOD/%40v/v1.1.1.zip" >"$TMP/seed.out" 2>&1 || fail "seeding failed: $(cat "$TMP/seed.out")"
  rg run --once
  assert_rc 1
  assert_err_has "refusing to overwrite"
  assert_eq tampered "$(curl -s "http://127.0.0.1:$S3_PORT/gomod/proxy/$MOD/@v/v1.1.1.zip")" "zip"
  assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$S3_PORT/gomod/proxy/$MOD/@v/list")" "list"
  assert_eq failed "$(sql "SELECT state FROM generations")" "state"
  rg verify
  assert_rc 1
  assert_out_has "unknown object: $MOD/@v/v1.1.1.zip"
}

test_s3_same_generation_twice_gives_identical_objects() {
  s3_setup
  rg run --once
  assert_rc 0
  # Publish the same generation again into another prefix and into a file store.
  sql "UPDATE generations SET state = 'pending', attempts = 0"
  rg run --once --store s3://gomod/second
  assert_rc 0
  sql "UPDATE generations SET state = 'pending', attempts = 0"
  rg run --once --store "file://$TMP/filestore"
  assert_rc 0
  for f in "@v/v1.1.1.zip" "@v/v1.1.1.mod" "@v/v1.1.1.info" "@v/list" "@latest"; do
    curl -s "http://127.0.0.1:$S3_PORT/gomod/proxy/$MOD/$f" >"$TMP/a"
    curl -s "http://127.0.0.1:$S3_PORT/gomod/second/$MOD/$f" >"$TMP/b"
    [ -s "$TMP/a" ] || fail "empty $f"
    cmp "$TMP/a" "$TMP/b" || fail "$f differs between the two S3 prefixes"
    cmp "$TMP/a" "$TMP/filestore/$MOD/$f" || fail "$f differs between S3 and the file store"
  done
}

test_s3_session_token_is_signed() {
  s3_setup
  # s3rver accepts any session token, but verifies the signature over the headers the
  # request says it signed: the token must be among them, and arrive whole. Real STS,
  # instance-role and IRSA tokens run to 1-2 KB: this one is 2048 bytes.
  local tok
  tok=$(head -c 1536 /dev/urandom | base64 -w0)
  assert_eq 2048 "${#tok}" "token length"
  AWS_SESSION_TOKEN=$tok rg run --once
  assert_rc 0
  assert_eq "v1.1.1" "$(curl -s "http://127.0.0.1:$S3_PORT/gomod/proxy/$MOD/@v/list")" "list"
  local want ours
  want="token=2048:$(printf '%s' "$tok" | sha256sum | cut -d' ' -f1)"
  ours=$(grep -c " $want\$" "$TMP/s3/requests.log" || true)
  [ "$ours" -ge 7 ] || fail "requests with the whole token: $ours: $(cut -c1-200 "$TMP/s3/requests.log")"
  if grep ' token=[0-9]' "$TMP/s3/requests.log" | grep -v " $want\$" | grep -q .; then
    fail "a token arrived cut or changed: $(grep -v " $want\$" "$TMP/s3/requests.log" | cut -c1-200)"
  fi
  if grep ' token=[0-9]' "$TMP/s3/requests.log" | grep -v 'x-amz-security-token' | grep -q .; then
    fail "token sent but not signed: $(grep -v x-amz-security-token "$TMP/s3/requests.log")"
  fi
  if grep -qF "$tok" "$TMP/all.err"; then fail "the token was logged"; fi
}

test_s3_verify_catches_a_tampered_object() {
  s3_setup
  rg run --once
  assert_rc 0
  rg verify
  assert_rc 0
  assert_out_has "verify s3://gomod/proxy: 7 objects, 0 problems"
  # Someone replaces the published zip with another valid module zip.
  "$TOOLS/modtool" "$TMP/other" "$MOD" v1.1.1 "evil.go=package weatherv1" >/dev/null
  local h
  h=$(sha256sum "$TMP/other/$MOD/@v/v1.1.1.zip" | cut -d' ' -f1)
  curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER -H "x-amz-content-sha256: $h" \
    -T "$TMP/other/$MOD/@v/v1.1.1.zip" "http://127.0.0.1:$S3_PORT/gomod/proxy/$MOD/%40v/v1.1.1.zip" >/dev/null ||
    fail "tampering failed"
  rg verify
  assert_rc 1
  assert_out_has "hash mismatch: $MOD/@v/v1.1.1.zip: database $(sql "SELECT zip_hash FROM generations")"
  assert_out_has "1 problem"
  echo "note: verify on S3 after tampering: $(grep 'hash mismatch' "$OUT")"
}

# A listing whose keys lie outside the store's prefix (a broken or hostile
# server) is refused with a message; it used to be read past its end.
test_s3_listing_with_a_key_outside_the_prefix_is_refused() {
  s3_setup
  rg run --once
  assert_rc 0
  s3_fault shortkey
  rg verify
  assert_rc 1
  assert_err_has 'LIST answered a key outside the prefix "proxy/": "x"'
  s3_fault ""
  rg verify
  assert_rc 0
}

# An endpoint that accepts requests and never answers: each attempt ends after
# REMOTEGEN_S3_STALL_MS without a byte, and a second SIGTERM stops uploads at once.
test_s3_silent_endpoint_times_out_and_sigterm_stops_uploads() {
  s3_setup
  s3_fault silent
  local t0 t1
  t0=$(date +%s)
  REMOTEGEN_S3_STALL_MS=1000 REMOTEGEN_S3_MAX_ATTEMPTS=2 REMOTEGEN_S3_RETRY_BASE_MS=10 \
    rg run --once --max-attempts 1
  t1=$(date +%s)
  assert_rc 1
  [ $((t1 - t0)) -lt 20 ] || fail "took $((t1 - t0)) s"
  grep -q 'event=failed .*Operation too slow' "$ERR" || fail "no stall reason: $(tail -c 800 "$ERR")"

  rg retry --template protocolbuffers/go
  REMOTEGEN_POLL_MS=200 start_service --log-level debug
  wait_for_event upload_started
  sleep 0.3
  kill -TERM "$SVC_PID"
  wait_for_event stop_requested
  kill -TERM "$SVC_PID"
  local i rc=0
  for i in $(seq 1 40); do kill -0 "$SVC_PID" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$SVC_PID" 2>/dev/null && fail "still uploading 2 s after the second SIGTERM: $(tail -c 600 "$TMP/svc.err")"
  wait "$SVC_PID" || rc=$?
  assert_eq 0 "$rc" "exit status"
  assert_eq "pending" "$(sql "SELECT state FROM generations")" "handed back"
  s3_fault ""
}

# The credentials chain, as the AWS SDKs walk it. tests/lib/awsmock.js plays
# STS and the instance metadata service; the S3 server checks every signature.
aws_mock_start() {
  local expires=$1
  AWSMOCK_PORT=$(pg_free_port)
  printf 'eyJ-the-web-identity-token' >"$TMP/webtoken"
  (cd "$ROOT" && exec node_modules/.bin/node tests/lib/awsmock.js "$AWSMOCK_PORT" "$TMP/aws.log" "$expires" \
    eyJ-the-web-identity-token) >"$TMP/awsmock.out" 2>&1 &
  AWSMOCK_PID=$!
  trap 's3_stop; kill $AWSMOCK_PID 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do grep -q ready "$TMP/awsmock.out" && break; sleep 0.1; done
  grep -q ready "$TMP/awsmock.out" || fail "awsmock did not start: $(cat "$TMP/awsmock.out")"
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  export HOME="$TMP/home" AWS_EC2_METADATA_DISABLED=true
  mkdir -p "$HOME"
}

test_s3_credentials_from_a_profile() {
  s3_setup
  aws_mock_start 3600
  rg run --once
  assert_rc 2
  assert_err_has "no AWS credentials"
  mkdir -p "$HOME/.aws"
  printf '[default]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\n\n[registry]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' \
    >"$HOME/.aws/credentials"
  AWS_PROFILE=registry rg run --once
  assert_rc 0
  assert_eq "v1.1.1" "$(curl -s "http://127.0.0.1:$S3_PORT/gomod/proxy/$MOD/@v/list")" "list"
  AWS_PROFILE=nosuch rg verify
  assert_rc 2
  assert_err_has "profile nosuch has no aws_access_key_id and aws_secret_access_key"
  if grep -q 'S3RVER' "$TMP/all.err"; then fail "a secret reached the log"; fi
}

test_s3_credentials_from_web_identity_are_refreshed_before_they_expire() {
  s3_setup
  # Valid for 302 s: within the 5-minute margin after 2 s, so the service asks again.
  aws_mock_start 302
  export AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/webtoken" AWS_ROLE_ARN=arn:aws:iam::123456789012:role/remotegen
  export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$AWSMOCK_PORT"
  REMOTEGEN_POLL_MS=200 start_service
  wait_for_event published
  local first
  first=$(grep -c 'GET / ok' "$TMP/aws.log")  # one STS call per store the service opened
  sleep 2.5
  push_example_with Alert text
  wait_for_sql "SELECT count(*) FROM generations WHERE state = 'published'" 2
  stop_service
  grep -q 'event=credentials_refreshed .*source="web identity"' "$TMP/svc.err" ||
    grep -q 'event=credentials_refreshed .*source=web' "$TMP/svc.err" || fail "no refresh: $(cat "$TMP/svc.err")"
  local all k seen=0
  all=$(grep -c 'GET / ok' "$TMP/aws.log")
  [ "$all" -gt "$first" ] || fail "STS asked $all times, $first before the refresh"
  # The S3 server saw a token issued after the refresh, signed.
  for k in $(seq $((first + 1)) "$all"); do
    grep -q " token=[0-9]*:$(printf 'sts-%s' "$k" | sha256sum | cut -d' ' -f1)\$" "$TMP/s3/requests.log" && seen=1
  done
  assert_eq 1 "$seen" "a request signed with a refreshed token (sts-$((first + 1))..sts-$all)"
  # A wrong web identity token: refused with STS's message.
  printf 'other' >"$TMP/webtoken"
  rg verify
  assert_rc 2
  assert_err_has "web identity: STS http://127.0.0.1:$AWSMOCK_PORT answered HTTP 403: bad web identity token"
}

test_s3_credentials_from_instance_metadata_v2() {
  s3_setup
  aws_mock_start 3600
  unset AWS_EC2_METADATA_DISABLED
  export AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$AWSMOCK_PORT"
  rg run --once
  assert_rc 0
  assert_eq "v1.1.1" "$(curl -s "http://127.0.0.1:$S3_PORT/gomod/proxy/$MOD/@v/list")" "list"
  assert_eq "PUT /latest/api/token ok" "$(head -n 1 "$TMP/aws.log")" "IMDSv2 asks for a session token first"
  if grep -q refused "$TMP/aws.log"; then fail "a request without the session token: $(cat "$TMP/aws.log")"; fi
  grep -q "GET /latest/meta-data/iam/security-credentials/remotegen-role ok" "$TMP/aws.log" ||
    fail "no credentials asked: $(cat "$TMP/aws.log")"
}

# The ECS / EKS Pod Identity container endpoint, with the authorization token
# read from a file; a plain-http URI to another host is refused before any
# request (the token would cross a network in the clear).
test_s3_credentials_from_the_container_endpoint() {
  s3_setup
  aws_mock_start 3600
  export AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$AWSMOCK_PORT/v2/credentials/task-1"
  export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$TMP/webtoken"
  rg run --once
  assert_rc 0
  assert_eq "v1.1.1" "$(curl -s "http://127.0.0.1:$S3_PORT/gomod/proxy/$MOD/@v/list")" "list"
  assert_eq "GET /v2/credentials/task-1 ok" "$(sort -u "$TMP/aws.log")" "the container endpoint, with its token"
  local k seen=0
  for k in $(seq 1 "$(wc -l <"$TMP/aws.log")"); do
    grep -q " token=[0-9]*:$(printf 'ecs-%s' "$k" | sha256sum | cut -d' ' -f1)\$" "$TMP/s3/requests.log" && seen=1
  done
  assert_eq 1 "$seen" "a request signed with the container's session token"
  printf 'wrong' >"$TMP/webtoken"
  rg verify
  assert_rc 2
  assert_err_has "container credentials http://127.0.0.1:$AWSMOCK_PORT/v2/credentials/task-1: HTTP 401"
  : >"$TMP/aws.log"
  AWS_CONTAINER_CREDENTIALS_FULL_URI="http://192.0.2.1:$AWSMOCK_PORT/v2/credentials/task-1" rg verify
  assert_rc 2
  assert_err_has "is neither https nor a loopback or container-link address"
  assert_eq "" "$(cat "$TMP/aws.log")" "requests after the refusal"
  if grep -q 'eyJ-the-web-identity-token\|wrong' "$TMP/all.err"; then fail "the authorization token reached the log"; fi
}

# SIGHUP: the service reads its credentials again (a rotated credentials file).
test_s3_sighup_reads_credentials_again() {
  s3_setup
  aws_mock_start 3600
  mkdir -p "$HOME/.aws"
  printf '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\naws_session_token = first-token\n' \
    >"$HOME/.aws/credentials"
  REMOTEGEN_POLL_MS=200 start_service
  wait_for_event published
  printf '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\naws_session_token = second-token\n' \
    >"$HOME/.aws/credentials"
  kill -HUP "$SVC_PID"
  wait_for_event "signal_received signal=HUP"
  push_example_with Alert text
  wait_for_sql "SELECT count(*) FROM generations WHERE state = 'published'" 2
  stop_service
  grep -q 'event=credentials_refreshed .*source="profile default"' "$TMP/svc.err" || fail "no re-read: $(cat "$TMP/svc.err")"
  grep -q " token=12:$(printf 'second-token' | sha256sum | cut -d' ' -f1)\$" "$TMP/s3/requests.log" ||
    fail "no request with the new token"
  grep -q " token=11:$(printf 'first-token' | sha256sum | cut -d' ' -f1)\$" "$TMP/s3/requests.log" ||
    fail "no request with the first token"
}
