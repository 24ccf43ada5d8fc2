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
  cp -r "$ROOT/ops/example" "$TMP/src2"
  printf 'message Alert { string text = 1; }\n' >>"$TMP/src2/acme/weather/v1/weather.proto"
  rg module push acme/weather "$TMP/src2"
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
