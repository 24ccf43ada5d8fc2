# Incremental generation: per-file plugins take unchanged files from the
# shared output cache, and the result is byte-identical to generating
# everything, over a real history of googleapis snapshots.

GP="$ROOT/node_modules"
HISTORY_DIRS="google/api google/type google/rpc google/longrunning google/iam/v1 google/cloud/location google/cloud/aiplatform/v1"

# snapshot VERSION DEST: the history's files of google-proto-files VERSION.
snapshot() {
  local d="$GP/google-proto-files-$1"
  [ "$1" = 6.0.1 ] && d="$GP/google-proto-files"
  [ -d "$d" ] || fail "missing $d (npm ci from the lock file installs it)"
  mkdir -p "$2"
  (cd "$d" && cp --parents $(for x in $HISTORY_DIRS; do ls $x/*.proto; done) "$2/")
}

# go_grpc_template PERFILE: protoc-gen-go and protoc-gen-go-grpc, with --per-file when PERFILE=1.
go_grpc_template() {
  local pf=
  [ "$1" = 1 ] && pf=--per-file
  rg plugin add protocolbuffers/go v1.28.1 --exec /usr/bin/protoc-gen-go --go-dep google.golang.org/protobuf@v1.28.1 $pf
  assert_rc 0
  rg plugin add grpc/go v1.2.0 --exec /usr/bin/protoc-gen-go-grpc --go-dep google.golang.org/grpc@v1.33.3 $pf
  assert_rc 0
  rg template create protocolbuffers/go --plugin protocolbuffers/go --plugin grpc/go
  rg template version protocolbuffers/go --plugin protocolbuffers/go:v1.28.1 --plugin grpc/go:v1.2.0
  assert_rc 0
}

push_history() {
  for v in 4.1.0 4.2.0 5.0.3 6.0.1; do
    snapshot "$v" "$TMP/src/$v"
    rg module push googleapis/history "$TMP/src/$v"
    assert_rc 0
  done
}

test_cached_generation_is_byte_identical_over_a_real_history() {
  rg migrate
  go_grpc_template 1
  push_history
  rg run --once --workers 1
  assert_rc 0
  assert_eq "4 0" "$(sql "SELECT count(*) FILTER (WHERE state = 'published') || ' ' || count(*) FILTER (WHERE state <> 'published') FROM generations")" "generations"
  local hits misses
  hits=$(sed -n 's/.*event=run_finished.*cache_hits=\([0-9]*\).*/\1/p' "$ERR")
  misses=$(sed -n 's/.*event=run_finished.*cache_misses=\([0-9]*\).*/\1/p' "$ERR")
  [ "${hits:-0}" -gt 100 ] || fail "cache hits: '$hits' ($(grep run_finished "$ERR"))"
  # The last snapshot changes one file of the one before: almost everything is a hit.
  grep "event=published" "$ERR" | grep "version=v1.1.4" >"$TMP/v4" || true
  grep -q "cache_misses=[0-9] \|cache_misses=[1-3][0-9] " "$TMP/v4" || fail "v1.1.4: $(cat "$TMP/v4")"
  rg status
  assert_out_has "output cache: "
  assert_out_has "hit ratio"
  rg status --json
  assert_out_has "\"cache\":{\"entries\":"

  # The same history without the cache, in another database and store.
  local db2="${TEST_DB}_full"
  createdb "$db2"
  trap "dropdb --if-exists $db2 >/dev/null 2>&1 || true" EXIT
  (
    export REMOTEGEN_DATABASE_URL="host=127.0.0.1 port=$PGPORT user=postgres dbname=$db2"
    export REMOTEGEN_STORE="file://$TMP/store-full"
    rg migrate
    go_grpc_template 0
    push_history
    rg run --once --workers 2
    assert_rc 0
    grep -q "cache_hits" "$ERR" && fail "plugins without --per-file used the cache"
    true
  )
  local n=0 f
  for f in $(cd "$TMP/store-full" && find . -name '*.zip' -o -name '*.mod'); do
    cmp -s "$TMP/store-full/$f" "$STORE_DIR/$f" || fail "$f differs between cached and full generation"
    n=$((n + 1))
  done
  assert_eq 8 "$n" "zips and go.mod files compared"
  # Files the run met before were copied deflated from its earlier zips: the
  # zips are the bytes deflating every file gives.
  grep -q "event=run_finished.* zip_reused=[1-9]" "$ERR" || fail "no zip entry reused: $(grep run_finished "$ERR")"
  local z mp ver rezipped=0
  for z in $(cd "$STORE_DIR" && find . -name '*.zip' | sed 's|^\./||'); do
    ver=$(basename "$z" .zip)
    mp=${z%/@v/*}
    "$TOOLS/modtool" rezip "$STORE_DIR/$z" "$mp" "$ver" "$TMP/rezip.zip" || fail "rezip $z"
    cmp -s "$TMP/rezip.zip" "$STORE_DIR/$z" || fail "$z differs from its files deflated one by one"
    rezipped=$((rezipped + 1))
  done
  assert_eq 4 "$rezipped" "zips built again without the zip cache"
  echo "note: 4 googleapis snapshots ($(ls "$TMP"/src/*/ -R | grep -c '\.proto$') files): $hits files from the cache, $misses generated; zips and go.mod byte-identical to full generation"
}

test_new_template_version_with_the_same_plugins_runs_no_plugin() {
  rg migrate
  go_grpc_template 1
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once
  assert_rc 0
  assert_err_has "cache_hits=0 cache_misses=2"
  rg template version protocolbuffers/go --plugin protocolbuffers/go:v1.28.1 --plugin grpc/go:v1.2.0
  rg run --once --metrics-file "$TMP/remotegen.prom"
  assert_rc 0
  assert_err_has "cache_hits=2 cache_misses=0"
  grep -q '^remotegen_cache_files_total{result="hit"} 2$' "$TMP/remotegen.prom" || fail "metrics: $(cat "$TMP/remotegen.prom")"
  grep -q '^remotegen_cache_files_total{result="miss"} 0$' "$TMP/remotegen.prom" || fail "metrics: $(cat "$TMP/remotegen.prom")"
  grep -q '^remotegen_cache_entries 2$' "$TMP/remotegen.prom" || fail "metrics: $(cat "$TMP/remotegen.prom")"
  local a b
  a=$(unzip -p "$STORE_DIR/gen.example.com/go/protocolbuffers/go/acme/weather/@v/v1.1.1.zip" '*weather.pb.go')
  b=$(unzip -p "$STORE_DIR/gen.example.com/go/protocolbuffers/go/acme/weather/@v/v1.2.1.zip" '*weather.pb.go')
  assert_eq "$a" "$b" "weather.pb.go of v1.1.1 and v1.2.1"
  assert_eq "2 0" "$(sql "SELECT hits || ' ' || (misses - 2) FROM output_cache_stats")" "hits and misses recorded"
}

test_outputs_that_cannot_be_told_apart_by_file_are_not_cached() {
  rg migrate
  # A plugin declared per file that writes a file named after no input.
  rg plugin add acme/shared v1 --exec "$TOOLS/testplugin" --per-file
  rg template create acme/shared --plugin "acme/shared=files=shared.txt"
  rg template version acme/shared --plugin acme/shared:v1
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once
  assert_rc 0
  unzip -l "$STORE_DIR/gen.example.com/go/acme/shared/acme/weather/@v/v1.1.1.zip" >"$TMP/listing"
  grep -q shared.txt "$TMP/listing" || fail "shared.txt missing: $(cat "$TMP/listing")"
  assert_eq 0 "$(sql "SELECT count(*) FROM output_cache")" "cache entries"
}

test_cache_is_bounded_and_can_be_turned_off() {
  rg migrate
  rg plugin add acme/txt v1 --exec "$TOOLS/testplugin" --per-file
  rg template create acme/txt --plugin acme/txt
  rg template version acme/txt --plugin acme/txt:v1
  rg module push acme/weather "$ROOT/ops/example"
  REMOTEGEN_CACHE_SIZE=0 rg run --once
  assert_rc 0
  assert_eq 0 "$(sql "SELECT count(*) FROM output_cache")" "entries with the cache off"
  for i in 1 2 3 4; do
    mkdir -p "$TMP/m$i/acme/m$i/v1"
    printf 'syntax = "proto3";\npackage acme.m%d.v1;\nmessage M { string s = 1; }\n' "$i" >"$TMP/m$i/acme/m$i/v1/m.proto"
    rg module push "acme/m$i" "$TMP/m$i"
  done
  rg run --once
  assert_rc 0
  assert_eq 4 "$(sql "SELECT count(*) FROM output_cache")" "entries"
  local one
  one=$(sql "SELECT max(bytes) FROM output_cache")
  # A bound of two entries' size keeps the two most recently used.
  for i in 5 6; do
    mkdir -p "$TMP/m$i/acme/m$i/v1"
    printf 'syntax = "proto3";\npackage acme.m%d.v1;\nmessage M { string s = 1; }\n' "$i" >"$TMP/m$i/acme/m$i/v1/m.proto"
    rg module push "acme/m$i" "$TMP/m$i"
  done
  REMOTEGEN_CACHE_SIZE=$((2 * one)) rg run --once
  assert_rc 0
  assert_err_has "event=cache_evicted entries=4"
  assert_eq 2 "$(sql "SELECT count(*) FROM output_cache")" "entries after eviction"
  REMOTEGEN_CACHE_SIZE=lots rg run --once
  assert_rc 2
  assert_err_has "REMOTEGEN_CACHE_SIZE=lots"
}

# Single flight: two modules with the same file (an npm template: no managed
# mode, so the same input) generated at the same time by two workers need the
# same output; one computes it, the other waits and reads it from the cache
# (the plugin takes 800 ms, so without single flight both runs overlap).
test_two_workers_share_the_files_they_both_miss() {
  # 40 files both modules miss: the first worker claims half and runs the
  # plugin (800 ms), the second claims the other half meanwhile; each then
  # reads the other's half from the cache. Without rounds one worker would
  # compute all 40 while the other waited.
  local d="$TMP/many" i
  mkdir -p "$d/acme/many/v1"
  for i in $(seq -w 1 40); do
    printf 'syntax = "proto3";\npackage acme.many.v1;\nmessage M%s { string s = 1; }\n' "$i" >"$d/acme/many/v1/f$i.proto"
  done
  rg migrate
  rg plugin add acme/slow v1 --exec "$TOOLS/testplugin" --per-file --npm-dep "x@^1"
  rg template create acme/slow --plugin "acme/slow=sleep=800"
  rg template version acme/slow --plugin acme/slow:v1
  rg module push acme/one "$d"
  rg module push acme/two "$d"
  rg run --once --workers 2 --npm-url http://127.0.0.1:9/npm/
  assert_rc 0
  assert_err_has "event=run_finished published=2 failed=0 retried=0 cache_hits=40 cache_misses=40"
  assert_eq "2" "$(grep -c 'event=published .*cache_hits=20 cache_misses=20' "$ERR")" "each generation computed half"
  assert_eq "40|40" "$(sql "SELECT hits || '|' || misses FROM output_cache_stats")" "cache figures"
  tar xzf "$STORE_DIR/npm/-/@remotegen/acme_two.acme_slow-1.1.1.tgz" -C "$TMP"
  assert_eq "40" "$(ls "$TMP/package/acme/many/v1/" | grep -c '^f[0-9]*\.proto\.txt$')" "every file in the second package"
}

test_concurrent_generations_compute_a_shared_file_once() {
  rg migrate
  rg plugin add acme/slow v1 --exec "$TOOLS/testplugin" --per-file --npm-dep "x@^1"
  rg template create acme/slow --plugin "acme/slow=sleep=800"
  rg template version acme/slow --plugin acme/slow:v1
  rg module push acme/one "$ROOT/ops/example"
  rg module push acme/two "$ROOT/ops/example"
  rg run --once --workers 2 --npm-url http://127.0.0.1:9/npm/
  assert_rc 0
  assert_err_has "event=run_finished published=2 failed=0 retried=0 cache_hits=1 cache_misses=1"
  assert_eq "1|1" "$(sql "SELECT hits || '|' || misses FROM output_cache_stats")" "cache figures"
  tar xzf "$STORE_DIR/npm/-/@remotegen/acme_two.acme_slow-1.1.1.tgz" -C "$TMP"
  assert_eq "acme.weather.v1" "$(cat "$TMP/package/acme/weather/v1/weather.proto.txt")" "the waiting module's file"
}
