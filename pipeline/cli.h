/*
 * cli: what every subcommand shares: configuration (flags, then environment,
 * then defaults), exit codes, error printing and the database connection.
 * Each subcommand is a thin cmd_<name>() in cmd_<name>.c over library code.
 */
#ifndef REMOTEGEN_CLI_H
#define REMOTEGEN_CLI_H

#include <libpq-fe.h>
#include "config.h"
#include "registry.h"
#include "store.h"

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1, /* some generations failed */
	EXIT_USAGE = 2,	 /* usage, configuration or input error */
};

/* Checks npm_scope and npm_url (http:// or https://); 0 or -1 (err set). */
int cli_check_npm(const struct config *cfg, char *err);

/* Prints "remotegen: error: <msg>" to stderr and returns code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Text from the database that came from outside (errors with plugin stderr,
 * reasons) as a terminal may print it: text_clean into buf; "" for NULL.
 */
#define CLI_TEXT_SIZE 4096
const char *cli_text(const char *s, char buf[CLI_TEXT_SIZE]);

/* Connects to the configured database; prints the error and returns NULL on failure. */
PGconn *cli_connect(const struct config *cfg);

/*
 * For commands that work on the store against the registry (verify, the
 * marks): connects, checks the schema and the registry's Go prefix, opens the
 * store. Returns 0 with *c and *s set (the caller closes both), or -1 with
 * the error printed and nothing left open.
 */
int cli_open_store(const struct config *cfg, PGconn **c, struct store **s);

/*
 * A listing subcommand (`plugin list`, `template show T`, ...): argv[0] is the
 * subcommand; parses --json, --database and, when kind is not NULL, one
 * OWNER/NAME of that kind ("module" or "template", which must exist); runs fn
 * and prints its rows as a table, or as {"<key>": [...]} with --json.
 * Returns the exit code.
 */
int cli_listing(int argc, char **argv, struct config *cfg, const char *usage, registry_listing_fn fn, const char *kind,
		const char *key);

/* 1 when argv holds -h or --help (before any "--"). */
int cli_wants_help(int argc, char **argv);

int cmd_migrate(int argc, char **argv, struct config *cfg);
int cmd_module(int argc, char **argv, struct config *cfg);
int cmd_plugin(int argc, char **argv, struct config *cfg);
int cmd_template(int argc, char **argv, struct config *cfg);
int cmd_run(int argc, char **argv, struct config *cfg);
int cmd_status(int argc, char **argv, struct config *cfg);
int cmd_verify(int argc, char **argv, struct config *cfg);
int cmd_retry(int argc, char **argv, struct config *cfg);
int cmd_backfill(int argc, char **argv, struct config *cfg);
int cmd_generation(int argc, char **argv, struct config *cfg);
/* `generation yank|deprecate|restore` (cmd_marks.c); argv[0] is the verb. */
int cmd_generation_mark(int argc, char **argv, struct config *cfg);

#endif
