/*
 * job: lifecycle and outcome of one claimed generation (see job.h).
 */
#include "job.h"
#include "text.h"
#include "store.h"
#include "target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct job *job_new(struct queue_job *q, const struct target *t)
{
	struct job *j = xcalloc(1, sizeof(*j));
	j->q = *q;
	memset(q, 0, sizeof(*q));
	j->target = t;
	return j;
}

void job_free(struct job *j)
{
	if (!j)
		return;
	if (j->target && j->pkg)
		j->target->release(j);
	fileset_release(&j->files);
	queue_job_release(&j->q);
	free(j);
}

void job_fail(struct job *j, enum job_outcome o, const char *msg)
{
	/* Messages carry text from outside (plugin stderr, file names, server replies): stored and logged clean. */
	char clean[sizeof(j->error)];
	j->outcome = o;
	text_clean(clean, sizeof(clean), msg);
	memcpy(j->error, clean, sizeof(clean));
}

enum job_outcome job_outcome_of_plugin(enum plugin_failure f)
{
	switch (f) {
	case PLUGIN_PERMANENT: return JOB_PERMANENT;
	case PLUGIN_INTERRUPTED: return JOB_INTERRUPTED;
	case PLUGIN_TRANSIENT: break;
	}
	return JOB_TRANSIENT;
}

enum job_outcome job_outcome_of_store(int store_rc)
{
	return store_rc == STORE_CONFLICT ? JOB_PERMANENT : store_rc == STORE_FATAL ? JOB_STORE_REFUSED : JOB_TRANSIENT;
}

int job_failed(const struct job *j)
{
	return j->outcome != JOB_RUNNING && j->outcome != JOB_PUBLISHED;
}

const char *job_outcome_name(enum job_outcome o)
{
	switch (o) {
	case JOB_RUNNING: return "running";
	case JOB_PUBLISHED: return "published";
	case JOB_LEASE_LOST: return "lease_lost";
	case JOB_INTERRUPTED: return "interrupted";
	case JOB_STORE_REFUSED: return "store_refused";
	case JOB_TRANSIENT: return "transient";
	case JOB_PERMANENT: return "permanent";
	}
	return "unknown";
}
