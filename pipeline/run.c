/*
 * run: the loop of `remotegen run` on the scheduler thread: sets up the
 * stages (stage.h), claims generations and feeds the worker pool, moves
 * generated jobs to the publishers and finishes published ones, extends
 * leases, keeps the feed and the metrics up to date, and at the end drains
 * what it claimed. Owns the stop flags set by SIGTERM/SIGINT.
 */
#include "run.h"
#include "db.h"
#include "feed.h"
#include "jitter.h"
#include "log.h"
#include "metrics.h"
#include "migrate.h"
#include "pool.h"
#include "progress.h"
#include "registry.h"
#include "stage.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/*
 * The first SIGTERM/SIGINT stops claiming and lets claimed work finish; a
 * second one kills running plugins and hands their generations back. SIGHUP
 * has the S3 stores read their credentials again before their next request
 * (a rotated credentials file, a new token); the rest of the configuration
 * is read once, at start. Each is logged.
 * The handler only sets flags; the loop logs what arrived.
 */
volatile sig_atomic_t stage_stop_requested;
volatile sig_atomic_t stage_abort_work;
static volatile sig_atomic_t last_stop_signal, hups;

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		hups++;
		return;
	}
	last_stop_signal = sig;
	if (stage_stop_requested)
		stage_abort_work = 1;
	stage_stop_requested = 1;
}

/* What the signals that arrived since the last call asked for, one line each. */
static void log_signals(size_t in_flight)
{
	static sig_atomic_t hups_logged;
	static int stop_logged, abort_logged;
	struct logline l;
	if (hups != hups_logged) {
		hups_logged = hups;
		log_start(&l, "info", "signal_received");
		log_str(&l, "signal", "HUP");
		log_str(&l, "action",
			"S3 credentials are read again before the next request; the rest of the configuration is read "
			"once, at start: restart remotegen to change it");
		log_end(&l);
	}
	if (stage_stop_requested && !stop_logged) {
		stop_logged = 1;
		log_start(&l, "info", "stop_requested");
		log_str(&l, "signal", last_stop_signal == SIGINT ? "INT" : "TERM");
		log_int(&l, "claimed", (long long)in_flight);
		log_str(&l, "action", "finishing the claimed work; a second signal hands it back");
		log_end(&l);
	}
	if (stage_abort_work && !abort_logged) {
		abort_logged = 1;
		log_start(&l, "warn", "abort_requested");
		log_int(&l, "claimed", (long long)in_flight);
		log_str(&l, "action", "killing running plugins and handing their work back");
		log_end(&l);
	}
}

/* The jobs claimed and not finished yet. */
struct claimed_jobs {
	struct job **jobs;
	long long *ids; /* the same jobs' ids, for lease extension */
	size_t n;
};

/* The scheduler thread's state between rounds of the loop. */
struct loop {
	struct run_ctx *ctx;
	struct pool workers, publisher;
	int have_workers, have_publisher;
	PGconn *db;
	struct store *feed_store;
	struct claimed_jobs f;
	int listening;
	int sched_errors; /* consecutive */
	/* Service mode: claims fail (a database outage): since when, how often, the next try. */
	long long down_since, down_errors, backoff_ms, claim_at;
	int down_db; /* the connection was gone, not just a statement */
	int feed_published;
	long long feed_at, metrics_at, last_extend;
	long long started_ms;
	time_t started_wall;
	struct progress prog;
};

static void log_error(const char *event, const char *msg)
{
	struct logline l;
	log_start(&l, "error", event);
	log_str(&l, "reason", msg);
	log_end(&l);
}

static void log_count(const char *level, const char *event, long long n)
{
	struct logline l;
	log_start(&l, level, event);
	log_int(&l, "generations", n);
	log_end(&l);
}

/*
 * The scheduler's connection, listening on remotegen_work in service mode
 * (notify; a trigger notifies new commits, template versions and queued
 * generations). *listening is reset whenever the connection is replaced.
 */
