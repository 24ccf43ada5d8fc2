/*
 * Stress test of the worker pool: many jobs through two pools connected as
 * the run connects them (the submitting thread feeds the workers' ring,
 * moves what they finish to the publishers' ring and collects from it), with
 * the real pool code. Each stage writes the job and the next one reads what
 * it wrote, so a hand-over without ordering shows as a wrong value here and
 * as a data race under ThreadSanitizer (`make tsan`, part of `make check`).
 */
#include "pool.h"
#include "util.h"
#include "unit.h"

#include <stdlib.h>

#define JOBS 20000

struct sjob {
	long id;
	long a, b; /* written by the first and second stage */
	int a_runs, b_runs;
	int a_thread;
};

static long stage_a_total[8]; /* per thread: only that thread writes its slot */

static void stage_a(void *v, void *arg, int thread_index)
{
	struct sjob *j = v;
	(void)arg;
	j->a = j->id * 3;
	j->a_runs++;
	j->a_thread = thread_index;
	stage_a_total[thread_index]++;
}

static void stage_b(void *v, void *arg, int thread_index)
{
	struct sjob *j = v;
	(void)arg;
	(void)thread_index;
	j->b = j->a + 1; /* reads what the first stage wrote, on another thread */
	j->b_runs++;
}

int main(void)
{
	char err[ERR_SIZE];
	struct pool a, b;
	struct sjob *jobs = xcalloc(JOBS, sizeof(*jobs));
	long submitted = 0, done = 0, bad = 0, refused = 0, in_flight = 0;
	CHECK(pool_init(&a, 4, 8, stage_a, NULL, err) == 0);
	CHECK(pool_init(&b, 3, a.capacity, stage_b, NULL, err) == 0);
	/* As run.c does: no more in flight, in both pools together, than the first one holds. */
	while (done < JOBS && !refused) {
		while (submitted < JOBS && in_flight < (long)a.capacity) {
			jobs[submitted].id = submitted;
			if (pool_submit(&a, &jobs[submitted]) < 0) {
				refused++;
				break;
			}
			submitted++;
			in_flight++;
		}
		struct sjob *j;
		while ((j = pool_collect(&a, 1)))
			if (pool_submit(&b, j) < 0)
				refused++;
		while ((j = pool_collect(&b, 0))) {
			if (j->b != j->id * 3 + 1 || j->a_runs != 1 || j->b_runs != 1)
				bad++;
			done++;
			in_flight--;
		}
	}
	CHECK(refused == 0);
	pool_release(&a);
	pool_release(&b);
	long total = 0;
	for (int i = 0; i < 8; i++)
		total += stage_a_total[i];
	CHECK(bad == 0);
	CHECK(done == JOBS);
	CHECK(total == JOBS);
	int threads_used = 0;
	for (int i = 0; i < 4; i++)
		threads_used += stage_a_total[i] > 0;
	CHECK(threads_used >= 1);
	free(jobs);
	return unit_done("pool");
}
