/*
 * zipcache: deflated zip entries by content, shared by the threads of one
 * process. A file with the same bytes in many module zips (the unchanged
 * files of a history, every version a new template version publishes again)
 * is deflated once: modzip keeps a one-entry zip per (sha256 of the content,
 * deflate level) here and copies its compressed data into the module zip
 * (libzip's zip_source_zip) instead of deflating the file again; the zip's
 * bytes are the same either way. Bounded by bytes: beyond the bound the
 * oldest entries go first. Owns its entries (copies of what it is given);
 * thread-safe.
 */
#ifndef REMOTEGEN_ZIPCACHE_H
#define REMOTEGEN_ZIPCACHE_H

#include <pthread.h>
#include <stddef.h>

#include "util.h"

/* The bound remotegen run uses: ~400 MB of generated Go source, deflated. */
#define ZIPCACHE_MAX_BYTES (64u << 20)

struct zipcache_entry;

struct zipcache {
	pthread_mutex_t mu;
	struct zipcache_entry **buckets;	/* owned; chains of entries */
	struct zipcache_entry *oldest, *newest; /* insertion order, for eviction */
	size_t bytes, max_bytes;
	long long hits, misses;
};

void zipcache_init(struct zipcache *c, size_t max_bytes);
/* Frees every entry. */
void zipcache_release(struct zipcache *c);

/*
 * Appends the blob kept for (key, level) to out; returns 1, or 0 when there
 * is none (counted as a miss).
 */
int zipcache_find(struct zipcache *c, const unsigned char key[32], int level, struct buf *out);
/* Keeps a copy of blob[0..len) for (key, level), evicting the oldest entries beyond the bound. */
void zipcache_keep(struct zipcache *c, const unsigned char key[32], int level, const void *blob, size_t len);

#endif
