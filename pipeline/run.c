/*
 * run: scheduler loop, worker and publisher stage functions. Owns the
 * stop flag set by SIGTERM/SIGINT.
 */
#include "run.h"
#include "db.h"
#include "feed.h"
#include "generate.h"
#include "inflight.h"
#include "jitter.h"
#include "goimports.h"
#include "gomod.h"
#include "log.h"
#include "metrics.h"
#include "migrate.h"
#include "modpath.h"
#include "npmpkg.h"
#include "outcache.h"
#include "pool.h"
#include "publish.h"
#include "request.h"
#include "queue.h"
#include "store.h"

#include <poll.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * The first SIGTERM/SIGINT stops claiming and lets claimed work finish; a
 * second one kills running plugins and hands their generations back.
 */
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t abort_work;

static void on_signal(int sig)
{
	(void)sig;
	if (stop_requested)
		abort_work = 1;
	stop_requested = 1;
}

struct run_ctx {
	const struct run_opts *o;
	/* Publisher thread i owns stores[i] and pub_dbs[i]: uploads run in parallel,
	 * one connection to the store and one to PostgreSQL per publisher thread. */
	struct store **stores;
	PGconn **pub_dbs;
	/* Worker thread i owns caches[i] (its connection to the output cache), or none. */
	struct outcache *caches;
	struct inflight inflight; /* cache keys being computed by this process's workers */
	struct zipcache zipcache; /* deflated zip entries, by content */
	int publishers;
	char lease_owner[128];
	int store_broken;        /* scheduler thread only: stop claiming */
};

static void log_job(const char *level, const char *event, const struct sched_job *j)
{
	struct logline l;
	log_start(&l, level, event);
	log_int(&l, "generation", j->id);
	char m[160], t[160];
	snprintf(m, sizeof(m), "%s/%s", j->module_owner, j->module_name);
	snprintf(t, sizeof(t), "%s/%s:v%d", j->template_owner, j->template_name, j->template_version);
	log_str(&l, "module", m);
	log_int(&l, "commit", j->sequence);
	log_str(&l, "template", t);
	log_str(&l, "version", j->version);
	log_int(&l, "attempt", j->attempts);
	if (j->failed) {
		log_str(&l, "failure", j->failure == GENERATE_PERMANENT ? "permanent" :
				       j->failure == GENERATE_INTERRUPTED ? "interrupted" : "transient");
		log_str(&l, "reason", j->error);
	}
	if (!strcmp(event, "published")) {
		log_int(&l, "plugin_ms", j->plugin_ms);
		log_int(&l, "publish_ms", j->publish_ms);
		log_int(&l, "files", (long long)j->files.n);
		if (j->cache.cache_hits || j->cache.cache_misses) {
			log_int(&l, "cache_hits", j->cache.cache_hits);
			log_int(&l, "cache_misses", j->cache.cache_misses);
		}
		if (j->is_npm) {
			log_str(&l, "package", j->npm.name);
			log_str(&l, "integrity", j->npm.integrity);
		} else {
			log_str(&l, "h1", j->zip_hash);
		}
	}
	log_end(&l);
}

static void job_fail(struct sched_job *j, enum generate_failure f, const char *msg)
{
	j->failed = 1;
	j->failure = f;
	if (msg != j->error)
		snprintf(j->error, sizeof(j->error), "%s", msg);
}

/*
 * go.mod requires exactly the modules the generated code imports: the
 * plugins' Go runtime libraries ("module@version" in go_deps) and the
 * generated modules of dependencies, at their synthetic versions (same
 * template version, the dependency commit's sequence).
 */
static void require_imported(const struct sched_job *j, const struct request_dep_file *rdeps,
			     const struct strvec *go_deps, const struct strvec *imports,
			     struct strvec *requires)
{
	for (size_t i = 0; i < go_deps->n; i++) {
		const char *at = strrchr(go_deps->v[i], '@');
		char *mod = xstrndup(go_deps->v[i], at ? (size_t)(at - go_deps->v[i]) : strlen(go_deps->v[i]));
		if (goimports_uses_module(imports, mod))
			strvec_push(requires, go_deps->v[i]);
		free(mod);
	}
	for (size_t i = 0; i < j->n_deps; i++) {
		int seen = 0;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(rdeps[k].modpath, rdeps[i].modpath);
		if (seen || !goimports_uses_module(imports, rdeps[i].modpath))
			continue;
		char *v = modpath_version(j->template_version, j->deps[i].sequence);
		strvec_push_owned(requires, xasprintf("%s@%s", rdeps[i].modpath, v));
		free(v);
	}
}