static int ensure_listening(PGconn **c, const char *conninfo, int *listening, int notify, char *err)
{
	if (db_broken(*c))
		*listening = 0;
	if (db_ensure(c, conninfo, err) < 0)
		return -1;
	if (!*listening && notify) {
		if (db_run(*c, "run: listen", "LISTEN remotegen_work", 0, NULL, err) < 0)
			return -1;
		*listening = 1;
	}
	return 0;
}

/* Service mode, nothing to do: sleeps until a notification or poll_ms. */
static void wait_for_work(PGconn *c, long long poll_ms)
{
	int fd = c ? PQsocket(c) : -1;
	if (fd < 0) {
		usleep((useconds_t)(poll_ms * 1000));
		return;
	}
	/* Notifications that arrived during earlier queries are already buffered. */
	PQconsumeInput(c);
	PGnotify *early = PQnotifies(c);
	if (early) {
		PQfreemem(early);
		while ((early = PQnotifies(c)))
			PQfreemem(early);
		return;
	}
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	if (poll(&pf, 1, (int)poll_ms) > 0 && PQconsumeInput(c)) {
		PGnotify *n;
		while ((n = PQnotifies(c))) {
			struct logline l;
			log_start(&l, "debug", "woken");
			log_str(&l, "by", n->extra);
			log_end(&l);
			PQfreemem(n);
		}
	}
}

/* Brings the feed up to date with the scheduler thread's own connection and store handle. */
static int update_feed(const struct config *cfg, PGconn *db, struct store *feed_store, char *err)
{
	int written = 0;
	if (feed_update(db, feed_store, cfg, &written, err) < 0)
		return -1;
	if (written) {
		struct logline l;
		log_start(&l, "debug", "feed_written");
		log_int(&l, "objects", written);
		log_end(&l);
	}
	return 0;
}

/* Claim stage: reaps expired leases, enqueues new pairs, claims what the pool can take. */
/* Reaps expired leases: logs them, and logs and counts what failed for good because of them. */
static int reap(struct loop *lp, struct run_stats *st, char *err)
{
	const struct run_opts *o = lp->ctx->o;
	struct queue_reap_result r;
	if (queue_reap(lp->db, o->max_attempts, o->cfg->retry_base_ms, &r, err) < 0)
		return -1;
	if (r.reaped)
		log_count("warn", "leases_reaped", r.reaped);
	for (size_t i = 0; i < r.n_failed; i++) {
		st->failed++;
		stage_log_failure(&r.failed[i], "lease_expired");
		for (size_t k = 0; k < r.dependents[i].n_dependents; k++) {
			st->failed++;
			stage_log_failure(&r.dependents[i].dependents[k], "dependency");
		}
	}
	queue_reap_result_release(&r);
	return 0;
}

static int claim_more(struct loop *lp, struct run_stats *st, int *claimed, char *err)
{
	const struct run_opts *o = lp->ctx->o;
	int created = 0;
	struct queue_job **rows = NULL;
	size_t n = 0;
	*claimed = 0;
	if (ensure_listening(&lp->db, o->cfg->database, &lp->listening, !o->once, err) < 0 || reap(lp, st, err) < 0 ||
	    queue_enqueue(lp->db, &created, err) < 0 ||
	    queue_claim(lp->db, lp->ctx->lease_owner, (int)(lp->workers.capacity - lp->f.n), o->cfg->lease_ms, &rows,
			&n, err) < 0)
		return -1;
	if (created)
		log_count("info", "enqueued", created);
	for (size_t i = 0; i < n; i++) {
		struct job *j = job_new(rows[i], target_for_job(rows[i]));
		free(rows[i]);
		stage_log_job("info", "claimed", j);
		lp->f.jobs[lp->f.n] = j;
		lp->f.ids[lp->f.n++] = j->q.id;
		pool_submit(&lp->workers, j);
	}
	free(rows);
	*claimed = (int)n;
	return 0;
}

