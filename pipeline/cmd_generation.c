/*
 * cmd_generation: `remotegen generation list|show`: what the queue holds,
 * filtered, and one generation with every attempt it took (the queue's
 * generation_attempts), as text or JSON.
 */
#include "cli.h"
#include "db.h"
#include "jsonw.h"
#include "migrate.h"
#include "names.h"
#include "num.h"
#include "queue.h"
#include "timefmt.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
	"usage: remotegen generation list [--state S] [--template OWNER/NAME] [--module OWNER/NAME]\n"
	"                                 [--since DURATION] [--limit N] [--json]\n"
	"       remotegen generation show ID [--json]\n"
	"       remotegen generation yank|deprecate|restore ID ...   (see its --help)\n"
	"\n"
	"list: generations, newest first (default 50): their state, module and commit,\n"
	"template version, synthetic version, attempts and last error. --state is\n"
	"pending, running, published or failed; --since 30m, 2h or 7d keeps those\n"
	"created, started or finished that recently.\n"
	"show: one generation: its inputs, versions, timing, lease, hashes or\n"
	"package, and every attempt with its outcome (published, retry, failed,\n"
	"handed_back, lease_expired, dependency) and error.\n"
	"\n"
	"  --json            one JSON document on stdout\n"
	"  --database URL    PostgreSQL connection string\n";

/* "" for none, else the timestamp (seconds). */
static const char *when(long long us, char buf[TIMEFMT_SIZE])
{
	return us ? timefmt_rfc3339(us, 0, buf) : "";
}

static void set_when(json_t *o, const char *key, long long us)
{
	char b[TIMEFMT_SIZE];
	if (us)
		jsonw_set_str(o, key, timefmt_rfc3339(us, 3, b));
	else
		jsonw_set(o, key, json_null());
}

static void set_opt(json_t *o, const char *key, const char *v)
{
	if (v)
		jsonw_set_str(o, key, v);
	else
		jsonw_set(o, key, json_null());
}

static json_t *generation_json(const struct queue_generation *g)
{
	json_t *o = json_object();
	jsonw_set_int(o, "id", g->id);
	jsonw_set_str(o, "state", g->state);
	jsonw_set_str(o, "module", g->module);
	jsonw_set_int(o, "commit", g->sequence);
	jsonw_set_str(o, "template", g->template);
	jsonw_set_str(o, "version", g->version);
	jsonw_set_int(o, "attempts", g->attempts);
	set_when(o, "created_at", g->created_us);
	set_when(o, "started_at", g->started_us);
	set_when(o, "finished_at", g->finished_us);
	set_when(o, "next_attempt_at", g->next_attempt_us);
	set_when(o, "lease_until", g->lease_until_us);
	set_opt(o, "lease_owner", g->lease_owner);
	set_opt(o, "error", g->error);
	set_opt(o, "zip_hash", g->zip_hash);
	set_opt(o, "mod_hash", g->mod_hash);
	/* npm_package and npm_integrity as before Python packages existed; python_* for those */
	int py = g->kind && !strcmp(g->kind, "python");
	set_opt(o, py ? "python_package" : "npm_package", g->package);
	set_opt(o, py ? "python_sha256" : "npm_integrity", g->integrity);
	set_when(o, "yanked_at", g->yanked_us);
	set_opt(o, "yank_reason", g->yank_reason);
	set_opt(o, "deprecated", g->deprecated);
	jsonw_set_int(o, "plugin_ms", g->plugin_ms);
	jsonw_set_int(o, "publish_ms", g->publish_ms);
	return o;
}

/* "30m", "2h", "7d", "45s": the time that long ago, in microseconds since the epoch. */
static int parse_since(const char *s, long long *since_us)
{
	long long ms;
	if (num_parse_duration_ms(s, 100LL * 365 * 86400000, &ms) < 0)
		return -1;
	*since_us = (long long)time(NULL) * 1000000 - ms * 1000;
	return 0;
}