/* The plugins of j as generate_plugin, with the parameter of each (params[i], owned by the caller). */
static struct generate_plugin *plugins_of(const struct run_ctx *ctx, const struct sched_job *j, char **params)
{
	struct generate_plugin *gp = xcalloc(j->n_plugins + 1, sizeof(*gp));
	for (size_t i = 0; i < j->n_plugins; i++) {
		const struct sched_plugin *sp = &j->plugins[i];
		gp[i] = (struct generate_plugin){
			.label = sp->label, .runtime = sp->runtime, .exec_path = sp->exec_path,
			.image_ref = sp->image_ref, .parameter = params[i], .timeout_ms = sp->timeout_ms,
			.memory_bytes = sp->memory_bytes, .output_bytes = sp->output_bytes,
			.version_id = sp->version_id, .per_file = sp->per_file, .ro_paths = &sp->ro_paths,
			.runtime_cfg = &ctx->o->cfg->runtime,
		};
	}
	return gp;
}

/*
 * Prepares the request from in, runs the template's plugins (params[i] is
 * plugin i's parameter) with the output cache where there is one, and leaves
 * the files in j->files. Returns 0, or -1 with j failed.
 */
static int run_template(struct sched_job *j, struct run_ctx *ctx, int thread_index,
			const struct request_input *in, char **params)
{
	struct request req;
	if (request_prepare(&req, in, j->error) < 0) {
		job_fail(j, GENERATE_PERMANENT, j->error);
		return -1;
	}
	struct generate_plugin *gp = plugins_of(ctx, j, params);
	struct generate_cache cache;
	if (ctx->caches) {
		outcache_ops(&ctx->caches[thread_index], &cache);
		/* With one worker nothing else computes the same keys at the same time. */
		cache.inflight = ctx->o->workers > 1 ? &ctx->inflight : NULL;
	}
	int rc = generate_run(&req, gp, j->n_plugins, ctx->caches ? &cache : NULL, &abort_work, &j->files,
			      &j->failure, &j->plugin_ms, &j->cache, j->error);
	if (rc < 0)
		job_fail(j, j->failure, j->error);
	free(gp);
	request_release(&req);
	return rc < 0 ? -1 : 0;
}

/* 1 when a generated file imports from package name ("name/..." in quotes). */
static int imports_package(const struct fileset *files, const char *name)
{
	char *needle = xasprintf("\"%s/", name);
	int found = 0;
	for (size_t i = 0; i < files->n && !found; i++) {
		const struct buf *c = &files->v[i].content;
		found = c->len && memmem(c->data, c->len, needle, strlen(needle)) != NULL;
	}
	free(needle);
	return found;
}

/*
 * Worker stage of an npm template: the descriptors go to the plugins as
 * pushed (no managed mode), imports of dependency modules' files are rewritten
 * to their packages, and the output becomes a package version.
 */
