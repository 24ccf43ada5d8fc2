# The pipeline against a real PostgreSQL, with real protoc and protoc-gen-go,
# publishing into a file:// store.

MOD=gen.example.com/go/protocolbuffers/go/acme/weather

test_push_template_run_status() {
  rg migrate
  setup_go_template
  rg module push acme/weather "$ROOT/ops/example"
  assert_rc 0
  assert_out_has "acme/weather commit 1"
  assert_eq "acme/weather/v1/weather.proto" "$(sql "SELECT array_to_string(own_files, ',') FROM commits")" "own files"
  assert_eq "3.21.12" "$(sql "SELECT protoc_version FROM commits")" "protoc version"
  rg run --once --workers 2
  assert_rc 0
  assert_err_has "event=published"
  d="$STORE_DIR/$MOD"
  for f in "@v/v1.1.1.zip" "@v/v1.1.1.mod" "@v/v1.1.1.info" "@v/list" "@latest"; do assert_file "$d/$f"; done
  assert_eq "v1.1.1" "$(cat "$d/@v/list")" "list"
  assert_eq '{"Version":"v1.1.1","Time":"'"$(sql "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM commits")"'"}' "$(cat "$d/@latest")" "@latest"
  cmp "$d/@v/v1.1.1.info" "$d/@latest" || fail ".info and @latest differ"
  printf 'module %s\n\ngo 1.19\n\nrequire google.golang.org/protobuf v1.28.1\n' "$MOD" >"$TMP/want.mod"
  cmp "$TMP/want.mod" "$d/@v/v1.1.1.mod" || fail "go.mod differs: $(cat "$d/@v/v1.1.1.mod")"
  unzip -Z1 "$d/@v/v1.1.1.zip" | sort >"$TMP/entries"
  printf '%s\n' "$MOD@v1.1.1/acme/weather/v1/weather.pb.go" "$MOD@v1.1.1/go.mod" >"$TMP/want.entries"
  cmp "$TMP/want.entries" "$TMP/entries" || fail "zip entries: $(cat "$TMP/entries")"
  unzip -p "$d/@v/v1.1.1.zip" "$MOD@v1.1.1/acme/weather/v1/weather.pb.go" >"$TMP/weather.pb.go"
  grep -q '^package weatherv1$' "$TMP/weather.pb.go" || fail "generated package name"
  unzip -p "$d/@v/v1.1.1.zip" "$MOD@v1.1.1/go.mod" | cmp - "$d/@v/v1.1.1.mod" || fail "zip go.mod differs from .mod"
  assert_eq "published|1" "$(sql "SELECT state || '|' || attempts FROM generations")" "generation"
  rg status
  assert_rc 0
  assert_out_has "pending=0 running=0 published=1 failed=0"
  rg status --json
  assert_rc 0
  assert_out_has '"generations":{"pending":0,"running":0,"published":1,"failed":0}'
}

test_second_run_with_nothing_new_does_nothing() {
  publish_example
  find "$STORE_DIR" -type f -printf '%P %s %T@\n' | sort >"$TMP/before"
  gens=$(sql "SELECT count(*) || ':' || max(finished_at) FROM generations")
  sleep 1
  rg run --once
  assert_rc 0
  if grep -q "event=published\|event=claimed\|event=enqueued" "$ERR"; then fail "second run did work: $(cat "$ERR")"; fi
  find "$STORE_DIR" -type f -printf '%P %s %T@\n' | sort >"$TMP/after"
  cmp "$TMP/before" "$TMP/after" || fail "the store changed"
  assert_eq "$gens" "$(sql "SELECT count(*) || ':' || max(finished_at) FROM generations")" "generations"
  # Pushing identical content records no new commit and so generates nothing.
  rg module push acme/weather "$ROOT/ops/example"
  assert_rc 0
  assert_out_has "commit 1 unchanged"
  rg run --once
  assert_rc 0
  assert_eq 1 "$(sql "SELECT count(*) FROM generations")" "generations"
}

