/*
 * target_npm: generations as versions of npm packages in a static npm
 * registry (see target.h). The descriptors go to the plugins as pushed (no
 * managed mode), imports of dependency modules' files are rewritten to their
 * packages (by protoc-gen-es itself through rewrite_imports; in CommonJS
 * output by npmcjs.c), and the output becomes a deterministic tarball (publisher/npm/)
 * indexed by its packument under the package's lock. A package name belongs
 * to one (template, module) pair: admit refuses another pair's.
 */
#include "target.h"
#include "npmcjs.h"
#include "npmpkg.h"
#include "timefmt.h"
#include "verify.h"

#include <stdlib.h>
#include <string.h>

static struct npmpkg *pkg_of(const struct job *j)
{
	return j->pkg;
}

/* 1 when one of the template's plugins generates npm packages. */
static int npm_claims(const struct queue_job *q)
{
	for (size_t i = 0; i < q->n_plugins; i++)
		if (q->plugins[i].npm_deps.n)
			return 1;
	return 0;
}

/* 1 when a generated file imports from package name ("name/..." or 'name/...'). */
static int imports_package(const struct fileset *files, const char *name)
{
	char *dq = xasprintf("\"%s/", name), *sq = xasprintf("'%s/", name);
	size_t n = strlen(dq);
	int found = 0;
	for (size_t i = 0; i < files->n && !found; i++) {
		const struct buf *c = &files->v[i].content;
		found = c->len && (memmem(c->data, c->len, dq, n) || memmem(c->data, c->len, sq, n));
	}
	free(dq);
	free(sq);
	return found;
}

/* 1 when the template's npm plugins write CommonJS (registry.c keeps a template version to one format). */
static int writes_commonjs(const struct queue_job *q)
{
	for (size_t i = 0; i < q->n_plugins; i++)
		if (q->plugins[i].npm_deps.n && q->plugins[i].npm_commonjs)
			return 1;
	return 0;
}

/*
 * CommonJS output: requires of dependency modules' files become requires of
 * their packages (npmcjs.c). packages: the plugins' runtime package names.
 * 0, or -1 with the generation failed for good, naming the file.
 */
static int rewrite_requires(struct job *j, char **dep_pkgs, const struct strvec *packages)
{
	struct npmcjs_dep *deps = xcalloc(j->q.n_deps + 1, sizeof(*deps));
	for (size_t i = 0; i < j->q.n_deps; i++) {
		deps[i].proto = j->q.deps[i].file;
		deps[i].package = dep_pkgs[i];
	}
	char why[ERR_SIZE];
	long n = npmcjs_rewrite(&j->files, deps, j->q.n_deps, packages, why);
	free(deps);
	if (n < 0) {
		err_set(j->error, "CommonJS output: %s", why);
		job_fail(j, JOB_PERMANENT, j->error);
		return -1;
	}
	return 0;
}

/* Runtime packages: a peer dependency each, the first plugin's range for a name. */
static void add_peers(const struct queue_plugin *p, struct strvec *seen, struct strvec *peers)
{
	for (size_t k = 0; k < p->npm_deps.n; k++) {
		const char *at = strrchr(p->npm_deps.v[k], '@');
		char *n = xstrndup(p->npm_deps.v[k], (size_t)(at - p->npm_deps.v[k]));
		if (!strvec_contains(seen, n)) {
			strvec_push(seen, n);
			strvec_push(peers, p->npm_deps.v[k]);
		}
		free(n);
	}
}

/* Exact versions of the dependency packages the code imports (same template version). */
static void add_deps(const struct job *j, char **dep_pkgs, struct strvec *deps)
{
	struct strvec seen = STRVEC_INIT;
	for (size_t i = 0; i < j->q.n_deps; i++) {
		if (strvec_contains(&seen, dep_pkgs[i]) || !imports_package(&j->files, dep_pkgs[i]))
			continue;
		strvec_push(&seen, dep_pkgs[i]);
		/* the npm version is the synthetic version without its "v" */
		strvec_push_owned(deps, xasprintf("%s@%s", dep_pkgs[i], j->q.deps[i].version + 1));
	}
	strvec_clear(&seen);
}