static int list(PGconn *c, const struct queue_filter *f, int json, char *err)
{
	struct queue_generation *v = NULL;
	size_t n = 0;
	PGresult *r = NULL;
	char b[TIMEFMT_SIZE];
	if (queue_list(c, f, &v, &n, &r, err) < 0)
		return -1;
	if (json) {
		json_t *a = json_array();
		struct buf out = BUF_INIT;
		for (size_t i = 0; i < n; i++)
			jsonw_append(a, generation_json(&v[i]));
		json_t *doc = json_object();
		jsonw_set(doc, "generations", a);
		jsonw_write_line(doc, &out);
		fputs(out.data, stdout);
		buf_release(&out);
	} else {
		printf("%-8s %-10s %-28s %6s  %-32s %-12s %8s  %-20s %s\n", "ID", "STATE", "MODULE", "COMMIT",
		       "TEMPLATE", "VERSION", "ATTEMPTS", "CHANGED", "ERROR");
		char text[CLI_TEXT_SIZE];
		for (size_t i = 0; i < n; i++) {
			const struct queue_generation *g = &v[i];
			long long changed = g->finished_us  ? g->finished_us
					    : g->started_us ? g->started_us
							    : g->created_us;
			printf("%-8lld %-10s %-28s %6lld  %-32s %-12s %8lld  %-20s %.80s\n", g->id, g->state, g->module,
			       g->sequence, g->template, g->version, g->attempts, when(changed, b),
			       cli_text(g->error, text));
		}
	}
	free(v);
	PQclear(r);
	return 0;
}

static void print_show(const struct queue_generation *g, const struct queue_attempt *a, size_t n)
{
	char b[TIMEFMT_SIZE];
	printf("generation %lld\n", g->id);
	printf("  state         %s\n", g->state);
	printf("  module        %s commit %lld\n", g->module, g->sequence);
	printf("  template      %s\n", g->template);
	printf("  version       %s\n", g->version);
	if (g->package)
		printf("  %-13s %s (%s)\n", g->kind && !strcmp(g->kind, "python") ? "python package" : "npm package",
		       g->package, g->integrity ? g->integrity : "");
	if (g->zip_hash)
		printf("  go.sum        %s, go.mod %s\n", g->zip_hash, g->mod_hash ? g->mod_hash : "");
	char text[CLI_TEXT_SIZE];
	if (g->yanked_us)
		printf("  yanked        %s%s%s\n", when(g->yanked_us, b), g->yank_reason ? ": " : "",
		       cli_text(g->yank_reason, text));
	if (g->deprecated)
		printf("  deprecated    %s\n", cli_text(g->deprecated, text));
	printf("  attempts      %lld\n", g->attempts);
	printf("  created       %s\n", when(g->created_us, b));
	if (g->started_us)
		printf("  started       %s\n", when(g->started_us, b));
	if (g->finished_us)
		printf("  finished      %s (plugins %lld ms, publishing %lld ms)\n", when(g->finished_us, b),
		       g->plugin_ms, g->publish_ms);
	if (g->next_attempt_us)
		printf("  next attempt  %s\n", when(g->next_attempt_us, b));
	if (g->lease_owner && !strcmp(g->state, "running"))
		printf("  leased by     %s until %s\n", g->lease_owner, when(g->lease_until_us, b));
	else if (g->lease_owner)
		printf("  last run by   %s\n", g->lease_owner);
	if (g->error)
		printf("  last error    %s\n", cli_text(g->error, text));
	printf("attempts:%s\n", n ? "" : " none recorded");
	for (size_t i = 0; i < n; i++)
		printf("  #%lld %-13s %s%s%s%s%s\n", a[i].attempt, a[i].outcome, when(a[i].finished_us, b),
		       a[i].lease_owner ? " by " : "", a[i].lease_owner ? a[i].lease_owner : "", a[i].error ? ": " : "",
		       cli_text(a[i].error, text));
}

