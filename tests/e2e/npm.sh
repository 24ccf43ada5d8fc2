# npm packages: the es template (protoc-gen-es) publishes a static npm
# registry into the store; npm and pnpm install from it (nginx in front of
# the file store, and s3rver), a Node.js program round-trips a message after
# tsc type-checked it, a dependent package pulls in its dependency package,
# and the files are the bytes protoc with protoc-gen-es writes by hand.

. "$ROOT/tests/lib/goenv.sh"
. "$ROOT/tests/lib/npmenv.sh"
. "$ROOT/tests/lib/s3env.sh"

WANT_LINE="text=snow city=Oslo celsius=-3.5 sky=CLOUDY bytes=25"

npm_publish() {
  export REMOTEGEN_NPM_URL=$1
  rg migrate
  setup_es_template
  rg module push acme/weather "$ROOT/ops/example"
  assert_rc 0
  push_alerts
  rg run --once
  assert_rc 0
}

# npm_install_and_run DIR: npm installs the alerts package (and so the weather package).
npm_install_and_run() {
  local dir=$1
  (cd "$dir" && npm install --no-audit --no-fund "$ALERTS_PKG@1.1.1" >"$TMP/npm.log" 2>&1) ||
    fail "npm install: $(cat "$TMP/npm.log")"
  assert_eq "1.1.1" "$("$NODE24" -p "require('$dir/node_modules/$WEATHER_PKG/package.json').version")" \
    "the dependency package npm installed"
  assert_eq "$WANT_LINE" "$(node_program "$dir")" "program output"
}

test_npm_and_pnpm_from_file_store() {
  trap nginx_stop EXIT
  nginx_start "$STORE_DIR"
  local base="http://127.0.0.1:$NGINX_PORT/npm"
  npm_publish "$base/"

  # The registry documents, as the database says.
  local w="$STORE_DIR/npm/$WEATHER_PKG" a="$STORE_DIR/npm/$ALERTS_PKG"
  assert_eq "1.1.1" "$(jq -r '."dist-tags".latest' "$w")" "weather latest"
  assert_eq "$base/-/$ALERTS_PKG-1.1.1.tgz" "$(jq -r '.versions."1.1.1".dist.tarball' "$a")" "tarball URL"
  assert_eq "1.1.1" "$(jq -r ".versions.\"1.1.1\".dependencies.\"$WEATHER_PKG\"" "$a")" "exact dependency"
  assert_eq "^$ES_VERSION" "$(jq -r '.versions."1.1.1".peerDependencies."@bufbuild/protobuf"' "$a")" "peer"
  assert_eq "null" "$(jq -r '.versions."1.1.1".dependencies' "$w")" "weather has no dependencies"
  local tgz="$STORE_DIR/npm/-/$ALERTS_PKG-1.1.1.tgz"
  assert_eq "sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)" \
    "$(jq -r '.versions."1.1.1".dist.integrity' "$a")" "integrity"
  assert_eq "$(sha1sum "$tgz" | cut -d' ' -f1)" "$(jq -r '.versions."1.1.1".dist.shasum' "$a")" "shasum"
  assert_eq "$(sql "SELECT integrity FROM generations g JOIN commits c ON c.id = g.commit_id JOIN modules m ON m.id = c.module_id WHERE m.name = 'alerts'")" \
    "$(jq -r '.versions."1.1.1".dist.integrity' "$a")" "recorded integrity"
  # The generated import of the dependency names its package.
  tar xzf "$tgz" -C "$TMP" package/acme/alerts/v1/alerts_pb.js
  grep -q "from \"$WEATHER_PKG/acme/weather/v1/weather_pb.js\"" "$TMP/package/acme/alerts/v1/alerts_pb.js" ||
    fail "import not rewritten: $(cat "$TMP/package/acme/alerts/v1/alerts_pb.js")"

  # Headers, and both encodings of the scoped name (npm %2f, pnpm %2F).
  local forever="public, max-age=31536000, immutable" short="public, max-age=60"
  assert_headers "$base/@remotegen%2facme_weather.bufbuild_es" application/json "$short"
  assert_headers "$base/@remotegen%2Facme_weather.bufbuild_es" application/json "$short"
  assert_headers "$base/-/$WEATHER_PKG-1.1.1.tgz" application/octet-stream "$forever"
  assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "$base/@remotegen%2fnothing")" "missing package"

  npm_consumer "$TMP/npm" "$base/"
  npm_install_and_run "$TMP/npm"
  grep -q '"GET /npm/@remotegen%2facme_alerts.bufbuild_es HTTP/1.1" 200' "$TMP/nginx/access.log" ||
    fail "npm did not ask for the packument: $(cat "$TMP/nginx/access.log")"

  # pnpm lets a project import only its direct dependencies: the program's three.
  npm_consumer "$TMP/pnpm" "$base/"
  (cd "$TMP/pnpm" && pnpm_cmd add --store-dir "$TMP/pnpm-store" "$ALERTS_PKG@1.1.1" "$WEATHER_PKG@1.1.1" \
    "@bufbuild/protobuf@$ES_VERSION" >"$TMP/pnpm.log" 2>&1) || fail "pnpm add: $(cat "$TMP/pnpm.log")"
  # alerts resolves weather as its own dependency, next to it in pnpm's store.
  ls -d "$TMP"/pnpm/node_modules/.pnpm/@remotegen+acme_alerts.bufbuild_es@1.1.1*/node_modules/$WEATHER_PKG \
    >/dev/null || fail "pnpm did not link the dependency package: $(ls "$TMP/pnpm/node_modules/.pnpm")"
  grep -q '"GET /npm/@remotegen%2Facme_alerts.bufbuild_es HTTP/1.1" 200' "$TMP/nginx/access.log" ||
    fail "pnpm did not ask for the packument: $(cat "$TMP/nginx/access.log")"
  assert_eq "$WANT_LINE" "$(node_program "$TMP/pnpm")" "program output (pnpm)"

  # tsc checks against the generated types: a wrong field type is an error.
  sed -i 's/text: "snow"/text: 42/' "$TMP/npm/main.ts"
  if (cd "$TMP/npm" && "$NODE24" "$ROOT/node_modules/typescript/bin/tsc" -p . >"$TMP/tsc2.log" 2>&1); then
    fail "tsc accepted a number for a string field"
  fi
  grep -q "TS2322" "$TMP/tsc2.log" || fail "tsc: $(cat "$TMP/tsc2.log")"

  rg verify
  assert_rc 0
  echo "note: npm and pnpm installed $ALERTS_PKG@1.1.1 with $WEATHER_PKG@1.1.1 from nginx"
}

