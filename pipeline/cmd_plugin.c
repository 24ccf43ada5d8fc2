/*
 * cmd_plugin: `remotegen plugin add`.
 */
#include "cli.h"
#include "db.h"
#include "gomod.h"
#include "migrate.h"
#include "names.h"
#include "num.h"
#include "npmpkg.h"
#include "registry.h"

#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"usage: remotegen plugin list [--json]\n"
	"       remotegen plugin move OWNER/NAME VERSION (--exec PATH | --image REF)\n"
	"       remotegen plugin add OWNER/NAME VERSION (--exec PATH | --image REF)\n"
	"                            [--runtime exec|bwrap|oci] [--go-dep MODULE@VERSION]...\n"
	"                            [--go-min-version X.Y] [--timeout T] [--memory SIZE]\n"
	"                            [--max-output SIZE] [--per-file]\n"
	"                            [--npm-dep NAME@RANGE]... [--npm-module esm|commonjs]\n"
	"                            [--python-dep REQUIREMENT]... [--ro-path DIR]...\n"
	"\n"
	"add: registers a version of a protoc plugin. A plugin version never changes\n"
	"(move points it at its binary or image where that moved; list shows them all).\n"
	"A plugin with --go-dep or --go-min-version generates Go code: it is sent\n"
	"paths=source_relative, and its Go runtime libraries are required by go.mod.\n"
	"A plugin with --npm-dep generates JavaScript/TypeScript: templates of such\n"
	"plugins publish npm packages (see remotegen run --help); one with --python-dep\n"
	"generates Python: templates of such plugins publish wheels to a Python index.\n"
	"\n"
	"  --exec PATH            the plugin executable (runtimes exec and bwrap)\n"
	"  --image REF            a container image (runtime oci)\n"
	"  --runtime R            bwrap (default with --exec: a sandbox without network, with a\n"
	"                         read-only view of /usr and the plugin), exec (no sandbox),\n"
	"                         oci (default with --image: podman run --network=none --read-only)\n"
	"  --go-dep MOD@VER       a Go module the generated code imports, e.g.\n"
	"                         google.golang.org/protobuf@v1.28.1 (repeatable)\n"
	"  --go-min-version X.Y   the lowest Go version the generated code needs\n"
	"  --timeout T            wall-clock limit of one run: 90s, 500ms, 2m (default 2m)\n"
	"  --memory SIZE          memory limit: 512M, 2G (default 2G)\n"
	"  --max-output SIZE      largest response accepted (default 256M)\n"
	"  On any limit the plugin's whole process tree is killed and the generation fails.\n"
	"  --per-file             the output for each file depends only on that file and its\n"
	"                         imports, and its names start with the file's (a/b.proto ->\n"
	"                         a/b.pb.go, a/b_grpc.pb.go): outputs are cached per file and\n"
	"                         only changed files are sent to the plugin (protoc-gen-go,\n"
	"                         protoc-gen-go-grpc and protoc-gen-c qualify)\n"
	"  --npm-dep NAME@RANGE   an npm package the generated code imports, e.g.\n"
	"                         @bufbuild/protobuf@^2.17.0: a peerDependency of every\n"
	"                         generated package (repeatable)\n"
	"  --npm-module F         what the plugin writes: esm (default; ES modules as\n"
	"                         protoc-gen-es writes, which is told rewrite_imports) or\n"
	"                         commonjs (require(), as protoc-gen-js and protoc-gen-grpc-web\n"
	"                         write; remotegen rewrites requires of other modules' files\n"
	"                         to their packages). A template version holds one of them.\n"
	"  --python-dep REQ       a Python requirement of the generated code, e.g.\n"
	"                         protobuf>=3.21: Requires-Dist of every wheel (repeatable)\n"
	"  --ro-path DIR          bound read-only into the bwrap sandbox as well, e.g. the\n"
	"                         Node.js and node_modules a JavaScript plugin runs from\n"
	"                         (repeatable)\n"
	"  --database URL         PostgreSQL connection string\n";

/* The absolute path of path into abs (PATH_MAX) when it is an executable regular file; 0 or -1. */
static int absolute_executable(const char *path, char *abs)
{
	struct stat st;
	if (!realpath(path, abs) || stat(abs, &st) < 0 || !S_ISREG(st.st_mode) || access(abs, X_OK) < 0)
		return -1;
	return 0;
}

