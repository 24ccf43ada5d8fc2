/*
 * queue_read: the queue's reads (see queue.h): published generations for
 * index files, the feed and verify; feed positions; counts from partial
 * indexes; failures; listings, one generation and its attempts for
 * `generation list|show`.
 */
#include "queue.h"
#include "db.h"
#include "queue_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *queue_text_or_null(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static void rows_from(PGresult *r, struct queue_rows *out)
{
	out->res = r;
	out->n = (size_t)PQntuples(r);
	out->v = xcalloc(out->n + 1, sizeof(*out->v));
	for (size_t i = 0; i < out->n; i++) {
		int row = (int)i;
		out->v[i] = (struct queue_published){
			.id = db_ll(r, row, 0),
			.feed_seq = db_ll(r, row, 1),
			.template_id = db_ll(r, row, 2),
			.module_id = db_ll(r, row, 3),
			.tmpl_owner = PQgetvalue(r, row, 4),
			.tmpl_name = PQgetvalue(r, row, 5),
			.mod_owner = PQgetvalue(r, row, 6),
			.mod_name = PQgetvalue(r, row, 7),
			.version = PQgetvalue(r, row, 8),
			.commit_us = db_ll(r, row, 9),
			.published_us = db_ll(r, row, 10),
			.zip_hash = queue_text_or_null(r, row, 11),
			.mod_hash = queue_text_or_null(r, row, 12),
			.package = queue_text_or_null(r, row, 13),
			.manifest = queue_text_or_null(r, row, 14),
			.integrity = queue_text_or_null(r, row, 15),
			.shasum = queue_text_or_null(r, row, 16),
			.yanked = !strcmp(PQgetvalue(r, row, 17), "t"),
			.yank_reason = queue_text_or_null(r, row, 18),
			.deprecated = queue_text_or_null(r, row, 19),
			.marked_us = db_ll(r, row, 20),
			.kind = queue_text_or_null(r, row, 21),
			.artifact = queue_text_or_null(r, row, 22),
		};
	}
}

void queue_rows_release(struct queue_rows *r)
{
	free(r->v);
	PQclear(r->res);
	*r = (struct queue_rows)QUEUE_ROWS_INIT;
}

/* Published rows: sql is PUBLISHED_SELECT and its WHERE (a literal: no SQL is built at run time). */
static int published_rows(PGconn *c, const char *what, const char *sql, int n, const char *const *params,
			  struct queue_rows *out, char *err)
{
	PGresult *r = db_exec(c, what, sql, n, params, err);
	if (!r)
		return -1;
	rows_from(r, out);
	return 0;
}

int queue_published_of(PGconn *c, long long template_id, long long module_id, struct queue_rows *out, char *err)
{
	char t[32], m[32];
	snprintf(t, sizeof(t), "%lld", template_id);
	snprintf(m, sizeof(m), "%lld", module_id);
	const char *p[] = { t, m };
	return published_rows(c, "queue: list published versions of a module",
			      PUBLISHED_SELECT
			      "WHERE tv.template_id = $1 AND c.module_id = $2 AND g.state = 'published'",
			      2, p, out, err);
}

int queue_package_names(PGconn *c, const char *kind, struct strvec *out, char *err)
{
	const char *p[] = { kind };
	PGresult *r = db_exec(c, "queue: list package names",
			      "SELECT DISTINCT package FROM generations"
			      " WHERE package_kind = $1 AND state = 'published' ORDER BY package",
			      1, p, err);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		strvec_push(out, PQgetvalue(r, i, 0));
	PQclear(r);
	return 0;
}

int queue_published_all(PGconn *c, struct queue_rows *out, char *err)
{
	return published_rows(c, "queue: list published generations",
			      PUBLISHED_SELECT "WHERE g.state = 'published' ORDER BY g.finished_at, g.id", 0, NULL, out,
			      err);
}

