/*
 * queue_sql: the SQL the queue's two files share (queue.c writes, queue_read.c
 * reads): column lists, conditions that must match the partial indexes of
 * sql/, and row readers. Included by pipeline/queue*.c only.
 */
#ifndef REMOTEGEN_QUEUE_SQL_H
#define REMOTEGEN_QUEUE_SQL_H

#include "queue.h"

/* "published and not yet in the feed": the condition of the partial index generations_unfed (sql/003) */
#define UNFED "state = 'published' AND feed_seq IS NULL"
/* Times as microseconds since the epoch: the commit's, and when a generation finished. */
#define COMMIT_US   "(extract(epoch FROM c.created_at) * 1000000)::bigint"
#define FINISHED_US "(extract(epoch FROM g.finished_at) * 1000000)::bigint"
/* The columns of a published generation, in the order rows_from reads them. */
#define PUBLISHED_COLUMNS                                                                                    \
	"g.id, coalesce(g.feed_seq, 0), t.id, m.id, t.owner, t.name, m.owner, m.name, g.version, " COMMIT_US \
	", " FINISHED_US ", g.zip_hash, g.mod_hash, g.package, "                                             \
	"g.manifest, g.integrity, g.shasum, g.yanked_at IS NOT NULL, g.yank_reason, g.deprecated, "          \
	"coalesce((extract(epoch FROM g.marked_at) * 1000000)::bigint, 0), g.package_kind, g.artifact"
#define PUBLISHED_FROM                                                                                  \
	" FROM generations g JOIN commits c ON c.id = g.commit_id JOIN modules m ON m.id = c.module_id" \
	" JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id"

/* A query of published rows, to be followed by its WHERE clause. */
#define PUBLISHED_SELECT "SELECT " PUBLISHED_COLUMNS PUBLISHED_FROM " "

/* The highest position: ORDER BY ... LIMIT 1 reads one index entry whatever the statistics say. */
#define SQL_TOP_POSITION \
	"coalesce((SELECT feed_seq FROM generations WHERE feed_seq IS NOT NULL ORDER BY feed_seq DESC LIMIT 1), 0)"

/* The columns of a failed generation, in the order failures_from reads them (g may be a CTE's rows). */
#define FAILURE_COLUMNS                                                                               \
	"g.id, m.owner || '/' || m.name, c.sequence, t.owner || '/' || t.name || ':v' || tv.number, " \
	"g.version, g.attempts, coalesce(g.last_error, ''), " FINISHED_US

/* The columns of one generation, in the order generation_from reads them; times in µs, 0 when NULL. */
#define GENERATION_COLUMNS                                                                                \
	"g.id, c.sequence, g.attempts, coalesce(g.plugin_ms, 0), coalesce(g.publish_ms, 0),"              \
	" coalesce((extract(epoch FROM g.created_at) * 1000000)::bigint, 0),"                             \
	" coalesce((extract(epoch FROM g.started_at) * 1000000)::bigint, 0),"                             \
	" coalesce((extract(epoch FROM g.finished_at) * 1000000)::bigint, 0),"                            \
	" CASE WHEN g.state = 'pending' THEN (extract(epoch FROM g.next_attempt_at) * 1000000)::bigint"   \
	"  ELSE 0 END,"                                                                                   \
	" coalesce((extract(epoch FROM g.lease_until) * 1000000)::bigint, 0),"                            \
	" g.state, m.owner || '/' || m.name, t.owner || '/' || t.name || ':v' || tv.number, g.version,"   \
	" g.last_error, g.lease_owner, g.zip_hash, g.mod_hash, g.package, g.integrity,"                   \
	" coalesce((extract(epoch FROM g.yanked_at) * 1000000)::bigint, 0), g.yank_reason, g.deprecated," \
	" g.package_kind"

/* A text cell, or NULL when SQL NULL. */
const char *queue_text_or_null(PGresult *r, int row, int col);
/* The rows of r (FAILURE_COLUMNS) into a malloc'ed *v; strings stay in r. */
void queue_failures_from(PGresult *r, struct queue_failure **v, size_t *n);

#endif
