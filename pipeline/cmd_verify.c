/*
 * cmd_verify: `remotegen verify`: audits the store against the database.
 */
#include "cli.h"
#include "db.h"
#include "migrate.h"
#include "modpath.h"
#include "store.h"
#include "verify.h"

#include <getopt.h>
#include <stdio.h>

static const char usage[] = "usage: remotegen verify [--store URL] [--go-prefix PREFIX] [--npm-url URL]\n"
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
			    "Exits 0 when the store is consistent, 1 otherwise.\n";

int cmd_verify(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "go-prefix", required_argument, NULL, 'g' },
		{ "npm-url", required_argument, NULL, 'U' },
		{ "database", required_argument, NULL, 'd' },
		{ 0 },
	};
	char err[ERR_SIZE];
	struct store *s = NULL;
	int ch, problems = 0, rc = EXIT_USAGE;
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
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind != argc)
		return cli_error(EXIT_USAGE, "verify takes no arguments (got \"%s\")", argv[optind]);
	if (modpath_check_prefix(cfg->go_prefix, err) < 0 || cli_check_npm(cfg, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	PGconn *c = cli_connect(cfg);
	if (!c)
		return EXIT_USAGE;
	if (migrate_check(c, err) < 0 || store_open(cfg->store, &cfg->store_cfg, &s, err) < 0) {
		cli_error(EXIT_USAGE, "%s", err);
		goto out;
	}
	if (verify_store(c, s, cfg, stdout, &problems, &objects, err) < 0) {
		cli_error(EXIT_FAILED, "verify %s: %s", s->url, err);
		rc = EXIT_FAILED;
		goto out;
	}
	printf("verify %s: %ld objects, %d problem%s\n", s->url, objects, problems, problems == 1 ? "" : "s");
	rc = problems ? EXIT_FAILED : EXIT_OK;
out:
	store_free(s);
	db_close(c);
	return rc;
}
