/*
 * Unit tests: the target interface is enough for another ecosystem. A fake
 * third target ("wheel": a package that is the concatenation of the
 * generated files, indexed by a listing file) is driven through every
 * operation the stages, the feed and verify use, against a real file store,
 * without a line of the run loop knowing it; and the dispatch of the real
 * targets (npm for npm plugins, Go for the rest).
 */
#include "fsutil.h"
#include "job.h"
#include "target.h"
#include "verify.h"
#include "unit.h"

#include <stdlib.h>

struct wheel {
	char *name;
	struct buf bytes;
	char sha[SHA256_HEX_SIZE];
};

static struct wheel *wheel_of(const struct job *j)
{
	return j->pkg;
}

static int fake_claims(const struct queue_job *q)
{
	return q->n_plugins && !strncmp(q->plugins[0].label, "fake/", 5);
}

static int fake_produce(struct job *j, const struct target_env *env, target_run_fn run, void *arg)
{
	(void)env;
	char *params[] = { xstrdup("wheel=1"), NULL };
	struct request_input in = { .image = j->q.image.data, .image_len = j->q.image.len };
	int rc = run(j, arg, &in, params);
	free(params[0]);
	if (rc < 0)
		return -1;
	struct wheel *w = xcalloc(1, sizeof(*w));
	j->pkg = w;
	w->name = xasprintf("%s-%s", j->q.module_owner, j->q.module_name);
	for (size_t i = 0; i < j->files.n; i++)
		buf_add(&w->bytes, j->files.v[i].content.data, j->files.v[i].content.len);
	util_sha256_hex(w->bytes.data, w->bytes.len, w->sha);
	return 0;
}

static char *wheel_key(const char *name, const char *version)
{
	return xasprintf("wheels/%s-%s.whl", name, version + 1);
}

static int fake_upload(const struct job *j, struct store *s, char *err)
{
	char *key = wheel_key(wheel_of(j)->name, j->q.version);
	int rc = store_put_immutable(s, key, wheel_of(j)->bytes.data, wheel_of(j)->bytes.len, "application/zip", err);
	free(key);
	return rc < 0 ? rc : 0;
}

static char *fake_lock_key(const struct job *j)
{
	return xasprintf("wheel:%s", wheel_of(j)->name);
}

static void fake_publication(const struct job *j, struct queue_publication *p)
{
	p->package = wheel_of(j)->name;
	p->integrity = wheel_of(j)->sha;
}

static int fake_index(const struct job *j, PGconn *db, struct store *s, const struct target_env *env, char *err)
{
	(void)db;
	(void)env;
	char *key = xasprintf("wheels/%s/index", wheel_of(j)->name);
	char *body = xasprintf("%s\n", j->q.version + 1);
	int rc = store_put_mutable(s, key, body, strlen(body), "text/plain", err);
	free(key);
	free(body);
	return rc;
}

static void fake_log(const struct job *j, struct logline *l)
{
	log_str(l, "wheel", wheel_of(j)->name);
}

static void fake_release(struct job *j)
{
	free(wheel_of(j)->name);
	buf_release(&wheel_of(j)->bytes);
	free(j->pkg);
	j->pkg = NULL;
}

static int fake_owns(const struct queue_published *p)
{
	return p->package && !strncmp(p->package, "wheel:", 6);
}

static void fake_feed_line(const struct queue_published *p, const struct config *cfg, json_t *o)
{
	(void)cfg;
	jsonw_set_str(o, "Wheel", p->package);
	jsonw_set_str(o, "Version", p->version + 1);
}

static char *fake_row_key(const struct queue_published *p, const struct config *cfg)
{
	(void)cfg;
	return xasprintf("wheel:%s", p->package);
}

