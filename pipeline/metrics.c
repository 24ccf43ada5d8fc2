/*
 * metrics: textfile rendering (see metrics.h).
 */
#include "metrics.h"
#include "db.h"
#include "fsutil.h"

#include <stdio.h>

int metrics_write(PGconn *c, const char *path, const struct run_stats *st, char *err)
{
	struct buf b = BUF_INIT;
	PGresult *r = db_exec(c, "metrics: read queue",
		"SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'running'),"
		"  count(*) FILTER (WHERE state = 'published'), count(*) FILTER (WHERE state = 'failed'),"
		"  coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE state = 'pending')), 0),"
		"  coalesce(extract(epoch FROM max(finished_at) FILTER (WHERE state = 'published')), 0)"
		" FROM generations", 0, NULL, err);
	if (!r)
		return -1;
	buf_adds(&b, "# HELP remotegen_generations_total Generations this process finished, by outcome.\n"
		     "# TYPE remotegen_generations_total counter\n");
	buf_printf(&b, "remotegen_generations_total{outcome=\"published\"} %d\n", st->published);
	buf_printf(&b, "remotegen_generations_total{outcome=\"failed\"} %d\n", st->failed);
	buf_printf(&b, "remotegen_generations_total{outcome=\"retried\"} %d\n", st->retried);
	buf_printf(&b, "remotegen_generations_total{outcome=\"store_refused\"} %d\n", st->store_errors);
	buf_adds(&b, "# HELP remotegen_plugin_seconds_total Time published generations spent in plugins.\n"
		     "# TYPE remotegen_plugin_seconds_total counter\n");
	buf_printf(&b, "remotegen_plugin_seconds_total %.3f\n", (double)st->plugin_ms / 1000.0);
	buf_adds(&b, "# HELP remotegen_publish_seconds_total Time published generations spent uploading and indexing.\n"
		     "# TYPE remotegen_publish_seconds_total counter\n");
	buf_printf(&b, "remotegen_publish_seconds_total %.3f\n", (double)st->publish_ms / 1000.0);
	buf_adds(&b, "# HELP remotegen_queue_depth Generations by state, from the database.\n"
		     "# TYPE remotegen_queue_depth gauge\n");
	static const char *states[] = { "pending", "running", "published", "failed" };
	for (int i = 0; i < 4; i++)
		buf_printf(&b, "remotegen_queue_depth{state=\"%s\"} %s\n", states[i], PQgetvalue(r, 0, i));
	buf_adds(&b, "# HELP remotegen_oldest_pending_seconds Age of the oldest pending generation.\n"
		     "# TYPE remotegen_oldest_pending_seconds gauge\n");
	buf_printf(&b, "remotegen_oldest_pending_seconds %s\n", PQgetvalue(r, 0, 4));
	buf_adds(&b, "# HELP remotegen_last_success_timestamp_seconds When a generation was last published.\n"
		     "# TYPE remotegen_last_success_timestamp_seconds gauge\n");
	buf_printf(&b, "remotegen_last_success_timestamp_seconds %s\n", PQgetvalue(r, 0, 5));
	PQclear(r);
	int rc = fs_write_replace(path, b.data, b.len, err);
	buf_release(&b);
	return rc;
}
