/*
 * target_python: generations as versions of Python packages in a static
 * package index (see target.h). A template version whose plugins declare
 * Python requirements (plugin add --python-dep) publishes, for each module
 * commit, one pure-Python wheel (publisher/python/pywheel.c) with the
 * generated files at their proto paths (namespace packages), Requires-Dist on
 * the plugins' requirements and on the dependency modules' packages of the
 * same template at their exact versions; the project page and the root page
 * of the index (publisher/python/pyindex.c) are rewritten from the database
 * under the package's lock. A package name belongs to one (template, module)
 * pair: admit refuses another pair's (PEP 503 folds '-', '_' and '.').
 */
#include "target.h"
#include "pyindex.h"
#include "pywheel.h"
#include "timefmt.h"
#include "verify.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PY_ROOT_LOCK "python:simple/"

static struct pywheel *pkg_of(const struct job *j)
{
	return j->pkg;
}

/* 1 when one of the template's plugins generates Python packages. */
static int py_claims(const struct queue_job *q)
{
	for (size_t i = 0; i < q->n_plugins; i++)
		if (q->plugins[i].python_deps.n)
			return 1;
	return 0;
}

/* The project name a requirement starts with, normalized (malloc'ed). */
static char *requirement_name(const char *req)
{
	size_t n = 0;
	while (isalnum((unsigned char)req[n]) || (req[n] && strchr("._-", req[n])))
		n++;
	char *raw = xstrndup(req, n), *name = pywheel_normalize(raw);
	free(raw);
	return name;
}

/*
 * Requires-Dist: each plugin requirement (the first plugin's for a project),
 * then the dependency modules' packages at their exact versions, in the order
 * the dependency files come. 0, or -1 with j failed.
 */
static int requirements(struct job *j, struct strvec *out)
{
	const struct queue_job *q = &j->q;
	struct strvec seen = STRVEC_INIT;
	int rc = -1;
	for (size_t i = 0; i < q->n_plugins; i++)
		for (size_t k = 0; k < q->plugins[i].python_deps.n; k++) {
			const char *req = q->plugins[i].python_deps.v[k];
			char *name = requirement_name(req);
			if (!strvec_contains(&seen, name)) {
				strvec_push(&seen, name);
				strvec_push(out, req);
			}
			free(name);
		}
	for (size_t i = 0; i < q->n_deps; i++) {
		char *name = pywheel_name(q->template_owner, q->template_name, q->deps[i].mod_owner,
					  q->deps[i].mod_name, j->error);
		if (!name) {
			job_fail(j, JOB_PERMANENT, j->error);
			goto out;
		}
		if (!strvec_contains(&seen, name)) {
			strvec_push(&seen, name);
			/* the Python version is the synthetic version without its "v" */
			strvec_push_owned(out, xasprintf("%s==%s", name, q->deps[i].version + 1));
		}
		free(name);
	}
	rc = 0;
out:
	strvec_clear(&seen);
	return rc;
}

static int py_produce(struct job *j, const struct target_env *env, target_run_fn run, void *arg)
{
	const struct queue_job *q = &j->q;
	struct strvec reqs = STRVEC_INIT;
	char **params = xcalloc(q->n_plugins + 1, sizeof(*params));
	char *name = NULL, *summary = NULL;
	int rc = -1;
	(void)env;

	if (!(name = pywheel_name(q->template_owner, q->template_name, q->module_owner, q->module_name, j->error))) {
		job_fail(j, JOB_PERMANENT, j->error);
		goto out;
	}
	if (requirements(j, &reqs) < 0)
		goto out;
	for (size_t i = 0; i < q->n_plugins; i++)
		params[i] = xstrdup(q->plugins[i].parameter ? q->plugins[i].parameter : "");
	struct request_input in = {
		.image = q->image.data,
		.image_len = q->image.len,
		.own_files = &q->own_files,
		.protoc_version = q->protoc_version,
	};
	if (run(j, arg, &in, params) < 0)
		goto out;
	summary = xasprintf("%s/%s commit %d generated with template %s/%s v%d", q->module_owner, q->module_name,
			    q->sequence, q->template_owner, q->template_name, q->template_version);
	const struct pywheel_meta meta = {
		.name = name, .version = q->version + 1, .summary = summary, .requires_dist = &reqs
	};
	struct pywheel *w = xcalloc(1, sizeof(*w));
	j->pkg = w;
	if (pywheel_build(w, &meta, &j->files, j->error) < 0) {
		job_fail(j, JOB_PERMANENT, j->error);
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < q->n_plugins; i++)
		free(params[i]);
	free(params);
	free(name);
	free(summary);
	strvec_clear(&reqs);
	return rc;
}