/*
 * Moves generated jobs to the publishers and finishes published ones. Waits
 * up to wait_ms for the first generated job.
 */
static void advance(struct loop *lp, int wait_ms, struct run_stats *st)
{
	char e[ERR_SIZE];
	struct job *j;
	struct claimed_jobs *f = &lp->f;
	while ((j = pool_collect(&lp->workers, wait_ms))) {
		wait_ms = 0;
		pool_submit(&lp->publisher, j);
	}
	while ((j = pool_collect(&lp->publisher, 0))) {
		for (size_t i = 0; i < f->n; i++)
			if (f->jobs[i] == j) {
				f->jobs[i] = f->jobs[f->n - 1];
				f->ids[i] = f->ids[f->n - 1];
				f->n--;
				break;
			}
		if (stage_finish(lp->ctx, &lp->db, j, st, e) < 0)
			log_error("record_outcome_failed", e);
	}
}

/* Feed, metrics and leases, each when it is due. */
/* The metrics file: what this run did so far and what the database says. */
static int write_metrics(struct loop *lp, const struct run_stats *st, char *err)
{
	const struct run_opts *o = lp->ctx->o;
	struct metrics_run m = {
		.version = o->cfg->version,
		.started_s = (long long)lp->started_wall,
		.ended_s = (long long)time(NULL),
		.duration_s = (double)(util_now_ms() - lp->started_ms) / 1000.0,
		/* --once: what its exit status says; a service: the database and the store work */
		.success = !lp->ctx->store_broken && !st->store_errors && !st->feed_failed &&
			   !(o->once && st->failed) && !lp->down_since,
		.st = st,
	};
	return metrics_write(lp->db, o->cfg->metrics_file, &m, err);
}

static void periodic(struct loop *lp, struct run_stats *st)
{
	const struct run_opts *o = lp->ctx->o;
	char e[ERR_SIZE];
	if (st->published > lp->feed_published && util_now_ms() - lp->feed_at > 2000) {
		if (update_feed(o->cfg, lp->db, lp->feed_store, e) < 0)
			log_error("feed_update_failed", e);
		else
			lp->feed_published = st->published;
		lp->feed_at = util_now_ms();
	}
	if (o->cfg->metrics_file && !o->once && util_now_ms() - lp->metrics_at > o->cfg->metrics_ms) {
		if (!db_broken(lp->db) && write_metrics(lp, st, e) < 0)
			log_error("metrics_write_failed", e);
		lp->metrics_at = util_now_ms();
	}
	if (progress_due(&lp->prog, util_now_ms()) && !db_broken(lp->db)) {
		struct queue_counts q;
		if (queue_counts(lp->db, &q, e) < 0)
			log_error("progress_failed", e);
		else
			progress_show(&lp->prog, util_now_ms(), st->published + st->failed, q.pending + q.running);
	}
	if (lp->f.n && util_now_ms() - lp->last_extend > o->cfg->lease_ms / 3) {
		if (db_ensure(&lp->db, o->cfg->database, e) < 0 ||
		    queue_extend(lp->db, lp->ctx->lease_owner, lp->f.ids, lp->f.n, o->cfg->lease_ms, e) < 0)
			log_error("lease_extend_failed", e);
		lp->last_extend = util_now_ms();
	}
}

/*
 * --once, nothing in flight: 1 when the queue is drained; 0 after waiting for
 * retries that fall due or work another process holds (its lease is reaped
 * if that process died), a second at a time at most; -1 on error.
 */
static int once_drained(struct loop *lp, char *err)
{
	struct queue_counts q;
	if (queue_counts(lp->db, &q, err) < 0)
		return -1;
	/* Pending work of a disabled template waits for `template enable`, not for this run. */
	if (q.pending == q.pending_disabled && !q.running) {
		if (q.pending_disabled)
			log_count("warn", "disabled_template_work_left", q.pending_disabled);
		return 1;
	}
	long long next_ms = q.pending ? q.next_ready_ms : 1000;
	usleep((useconds_t)(next_ms > 1000 ? 1000000 : next_ms * 1000 + 10000));
	return 0;
}