/* A size for --memory and --max-output (lib/num's sizes, up to 10^15 bytes). */
static int parse_bytes(const char *s, unsigned long long *out)
{
	long long v;
	if (num_parse_size("size", s, 1000000000000000LL, &v, NULL) < 0)
		return -1;
	*out = (unsigned long long)v;
	return 0;
}

/*
 * What no registry could take: both or neither of --exec and --image, an
 * unknown runtime or one that does not fit, an executable that is not one
 * (made absolute in abs), Go and npm at once, --ro-path outside bwrap, a bad
 * Go version. Prints the error; returns 0 or -1.
 */
static int check_version(struct registry_plugin_version *pv, char *abs)
{
	char err[ERR_SIZE];
	if (!!pv->exec_path == !!pv->image_ref) {
		cli_error(EXIT_USAGE, "plugin %s/%s: give exactly one of --exec PATH or --image REF", pv->plugin.owner,
			  pv->plugin.name);
		return -1;
	}
	if (!pv->runtime)
		pv->runtime = pv->exec_path ? "bwrap" : "oci";
	if (strcmp(pv->runtime, "exec") && strcmp(pv->runtime, "bwrap") && strcmp(pv->runtime, "oci")) {
		cli_error(EXIT_USAGE, "plugin %s/%s: unknown runtime %s (exec, bwrap or oci)", pv->plugin.owner,
			  pv->plugin.name, pv->runtime);
		return -1;
	}
	if ((!strcmp(pv->runtime, "oci")) != !!pv->image_ref) {
		cli_error(EXIT_USAGE, "plugin %s/%s: runtime %s needs %s", pv->plugin.owner, pv->plugin.name,
			  pv->runtime, pv->image_ref ? "--exec PATH" : "--image REF");
		return -1;
	}
	if (pv->exec_path) {
		if (absolute_executable(pv->exec_path, abs) < 0) {
			cli_error(EXIT_USAGE, "plugin %s/%s: %s is not an executable file", pv->plugin.owner,
				  pv->plugin.name, pv->exec_path);
			return -1;
		}
		pv->exec_path = abs;
	}
	if (pv->npm_deps->n && (pv->go_deps->n || pv->go_min_version)) {
		cli_error(EXIT_USAGE,
			  "plugin %s/%s: a plugin generates Go (--go-dep, --go-min-version) or "
			  "npm packages (--npm-dep), not both",
			  pv->plugin.owner, pv->plugin.name);
		return -1;
	}
	if (pv->python_deps->n && (pv->npm_deps->n || pv->go_deps->n || pv->go_min_version)) {
		cli_error(EXIT_USAGE,
			  "plugin %s/%s: a plugin generates Go (--go-dep, --go-min-version), npm packages "
			  "(--npm-dep) or Python (--python-dep), one of them",
			  pv->plugin.owner, pv->plugin.name);
		return -1;
	}
	if (pv->npm_module && !pv->npm_deps->n) {
		cli_error(EXIT_USAGE,
			  "plugin %s/%s: --npm-module is for plugins that generate npm packages (--npm-dep)",
			  pv->plugin.owner, pv->plugin.name);
		return -1;
	}
	if (pv->npm_deps->n && !pv->npm_module)
		pv->npm_module = "esm";
	if (pv->ro_paths->n && strcmp(pv->runtime, "bwrap")) {
		cli_error(EXIT_USAGE, "plugin %s/%s: --ro-path is for runtime bwrap (runtime %s sees %s)",
			  pv->plugin.owner, pv->plugin.name, pv->runtime,
			  strcmp(pv->runtime, "exec") ? "only its image" : "the whole file system");
		return -1;
	}
	if (pv->go_min_version && gomod_check_go_version(pv->go_min_version, err) < 0) {
		cli_error(EXIT_USAGE, "plugin %s/%s: %s", pv->plugin.owner, pv->plugin.name, err);
		return -1;
	}
	return 0;
}

/*
 * A --python-dep: a PEP 508 requirement without markers or URLs: a project
 * name, then an optional version specifier of printable ASCII (no ';', '@',
 * quotes). Prints the error; returns 0 or -1.
 */