int queue_feed_rows(PGconn *c, long long first, long long last, struct queue_rows *out, char *err)
{
	char a[32], b[32];
	snprintf(a, sizeof(a), "%lld", first);
	snprintf(b, sizeof(b), "%lld", last);
	const char *p[] = { a, b };
	return published_rows(c, "queue: read feed positions",
			      PUBLISHED_SELECT "WHERE g.feed_seq BETWEEN $1::bigint AND $2::bigint ORDER BY g.feed_seq",
			      2, p, out, err);
}

int queue_published_one(PGconn *c, long long id, struct queue_rows *out, char *err)
{
	char sid[32];
	snprintf(sid, sizeof(sid), "%lld", id);
	const char *p[] = { sid };
	return published_rows(c, "queue: read a published generation",
			      PUBLISHED_SELECT "WHERE g.id = $1 AND g.state = 'published'", 1, p, out, err);
}

int queue_marked_rows(PGconn *c, struct queue_rows *out, char *err)
{
	return published_rows(c, "queue: list marked versions",
			      PUBLISHED_SELECT "WHERE g.marked_at IS NOT NULL ORDER BY g.marked_at, g.id", 0, NULL, out,
			      err);
}

int queue_feed_top(PGconn *c, long long *top, int *unplaced, char *err)
{
	long long v[2];
	if (db_numbers(c, "queue: feed position",
		       "SELECT " SQL_TOP_POSITION ", EXISTS (SELECT 1 FROM generations WHERE " UNFED ")", 0, NULL, v, 2,
		       err) < 0)
		return -1;
	*top = v[0];
	if (unplaced)
		*unplaced = v[1] != 0;
	return 0;
}

void queue_failures_from(PGresult *r, struct queue_failure **v, size_t *n)
{
	*n = (size_t)PQntuples(r);
	*v = xcalloc(*n + 1, sizeof(**v));
	for (size_t i = 0; i < *n; i++) {
		int row = (int)i;
		(*v)[i] = (struct queue_failure){
			.id = db_ll(r, row, 0),
			.module = PQgetvalue(r, row, 1),
			.sequence = db_ll(r, row, 2),
			.template = PQgetvalue(r, row, 3),
			.version = PQgetvalue(r, row, 4),
			.attempts = db_ll(r, row, 5),
			.error = PQgetvalue(r, row, 6),
			.failed_us = db_ll(r, row, 7),
		};
	}
}

/*
 * Each count reads one partial index (the queue, the failures, the last hour),
 * never published history: published = the feed's highest position plus the
 * few not yet placed.
 */
int queue_counts(PGconn *c, struct queue_counts *n, char *err)
{
	long long v[10];
	if (db_numbers(
		    c, "queue: count generations",
		    "SELECT (SELECT count(*) FROM generations WHERE state = 'pending'),"
		    "  (SELECT count(*) FROM generations WHERE state = 'running'),"
		    "  " SQL_TOP_POSITION ","
		    "  (SELECT count(*) FROM generations WHERE " UNFED "),"
		    "  (SELECT count(*) FROM generations WHERE state = 'failed'),"
		    "  (SELECT greatest(0, extract(epoch FROM min(next_attempt_at) - now()) * 1000)::bigint"
		    "     FROM generations WHERE state = 'pending'),"
		    "  (SELECT extract(epoch FROM now() - min(created_at))::bigint FROM generations WHERE state = 'pending'),"
		    "  (SELECT count(*) FROM generations WHERE state = 'published'"
		    "     AND finished_at > now() - interval '1 hour'),"
		    "  (SELECT extract(epoch FROM max(finished_at))::bigint FROM generations WHERE state = 'published'),"
		    "  (SELECT count(*) FROM generations g JOIN template_versions tv ON tv.id = g.template_version_id"
		    "     JOIN templates t ON t.id = tv.template_id WHERE g.state = 'pending' AND t.disabled_at IS NOT NULL)",
		    0, NULL, v, 10, err) < 0)
		return -1;
	*n = (struct queue_counts){ .pending = v[0],
				    .running = v[1],
				    .published = v[2] + v[3],
				    .unfed = v[3],
				    .failed = v[4],
				    .next_ready_ms = v[5],
				    .oldest_pending_s = v[6],
				    .published_last_hour = v[7],
				    .last_published_epoch = v[8],
				    .pending_disabled = v[9] };
	return 0;
}