static int fake_verify_version(struct verify_ctx *v, const struct queue_published *p)
{
	struct buf got = BUF_INIT;
	char sha[SHA256_HEX_SIZE];
	char *key = wheel_key(p->package, p->version);
	verify_expect(v, key);
	int g = verify_fetch(v, key, &got);
	if (g == 0) {
		util_sha256_hex(got.data ? got.data : "", got.len, sha);
		if (strcmp(sha, p->integrity))
			verify_problem(v, "hash mismatch: %s", key);
	}
	free(key);
	buf_release(&got);
	return g < 0 ? g : 0;
}

static int fake_verify_index(struct verify_ctx *v, const struct queue_published *const *rows, size_t n)
{
	(void)n;
	char *key = xasprintf("wheels/%s/index", rows[0]->package);
	verify_expect(v, key);
	free(key);
	return 0;
}

static const struct target target_fake = {
	.name = "wheel",
	.claims = fake_claims,
	.produce = fake_produce,
	.upload = fake_upload,
	.lock_key = fake_lock_key,
	.publication = fake_publication,
	.index = fake_index,
	.log_published = fake_log,
	.release = fake_release,
	.owns = fake_owns,
	.feed_line = fake_feed_line,
	.row_key = fake_row_key,
	.verify_version = fake_verify_version,
	.verify_index = fake_verify_index,
};

/* What the worker stage hands a target: here two generated files instead of plugin runs. */
static int fake_run(struct job *j, void *arg, const struct request_input *in, char **params)
{
	int *calls = arg;
	(*calls)++;
	if (!in || strcmp(params[0], "wheel=1"))
		return job_fail(j, JOB_PERMANENT, "bad parameters"), -1;
	fileset_add(&j->files, "acme/weather/v1/weather_pb2.py", "A = 1\n", 6);
	fileset_add(&j->files, "acme/weather/v1/weather_pb2.pyi", "A: int\n", 7);
	return 0;
}

static int fake_run_fails(struct job *j, void *arg, const struct request_input *in, char **params)
{
	(void)arg;
	(void)in;
	(void)params;
	job_fail(j, JOB_PERMANENT, "plugin fake/wheel:v1: the plugin said no");
	return -1;
}

static struct queue_job fake_row(const char *plugin_label, const char *npm_dep)
{
	struct queue_job q = { 0 };
	q.id = 7;
	q.version = xstrdup("v1.2.3");
	q.module_owner = xstrdup("acme");
	q.module_name = xstrdup("weather");
	q.template_owner = xstrdup("t");
	q.template_name = xstrdup("n");
	q.n_plugins = 1;
	q.plugins = xcalloc(2, sizeof(*q.plugins));
	q.plugins[0].label = xstrdup(plugin_label);
	if (npm_dep)
		strvec_push(&q.plugins[0].npm_deps, npm_dep);
	return q;
}

