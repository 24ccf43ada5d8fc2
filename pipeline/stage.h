/*
 * stage: what the stages of `remotegen run` share, and the stages
 * themselves. The scheduler thread claims generations (run.c) and finishes
 * them (stage_finish.c); worker threads generate (stage_generate.c);
 * publisher threads upload and record (stage_publish.c). Stages hand jobs
 * over through lock-free rings (workers/pool.h); each thread owns its own
 * connections. No stage knows an ecosystem by name: the job's target does the
 * ecosystem's part.
 */
#ifndef REMOTEGEN_STAGE_H
#define REMOTEGEN_STAGE_H

#include "inflight.h"
#include "job.h"
#include "outcache.h"
#include "run.h"
#include "target.h"
#include "zipcache.h"

#include <libpq-fe.h>
#include <signal.h>

/* Set by the first SIGTERM/SIGINT (stop claiming) and the second (kill plugins, hand work back). */
extern volatile sig_atomic_t stage_stop_requested;
extern volatile sig_atomic_t stage_abort_work;

struct run_ctx {
	const struct run_opts *o;
	struct target_env env; /* configuration and the zip cache, for targets */
	/* Publisher thread i owns stores[i] and pub_dbs[i]: uploads run in parallel,
	 * one connection to the store and one to PostgreSQL per publisher thread. */
	struct store **stores;
	PGconn **pub_dbs;
	/* Worker thread i owns caches[i] (its connection to the output cache), or none. */
	struct outcache *caches;
	struct inflight inflight; /* cache keys being computed by this process's workers */
	struct zipcache zipcache; /* deflated zip entries, by content */
	int publishers;
	struct store_config store_cfg; /* the configuration's, with the abort flag: a second signal stops uploads */
	char lease_owner[128];
	int store_broken; /* scheduler thread only: stop claiming */
};

/* Worker stage (pool callback): plugins, then the target builds the package. */
void stage_generate(void *job, void *ctx, int thread_index);

/* Publisher stage (pool callback): upload, then record and rewrite the index under the package's lock. */
void stage_publish(void *job, void *ctx, int thread_index);

/*
 * Records the outcome of a job that went through both stages, on the
 * scheduler thread's own connection db (a PGconn is never shared between
 * threads), counts it in st and frees it. Returns 0, or -1 when the outcome
 * could not be recorded (err set; the lease runs out and the work is retried).
 */
int stage_finish(struct run_ctx *ctx, PGconn **db, struct job *j, struct run_stats *st, char *err);

/* One log line about j: event, ids, names, and the reason when it failed. */
void stage_log_job(const char *level, const char *event, const struct job *j);

/* The "failed" line of a generation failed for good outside a job (failure: "dependency", "lease_expired"). */
void stage_log_failure(const struct queue_failure *f, const char *failure);

#endif
