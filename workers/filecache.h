/*
 * filecache: the output cache protocol of per-file plugins, whole: the key
 * of each file to generate (what its output depends on), the salt of a
 * plugin version, single flight in rounds between this process's workers
 * (inflight.h), and the encoding of a file's outputs. Where entries are kept
 * is the caller's (pipeline/outcache.c: PostgreSQL, shared by every process
 * of a deployment), through struct filecache.
 */
#ifndef REMOTEGEN_FILECACHE_H
#define REMOTEGEN_FILECACHE_H

#include "cachekey.h"
#include "plugin.h"
#include "inflight.h"

/* What a generation took from the cache (files of per-file plugins). */
struct filecache_stats {
	long cache_hits, cache_misses;
};

/* Where cached outputs are kept, provided by the caller. */
struct filecache {
	/* Sets found[i] and fills values[i] (caller-initialised buffers) for each cached key.
	 * Returns 0, or -1 (err set): generation goes on without the cache. */
	int (*get)(void *ctx, const struct cache_key *keys, size_t n, struct buf *values, int *found, char *err);
	/* Keeps values under keys and counts hits and misses; best effort, never fails a generation. */
	void (*put)(void *ctx, const struct cache_key *keys, const struct buf *values, size_t n, long hits,
		    long misses);
	void *ctx;
	/* Keys being computed by other generations of this process (NULL: none kept). */
	struct inflight *inflight;
};

/*
 * The cache key of each file to generate into keys[0..r->n_files): sha256 of
 * salt (the plugin version and its parameter), the compiler version, the
 * file's name, the file's descriptor as sent (managed mode applied, comments
 * included) and the descriptors of every file it imports transitively,
 * without their comments (source info). Two requests give a file the same
 * key exactly when a per-file plugin, whose output for a file depends on the
 * file and on its imports' definitions, sees the same input for it.
 */
void filecache_keys(const struct request *r, const char *salt, struct cache_key *keys);

/* The salt of plugin p's keys (its version, runtime, executable or image, parameter), malloc'ed. */
char *filecache_salt(const struct plugin_spec *p);

/*
 * Runs per-file plugin p with the cache: the files whose key is cached come
 * from it, the others go to the plugin in rounds (single flight), their
 * outputs are stored. When outputs cannot be told apart by file (or an entry
 * is unreadable, or the cache is down) the plugin runs on every file and
 * nothing is cached: the result is always what plugin_run_all gives.
 * Arguments and return as generate_run's; stats (may be NULL) adds hits and misses.
 */
int filecache_run(const struct request *req, const struct plugin_spec *p, const struct filecache *cache,
		  const volatile sig_atomic_t *abort, struct fileset *out, enum plugin_failure *failure, long long *ms,
		  struct filecache_stats *stats, char *err);

#endif
