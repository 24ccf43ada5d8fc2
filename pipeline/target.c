/*
 * target: the list of targets and which one a generation belongs to (see
 * target.h). Go is last: it takes whatever no other target claims.
 */
#include "target.h"

#include <stdlib.h>

static const struct target *const targets[] = { &target_npm, &target_python, &target_go };
#define N_TARGETS (sizeof(targets) / sizeof(targets[0]))

const struct target *target_for_job(const struct queue_job *q)
{
	for (size_t i = 0; i + 1 < N_TARGETS; i++)
		if (targets[i]->claims(q))
			return targets[i];
	return targets[N_TARGETS - 1];
}

int target_admit_package(struct job *j, PGconn *db, const char *kind, const char *name, char *err)
{
	char *owner = NULL;
	int taken = queue_package_owner(db, name, j->q.template_id, j->q.module_id, &owner, err);
	if (taken < 0)
		return -1;
	if (!taken)
		return 1;
	err_set(j->error,
		"%s package %s is already the package of %s: the names of the two pairs "
		"collide; rename the module or the template",
		kind, name, owner);
	job_fail(j, JOB_PERMANENT, j->error);
	free(owner);
	return 0;
}

const struct target *target_for_row(const struct queue_published *p)
{
	for (size_t i = 0; i + 1 < N_TARGETS; i++)
		if (targets[i]->owns(p))
			return targets[i];
	return targets[N_TARGETS - 1];
}