test_new_commit_and_new_template_version() {
  rg migrate
  setup_go_template
  rg module push acme/weather "$ROOT/ops/example"
  cp -r "$ROOT/ops/example" "$TMP/src"
  printf 'message Extra { string note = 1; }\n' >>"$TMP/src/acme/weather/v1/weather.proto"
  rg module push acme/weather "$TMP/src"
  assert_out_has "acme/weather commit 2"
  rg run --once
  assert_rc 0
  # A new commit is generated with the latest template version; commit 1 stays ungenerated
  # only if it was pushed after... both were pushed before the first run: both are new commits.
  assert_eq "v1.1.1
v1.1.2" "$(cat "$STORE_DIR/$MOD/@v/list")" "list"
  # A new template version: generated for the latest commit only.
  rg template version protocolbuffers/go --plugin "protocolbuffers/go:$GO_PLUGIN_VERSION"
  assert_eq v2 "$(cat "$OUT")"
  rg run --once
  assert_rc 0
  assert_eq "v1.1.1
v1.1.2
v1.2.2" "$(cat "$STORE_DIR/$MOD/@v/list")" "list"
  grep -q '"Version":"v1.2.2"' "$STORE_DIR/$MOD/@latest" || fail "@latest: $(cat "$STORE_DIR/$MOD/@latest")"
  assert_eq 3 "$(sql "SELECT count(*) FROM generations WHERE state = 'published'")" "published"
}

test_plugin_error_fails_generation() {
  rg migrate
  setup_go_template
  rg plugin add acme/failer v1 --exec "$TOOLS/testplugin"
  rg template create acme/broken --plugin "acme/failer=error"
  rg template version acme/broken --plugin acme/failer:v1
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once --max-attempts 3
  assert_rc 1
  assert_err_has "event=failed"
  assert_err_has "testplugin: failing as asked"
  # The plugin's own error is permanent: one attempt, no retry.
  assert_eq "failed|1" "$(sql "SELECT g.state || '|' || g.attempts FROM generations g JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id WHERE t.name = 'broken'")" "broken generation"
  # The healthy template in the same run still published.
  assert_file "$STORE_DIR/$MOD/@v/v1.1.1.zip"
  assert_no_file "$STORE_DIR/gen.example.com/go/acme/broken/acme/weather"
  rg status
  assert_out_has "failed=1"
  assert_out_has "plugin acme/failer:v1: testplugin: failing as asked"
  rg status --json
  assert_out_has '"error":"plugin acme/failer:v1: testplugin: failing as asked (parameter error)"'
}

test_crashing_plugin_is_retried_then_fails() {
  rg migrate
  rg plugin add acme/crasher v1 --exec "$TOOLS/testplugin"
  rg template create acme/crash --plugin "acme/crasher=crash"
  rg template version acme/crash --plugin acme/crasher:v1
  rg module push acme/weather "$ROOT/ops/example"
  REMOTEGEN_RETRY_BASE_MS=50 rg run --once --max-attempts 3
  assert_rc 1
  assert_err_has "event=retry_scheduled"
  assert_err_has "killed by signal 6"
  assert_eq "failed|3" "$(sql "SELECT state || '|' || attempts FROM generations")" "generation"
  assert_eq 2 "$(grep -c 'event=retry_scheduled' "$ERR")" "retries"
}

test_invalid_plugin_output_fails() {
  rg migrate
  rg plugin add acme/garbage v1 --exec "$TOOLS/testplugin"
  rg template create acme/garbage --plugin "acme/garbage=garbage"
  rg template version acme/garbage --plugin acme/garbage:v1
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once
  assert_rc 1
  assert_err_has "not a valid CodeGeneratorResponse"
  assert_no_file "$STORE_DIR/gen.example.com/go/acme/garbage/acme/weather/@v/list"
}