/*
 * Service mode, a claim failed: one line when the trouble starts (the
 * database is gone, or a statement fails), then tries again after a backoff
 * that doubles up to 30 s, quietly (debug).
 */
static void claims_failing(struct loop *lp, const char *e)
{
	long long now = util_now_ms();
	struct logline l;
	if (!lp->down_since) {
		lp->down_since = now;
		lp->down_errors = 0;
		lp->backoff_ms = 1000;
		lp->down_db = db_broken(lp->db);
		log_start(&l, "error", lp->down_db ? "database_unavailable" : "scheduler_error");
		log_str(&l, "reason", e);
		log_str(&l, "action", "trying again with a backoff up to 30 s");
		log_end(&l);
	} else {
		lp->backoff_ms = lp->backoff_ms * 2 > 30000 ? 30000 : lp->backoff_ms * 2;
		log_start(&l, "debug", "scheduler_error");
		log_str(&l, "reason", e);
		log_int(&l, "retry_in_ms", lp->backoff_ms);
		log_end(&l);
	}
	lp->down_errors++;
	lp->claim_at = now + lp->backoff_ms;
}

/* Service mode, a claim worked after failing ones: one line. */
static void claims_working(struct loop *lp)
{
	struct logline l;
	log_start(&l, "info", lp->down_db ? "database_recovered" : "scheduler_recovered");
	log_int(&l, "down_ms", util_now_ms() - lp->down_since);
	log_int(&l, "failed_claims", lp->down_errors);
	log_end(&l);
	lp->down_since = 0;
	lp->claim_at = 0;
}

/* The loop: returns 0 when it stopped as asked (or drained), -1 on a fatal database error (err set). */
static int loop_run(struct loop *lp, struct run_stats *st, char *err)
{
	struct run_ctx *ctx = lp->ctx;
	const struct run_opts *o = ctx->o;
	for (;;) {
		char e[ERR_SIZE];
		int claimed = 0;
		if (!stage_stop_requested && !ctx->store_broken && lp->f.n < lp->workers.capacity &&
		    util_now_ms() >= lp->claim_at) {
			if (claim_more(lp, st, &claimed, e) < 0) {
				if (!o->once) {
					claims_failing(lp, e);
					continue;
				}
				log_error("scheduler_error", e);
				/*
				 * --once gives up after 5 failures in a row (5 s): a restarting
				 * database (its connection broken) is reconnected on the next try.
				 */
				if (++lp->sched_errors >= 5)
					return err_set(err, "%s", e);
				sleep(1);
				continue;
			}
			lp->sched_errors = 0;
			if (lp->down_since)
				claims_working(lp);
		}
		advance(lp, lp->f.n ? 100 : 0, st);
		periodic(lp, st);
		log_signals(lp->f.n);
		if (lp->f.n || claimed)
			continue;
		if (stage_stop_requested || ctx->store_broken)
			return 0;
		if (o->once) {
			int drained = once_drained(lp, e);
			if (drained < 0)
				return err_set(err, "%s", e);
			if (drained)
				return 0;
		} else if (util_now_ms() < lp->claim_at) {
			usleep(100000); /* backing off; a signal ends the sleep early */
		} else {
			wait_for_work(db_broken(lp->db) ? NULL : lp->db, o->cfg->poll_ms);
		}
	}
}

