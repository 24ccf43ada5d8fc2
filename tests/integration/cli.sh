# Command-line validation: bad input gets a clear message naming the object,
# exit status 2, and nothing is written.

rows() {
  sql "SELECT (SELECT count(*) FROM modules) || '/' || (SELECT count(*) FROM commits) || '/' ||
              (SELECT count(*) FROM plugins) || '/' || (SELECT count(*) FROM plugin_versions) || '/' ||
              (SELECT count(*) FROM templates) || '/' || (SELECT count(*) FROM template_versions)"
}

test_help_everywhere() {
  for c in "" migrate module plugin template run status verify; do
    rg $c --help
    assert_rc 0
    assert_out_has "usage: remotegen"
  done
  rg nosuchcommand
  assert_rc 2
  assert_err_has 'unknown command "nosuchcommand"'
  rg run --workers 0
  assert_rc 2
  assert_err_has "--workers 0"
  rg --version
  assert_rc 0
  # "remotegen <git describe of the build>", the same as `version`
  grep -Eq '^remotegen ([0-9a-f]{7,}|v[0-9][^ ]*)(-dirty)?$' "$OUT" || fail "version: $(cat "$OUT")"
  local v
  v=$(cat "$OUT")
  rg version
  assert_eq "$v" "$(cat "$OUT")" "remotegen version"
}

test_invalid_names() {
  rg migrate
  before=$(rows)
  for bad in "acme" "acme/weather/extra" "ac me/weather" "acme/-weather" "acme/v2" "acme/wea..ther" "/weather"; do
    rg module push "$bad" "$ROOT/ops/example"
    assert_rc 2
    assert_err_has "invalid module name \"$bad\""
  done
  rg plugin add "bad name/go" v1 --exec /usr/bin/protoc-gen-go
  assert_rc 2
  assert_err_has 'invalid plugin name "bad name/go"'
  rg plugin add protocolbuffers/go "v1 beta" --exec /usr/bin/protoc-gen-go
  assert_rc 2
  assert_err_has 'invalid plugin version "v1 beta"'
  rg template create "x/y/z" --plugin a/b
  assert_rc 2
  assert_err_has 'invalid template name "x/y/z"'
  assert_eq "$before" "$(rows)" "rows after bad names"
}

test_directory_without_protos() {
  rg migrate
  mkdir -p "$TMP/empty/sub"
  echo "not a proto" >"$TMP/empty/sub/README"
  rg module push acme/empty "$TMP/empty"
  assert_rc 2
  assert_err_has "module acme/empty"
  assert_err_has "holds no .proto files"
  rg module push acme/empty "$TMP/does-not-exist"
  assert_rc 2
  assert_err_has "is not a directory"
  assert_eq "0/0/0/0/0/0" "$(rows)" "rows"
}

test_proto_that_does_not_compile() {
  rg migrate
  mkdir -p "$TMP/bad/acme"
  printf 'syntax = "proto3";\npackage acme;\nmessage X { strin name = 1; }\n' >"$TMP/bad/acme/x.proto"
  rg module push acme/bad "$TMP/bad"
  assert_rc 2
  assert_err_has "module acme/bad"
  assert_err_has "protoc failed"
  assert_err_has "acme/x.proto:3"
  printf 'syntax = "proto3";\nimport "missing/dep.proto";\n' >"$TMP/bad/acme/x.proto"
  rg module push acme/bad "$TMP/bad"
  assert_rc 2
  assert_err_has "missing/dep.proto"
  assert_eq "0/0/0/0/0/0" "$(rows)" "rows"
}

test_unknown_plugin_and_versions() {
  rg migrate
  rg template create acme/tmpl --plugin nobody/nothing
  assert_rc 2
  assert_err_has "unknown plugin nobody/nothing"
  assert_eq "0/0/0/0/0/0" "$(rows)" "rows"
  rg plugin add protocolbuffers/go v1.28.1 --exec /usr/bin/protoc-gen-go
  assert_rc 0
  rg plugin add protocolbuffers/go v1.28.1 --exec /usr/bin/protoc-gen-go
  assert_rc 2
  assert_err_has "plugin protocolbuffers/go version v1.28.1 already exists"
  rg plugin add acme/missing v1 --exec "$TMP/no-such-binary"
  assert_rc 2
  assert_err_has "is not an executable file"
  rg plugin add acme/both v1 --exec /usr/bin/protoc-gen-go --image docker.io/x
  assert_rc 2
  assert_err_has "exactly one of --exec PATH or --image REF"
  rg plugin add acme/rt v1 --exec /usr/bin/protoc-gen-go --runtime wasm
  assert_rc 2
  assert_err_has "unknown runtime wasm"
  rg plugin add acme/gomin v1 --exec /usr/bin/protoc-gen-go --go-min-version go1.19
  assert_rc 2
  assert_err_has "invalid Go version go1.19"
  rg template create acme/tmpl --plugin protocolbuffers/go
  assert_rc 0
  rg template create acme/tmpl --plugin protocolbuffers/go
  assert_rc 2
  assert_err_has "template acme/tmpl already exists"
  rg template version acme/tmpl --plugin protocolbuffers/go:v9.9.9
  assert_rc 2
  assert_err_has "unknown version v9.9.9 of plugin protocolbuffers/go"
  rg template version acme/nothere --plugin protocolbuffers/go:v1.28.1
  assert_rc 2
  assert_err_has "unknown template acme/nothere"
  rg template version acme/tmpl --plugin other/plugin:v1
  assert_rc 2
  assert_err_has "does not use plugin other/plugin"
  assert_eq "0/0/1/1/1/0" "$(rows)" "rows"
  rg template version acme/tmpl --plugin protocolbuffers/go:v1.28.1
  assert_rc 0
  assert_eq "v1" "$(cat "$OUT")" "printed version"
  rg template version acme/tmpl --plugin protocolbuffers/go:v1.28.1
  assert_eq "v2" "$(cat "$OUT")" "printed version"
}