# Deprecating and yanking npm versions: the packument changes, the tarballs never.
test_npm_deprecate_and_yank() {
  trap nginx_stop EXIT
  nginx_start "$STORE_DIR"
  local base="http://127.0.0.1:$NGINX_PORT/npm"
  npm_publish "$base/"
  # weather 1.1.2 (a second commit); alerts 1.1.1 depends on weather 1.1.1 exactly.
  push_example_with Alert text
  rg run --once
  assert_rc 0
  local w="$STORE_DIR/npm/$WEATHER_PKG" id1 id2 tgz_before
  id1=$(sql "SELECT g.id FROM generations g JOIN commits c ON c.id = g.commit_id JOIN modules m ON m.id = c.module_id WHERE m.name = 'weather' AND g.version = 'v1.1.1'")
  id2=$(sql "SELECT g.id FROM generations g JOIN commits c ON c.id = g.commit_id JOIN modules m ON m.id = c.module_id WHERE m.name = 'weather' AND g.version = 'v1.1.2'")
  tgz_before=$(sha256sum "$STORE_DIR/npm/-/$WEATHER_PKG-1.1.1.tgz")
  assert_eq "1.1.2" "$(jq -r '."dist-tags".latest' "$w")" "latest before"

  rg generation deprecate "$id1" --message "acme/weather 1.1.1 sends Celsius as text; use 1.1.2"
  assert_rc 0
  assert_out_has "deprecated npm $WEATHER_PKG 1.1.1"
  assert_eq "acme/weather 1.1.1 sends Celsius as text; use 1.1.2" "$(jq -r '.versions."1.1.1".deprecated' "$w")" "deprecated"
  npm_consumer "$TMP/npm" "$base/"
  (cd "$TMP/npm" && npm install --no-audit --no-fund "$WEATHER_PKG@1.1.1" >"$TMP/npm.log" 2>&1) ||
    fail "npm install of the deprecated version: $(cat "$TMP/npm.log")"
  grep -q "deprecated.*sends Celsius as text" "$TMP/npm.log" || fail "npm did not warn: $(cat "$TMP/npm.log")"

  rg generation yank "$id2" --reason "bad build"
  assert_rc 0
  assert_eq "1.1.1" "$(jq -r '."dist-tags".latest' "$w")" "latest after the yank"
  assert_eq '["1.1.1"]' "$(jq -c '.versions | keys' "$w")" "versions after the yank"
  # npm itself cached the packument (max-age 60 s; the consumer prefers its cache).
  (cd "$TMP/npm" && npm install --prefer-offline=false --prefer-online --no-audit --no-fund "$WEATHER_PKG@1.1.2" >"$TMP/npm2.log" 2>&1) &&
    fail "npm installed a yanked version by name"
  grep -q "ETARGET\|No matching version" "$TMP/npm2.log" || fail "npm: $(cat "$TMP/npm2.log")"
  # The tarball stays: a lock file that names it still installs.
  assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "$base/-/$WEATHER_PKG-1.1.2.tgz")" "yanked tarball"
  assert_eq "$tgz_before" "$(sha256sum "$STORE_DIR/npm/-/$WEATHER_PKG-1.1.1.tgz")" "tarball bytes"
  rg verify
  assert_rc 0
  jq -s -e "map(select(.Package == \"$WEATHER_PKG\" and .Version == \"1.1.1\" and .Deprecated != null and .Yanked == false)) | length == 1" \
    "$STORE_DIR/index/feed/marks.ndjson" >/dev/null || fail "marks: $(cat "$STORE_DIR/index/feed/marks.ndjson")"
  rg generation restore "$id1"
  assert_rc 0
  assert_eq "null" "$(jq -r '.versions."1.1.1".deprecated' "$w")" "deprecated after the restore"
}