static int check_python_dep(const char *arg)
{
	size_t n = 0;
	while (isalnum((unsigned char)arg[n]) || (n && arg[n] && strchr("._-", arg[n])))
		n++;
	int ok = n > 0 && isalnum((unsigned char)arg[n - 1]);
	for (const char *p = arg + n; ok && *p; p++)
		ok = *p > 0x20 && *p < 0x7f && !strchr(";@\"'\\", *p);
	if (!ok)
		return cli_error(EXIT_USAGE,
				 "--python-dep %s: expected a requirement like protobuf>=3.21 (a name, then an "
				 "optional version specifier)",
				 arg),
		       -1;
	return 0;
}

/* --npm-dep, --ro-path and --go-dep: checks arg and adds it to its list. Prints the error; returns 0 or -1. */
static int list_option(int ch, const char *arg, struct strvec *go_deps, struct strvec *npm_deps,
		       struct strvec *ro_paths)
{
	char err[ERR_SIZE], abs[PATH_MAX];
	switch (ch) {
	case 'n': {
		char *n, *range;
		if (npmpkg_parse_dep(arg, &n, &range, err) < 0 || strchr(arg, '\n')) {
			cli_error(EXIT_USAGE, "--npm-dep %s: %s", arg, err);
			return -1;
		}
		free(n);
		free(range);
		strvec_push(npm_deps, arg);
		return 0;
	}
	case 'R': {
		struct stat st;
		if (!realpath(arg, abs) || stat(abs, &st) < 0 || strchr(abs, '\n')) {
			cli_error(EXIT_USAGE, "--ro-path %s: no such file or directory", arg);
			return -1;
		}
		strvec_push(ro_paths, abs);
		return 0;
	}
	case 'g': {
		const char *at = strrchr(arg, '@');
		if (!at || at == arg || at[1] != 'v' || strchr(arg, ' ')) {
			cli_error(EXIT_USAGE,
				  "--go-dep %s: expected MODULE@VERSION, e.g. "
				  "google.golang.org/protobuf@v1.28.1",
				  arg);
			return -1;
		}
		strvec_push(go_deps, arg);
		return 0;
	}
	}
	return 0;
}

/*
 * `plugin move`: the version's binary or image moved; its identity, and so
 * its outputs, stay. Recorded by the registry.
 */
