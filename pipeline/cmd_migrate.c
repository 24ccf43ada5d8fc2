/*
 * cmd_migrate: `remotegen migrate`.
 */
#include "cli.h"
#include "db.h"
#include "migrate.h"

#include <getopt.h>
#include <stdio.h>

static const char usage[] = "usage: remotegen migrate [--database URL]\n"
			    "\n"
			    "Applies the schema migrations the database does not have yet, in one\n"
			    "transaction. Running it again changes nothing.\n"
			    "\n"
			    "  --database URL   PostgreSQL connection string (default: $REMOTEGEN_DATABASE_URL,\n"
			    "                   else libpq's PG* variables)\n";

int cmd_migrate(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = { { "database", required_argument, NULL, 'd' }, { 0 } };
	char err[ERR_SIZE];
	int ch, applied = 0;
	if (cli_wants_help(argc, argv))
		return fputs(usage, stdout), EXIT_OK;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'd')
			cfg->database = optarg;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind != argc)
		return cli_error(EXIT_USAGE, "migrate takes no arguments (got \"%s\")", argv[optind]);
	PGconn *c = cli_connect(cfg);
	if (!c)
		return EXIT_USAGE;
	int rc = migrate_run(c, &applied, err);
	db_close(c);
	if (rc < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	printf("%d migration%s applied\n", applied, applied == 1 ? "" : "s");
	return EXIT_OK;
}