static void work_generate_npm(struct sched_job *j, struct run_ctx *ctx, int thread_index)
{
	struct strvec peers = STRVEC_INIT, deps = STRVEC_INIT, seen = STRVEC_INIT, dep_seen = STRVEC_INIT;
	char **params = NULL, **dep_pkgs = xcalloc(j->n_deps + 1, sizeof(*dep_pkgs));
	char *name = NULL, *version = NULL, *description = NULL;
	struct request_dep_file *rdeps = xcalloc(j->n_deps + 1, sizeof(*rdeps));

	if (!ctx->o->cfg->npm_url) {
		/* Not the generation's fault: handed back untouched, the run stops claiming. */
		j->store_fatal = 1;
		job_fail(j, GENERATE_TRANSIENT, "npm packages need the public URL of the store's npm/ "
			 "folder for their tarball links: set REMOTEGEN_NPM_URL or run --npm-url");
		goto out;
	}
	if (!(name = npmpkg_name(ctx->o->cfg->npm_scope, j->template_owner, j->template_name, j->module_owner,
				 j->module_name, j->error))) {
		job_fail(j, GENERATE_PERMANENT, j->error);
		goto out;
	}
	for (size_t i = 0; i < j->n_deps; i++) {
		rdeps[i].file = j->deps[i].file;
		if (!(dep_pkgs[i] = npmpkg_name(ctx->o->cfg->npm_scope, j->template_owner, j->template_name,
						j->deps[i].mod_owner, j->deps[i].mod_name, j->error))) {
			job_fail(j, GENERATE_PERMANENT, j->error);
			goto out;
		}
	}
	params = xcalloc(j->n_plugins + 1, sizeof(*params));
	for (size_t i = 0; i < j->n_plugins; i++) {
		const struct sched_plugin *sp = &j->plugins[i];
		params[i] = sp->npm_deps.n ? request_npm_parameter(sp->parameter, rdeps, j->n_deps, dep_pkgs)
					   : xstrdup(sp->parameter ? sp->parameter : "");
		/* Runtime packages: a peer dependency each, the first plugin's range for a name. */
		for (size_t k = 0; k < sp->npm_deps.n; k++) {
			const char *at = strrchr(sp->npm_deps.v[k], '@');
			char *n = xstrndup(sp->npm_deps.v[k], (size_t)(at - sp->npm_deps.v[k]));
			if (!strvec_contains(&seen, n)) {
				strvec_push(&seen, n);
				strvec_push(&peers, sp->npm_deps.v[k]);
			}
			free(n);
		}
	}
	struct request_input in = {
		.image = j->image.data, .image_len = j->image.len, .own_files = &j->own_files,
		.protoc_version = j->protoc_version,
	};
	if (run_template(j, ctx, thread_index, &in, params) < 0)
		goto out;
	/* Exact versions of the dependency packages the code imports (same template version). */
	for (size_t i = 0; i < j->n_deps; i++) {
		if (strvec_contains(&dep_seen, dep_pkgs[i]) || !imports_package(&j->files, dep_pkgs[i]))
			continue;
		char *dv = npmpkg_version(j->template_version, j->deps[i].sequence);
		strvec_push(&dep_seen, dep_pkgs[i]);
		strvec_push_owned(&deps, xasprintf("%s@%s", dep_pkgs[i], dv));
		free(dv);
	}
	version = npmpkg_version(j->template_version, j->sequence);
	description = xasprintf("%s/%s commit %d generated with template %s/%s v%d", j->module_owner,
				j->module_name, j->sequence, j->template_owner, j->template_name,
				j->template_version);
	if (npmpkg_build(&j->npm, name, version, description, &peers, &deps, &j->files, j->error) < 0) {
		job_fail(j, GENERATE_PERMANENT, j->error);
		goto out;
	}
out:
	for (size_t i = 0; params && i < j->n_plugins; i++)
		free(params[i]);
	free(params);
	for (size_t i = 0; i < j->n_deps; i++)
		free(dep_pkgs[i]);
	free(dep_pkgs);
	free(rdeps);
	free(name);
	free(version);
	free(description);
	strvec_clear(&peers);
	strvec_clear(&deps);
	strvec_clear(&seen);
	strvec_clear(&dep_seen);
}

/* 1 when one of the template's plugins generates npm packages. */
static int job_is_npm(const struct sched_job *j)
{
	for (size_t i = 0; i < j->n_plugins; i++)
		if (j->plugins[i].npm_deps.n)
			return 1;
	return 0;
}