test_push_prebuilt_image() {
  rg migrate
  setup_go_template
  (cd "$ROOT/ops/example" && protoc --include_imports --include_source_info \
    --descriptor_set_out="$TMP/image.bin" acme/weather/v1/weather.proto)
  rg module push acme/weather --image "$TMP/image.bin"
  assert_rc 0
  assert_out_has "commit 1"
  # Own files exclude the well-known types the image carries.
  assert_eq "acme/weather/v1/weather.proto" "$(sql "SELECT array_to_string(own_files, ',') FROM commits")" "own files"
  rg run --once
  assert_rc 0
  assert_file "$STORE_DIR/$MOD/@v/v1.1.1.zip"
  printf 'not an image' >"$TMP/bad.bin"
  rg module push acme/other --image "$TMP/bad.bin"
  assert_rc 2
  assert_err_has "module acme/other: the image is not a valid FileDescriptorSet"
  assert_eq 1 "$(sql "SELECT count(*) FROM commits")" "commits"
}

test_refuses_to_overwrite_published_files() {
  rg migrate
  setup_go_template
  rg module push acme/weather "$ROOT/ops/example"
  # Someone left different bytes where v1.1.1's zip goes.
  mkdir -p "$STORE_DIR/$MOD/@v"
  printf 'tampered' >"$STORE_DIR/$MOD/@v/v1.1.1.zip"
  rg run --once
  assert_rc 1
  assert_err_has "refusing to overwrite"
  assert_eq tampered "$(cat "$STORE_DIR/$MOD/@v/v1.1.1.zip")" "zip"
  assert_no_file "$STORE_DIR/$MOD/@v/list"
  assert_eq failed "$(sql "SELECT state FROM generations")" "state"
}

test_retry_keeps_a_zip_of_the_same_files_compressed_otherwise() {
  publish_example
  # A process of another build (another deflate level) uploaded the zip and died before
  # recording it: the same files, other bytes. The retry keeps that zip.
  local zip="$STORE_DIR/$MOD/@v/v1.1.1.zip" h1
  h1=$(sql "SELECT zip_hash FROM generations")
  mkdir -p "$TMP/x" && (cd "$TMP/x" && unzip -q "$zip" && rm -f "$TMP/other.zip" && zip -q -X -9 -r "$TMP/other.zip" .)
  cmp -s "$zip" "$TMP/other.zip" && fail "the re-zipped file should differ in bytes"
  assert_eq "$h1" "$("$TOOLS/modtool" h1 "$TMP/other.zip")" "h1 of the re-zipped file"
  chmod u+w "$zip" 2>/dev/null || true
  cp "$TMP/other.zip" "$zip"
  rm "$STORE_DIR/$MOD/@v/v1.1.1.mod" "$STORE_DIR/$MOD/@v/v1.1.1.info"
  sql "UPDATE generations SET state = 'pending', zip_hash = NULL, mod_hash = NULL, feed_seq = NULL, attempts = 0"
  rg run --once
  assert_rc 0
  assert_eq "published $h1" "$(sql "SELECT state || ' ' || zip_hash FROM generations")" "after the retry"
  cmp -s "$zip" "$TMP/other.zip" || fail "the existing zip was replaced"
  assert_file "$STORE_DIR/$MOD/@v/v1.1.1.mod"
}

test_large_output_before_input_does_not_deadlock() {
  rg migrate
  # The request (a googleapis-sized image) exceeds the pipe buffer, and the plugin writes
  # 24 MiB before reading it: only a driver that pumps both pipes at once finishes.
  mkdir -p "$TMP/src/acme/big/v1"
  for i in $(seq 1 300); do
    printf 'message M%d { string field_with_a_long_name_%d = 1; int64 other_%d = 2; repeated string list_%d = 3; }\n' $i $i $i $i
  done | { printf 'syntax = "proto3";\npackage acme.big.v1;\n'; cat; } >"$TMP/src/acme/big/v1/big.proto"
  cp "$TOOLS/testplugin" "$TMP/testplugin-bigfirst"
  rg plugin add acme/bigfirst v1 --exec "$TMP/testplugin-bigfirst"
  rg template create acme/big --plugin acme/bigfirst
  rg template version acme/big --plugin acme/bigfirst:v1
  rg module push acme/big "$TMP/src"
  [ "$(sql "SELECT length(image) FROM commits")" -gt 70000 ] || fail "image too small to fill a pipe"
  rg run --once
  assert_rc 0
  z="$STORE_DIR/gen.example.com/go/acme/big/acme/big/@v/v1.1.1.zip"
  assert_file "$z"
  assert_eq 25165824 "$(unzip -p "$z" gen.example.com/go/acme/big/acme/big@v1.1.1/big.txt | wc -c)" "big.txt size"
}

