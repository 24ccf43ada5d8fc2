/*
 * metrics: textfile rendering (see metrics.h).
 */
#include "metrics.h"
#include "db.h"
#include "fsutil.h"
#include "outcache.h"
#include "queue.h"

#include <stdio.h>
#include <stdlib.h>

static void head(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the exposition format quotes it. */
static void label(struct buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			buf_adds(b, "\\n");
		else
			buf_printf(b, "%c", *v);
	}
}

int metrics_write(PGconn *c, const char *path, const struct metrics_run *m, char *err)
{
	struct buf b = BUF_INIT;
	struct queue_counts n;
	struct outcache_figures cf;
	struct queue_template_counts *tc = NULL;
	size_t nt = 0;
	PGresult *res = NULL;
	const struct run_stats *st = m->st;
	int rc = -1;
	if (queue_counts(c, &n, err) < 0 || outcache_figures(c, &cf, err) < 0 ||
	    queue_counts_by_template(c, &tc, &nt, &res, err) < 0)
		goto out;

	head(&b, "remotegen_build_info", "gauge", "The remotegen build that wrote this file.");
	buf_adds(&b, "remotegen_build_info{version=\"");
	label(&b, m->version ? m->version : "unknown");
	buf_adds(&b, "\"} 1\n");
	head(&b, "remotegen_last_run_start_timestamp_seconds", "gauge", "When the last run started.");
	buf_printf(&b, "remotegen_last_run_start_timestamp_seconds %lld\n", m->started_s);
	head(&b, "remotegen_last_run_end_timestamp_seconds", "gauge",
	     "When the last run ended (a service: when it last wrote this file).");
	buf_printf(&b, "remotegen_last_run_end_timestamp_seconds %lld\n", m->ended_s);
	head(&b, "remotegen_last_run_duration_seconds", "gauge", "Wall-clock time of the last run (so far).");
	buf_printf(&b, "remotegen_last_run_duration_seconds %.3f\n", m->duration_s);
	head(&b, "remotegen_last_run_success", "gauge",
	     "1 when the last run failed nothing and the database and store worked, else 0.");
	buf_printf(&b, "remotegen_last_run_success %d\n", m->success ? 1 : 0);
	head(&b, "remotegen_last_run_generations", "gauge", "Generations the last run finished, by outcome.");
	static const char *outcomes[] = { "published", "failed", "retried", "store_refused" };
	const long long by_outcome[] = { st->published, st->failed, st->retried, st->store_errors };
	for (int i = 0; i < 4; i++)
		buf_printf(&b, "remotegen_last_run_generations{outcome=\"%s\"} %lld\n", outcomes[i], by_outcome[i]);
	head(&b, "remotegen_last_run_plugin_seconds", "gauge",
	     "Time the last run's published generations spent in plugins.");
	buf_printf(&b, "remotegen_last_run_plugin_seconds %.3f\n", (double)st->plugin_ms / 1000.0);
	head(&b, "remotegen_last_run_publish_seconds", "gauge",
	     "Time the last run's published generations spent uploading and indexing.");
	buf_printf(&b, "remotegen_last_run_publish_seconds %.3f\n", (double)st->publish_ms / 1000.0);
	head(&b, "remotegen_last_run_cache_files", "gauge",
	     "Files of per-file plugins the last run took from the output cache (hit) or sent to the plugin (miss).");
	buf_printf(&b, "remotegen_last_run_cache_files{result=\"hit\"} %lld\n", st->cache_hits);
	buf_printf(&b, "remotegen_last_run_cache_files{result=\"miss\"} %lld\n", st->cache_misses);

	head(&b, "remotegen_generations_published_total", "counter",
	     "Generations ever published, by template (from the database: every process, every run).");
	for (size_t i = 0; i < nt; i++) {
		buf_adds(&b, "remotegen_generations_published_total{template=\"");
		label(&b, tc[i].template);
		buf_printf(&b, "\"} %lld\n", tc[i].published);
	}
	head(&b, "remotegen_generations", "gauge", "Generations waiting, running or failed, by template and state.");
	for (size_t i = 0; i < nt; i++) {
		static const char *states[] = { "pending", "running", "failed" };
		const long long v[] = { tc[i].pending, tc[i].running, tc[i].failed };
		for (int k = 0; k < 3; k++) {
			buf_adds(&b, "remotegen_generations{template=\"");
			label(&b, tc[i].template);
			buf_printf(&b, "\",state=\"%s\"} %lld\n", states[k], v[k]);
		}
	}
	head(&b, "remotegen_queue_depth", "gauge", "Generations by state, all templates.");
	static const char *states[] = { "pending", "running", "published", "failed" };
	const long long by_state[] = { n.pending, n.running, n.published, n.failed };
	for (int i = 0; i < 4; i++)
		buf_printf(&b, "remotegen_queue_depth{state=\"%s\"} %lld\n", states[i], by_state[i]);
	head(&b, "remotegen_oldest_pending_seconds", "gauge", "Age of the oldest pending generation.");
	buf_printf(&b, "remotegen_oldest_pending_seconds %lld\n", n.oldest_pending_s);
	head(&b, "remotegen_last_success_timestamp_seconds", "gauge", "When a generation was last published.");
	buf_printf(&b, "remotegen_last_success_timestamp_seconds %lld\n", n.last_published_epoch);
	head(&b, "remotegen_cache_bytes", "gauge", "Size of the shared output cache.");
	buf_printf(&b, "remotegen_cache_bytes %lld\n", cf.bytes);
	head(&b, "remotegen_cache_entries", "gauge", "Entries of the shared output cache.");
	buf_printf(&b, "remotegen_cache_entries %lld\n", cf.entries);
	rc = fs_write_replace(path, b.data, b.len, err);
out:
	buf_release(&b);
	free(tc);
	PQclear(res);
	return rc;
}

int metrics_check(const char *path, char *err)
{
	char why[ERR_SIZE];
	if (fs_check_writable(path, why) < 0)
		return err_set(err, "metrics file %s: %s", path, why);
	return 0;
}
