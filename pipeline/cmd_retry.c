/*
 * cmd_retry: `remotegen retry`: puts failed generations back in the queue.
 */
#include "cli.h"
#include "db.h"
#include "migrate.h"
#include "names.h"

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
		case 'd':
			cfg->database = optarg;
			break;
		default:
			buf_release(&ids);
			return fputs(usage, stderr), EXIT_USAGE;
		}
	}
	buf_addc(&ids, '}');
	PGconn *c = cli_connect(cfg);
	if (!c)
		goto out;
	const char *p[] = { ids.data, t.owner, t.name, m.owner, m.name };
	PGresult *r = NULL;
	if (migrate_check(c, err) == 0)
		r = db_exec(c, "retry: reset failed generations",
			"WITH x AS (UPDATE generations g SET state = 'pending', attempts = 0, next_attempt_at = now(),"
			"  finished_at = NULL, lease_owner = NULL, lease_until = NULL"
			" FROM commits c, modules mo, template_versions tv, templates te"
			" WHERE g.state = 'failed' AND c.id = g.commit_id AND mo.id = c.module_id"
			"   AND tv.id = g.template_version_id AND te.id = tv.template_id"
			"   AND (cardinality($1::bigint[]) = 0 OR g.id = ANY($1::bigint[]))"
			"   AND ($2 = '' OR (lower(te.owner) = lower($2) AND lower(te.name) = lower($3)))"
			"   AND ($4 = '' OR (lower(mo.owner) = lower($4) AND lower(mo.name) = lower($5)))"
			" RETURNING 1) SELECT count(*) FROM x", 5, p, err);
	if (!r) {
		cli_error(EXIT_USAGE, "%s", err);
	} else {
		printf("%s generation%s queued again\n", PQgetvalue(r, 0, 0), (int)db_ll(r, 0, 0) == 1 ? "" : "s");
		PQclear(r);
		rc = EXIT_OK;
	}
out:
	db_close(c);
	buf_release(&ids);
	return rc;
}
