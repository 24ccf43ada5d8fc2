# The go command's module rules end to end: pushes of modules that would make
# unusable Go modules are refused, generations whose output breaks the rules
# fail for good naming the files and publish nothing, verify finds published
# zips the go command would refuse, and go.mod requires only what is imported.

MODROOT=gen.example.com/go

# proto_at DIR PATH PACKAGE: a one-message .proto file at DIR/PATH.
proto_at() {
  mkdir -p "$(dirname "$1/$2")"
  printf 'syntax = "proto3";\npackage %s;\nmessage M%s { string s = 1; }\n' "$3" "$RANDOM" >"$1/$2"
}

push_refused() {
  local name=$1 dir=$2 want=$3
  rg module push "$name" "$dir"
  assert_rc 2
  assert_err_has "$want"
}

test_push_refuses_modules_the_go_command_cannot_use() {
  rg migrate
  proto_at "$TMP/case" Foo/v1/a.proto foo.v1
  proto_at "$TMP/case" foo/v2/b.proto foo.v2
  push_refused acme/case "$TMP/case" 'foo/v2/b.proto: case-insensitive file name collision: "Foo" and "foo"'

  proto_at "$TMP/longs" "$(printf '\xc5\xbfa')/a.proto" sa.x
  proto_at "$TMP/longs" sa/b.proto sa.y
  push_refused acme/longs "$TMP/longs" "case-insensitive file name collision"

  proto_at "$TMP/euro" "wx€/v1/a.proto" wx.v1
  push_refused acme/euro "$TMP/euro" "invalid char U+20AC"

  proto_at "$TMP/vendored" vendor/acme/x/a.proto acme.x
  push_refused acme/vendored "$TMP/vendored" "vendor/acme/x/a.proto: file is in vendor directory"

  proto_at "$TMP/spaced" "my protos/a.proto" my.a
  push_refused acme/spaced "$TMP/spaced" "directory my protos cannot be part of a Go package path"

  # The same rules for a prebuilt image.
  (cd "$TMP/case" && protoc --include_imports --include_source_info -o "$TMP/case.binpb" Foo/v1/a.proto foo/v2/b.proto)
  rg module push acme/caseimage --image "$TMP/case.binpb"
  assert_rc 2
  assert_err_has "case-insensitive file name collision"

  # Several problems are named at once.
  proto_at "$TMP/many" "wx€/a.proto" wx
  proto_at "$TMP/many" vendor/x/b.proto x
  proto_at "$TMP/many" ok/c.proto ok
  push_refused acme/many "$TMP/many" "2 files break the go command's module rules"
  assert_err_has "vendor/x/b.proto"

  assert_eq 0 "$(sql "SELECT count(*) FROM commits")" "commits recorded"
  # A module whose names are fine is accepted.
  proto_at "$TMP/fine" "caf/v1/a.proto" caf.v1
  rg module push acme/fine "$TMP/fine"
  assert_rc 0
}

test_generation_breaking_the_rules_fails_for_good_and_publishes_nothing() {
  rg migrate
  rg plugin add acme/collide v1 --exec "$TOOLS/testplugin"
  rg template create acme/collide --plugin "acme/collide=files=Foo/v1/a.txt|foo/v2/b.txt|ok/c.txt"
  rg template version acme/collide --plugin acme/collide:v1
  rg plugin add acme/vendors v1 --exec "$TOOLS/testplugin"
  rg template create acme/vendors --plugin "acme/vendors=files=vendor/x/a.go|sub/go.mod|sub/b.go"
  rg template version acme/vendors --plugin acme/vendors:v1
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once
  assert_rc 1
  local e
  e=$(sql "SELECT g.state || ' ' || g.attempts || ' ' || g.last_error FROM generations g
           JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id
           WHERE t.name = 'collide'")
  case "$e" in
    "failed 1 "*'foo/v2/b.txt: case-insensitive file name collision: "Foo" and "foo"'*) ;;
    *) fail "collide: $e" ;;
  esac
  e=$(sql "SELECT g.state || ' ' || g.attempts || ' ' || g.last_error FROM generations g
           JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id
           WHERE t.name = 'vendors'")
  for want in "failed 1 " "3 files break" "vendor/x/a.go: file is in vendor directory" \
              "sub/go.mod: file is in another module" "sub/b.go: file is in another module"; do
    case "$e" in *"$want"*) ;; *) fail "vendors: no \"$want\" in: $e" ;; esac
  done
  assert_no_file "$STORE_DIR/$MODROOT/acme/collide/acme/weather/@v/v1.1.1.zip"
  assert_no_file "$STORE_DIR/$MODROOT/acme/vendors/acme/weather/@v/list"
  rg status
  assert_out_has "foo/v2/b.txt"
  rg verify
  assert_rc 0
}