/* Worker stage: plugins, then the module build (CPU work stays off the publisher). */
static void work_generate(void *v, void *arg, int thread_index)
{
	struct sched_job *j = v;
	struct run_ctx *ctx = arg;
	struct strvec requires = STRVEC_INIT, go_deps = STRVEC_INIT, imports = STRVEC_INIT;
	char **params = NULL;
	const char *go_version = NULL;
	struct request_dep_file *rdeps = NULL;

	if ((j->is_npm = job_is_npm(j))) {
		work_generate_npm(j, ctx, thread_index);
		return;
	}
	rdeps = xcalloc(j->n_deps + 1, sizeof(*rdeps));
	j->modpath = modpath_module(ctx->o->cfg->go_prefix, j->template_owner, j->template_name,
				    j->module_owner, j->module_name);
	if (modpath_check_module(j->modpath, j->error) < 0) {
		job_fail(j, GENERATE_PERMANENT, j->error);
		goto out;
	}
	/* Files of dependency modules map to their own generated modules. */
	for (size_t i = 0; i < j->n_deps; i++) {
		rdeps[i].file = j->deps[i].file;
		rdeps[i].modpath = modpath_module(ctx->o->cfg->go_prefix, j->template_owner, j->template_name,
						  j->deps[i].mod_owner, j->deps[i].mod_name);
	}
	params = xcalloc(j->n_plugins + 1, sizeof(*params));
	for (size_t i = 0; i < j->n_plugins; i++) {
		const struct sched_plugin *sp = &j->plugins[i];
		/* A plugin with Go runtime libraries or a Go version generates Go code. */
		int is_go = sp->go_deps.n > 0 || sp->go_min_version;
		params[i] = is_go ? request_go_parameter(sp->parameter) : xstrdup(sp->parameter ? sp->parameter : "");
		for (size_t k = 0; k < sp->go_deps.n; k++)
			strvec_push(&go_deps, sp->go_deps.v[k]);
		if (sp->go_min_version && (!go_version || gomod_go_version_cmp(sp->go_min_version, go_version) > 0))
			go_version = sp->go_min_version;
	}
	struct request_input in = {
		.image = j->image.data,
		.image_len = j->image.len,
		.own_files = &j->own_files,
		.modpath = j->modpath,
		.deps = rdeps,
		.n_deps = j->n_deps,
		.protoc_version = j->protoc_version,
	};
	if (run_template(j, ctx, thread_index, &in, params) < 0)
		goto out;
	if (goimports_of_files(&j->files, &imports, j->error) < 0) {
		job_fail(j, GENERATE_PERMANENT, j->error);
		goto out;
	}
	require_imported(j, rdeps, &go_deps, &imports, &requires);
	if (publish_build(&j->built, j->modpath, j->version, j->time, go_version, &requires, &j->files,
			  &ctx->zipcache, j->error) < 0) {
		job_fail(j, GENERATE_PERMANENT, j->error);
		goto out;
	}
	memcpy(j->zip_hash, j->built.zip_hash, sizeof(j->zip_hash));
	memcpy(j->mod_hash, j->built.mod_hash, sizeof(j->mod_hash));
out:
	for (size_t i = 0; params && i < j->n_plugins; i++)
		free(params[i]);
	free(params);
	strvec_clear(&requires);
	strvec_clear(&go_deps);
	strvec_clear(&imports);
	for (size_t i = 0; i < j->n_deps; i++)
		free((char *)rdeps[i].modpath);
	free(rdeps);
}

static int ensure_db(PGconn **c, const char *conninfo, char *err)
{
	if (!db_broken(*c))
		return 0;
	int had = *c != NULL;
	db_close(*c);
	*c = db_connect(conninfo, err);
	if (*c && had) {
		struct logline l;
		log_start(&l, "info", "database_reconnected");
		log_end(&l);
	}
	return *c ? 0 : -1;
}

/*
 * The scheduler's connection, listening on remotegen_work in service mode
 * (notify; a trigger notifies new commits, template versions and queued
 * generations).
 * *listening is reset whenever the connection is replaced.
 */
