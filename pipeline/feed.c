/*
 * feed: positions, segments and the feed index (see feed.h). Owns the feed
 * lock and the rendering of feed lines.
 */
#include "feed.h"
#include "db.h"
#include "num.h"
#include "jsonw.h"
#include "modpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *feed_segment_key(long long k)
{
	return xasprintf("index/feed/%06lld.ndjson", k);
}

static int lock_feed(PGconn *c, char *err)
{
	return db_run(c, "feed: lock",
		      "SELECT pg_advisory_xact_lock(hashtextextended('remotegen:index/feed', 0))", 0, NULL, err);
}

/* The highest position: ORDER BY ... LIMIT 1 reads one index entry whatever the statistics say. */
#define SQL_TOP_POSITION \
	"coalesce((SELECT feed_seq FROM generations WHERE feed_seq IS NOT NULL ORDER BY feed_seq DESC LIMIT 1), 0)"

int feed_entries(PGconn *c, long long *entries, char *err)
{
	return db_numbers(c, "feed: count positions", "SELECT " SQL_TOP_POSITION, 0, NULL, entries, 1, err);
}

int feed_place(PGconn *c, long long *placed, char *err)
{
	long long top;
	char base[32];
	PGresult *r = NULL;
	if (db_begin(c, err) < 0)
		return -1;
	if (lock_feed(c, err) < 0 || feed_entries(c, &top, err) < 0)
		goto fail;
	snprintf(base, sizeof(base), "%lld", top);
	const char *p[] = { base };
	r = db_exec(c, "feed: place published versions",
		"UPDATE generations g SET feed_seq = $1::bigint + s.n"
		" FROM (SELECT id, row_number() OVER (ORDER BY finished_at, id) AS n FROM generations"
		"       WHERE state = 'published' AND feed_seq IS NULL) s"
		" WHERE g.id = s.id", 1, p, err);
	if (!r)
		goto fail;
	long long n = num_trusted(PQcmdTuples(r));
	if (placed)
		*placed = n;
	PQclear(r);
	if (db_commit(c, err) < 0)
		return -1;
	/* Placing a large history (the first run after loading one) changes the table's
	 * statistics; the planner must know, or the partial indexes look useless to it. */
	if (n > 10000 && db_run(c, "feed: analyze generations", "ANALYZE generations", 0, NULL, err) < 0)
		return -1;
	return 0;
fail:
	db_rollback(c);
	return -1;
}

/* Appends the lines of positions [first, last] to out. */
static int render_lines(PGconn *c, const char *go_prefix, long long first, long long last, struct buf *out,
			char *err)
{
	char a[32], b[32];
	snprintf(a, sizeof(a), "%lld", first);
	snprintf(b, sizeof(b), "%lld", last);
	const char *p[] = { a, b };
	PGresult *r = db_exec(c, "feed: read positions",
		"SELECT g.feed_seq, t.owner, t.name, m.owner, m.name, g.version,"
		"  to_char(g.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
		"  g.zip_hash, g.mod_hash, g.npm_package, g.npm_integrity"
		" FROM generations g JOIN commits c ON c.id = g.commit_id JOIN modules m ON m.id = c.module_id"
		" JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id"
		" WHERE g.feed_seq BETWEEN $1::bigint AND $2::bigint ORDER BY g.feed_seq", 2, p, err);
	if (!r)
		return -1;
	if (PQntuples(r) != last - first + 1) {
		err_set(err, "feed: positions %lld to %lld: the database holds %d of them", first, last,
			PQntuples(r));
		PQclear(r);
		return -1;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *o = json_object();
		jsonw_set_int(o, "Seq", db_ll(r, i, 0));
		if (!PQgetisnull(r, i, 9)) {
			/* An npm package version: its name, npm version and dist.integrity. */
			jsonw_set_str(o, "Package", PQgetvalue(r, i, 9));
			jsonw_set_str(o, "Version", PQgetvalue(r, i, 5) + 1);
			jsonw_set_str(o, "Timestamp", PQgetvalue(r, i, 6));
			jsonw_set_str(o, "Integrity", PQgetvalue(r, i, 10));
			jsonw_write_line(o, out);
			continue;
		}
		char *mp = modpath_module(go_prefix, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
					  PQgetvalue(r, i, 3), PQgetvalue(r, i, 4));
		jsonw_set_str(o, "Path", mp);
		jsonw_set_str(o, "Version", PQgetvalue(r, i, 5));
		jsonw_set_str(o, "Timestamp", PQgetvalue(r, i, 6));
		jsonw_set_str(o, "Sum", PQgetvalue(r, i, 7));
		jsonw_set_str(o, "GoModSum", PQgetvalue(r, i, 8));
		jsonw_write_line(o, out);
		free(mp);
	}
	PQclear(r);
	return 0;
}

static void render_index(long long entries, struct buf *out)
{
	json_t *o = json_object();
	jsonw_set_int(o, "SegmentSize", FEED_SEGMENT);
	jsonw_set_int(o, "Segments", entries / FEED_SEGMENT);
	jsonw_set_int(o, "Entries", entries);
	jsonw_write_line(o, out);
}

