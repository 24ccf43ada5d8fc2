/*
 * outcache: where the output cache of per-file plugins is kept: PostgreSQL
 * (output_cache, output_cache_stats; migration 004), shared by every process
 * of a deployment. Storage only (the protocol, keys and single flight are
 * workers/filecache.c's): filecache callbacks over a connection of their own,
 * eviction of the least recently used entries beyond a size bound, and the
 * figures status and metrics show.
 */
#ifndef REMOTEGEN_OUTCACHE_H
#define REMOTEGEN_OUTCACHE_H

#include "filecache.h"

#include <libpq-fe.h>

/* One worker thread's handle: its own connection, opened on first use. */
struct outcache {
	const char *conninfo; /* borrowed */
	PGconn *db;	      /* owned */
	long long added;      /* entries this handle added */
};

/* Fills ops with callbacks on oc (which must outlive their use). */
void outcache_ops(struct outcache *oc, struct filecache *ops);
/* Closes the connection. */
void outcache_release(struct outcache *oc);

/*
 * Deletes the least recently used entries until the cache holds at most
 * max_bytes. *evicted (may be NULL) counts them. Returns 0 or -1 (err set).
 */
int outcache_evict(PGconn *c, long long max_bytes, long long *evicted, char *err);

struct outcache_figures {
	long long entries, bytes, hits, misses;
};
/* Size and life-long hits and misses. Returns 0 or -1 (err set). */
int outcache_figures(PGconn *c, struct outcache_figures *f, char *err);

#endif
