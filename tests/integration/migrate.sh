# Schema migrations against a real PostgreSQL.

MIGRATIONS=$(ls "$ROOT"/sql/*.sql | wc -l)

test_migrate_twice() {
  rg migrate
  assert_rc 0
  assert_out_has "$MIGRATIONS migrations applied"
  tables=$(sql "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
  rg migrate
  assert_rc 0
  assert_out_has "0 migrations applied"
  assert_eq "$tables" "$(sql "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")" "table count"
  assert_eq "$MIGRATIONS" "$(sql "SELECT count(*) FROM schema_migrations")" "recorded migrations"
  for t in modules commits plugins plugin_versions templates template_plugins template_versions template_version_plugins generations; do
    assert_eq 1 "$(sql "SELECT count(*) FROM information_schema.tables WHERE table_name = '$t'")" "table $t"
  done
}

test_migrate_concurrently() {
  # Two migrate runs at once: the advisory lock serialises them; one applies, one finds nothing to do.
  "$REMOTEGEN" migrate >"$TMP/a.out" 2>&1 &
  a=$!
  "$REMOTEGEN" migrate >"$TMP/b.out" 2>&1 &
  b=$!
  wait $a
  wait $b
  assert_eq "$MIGRATIONS 0" "$(cat "$TMP/a.out" "$TMP/b.out" | grep -o '^[0-9]* migration' | awk '{print $1}' | sort -r | xargs)" "applied counts"
}

test_commands_refuse_unmigrated_database() {
  rg status
  assert_rc 2
  assert_err_has "run 'remotegen migrate' first"
}

test_unreachable_database() {
  REMOTEGEN_DATABASE_URL="host=127.0.0.1 port=1 user=postgres dbname=x connect_timeout=2" rg migrate
  assert_rc 2
  assert_err_has "database: cannot connect"
}

test_feed_positions_for_history_published_before_003() {
  rg migrate
  setup_go_template
  rg module push acme/weather "$ROOT/ops/example"
  push_example_with More x
  rg run --once
  assert_rc 0
  # Replay 003 on a database as it was before it: positions follow publication order.
  sql "UPDATE generations SET finished_at = now() - (id * interval '1 minute')"   # the later id published first
  sql "DROP INDEX generations_feed_seq, generations_unfed, generations_published_at; ALTER TABLE generations DROP COLUMN feed_seq;
       DELETE FROM schema_migrations WHERE name = '003_feed_positions'"
  rg migrate
  assert_rc 0
  assert_out_has "1 migration applied"
  assert_eq "2:1 1:2" "$(sql "SELECT string_agg(id || ':' || feed_seq, ' ' ORDER BY feed_seq) FROM generations")" "positions"
}
