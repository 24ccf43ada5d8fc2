/*
 * inflight: the cache keys that generations of this process are computing
 * right now (single flight). Two workers generating adjacent commits need
 * many of the same per-file outputs; the first to claim a key computes it,
 * the other waits for it and then reads it from the output cache instead of
 * running the plugin on the same file again. Owns a mutex, a condition
 * variable and the set of claimed keys. Thread-safe.
 *
 * Deadlock-free by the order of use (filecache.c): a generation claims (at
 * most half of what it misses per round, so that another worker can take
 * the other half), runs the plugin on what it claimed, stores and releases
 * it, and only waits for keys claimed by others when it holds none; so
 * every wait ends when others release.
 */
#ifndef REMOTEGEN_INFLIGHT_H
#define REMOTEGEN_INFLIGHT_H

#include <pthread.h>
#include <stddef.h>
#include "cachekey.h"

struct inflight {
	pthread_mutex_t mu;
	pthread_cond_t released;
	struct cache_key *keys; /* claimed keys, unordered; owned */
	size_t n, cap;
};

void inflight_init(struct inflight *f);
void inflight_release(struct inflight *f);

/*
 * For each of keys[0..n), in order: claims it and sets mine[i] = 1 when no
 * one holds it and fewer than max are claimed by this call, else mine[i] = 0
 * (another generation is computing it, or the limit is reached). Returns
 * how many it claimed.
 */
size_t inflight_claim(struct inflight *f, const struct cache_key *keys, size_t n, size_t max, int *mine);
/* Gives up claims of keys[0..n) (made by inflight_claim with mine[i] = 1) and wakes waiters. */
void inflight_drop(struct inflight *f, const struct cache_key *keys, size_t n);
/* Blocks until none of keys[0..n) is claimed. */
void inflight_wait(struct inflight *f, const struct cache_key *keys, size_t n);

#endif
