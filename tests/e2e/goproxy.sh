# End to end: publish, serve the file store over HTTP with nginx, and use it
# as a GOPROXY with the real go command.

. "$ROOT/tests/lib/goenv.sh"

MOD=gen.example.com/go/protocolbuffers/go/acme/weather
PKG=$MOD/acme/weather/v1

test_go_get_and_build_from_published_module() {
  trap nginx_stop EXIT
  publish_example
  nginx_start "$STORE_DIR"
  go_env "http://127.0.0.1:$NGINX_PORT"

  # Headers and 404s as a GOPROXY needs them.
  local base="http://127.0.0.1:$NGINX_PORT" forever="public, max-age=31536000, immutable" short="public, max-age=60"
  assert_headers "$base/$MOD/@v/v1.1.1.zip" application/zip "$forever"
  assert_headers "$base/$MOD/@v/v1.1.1.mod" "text/plain; charset=utf-8" "$forever"
  assert_headers "$base/$MOD/@v/v1.1.1.info" application/json "$forever"
  assert_headers "$base/$MOD/@v/list" "text/plain; charset=utf-8" "$short"
  assert_headers "$base/$MOD/@latest" application/json "$short"
  assert_headers "$base/index/feed/head.ndjson" "application/x-ndjson; charset=utf-8" "$short"
  assert_headers "$base/index/feed.json" application/json "$short"
  assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/gen.example.com/go/protocolbuffers/@v/list")" "missing list"
  assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/$MOD/@v/")" "directory"

  cd "$TMP"
  assert_eq "$MOD v1.1.1" "$(go list -m -versions "$MOD")" "go list -m -versions"
  make_consumer "$TMP/consumer" "$PKG"
  cd "$TMP/consumer"
  go get "$MOD@latest" >"$TMP/get.log" 2>&1 || fail "go get: $(cat "$TMP/get.log")"
  grep -q "$MOD v1.1.1" go.mod || fail "go.mod: $(cat go.mod)"
  go build -o "$TMP/consumer/app" . >"$TMP/build.log" 2>&1 || fail "go build: $(cat "$TMP/build.log")"
  assert_eq "city=Oslo celsius=-3.5 sky=SKY_CLOUDY bytes=17" "$("$TMP/consumer/app")" "program output"
  # go.sum holds the same h1: hashes remotegen recorded.
  assert_eq "$(sql "SELECT zip_hash FROM generations")" "$(awk -v m="$MOD" '$1 == m && $2 == "v1.1.1" {print $3}' go.sum)" "zip h1"
  assert_eq "$(sql "SELECT mod_hash FROM generations")" "$(awk -v m="$MOD" '$1 == m && $2 == "v1.1.1/go.mod" {print $3}' go.sum)" "go.mod h1"

  # A second commit: the list and @latest move, and go get @latest follows.
  push_example_with Alert text
  assert_out_has "commit 2"
  rg run --once
  assert_rc 0
  assert_eq "$MOD v1.1.1 v1.1.2" "$(go list -m -versions "$MOD")" "versions after commit 2"
  assert_eq "v1.1.2" "$(go list -m -json "$MOD@latest" | sed -n 's/.*"Version": "\(.*\)".*/\1/p')" "@latest"
  go get "$MOD@latest" >"$TMP/get2.log" 2>&1 || fail "go get 2: $(cat "$TMP/get2.log")"
  grep -q "$MOD v1.1.2" go.mod || fail "go.mod after update: $(cat go.mod)"
  # Use a type only commit 2 has.
  sed -i 's|fmt.Printf|_ = \&weatherv1.Alert{Text: "storm"}\n\tfmt.Printf|' main.go
  go build -o "$TMP/consumer/app2" . >"$TMP/build2.log" 2>&1 || fail "go build 2: $(cat "$TMP/build2.log")"
  assert_eq "city=Oslo celsius=-3.5 sky=SKY_CLOUDY bytes=17" "$("$TMP/consumer/app2")" "program output 2"
}

test_h1_hashes_match_the_go_command() {
  # A module built by the publisher code, hashed by remotegen and by go mod download.
  "$TOOLS/modtool" "$TMP/proxy" example.com/hashme v1.0.0 \
    "hash.go=package hashme

const X = 1
" "sub/dir/file.txt=some text" "LICENSE=MIT" >"$TMP/ours" || fail "modtool failed"
  go_env "file://$TMP/proxy"
  cd "$TMP"
  go mod download -json example.com/hashme@v1.0.0 >"$TMP/dl.json" 2>&1 || fail "go mod download: $(cat "$TMP/dl.json")"
  assert_eq "$(awk '$1 == "zip" {print $2}' "$TMP/ours")" "$(sed -n 's/.*"Sum": "\(.*\)".*/\1/p' "$TMP/dl.json")" "zip h1"
  assert_eq "$(awk '$1 == "mod" {print $2}' "$TMP/ours")" "$(sed -n 's/.*"GoModSum": "\(.*\)".*/\1/p' "$TMP/dl.json")" "go.mod h1"
}