static int move(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "exec", required_argument, NULL, 'e' },
		{ "image", required_argument, NULL, 'i' },
		{ "database", required_argument, NULL, 'd' },
		{ 0 },
	};
	const char *exec_path = NULL, *image_ref = NULL;
	char err[ERR_SIZE], abs[PATH_MAX], *old = NULL;
	struct name_ref plugin;
	int ch, rc = EXIT_USAGE;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'e': exec_path = optarg; break;
		case 'i': image_ref = optarg; break;
		case 'd': cfg->database = optarg; break;
		default: return fputs(usage, stderr), EXIT_USAGE;
		}
	}
	if (argc - optind != 2 || !exec_path == !image_ref)
		return fputs(usage, stderr), EXIT_USAGE;
	if (names_parse("plugin", argv[optind], &plugin, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	const char *version = argv[optind + 1];
	if (exec_path) {
		if (absolute_executable(exec_path, abs) < 0)
			return cli_error(EXIT_USAGE, "plugin %s/%s %s: %s is not an executable file", plugin.owner,
					 plugin.name, version, exec_path);
		exec_path = abs;
	}
	PGconn *c = cli_connect(cfg);
	if (!c)
		return EXIT_USAGE;
	int found = migrate_check(c, err) < 0
			    ? -1
			    : registry_plugin_move(c, &plugin, version, exec_path, image_ref, &old, err);
	if (found < 0)
		cli_error(EXIT_USAGE, "%s", err);
	else if (found == 1)
		cli_error(EXIT_USAGE, "plugin %s/%s %s: no such plugin version", plugin.owner, plugin.name, version);
	else {
		printf("plugin %s/%s %s: %s -> %s\n", plugin.owner, plugin.name, version, old,
		       exec_path ? exec_path : image_ref);
		rc = EXIT_OK;
	}
	free(old);
	db_close(c);
	return rc;
}

int cmd_plugin(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "exec", required_argument, NULL, 'e' },
		{ "image", required_argument, NULL, 'i' },
		{ "runtime", required_argument, NULL, 'r' },
		{ "go-dep", required_argument, NULL, 'g' },
		{ "go-min-version", required_argument, NULL, 'm' },
		{ "database", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "memory", required_argument, NULL, 'M' },
		{ "max-output", required_argument, NULL, 'O' },
		{ "per-file", no_argument, NULL, 'P' },
		{ "npm-dep", required_argument, NULL, 'n' },
		{ "ro-path", required_argument, NULL, 'R' },
		{ "npm-module", required_argument, NULL, 'F' },
		{ "python-dep", required_argument, NULL, 'y' },
		{ 0 },
	};
	struct registry_plugin_version pv = {
		.timeout_ms = PLUGIN_DEFAULT_TIMEOUT_MS,
		.memory_bytes = PLUGIN_DEFAULT_MEMORY_BYTES,
		.output_bytes = PLUGIN_DEFAULT_OUTPUT_BYTES,
	};
	struct strvec go_deps = STRVEC_INIT, npm_deps = STRVEC_INIT, ro_paths = STRVEC_INIT, py_deps = STRVEC_INIT;
	char err[ERR_SIZE], abs[PATH_MAX];
	int ch, rc = EXIT_USAGE;
	PGconn *c = NULL;

	if (cli_wants_help(argc, argv))
		return fputs(usage, stdout), EXIT_OK;
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return cli_listing(argc - 1, argv + 1, cfg, usage, registry_list_plugins, NULL, "plugins");
	if (argc >= 2 && !strcmp(argv[1], "move"))
		return move(argc - 1, argv + 1, cfg);
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
		case 'P': pv.per_file = 1; break;
		case 'F':
			if (strcmp(optarg, "esm") && strcmp(optarg, "commonjs"))
				return cli_error(EXIT_USAGE, "--npm-module %s: expected esm or commonjs", optarg);
			pv.npm_module = optarg;
			break;
		case 'd': cfg->database = optarg; break;
		case 'y':
			if (check_python_dep(optarg) < 0)
				goto out;
			strvec_push(&py_deps, optarg);
			break;
		case 't':
			if (num_parse_duration_ms(optarg, 86400000, &pv.timeout_ms) < 0)
				return cli_error(EXIT_USAGE, "--timeout %s: expected a duration like 90s, 500ms or 2m",
						 optarg);
			break;
		case 'M':
			if (parse_bytes(optarg, &pv.memory_bytes) < 0 || pv.memory_bytes < (16ULL << 20))
				return cli_error(EXIT_USAGE,
						 "--memory %s: expected a size of at least 16M, like 512M or 2G",
						 optarg);
			break;
		case 'O':
			if (parse_bytes(optarg, &pv.output_bytes) < 0 || pv.output_bytes < 1024)
				return cli_error(EXIT_USAGE,
						 "--max-output %s: expected a size of at least 1K, like 64M", optarg);
			break;
		case 'n':
		case 'R':
		case 'g':
			if (list_option(ch, optarg, &go_deps, &npm_deps, &ro_paths) < 0)
				goto out;
			break;
		default: fputs(usage, stderr); goto out;
		}
	}
	pv.go_deps = &go_deps;
	pv.npm_deps = &npm_deps;
	pv.ro_paths = &ro_paths;
	pv.python_deps = &py_deps;
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
	if (check_version(&pv, abs) < 0)
		goto out;
	if (!(c = cli_connect(cfg)))
		goto out;
	if (migrate_check(c, err) < 0 || registry_plugin_add(c, &pv, err) < 0) {
		cli_error(EXIT_USAGE, "%s", err);
		goto out;
	}
	printf("plugin %s/%s %s added (runtime %s, timeout %lldms, memory %lluM, output %lluM%s)\n", pv.plugin.owner,
	       pv.plugin.name, pv.version, pv.runtime, pv.timeout_ms, pv.memory_bytes >> 20, pv.output_bytes >> 20,
	       pv.per_file ? ", per file" : "");
	rc = EXIT_OK;
out:
	db_close(c);
	strvec_clear(&go_deps);
	strvec_clear(&npm_deps);
	strvec_clear(&ro_paths);
	strvec_clear(&py_deps);
	return rc;
}