static int py_admit(struct job *j, PGconn *db, char *err)
{
	return target_admit_package(j, db, "Python", pkg_of(j)->name, err);
}

static int py_upload(const struct job *j, struct store *s, char *err)
{
	return pywheel_upload(s, pkg_of(j), err);
}

static char *py_lock_key(const struct job *j)
{
	return xasprintf("python:%s", pkg_of(j)->name);
}

static void py_publication(const struct job *j, struct queue_publication *p)
{
	const struct pywheel *w = pkg_of(j);
	p->package = w->name;
	p->manifest = w->metadata.data;
	p->integrity = w->sha256;
	p->shasum = w->metadata_sha256;
	p->kind = "python";
	p->artifact = w->filename;
}

/* Orders rows by their synthetic version v1.K.N, numerically. */
static int cmp_rows(const void *a, const void *b)
{
	const struct queue_published *x = *(const struct queue_published *const *)a,
				     *y = *(const struct queue_published *const *)b;
	long long xk = 0, xn = 0, yk = 0, yn = 0;
	sscanf(x->version, "v1.%lld.%lld", &xk, &xn);
	sscanf(y->version, "v1.%lld.%lld", &yk, &yn);
	return xk != yk ? (xk < yk ? -1 : 1) : xn != yn ? (xn < yn ? -1 : 1) : 0;
}

/* The project page of rows[0..n) (one package's published rows), into out. */
static void render_project(const struct queue_published *const *rows, size_t n, struct buf *out)
{
	const struct queue_published **sorted = xcalloc(n + 1, sizeof(*sorted));
	struct pyindex_file *f = xcalloc(n + 1, sizeof(*f));
	memcpy(sorted, rows, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_rows);
	for (size_t i = 0; i < n; i++)
		f[i] = (struct pyindex_file){ .filename = sorted[i]->artifact,
					      .sha256 = sorted[i]->integrity,
					      .metadata_sha256 = sorted[i]->shasum,
					      .requires_python = PYWHEEL_REQUIRES_PYTHON,
					      .yanked = sorted[i]->yanked,
					      .yank_reason = sorted[i]->yank_reason };
	pyindex_project_page(rows[0]->package, f, n, out);
	free(f);
	free(sorted);
}

/* The root page from the database's Python packages, into out. 0 or -1 (err set). */
static int render_root(PGconn *db, struct buf *out, char *err)
{
	struct strvec names = STRVEC_INIT;
	int rc = queue_package_names(db, "python", &names, err);
	if (rc == 0)
		pyindex_root_page(&names, out);
	strvec_clear(&names);
	return rc;
}

/* Both pages of the package of (template, module), inside the caller's transaction. */
static int write_pages(PGconn *db, struct store *s, long long template_id, long long module_id, char *err)
{
	struct queue_rows rows = QUEUE_ROWS_INIT;
	struct buf page = BUF_INIT, root = BUF_INIT;
	int rc = queue_published_of(db, template_id, module_id, &rows, err);
	if (rc < 0 || !rows.n)
		goto out;
	const struct queue_published **rp = xcalloc(rows.n + 1, sizeof(*rp));
	for (size_t i = 0; i < rows.n; i++)
		rp[i] = &rows.v[i];
	render_project(rp, rows.n, &page);
	free(rp);
	if ((rc = pyindex_put(s, rows.v[0].package, &page, err)) < 0)
		goto out;
	/* The root page lists every project: one writer at a time, after the package's lock. */
	if ((rc = queue_lock(db, PY_ROOT_LOCK, err)) < 0 || (rc = render_root(db, &root, err)) < 0)
		goto out;
	rc = pyindex_put(s, NULL, &root, err);
out:
	queue_rows_release(&rows);
	buf_release(&page);
	buf_release(&root);
	return rc;
}

static int py_index(const struct job *j, PGconn *db, struct store *s, const struct target_env *env, char *err)
{
	(void)env;
	return write_pages(db, s, j->q.template_id, j->q.module_id, err);
}

static int py_reindex(const struct queue_published *p, PGconn *db, struct store *s, const struct target_env *env,
		      char *err)
{
	(void)env;
	return write_pages(db, s, p->template_id, p->module_id, err);
}

static void py_log_published(const struct job *j, struct logline *l)
{
	log_str(l, "package", pkg_of(j)->name);
	log_str(l, "wheel", pkg_of(j)->filename);
	log_str(l, "sha256", pkg_of(j)->sha256);
}

static void py_release(struct job *j)
{
	pywheel_release(j->pkg);
	free(j->pkg);
	j->pkg = NULL;
}

static int py_owns(const struct queue_published *p)
{
	return p->kind && !strcmp(p->kind, "python");
}

