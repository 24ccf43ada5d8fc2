/*
 * target: the list of targets and which one a generation belongs to (see
 * target.h). Go is last: it takes whatever no other target claims.
 */
#include "target.h"

static const struct target *const targets[] = { &target_npm, &target_go };
#define N_TARGETS (sizeof(targets) / sizeof(targets[0]))

const struct target *target_for_job(const struct queue_job *q)
{
	for (size_t i = 0; i + 1 < N_TARGETS; i++)
		if (targets[i]->claims(q))
			return targets[i];
	return targets[N_TARGETS - 1];
}

const struct target *target_for_row(const struct queue_published *p)
{
	for (size_t i = 0; i + 1 < N_TARGETS; i++)
		if (targets[i]->owns(p))
			return targets[i];
	return targets[N_TARGETS - 1];
}
