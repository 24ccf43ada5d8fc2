/*
 * marks: see marks.h.
 */
#include "marks.h"
#include "db.h"
#include "feed.h"
#include "log.h"
#include "target.h"

#include <stdlib.h>
#include <string.h>

#define MARKS_LOCK "remotegen:marks"

void marks_result_release(struct marks_result *r)
{
	free(r->package);
	free(r->version);
	free(r->target);
	memset(r, 0, sizeof(*r));
}

/* 1 when some published version of p's package is not yanked (after the mark), 0 none, -1 error. */
static int any_visible(PGconn *db, const struct queue_published *p, char *err)
{
	struct queue_rows rows = QUEUE_ROWS_INIT;
	if (queue_published_of(db, p->template_id, p->module_id, &rows, err) < 0)
		return -1;
	int any = 0;
	for (size_t i = 0; i < rows.n; i++)
		any |= !rows.v[i].yanked;
	queue_rows_release(&rows);
	return any;
}

static void log_mark(enum queue_mark mark, const struct queue_published *p, const struct marks_result *r,
		     const char *text)
{
	static const char *events[] = { [QUEUE_YANK] = "version_yanked",
					[QUEUE_DEPRECATE] = "version_deprecated",
					[QUEUE_RESTORE] = "version_restored" };
	struct logline l;
	log_start(&l, "info", events[mark]);
	log_int(&l, "generation", p->id);
	log_str(&l, r->target, r->package);
	log_str(&l, "version", r->version);
	if (text)
		log_str(&l, mark == QUEUE_YANK ? "reason" : "message", text);
	log_end(&l);
}

int marks_apply(const struct config *cfg, PGconn *db, struct store *s, long long id, enum queue_mark mark,
		const char *text, struct marks_result *out, char *err)
{
	struct queue_rows rows = QUEUE_ROWS_INIT;
	struct target_env env = { .cfg = cfg };
	char *lock = NULL;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (db_begin(db, err) < 0)
		return -1;
	if (queue_published_one(db, id, &rows, err) < 0)
		goto out;
	if (!rows.n) {
		rc = 1;
		goto out;
	}
	const struct queue_published *p = &rows.v[0];
	const struct target *t = target_for_row(p);
	lock = t->row_key(p, cfg);
	/* The package's index lock first, as publications take it, then the marks file's. */
	if (queue_lock(db, lock, err) < 0 || queue_lock(db, MARKS_LOCK, err) < 0 ||
	    queue_set_mark(db, id, mark, text, err) < 0)
		goto out;
	int any = any_visible(db, p, err);
	if (any < 0)
		goto out;
	out->target = xstrdup(t->name);
	out->package = xstrdup(p->package ? p->package : lock);
	out->version = xstrdup(p->package ? p->version + 1 : p->version);
	if (!any) {
		err_set(err,
			"%s %s is the last version of %s that is not yanked: yanking it would leave the package "
			"without a version; deprecate it instead (remotegen generation deprecate %lld --message ...)",
			out->target, out->version, out->package, id);
		goto out;
	}
	if (t->reindex(p, db, s, &env, err) < 0 || feed_write_marks(db, s, cfg, err) < 0)
		goto out;
	if (db_commit(db, err) < 0)
		goto out;
	log_mark(mark, p, out, text);
	rc = 0;
out:
	if (rc != 0)
		db_rollback(db);
	if (rc < 0)
		marks_result_release(out);
	free(lock);
	queue_rows_release(&rows);
	return rc;
}
