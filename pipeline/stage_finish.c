/*
 * stage_finish: the last stage of `remotegen run` (see stage.h), on the
 * scheduler thread: records each job's outcome in the queue, counts it and
 * logs it, one line per job.
 */
#include "stage.h"
#include "db.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

/* The fields that name a generation, in the order every line about one has them. */
static void log_generation(struct logline *l, long long id, const char *module, long long commit, const char *template,
			   const char *version, long long attempt)
{
	log_int(l, "generation", id);
	log_str(l, "module", module);
	log_int(l, "commit", commit);
	log_str(l, "template", template);
	log_str(l, "version", version);
	log_int(l, "attempt", attempt);
}

void stage_log_job(const char *level, const char *event, const struct job *j)
{
	const struct queue_job *q = &j->q;
	struct logline l;
	char m[160], t[160];
	log_start(&l, level, event);
	snprintf(m, sizeof(m), "%s/%s", q->module_owner, q->module_name);
	snprintf(t, sizeof(t), "%s/%s:v%d", q->template_owner, q->template_name, q->template_version);
	log_generation(&l, q->id, m, q->sequence, t, q->version, q->attempts);
	if (job_failed(j)) {
		log_str(&l, "failure", job_outcome_name(j->outcome));
		log_str(&l, "reason", j->error);
	}
	if (j->outcome == JOB_PUBLISHED) {
		log_int(&l, "plugin_ms", j->plugin_ms);
		log_int(&l, "publish_ms", j->publish_ms);
		log_int(&l, "files", (long long)j->n_files);
		if (j->cache.cache_hits || j->cache.cache_misses) {
			log_int(&l, "cache_hits", j->cache.cache_hits);
			log_int(&l, "cache_misses", j->cache.cache_misses);
		}
		j->target->log_published(j, &l);
	}
	log_end(&l);
}

/* Hands j back without counting the attempt. */
static int hand_back(struct run_ctx *ctx, PGconn **db, struct job *j, char *err)
{
	if (db_ensure(db, ctx->o->cfg->database, err) < 0 ||
	    queue_release(*db, ctx->lease_owner, j->q.id, j->error, err) < 0)
		return -1;
	return 0;
}

void stage_log_failure(const struct queue_failure *f, const char *failure)
{
	struct logline l;
	log_start(&l, "error", "failed");
	log_generation(&l, f->id, f->module, f->sequence, f->template, f->version, f->attempts);
	log_str(&l, "failure", failure);
	log_str(&l, "reason", f->error);
	log_end(&l);
}

/* A failure that counts: retried after a backoff, or failed for good (with what depends on it). */
static int record_failure(struct run_ctx *ctx, PGconn **db, struct job *j, struct run_stats *st, char *err)
{
	struct queue_fail_result res;
	if (db_ensure(db, ctx->o->cfg->database, err) < 0 ||
	    queue_fail(*db, ctx->lease_owner, &j->q, j->error, j->outcome == JOB_PERMANENT, ctx->o->max_attempts,
		       ctx->o->cfg->retry_base_ms, &res, err) < 0)
		return -1; /* the lease will expire and the work will be retried */
	if (res.final) {
		st->failed++;
		stage_log_job("error", "failed", j);
	} else {
		st->retried++;
		stage_log_job("warn", "retry_scheduled", j);
	}
	for (size_t i = 0; i < res.n_dependents; i++) {
		st->failed++;
		stage_log_failure(&res.dependents[i], "dependency");
	}
	queue_fail_result_release(&res);
	return 0;
}

int stage_finish(struct run_ctx *ctx, PGconn **db, struct job *j, struct run_stats *st, char *err)
{
	int rc = 0;
	switch (j->outcome) {
	case JOB_PUBLISHED:
		st->published++;
		st->plugin_ms += j->plugin_ms;
		st->publish_ms += j->publish_ms;
		st->cache_hits += j->cache.cache_hits;
		st->cache_misses += j->cache.cache_misses;
		stage_log_job("info", "published", j);
		break;
	case JOB_LEASE_LOST: stage_log_job("warn", "abandoned", j); break;
	case JOB_INTERRUPTED:
		/* Stopped by a shutdown: another run does it from scratch, attempt not counted. */
		stage_log_job("warn", "handed_back", j);
		rc = hand_back(ctx, db, j, err);
		break;
	case JOB_STORE_REFUSED:
		/* Not the generation's fault: hand it back and stop using the store. */
		st->store_errors++;
		ctx->store_broken = 1;
		stage_log_job("error", "store_refused", j);
		rc = hand_back(ctx, db, j, err);
		break;
	case JOB_RUNNING: /* went through both stages without an outcome: cannot happen */
		job_fail(j, JOB_TRANSIENT, "no outcome recorded (internal error)");
		/* fall through */
	case JOB_TRANSIENT:
	case JOB_PERMANENT: rc = record_failure(ctx, db, j, st, err); break;
	}
	job_free(j);
	return rc;
}
