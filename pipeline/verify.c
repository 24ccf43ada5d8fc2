/*
 * verify: store audit (see verify.h). Walks every published generation; its
 * target audits the version's objects and, once per package, its index
 * files; then the feed, and the objects nobody published.
 */
#include "verify.h"
#include "db.h"
#include "feed.h"
#include "queue.h"
#include "target.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void verify_problem(struct verify_ctx *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(v->report, fmt, ap);
	va_end(ap);
	fputc('\n', v->report);
	v->problems++;
}

void verify_expect(struct verify_ctx *v, const char *key)
{
	strvec_push(&v->expected, key);
}

int verify_fetch(struct verify_ctx *v, const char *key, struct buf *out)
{
	int rc = store_get(v->store, key, out, v->err);
	if (rc == 1)
		verify_problem(v, "missing: %s", key);
	return rc;
}

/* feed_render_all's callback: every feed object as the database says it should be. */
struct feed_check {
	struct verify_ctx *v;
	int failed;
};

static int check_feed_object(void *arg, const char *key, const struct buf *want, int immutable)
{
	struct feed_check *fc = arg;
	struct verify_ctx *v = fc->v;
	struct buf got = BUF_INIT;
	int before = v->problems;
	verify_expect(v, key);
	int g = verify_fetch(v, key, &got);
	if (g < 0)
		fc->failed = 1;
	else if (g == 0 && (got.len != want->len || (want->len && memcmp(got.data, want->data, want->len))))
		verify_problem(v, "stale index: %s does not hold exactly what the database says", key);
	if (!fc->failed && v->repair && v->problems > before &&
	    repair_feed_object(v->store, key, want, immutable, v->report, v->repair, v->err) < 0)
		fc->failed = 1;
	buf_release(&got);
	return fc->failed;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A published row and the key of its package's index. */
struct keyed_row {
	char *key;
	size_t at; /* position in publication order */
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed_row *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* Every published version, then each package's index files from its rows (no query per package). */
static int verify_published(struct verify_ctx *v)
{
	struct queue_rows rows = QUEUE_ROWS_INIT;
	struct keyed_row *kr = NULL;
	const struct queue_published **group = NULL;
	int rc = -1;
	if (queue_published_all(v->db, &rows, v->err) < 0)
		return -1;
	kr = xcalloc(rows.n + 1, sizeof(*kr));
	group = xcalloc(rows.n + 1, sizeof(*group));
	for (size_t i = 0; i < rows.n; i++) {
		const struct target *t = target_for_row(&rows.v[i]);
		kr[i] = (struct keyed_row){ .key = t->row_key(&rows.v[i], v->cfg), .at = i };
		int before = v->problems;
		if (t->verify_version(v, &rows.v[i]) < 0)
			goto out;
		if (v->repair && v->problems > before &&
		    repair_version(v->cfg, v->db, v->store, &rows.v[i], v->report, v->repair, v->err) < 0)
			goto out;
	}
	qsort(kr, rows.n, sizeof(*kr), cmp_keyed);
	for (size_t i = 0; i < rows.n;) {
		size_t n = 0;
		while (i + n < rows.n && !strcmp(kr[i + n].key, kr[i].key)) {
			group[n] = &rows.v[kr[i + n].at];
			n++;
		}
		int before = v->problems;
		if (target_for_row(group[0])->verify_index(v, group, n) < 0)
			goto out;
		if (v->repair && v->problems > before &&
		    repair_index(v->cfg, v->db, v->store, group[0], v->report, v->repair, v->err) < 0)
			goto out;
		i += n;
	}
	rc = 0;
out:
	for (size_t i = 0; i < rows.n; i++)
		free(kr[i].key);
	free(kr);
	free(group);
	queue_rows_release(&rows);
	return rc;
}

/* The feed's objects, and published versions that have no position yet. */
static int verify_feed(struct verify_ctx *v)
{
	struct feed_check fc = { .v = v };
	struct queue_counts counts;
	if (feed_render_all(v->db, v->cfg, check_feed_object, &fc, v->err) < 0 || fc.failed)
		return -1;
	if (queue_counts(v->db, &counts, v->err) < 0)
		return -1;
	if (counts.unfed > 0)
		verify_problem(v, "stale index: %lld published versions are not in the feed (%s)", counts.unfed,
			       FEED_INDEX_KEY);
	return 0;
}

/* Objects in the store that the database does not explain. */
static int verify_unknown(struct verify_ctx *v, long *objects)
{
	struct strvec present = STRVEC_INIT;
	if (store_list(v->store, &present, v->err) < 0)
		return -1;
	strvec_sort(&v->expected);
	*objects = (long)present.n;
	for (size_t i = 0; i < present.n; i++) {
		const char *k = present.v[i];
		const char *base = strrchr(k, '/') ? strrchr(k, '/') + 1 : k;
		if (base[0] == '.' && strstr(base, ".tmp."))
			continue; /* a file store's write in progress */
		if (!v->expected.n || !bsearch(&k, v->expected.v, v->expected.n, sizeof(*v->expected.v), cmp_strp))
			verify_problem(v, "unknown object: %s (the database has no published version for it)", k);
	}
	strvec_clear(&present);
	return 0;
}

int verify_store(PGconn *c, struct store *s, const struct config *cfg, FILE *report, struct repair_stats *repair,
		 int *problems, long *objects, char *err)
{
	struct verify_ctx v = { .db = c, .store = s, .cfg = cfg, .report = report, .err = err, .repair = repair };
	int rc = -1;
	*objects = 0;
	if (verify_published(&v) < 0 || verify_feed(&v) < 0 || verify_unknown(&v, objects) < 0)
		goto out;
	rc = 0;
out:
	*problems = v.problems;
	strvec_clear(&v.expected);
	return rc;
}