static int npm_produce(struct job *j, const struct target_env *env, target_run_fn run, void *arg)
{
	const struct queue_job *q = &j->q;
	const struct config *cfg = env->cfg;
	struct strvec peers = STRVEC_INIT, deps = STRVEC_INIT, seen = STRVEC_INIT;
	char **params = xcalloc(q->n_plugins + 1, sizeof(*params)),
	     **dep_pkgs = xcalloc(q->n_deps + 1, sizeof(*dep_pkgs));
	char *name = NULL, *description = NULL;
	struct request_dep_file *rdeps = xcalloc(q->n_deps + 1, sizeof(*rdeps));
	int rc = -1;

	if (!cfg->npm_url) {
		/* Not the generation's fault: handed back untouched, the run stops claiming. */
		job_fail(j, JOB_STORE_REFUSED,
			 "npm packages need the public URL of the store's npm/ "
			 "folder for their tarball links: set REMOTEGEN_NPM_URL or run --npm-url");
		goto out;
	}
	if (!(name = npmpkg_name(cfg->npm_scope, q->template_owner, q->template_name, q->module_owner, q->module_name,
				 j->error))) {
		job_fail(j, JOB_PERMANENT, j->error);
		goto out;
	}
	for (size_t i = 0; i < q->n_deps; i++) {
		rdeps[i].file = q->deps[i].file;
		if (!(dep_pkgs[i] = npmpkg_name(cfg->npm_scope, q->template_owner, q->template_name,
						q->deps[i].mod_owner, q->deps[i].mod_name, j->error))) {
			job_fail(j, JOB_PERMANENT, j->error);
			goto out;
		}
	}
	int commonjs = writes_commonjs(q);
	for (size_t i = 0; i < q->n_plugins; i++) {
		const struct queue_plugin *p = &q->plugins[i];
		/* protoc-gen-es is told where dependency files are; CommonJS output is rewritten afterwards */
		params[i] = p->npm_deps.n && !p->npm_commonjs
				    ? request_npm_parameter(p->parameter, rdeps, q->n_deps, dep_pkgs)
				    : xstrdup(p->parameter ? p->parameter : "");
		add_peers(p, &seen, &peers);
	}
	struct request_input in = {
		.image = q->image.data,
		.image_len = q->image.len,
		.own_files = &q->own_files,
		.protoc_version = q->protoc_version,
	};
	if (run(j, arg, &in, params) < 0)
		goto out;
	if (commonjs && rewrite_requires(j, dep_pkgs, &seen) < 0)
		goto out;
	add_deps(j, dep_pkgs, &deps);
	description = xasprintf("%s/%s commit %d generated with template %s/%s v%d", q->module_owner, q->module_name,
				q->sequence, q->template_owner, q->template_name, q->template_version);
	struct npmpkg *pkg = xcalloc(1, sizeof(*pkg));
	j->pkg = pkg;
	const struct npmpkg_meta meta = { .name = name,
					  .version = q->version + 1,
					  .description = description,
					  .peer_deps = &peers,
					  .deps = &deps,
					  .commonjs = commonjs };
	if (npmpkg_build(pkg, &meta, &j->files, j->error) < 0) {
		job_fail(j, JOB_PERMANENT, j->error);
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < q->n_plugins; i++)
		free(params[i]);
	free(params);
	for (size_t i = 0; i < q->n_deps; i++)
		free(dep_pkgs[i]);
	free(dep_pkgs);
	free(rdeps);
	free(name);
	free(description);
	strvec_clear(&peers);
	strvec_clear(&deps);
	strvec_clear(&seen);
	return rc;
}

static int npm_admit(struct job *j, PGconn *db, char *err)
{
	return target_admit_package(j, db, "npm", pkg_of(j)->name, err);
}

