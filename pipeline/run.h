/*
 * run: the pipeline of `remotegen run`: the scheduler (this thread) claims
 * generations and feeds the worker pool; workers run the template's plugins
 * and build the Go module; the publisher thread uploads it, records it in
 * PostgreSQL and rewrites the module's index files. Stages are connected by
 * lock-free rings (workers/pool.h).
 */
#ifndef REMOTEGEN_RUN_H
#define REMOTEGEN_RUN_H

#include "config.h"

struct run_opts {
	/* database, store, go prefix, npm scope and URL (NULL: npm templates cannot
	 * publish, their work is handed back), lease, retry delay, poll interval,
	 * metrics file and interval, output cache size, S3 and runtimes */
	const struct config *cfg;
	int workers;
	int publishers; /* publisher threads: parallel uploads, one store connection each */
	int once;
	int max_attempts;
};

struct run_stats {
	int published;
	int failed;			    /* failed for good in this run */
	int retried;			    /* transient failures put back for a retry */
	int store_errors;		    /* generations handed back because the store refused us */
	int feed_failed;		    /* the feed could not be brought up to date at the end */
	long long plugin_ms, publish_ms;    /* of published generations */
	long long cache_hits, cache_misses; /* files of per-file plugins, of published generations */
};

/*
 * Runs until the queue is drained (once) or until SIGTERM/SIGINT, or until
 * the store refuses us (credentials, permissions, a missing bucket): then the
 * claimed work is handed back and st->store_errors counts it. Returns 0
 * when the run itself worked (inspect stats for failed generations), -1 on
 * a configuration or infrastructure error (err set).
 */
int run_pipeline(const struct run_opts *o, struct run_stats *st, char *err);

#endif