int main(void)
{
	char err[ERR_SIZE];
	char *dir = fs_mkdtemp(NULL, "remotegen-target", err);
	char *url = xasprintf("file://%s", dir);
	struct store *s = NULL;
	struct config cfg = { .go_prefix = "gen.example.com/go" };
	struct target_env env = { .cfg = &cfg };
	CHECK(store_open(url, NULL, &s, err) == 0);

	/* dispatch of the real targets */
	struct queue_job qn = fake_row("bufbuild/es:v2", "@bufbuild/protobuf@^2"),
			 qg = fake_row("protocolbuffers/go:v1", NULL);
	CHECK(target_for_job(&qn) == &target_npm);
	CHECK(target_for_job(&qg) == &target_go);
	struct queue_job qp = fake_row("protocolbuffers/python:v21", NULL);
	strvec_push(&qp.plugins[0].python_deps, "protobuf>=3.21");
	CHECK(target_for_job(&qp) == &target_python);
	queue_job_release(&qp);
	struct queue_published pn = { .package = "@remotegen/x", .version = "v1.1.1", .kind = "npm" },
			       pp = { .package = "x-y-t-n", .version = "v1.1.1", .kind = "python" },
			       pg = { .zip_hash = "h1:x" };
	CHECK(target_for_row(&pn) == &target_npm);
	CHECK(target_for_row(&pp) == &target_python);
	CHECK(target_for_row(&pg) == &target_go);
	queue_job_release(&qn);
	queue_job_release(&qg);

	/* the fake target through every operation, as the stages call them */
	struct queue_job q = fake_row("fake/wheel:v1", NULL);
	CHECK(target_fake.claims(&q));
	struct job *j = job_new(&q, &target_fake);
	CHECK(q.version == NULL); /* taken over by the job */
	int calls = 0;
	CHECK(j->target->produce(j, &env, fake_run, &calls) == 0);
	CHECK(calls == 1 && j->files.n == 2 && j->pkg != NULL);
	CHECK(j->target->upload(j, s, err) == 0);
	CHECK(j->target->upload(j, s, err) == 0); /* a retry with the same bytes */
	char *lock = j->target->lock_key(j);
	CHECK_STR(lock, "wheel:acme-weather");
	free(lock);
	struct queue_publication pub = { 0 };
	j->target->publication(j, &pub);
	CHECK_STR(pub.package, "acme-weather");
	CHECK(pub.zip_hash == NULL && strlen(pub.integrity) == SHA256_HEX_SIZE - 1);
	CHECK(j->target->index(j, NULL, s, &env, err) == 0);
	struct buf got = BUF_INIT;
	CHECK(store_get(s, "wheels/acme-weather-1.2.3.whl", &got, err) == 0);
	CHECK_STR(got.data, "A = 1\nA: int\n");
	buf_reset(&got);
	CHECK(store_get(s, "wheels/acme-weather/index", &got, err) == 0);
	CHECK_STR(got.data, "1.2.3\n");
	j->outcome = JOB_PUBLISHED;
	CHECK(!job_failed(j));

	/* what the feed and verify do with its published rows */
	struct queue_published row = { .package = "acme-weather", .version = "v1.2.3", .integrity = wheel_of(j)->sha };
	json_t *line = json_object();
	target_fake.feed_line(&row, &cfg, line);
	buf_reset(&got);
	jsonw_write_line(line, &got);
	CHECK_STR(got.data, "{\"Wheel\":\"acme-weather\",\"Version\":\"1.2.3\"}\n");
	FILE *report = tmpfile();
	struct verify_ctx v = { .store = s, .cfg = &cfg, .report = report, .err = err };
	CHECK(target_fake.verify_version(&v, &row) == 0 && v.problems == 0);
	row.integrity = "0000";
	CHECK(target_fake.verify_version(&v, &row) == 0 && v.problems == 1);
	const struct queue_published *group[] = { &row };
	CHECK(target_fake.verify_index(&v, group, 1) == 0 && v.expected.n == 3);
	fclose(report);
	strvec_clear(&v.expected);
	job_free(j);

	/* a failing produce leaves the job failed with its reason, and nothing built */
	q = fake_row("fake/wheel:v1", NULL);
	j = job_new(&q, &target_fake);
	CHECK(j->target->produce(j, &env, fake_run_fails, NULL) < 0);
	CHECK(j->outcome == JOB_PERMANENT && j->pkg == NULL);
	CHECK_STR(j->error, "plugin fake/wheel:v1: the plugin said no");
	CHECK(job_outcome_of_store(STORE_CONFLICT) == JOB_PERMANENT);
	CHECK(job_outcome_of_store(STORE_FATAL) == JOB_STORE_REFUSED);
	CHECK(job_outcome_of_plugin(PLUGIN_INTERRUPTED) == JOB_INTERRUPTED);
	job_fail(j, JOB_TRANSIENT, "plugin crashed");
	CHECK(job_failed(j));
	CHECK_STR(job_outcome_name(j->outcome), "transient");
	job_free(j);

	buf_release(&got);
	store_free(s);
	fs_remove_tree(dir, NULL);
	free(dir);
	free(url);
	return unit_done("target");
}