static int show(PGconn *c, long long id, int json, char *err)
{
	struct queue_generation g;
	struct queue_attempt *a = NULL;
	size_t n = 0;
	PGresult *r = NULL, *ra = NULL;
	int found = queue_show(c, id, &g, &r, err);
	if (found < 0)
		return -1;
	if (found == 1)
		return err_set(err, "generation %lld: no such generation", id);
	if (queue_attempts(c, id, &a, &n, &ra, err) < 0) {
		PQclear(r);
		return -1;
	}
	if (json) {
		json_t *doc = generation_json(&g), *arr = json_array();
		struct buf out = BUF_INIT;
		for (size_t i = 0; i < n; i++) {
			json_t *o = json_object();
			jsonw_set_int(o, "attempt", a[i].attempt);
			jsonw_set_str(o, "outcome", a[i].outcome);
			set_when(o, "started_at", a[i].started_us);
			set_when(o, "finished_at", a[i].finished_us);
			set_opt(o, "lease_owner", a[i].lease_owner);
			set_opt(o, "error", a[i].error);
			jsonw_append(arr, o);
		}
		jsonw_set(doc, "attempt_history", arr);
		jsonw_write_line(doc, &out);
		fputs(out.data, stdout);
		buf_release(&out);
	} else {
		print_show(&g, a, n);
	}
	free(a);
	PQclear(ra);
	PQclear(r);
	return 0;
}

int cmd_generation(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },    { "template", required_argument, NULL, 't' },
		{ "module", required_argument, NULL, 'm' },   { "since", required_argument, NULL, 'S' },
		{ "limit", required_argument, NULL, 'l' },    { "json", no_argument, NULL, 'j' },
		{ "database", required_argument, NULL, 'd' }, { 0 },
	};
	struct name_ref t = { "", "" }, m = { "", "" };
	struct queue_filter f = { .limit = 50 };
	char err[ERR_SIZE];
	int ch, json = 0, rc = EXIT_USAGE;
	long long v, id = 0;

	if (cli_wants_help(argc, argv))
		return fputs(usage, stdout), EXIT_OK;
	if (argc >= 2 && (!strcmp(argv[1], "yank") || !strcmp(argv[1], "deprecate") || !strcmp(argv[1], "restore")))
		return cmd_generation_mark(argc - 1, argv + 1, cfg);
	if (argc < 2 || (strcmp(argv[1], "list") && strcmp(argv[1], "show")))
		return fputs(usage, stderr), EXIT_USAGE;
	int is_list = !strcmp(argv[1], "list");
	argc--;
	argv++;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (strcmp(optarg, "pending") && strcmp(optarg, "running") && strcmp(optarg, "published") &&
			    strcmp(optarg, "failed"))
				return cli_error(EXIT_USAGE,
						 "--state %s: expected pending, running, published or failed", optarg);
			f.state = optarg;
			break;
		case 't':
			if (names_parse("template", optarg, &t, err) < 0)
				return cli_error(EXIT_USAGE, "%s", err);
			break;
		case 'm':
			if (names_parse("module", optarg, &m, err) < 0)
				return cli_error(EXIT_USAGE, "%s", err);
			break;
		case 'S':
			if (parse_since(optarg, &f.since_us) < 0)
				return cli_error(EXIT_USAGE, "--since %s: expected a duration like 45s, 30m, 2h or 7d",
						 optarg);
			break;
		case 'l':
			if (num_parse("--limit", optarg, 1, 100000, &v, err) < 0)
				return cli_error(EXIT_USAGE, "%s", err);
			f.limit = (int)v;
			break;
		case 'j': json = 1; break;
		case 'd': cfg->database = optarg; break;
		default: return fputs(usage, stderr), EXIT_USAGE;
		}
	}
	if (is_list ? optind != argc : optind != argc - 1)
		return fputs(usage, stderr), EXIT_USAGE;
	if (!is_list && num_parse("generation", argv[optind], 1, (1LL << 62), &id, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	f.t_owner = t.owner;
	f.t_name = t.name;
	f.m_owner = m.owner;
	f.m_name = m.name;
	PGconn *c = cli_connect(cfg);
	if (!c)
		return EXIT_USAGE;
	if (migrate_check(c, err) < 0 || (is_list ? list(c, &f, json, err) : show(c, id, json, err)) < 0)
		cli_error(EXIT_USAGE, "%s", err);
	else
		rc = EXIT_OK;
	db_close(c);
	return rc;
}