test_upper_case_names_are_case_encoded() {
  rg migrate
  setup_go_template
  rg module push Acme/WeatherAPI "$ROOT/ops/example"
  assert_rc 0
  rg run --once
  assert_rc 0
  d="$STORE_DIR/gen.example.com/go/protocolbuffers/go/!acme/!weather!a!p!i"
  assert_file "$d/@v/v1.1.1.zip"
  assert_file "$d/@v/list"
  unzip -Z1 "$d/@v/v1.1.1.zip" | grep -q '^gen.example.com/go/protocolbuffers/go/Acme/WeatherAPI@v1.1.1/go.mod$' \
    || fail "zip entries keep the real case: $(unzip -Z1 "$d/@v/v1.1.1.zip")"
  # Names are unique without regard to case.
  rg module push acme/weatherapi "$ROOT/ops/example"
  assert_out_has "unchanged"
  assert_eq 1 "$(sql "SELECT count(*) FROM modules")" "modules"
}

test_verify_and_feed() {
  publish_example
  rg verify
  assert_rc 0
  assert_out_has "7 objects, 0 problems"
  # The feed holds the version with the hashes go.sum would hold.
  local feed="$STORE_DIR/index/feed/head.ndjson"
  assert_file "$feed"
  assert_eq '{"SegmentSize":1000,"Segments":0,"Entries":1}' "$(cat "$STORE_DIR/index/feed.json")" "feed index"
  grep -q "^{\"Seq\":1,\"Path\":\"$MOD\",\"Version\":\"v1.1.1\"" "$feed" || fail "feed: $(cat "$feed")"
  grep -q "\"Sum\":\"$(sql "SELECT zip_hash FROM generations")\",\"GoModSum\":\"$(sql "SELECT mod_hash FROM generations")\"" "$feed" || fail "feed hashes: $(cat "$feed")"
  # A second commit: the feed grows in publication order.
  push_example_with More x
  rg run --once
  assert_eq "v1.1.1 v1.1.2" "$(sed 's/.*"Version":"\([^"]*\)".*/\1/' "$feed" | xargs)" "feed order"
  assert_eq "1 2" "$(sed 's/^{"Seq":\([0-9]*\),.*/\1/' "$feed" | xargs)" "feed positions"
  rg verify
  assert_rc 0
  # A feed left behind (a process killed between publishing and writing it) is brought
  # up to date by the next run, even one with nothing new to generate.
  head -n 1 "$feed" >"$TMP/head1" && cat "$TMP/head1" >"$feed"
  printf '{"SegmentSize":1000,"Segments":0,"Entries":1}\n' >"$STORE_DIR/index/feed.json"
  rg verify
  assert_rc 1
  assert_out_has "stale index: index/feed.json"
  assert_out_has "stale index: index/feed/head.ndjson"
  rg run --once
  assert_rc 0
  rg verify
  assert_rc 0
  # An idle run writes nothing.
  local before
  before=$(stat -c %Y.%s "$feed" "$STORE_DIR/index/feed.json" | xargs)
  sleep 1.1
  rg run --once --log-level debug
  assert_rc 0
  grep -q "event=feed_written" "$ERR" && fail "an idle run wrote the feed: $(cat "$ERR")"
  assert_eq "$before" "$(stat -c %Y.%s "$feed" "$STORE_DIR/index/feed.json" | xargs)" "feed files after an idle run"

  # Now damage the store in every way verify knows.
  local d="$STORE_DIR/$MOD/@v"
  chmod u+w "$d/v1.1.1.zip"
  printf 'PK-not-really' >"$d/v1.1.1.zip"
  rm "$d/v1.1.2.mod"
  printf 'v1.1.1\n' >"$d/list"
  printf 'stray' >"$d/v9.9.9.zip"
  rg verify
  assert_rc 1
  assert_out_has "corrupt: $MOD/@v/v1.1.1.zip"
  assert_out_has "missing: $MOD/@v/v1.1.2.mod"
  assert_out_has "stale index: $MOD/@v/list does not list exactly the published versions that are not yanked (v1.1.2 is the latest)"
  assert_out_has "unknown object: $MOD/@v/v9.9.9.zip"
  assert_out_has "4 problems"
}

test_file_store_that_refuses_writes_hands_work_back() {
  rg migrate
  rg plugin add acme/ok v1 --exec "$TOOLS/testplugin" --runtime exec
  rg template create acme/ok --plugin acme/ok
  rg template version acme/ok --plugin acme/ok:v1
  rg module push acme/weather "$ROOT/ops/example"
  # A store directory another user owns: the service's user may not write there.
  mkdir -p "$TMP/theirs"
  chmod 755 "$TMP/theirs"
  set +e
  ASAN_OPTIONS=detect_leaks=0:exitcode=86 setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$REMOTEGEN" run --once --store "file://$TMP/theirs" --max-attempts 5 >"$TMP/ro.out" 2>"$TMP/ro.err"
  local rc=$?
  set -e
  assert_eq 1 "$rc" "exit status (stderr: $(tail -c 600 "$TMP/ro.err"))"
  grep -q 'event=store_refused' "$TMP/ro.err" || fail "not refused: $(cat "$TMP/ro.err")"
  grep -q 'Permission denied' "$TMP/ro.err" || fail "no cause: $(cat "$TMP/ro.err")"
  # As with an S3 403: handed back, no attempt used, published by the next run that may write.
  assert_eq "pending|0" "$(sql "SELECT state || '|' || attempts FROM generations")" "after the refusal"
  rg run --once --store "file://$TMP/theirs"
  assert_rc 0
  assert_eq "published|1" "$(sql "SELECT state || '|' || attempts FROM generations")" "after the next run"
}

test_verify_repair_regenerates_a_lost_store_and_refuses_other_bytes() {
  publish_example
  local MOD=gen.example.com/go/protocolbuffers/go/acme/weather
  push_example_with Alert text
  rg run --once
  assert_rc 0
  cp -r "$STORE_DIR" "$TMP/before"
  # The store is lost (a new disk, a mistyped bucket): everything is missing.
  rm -rf "$STORE_DIR"
  mkdir "$STORE_DIR"
  rg verify
  assert_rc 1
  rg verify --repair
  assert_rc 0
  assert_out_has "repaired: generation 1 (weather v1.1.1): files written again, hashes equal the recorded ones"
  local id2
  id2=$(sql "SELECT id FROM generations WHERE version = 'v1.1.2'")
  assert_out_has "repaired: generation $id2 (weather v1.1.2)"
  assert_out_has "repaired: index files of $MOD written from the database"
  assert_out_has "repaired: index/feed.json written from the database"
  assert_out_has "repair: 2 versions written again, 0 refused; index files of 1 package and 2 feed objects rewritten"
  assert_out_has "after the repair: 10 objects, 0 problems"
  # Byte for byte what was published.
  diff -r "$TMP/before" "$STORE_DIR" >"$TMP/diff.log" || fail "repaired store differs: $(head -c 1500 "$TMP/diff.log")"

  # An object that exists with other bytes is never replaced.
  printf 'module tampered\n' >"$STORE_DIR/$MOD/@v/v1.1.1.mod"
  rg verify --repair
  assert_rc 1
  assert_out_has "refused: generation 1 (weather v1.1.1): "
  assert_eq "module tampered" "$(cat "$STORE_DIR/$MOD/@v/v1.1.1.mod")" "the tampered object"
  cp "$TMP/before/$MOD/@v/v1.1.1.mod" "$STORE_DIR/$MOD/@v/v1.1.1.mod"

  # A plugin that now writes other bytes (a different binary where the old one was):
  # generated again, the hashes differ from those recorded, nothing is written.
  rg plugin move protocolbuffers/go "$GO_PLUGIN_VERSION" --exec "$TOOLS/testplugin"
  assert_rc 0
  rm "$STORE_DIR/$MOD/@v/v1.1.2.zip"
  rg verify --repair
  assert_rc 1
  assert_out_has "refused: generation $id2 (weather v1.1.2): generated again, its hashes differ from those recorded at publication"
  assert_out_has "nothing written"
  assert_no_file "$STORE_DIR/$MOD/@v/v1.1.2.zip"
  assert_out_has "after the repair: 9 objects, 1 problem"
}

# Generated content is bytes, not C strings: a NUL byte and bytes that are not
# UTF-8 (and an insertion after them) reach the zip exactly as protoc writes them.
test_binary_content_is_published_as_protoc_writes_it() {
  rg migrate
  rg plugin add acme/bin v1 --exec "$TOOLS/testplugin" --runtime exec --go-dep google.golang.org/protobuf@v1.28.1
  rg template create acme/bin --plugin acme/bin=binary
  rg template version acme/bin --plugin acme/bin:v1
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once
  assert_rc 0
  mkdir -p "$TMP/hand" "$TMP/zip"
  protoc --plugin=protoc-gen-bin="$TOOLS/testplugin" --bin_out=binary:"$TMP/hand" -I "$ROOT/ops/example" \
    acme/weather/v1/weather.proto
  assert_eq 50 "$(wc -c <"$TMP/hand/bin.txt")" "bytes protoc wrote"
  local mod=gen.example.com/go/acme/bin/acme/weather
  unzip -q "$STORE_DIR/$mod/@v/v1.1.1.zip" -d "$TMP/zip"
  cmp "$TMP/hand/bin.txt" "$TMP/zip/$mod@v1.1.1/bin.txt" ||
    fail "the zip's bin.txt differs from protoc's: $(od -c "$TMP/zip/$mod@v1.1.1/bin.txt" | head -5)"
}

# The Go prefix is part of what was published: a run (or verify) with another
# one is refused before it claims anything; it used to publish under the new
# prefix an @v/list naming versions whose files live under the old one.
test_a_changed_go_prefix_is_refused() {
  rg migrate
  setup_go_template
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once --go-prefix old.example.com/go
  assert_rc 0
  push_example_with Alert text
  rg run --once --go-prefix new.example.com/go
  assert_rc 2
  assert_err_has "Go module prefix new.example.com/go: this registry publishes its Go modules under old.example.com/go"
  if grep -q 'event=claimed' "$ERR"; then fail "it claimed work: $(cat "$ERR")"; fi
  assert_no_file "$STORE_DIR/new.example.com/go/protocolbuffers/go/acme/weather/@v/list"
  rg verify --go-prefix new.example.com/go
  assert_rc 2
  assert_err_has "use --go-prefix old.example.com/go"
  rg run --once --go-prefix old.example.com/go
  assert_rc 0
  assert_eq "v1.1.1 v1.1.2" "$(tr '\n' ' ' <"$STORE_DIR/old.example.com/go/protocolbuffers/go/acme/weather/@v/list" | sed 's/ $//')" "list"
}

# Symbolic links planted in a file store are never followed: a publication
# through one is refused (nothing written outside), verify lists them as they
# are instead of walking where they point.
test_file_store_does_not_follow_planted_symlinks() {
  rg migrate
  setup_go_template
  rg module push acme/weather "$ROOT/ops/example"
  mkdir -p "$TMP/outside" "$STORE_DIR/gen.example.com/go/protocolbuffers/go"
  ln -s "$TMP/outside" "$STORE_DIR/gen.example.com/go/protocolbuffers/go/acme"
  rg run --once
  assert_rc 1
  assert_err_has "protocolbuffers/go/acme is a symbolic link: refusing to follow it"
  assert_eq "" "$(ls -A "$TMP/outside")" "files written outside the store"
  assert_eq "pending|0" "$(sql "SELECT state || '|' || attempts FROM generations")" "handed back, as for a refusing store"
  rm "$STORE_DIR/gen.example.com/go/protocolbuffers/go/acme"
  rg run --once
  assert_rc 0
  ln -s / "$STORE_DIR/rootlink"
  rg verify
  assert_rc 1
  assert_out_has "unknown object: rootlink"
  if grep -q "proc/" "$OUT"; then fail "verify walked /: $(head -c 600 "$OUT")"; fi
}