static int npm_upload(const struct job *j, struct store *s, char *err)
{
	return npmpkg_upload(s, pkg_of(j), err);
}

static char *npm_lock_key(const struct job *j)
{
	return xasprintf("npm:%s", pkg_of(j)->name);
}

static void npm_publication(const struct job *j, struct queue_publication *p)
{
	const struct npmpkg *pkg = pkg_of(j);
	p->package = pkg->name;
	p->manifest = pkg->manifest.data;
	p->integrity = pkg->integrity;
	p->shasum = pkg->shasum;
	p->kind = "npm";
}

/*
 * The packument of name from its published rows[0..n) that are not yanked,
 * into out; *latest (may be NULL) gets the highest version. -1 when every one is yanked.
 */
static int render_packument(const char *name, const struct queue_published *const *rows, size_t n_rows,
			    const char *npm_url, struct buf *out, char **latest, char *err)
{
	struct npmpkg_version *v = xcalloc(n_rows + 1, sizeof(*v));
	char(*times)[TIMEFMT_SIZE] = xcalloc(n_rows + 1, sizeof(*times));
	size_t n = 0;
	for (size_t i = 0; i < n_rows; i++) {
		const struct queue_published *p = rows[i];
		if (!p->package || p->yanked)
			continue;
		v[n++] = (struct npmpkg_version){
			.version = p->version + 1,
			.manifest = p->manifest,
			.integrity = p->integrity,
			.shasum = p->shasum,
			.time = timefmt_rfc3339(p->published_us, 3, times[i]),
			.deprecated = p->deprecated,
		};
	}
	int rc = n ? npmpkg_packument(name, npm_url, v, n, out, err)
		   : err_set(err, "%s: every published version is yanked; the packument would list none", name);
	if (rc == 0 && latest)
		*latest = xstrdup(v[n - 1].version);
	free(times);
	free(v);
	return rc;
}

/* The packument of package name, from the published versions of (template, module). */
static int write_packument(PGconn *db, struct store *s, const char *name, long long template_id, long long module_id,
			   const char *npm_url, char *err)
{
	struct buf doc = BUF_INIT;
	struct queue_rows rows = QUEUE_ROWS_INIT;
	if (queue_published_of(db, template_id, module_id, &rows, err) < 0)
		return -1;
	const struct queue_published **rp = xcalloc(rows.n + 1, sizeof(*rp));
	for (size_t i = 0; i < rows.n; i++)
		rp[i] = &rows.v[i];
	int rc = render_packument(name, rp, rows.n, npm_url, &doc, NULL, err);
	if (rc == 0)
		rc = npmpkg_put_packument(s, name, &doc, err);
	free(rp);
	queue_rows_release(&rows);
	buf_release(&doc);
	return rc;
}

static int npm_index(const struct job *j, PGconn *db, struct store *s, const struct target_env *env, char *err)
{
	return write_packument(db, s, pkg_of(j)->name, j->q.template_id, j->q.module_id, env->cfg->npm_url, err);
}

static int npm_reindex(const struct queue_published *p, PGconn *db, struct store *s, const struct target_env *env,
		       char *err)
{
	if (!env->cfg->npm_url)
		return err_set(err, "%s: the packument links to REMOTEGEN_NPM_URL (or --npm-url), which is not set",
			       p->package);
	return write_packument(db, s, p->package, p->template_id, p->module_id, env->cfg->npm_url, err);
}

static void npm_log_published(const struct job *j, struct logline *l)
{
	log_str(l, "package", pkg_of(j)->name);
	log_str(l, "integrity", pkg_of(j)->integrity);
}

static void npm_release(struct job *j)
{
	npmpkg_release(j->pkg);
	free(j->pkg);
	j->pkg = NULL;
}

static int npm_owns(const struct queue_published *p)
{
	return p->kind && !strcmp(p->kind, "npm");
}