# Behind a CDN: the packument is purged in each form npm and pnpm ask for it,
# so a version published after the CDN cached the packument installs at once.
test_npm_purge_through_a_cache() {
  trap 'cache_stop; nginx_stop' EXIT
  nginx_start "$STORE_DIR"
  cache_start "$NGINX_PORT" || fail "the caching proxy did not start"
  local cdn="http://127.0.0.1:$CACHE_PORT"
  npm_publish "$cdn/npm/"
  local enc="$cdn/npm/@remotegen%2facme_weather.bufbuild_es" ENC="$cdn/npm/@remotegen%2Facme_weather.bufbuild_es"
  npm_consumer "$TMP/npm" "$cdn/npm/"
  (cd "$TMP/npm" && npm install --no-audit --no-fund "$WEATHER_PKG@1.1.1" >"$TMP/npm.log" 2>&1) ||
    fail "npm install: $(cat "$TMP/npm.log")"
  assert_eq "1.1.1" "$(curl -s "$ENC" | jq -r '."dist-tags".latest')" "latest (pnpm's form)"
  push_example_with Alert text
  REMOTEGEN_PURGE_URL="$cdn/purge/" REMOTEGEN_PURGE_METHOD=GET rg run --once --log-level debug
  assert_rc 0
  assert_err_has "event=purged url=$cdn/purge/npm/$WEATHER_PKG status=200"
  assert_err_has "event=purged url=$cdn/purge/npm/@remotegen%2facme_weather.bufbuild_es status="
  assert_eq "1.1.2" "$(curl -s "$enc" | jq -r '."dist-tags".latest')" "latest through the cache (npm's form)"
  assert_eq "1.1.2" "$(curl -s "$ENC" | jq -r '."dist-tags".latest')" "latest through the cache (pnpm's form)"
  # npm keeps its own copy for max-age too; asked to revalidate, it installs the new version.
  (cd "$TMP/npm" && npm install --prefer-offline=false --prefer-online --no-audit --no-fund "$WEATHER_PKG@1.1.2" \
    >"$TMP/npm2.log" 2>&1) || fail "npm install of the new version: $(cat "$TMP/npm2.log")"
}

