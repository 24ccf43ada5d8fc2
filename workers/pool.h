/*
 * pool: a stage of the pipeline: N threads that take jobs from a lock-free
 * single-producer/multi-consumer ring (Concurrency Kit), run a function on
 * each, and hand the finished job to a lock-free multi-producer/single-
 * consumer ring. Semaphores only park idle threads; no lock is taken on the
 * hot path. The submitting thread and the collecting thread must each be a
 * single thread (they may be the same one).
 */
#ifndef REMOTEGEN_POOL_H
#define REMOTEGEN_POOL_H

#include <ck_ring.h>
#include <pthread.h>
#include <semaphore.h>

typedef void (*pool_fn)(void *job, void *arg, int thread_index);

struct pool {
	ck_ring_t in;
	ck_ring_buffer_t *in_buf;
	sem_t in_sem;
	ck_ring_t out;
	ck_ring_buffer_t *out_buf;
	sem_t out_sem;
	unsigned capacity; /* jobs that may be in the pool at once */
	unsigned inflight; /* submitted and not yet collected (submitter/collector view) */
	pthread_t *threads;
	int n_threads;
	pool_fn fn;
	void *arg;
	int stopping; /* read with ck_pr_load_int */
};

/*
 * Starts n threads. capacity is rounded up to a power of two (minus one slot
 * that ck_ring keeps free). Returns 0 or -1 (err set).
 */
int pool_init(struct pool *p, int n, unsigned capacity, pool_fn fn, void *arg, char *err);

/* Submits a job; returns -1 when the pool is full (collect first). */
int pool_submit(struct pool *p, void *job);

/* Takes a finished job, waiting up to timeout_ms (0: no wait). NULL when none. */
void *pool_collect(struct pool *p, int timeout_ms);

/* Free slots for pool_submit. */
unsigned pool_room(const struct pool *p);

/* Stops the threads after the jobs already submitted; uncollected jobs stay in the out ring. */
void pool_release(struct pool *p);

#endif
