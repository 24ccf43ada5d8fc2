/*
 * target_go: generations as Go module versions in a static GOPROXY (see
 * target.h). Managed mode sets go_package for the module's own files and its
 * dependencies' files, Go plugins get paths=source_relative, go.mod requires
 * exactly what the generated code imports, and the module is a deterministic
 * zip with its go.mod and .info (publisher/go/), indexed by @v/list and
 * @latest under the module path's lock.
 */
#include "target.h"
#include "dirhash.h"
#include "goimports.h"
#include "gomod.h"
#include "modpath.h"
#include "modzip.h"
#include "goproxy.h"
#include "timefmt.h"
#include "verify.h"

#include <stdlib.h>
#include <string.h>

static struct goproxy_module *module_of(const struct job *j)
{
	return j->pkg;
}

static int go_claims(const struct queue_job *q)
{
	(void)q;
	return 1;
}

/* A plugin with Go runtime libraries or a Go version generates Go code. */
static int is_go_plugin(const struct queue_plugin *p)
{
	return p->go_deps.n > 0 || p->go_min_version;
}

/*
 * go.mod requires exactly the modules the generated code imports: the
 * plugins' Go runtime libraries ("module@version" in go_deps) and the
 * generated modules of dependencies, at their synthetic versions.
 */
static void require_imported(const struct job *j, const struct request_dep_file *rdeps, const struct strvec *go_deps,
			     const struct strvec *imports, struct strvec *requires)
{
	for (size_t i = 0; i < go_deps->n; i++) {
		const char *at = strrchr(go_deps->v[i], '@');
		char *mod = xstrndup(go_deps->v[i], at ? (size_t)(at - go_deps->v[i]) : strlen(go_deps->v[i]));
		if (goimports_uses_module(imports, mod))
			strvec_push(requires, go_deps->v[i]);
		free(mod);
	}
	for (size_t i = 0; i < j->q.n_deps; i++) {
		int seen = 0;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(rdeps[k].modpath, rdeps[i].modpath);
		if (seen || !goimports_uses_module(imports, rdeps[i].modpath))
			continue;
		strvec_push_owned(requires, xasprintf("%s@%s", rdeps[i].modpath, j->q.deps[i].version));
	}
}

static int go_produce(struct job *j, const struct target_env *env, target_run_fn run, void *arg)
{
	const struct queue_job *q = &j->q;
	struct strvec requires = STRVEC_INIT, go_deps = STRVEC_INIT, imports = STRVEC_INIT;
	char **params = xcalloc(q->n_plugins + 1, sizeof(*params));
	const char *go_version = NULL;
	struct request_dep_file *rdeps = xcalloc(q->n_deps + 1, sizeof(*rdeps));
	char *modpath = modpath_module(env->cfg->go_prefix, q->template_owner, q->template_name, q->module_owner,
				       q->module_name);
	char time[TIMEFMT_SIZE];
	int rc = -1;

	if (modpath_check_module(modpath, j->error) < 0) {
		job_fail(j, JOB_PERMANENT, j->error);
		goto out;
	}
	/* Files of dependency modules map to their own generated modules. */
	for (size_t i = 0; i < q->n_deps; i++) {
		rdeps[i].file = q->deps[i].file;
		rdeps[i].modpath = modpath_module(env->cfg->go_prefix, q->template_owner, q->template_name,
						  q->deps[i].mod_owner, q->deps[i].mod_name);
	}
	for (size_t i = 0; i < q->n_plugins; i++) {
		const struct queue_plugin *p = &q->plugins[i];
		params[i] = is_go_plugin(p) ? request_go_parameter(p->parameter)
					    : xstrdup(p->parameter ? p->parameter : "");
		for (size_t k = 0; k < p->go_deps.n; k++)
			strvec_push(&go_deps, p->go_deps.v[k]);
		if (p->go_min_version && (!go_version || gomod_go_version_cmp(p->go_min_version, go_version) > 0))
			go_version = p->go_min_version;
	}
	struct request_input in = {
		.image = q->image.data,
		.image_len = q->image.len,
		.own_files = &q->own_files,
		.modpath = modpath,
		.deps = rdeps,
		.n_deps = q->n_deps,
		.protoc_version = q->protoc_version,
	};
	if (run(j, arg, &in, params) < 0)
		goto out;
	if (goimports_of_files(&j->files, &imports, j->error) < 0) {
		job_fail(j, JOB_PERMANENT, j->error);
		goto out;
	}
	require_imported(j, rdeps, &go_deps, &imports, &requires);
	struct goproxy_module *m = xcalloc(1, sizeof(*m));
	j->pkg = m;
	if (goproxy_build(m, modpath, q->version, timefmt_rfc3339(q->commit_us, 0, time), go_version, &requires,
			  &j->files, env->zipcache, j->error) < 0) {
		job_fail(j, JOB_PERMANENT, j->error);
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < q->n_plugins; i++)
		free(params[i]);
	free(params);
	for (size_t i = 0; i < q->n_deps; i++)
		free((char *)rdeps[i].modpath);
	free(rdeps);
	free(modpath);
	strvec_clear(&requires);
	strvec_clear(&go_deps);
	strvec_clear(&imports);
	return rc;
}