# verify --repair for npm: lost tarballs come back from generating again (their
# integrity equals the recorded one), packuments from the database.
test_npm_verify_repair_restores_a_lost_store() {
  npm_publish "http://127.0.0.1:9/npm/"
  cp -r "$STORE_DIR" "$TMP/before"
  rm -rf "$STORE_DIR/npm"
  rg verify
  assert_rc 1
  rg verify --repair
  assert_rc 0
  assert_out_has "repaired: generation 1 (@remotegen/acme_weather.bufbuild_es v1.1.1): files written again"
  assert_out_has "repaired: index files of npm:$WEATHER_PKG written from the database"
  assert_out_has "after the repair: "
  assert_out_has ", 0 problems"
  diff -r "$TMP/before" "$STORE_DIR" >"$TMP/diff.log" || fail "repaired store differs: $(head -c 1500 "$TMP/diff.log")"
}

# The package's files are the bytes protoc itself has protoc-gen-es write,
# with the same parameter (and, for the dependent module, the same rewrite).
test_npm_parity_with_protoc() {
  npm_publish "http://127.0.0.1:9/npm/"
  mkdir -p "$TMP/hand/weather" "$TMP/hand/alerts" "$TMP/pkg/weather" "$TMP/pkg/alerts"
  protoc --plugin=protoc-gen-es="$ROOT/ops/plugins/protoc-gen-es" --es_out="$TMP/hand/weather" \
    --es_opt="$ES_PARAM" -I "$ROOT/ops/example" acme/weather/v1/weather.proto
  protoc --plugin=protoc-gen-es="$ROOT/ops/plugins/protoc-gen-es" --es_out="$TMP/hand/alerts" \
    --es_opt="$ES_PARAM,rewrite_imports=./acme/weather/v1/weather_pb.js:$WEATHER_PKG" \
    -I "$TMP/alerts" -I "$ROOT/ops/example" acme/alerts/v1/alerts.proto
  tar xzf "$STORE_DIR/npm/-/$WEATHER_PKG-1.1.1.tgz" -C "$TMP/pkg/weather"
  tar xzf "$STORE_DIR/npm/-/$ALERTS_PKG-1.1.1.tgz" -C "$TMP/pkg/alerts"
  local m
  for m in weather alerts; do
    rm "$TMP/pkg/$m/package/package.json"
    diff -r "$TMP/hand/$m" "$TMP/pkg/$m/package" >"$TMP/diff.log" || fail "$m differs from protoc: $(head -c 2000 "$TMP/diff.log")"
    assert_eq 2 "$(find "$TMP/hand/$m" -type f | wc -l)" "files protoc wrote for $m"
  done
  grep -q "@generated by protoc-gen-es v$ES_VERSION" "$TMP/pkg/weather/package/acme/weather/v1/weather_pb.js" ||
    fail "not protoc-gen-es $ES_VERSION output"
}

# The same registry in an S3 bucket, read by npm and pnpm straight from the
# S3 server (S3 decodes %2f and %2F in the key as nginx does).
test_npm_and_pnpm_from_s3() {
  trap 's3_stop' EXIT
  s3_start npmreg
  export REMOTEGEN_STORE=s3://npmreg/store
  local base="http://127.0.0.1:$S3_PORT/npmreg/store/npm"
  npm_publish "$base/"
  local forever="public, max-age=31536000, immutable" short="public, max-age=60"
  assert_headers "$base/@remotegen%2facme_weather.bufbuild_es" application/json "$short"
  assert_headers "$base/@remotegen%2Facme_weather.bufbuild_es" application/json "$short"
  assert_headers "$base/-/$WEATHER_PKG-1.1.1.tgz" application/octet-stream "$forever"

  npm_consumer "$TMP/npm" "$base/"
  npm_install_and_run "$TMP/npm"
  npm_consumer "$TMP/pnpm" "$base/"
  (cd "$TMP/pnpm" && pnpm_cmd add --store-dir "$TMP/pnpm-store" "$ALERTS_PKG@1.1.1" "$WEATHER_PKG@1.1.1" \
    "@bufbuild/protobuf@$ES_VERSION" >"$TMP/pnpm.log" 2>&1) || fail "pnpm add: $(cat "$TMP/pnpm.log")"
  assert_eq "$WANT_LINE" "$(node_program "$TMP/pnpm")" "program output (pnpm)"
  rg verify
  assert_rc 0
  assert_out_has "6 objects, 0 problems"
}