static void py_feed_line(const struct queue_published *p, const struct config *cfg, json_t *o)
{
	char ts[TIMEFMT_SIZE];
	(void)cfg;
	/* A Python package version: its name, version, wheel and the wheel's sha256. */
	jsonw_set_str(o, "Package", p->package);
	jsonw_set_str(o, "Version", p->version + 1);
	jsonw_set_str(o, "Timestamp", timefmt_rfc3339(p->published_us, 6, ts));
	jsonw_set_str(o, "Wheel", p->artifact ? p->artifact : "");
	jsonw_set_str(o, "Sha256", p->integrity ? p->integrity : "");
}

static char *py_row_key(const struct queue_published *p, const struct config *cfg)
{
	(void)cfg;
	return xasprintf("python:%s", p->package);
}

/* 1 when data is exactly text. */
static int same(const struct buf *data, const char *text)
{
	return data->len == strlen(text) && !memcmp(data->data, text, data->len);
}

/*
 * One wheel: it exists with the recorded sha256, its RECORD holds (every
 * entry's hash and size), its METADATA is the recorded one, and so is the
 * METADATA file beside it.
 */
static int py_verify_version(struct verify_ctx *v, const struct queue_published *p)
{
	struct buf data = BUF_INIT, inside = BUF_INIT, beside = BUF_INIT;
	char hex[SHA256_HEX_SIZE], why[ERR_SIZE];
	char *key = pywheel_key(p->package, p->artifact), *mkey = pywheel_metadata_key(p->package, p->artifact);
	verify_expect(v, key);
	verify_expect(v, mkey);
	int g = verify_fetch(v, key, &data);
	if (g == 0) {
		util_sha256_hex(data.data ? data.data : "", data.len, hex);
		if (strcmp(hex, p->integrity))
			verify_problem(v, "hash mismatch: %s: database sha256 %s, store %s", key, p->integrity, hex);
		if (pywheel_check(data.data ? data.data : "", data.len, &inside, why) < 0)
			verify_problem(v, "corrupt: %s: %s", key, why);
		else if (!same(&inside, p->manifest))
			verify_problem(v, "wrong content: %s: METADATA is not the one recorded", key);
	}
	int m = g < 0 ? g : verify_fetch(v, mkey, &beside);
	if (m == 0 && !same(&beside, p->manifest))
		verify_problem(v, "wrong content: %s: not the recorded METADATA", mkey);
	free(key);
	free(mkey);
	buf_release(&data);
	buf_release(&inside);
	buf_release(&beside);
	return g < 0 ? g : m < 0 ? m : 0;
}

/* One page against its rendering (and its '/'-ending twin where the store has one). */
static int verify_page(struct verify_ctx *v, const char *name, const struct buf *want)
{
	char *key = pyindex_key(name);
	struct buf got = BUF_INIT;
	int rc = 0;
	for (int twin = 0; twin < 2 && rc >= 0; twin++) {
		if (twin) {
			if (!store_has_directory_keys(v->store))
				break;
			key[strlen(key) - strlen("index.html")] = '\0';
		}
		verify_expect(v, key);
		buf_reset(&got);
		rc = verify_fetch(v, key, &got);
		if (rc == 0 && (got.len != want->len || memcmp(got.data, want->data, want->len)))
			verify_problem(v, "stale index: %s does not hold exactly what the database says", key);
	}
	free(key);
	buf_release(&got);
	return rc < 0 ? rc : 0;
}

/* The project page against the database, and the root page (once per audit: its first package). */
static int py_verify_index(struct verify_ctx *v, const struct queue_published *const *rows, size_t n)
{
	struct buf page = BUF_INIT, root = BUF_INIT;
	struct strvec names = STRVEC_INIT;
	render_project(rows, n, &page);
	int rc = verify_page(v, rows[0]->package, &page);
	if (rc == 0 && (rc = queue_package_names(v->db, "python", &names, v->err)) == 0 && names.n &&
	    !strcmp(names.v[0], rows[0]->package)) {
		pyindex_root_page(&names, &root);
		rc = verify_page(v, NULL, &root);
	}
	strvec_clear(&names);
	buf_release(&page);
	buf_release(&root);
	return rc;
}

const struct target target_python = {
	.name = "python",
	.claims = py_claims,
	.produce = py_produce,
	.admit = py_admit,
	.upload = py_upload,
	.lock_key = py_lock_key,
	.publication = py_publication,
	.index = py_index,
	.reindex = py_reindex,
	.log_published = py_log_published,
	.release = py_release,
	.owns = py_owns,
	.feed_line = py_feed_line,
	.row_key = py_row_key,
	.verify_version = py_verify_version,
	.verify_index = py_verify_index,
};