test_verify_finds_published_zips_the_go_command_refuses() {
  publish_example
  local mod=$MODROOT/protocolbuffers/go/acme/weather zip
  zip="$STORE_DIR/$mod/@v/v1.1.1.zip"
  # What an older remotegen could have published: a collision of directories,
  # recorded in the database with its own (matching) hash.
  mkdir -p "$TMP/bad/$mod@v1.1.1/Foo" "$TMP/bad/$mod@v1.1.1/foo"
  echo "module $mod" >"$TMP/bad/$mod@v1.1.1/go.mod"
  echo a >"$TMP/bad/$mod@v1.1.1/Foo/a.txt"
  echo b >"$TMP/bad/$mod@v1.1.1/foo/b.txt"
  (cd "$TMP/bad" && zip -qrD "$TMP/bad.zip" "$mod@v1.1.1")
  chmod u+w "$zip" 2>/dev/null || true
  cp "$TMP/bad.zip" "$zip"
  sql "UPDATE generations SET zip_hash = '$("$TOOLS/modtool" h1 "$TMP/bad.zip")'"
  rg verify
  assert_rc 1
  assert_out_has "unusable: $mod/@v/v1.1.1.zip"
  assert_out_has "case-insensitive file name collision"
  grep -q "hash mismatch" "$OUT" && fail "the hash was meant to match: $(cat "$OUT")"
  true
}

test_go_mod_requires_only_what_the_code_imports() {
  rg migrate
  rg plugin add protocolbuffers/go v1.28.1 --exec /usr/bin/protoc-gen-go \
    --go-dep google.golang.org/protobuf@v1.28.1 --go-min-version 1.19
  rg plugin add grpc/go v1.2.0 --exec /usr/bin/protoc-gen-go-grpc --go-dep google.golang.org/grpc@v1.33.3
  rg template create acme/gogrpc --plugin protocolbuffers/go --plugin grpc/go
  rg template version acme/gogrpc --plugin protocolbuffers/go:v1.28.1 --plugin grpc/go:v1.2.0
  rg module push acme/weather "$ROOT/ops/example"        # has a service
  proto_at "$TMP/plain" acme/plain/v1/plain.proto acme.plain.v1
  rg module push acme/plain "$TMP/plain"                   # messages only
  rg run --once
  assert_rc 0
  local base="$STORE_DIR/$MODROOT/acme/gogrpc/acme"
  grep -q "google.golang.org/grpc v1.33.3" "$base/weather/@v/v1.1.1.mod" || fail "weather: $(cat "$base/weather/@v/v1.1.1.mod")"
  grep -q "google.golang.org/protobuf v1.28.1" "$base/weather/@v/v1.1.1.mod" || fail "weather: $(cat "$base/weather/@v/v1.1.1.mod")"
  assert_eq "module $MODROOT/acme/gogrpc/acme/plain

go 1.19

require google.golang.org/protobuf v1.28.1" "$(cat "$base/plain/@v/v1.1.1.mod")" "go.mod without grpc"
  unzip -l "$base/plain/@v/v1.1.1.zip" >"$TMP/listing"
  grep -q _grpc.pb.go "$TMP/listing" && fail "a grpc file for a module without services"
  true
}
