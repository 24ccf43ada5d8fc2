# The npm pipeline against PostgreSQL and the file store: versions and the
# packument over commits and template versions, immutable tarballs (a retry
# writes the same bytes, a different tarball is never overwritten), handing
# work back without an npm URL, refusals, the feed and verify.

. "$ROOT/tests/lib/npmenv.sh"

PKG=$WEATHER_PKG
URL=http://127.0.0.1:9/npm/

es_setup() {
  export REMOTEGEN_NPM_URL=$URL
  rg migrate
  setup_es_template
  rg module push acme/weather "$ROOT/ops/example"
  assert_rc 0
}

# es_published: es_setup, then the first run publishes 1.1.1.
es_published() {
  es_setup
  rg run --once
  assert_rc 0
}

tarball() { echo "$STORE_DIR/npm/-/$PKG-$1.tgz"; }
sum_of() { sha256sum "$1" | cut -d' ' -f1; }

test_npm_versions_latest_and_immutable_tarballs() {
  es_published
  local t1 sum1
  t1=$(tarball 1.1.1)
  sum1=$(sum_of "$t1")
  # A second commit, then a second template version (same plugin): 1.1.2, then 1.2.2.
  cp -r "$ROOT/ops/example" "$TMP/src2"
  sed -i 's/string city = 1;/string city = 1;\n  string country = 5;/' "$TMP/src2/acme/weather/v1/weather.proto"
  rg module push acme/weather "$TMP/src2"
  rg run --once
  assert_rc 0
  rg template version bufbuild/es --plugin "bufbuild/es:v$ES_VERSION"
  rg run --once
  assert_rc 0
  local doc="$STORE_DIR/npm/$PKG"
  assert_eq "1.1.1 1.1.2 1.2.2" "$(jq -r '.versions | keys_unsorted | join(" ")' "$doc")" "versions"
  assert_eq "1.2.2" "$(jq -r '."dist-tags".latest' "$doc")" "latest"
  assert_eq "created modified 1.1.1 1.1.2 1.2.2" "$(jq -r '.time | keys_unsorted | join(" ")' "$doc")" "time"
  assert_eq "$sum1" "$(sum_of "$t1")" "1.1.1's tarball after later publishes"
  tar xzf "$(tarball 1.1.2)" -C "$TMP" package/acme/weather/v1/weather_pb.d.ts
  grep -q "country: string" "$TMP/package/acme/weather/v1/weather_pb.d.ts" || fail "1.1.2 lacks the new field"
  # The feed has a line per package version.
  grep -q "\"Seq\":3,\"Package\":\"$PKG\",\"Version\":\"1.2.2\",.*\"Integrity\":\"sha512-" \
    "$STORE_DIR/index/feed/head.ndjson" || fail "feed: $(cat "$STORE_DIR/index/feed/head.ndjson")"
  rg verify
  assert_rc 0
  assert_out_has "6 objects, 0 problems"
}

# A generation published again (its record lost) builds the same tarball bytes
# in a new process, so the immutable write succeeds; different bytes never replace it.
test_npm_retry_same_bytes_conflict_never_overwrites() {
  es_published
  local t sum
  t=$(tarball 1.1.1)
  sum=$(sum_of "$t")
  sql "UPDATE generations SET state = 'pending', package = NULL, package_kind = NULL, manifest = NULL, integrity = NULL, shasum = NULL, attempts = 0"
  rg run --once
  assert_rc 0
  assert_eq "published" "$(sql "SELECT state FROM generations")" "after the second build"
  assert_eq "$sum" "$(sum_of "$t")" "tarball"

  echo "not the package" >"$t"
  sql "UPDATE generations SET state = 'pending', attempts = 0"
  rg run --once
  assert_rc 1
  assert_err_has "npm/-/$PKG-1.1.1.tgz"
  assert_eq "failed|1" "$(sql "SELECT state || '|' || attempts FROM generations")" "generation after a conflict"
  assert_eq "not the package" "$(cat "$t")" "the object in the store"
  rg verify
  assert_rc 1
  assert_out_has "npm/-/$PKG-1.1.1.tgz"
}

test_npm_without_url_hands_work_back() {
  es_setup
  unset REMOTEGEN_NPM_URL
  rg run --once
  assert_rc 1
  assert_err_has "REMOTEGEN_NPM_URL"
  assert_eq "pending|0" "$(sql "SELECT state || '|' || attempts FROM generations")" "generation"
  assert_no_file "$STORE_DIR/npm/$PKG"
  rg run --once --npm-url "$URL"
  assert_rc 0
  assert_file "$STORE_DIR/npm/$PKG"
  rg verify
  assert_rc 1
  assert_err_has "verify needs the URL"
  rg verify --npm-url "$URL"
  assert_rc 0
  # Another URL: every packument links elsewhere, so it is stale.
  rg verify --npm-url http://cdn.example.com/npm/
  assert_rc 1
  assert_out_has "stale index: npm/$PKG"
}

