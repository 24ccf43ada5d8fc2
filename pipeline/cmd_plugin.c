/*
 * cmd_plugin: `remotegen plugin add`.
 */
#include "cli.h"
#include "db.h"
#include "gomod.h"
#include "migrate.h"
#include "names.h"
#include "registry.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"usage: remotegen plugin add OWNER/NAME VERSION (--exec PATH | --image REF)\n"
	"                            [--runtime exec|bwrap|oci] [--go-dep MODULE@VERSION]...\n"
	"                            [--go-min-version X.Y]\n"
	"\n"
	"Registers a version of a protoc plugin. Plugin versions never change.\n"
	"A plugin with --go-dep or --go-min-version generates Go code: it is sent\n"
	"paths=source_relative, and its Go runtime libraries are required by go.mod.\n"
	"\n"
	"  --exec PATH            the plugin executable (runtimes exec and bwrap)\n"
	"  --image REF            a container image (runtime oci)\n"
	"  --runtime R            exec (default with --exec), bwrap, oci (default with --image)\n"
	"  --go-dep MOD@VER       a Go module the generated code imports, e.g.\n"
	"                         google.golang.org/protobuf@v1.28.1 (repeatable)\n"
	"  --go-min-version X.Y   the lowest Go version the generated code needs\n"
	"  --database URL         PostgreSQL connection string\n";

int cmd_plugin(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "exec", required_argument, NULL, 'e' },
		{ "image", required_argument, NULL, 'i' },
		{ "runtime", required_argument, NULL, 'r' },
		{ "go-dep", required_argument, NULL, 'g' },
		{ "go-min-version", required_argument, NULL, 'm' },
		{ "database", required_argument, NULL, 'd' },
		{ 0 },
	};
	struct registry_plugin_version pv = { 0 };
	struct strvec go_deps = STRVEC_INIT;
	char err[ERR_SIZE], abs[PATH_MAX];
	int ch, rc = EXIT_USAGE;
	PGconn *c = NULL;

	if (cli_wants_help(argc, argv))
		return fputs(usage, stdout), EXIT_OK;
	if (argc < 2 || strcmp(argv[1], "add"))
		return fputs(usage, stderr), EXIT_USAGE;
	argc--;
	argv++;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'e': pv.exec_path = optarg; break;
		case 'i': pv.image_ref = optarg; break;
		case 'r': pv.runtime = optarg; break;
		case 'm': pv.go_min_version = optarg; break;
		case 'd': cfg->database = optarg; break;
		case 'g': {
			const char *at = strrchr(optarg, '@');
			if (!at || at == optarg || at[1] != 'v' || strchr(optarg, ' ')) {
				strvec_clear(&go_deps);
				return cli_error(EXIT_USAGE, "--go-dep %s: expected MODULE@VERSION, e.g. "
						 "google.golang.org/protobuf@v1.28.1", optarg);
			}
			strvec_push(&go_deps, optarg);
			break;
		}
		default:
			strvec_clear(&go_deps);
			return fputs(usage, stderr), EXIT_USAGE;
		}
	}
	pv.go_deps = &go_deps;
	if (argc - optind != 2) {
		fputs(usage, stderr);
		goto out;
	}
	if (names_parse("plugin", argv[optind], &pv.plugin, err) < 0 ||
	    names_check_version(argv[optind + 1], err) < 0) {
		cli_error(EXIT_USAGE, "%s", err);
		goto out;
	}
	pv.version = argv[optind + 1];
	if (!!pv.exec_path == !!pv.image_ref) {
		cli_error(EXIT_USAGE, "plugin %s/%s: give exactly one of --exec PATH or --image REF",
			  pv.plugin.owner, pv.plugin.name);
		goto out;
	}
	if (!pv.runtime)
		pv.runtime = pv.exec_path ? "exec" : "oci";
	if (strcmp(pv.runtime, "exec") && strcmp(pv.runtime, "bwrap") && strcmp(pv.runtime, "oci")) {
		cli_error(EXIT_USAGE, "plugin %s/%s: unknown runtime %s (exec, bwrap or oci)",
			  pv.plugin.owner, pv.plugin.name, pv.runtime);
		goto out;
	}
	if ((!strcmp(pv.runtime, "oci")) != !!pv.image_ref) {
		cli_error(EXIT_USAGE, "plugin %s/%s: runtime %s needs %s", pv.plugin.owner, pv.plugin.name,
			  pv.runtime, pv.image_ref ? "--exec PATH" : "--image REF");
		goto out;
	}
	if (pv.exec_path) {
		struct stat st;
		if (!realpath(pv.exec_path, abs) || stat(abs, &st) < 0 || !S_ISREG(st.st_mode) ||
		    access(abs, X_OK) < 0) {
			cli_error(EXIT_USAGE, "plugin %s/%s: %s is not an executable file", pv.plugin.owner,
				  pv.plugin.name, pv.exec_path);
			goto out;
		}
		pv.exec_path = abs;
	}
	if (pv.go_min_version && gomod_check_go_version(pv.go_min_version, err) < 0) {
		cli_error(EXIT_USAGE, "plugin %s/%s: %s", pv.plugin.owner, pv.plugin.name, err);
		goto out;
	}
	if (!(c = cli_connect(cfg)))
		goto out;
	if (migrate_check(c, err) < 0 || registry_plugin_add(c, &pv, err) < 0) {
		cli_error(EXIT_USAGE, "%s", err);
		goto out;
	}
	printf("plugin %s/%s %s added (runtime %s)\n", pv.plugin.owner, pv.plugin.name, pv.version, pv.runtime);
	rc = EXIT_OK;
out:
	db_close(c);
	strvec_clear(&go_deps);
	return rc;
}
