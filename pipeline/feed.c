/*
 * feed: positions, segments and the feed index (see feed.h). Owns the feed
 * lock, segments and feed.json; each line is its target's rendering.
 */
#include "feed.h"
#include "timefmt.h"
#include "db.h"
#include "jsonw.h"
#include "queue.h"
#include "target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *feed_segment_key(long long k)
{
	return xasprintf("index/feed/%06lld.ndjson", k);
}

static int lock_feed(PGconn *c, char *err)
{
	return queue_lock(c, "remotegen:index/feed", err);
}

int feed_entries(PGconn *c, long long *entries, char *err)
{
	return queue_feed_top(c, entries, NULL, err);
}

int feed_place(PGconn *c, long long *placed, char *err)
{
	long long top, n = 0;
	if (db_begin(c, err) < 0)
		return -1;
	if (lock_feed(c, err) < 0 || feed_entries(c, &top, err) < 0 || queue_feed_place(c, top, &n, err) < 0)
		goto fail;
	if (placed)
		*placed = n;
	return db_commit(c, err);
fail:
	db_rollback(c);
	return -1;
}

/* Appends the lines of positions [first, last] to out; each target renders its own rows. */
static int render_lines(PGconn *c, const struct config *cfg, long long first, long long last, struct buf *out,
			char *err)
{
	struct queue_rows rows = QUEUE_ROWS_INIT;
	if (queue_feed_rows(c, first, last, &rows, err) < 0)
		return -1;
	if ((long long)rows.n != last - first + 1) {
		err_set(err, "feed: positions %lld to %lld: the database holds %zu of them", first, last, rows.n);
		queue_rows_release(&rows);
		return -1;
	}
	for (size_t i = 0; i < rows.n; i++) {
		json_t *o = json_object();
		jsonw_set_int(o, "Seq", rows.v[i].feed_seq);
		target_for_row(&rows.v[i])->feed_line(&rows.v[i], cfg, o);
		jsonw_write_line(o, out);
	}
	queue_rows_release(&rows);
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
static int render_segment(PGconn *c, const struct config *cfg, long long k, long long entries, struct buf *out,
			  char *err)
{
	long long first = k ? (k - 1) * FEED_SEGMENT + 1 : (entries / FEED_SEGMENT) * FEED_SEGMENT + 1;
	long long last = k ? k * FEED_SEGMENT : entries;
	if (last < first)
		return 0; /* an empty head */
	return render_lines(c, cfg, first, last, out, err);
}

int feed_sync(PGconn *c, struct store *s, const struct config *cfg, int *written, char *err)
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
		if (render_segment(c, cfg, k, want, &b, err) < 0) {
			free(key);
			goto out;
		}
		int w = feed_put(s, key, &b, 1, err);
		free(key);
		if (w < 0) {
			rc = w;
			goto out;
		}
		n++;
	}
	buf_reset(&b);
	if (render_segment(c, cfg, 0, want, &b, err) < 0)
		goto out;
	if ((rc = feed_put(s, FEED_HEAD_KEY, &b, 0, err)) < 0)
		goto out;
	buf_reset(&b);
	render_index(want, &b);
	if ((rc = feed_put(s, FEED_INDEX_KEY, &b, 0, err)) < 0)
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

int feed_update(PGconn *c, struct store *s, const struct config *cfg, int *written, char *err)
{
	/*
	 * The idle case without the lock: nothing waits for a position and the store
	 * holds every one. Positions only grow, so a concurrent writer can only be
	 * ahead of what we read here, never behind.
	 */
	long long top, have;
	int unplaced;
	if (queue_feed_top(c, &top, &unplaced, err) < 0)
		return -1;
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
	return feed_sync(c, s, cfg, written, err);
}

/* The marks file: one line per version ever marked, in the order of its last mark. 0, or -1 (err set). */
static int render_marks(PGconn *c, const struct config *cfg, struct buf *out, size_t *n, char *err)
{
	struct queue_rows rows = QUEUE_ROWS_INIT;
	if (queue_marked_rows(c, &rows, err) < 0)
		return -1;
	for (size_t i = 0; i < rows.n; i++) {
		const struct queue_published *p = &rows.v[i];
		char ts[TIMEFMT_SIZE];
		json_t *o = json_object();
		jsonw_set_int(o, "Seq", p->feed_seq);
		target_for_row(p)->feed_line(p, cfg, o);
		jsonw_set_str(o, "Marked", timefmt_rfc3339(p->marked_us, 6, ts));
		jsonw_set(o, "Yanked", json_boolean(p->yanked));
		if (p->yanked && p->yank_reason)
			jsonw_set_str(o, "YankReason", p->yank_reason);
		if (p->deprecated)
			jsonw_set_str(o, "Deprecated", p->deprecated);
		jsonw_write_line(o, out);
	}
	*n = rows.n;
	queue_rows_release(&rows);
	return 0;
}

int feed_put(struct store *s, const char *key, const struct buf *data, int immutable, char *err)
{
	const char *bytes = data->data ? data->data : "";
	const char *type = strcmp(key, FEED_INDEX_KEY) ? FEED_TYPE : "application/json";
	return immutable ? store_put_immutable(s, key, bytes, data->len, type, err)
			 : store_put_mutable(s, key, bytes, data->len, type, err);
}

int feed_write_marks(PGconn *c, struct store *s, const struct config *cfg, char *err)
{
	struct buf b = BUF_INIT;
	size_t n;
	int rc = render_marks(c, cfg, &b, &n, err);
	if (rc == 0)
		rc = feed_put(s, FEED_MARKS_KEY, &b, 0, err);
	buf_release(&b);
	return rc;
}

int feed_render_all(PGconn *c, const struct config *cfg,
		    int (*each)(void *arg, const char *key, const struct buf *data, int immutable), void *arg,
		    char *err)
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
		if (render_segment(c, cfg, k, entries, &b, err) < 0)
			goto out;
		char *key = k ? feed_segment_key(k) : xstrdup(FEED_HEAD_KEY);
		int stop = each(arg, key, &b, k != 0);
		free(key);
		if (stop) {
			rc = 0;
			goto out;
		}
	}
	size_t marked;
	buf_reset(&b);
	if (render_marks(c, cfg, &b, &marked, err) < 0)
		goto out;
	if (marked)
		each(arg, FEED_MARKS_KEY, &b, 0);
	rc = 0;
out:
	buf_release(&b);
	return rc;
}