test_go_resolves_case_encoded_paths() {
  trap nginx_stop EXIT
  rg migrate
  setup_go_template
  rg module push Acme/WeatherAPI "$ROOT/ops/example"
  rg run --once
  assert_rc 0
  nginx_start "$STORE_DIR"
  go_env "http://127.0.0.1:$NGINX_PORT"
  cd "$TMP"
  M=gen.example.com/go/protocolbuffers/go/Acme/WeatherAPI
  assert_eq "$M v1.1.1" "$(go list -m -versions "$M")" "go list -m -versions"
  make_consumer "$TMP/consumer" "$M/acme/weather/v1"
  cd "$TMP/consumer"
  go get "$M@latest" >"$TMP/get.log" 2>&1 || fail "go get: $(cat "$TMP/get.log")"
  go run . >"$TMP/run.log" 2>&1 || fail "go run: $(cat "$TMP/run.log")"
  assert_eq "city=Oslo celsius=-3.5 sky=SKY_CLOUDY bytes=17" "$(cat "$TMP/run.log")" "program output"
}

test_yank_hides_a_version_from_go_but_pinned_builds_still_work() {
  trap nginx_stop EXIT
  publish_example
  push_example_with Alert text
  rg run --once
  assert_rc 0
  nginx_start "$STORE_DIR"
  go_env "http://127.0.0.1:$NGINX_PORT"
  make_consumer "$TMP/consumer" "$PKG"
  cd "$TMP/consumer"
  go get "$MOD@v1.1.2" >"$TMP/get.log" 2>&1 || fail "go get: $(cat "$TMP/get.log")"
  local id2 zip_before
  id2=$(sql "SELECT id FROM generations WHERE version = 'v1.1.2'")
  zip_before=$(sha256sum "$STORE_DIR/$MOD/@v/v1.1.2.zip")

  rg generation yank "$id2" --reason "breaks clients (INC-42)"
  assert_rc 0
  assert_out_has "yanked go $MOD v1.1.2"
  assert_err_has "event=version_yanked generation=$id2 go=$MOD version=v1.1.2"
  # The go command no longer resolves to it ...
  assert_eq "$MOD v1.1.1" "$(go list -m -versions "$MOD")" "versions after the yank"
  assert_eq "v1.1.1" "$(go list -m -json "$MOD@latest" | sed -n 's/.*"Version": "\(.*\)".*/\1/p')" "@latest"
  # ... but a build that pinned it still downloads it, with the same bytes and hashes.
  go clean -modcache
  go build -o app . >"$TMP/build.log" 2>&1 || fail "pinned build after the yank: $(cat "$TMP/build.log")"
  assert_eq "$zip_before" "$(sha256sum "$STORE_DIR/$MOD/@v/v1.1.2.zip")" "the zip's bytes"
  # Recorded: generation show, the feed's marks file, and verify agrees with the store.
  rg generation show "$id2"
  assert_out_has "yanked "
  assert_out_has ": breaks clients (INC-42)"
  local line
  line=$(cat "$STORE_DIR/index/feed/marks.ndjson")
  assert_eq "1" "$(jq -r 'select(.Version == "v1.1.2" and .Yanked and .YankReason == "breaks clients (INC-42)") | 1' <<<"$line")" "marks line: $line"
  rg verify
  assert_rc 0
  # verify knows the yanked version must not be listed.
  cp "$STORE_DIR/$MOD/@v/list" "$TMP/list.bak"
  printf 'v1.1.1\nv1.1.2\n' >"$STORE_DIR/$MOD/@v/list"
  rg verify
  assert_rc 1
  assert_out_has "stale index: $MOD/@v/list does not list exactly the published versions that are not yanked"
  cp "$TMP/list.bak" "$STORE_DIR/$MOD/@v/list"
  # The last version the module shows cannot be yanked: nothing changes.
  local id1
  id1=$(sql "SELECT id FROM generations WHERE version = 'v1.1.1'")
  rg generation yank "$id1"
  assert_rc 1
  assert_err_has "is the last version of $MOD that is not yanked"
  assert_eq "" "$(sql "SELECT yanked_at FROM generations WHERE id = $id1")" "v1.1.1 after the refused yank"
  assert_eq "$MOD v1.1.1" "$(go list -m -versions "$MOD")" "versions after the refused yank"
  # Restore: back in the list and @latest.
  rg generation restore "$id2"
  assert_rc 0
  assert_eq "$MOD v1.1.1 v1.1.2" "$(go list -m -versions "$MOD")" "versions after the restore"
  assert_eq "false" "$(jq -r 'select(.Version == "v1.1.2") | .Yanked' "$STORE_DIR/index/feed/marks.ndjson")" "marks after restore"
  rg verify
  assert_rc 0
  # Bad input: not published, bad flags.
  rg generation yank 999999
  assert_rc 2
  assert_err_has "generation 999999: not a published generation"
  rg generation deprecate "$id2"
  assert_rc 2
  assert_err_has "deprecate takes --message TEXT"
}
