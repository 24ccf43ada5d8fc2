/*
 * cmd_retry: `remotegen retry`: puts failed generations back in the queue.
 */
#include "cli.h"
#include "db.h"
#include "migrate.h"
#include "names.h"
#include "queue.h"
#include "registry.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: remotegen retry [--generation ID]... [--template OWNER/NAME] [--module OWNER/NAME]\n"
	"                       [--database URL]\n"
	"\n"
	"Puts failed generations back in the queue with their attempts reset (all of\n"
	"them, or those matching the filters), and prints how many. The next run\n"
	"generates them again.\n";

/* 1 when template t exists and is disabled (its generations are not queued again). */
static int template_disabled(PGconn *c, const struct name_ref *t)
{
	long long tv_id;
	long number;
	char *label = NULL, err[ERR_SIZE];
	int disabled = 0;
	if (registry_find_template_version(c, t, 0, &tv_id, &number, &label, &disabled, err) != 0)
		disabled = 0;
	free(label);
	return disabled;
}

int cmd_retry(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "generation", required_argument, NULL, 'g' },
		{ "template", required_argument, NULL, 't' },
		{ "module", required_argument, NULL, 'm' },
		{ "database", required_argument, NULL, 'd' },
		{ 0 },
	};
	struct buf ids = BUF_INIT;
	struct name_ref t = { "", "" }, m = { "", "" };
	char err[ERR_SIZE];
	int ch, rc = EXIT_USAGE;

	if (cli_wants_help(argc, argv))
		return fputs(usage, stdout), EXIT_OK;
	optind = 0;
	buf_addc(&ids, '{');
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		switch (ch) {
		case 'g':
			if (strtoll(optarg, &end, 10) <= 0 || *end) {
				buf_release(&ids);
				return cli_error(EXIT_USAGE, "--generation %s: expected a generation id", optarg);
			}
			buf_printf(&ids, "%s%s", ids.len > 1 ? "," : "", optarg);
			break;
		case 't':
			if (names_parse("template", optarg, &t, err) < 0)
				return buf_release(&ids), cli_error(EXIT_USAGE, "%s", err);
			break;
		case 'm':
			if (names_parse("module", optarg, &m, err) < 0)
				return buf_release(&ids), cli_error(EXIT_USAGE, "%s", err);
			break;
		case 'd': cfg->database = optarg; break;
		default: buf_release(&ids); return fputs(usage, stderr), EXIT_USAGE;
		}
	}
	buf_addc(&ids, '}');
	PGconn *c = cli_connect(cfg);
	if (!c)
		goto out;
	long long queued = 0, unknown = 0;
	int has_t = 1, has_m = 1;
	if (migrate_check(c, err) < 0 || (t.owner[0] && (has_t = registry_has(c, "template", &t, err)) < 0) ||
	    (m.owner[0] && (has_m = registry_has(c, "module", &m, err)) < 0) ||
	    queue_first_unknown(c, ids.data, &unknown, err) < 0) {
		cli_error(EXIT_USAGE, "%s", err);
	} else if (!has_t) {
		cli_error(EXIT_USAGE, "template %s/%s: no such template", t.owner, t.name);
	} else if (t.owner[0] && template_disabled(c, &t)) {
		cli_error(EXIT_USAGE, "template %s/%s is disabled: enable it first (remotegen template enable %s/%s)",
			  t.owner, t.name, t.owner, t.name);
	} else if (!has_m) {
		cli_error(EXIT_USAGE, "module %s/%s: no such module", m.owner, m.name);
	} else if (unknown) {
		cli_error(EXIT_USAGE, "generation %lld: no such generation", unknown);
	} else if (queue_retry(c, ids.data, t.owner, t.name, m.owner, m.name, &queued, err) < 0) {
		cli_error(EXIT_USAGE, "%s", err);
	} else {
		printf("%lld generation%s queued again\n", queued, queued == 1 ? "" : "s");
		rc = EXIT_OK;
	}
out:
	db_close(c);
	buf_release(&ids);
	return rc;
}