static int go_upload(const struct job *j, struct store *s, char *err)
{
	return goproxy_upload(s, module_of(j), err);
}

static char *go_lock_key(const struct job *j)
{
	return xstrdup(module_of(j)->modpath);
}

static void go_publication(const struct job *j, struct queue_publication *p)
{
	p->zip_hash = module_of(j)->zip_hash;
	p->mod_hash = module_of(j)->mod_hash;
}

/*
 * The versions @v/list and @latest show of rows[0..n): the published ones
 * not yanked, into a malloc'ed *v (times in *times, malloc'ed). Returns how many.
 */
static size_t visible_versions(const struct queue_published *const *rows, size_t n, struct goproxy_version **v,
			       char (**times)[TIMEFMT_SIZE])
{
	size_t k = 0;
	*v = xcalloc(n + 1, sizeof(**v));
	*times = xcalloc(n + 1, sizeof(**times));
	for (size_t i = 0; i < n; i++)
		if (!rows[i]->yanked)
			(*v)[k] =
				(struct goproxy_version){ .version = rows[i]->version,
							  .time = timefmt_rfc3339(rows[i]->commit_us, 0, (*times)[k]) },
			k++;
	return k;
}

/* @v/list and @latest of modpath from the published versions of (template, module). */
static int go_write_index(PGconn *db, struct store *s, const char *modpath, long long template_id, long long module_id,
			  char *err)
{
	struct queue_rows rows = QUEUE_ROWS_INIT;
	if (queue_published_of(db, template_id, module_id, &rows, err) < 0)
		return -1;
	const struct queue_published **rp = xcalloc(rows.n + 1, sizeof(*rp));
	for (size_t i = 0; i < rows.n; i++)
		rp[i] = &rows.v[i];
	struct goproxy_version *v;
	char(*times)[TIMEFMT_SIZE];
	size_t n = visible_versions(rp, rows.n, &v, &times);
	int rc = n ? goproxy_index(s, modpath, v, n, err)
		   : err_set(err, "%s: every published version is yanked; the index would list none", modpath);
	free(times);
	free(v);
	free(rp);
	queue_rows_release(&rows);
	return rc;
}

static int go_index(const struct job *j, PGconn *db, struct store *s, const struct target_env *env, char *err)
{
	(void)env;
	return go_write_index(db, s, module_of(j)->modpath, j->q.template_id, j->q.module_id, err);
}

static void go_log_published(const struct job *j, struct logline *l)
{
	log_str(l, "h1", module_of(j)->zip_hash);
}

static void go_release(struct job *j)
{
	goproxy_module_release(j->pkg);
	free(j->pkg);
	j->pkg = NULL;
}

static int go_owns(const struct queue_published *p)
{
	return p->zip_hash != NULL;
}

static char *row_modpath(const struct queue_published *p, const struct config *cfg)
{
	return modpath_module(cfg->go_prefix, p->tmpl_owner, p->tmpl_name, p->mod_owner, p->mod_name);
}

static int go_reindex(const struct queue_published *p, PGconn *db, struct store *s, const struct target_env *env,
		      char *err)
{
	char *mp = row_modpath(p, env->cfg);
	int rc = go_write_index(db, s, mp, p->template_id, p->module_id, err);
	free(mp);
	return rc;
}

static void go_feed_line(const struct queue_published *p, const struct config *cfg, json_t *o)
{
	char *mp = row_modpath(p, cfg);
	char ts[TIMEFMT_SIZE];
	jsonw_set_str(o, "Path", mp);
	jsonw_set_str(o, "Version", p->version);
	jsonw_set_str(o, "Timestamp", timefmt_rfc3339(p->published_us, 6, ts));
	jsonw_set_str(o, "Sum", p->zip_hash ? p->zip_hash : "");
	jsonw_set_str(o, "GoModSum", p->mod_hash ? p->mod_hash : "");
	free(mp);
}

static char *go_row_key(const struct queue_published *p, const struct config *cfg)
{
	return row_modpath(p, cfg);
}