/* Entries named by the store's feed.json; 0 when there is none (or it is unreadable: rewritten). */
static int store_entries(struct store *s, long long *entries, char *err)
{
	struct buf b = BUF_INIT;
	int rc = store_get(s, FEED_INDEX_KEY, &b, err);
	*entries = 0;
	if (rc == 0) {
		json_t *doc = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
		json_t *e = doc ? json_object_get(doc, "Entries") : NULL;
		if (json_is_integer(e))
			*entries = (long long)json_integer_value(e);
		json_decref(doc);
	}
	buf_release(&b);
	return rc < 0 ? rc : 0;
}

/* Renders one segment (k >= 1: full segment k; 0: the head) of a feed of `entries` positions. */
static int render_segment(PGconn *c, const char *go_prefix, long long k, long long entries, struct buf *out,
			  char *err)
{
	long long first = k ? (k - 1) * FEED_SEGMENT + 1 : (entries / FEED_SEGMENT) * FEED_SEGMENT + 1;
	long long last = k ? k * FEED_SEGMENT : entries;
	if (last < first)
		return 0; /* an empty head */
	return render_lines(c, go_prefix, first, last, out, err);
}

int feed_sync(PGconn *c, struct store *s, const char *go_prefix, int *written, char *err)
{
	long long have, want;
	struct buf b = BUF_INIT;
	int rc = -1, n = 0;
	if (db_begin(c, err) < 0)
		return -1;
	if (lock_feed(c, err) < 0 || feed_entries(c, &want, err) < 0)
		goto out;
	if ((rc = store_entries(s, &have, err)) < 0)
		goto out;
	rc = -1;
	if (have == want) {
		rc = 0;
		goto out;
	}
	if (have > want) /* a store ahead of its database (restored from a backup?): the head from the database */
		have = want - want % FEED_SEGMENT;
	/* Full segments that filled since the store's end, then the head, then the index. */
	for (long long k = have / FEED_SEGMENT + 1; k <= want / FEED_SEGMENT; k++) {
		char *key = feed_segment_key(k);
		buf_reset(&b);
		if (render_segment(c, go_prefix, k, want, &b, err) < 0) {
			free(key);
			goto out;
		}
		int w = store_put_immutable(s, key, b.data, b.len, FEED_TYPE, err);
		free(key);
		if (w < 0) {
			rc = w;
			goto out;
		}
		n++;
	}
	buf_reset(&b);
	if (render_segment(c, go_prefix, 0, want, &b, err) < 0)
		goto out;
	if ((rc = store_put_mutable(s, FEED_HEAD_KEY, b.data ? b.data : "", b.len, FEED_TYPE, err)) < 0)
		goto out;
	buf_reset(&b);
	render_index(want, &b);
	if ((rc = store_put_mutable(s, FEED_INDEX_KEY, b.data, b.len, "application/json", err)) < 0)
		goto out;
	n += 2;
	rc = 0;
out:
	if (rc == 0)
		rc = db_commit(c, err);
	else
		db_rollback(c);
	if (written)
		*written = rc == 0 ? n : 0;
	buf_release(&b);
	return rc;
}

int feed_update(PGconn *c, struct store *s, const char *go_prefix, int *written, char *err)
{
	/*
	 * The idle case without the lock: nothing waits for a position and the store
	 * holds every one. Positions only grow, so a concurrent writer can only be
	 * ahead of what we read here, never behind.
	 */
	long long v[2], have;
	if (db_numbers(c, "feed: check",
		"SELECT " SQL_TOP_POSITION ","
		"  EXISTS (SELECT 1 FROM generations WHERE state = 'published' AND feed_seq IS NULL)",
		0, NULL, v, 2, err) < 0)
		return -1;
	long long top = v[0];
	int unplaced = v[1] != 0;
	if (written)
		*written = 0;
	if (!unplaced) {
		int rc = store_entries(s, &have, err);
		if (rc < 0)
			return rc;
		if (have == top)
			return 0;
	} else if (feed_place(c, NULL, err) < 0) {
		return -1;
	}
	return feed_sync(c, s, go_prefix, written, err);
}

int feed_render_all(PGconn *c, const char *go_prefix,
		    int (*each)(void *arg, const char *key, const struct buf *data, int immutable),
		    void *arg, char *err)
{
	long long entries;
	struct buf b = BUF_INIT;
	int rc = -1;
	if (feed_entries(c, &entries, err) < 0)
		return -1;
	if (!entries)
		return 0; /* nothing published: no feed */
	render_index(entries, &b);
	if (each(arg, FEED_INDEX_KEY, &b, 0)) {
		rc = 0;
		goto out;
	}
	for (long long k = 0; k <= entries / FEED_SEGMENT; k++) {
		buf_reset(&b);
		if (render_segment(c, go_prefix, k, entries, &b, err) < 0)
			goto out;
		char *key = k ? feed_segment_key(k) : xstrdup(FEED_HEAD_KEY);
		int stop = each(arg, key, &b, k != 0);
		free(key);
		if (stop)
			break;
	}
	rc = 0;
out:
	buf_release(&b);
	return rc;
}