static int ensure_listening(PGconn **c, const char *conninfo, int *listening, int notify, char *err)
{
	if (db_broken(*c))
		*listening = 0;
	if (ensure_db(c, conninfo, err) < 0)
		return -1;
	if (!*listening) {
		if (!notify)
			return 0;
		if (db_run(*c, "scheduler: listen", "LISTEN remotegen_work", 0, NULL, err) < 0)
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

/*
 * 1 when j's npm package name is no other (template, module) pair's; 0 when
 * it is (j failed for good: the names collide); -1 on a database error.
 */
static int npm_name_free(PGconn **db, struct sched_job *j, char *err)
{
	char *owner = NULL;
	int taken = sched_npm_name_taken(*db, j, &owner, err);
	if (taken < 0)
		return -1;
	if (taken) {
		j->npm_name_taken = 1;
		err_set(err, "npm package %s is already the package of %s: the names of the two pairs "
			"collide; rename the module or the template", j->npm.name, owner);
		free(owner);
		return 0;
	}
	return 1;
}

/*
 * Marks j published and rewrites its module's index files, in one
 * transaction under the module path's lock. Returns 1 done, 0 lease lost (or, with
 * j->npm_name_taken, the npm package name is another pair's; err set),
 * -1 error (err set; *store_rc holds a store error, if that was the cause).
 */
static int record_published(struct run_ctx *ctx, PGconn **pub_db, struct store *store,
			    struct sched_job *j, int *store_rc, char *err)
{
	PGresult *vr = NULL;
	struct publish_version *vers = NULL;
	size_t nv = 0;
	int rc = -1;
	*store_rc = 0;
	struct npmpkg_version *npm_vers = NULL;
	char *lock = j->is_npm ? xasprintf("npm:%s", j->npm.name) : xstrdup(j->modpath);
	if (ensure_db(pub_db, ctx->o->cfg->database, err) < 0 || db_begin(*pub_db, err) < 0 ||
	    sched_lock_module(*pub_db, lock, err) < 0)
		goto out;
	int name_free = j->is_npm ? npm_name_free(pub_db, j, err) : 1;
	if (name_free != 1) {
		rc = name_free;
		goto out;
	}
	int marked = sched_mark_published(*pub_db, ctx->lease_owner, j, err);
	if (marked <= 0) {
		rc = marked;
		goto out;
	}
	if (j->is_npm) {
		if (sched_published_npm(*pub_db, j->template_id, j->module_id, &npm_vers, &nv, &vr, err) < 0)
			goto out;
		if ((*store_rc = npmpkg_index(store, j->npm.name, ctx->o->cfg->npm_url, npm_vers, nv, err)) < 0)
			goto out;
	} else {
		if (sched_published_versions(*pub_db, j->template_id, j->module_id, &vers, &nv, &vr, err) < 0)
			goto out;
		if ((*store_rc = publish_index(store, j->modpath, vers, nv, err)) < 0)
			goto out;
	}
	if (db_commit(*pub_db, err) < 0)
		goto out;
	rc = 1;
out:
	if (rc != 1 && *pub_db)
		db_rollback(*pub_db);
	PQclear(vr);
	free(vers);
	free(npm_vers);
	free(lock);
	return rc;
}

/* Publisher stage: upload, then record and rewrite the index under the module lock. */
static void work_publish(void *v, void *arg, int thread_index)
{
	struct sched_job *j = v;
	struct run_ctx *ctx = arg;
	struct store *store = ctx->stores[thread_index];
	PGconn **pub_db = &ctx->pub_dbs[thread_index];
	char err[ERR_SIZE];
	int store_rc;

	if (j->failed)
		return;
	if (abort_work) {
		job_fail(j, GENERATE_INTERRUPTED, "interrupted before publishing: remotegen is shutting down");
		return;
	}
	/* Checked before uploading as well as under the package's lock, so nothing is written. */
	if (j->is_npm && (ensure_db(pub_db, ctx->o->cfg->database, err) < 0 || npm_name_free(pub_db, j, err) != 1)) {
		job_fail(j, j->npm_name_taken ? GENERATE_PERMANENT : GENERATE_TRANSIENT, err);
		return;
	}
	long long t0 = util_now_ms();
	log_job("debug", "upload_started", j);
	int urc = j->is_npm ? npmpkg_upload(store, &j->npm, err) : publish_upload(store, &j->built, err);
	if (urc < 0) {
		/* A different object at a published path never heals: fail for good. */
		job_fail(j, urc == STORE_CONFLICT ? GENERATE_PERMANENT : GENERATE_TRANSIENT, err);
		j->store_fatal = urc == STORE_FATAL;
		return;
	}
	log_job("debug", "uploaded", j);
	int rc = record_published(ctx, pub_db, store, j, &store_rc, err);
	/* A connection that died since its last use (a database restart) gets one more go. */
	if (rc < 0 && !store_rc && db_broken(*pub_db))
		rc = record_published(ctx, pub_db, store, j, &store_rc, err);
	if (rc == 0 && j->npm_name_taken) {
		job_fail(j, GENERATE_PERMANENT, err);
		return;
	}
	if (rc == 0) {
		job_fail(j, GENERATE_TRANSIENT, "lease lost before publishing (another process took the "
			 "generation over); its files are identical, nothing was overwritten");
		return;
	}
	if (rc < 0) {
		j->store_fatal = store_rc == STORE_FATAL;
		job_fail(j, GENERATE_TRANSIENT, err);
		return;
	}
	j->publish_ms = util_now_ms() - t0;
}

static void log_error(const char *event, const char *msg)
{
	struct logline l;
	log_start(&l, "error", event);
	log_str(&l, "reason", msg);
	log_end(&l);
}

/*
 * Records the outcome of a job that went through both stages, on the
 * scheduler thread's own connection db (a PGconn is never shared between
 * threads); frees the job.
 */
static int finish_job(struct run_ctx *ctx, PGconn **db, struct sched_job *j, struct run_stats *st,
		      char *err)
{
	int rc = 0;
	if (!j->failed) {
		st->published++;
		st->plugin_ms += j->plugin_ms;
		st->publish_ms += j->publish_ms;
		st->cache_hits += j->cache.cache_hits;
		st->cache_misses += j->cache.cache_misses;
		log_job("info", "published", j);
	} else if (!strncmp(j->error, "lease lost", 10)) {
		log_job("warn", "abandoned", j);
	} else if (j->failure == GENERATE_INTERRUPTED) {
		/* Stopped by a shutdown: another run does it from scratch, attempt not counted. */
		log_job("warn", "handed_back", j);
		if (ensure_db(db, ctx->o->cfg->database, err) < 0 ||
		    sched_release(*db, ctx->lease_owner, j, j->error, err) < 0)
			rc = -1;
	} else if (j->store_fatal) {
		/* Not the generation's fault: hand it back and stop using the store. */
		st->store_errors++;
		ctx->store_broken = 1;
		log_job("error", "store_refused", j);
		if (ensure_db(db, ctx->o->cfg->database, err) < 0 ||
		    sched_release(*db, ctx->lease_owner, j, j->error, err) < 0)
			rc = -1;
	} else {
		int final = 0;
		if (ensure_db(db, ctx->o->cfg->database, err) < 0 ||
		    sched_fail(*db, ctx->lease_owner, j, ctx->o->max_attempts,
			       ctx->o->cfg->retry_base_ms, &final, err) < 0) {
			rc = -1; /* the lease will expire and the work will be retried */
		} else if (final) {
			st->failed++;
			log_job("error", "failed", j);
		} else {
			st->retried++;
			log_job("warn", "retry_scheduled", j);
		}
	}
	sched_job_free(j);
	return rc;
}

struct claimed_jobs {
	struct sched_job **jobs;
	long long *ids;      /* the same jobs' ids, for lease extension */
	size_t n;
};

/* Brings the feed up to date with the scheduler thread's own connection and store handle. */
static int update_feed(const struct run_opts *o, PGconn *db, struct store *feed_store, char *err)
{
	int written = 0;
	if (feed_update(db, feed_store, o->cfg->go_prefix, &written, err) < 0)
		return -1;
	if (written) {
		struct logline l;
		log_start(&l, "debug", "feed_written");
		log_int(&l, "objects", written);
		log_end(&l);
	}
	return 0;
}

/*
 * Moves generated jobs to the publisher and finishes published ones. Waits
 * up to wait_ms for the first generated job.
 */
static void advance(struct run_ctx *ctx, PGconn **db, struct pool *workers, struct pool *publisher,
		    struct claimed_jobs *f, int wait_ms, struct run_stats *st)
{
	char e[ERR_SIZE];
	struct sched_job *j;
	while ((j = pool_collect(workers, wait_ms))) {
		wait_ms = 0;
		pool_submit(publisher, j);
	}
	while ((j = pool_collect(publisher, 0))) {
		for (size_t i = 0; i < f->n; i++)
			if (f->jobs[i] == j) {
				f->jobs[i] = f->jobs[f->n - 1];
				f->ids[i] = f->ids[f->n - 1];
				f->n--;
				break;
			}
		if (finish_job(ctx, db, j, st, e) < 0)
			log_error("record_outcome_failed", e);
	}
}

int run_pipeline(const struct run_opts *o, struct run_stats *st, char *err)
{
	struct run_ctx ctx = { .o = o };
	struct pool workers, publisher;
	int have_workers = 0, have_publisher = 0, rc = -1;
	PGconn *db = NULL;
	struct claimed_jobs f = { 0 };
	struct store *feed_store = NULL;
	int listening = 0;
	long long metrics_at = 0;
	int feed_published = 0;
	long long feed_at = 0;
	long long last_extend = util_now_ms();
	int sched_errors = 0;   /* consecutive */

	memset(st, 0, sizeof(*st));
	zipcache_init(&ctx.zipcache, ZIPCACHE_MAX_BYTES);
	char host[64] = "host";
	gethostname(host, sizeof(host) - 1);
	snprintf(ctx.lease_owner, sizeof(ctx.lease_owner), "%s:%d:%lld", host, (int)getpid(),
		 jitter_random() % 2147483648LL);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	stop_requested = 0;
	abort_work = 0;

	if (!(db = db_connect(o->cfg->database, err)) || migrate_check(db, err) < 0)
		goto out;
	ctx.publishers = o->publishers > 0 ? o->publishers : 1;
	ctx.stores = xcalloc((size_t)ctx.publishers, sizeof(*ctx.stores));
	ctx.pub_dbs = xcalloc((size_t)ctx.publishers, sizeof(*ctx.pub_dbs));
	/* A publisher connects to the database when it first publishes (an idle run opens one connection). */
	for (int i = 0; i < ctx.publishers; i++)
		if (store_open(o->cfg->store, &o->cfg->s3, &ctx.stores[i], err) < 0)
			goto out;
	if (store_open(o->cfg->store, &o->cfg->s3, &feed_store, err) < 0)
		goto out;
	long long cache_bytes = o->cfg->cache_bytes;
	if (cache_bytes > 0) {
		ctx.caches = xcalloc((size_t)o->workers, sizeof(*ctx.caches));
		inflight_init(&ctx.inflight);
		for (int i = 0; i < o->workers; i++)
			ctx.caches[i].conninfo = o->cfg->database;
	}
	/*
	 * --once with nothing to do at all (the common cron case) needs no threads, no
	 * lease reaping and no claim: bring the feed up to date and stop.
	 */
	int idle = 0;
	if (o->once && sched_anything(db, &idle, err) < 0)
		goto out;
	idle = o->once && !idle;
	unsigned capacity = (unsigned)o->workers * 2;
	if (!idle && pool_init(&workers, o->workers, capacity, work_generate, &ctx, err) < 0)
		goto out;
	have_workers = !idle;
	/* The publisher ring is as large as everything that may be in flight. */
	if (!idle && pool_init(&publisher, ctx.publishers, workers.capacity, work_publish, &ctx, err) < 0)
		goto out;
	have_publisher = !idle;
	f.ids = xcalloc((idle ? 0 : workers.capacity) + 1, sizeof(*f.ids));
	f.jobs = xcalloc((idle ? 0 : workers.capacity) + 1, sizeof(*f.jobs));

	struct logline l;
	log_start(&l, "info", "run_started");
	log_str(&l, "store", feed_store->url);
	log_str(&l, "go_prefix", o->cfg->go_prefix);
	log_int(&l, "workers", o->workers);
	log_int(&l, "publishers", ctx.publishers);
	log_str(&l, "mode", o->once ? "once" : "service");
	log_end(&l);
	if (idle) {
		rc = 0;
		goto drain;
	}

	for (;;) {
		char e[ERR_SIZE];
		int claimed = 0;
		if (!stop_requested && !ctx.store_broken && f.n < workers.capacity) {
			int created = 0, reaped = 0;
			struct sched_job **jobs = NULL;
			size_t n = 0;
			if (ensure_listening(&db, o->cfg->database, &listening, !o->once, e) < 0 || sched_reap(db, &reaped, e) < 0 ||
			    sched_enqueue(db, &created, e) < 0 ||
			    sched_claim(db, ctx.lease_owner, (int)(workers.capacity - f.n), o->cfg->lease_ms,
					&jobs, &n, e) < 0) {
				log_error("scheduler_error", e);
				/* --once gives up on a dead database, or after 5 failures in a row. */
				if (o->once && (db_broken(db) || ++sched_errors >= 5)) {
					err_set(err, "%s", e);
					goto drain;
				}
				sleep(1);
				continue;
			}
			sched_errors = 0;
			if (reaped) {
				log_start(&l, "warn", "leases_reaped");
				log_int(&l, "generations", reaped);
				log_end(&l);
			}
			if (created) {
				log_start(&l, "info", "enqueued");
				log_int(&l, "generations", created);
				log_end(&l);
			}
			for (size_t i = 0; i < n; i++) {
				log_job("info", "claimed", jobs[i]);
				f.jobs[f.n] = jobs[i];
				f.ids[f.n++] = jobs[i]->id;
				pool_submit(&workers, jobs[i]);
			}
			free(jobs);
			claimed = (int)n;
		}
		advance(&ctx, &db, &workers, &publisher, &f, f.n ? 100 : 0, st);
		if (st->published > feed_published && util_now_ms() - feed_at > 2000) {
			if (update_feed(o, db, feed_store, e) < 0)
				log_error("feed_update_failed", e);
			else
				feed_published = st->published;
			feed_at = util_now_ms();
		}
		if (o->cfg->metrics_file && !o->once && util_now_ms() - metrics_at > o->cfg->metrics_ms) {
			if (!db_broken(db) && metrics_write(db, o->cfg->metrics_file, st, e) < 0)
				log_error("metrics_write_failed", e);
			metrics_at = util_now_ms();
		}
		if (f.n && util_now_ms() - last_extend > o->cfg->lease_ms / 3) {
			if (ensure_db(&db, o->cfg->database, e) < 0 ||
			    sched_extend(db, ctx.lease_owner, f.ids, f.n, o->cfg->lease_ms, e) < 0)
				log_error("lease_extend_failed", e);
			last_extend = util_now_ms();
		}
		if (f.n || claimed)
			continue;
		if (stop_requested || ctx.store_broken)
			break;
		if (o->once) {
			struct sched_counts q;
			if (sched_counts(db, &q, e) < 0) {
				err_set(err, "%s", e);
				goto drain;
			}
			if (!q.pending && !q.running)
				break;
			long long next_ms = q.next_ready_ms;
			/*
			 * Retries waiting for their backoff, or work another process holds (its
			 * lease is reaped if that process died): wait, a second at a time at most.
			 */
			if (!q.pending)
				next_ms = 1000;
			usleep((useconds_t)(next_ms > 1000 ? 1000000 : next_ms * 1000 + 10000));
		} else {
			wait_for_work(db_broken(db) ? NULL : db, o->cfg->poll_ms);
		}
	}
	rc = 0;
drain:
	/* Finish what was claimed: never leave half a generation behind. */
	while (f.n)
		advance(&ctx, &db, &workers, &publisher, &f, 100, st);
	/*
	 * Always bring the feed up to date at the end: a process killed after publishing
	 * left it behind, and only a later run can catch up (up to date, nothing is written).
	 */
	if (feed_store) {
		char e[ERR_SIZE];
		if (ensure_db(&db, o->cfg->database, e) < 0 || update_feed(o, db, feed_store, e) < 0) {
			log_error("feed_update_failed", e);
			st->feed_failed = 1;
		}
	}
	/* Keep the cache within its bound when this run added to it. */
	long long added = 0;
	for (int i = 0; ctx.caches && i < o->workers; i++)
		added += ctx.caches[i].added;
	if (added) {
		char e[ERR_SIZE];
		long long evicted = 0;
		if (ensure_db(&db, o->cfg->database, e) < 0 || outcache_evict(db, cache_bytes, &evicted, e) < 0)
			log_error("cache_evict_failed", e);
		else if (evicted) {
			log_start(&l, "info", "cache_evicted");
			log_int(&l, "entries", evicted);
			log_end(&l);
		}
	}
	if (o->cfg->metrics_file) {
		char e[ERR_SIZE];
		if (ensure_db(&db, o->cfg->database, e) < 0 || metrics_write(db, o->cfg->metrics_file, st, e) < 0)
			log_error("metrics_write_failed", e);
	}
	log_start(&l, "info", "run_finished");
	log_int(&l, "published", st->published);
	log_int(&l, "failed", st->failed);
	log_int(&l, "retried", st->retried);
	if (st->cache_hits || st->cache_misses) {
		log_int(&l, "cache_hits", st->cache_hits);
		log_int(&l, "cache_misses", st->cache_misses);
	}
	if (ctx.zipcache.hits || ctx.zipcache.misses) {
		/* files copied deflated from an earlier zip of this run, and files deflated */
		log_int(&l, "zip_reused", ctx.zipcache.hits);
		log_int(&l, "zip_deflated", ctx.zipcache.misses);
	}
	if (st->store_errors)
		log_int(&l, "store_errors", st->store_errors);
	/* remotegen's own CPU time (all its threads; not the plugins') */
	struct rusage ru;
	if (!getrusage(RUSAGE_SELF, &ru))
		log_int(&l, "cpu_ms", (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
					      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000);
	log_end(&l);
out:
	if (have_workers)
		pool_release(&workers);
	if (have_publisher)
		pool_release(&publisher);
	free(f.ids);
	free(f.jobs);
	for (int i = 0; ctx.stores && i < ctx.publishers; i++) {
		store_free(ctx.stores[i]);
		db_close(ctx.pub_dbs[i]);
	}
	free(ctx.stores);
	free(ctx.pub_dbs);
	for (int i = 0; ctx.caches && i < o->workers; i++)
		outcache_release(&ctx.caches[i]);
	if (ctx.caches)
		inflight_release(&ctx.inflight);
	free(ctx.caches);
	zipcache_release(&ctx.zipcache);
	store_free(feed_store);
	db_close(db);
	return rc;
}