test_bad_dependency() {
  rg migrate
  rg module push acme/weather "$ROOT/ops/example" --dep acme/nothing
  assert_rc 2
  assert_err_has "dependency acme/nothing: no such module"
  rg module push acme/weather "$ROOT/ops/example" --dep acme/weather:x
  assert_rc 2
  assert_err_has "the sequence must be a positive number"
  assert_eq "0/0/0/0/0/0" "$(rows)" "rows"
}

test_plugin_template_and_module_listings() {
  rg migrate
  rg plugin add acme/a v1 --exec "$TOOLS/testplugin" --runtime exec --per-file
  rg plugin add acme/a v2 --exec "$TOOLS/testplugin" --runtime exec
  rg plugin add acme/b v1 --exec "$TOOLS/testplugin" --go-dep google.golang.org/protobuf@v1.28.1
  rg template create acme/t --plugin acme/a=x=1 --plugin acme/b
  rg template version acme/t --plugin acme/a:v1 --plugin acme/b:v1
  rg template version acme/t --plugin acme/a:v2 --plugin acme/b:v1
  rg module push acme/dep "$ROOT/ops/example"
  rg module push acme/weather "$ROOT/ops/example" --dep acme/dep
  rg plugin list
  assert_rc 0
  assert_out_has "PLUGIN"
  assert_eq 4 "$(wc -l <"$OUT")" "header and three plugin versions"
  rg plugin list --json
  assert_eq "acme/a v1 exec true|acme/a v2 exec false|acme/b v1 bwrap false" \
    "$(jq -r '[.plugins[] | "\(.plugin) \(.version) \(.runtime) \(.per_file)"] | join("|")' "$OUT")" "plugins"
  assert_eq "google.golang.org/protobuf@v1.28.1" "$(jq -r '.plugins[2].go_deps' "$OUT")" "go deps"
  assert_eq 120000 "$(jq '.plugins[0].timeout_ms' "$OUT")" "typed numbers"
  rg template list --json
  assert_eq "acme/t|acme/a=x=1 acme/b|v2" "$(jq -r '.templates[0] | "\(.template)|\(.plugins)|\(.latest_version)"' "$OUT")" "templates"
  rg template show acme/T --json
  assert_eq "v1 acme/a:v1 acme/b:v1|v2 acme/a:v2 acme/b:v1" \
    "$(jq -r '[.versions[] | "\(.version) \(.plugins)"] | join("|")' "$OUT")" "template versions"
  rg template show acme/nosuch
  assert_rc 2
  assert_err_has "template acme/nosuch: no such template"
  rg module list --json
  assert_eq "acme/dep 1|acme/weather 1" "$(jq -r '[.modules[] | "\(.module) \(.commits)"] | join("|")' "$OUT")" "modules"
  rg module show acme/weather
  assert_rc 0
  assert_out_has "acme/dep:1"
  rg module show acme/weather --json
  jq -e '.commits[0].digest | startswith("sha256:")' "$OUT" >/dev/null || fail "digest: $(cat "$OUT")"
  rg module show acme/nosuch
  assert_rc 2
  assert_err_has "module acme/nosuch: no such module"
}

# SIGTERM while a push compiles: protoc (and its children) stop, its temporary
# directory goes, nothing is recorded; they used to be left behind.
test_sigterm_during_module_push_leaves_nothing() {
  rg migrate
  mkdir -p "$TMP/tmpdir"
  printf '#!/bin/sh\ncase "$1" in --version) exec /usr/bin/protoc --version ;; esac\nsleep 30 &\necho $! >%s\nwait\n' \
    "$TMP/child.pid" >"$TMP/slowprotoc"
  chmod 755 "$TMP/slowprotoc"
  TMPDIR="$TMP/tmpdir" REMOTEGEN_PROTOC="$TMP/slowprotoc" "$REMOTEGEN" module push acme/weather "$ROOT/ops/example" \
    >"$TMP/push.out" 2>"$TMP/push.err" &
  local pid=$! i rc=0
  for i in $(seq 1 50); do [ -s "$TMP/child.pid" ] && break; sleep 0.1; done
  [ -s "$TMP/child.pid" ] || fail "protoc did not start: $(cat "$TMP/push.err")"
  kill -TERM "$pid"
  for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { kill -9 "$pid"; fail "push still runs 3 s after SIGTERM"; }
  wait "$pid" || rc=$?
  assert_eq 2 "$rc" "exit status"
  grep -q "interrupted while protoc compiled" "$TMP/push.err" || fail "stderr: $(cat "$TMP/push.err")"
  assert_eq "" "$(ls -A "$TMP/tmpdir")" "temporary files left"
  local child
  child=$(cat "$TMP/child.pid")
  sleep 0.2
  if [ -e "/proc/$child" ] && [ "$(awk '{print $3}' "/proc/$child/stat")" != Z ]; then
    kill -9 "$child"
    fail "protoc's child still runs"
  fi
  assert_eq 0 "$(sql "SELECT count(*) FROM commits")" "commits"
}
