/*
 * cmd_verify: `remotegen verify [--repair]`: audits the store against the
 * database, and with --repair mends what it can (repair.h), then audits again.
 */
#include "cli.h"
#include "db.h"
#include "modpath.h"
#include "store.h"
#include "verify.h"

#include <getopt.h>
#include <stdio.h>

static const char usage[] = "usage: remotegen verify [--repair] [--store URL] [--go-prefix PREFIX] [--npm-url URL]\n"
			    "                        [--database URL]\n"
			    "\n"
			    "Reads the store and the database and reports every difference, one per\n"
			    "line: a published version whose .zip, .mod or .info is missing or whose\n"
			    "h1: hash differs from the one recorded, a zip the go command would refuse,\n"
			    "an @v/list or @latest that does not match the database, an npm tarball\n"
			    "that is missing or differs from its recorded dist hashes and package.json,\n"
			    "a packument that is not exactly what the database gives (tarball links\n"
			    "under --npm-url, default $REMOTEGEN_NPM_URL), a feed that does not list\n"
			    "every published version, and objects the database does not know.\n"
			    "Exits 0 when the store is consistent, 1 otherwise.\n"
			    "\n"
			    "--repair: for a published version with missing files (a lost or mistyped\n"
			    "store), generates it again with the same plugins and inputs and writes its\n"
			    "files only when their hashes equal the ones recorded at publication (it\n"
			    "refuses otherwise, and never replaces an object that exists with other\n"
			    "bytes); rewrites stale index files and feed objects from the database;\n"
			    "reports, never deletes, objects nobody published. Then audits again: the\n"
			    "exit status is that audit's.\n";

int cmd_verify(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' },   { "go-prefix", required_argument, NULL, 'g' },
		{ "npm-url", required_argument, NULL, 'U' }, { "database", required_argument, NULL, 'd' },
		{ "repair", no_argument, NULL, 'r' },	     { 0 },
	};
	char err[ERR_SIZE];
	struct store *s = NULL;
	int ch, problems = 0, rc = EXIT_USAGE, repair = 0;
	struct repair_stats rst = { 0 };
	long objects = 0;

	if (cli_wants_help(argc, argv))
		return fputs(usage, stdout), EXIT_OK;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 's')
			cfg->store = optarg;
		else if (ch == 'g')
			cfg->go_prefix = optarg;
		else if (ch == 'U')
			cfg->npm_url = optarg;
		else if (ch == 'd')
			cfg->database = optarg;
		else if (ch == 'r')
			repair = 1;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind != argc)
		return cli_error(EXIT_USAGE, "verify takes no arguments (got \"%s\")", argv[optind]);
	if (modpath_check_prefix(cfg->go_prefix, err) < 0 || cli_check_npm(cfg, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	PGconn *c;
	if (cli_open_store(cfg, &c, &s) < 0)
		return EXIT_USAGE;
	if (verify_store(c, s, cfg, stdout, repair ? &rst : NULL, &problems, &objects, err) < 0) {
		cli_error(EXIT_FAILED, "verify %s: %s", s->url, err);
		rc = EXIT_FAILED;
		goto out;
	}
	printf("verify %s: %ld objects, %d problem%s\n", s->url, objects, problems, problems == 1 ? "" : "s");
	if (repair) {
		printf("repair: %d version%s written again, %d refused; index files of %d package%s and %d feed "
		       "object%s rewritten\n",
		       rst.versions_written, rst.versions_written == 1 ? "" : "s", rst.versions_refused,
		       rst.indexes_written, rst.indexes_written == 1 ? "" : "s", rst.feed_written,
		       rst.feed_written == 1 ? "" : "s");
		if (verify_store(c, s, cfg, stdout, NULL, &problems, &objects, err) < 0) {
			rc = cli_error(EXIT_FAILED, "verify %s after the repair: %s", s->url, err);
			goto out;
		}
		printf("verify %s after the repair: %ld objects, %d problem%s\n", s->url, objects, problems,
		       problems == 1 ? "" : "s");
	}
	rc = problems ? EXIT_FAILED : EXIT_OK;
out:
	store_free(s);
	db_close(c);
	return rc;
}