static void npm_feed_line(const struct queue_published *p, const struct config *cfg, json_t *o)
{
	char ts[TIMEFMT_SIZE];
	(void)cfg;
	/* An npm package version: its name, npm version and dist.integrity. */
	jsonw_set_str(o, "Package", p->package);
	jsonw_set_str(o, "Version", p->version + 1);
	jsonw_set_str(o, "Timestamp", timefmt_rfc3339(p->published_us, 6, ts));
	jsonw_set_str(o, "Integrity", p->integrity ? p->integrity : "");
}

static char *npm_row_key(const struct queue_published *p, const struct config *cfg)
{
	(void)cfg;
	return xasprintf("npm:%s", p->package);
}

static int need_url(struct verify_ctx *v, const struct queue_published *p)
{
	if (v->cfg->npm_url)
		return 0;
	return err_set(v->err,
		       "the store holds npm packages (%s, ...): verify needs the URL their "
		       "packuments link to (REMOTEGEN_NPM_URL or --npm-url)",
		       p->package);
}

/*
 * One npm package version: the tarball exists, its hashes are the recorded
 * dist hashes, and its package.json is the recorded one.
 */
static int npm_verify_version(struct verify_ctx *v, const struct queue_published *p)
{
	struct buf data = BUF_INIT, manifest = BUF_INIT;
	char integrity[96], shasum[41], sub[ERR_SIZE];
	if (need_url(v, p) < 0)
		return -1;
	char *key = npmpkg_tarball_key(p->package, p->version + 1);
	verify_expect(v, key);
	int g = verify_fetch(v, key, &data);
	if (g == 0) {
		npmpkg_hashes(data.data ? data.data : "", data.len, integrity, shasum);
		if (strcmp(integrity, p->integrity) || strcmp(shasum, p->shasum))
			verify_problem(v, "hash mismatch: %s: database %s, store %s", key, p->integrity, integrity);
		int m = npmpkg_read_file(data.data ? data.data : "", data.len, "package.json", &manifest, sub);
		if (m < 0)
			verify_problem(v, "corrupt: %s: %s", key, sub);
		else if (m == 1)
			verify_problem(v, "unusable: %s: no package/package.json", key);
		else if (manifest.len != strlen(p->manifest) || memcmp(manifest.data, p->manifest, manifest.len))
			verify_problem(v, "wrong content: %s: package.json is not the one recorded", key);
	}
	free(key);
	buf_release(&data);
	buf_release(&manifest);
	return g < 0 ? g : 0;
}

/* The packument against what the database says. */
static int npm_verify_index(struct verify_ctx *v, const struct queue_published *const *rows, size_t n)
{
	const struct queue_published *p = rows[0];
	struct buf want = BUF_INIT, got = BUF_INIT;
	char *key = npmpkg_packument_key(p->package), *latest = NULL;
	int rc = -1;
	verify_expect(v, key);
	if (render_packument(p->package, rows, n, v->cfg->npm_url, &want, &latest, v->err) < 0)
		goto out;
	rc = verify_fetch(v, key, &got);
	if (rc == 0 && (got.len != want.len || memcmp(got.data, want.data, want.len)))
		verify_problem(v,
			       "stale index: %s does not hold exactly what the database says (latest %s, "
			       "tarballs at %s)",
			       key, latest, v->cfg->npm_url);
	if (rc > 0)
		rc = 0;
out:
	free(key);
	free(latest);
	buf_release(&want);
	buf_release(&got);
	return rc;
}

const struct target target_npm = {
	.name = "npm",
	.claims = npm_claims,
	.produce = npm_produce,
	.admit = npm_admit,
	.upload = npm_upload,
	.lock_key = npm_lock_key,
	.publication = npm_publication,
	.index = npm_index,
	.reindex = npm_reindex,
	.log_published = npm_log_published,
	.release = npm_release,
	.owns = npm_owns,
	.feed_line = npm_feed_line,
	.row_key = npm_row_key,
	.verify_version = npm_verify_version,
	.verify_index = npm_verify_index,
};