test_npm_scope_and_refusals() {
  rg migrate
  rg plugin add t/npm v1 --exec "$TOOLS/testplugin" --npm-dep "Bad@1"
  assert_rc 2
  assert_err_has "invalid npm package name \"Bad\""
  rg plugin add t/npm v1 --exec "$TOOLS/testplugin" --npm-dep "@bufbuild/protobuf"
  assert_rc 2
  assert_err_has "expected NAME@RANGE"
  rg plugin add t/npm v1 --exec "$TOOLS/testplugin" --npm-dep "x@1" --go-dep google.golang.org/protobuf@v1.28.1
  assert_rc 2
  assert_err_has "not both"
  rg plugin add t/npm v1 --exec "$TOOLS/testplugin" --runtime exec --ro-path /usr
  assert_rc 2
  assert_err_has "--ro-path is for runtime bwrap"
  rg plugin add t/npm v1 --exec "$TOOLS/testplugin" --ro-path "$TMP/nothing"
  assert_rc 2
  assert_err_has "no such file"
  assert_eq 0 "$(sql "SELECT count(*) FROM plugin_versions")" "plugin versions after refusals"

  # One template version publishes one kind of output.
  setup_go_template
  rg plugin add t/npm v1 --exec "$TOOLS/testplugin" --npm-dep "x@^1"
  assert_rc 0
  rg template create t/mixed --plugin protocolbuffers/go --plugin t/npm
  assert_rc 0
  rg template version t/mixed --plugin "protocolbuffers/go:$GO_PLUGIN_VERSION" --plugin t/npm:v1
  assert_rc 2
  assert_err_has "plugin protocolbuffers/go generates Go modules and plugin t/npm npm packages; a template version publishes one kind of package"

  # A plugin that writes package.json fails for good; the scope is configurable.
  rg template create t/pkgjson --plugin "t/npm=files=package.json|a.js"
  rg template version t/pkgjson --plugin t/npm:v1
  rg template create t/plain --plugin "t/npm"
  rg template version t/plain --plugin t/npm:v1
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once --npm-scope "My" --npm-url "$URL"
  assert_rc 2
  assert_err_has "invalid npm scope"
  rg run --once --npm-scope my-co --npm-url "$URL"
  assert_rc 1
  assert_err_has "generated package.json, which remotegen writes itself"
  assert_eq "failed|1" "$(sql "SELECT g.state || '|' || g.attempts FROM generations g JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id WHERE t.name = 'pkgjson'")" "package.json generation"
  assert_file "$STORE_DIR/npm/@my-co/acme_weather.t_plain"
  assert_no_file "$STORE_DIR/npm/@my-co/acme_weather.t_pkgjson"
  # The package holds the plugin's file and the plugin's runtime package as a peer.
  tar xzf "$STORE_DIR/npm/-/@my-co/acme_weather.t_plain-1.1.1.tgz" -C "$TMP"
  assert_file "$TMP/package/acme/weather/v1/weather.proto.txt"
  assert_eq "^1" "$(jq -r '.peerDependencies.x' "$TMP/package/package.json")" "peer dependency"
}

# acme_x/y and acme/x_y would both be acme_x_y.t_plain. Such names can no longer
# be created (next test), but a registry may hold them from before that rule: the
# second pair is refused before it writes anything, and the first pair's
# packument keeps its versions.
test_npm_package_names_that_collide() {
  rg migrate
  rg plugin add t/npm v1 --exec "$TOOLS/testplugin" --npm-dep "x@^1"
  rg template create t/plain --plugin t/npm
  rg template version t/plain --plugin t/npm:v1
  sql "INSERT INTO modules (owner, name) VALUES ('acme_x', 'y'), ('acme', 'x_y')" >/dev/null
  rg module push acme_x/y "$ROOT/ops/example"
  assert_rc 0
  rg run --once --npm-url "$URL"
  assert_rc 0
  local doc="$STORE_DIR/npm/@remotegen/acme_x_y.t_plain" before
  before=$(cat "$doc")
  rg module push acme/x_y "$ROOT/ops/example"
  rg run --once --npm-url "$URL"
  assert_rc 1
  assert_err_has "npm package @remotegen/acme_x_y.t_plain is already the package of module acme_x/y with template t/plain"
  assert_eq "failed|1" "$(sql "SELECT g.state || '|' || g.attempts FROM generations g JOIN commits c ON c.id = g.commit_id JOIN modules m ON m.id = c.module_id WHERE m.owner = 'acme'")" "the second pair"
  assert_eq "$before" "$(cat "$doc")" "packument"
  rg verify --npm-url "$URL"
  assert_rc 0
}

# New module and template names hold no '_' or '.', the characters that join
# the parts of an npm package name, so my_org/api cannot take the package of
# my/org_api (or the reverse): refused before anything is written. A module
# registered before the rule is still pushed to.
test_npm_names_of_new_modules_are_injective() {
  rg migrate
  rg module push my_org/api "$ROOT/ops/example"
  assert_rc 2
  assert_err_has "invalid module name \"my_org/api\": '_' is not allowed in a new name"
  rg module push my/org.api "$ROOT/ops/example"
  assert_rc 2
  assert_err_has "'.' is not allowed in a new name"
  rg template create t/x_y --plugin t/npm
  assert_rc 2
  assert_err_has "invalid template name \"t/x_y\": '_' is not allowed in a new name"
  assert_eq "0|0|0" "$(sql "SELECT (SELECT count(*) FROM modules) || '|' || (SELECT count(*) FROM commits) || '|' || (SELECT count(*) FROM templates)")" "rows after the refusals"
  sql "INSERT INTO modules (owner, name) VALUES ('my_org', 'api')" >/dev/null
  rg module push my_org/api "$ROOT/ops/example"
  assert_rc 0
  assert_eq "1" "$(sql "SELECT count(*) FROM commits")" "commits of the module from before the rule"
  rg module push my-org/api "$ROOT/ops/example"
  assert_rc 0
}
