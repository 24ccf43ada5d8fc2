# A caching proxy in front of the store, as a CDN: a version asked for before
# it exists must install once it is published (errors are never cached), and
# published files are cached.

. "$ROOT/tests/lib/goenv.sh"

MOD=gen.example.com/go/protocolbuffers/go/acme/weather
PKG=$MOD/acme/weather/v1

# header URL NAME: the value of one response header.
header() {
  curl -s -D - -o /dev/null "$1" | tr -d '\r' | awk -v h="$(echo "$2" | tr A-Z a-z)" \
    'BEGIN { FS = ": " } tolower($1) == h { print $2 }'
}

# Publishes the example, serves the store with nginx and a caching proxy in
# front of it; CDN is the proxy's URL, and the go command uses it.
publish_behind_a_cache() {
  trap 'cache_stop; nginx_stop' EXIT
  publish_example
  nginx_start "$STORE_DIR"
  cache_start "$NGINX_PORT" || fail "the caching proxy did not start"
  CDN="http://127.0.0.1:$CACHE_PORT"
  go_env "$CDN"
}

test_version_asked_for_before_it_exists_installs_through_a_cache() {
  publish_behind_a_cache
  local cdn=$CDN
  make_consumer "$TMP/consumer" "$PKG"
  cd "$TMP/consumer"

  # v1.1.2 does not exist yet: go get fails, and the 404s say no-store.
  go get "$MOD@v1.1.2" >"$TMP/get1.log" 2>&1 && fail "go get of an unpublished version worked"
  grep -q "v1.1.2" "$TMP/get1.log" || fail "go get: $(cat "$TMP/get1.log")"
  for u in "$MOD/@v/v1.1.2.info" "$MOD/@v/v1.1.2.mod" "$MOD/@v/v1.1.2.zip" "gen.example.com/go/nothing/@v/list"; do
    assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "$cdn/$u")" "$u before publishing"
    assert_eq "no-store" "$(header "$cdn/$u" Cache-Control)" "Cache-Control of the 404 of $u"
  done

  # Publish v1.1.2: the cache must not answer from a stored 404.
  push_example_with Alert text
  rg run --once
  assert_rc 0
  go get "$MOD@v1.1.2" >"$TMP/get2.log" 2>&1 || fail "go get after publishing: $(cat "$TMP/get2.log")"
  grep -q "$MOD v1.1.2" go.mod || fail "go.mod: $(cat go.mod)"
  go build -o app . >"$TMP/build.log" 2>&1 || fail "go build: $(cat "$TMP/build.log")"
  assert_eq "city=Oslo celsius=-3.5 sky=SKY_CLOUDY bytes=17" "$(./app)" "program output"

  # The published files are cached by the proxy (long-lived), the 404s were not.
  assert_eq HIT "$(header "$cdn/$MOD/@v/v1.1.2.zip" X-Cache-Status)" "second fetch of the zip"
  assert_eq "public, max-age=31536000, immutable" "$(header "$cdn/$MOD/@v/v1.1.2.zip" Cache-Control)" "zip Cache-Control"
  assert_eq MISS "$(header "$cdn/gen.example.com/go/nothing/@v/list" X-Cache-Status)" "a 404 asked for again"
}

# The cached @v/list and @latest hide a new version for their max-age, unless
# remotegen purges them (REMOTEGEN_PURGE_URL) right after rewriting them.
test_purge_makes_a_new_version_installable_through_the_cache_at_once() {
  publish_behind_a_cache
  local cdn=$CDN
  cd "$TMP"
  assert_eq "$MOD v1.1.1" "$(go list -m -versions "$MOD")" "versions through the cache"
  assert_eq HIT "$(header "$cdn/$MOD/@v/list" X-Cache-Status)" "the list is cached"

  # Without a purge: published, but the cache answers the old list.
  push_example_with Alert text
  rg run --once
  assert_rc 0
  assert_eq "$MOD v1.1.1" "$(go list -m -versions "$MOD")" "versions through the cache, no purge (stale for 60 s)"

  # With the purge: the next version is listed and resolved at once.
  push_example_with Warning text
  # ops/nginx/cdn-purge-location.conf: GET /purge/<key>.
  REMOTEGEN_PURGE_URL="$cdn/purge/" REMOTEGEN_PURGE_METHOD=GET rg run --once --log-level debug
  assert_rc 0
  assert_err_has "event=purged url=$cdn/purge/$MOD/@v/list status=200"
  assert_err_has "event=purged url=$cdn/purge/$MOD/@latest status="  # 404: it was not cached
  if grep -q 'event=purge_failed' "$ERR"; then fail "a purge failed: $(grep purge_failed "$ERR")"; fi
  assert_eq "$MOD v1.1.1 v1.1.2 v1.1.3" "$(go list -m -versions "$MOD")" "versions through the cache after the purge"
  make_consumer "$TMP/consumer" "$PKG"
  cd "$TMP/consumer"
  go get "$MOD@latest" >"$TMP/get.log" 2>&1 || fail "go get: $(cat "$TMP/get.log")"
  grep -q "$MOD v1.1.3" go.mod || fail "go.mod: $(cat go.mod)"

  # A purge that fails is logged and publishes anyway (the store is right).
  push_example_with Notice text
  REMOTEGEN_PURGE_URL="http://127.0.0.1:9/" rg run --once
  assert_rc 0
  assert_err_has "event=purge_failed url=http://127.0.0.1:9/$MOD/@v/list"
  assert_eq "published" "$(sql "SELECT state FROM generations WHERE version = 'v1.1.4'")" "v1.1.4"
  REMOTEGEN_PURGE_URL="ftp://x" rg status
  assert_rc 2
  assert_err_has "REMOTEGEN_PURGE_URL=ftp://x: expected an http:// or https:// URL"
}
