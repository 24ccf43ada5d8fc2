# The feed of published versions in segments: positions are gap-free and in
# publication order, full segments are written once and never change, a run
# writes only the end of the feed, and counts come from positions.

# load_published N: N more published generations of module bench/m (straight
# into the database, as a large registry's history), template version 1.
load_published() {
  sql "INSERT INTO modules (owner, name) SELECT 'bench', 'm' WHERE NOT EXISTS (SELECT 1 FROM modules WHERE name = 'm')"
  sql "INSERT INTO commits (module_id, sequence, digest, image, own_files, protoc_version, scheduled)
       SELECT m.id, s, 'sha256:' || md5(s::text), '\\x00'::bytea, '{a.proto}', '3.21.12', true
       FROM modules m, generate_series((SELECT coalesce(max(sequence), 0) + 1 FROM commits c JOIN modules m2
         ON m2.id = c.module_id WHERE m2.name = 'm'), (SELECT coalesce(max(sequence), 0) + $1 FROM commits c
         JOIN modules m2 ON m2.id = c.module_id WHERE m2.name = 'm')) s WHERE m.name = 'm'"
  sql "INSERT INTO generations (commit_id, template_version_id, version, state, attempts, zip_hash, mod_hash, finished_at)
       SELECT c.id, (SELECT min(id) FROM template_versions), 'v1.1.' || c.sequence, 'published', 1, 'h1:z', 'h1:m',
              now() + c.sequence * interval '1 ms'
       FROM commits c JOIN modules m ON m.id = c.module_id
       WHERE m.name = 'm' AND NOT EXISTS (SELECT 1 FROM generations g WHERE g.commit_id = c.id)"
}

test_feed_segments_are_written_once_and_counts_follow() {
  publish_example
  load_published 2499
  rg run --once --log-level debug
  assert_rc 0
  assert_err_has "event=feed_written objects=4"          # 2 full segments, the head, the index
  local idx="$STORE_DIR/index/feed"
  assert_eq '{"SegmentSize":1000,"Segments":2,"Entries":2500}' "$(cat "$STORE_DIR/index/feed.json")" "feed index"
  assert_eq 1000 "$(wc -l <"$idx/000001.ndjson")" "segment 1"
  assert_eq 1000 "$(wc -l <"$idx/000002.ndjson")" "segment 2"
  assert_eq 500 "$(wc -l <"$idx/head.ndjson")" "head"
  # Positions 1..2500 in order, each once, the real version first.
  cat "$idx/000001.ndjson" "$idx/000002.ndjson" "$idx/head.ndjson" | sed 's/^{"Seq":\([0-9]*\),.*/\1/' >"$TMP/seqs"
  seq 1 2500 | cmp -s - "$TMP/seqs" || fail "positions are not 1..2500 in order"
  head -n 1 "$idx/000001.ndjson" | grep -q '"Version":"v1.1.1"' || fail "first entry: $(head -n 1 "$idx/000001.ndjson")"
  local s1 s2
  s1=$(sha256sum <"$idx/000001.ndjson")
  s2=$(sha256sum <"$idx/000002.ndjson")

  # Counts: from positions, without scanning history.
  rg status --json
  assert_out_has '"published":2500'

  # 600 more: segment 3 fills, segments 1 and 2 are not touched; the head starts over.
  load_published 600
  rg run --once --log-level debug
  assert_err_has "event=feed_written objects=3"          # segment 3, the head, the index
  assert_eq '{"SegmentSize":1000,"Segments":3,"Entries":3100}' "$(cat "$STORE_DIR/index/feed.json")" "feed index"
  assert_eq "$s1" "$(sha256sum <"$idx/000001.ndjson")" "segment 1 after more publishing"
  assert_eq "$s2" "$(sha256sum <"$idx/000002.ndjson")" "segment 2 after more publishing"
  assert_eq 1000 "$(wc -l <"$idx/000003.ndjson")" "segment 3"
  assert_eq 100 "$(wc -l <"$idx/head.ndjson")" "head"
  head -n 1 "$idx/head.ndjson" | grep -q '^{"Seq":3001,' || fail "head: $(head -n 1 "$idx/head.ndjson")"
  rg status
  assert_out_has "published=3100"

  # A full segment is immutable: the store refuses other bytes for it.
  chmod u+w "$idx/000002.ndjson" 2>/dev/null || true
  sed -i '1s/"Version":"[^"]*"/"Version":"v9.9.9"/' "$idx/000002.ndjson"
  sql "UPDATE generations SET feed_seq = NULL WHERE feed_seq > 3000"   # as if the last 100 were never placed
  printf '{"SegmentSize":1000,"Segments":1,"Entries":1999}\n' >"$STORE_DIR/index/feed.json"
  rg run --once
  assert_rc 1
  assert_err_has "event=feed_update_failed"
  assert_err_has "index/feed/000002.ndjson"
  grep -q '"Version":"v9.9.9"' "$idx/000002.ndjson" || fail "a full segment was overwritten"
}
