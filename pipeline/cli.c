/*
 * cli: configuration loading, error printing and connecting for subcommands.
 */
#include "cli.h"
#include "npmpkg.h"
#include "db.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;
	struct buf b = BUF_INIT;
	va_start(ap, fmt);
	buf_adds(&b, "remotegen: error: ");
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	buf_addc(&b, '\n');
	fputs(b.data, stderr);
	buf_release(&b);
	return code;
}

PGconn *cli_connect(const struct config *cfg)
{
	char err[ERR_SIZE];
	PGconn *c = db_connect(cfg->database, err);
	if (!c)
		cli_error(EXIT_USAGE, "%s", err);
	return c;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

int cli_check_npm(const struct config *cfg, char *err)
{
	if (npmpkg_check_scope(cfg->npm_scope, err) < 0)
		return -1;
	if (cfg->npm_url && strncmp(cfg->npm_url, "http://", 7) && strncmp(cfg->npm_url, "https://", 8))
		return err_set(err,
			       "npm URL \"%s\": expected the public http:// or https:// URL of the "
			       "store's npm/ folder",
			       cfg->npm_url);
	return 0;
}