int queue_failures(PGconn *c, int limit, struct queue_failure **v, size_t *n, PGresult **res, char *err)
{
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", limit);
	const char *p[] = { limit > 0 ? lim : NULL }; /* LIMIT NULL: all */
	PGresult *r = db_exec(c, "queue: recent failures",
			      "SELECT " FAILURE_COLUMNS PUBLISHED_FROM
			      " WHERE g.state = 'failed' ORDER BY g.finished_at DESC LIMIT $1::int",
			      1, p, err);
	if (!r)
		return -1;
	queue_failures_from(r, v, n);
	*res = r;
	return 0;
}

static void generation_from(PGresult *r, int row, struct queue_generation *g)
{
	*g = (struct queue_generation){
		.id = db_ll(r, row, 0),
		.sequence = db_ll(r, row, 1),
		.attempts = db_ll(r, row, 2),
		.plugin_ms = db_ll(r, row, 3),
		.publish_ms = db_ll(r, row, 4),
		.created_us = db_ll(r, row, 5),
		.started_us = db_ll(r, row, 6),
		.finished_us = db_ll(r, row, 7),
		.next_attempt_us = db_ll(r, row, 8),
		.lease_until_us = db_ll(r, row, 9),
		.state = PQgetvalue(r, row, 10),
		.module = PQgetvalue(r, row, 11),
		.template = PQgetvalue(r, row, 12),
		.version = PQgetvalue(r, row, 13),
		.error = queue_text_or_null(r, row, 14),
		.lease_owner = queue_text_or_null(r, row, 15),
		.zip_hash = queue_text_or_null(r, row, 16),
		.mod_hash = queue_text_or_null(r, row, 17),
		.package = queue_text_or_null(r, row, 18),
		.integrity = queue_text_or_null(r, row, 19),
		.yanked_us = db_ll(r, row, 20),
		.yank_reason = queue_text_or_null(r, row, 21),
		.deprecated = queue_text_or_null(r, row, 22),
		.kind = queue_text_or_null(r, row, 23),
	};
}

int queue_list(PGconn *c, const struct queue_filter *f, struct queue_generation **v, size_t *n, PGresult **res,
	       char *err)
{
	char since[32], limit[16];
	snprintf(since, sizeof(since), "%lld", f->since_us);
	snprintf(limit, sizeof(limit), "%d", f->limit > 0 ? f->limit : 50);
	const char *p[] = { f->state ? f->state : "",
			    f->t_owner ? f->t_owner : "",
			    f->t_name ? f->t_name : "",
			    f->m_owner ? f->m_owner : "",
			    f->m_name ? f->m_name : "",
			    since,
			    limit };
	PGresult *r = db_exec(c, "queue: list generations",
			      "SELECT " GENERATION_COLUMNS PUBLISHED_FROM " WHERE ($1 = '' OR g.state = $1)"
			      "   AND ($2 = '' OR (lower(t.owner) = lower($2) AND lower(t.name) = lower($3)))"
			      "   AND ($4 = '' OR (lower(m.owner) = lower($4) AND lower(m.name) = lower($5)))"
			      "   AND ($6::bigint = 0 OR greatest(g.created_at, g.started_at, g.finished_at)"
			      "        >= to_timestamp($6::bigint / 1000000.0))"
			      " ORDER BY g.id DESC LIMIT $7::int",
			      7, p, err);
	if (!r)
		return -1;
	*n = (size_t)PQntuples(r);
	*v = xcalloc(*n + 1, sizeof(**v));
	for (size_t i = 0; i < *n; i++)
		generation_from(r, (int)i, &(*v)[i]);
	*res = r;
	return 0;
}

