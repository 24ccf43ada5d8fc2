/*
 * zipcache: a chained hash table of deflated entries under one mutex, with
 * a FIFO list for eviction (a backfill meets a file again soon after it
 * first met it, so the oldest entry is the least useful one).
 */
#include "zipcache.h"

#include <stdlib.h>
#include <string.h>

#define BUCKETS 16384

struct zipcache_entry {
	unsigned char key[32];
	int level;
	void *blob; /* owned */
	size_t len;
	struct zipcache_entry *chain; /* next in the bucket */
	struct zipcache_entry *newer; /* next in insertion order */
};

static size_t bucket_of(const unsigned char key[32])
{
	size_t h;
	memcpy(&h, key, sizeof(h)); /* a sha256: its bytes are already spread */
	return h % BUCKETS;
}

void zipcache_init(struct zipcache *c, size_t max_bytes)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	c->buckets = xcalloc(BUCKETS, sizeof(*c->buckets));
	c->max_bytes = max_bytes;
}

void zipcache_release(struct zipcache *c)
{
	struct zipcache_entry *e = c->oldest;
	while (e) {
		struct zipcache_entry *next = e->newer;
		free(e->blob);
		free(e);
		e = next;
	}
	free(c->buckets);
	pthread_mutex_destroy(&c->mu);
	memset(c, 0, sizeof(*c));
}

static struct zipcache_entry *lookup(struct zipcache *c, const unsigned char key[32], int level)
{
	for (struct zipcache_entry *e = c->buckets[bucket_of(key)]; e; e = e->chain)
		if (e->level == level && !memcmp(e->key, key, 32))
			return e;
	return NULL;
}

int zipcache_find(struct zipcache *c, const unsigned char key[32], int level, struct buf *out)
{
	int found = 0;
	pthread_mutex_lock(&c->mu);
	struct zipcache_entry *e = lookup(c, key, level);
	if (e) {
		buf_add(out, e->blob, e->len);
		found = 1;
		c->hits++;
	} else {
		c->misses++;
	}
	pthread_mutex_unlock(&c->mu);
	return found;
}

/* Unlinks and frees the oldest entry. Caller holds mu. */
static void evict_oldest(struct zipcache *c)
{
	struct zipcache_entry *e = c->oldest, **p = &c->buckets[bucket_of(e->key)];
	while (*p != e)
		p = &(*p)->chain;
	*p = e->chain;
	c->oldest = e->newer;
	if (!c->oldest)
		c->newest = NULL;
	c->bytes -= e->len;
	free(e->blob);
	free(e);
}

void zipcache_keep(struct zipcache *c, const unsigned char key[32], int level, const void *blob, size_t len)
{
	if (len > c->max_bytes)
		return;
	struct zipcache_entry *e = xcalloc(1, sizeof(*e));
	memcpy(e->key, key, 32);
	e->level = level;
	e->blob = xmalloc(len + 1);
	memcpy(e->blob, blob, len);
	e->len = len;
	pthread_mutex_lock(&c->mu);
	if (lookup(c, key, level)) {
		/* another thread kept the same bytes first */
		pthread_mutex_unlock(&c->mu);
		free(e->blob);
		free(e);
		return;
	}
	while (c->oldest && c->bytes + len > c->max_bytes)
		evict_oldest(c);
	size_t b = bucket_of(key);
	e->chain = c->buckets[b];
	c->buckets[b] = e;
	if (c->newest)
		c->newest->newer = e;
	else
		c->oldest = e;
	c->newest = e;
	c->bytes += len;
	pthread_mutex_unlock(&c->mu);
}