static void log_run_finished(const struct loop *lp, const struct run_stats *st)
{
	const struct run_ctx *ctx = lp->ctx;
	struct logline l;
	log_start(&l, "info", "run_finished");
	log_int(&l, "published", st->published);
	log_int(&l, "failed", st->failed);
	log_int(&l, "retried", st->retried);
	if (st->cache_hits || st->cache_misses) {
		log_int(&l, "cache_hits", st->cache_hits);
		log_int(&l, "cache_misses", st->cache_misses);
	}
	if (ctx->zipcache.hits || ctx->zipcache.misses) {
		/* files copied deflated from an earlier zip of this run, and files deflated */
		log_int(&l, "zip_reused", ctx->zipcache.hits);
		log_int(&l, "zip_deflated", ctx->zipcache.misses);
	}
	if (st->store_errors)
		log_int(&l, "store_errors", st->store_errors);
	/* remotegen's own CPU time (all its threads; not the plugins') */
	struct rusage ru;
	if (!getrusage(RUSAGE_SELF, &ru))
		log_int(&l, "cpu_ms",
			(long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
				(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000);
	log_int(&l, "duration_ms", util_now_ms() - lp->started_ms); /* wall clock, last: the line's start stays */
	log_end(&l);
}

/* After the loop: finish what was claimed, then the feed, the cache bound, the metrics. */
static void drain(struct loop *lp, struct run_stats *st)
{
	struct run_ctx *ctx = lp->ctx;
	const struct run_opts *o = ctx->o;
	char e[ERR_SIZE];
	/* Never leave half a generation behind. */
	while (lp->f.n) {
		advance(lp, 100, st);
		log_signals(lp->f.n);
	}
	/*
	 * Always bring the feed up to date at the end: a process killed after publishing
	 * left it behind, and only a later run can catch up (up to date, nothing is written).
	 */
	if (stage_abort_work) {
		/* Asked to stop now: the next run brings the feed up to date. */
		struct logline l;
		log_start(&l, "warn", "feed_update_skipped");
		log_str(&l, "reason", "remotegen is shutting down (a second signal); the next run catches up");
		log_end(&l);
	} else if (db_ensure(&lp->db, o->cfg->database, e) < 0 || update_feed(o->cfg, lp->db, lp->feed_store, e) < 0) {
		log_error("feed_update_failed", e);
		st->feed_failed = 1;
	}
	/* Keep the cache within its bound when this run added to it. */
	long long added = 0, evicted = 0;
	for (int i = 0; ctx->caches && i < o->workers; i++)
		added += ctx->caches[i].added;
	if (added) {
		if (db_ensure(&lp->db, o->cfg->database, e) < 0 ||
		    outcache_evict(lp->db, o->cfg->cache_bytes, &evicted, e) < 0)
			log_error("cache_evict_failed", e);
		else if (evicted) {
			struct logline l;
			log_start(&l, "info", "cache_evicted");
			log_int(&l, "entries", evicted);
			log_end(&l);
		}
	}
	if (o->cfg->metrics_file && (db_ensure(&lp->db, o->cfg->database, e) < 0 || write_metrics(lp, st, e) < 0))
		log_error("metrics_write_failed", e);
	progress_end(&lp->prog);
	log_run_finished(lp, st);
}

/* Stores, caches, the lease owner; threads only when there is work (idle: 1 when --once has none). */
static int setup(struct loop *lp, int *idle, char *err)
{
	struct run_ctx *ctx = lp->ctx;
	const struct run_opts *o = ctx->o;
	char host[64] = "host";
	gethostname(host, sizeof(host) - 1);
	snprintf(ctx->lease_owner, sizeof(ctx->lease_owner), "%s:%d:%lld", host, (int)getpid(),
		 jitter_random() % 2147483648LL);
	zipcache_init(&ctx->zipcache, ZIPCACHE_MAX_BYTES);
	ctx->env = (struct target_env){ .cfg = o->cfg, .zipcache = &ctx->zipcache };
	if (!(lp->db = db_connect(o->cfg->database, err)) || migrate_check(lp->db, err) < 0 ||
	    registry_go_prefix(lp->db, o->cfg->go_prefix, err) < 0)
		return -1;
	ctx->publishers = o->publishers > 0 ? o->publishers : 1;
	ctx->store_cfg = o->cfg->store_cfg;
	ctx->store_cfg.s3.abort = &stage_abort_work;
	ctx->store_cfg.s3.reload = &hups;
	ctx->stores = xcalloc((size_t)ctx->publishers, sizeof(*ctx->stores));
	ctx->pub_dbs = xcalloc((size_t)ctx->publishers, sizeof(*ctx->pub_dbs));
	/* A publisher connects to the database when it first publishes (an idle run opens one connection). */
	for (int i = 0; i < ctx->publishers; i++)
		if (store_open(o->cfg->store, &ctx->store_cfg, &ctx->stores[i], err) < 0)
			return -1;
	if (store_open(o->cfg->store, &ctx->store_cfg, &lp->feed_store, err) < 0)
		return -1;
	if (o->cfg->cache_bytes > 0) {
		ctx->caches = xcalloc((size_t)o->workers, sizeof(*ctx->caches));
		inflight_init(&ctx->inflight);
		for (int i = 0; i < o->workers; i++)
			ctx->caches[i].conninfo = o->cfg->database;
	}
	/*
	 * --once with nothing to do at all (the common cron case) needs no threads, no
	 * lease reaping and no claim: bring the feed up to date and stop.
	 */
	int anything = 1;
	if (o->once && queue_anything(lp->db, &anything, err) < 0)
		return -1;
	*idle = !anything;
	if (*idle)
		return 0;
	if (pool_init(&lp->workers, o->workers, (unsigned)o->workers * 2, stage_generate, ctx, err) < 0)
		return -1;
	lp->have_workers = 1;
	/* The publisher ring is as large as everything that may be in flight. */
	if (pool_init(&lp->publisher, ctx->publishers, lp->workers.capacity, stage_publish, ctx, err) < 0)
		return -1;
	lp->have_publisher = 1;
	lp->f.ids = xcalloc(lp->workers.capacity + 1, sizeof(*lp->f.ids));
	lp->f.jobs = xcalloc(lp->workers.capacity + 1, sizeof(*lp->f.jobs));
	return 0;
}

static void teardown(struct loop *lp)
{
	struct run_ctx *ctx = lp->ctx;
	if (lp->have_workers)
		pool_release(&lp->workers);
	if (lp->have_publisher)
		pool_release(&lp->publisher);
	free(lp->f.ids);
	free(lp->f.jobs);
	for (int i = 0; ctx->stores && i < ctx->publishers; i++) {
		store_free(ctx->stores[i]);
		db_close(ctx->pub_dbs[i]);
	}
	free(ctx->stores);
	free(ctx->pub_dbs);
	for (int i = 0; ctx->caches && i < ctx->o->workers; i++)
		outcache_release(&ctx->caches[i]);
	if (ctx->caches)
		inflight_release(&ctx->inflight);
	free(ctx->caches);
	zipcache_release(&ctx->zipcache);
	store_free(lp->feed_store);
	db_close(lp->db);
}

int run_pipeline(const struct run_opts *o, struct run_stats *st, char *err)
{
	struct run_ctx ctx = { .o = o };
	struct loop lp = {
		.ctx = &ctx, .last_extend = util_now_ms(), .started_ms = util_now_ms(), .started_wall = time(NULL)
	};
	int idle = 0, rc = -1;

	memset(st, 0, sizeof(*st));
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	stage_stop_requested = 0;
	stage_abort_work = 0;

	progress_init(&lp.prog, isatty(2), o->cfg->progress_ms, lp.started_ms);
	if (setup(&lp, &idle, err) < 0)
		goto out;
	struct logline l;
	log_start(&l, "info", "run_started");
	log_str(&l, "store", lp.feed_store->url);
	log_str(&l, "go_prefix", o->cfg->go_prefix);
	log_int(&l, "workers", o->workers);
	log_int(&l, "publishers", ctx.publishers);
	log_str(&l, "mode", o->once ? "once" : "service");
	log_end(&l);
	rc = idle ? 0 : loop_run(&lp, st, err);
	drain(&lp, st);
out:
	teardown(&lp);
	return rc;
}
