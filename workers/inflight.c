/*
 * inflight: single flight of cache keys within a process (see inflight.h).
 */
#include "inflight.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void inflight_init(struct inflight *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->released, NULL);
}

void inflight_release(struct inflight *f)
{
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->released);
	free(f->keys);
	memset(f, 0, sizeof(*f));
}

/* Index of key among the claimed ones, or -1. Caller holds mu. */
static long find(const struct inflight *f, const struct cache_key *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (!memcmp(f->keys[i].hex, key->hex, SHA256_HEX_SIZE - 1))
			return (long)i;
	return -1;
}

size_t inflight_claim(struct inflight *f, const struct cache_key *keys, size_t n, size_t max, int *mine)
{
	size_t got = 0;
	pthread_mutex_lock(&f->mu);
	for (size_t i = 0; i < n; i++) {
		mine[i] = got < max && find(f, &keys[i]) < 0;
		if (!mine[i])
			continue;
		got++;
		if (f->n == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 256;
			f->keys = xrealloc(f->keys, f->cap * sizeof(*f->keys));
		}
		f->keys[f->n++] = keys[i];
	}
	pthread_mutex_unlock(&f->mu);
	return got;
}

void inflight_drop(struct inflight *f, const struct cache_key *keys, size_t n)
{
	pthread_mutex_lock(&f->mu);
	for (size_t i = 0; i < n; i++) {
		long at = find(f, &keys[i]);
		if (at >= 0)
			f->keys[at] = f->keys[--f->n];
	}
	pthread_cond_broadcast(&f->released);
	pthread_mutex_unlock(&f->mu);
}

void inflight_wait(struct inflight *f, const struct cache_key *keys, size_t n)
{
	pthread_mutex_lock(&f->mu);
	for (size_t i = 0; i < n;) {
		if (find(f, &keys[i]) >= 0) {
			pthread_cond_wait(&f->released, &f->mu);
			i = 0; /* start over: claims may have moved */
			continue;
		}
		i++;
	}
	pthread_mutex_unlock(&f->mu);
}
