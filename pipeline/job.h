/*
 * job: one claimed generation on its way through the run: the queue's row,
 * the target that turns it into a package, the generated files, the package
 * the worker built, and its outcome. The outcome is set where a failure
 * happens, once; the finish stage switches on it.
 */
#ifndef REMOTEGEN_JOB_H
#define REMOTEGEN_JOB_H

#include "fileset.h"
#include "generate.h"
#include "queue.h"

struct target;

enum job_outcome {
	JOB_RUNNING = 0,   /* no outcome yet (on its way) */
	JOB_PUBLISHED,	   /* recorded, index files rewritten */
	JOB_LEASE_LOST,	   /* another process took it over before we recorded it */
	JOB_INTERRUPTED,   /* stopped by a shutdown: handed back, attempt not counted */
	JOB_STORE_REFUSED, /* the store (or its configuration) refused us: handed back, run stops claiming */
	JOB_TRANSIENT,	   /* a crash, a timeout, a storage or database error: retried with backoff */
	JOB_PERMANENT,	   /* the plugin's own error, invalid output, a conflict: failed for good */
};

struct job {
	struct queue_job q;	     /* the row as claimed (owned) */
	const struct target *target; /* decided by the template version's plugins */
	void *pkg;		     /* the package the worker built (owned by the target: target->release) */
	struct fileset files;	     /* generated files (released once the package is built) */
	size_t n_files;		     /* how many there were */
	enum job_outcome outcome;
	char error[ERR_SIZE]; /* why, when it failed */
	long long plugin_ms, publish_ms;
	struct filecache_stats cache; /* files of per-file plugins from the cache, and sent to them */
};

/* Takes q's contents (q is left empty) into a new job for target t; free with job_free. */
struct job *job_new(struct queue_job *q, const struct target *t);
/* Frees j and everything it holds (NULL is fine). */
void job_free(struct job *j);

/* Sets the outcome and its message (msg may be j->error itself). */
void job_fail(struct job *j, enum job_outcome o, const char *msg);
/* The outcome of a failed generate_run. */
enum job_outcome job_outcome_of_plugin(enum plugin_failure f);
/* The outcome of a STORE_* error: a conflict never heals, a refusing store is not the job's fault. */
enum job_outcome job_outcome_of_store(int store_rc);
/* 1 when the job has failed (any outcome but running and published). */
int job_failed(const struct job *j);
/* "permanent", "transient", ... for logs. */
const char *job_outcome_name(enum job_outcome o);

#endif
