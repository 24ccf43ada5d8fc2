/*
 * cmd_status: `remotegen status [--json]`: queue depth by state, oldest
 * pending age, throughput, and recent failures with their errors.
 */
#include "cli.h"
#include "db.h"
#include "jsonw.h"
#include "migrate.h"
#include "num.h"
#include "outcache.h"
#include "queue.h"
#include "timefmt.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "usage: remotegen status [--json] [--failures N] [--database URL]\n"
			    "\n"
			    "Shows generations by state, the age of the oldest pending one, how many\n"
			    "were published in the last hour, output cache figures, the pending, running\n"
			    "and failed generations of each template that has any, and the most recent\n"
			    "failures (--failures N, default 10; 0 shows every one).\n";

int cmd_status(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "failures", required_argument, NULL, 'f' },
		{ "database", required_argument, NULL, 'd' },
		{ 0 },
	};
	int ch, json = 0, rc = EXIT_USAGE;
	long long limit = 10;
	char err[ERR_SIZE];
	PGresult *fails = NULL, *by_t = NULL;
	struct queue_template_counts *tc = NULL;
	size_t nt = 0;
	struct queue_counts counts;
	struct queue_failure *fv = NULL;
	size_t nf = 0;
	char when[TIMEFMT_SIZE];
	struct outcache_figures cache;
	struct buf out = BUF_INIT;

	if (cli_wants_help(argc, argv))
		return fputs(usage, stdout), EXIT_OK;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else if (ch == 'f') {
			if (num_parse("--failures", optarg, 0, 1000000, &limit, err) < 0)
				return cli_error(EXIT_USAGE, "%s", err);
		} else if (ch == 'd')
			cfg->database = optarg;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind != argc)
		return cli_error(EXIT_USAGE, "status takes no arguments (got \"%s\")", argv[optind]);
	PGconn *c = cli_connect(cfg);
	if (!c)
		return EXIT_USAGE;
	if (migrate_check(c, err) < 0)
		goto fail;
	if (queue_counts(c, &counts, err) < 0 || outcache_figures(c, &cache, err) < 0)
		goto fail;
	long long looked = cache.hits + cache.misses;
	double ratio = looked ? (double)cache.hits / (double)looked : 0.0;
	if (queue_failures(c, (int)limit, &fv, &nf, &fails, err) < 0 ||
	    queue_counts_by_template(c, &tc, &nt, &by_t, err) < 0)
		goto fail;
	static const char *states[] = { "pending", "running", "published", "failed" };
	const long long by_state[] = { counts.pending, counts.running, counts.published, counts.failed };
	if (json) {
		json_t *doc = json_object(), *gen = json_object(), *cj = json_object(), *fl = json_array();
		for (int i = 0; i < 4; i++)
			jsonw_set_int(gen, states[i], by_state[i]);
		jsonw_set(doc, "generations", gen);
		jsonw_set_int(doc, "oldest_pending_seconds", counts.oldest_pending_s);
		jsonw_set_int(doc, "published_last_hour", counts.published_last_hour);
		jsonw_set_int(cj, "entries", cache.entries);
		jsonw_set_int(cj, "bytes", cache.bytes);
		jsonw_set_int(cj, "hits", cache.hits);
		jsonw_set_int(cj, "misses", cache.misses);
		jsonw_set(cj, "hit_ratio", json_real(ratio));
		jsonw_set(doc, "cache", cj);
		for (size_t i = 0; i < nf; i++) {
			json_t *f = json_object();
			jsonw_set_int(f, "generation", fv[i].id);
			jsonw_set_str(f, "module", fv[i].module);
			jsonw_set_int(f, "commit", fv[i].sequence);
			jsonw_set_str(f, "template", fv[i].template);
			jsonw_set_str(f, "version", fv[i].version);
			jsonw_set_int(f, "attempts", fv[i].attempts);
			jsonw_set_str(f, "error", fv[i].error);
			jsonw_set_str(f, "failed_at", timefmt_rfc3339(fv[i].failed_us, 0, when));
			jsonw_append(fl, f);
		}
		jsonw_set(doc, "recent_failures", fl);
		json_t *ta = json_array();
		for (size_t i = 0; i < nt; i++) {
			json_t *o = json_object();
			jsonw_set_str(o, "template", tc[i].template);
			jsonw_set_int(o, "pending", tc[i].pending);
			jsonw_set_int(o, "running", tc[i].running);
			jsonw_set_int(o, "failed", tc[i].failed);
			jsonw_set_int(o, "published", tc[i].published);
			jsonw_append(ta, o);
		}
		jsonw_set(doc, "templates", ta);
		jsonw_write_line(doc, &out);
	} else {
		buf_adds(&out, "generations:");
		for (int i = 0; i < 4; i++)
			buf_printf(&out, " %s=%lld", states[i], by_state[i]);
		buf_printf(&out, "\noldest pending: %llds\npublished in the last hour: %lld\n", counts.oldest_pending_s,
			   counts.published_last_hour);
		buf_printf(&out,
			   "output cache: %lld entries, %.1f MiB, hit ratio %.1f%% (%lld files from the "
			   "cache, %lld generated)\n",
			   cache.entries, (double)cache.bytes / 1048576.0, 100.0 * ratio, cache.hits, cache.misses);
		if (nt)
			buf_adds(&out, "by template:\n");
		for (size_t i = 0; i < nt; i++)
			buf_printf(&out, "  %s  pending=%lld running=%lld failed=%lld published=%lld\n", tc[i].template,
				   tc[i].pending, tc[i].running, tc[i].failed, tc[i].published);
		if (nf) {
			buf_adds(&out, "recent failures:\n");
			char text[CLI_TEXT_SIZE];
			for (size_t i = 0; i < nf; i++)
				buf_printf(&out, "  #%lld %s commit %lld with %s (%s, %lld attempts, %s): %s\n",
					   fv[i].id, fv[i].module, fv[i].sequence, fv[i].template, fv[i].version,
					   fv[i].attempts, timefmt_rfc3339(fv[i].failed_us, 0, when),
					   cli_text(fv[i].error, text));
		}
	}
	fputs(out.data, stdout);
	rc = EXIT_OK;
	goto out;
fail:
	cli_error(EXIT_USAGE, "%s", err);
out:
	PQclear(fails);
	PQclear(by_t);
	free(fv);
	free(tc);
	db_close(c);
	buf_release(&out);
	return rc;
}
