/*
 * stage_publish: the publisher stage of `remotegen run` (see stage.h): the
 * target admits the package and writes its immutable files; then, in one
 * transaction under the package's index lock, the generation is marked
 * published and the target rewrites its index files from the database.
 */
#include "stage.h"
#include "db.h"

#include <stdlib.h>

/*
 * Marks j published and rewrites its index files, in one transaction under
 * the index lock. Returns 1 done, 0 not published (j's outcome says why: the
 * lease was lost, or the target refused it), -1 error (err set; *store_rc
 * holds a store error, if that was the cause).
 */
static int record_published(struct run_ctx *ctx, PGconn **pub_db, struct store *store, struct job *j, int *store_rc,
			    char *err)
{
	const struct target *t = j->target;
	int rc = -1;
	*store_rc = 0;
	char *lock = t->lock_key(j);
	if (db_ensure(pub_db, ctx->o->cfg->database, err) < 0 || db_begin(*pub_db, err) < 0 ||
	    queue_lock(*pub_db, lock, err) < 0)
		goto out;
	int admitted = t->admit ? t->admit(j, *pub_db, err) : 1;
	if (admitted != 1) {
		rc = admitted;
		goto out;
	}
	struct queue_publication pub = { .plugin_ms = j->plugin_ms, .publish_ms = j->publish_ms };
	t->publication(j, &pub);
	int marked = queue_mark_published(*pub_db, ctx->lease_owner, j->q.id, &pub, err);
	if (marked <= 0) {
		if (marked == 0)
			job_fail(j, JOB_LEASE_LOST,
				 "lease lost before publishing (another process took the "
				 "generation over); its files are identical, nothing was overwritten");
		rc = marked;
		goto out;
	}
	if ((*store_rc = t->index(j, *pub_db, store, &ctx->env, err)) < 0)
		goto out;
	if (db_commit(*pub_db, err) < 0)
		goto out;
	rc = 1;
out:
	if (rc != 1 && *pub_db)
		db_rollback(*pub_db);
	free(lock);
	return rc;
}

void stage_publish(void *v, void *arg, int thread_index)
{
	struct job *j = v;
	struct run_ctx *ctx = arg;
	struct store *store = ctx->stores[thread_index];
	PGconn **pub_db = &ctx->pub_dbs[thread_index];
	const struct target *t = j->target;
	char err[ERR_SIZE];
	int store_rc;

	if (j->outcome != JOB_RUNNING)
		return;
	if (stage_abort_work) {
		job_fail(j, JOB_INTERRUPTED, "interrupted before publishing: remotegen is shutting down");
		return;
	}
	/* Asked before uploading as well as under the lock, so that a refused package writes nothing. */
	if (t->admit) {
		int admitted = db_ensure(pub_db, ctx->o->cfg->database, err) < 0 ? -1 : t->admit(j, *pub_db, err);
		if (admitted < 0)
			job_fail(j, JOB_TRANSIENT, err);
		if (admitted != 1)
			return;
	}
	long long t0 = util_now_ms();
	stage_log_job("debug", "upload_started", j);
	int urc = t->upload(j, store, err);
	if (urc < 0) {
		/* A different object at a published path never heals: fail for good. */
		if (stage_abort_work)
			job_fail(j, JOB_INTERRUPTED, "upload stopped: remotegen is shutting down (handed back)");
		else
			job_fail(j, job_outcome_of_store(urc), err);
		return;
	}
	stage_log_job("debug", "uploaded", j);
	int rc = record_published(ctx, pub_db, store, j, &store_rc, err);
	/* A connection that died since its last use (a database restart) gets one more go. */
	if (rc < 0 && !store_rc && db_broken(*pub_db))
		rc = record_published(ctx, pub_db, store, j, &store_rc, err);
	if (rc == 0)
		return; /* the outcome is set */
	if (rc < 0) {
		job_fail(j, store_rc == STORE_FATAL ? JOB_STORE_REFUSED : JOB_TRANSIENT, err);
		return;
	}
	j->outcome = JOB_PUBLISHED;
	j->publish_ms = util_now_ms() - t0;
}
