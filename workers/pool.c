/*
 * pool: threads, ck rings and wake-up semaphores of one pipeline stage.
 */
#include "pool.h"
#include "util.h"

#include <ck_pr.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * ThreadSanitizer does not see Concurrency Kit's atomics (inline assembly
 * fences): in a TSan build the ring operations run with TSan's checks of
 * memory accesses switched off, and the hand-over of a job is declared to it
 * as what the ring makes it, a release by the thread that enqueues and an
 * acquire by the thread that dequeues. Other builds compile the plain calls.
 */
#if defined(__SANITIZE_THREAD__)
#define POOL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define POOL_TSAN 1
#endif
#endif
#ifdef POOL_TSAN
#include <sanitizer/tsan_interface.h>
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
#define RING_BEGIN()	 (AnnotateIgnoreReadsBegin(__FILE__, __LINE__), AnnotateIgnoreWritesBegin(__FILE__, __LINE__))
#define RING_END()	 (AnnotateIgnoreWritesEnd(__FILE__, __LINE__), AnnotateIgnoreReadsEnd(__FILE__, __LINE__))
#define HANDED_OVER(job) __tsan_release(job)
#define TAKEN_OVER(job)	 __tsan_acquire(job)
#else
#define RING_BEGIN()	 ((void)0)
#define RING_END()	 ((void)0)
#define HANDED_OVER(job) ((void)(job))
#define TAKEN_OVER(job)	 ((void)(job))
#endif

static bool put_in(struct pool *p, void *job)
{
	RING_BEGIN();
	bool ok = ck_ring_enqueue_spmc(&p->in, p->in_buf, job);
	RING_END();
	return ok;
}

static bool take_in(struct pool *p, void **job)
{
	RING_BEGIN();
	bool ok = ck_ring_dequeue_spmc(&p->in, p->in_buf, job);
	RING_END();
	return ok;
}

static bool put_out(struct pool *p, void *job)
{
	RING_BEGIN();
	bool ok = ck_ring_enqueue_mpsc(&p->out, p->out_buf, job);
	RING_END();
	return ok;
}

static bool take_out(struct pool *p, void **job)
{
	RING_BEGIN();
	bool ok = ck_ring_dequeue_mpsc(&p->out, p->out_buf, job);
	RING_END();
	return ok;
}

struct worker_arg {
	struct pool *p;
	int index;
};

static void *worker_main(void *v)
{
	struct worker_arg *wa = v;
	struct pool *p = wa->p;
	int index = wa->index;
	free(wa);
	for (;;) {
		while (sem_wait(&p->in_sem) < 0 && errno == EINTR)
			;
		void *job;
		if (!take_in(p, &job)) {
			if (ck_pr_load_int(&p->stopping))
				break;
			continue;
		}
		TAKEN_OVER(job);
		p->fn(job, p->arg, index);
		HANDED_OVER(job);
		/* The out ring is as large as the in ring, so it never fills up. */
		while (!put_out(p, job))
			ck_pr_stall();
		sem_post(&p->out_sem);
	}
	return NULL;
}

int pool_init(struct pool *p, int n, unsigned capacity, pool_fn fn, void *arg, char *err)
{
	unsigned size = 4;
	memset(p, 0, sizeof(*p));
	while (size < capacity + 1)
		size <<= 1;
	p->capacity = size - 1;
	p->in_buf = xcalloc(size, sizeof(*p->in_buf));
	p->out_buf = xcalloc(size, sizeof(*p->out_buf));
	ck_ring_init(&p->in, size);
	ck_ring_init(&p->out, size);
	sem_init(&p->in_sem, 0, 0);
	sem_init(&p->out_sem, 0, 0);
	p->fn = fn;
	p->arg = arg;
	p->threads = xcalloc((size_t)n, sizeof(*p->threads));
	for (int i = 0; i < n; i++) {
		struct worker_arg *wa = xmalloc(sizeof(*wa));
		wa->p = p;
		wa->index = i;
		int rc = pthread_create(&p->threads[i], NULL, worker_main, wa);
		if (rc) {
			free(wa);
			p->n_threads = i;
			pool_release(p);
			return err_set(err, "cannot start worker thread: %s", strerror(rc));
		}
		p->n_threads = i + 1;
	}
	return 0;
}

unsigned pool_room(const struct pool *p)
{
	return p->capacity - p->inflight;
}

int pool_submit(struct pool *p, void *job)
{
	if (p->inflight >= p->capacity)
		return -1;
	HANDED_OVER(job);
	if (!put_in(p, job))
		return -1;
	p->inflight++;
	sem_post(&p->in_sem);
	return 0;
}

void *pool_collect(struct pool *p, int timeout_ms)
{
	int rc;
	if (timeout_ms <= 0) {
		rc = sem_trywait(&p->out_sem);
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += timeout_ms / 1000;
		ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while ((rc = sem_timedwait(&p->out_sem, &ts)) < 0 && errno == EINTR)
			;
	}
	if (rc < 0)
		return NULL;
	void *job = NULL;
	while (!take_out(p, &job))
		ck_pr_stall(); /* posted before the enqueue became visible: rare, short */
	TAKEN_OVER(job);
	p->inflight--;
	return job;
}

void pool_release(struct pool *p)
{
	ck_pr_store_int(&p->stopping, 1);
	for (int i = 0; i < p->n_threads; i++)
		sem_post(&p->in_sem);
	for (int i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	free(p->in_buf);
	free(p->out_buf);
	sem_destroy(&p->in_sem);
	sem_destroy(&p->out_sem);
	p->threads = NULL;
	p->in_buf = p->out_buf = NULL;
	p->n_threads = 0;
}