/* The zip: readable, its h1: the recorded one, and usable by the go command. */
static void verify_zip(struct verify_ctx *v, const struct queue_published *p, const char *mp, const char *key,
		       const struct buf *data)
{
	struct fileset files = FILESET_INIT;
	char sub[ERR_SIZE], hash[DIRHASH_SIZE];
	if (modzip_read(data->data, data->len, &files, sub) < 0) {
		verify_problem(v, "corrupt: %s: %s", key, sub);
	} else {
		if (dirhash_h1("", &files, hash, sub) < 0 || strcmp(hash, p->zip_hash))
			verify_problem(v, "hash mismatch: %s: database %s, store %s", key, p->zip_hash, hash);
		/* what the go command would refuse to extract, or could not import */
		if (modzip_check_zip(mp, p->version, data->data, data->len, sub) < 0)
			verify_problem(v, "unusable: %s: %s", key, sub);
	}
	fileset_release(&files);
}

static int go_verify_version(struct verify_ctx *v, const struct queue_published *p)
{
	char *mp = row_modpath(p, v->cfg);
	static const char *const exts[] = { ".zip", ".mod", ".info" };
	char *keys[3] = { NULL, NULL, NULL };
	struct buf data = BUF_INIT;
	char hash[DIRHASH_SIZE];
	int rc = 0, g;
	for (int k = 0; k < 3; k++) {
		if (!(keys[k] = goproxy_key(mp, "/@v/", p->version, exts[k], v->err)))
			goto out; /* a name nothing could have been published under: nothing to check */
		verify_expect(v, keys[k]);
	}
	if ((g = verify_fetch(v, keys[0], &data)) < 0)
		goto fail;
	if (g == 0)
		verify_zip(v, p, mp, keys[0], &data);
	buf_reset(&data);
	if ((g = verify_fetch(v, keys[1], &data)) < 0)
		goto fail;
	if (g == 0) {
		dirhash_h1_gomod(data.data ? data.data : "", data.len, hash);
		if (strcmp(hash, p->mod_hash))
			verify_problem(v, "hash mismatch: %s: database %s, store %s", keys[1], p->mod_hash, hash);
	}
	buf_reset(&data);
	if ((g = verify_fetch(v, keys[2], &data)) < 0)
		goto fail;
	if (g == 0) {
		char want[128];
		snprintf(want, sizeof(want), "\"Version\":\"%s\"", p->version);
		if (!data.data || !strstr(data.data, want))
			verify_problem(v, "wrong content: %s does not name version %s", keys[2], p->version);
	}
	goto out;
fail:
	rc = -1;
out:
	for (int k = 0; k < 3; k++)
		free(keys[k]);
	free(mp);
	buf_release(&data);
	return rc;
}

/* @v/list and @latest against what the database says, rendered as go_write_index renders them. */
static int go_verify_index(struct verify_ctx *v, const struct queue_published *const *rows, size_t n)
{
	char *mp = row_modpath(rows[0], v->cfg);
	char *lk = goproxy_key(mp, "/@v/list", NULL, NULL, v->err);
	char *latest_k = goproxy_key(mp, "/@latest", NULL, NULL, v->err);
	struct goproxy_version *vis = NULL;
	char(*times)[TIMEFMT_SIZE] = NULL;
	struct buf want_list = BUF_INIT, want_latest = BUF_INIT, data = BUF_INIT;
	int rc = -1;
	if (!lk || !latest_k) {
		rc = 0; /* the versions already said why */
		goto out;
	}
	verify_expect(v, lk);
	verify_expect(v, latest_k);
	size_t k = visible_versions(rows, n, &vis, &times);
	if (!k) {
		verify_problem(v, "%s: every published version is yanked (the index files were left as they were)", mp);
		rc = 0;
		goto out;
	}
	goproxy_render_index(vis, k, &want_list, &want_latest);
	const char *latest = vis[k - 1].version;
	int g = verify_fetch(v, lk, &data);
	if (g < 0)
		goto out;
	if (g == 0 && (data.len != want_list.len || memcmp(data.data, want_list.data, want_list.len)))
		verify_problem(
			v,
			"stale index: %s does not list exactly the published versions that are not yanked (%s is "
			"the latest)",
			lk, latest);
	buf_reset(&data);
	if ((g = verify_fetch(v, latest_k, &data)) < 0)
		goto out;
	if (g == 0 && (data.len != want_latest.len || memcmp(data.data, want_latest.data, want_latest.len)))
		verify_problem(v, "stale index: %s does not name %s", latest_k, latest);
	rc = 0;
out:
	free(mp);
	free(lk);
	free(latest_k);
	free(vis);
	free(times);
	buf_release(&want_list);
	buf_release(&want_latest);
	buf_release(&data);
	return rc;
}

const struct target target_go = {
	.name = "go",
	.claims = go_claims,
	.produce = go_produce,
	.admit = NULL,
	.upload = go_upload,
	.lock_key = go_lock_key,
	.publication = go_publication,
	.index = go_index,
	.reindex = go_reindex,
	.log_published = go_log_published,
	.release = go_release,
	.owns = go_owns,
	.feed_line = go_feed_line,
	.row_key = go_row_key,
	.verify_version = go_verify_version,
	.verify_index = go_verify_index,
};