int queue_show(PGconn *c, long long id, struct queue_generation *g, PGresult **res, char *err)
{
	char sid[32];
	snprintf(sid, sizeof(sid), "%lld", id);
	const char *p[] = { sid };
	PGresult *r = db_exec(c, "queue: show generation",
			      "SELECT " GENERATION_COLUMNS PUBLISHED_FROM " WHERE g.id = $1", 1, p, err);
	if (!r)
		return -1;
	if (!PQntuples(r)) {
		PQclear(r);
		return 1;
	}
	generation_from(r, 0, g);
	*res = r;
	return 0;
}

int queue_attempts(PGconn *c, long long id, struct queue_attempt **v, size_t *n, PGresult **res, char *err)
{
	char sid[32];
	snprintf(sid, sizeof(sid), "%lld", id);
	const char *p[] = { sid };
	PGresult *r = db_exec(c, "queue: attempts of a generation",
			      "SELECT attempt, coalesce((extract(epoch FROM started_at) * 1000000)::bigint, 0),"
			      " (extract(epoch FROM finished_at) * 1000000)::bigint, outcome, lease_owner, error"
			      " FROM generation_attempts WHERE generation_id = $1 ORDER BY id",
			      1, p, err);
	if (!r)
		return -1;
	*n = (size_t)PQntuples(r);
	*v = xcalloc(*n + 1, sizeof(**v));
	for (size_t i = 0; i < *n; i++) {
		int row = (int)i;
		(*v)[i] = (struct queue_attempt){
			.attempt = db_ll(r, row, 0),
			.started_us = db_ll(r, row, 1),
			.finished_us = db_ll(r, row, 2),
			.outcome = PQgetvalue(r, row, 3),
			.lease_owner = queue_text_or_null(r, row, 4),
			.error = queue_text_or_null(r, row, 5),
		};
	}
	*res = r;
	return 0;
}

int queue_first_unknown(PGconn *c, const char *ids, long long *missing, char *err)
{
	const char *p[] = { ids };
	return db_numbers(c, "queue: unknown generations",
			  "SELECT coalesce((SELECT x FROM unnest($1::bigint[]) AS x"
			  "  WHERE NOT EXISTS (SELECT 1 FROM generations WHERE id = x) LIMIT 1), 0)",
			  1, p, missing, 1, err);
}

int queue_counts_by_template(PGconn *c, struct queue_template_counts **v, size_t *n, PGresult **res, char *err)
{
	PGresult *r = db_exec(c, "queue: counts by template",
			      "SELECT t.owner || '/' || t.name, coalesce(q.pending, 0), coalesce(q.running, 0),"
			      "  coalesce(q.failed, 0), coalesce(p.published, 0)"
			      " FROM templates t"
			      " LEFT JOIN (SELECT tv.template_id,"
			      "    count(*) FILTER (WHERE g.state = 'pending') AS pending,"
			      "    count(*) FILTER (WHERE g.state = 'running') AS running,"
			      "    count(*) FILTER (WHERE g.state = 'failed') AS failed"
			      "  FROM generations g JOIN template_versions tv ON tv.id = g.template_version_id"
			      "  WHERE g.state IN ('pending', 'running', 'failed') GROUP BY tv.template_id) q"
			      "  ON q.template_id = t.id"
			      " LEFT JOIN (SELECT tv.template_id, sum(gc.published)::bigint AS published"
			      "  FROM generation_counts gc JOIN template_versions tv ON tv.id = gc.template_version_id"
			      "  GROUP BY tv.template_id) p ON p.template_id = t.id"
			      " WHERE q.template_id IS NOT NULL OR p.published > 0"
			      " ORDER BY lower(t.owner), lower(t.name)",
			      0, NULL, err);
	if (!r)
		return -1;
	*n = (size_t)PQntuples(r);
	*v = xcalloc(*n + 1, sizeof(**v));
	for (size_t i = 0; i < *n; i++) {
		int row = (int)i;
		(*v)[i] = (struct queue_template_counts){ .template = PQgetvalue(r, row, 0),
							  .pending = db_ll(r, row, 1),
							  .running = db_ll(r, row, 2),
							  .failed = db_ll(r, row, 3),
							  .published = db_ll(r, row, 4) };
	}
	*res = r;
	return 0;
}
