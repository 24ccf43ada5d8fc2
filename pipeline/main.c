/*
 * main: `remotegen COMMAND ...`: dispatches to the cmd_<name>() of each
 * subcommand (pipeline/cmd_*.c) and prints the overall help.
 */
#include "cli.h"
#include "npmpkg.h"
#include "util.h"

#include <curl/curl.h>

#include <stdio.h>

#ifndef REMOTEGEN_VERSION
#define REMOTEGEN_VERSION "unknown"
#endif
#include <string.h>

static const char usage[] =
	"usage: remotegen COMMAND [ARGS]\n"
	"\n"
	"Remote code generation for a Protobuf schema registry: every new (module\n"
	"commit, template version) pair becomes a Go module version, published to a\n"
	"store that a static file server or CDN serves as a GOPROXY; templates of npm\n"
	"plugins (plugin add --npm-dep) publish npm packages there, a static npm registry,\n"
	"and templates of Python plugins (plugin add --python-dep) wheels and a static\n"
	"Python package index (PEP 503).\n"
	"\n"
	"commands:\n"
	"  migrate                                  apply the database schema\n"
	"  module push OWNER/NAME DIR|--image FILE  record a new commit of a module\n"
	"  plugin add OWNER/NAME VERSION ...        register a plugin version\n"
	"  template create OWNER/NAME --plugin ...  define a template\n"
	"  template version OWNER/NAME --plugin ... pin plugin versions as the next vN\n"
	"  run [--once]                             generate and publish\n"
	"  status [--json]                          queue depth and recent failures\n"
	"  verify [--repair] [--store URL]          audit the store against the database (and mend it)\n"
	"  retry [--generation ID] [--template T]   queue failed generations again\n"
	"  backfill --template T[:vN] [--module M]  generate older commits too\n"
	"  generation list [--state S] [--json]     generations, filtered; show ID: one, with its attempts\n"
	"  generation yank|deprecate|restore ID     take a published version out of the index, or mark it\n"
	"\n"
	"Run 'remotegen COMMAND --help' for a command's options; 'remotegen --version'\n"
	"prints the version.\n"
	"\n"
	"configuration (flags override the environment):\n"
	"  --database URL / REMOTEGEN_DATABASE_URL (or libpq's PGHOST, PGPORT, ...)\n"
	"  --store URL / REMOTEGEN_STORE           file:///path or s3://bucket/prefix\n"
	"                                           (default ./remotegen-store)\n"
	"  --go-prefix P / REMOTEGEN_GO_PREFIX     default " DEFAULT_GO_PREFIX "\n"
	"  --npm-scope S / REMOTEGEN_NPM_SCOPE     default " NPMPKG_DEFAULT_SCOPE "\n"
	"  --npm-url URL / REMOTEGEN_NPM_URL       public URL of the store's npm/ folder\n"
	"\n"
	"exit status: 0 success, 1 some generations failed, 2 usage, configuration\n"
	"or input error.\n";

static const struct {
	const char *name;
	int (*fn)(int, char **, struct config *);
} commands[] = {
	{ "migrate", cmd_migrate },	  { "module", cmd_module }, { "plugin", cmd_plugin },
	{ "template", cmd_template },	  { "run", cmd_run },	    { "status", cmd_status },
	{ "verify", cmd_verify },	  { "retry", cmd_retry },   { "backfill", cmd_backfill },
	{ "generation", cmd_generation },
};

int main(int argc, char **argv)
{
	struct config cfg;
	if (argc < 2)
		return fputs(usage, stderr), EXIT_USAGE;
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return fputs(usage, stdout), EXIT_OK;
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))
		return printf("remotegen %s\n", REMOTEGEN_VERSION), EXIT_OK;
	char err[ERR_SIZE];
	if (config_load(&cfg, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	cfg.version = REMOTEGEN_VERSION;
	curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread starts */
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1, &cfg);
	cli_error(EXIT_USAGE, "unknown command \"%s\"", argv[1]);
	fputs(usage, stderr);
	return EXIT_USAGE;
}
