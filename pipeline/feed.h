/*
 * feed: the feed of published versions for mirrors and auditors, kept in
 * segments so that its cost never grows with the registry.
 *
 * Every published generation gets a position (generations.feed_seq: 1, 2,
 * 3, ... gap-free, in publication order), assigned once under the feed lock.
 * Positions are written in segments of FEED_SEGMENT lines of newline-
 * delimited JSON, one object per version with the go.sum hashes:
 *   {"Seq":N,"Path":..,"Version":..,"Timestamp":..,"Sum":"h1:..","GoModSum":"h1:.."}
 *   or, for an npm package version,
 *   {"Seq":N,"Package":"@scope/name","Version":"1.2.3","Timestamp":..,"Integrity":"sha512-.."}
 *   index/feed/000001.ndjson ...  full segments: immutable, written once
 *   index/feed/head.ndjson        the positions after the last full segment
 *   index/feed.json               {"SegmentSize":1000,"Segments":N,"Entries":M}
 *   index/feed/marks.ndjson       every version ever yanked, deprecated or restored, as its
 *                                 feed line with "Marked", "Yanked", "YankReason", "Deprecated",
 *                                 in the order of the last mark; rewritten with each mark
 * A run writes the segments from where the store's feed.json ends to where
 * the database ends: the head, and a full segment when one fills.
 */
#ifndef REMOTEGEN_FEED_H
#define REMOTEGEN_FEED_H

#include "config.h"
#include "store.h"

#include <libpq-fe.h>

#define FEED_SEGMENT   1000
#define FEED_INDEX_KEY "index/feed.json"
#define FEED_HEAD_KEY  "index/feed/head.ndjson"
#define FEED_MARKS_KEY "index/feed/marks.ndjson"
#define FEED_TYPE      "application/x-ndjson; charset=utf-8"

/* "index/feed/NNNNNN.ndjson" of full segment k (1-based), malloc'ed. */
char *feed_segment_key(long long k);

/*
 * Gives positions to published generations that have none, in one short
 * transaction under the feed lock. *placed (may be NULL) is how many.
 * Returns 0 or -1 (err set).
 */
int feed_place(PGconn *c, long long *placed, char *err);

/*
 * Writes what the store's feed lacks, from the database, under the feed lock
 * (so that it never goes backwards). *written (may be NULL) counts the
 * objects written; 0 when the store was up to date. Returns 0, -1 (err set)
 * on a database error or a STORE_* error.
 */
int feed_sync(PGconn *c, struct store *s, const struct config *cfg, int *written, char *err);

/* feed_place, then feed_sync. */
int feed_update(PGconn *c, struct store *s, const struct config *cfg, int *written, char *err);

/*
 * Writes one feed object (immutable: a full segment, written once) with its
 * content type. Returns what store_put_immutable / store_put_mutable return.
 */
int feed_put(struct store *s, const char *key, const struct buf *data, int immutable, char *err);

/*
 * Rewrites index/feed/marks.ndjson from the database (inside the caller's
 * transaction, which holds the marks' lock). Returns 0, -1 or a STORE_* error (err set).
 */
int feed_write_marks(PGconn *c, struct store *s, const struct config *cfg, char *err);

/* How many positions the database holds (the highest position). */
int feed_entries(PGconn *c, long long *entries, char *err);

/*
 * The bytes every feed object should hold, from the database: calls each()
 * with key, content and whether the object is immutable, for feed.json, the
 * head, every full segment and the marks file when a version was ever marked
 * (nothing while nothing is published). Stops at
 * the first non-zero return of each().
 */
int feed_render_all(PGconn *c, const struct config *cfg,
		    int (*each)(void *arg, const char *key, const struct buf *data, int immutable), void *arg,
		    char *err);

#endif
