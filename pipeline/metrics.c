/*
 * metrics: textfile rendering (see metrics.h).
 */
#include "metrics.h"
#include "db.h"
#include "fsutil.h"
#include "outcache.h"
#include "queue.h"

#include <stdio.h>

int metrics_write(PGconn *c, const char *path, const struct run_stats *st, char *err)
{
	struct buf b = BUF_INIT;
	struct queue_counts n;
	struct outcache_figures cf;
	if (queue_counts(c, &n, err) < 0 || outcache_figures(c, &cf, err) < 0)
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
	buf_adds(&b, "# HELP remotegen_cache_files_total Files of per-file plugins this process took from the "
		     "output cache (hit) or sent to the plugin (miss).\n"
		     "# TYPE remotegen_cache_files_total counter\n");
	buf_printf(&b, "remotegen_cache_files_total{result=\"hit\"} %lld\n", st->cache_hits);
	buf_printf(&b, "remotegen_cache_files_total{result=\"miss\"} %lld\n", st->cache_misses);
	buf_adds(&b, "# HELP remotegen_cache_bytes Size of the shared output cache.\n"
		     "# TYPE remotegen_cache_bytes gauge\n");
	buf_printf(&b, "remotegen_cache_bytes %lld\n", cf.bytes);
	buf_adds(&b, "# HELP remotegen_cache_entries Entries of the shared output cache.\n"
		     "# TYPE remotegen_cache_entries gauge\n");
	buf_printf(&b, "remotegen_cache_entries %lld\n", cf.entries);
	buf_adds(&b, "# HELP remotegen_queue_depth Generations by state, from the database.\n"
		     "# TYPE remotegen_queue_depth gauge\n");
	static const char *states[] = { "pending", "running", "published", "failed" };
	const long long by_state[] = { n.pending, n.running, n.published, n.failed };
	for (int i = 0; i < 4; i++)
		buf_printf(&b, "remotegen_queue_depth{state=\"%s\"} %lld\n", states[i], by_state[i]);
	buf_adds(&b, "# HELP remotegen_oldest_pending_seconds Age of the oldest pending generation.\n"
		     "# TYPE remotegen_oldest_pending_seconds gauge\n");
	buf_printf(&b, "remotegen_oldest_pending_seconds %lld\n", n.oldest_pending_s);
	buf_adds(&b, "# HELP remotegen_last_success_timestamp_seconds When a generation was last published.\n"
		     "# TYPE remotegen_last_success_timestamp_seconds gauge\n");
	buf_printf(&b, "remotegen_last_success_timestamp_seconds %lld\n", n.last_published_epoch);
	int rc = fs_write_replace(path, b.data, b.len, err);
	buf_release(&b);
	return rc;
}

int metrics_check(const char *path, char *err)
{
	char why[ERR_SIZE];
	if (fs_check_writable(path, why) < 0)
		return err_set(err, "metrics file %s: %s", path, why);
	return 0;
}
