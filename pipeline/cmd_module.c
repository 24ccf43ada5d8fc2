/*
 * cmd_module: `remotegen module push`.
 */
#include "cli.h"
#include "db.h"
#include "image.h"
#include "migrate.h"
#include "names.h"
#include "registry.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "usage: remotegen module push OWNER/NAME DIR [--dep OWNER/NAME[:SEQ]]...\n"
			    "       remotegen module push OWNER/NAME --image FILE [--dep OWNER/NAME[:SEQ]]...\n"
			    "       remotegen module list [--json]\n"
			    "       remotegen module show OWNER/NAME [--json]\n"
			    "\n"
			    "Records a new commit of module OWNER/NAME. With DIR, every *.proto under DIR\n"
			    "is compiled with protoc (--include_imports --include_source_info) and DIR's\n"
			    "files are the module's own. With --image, FILE is a prebuilt image (a\n"
			    "serialized FileDescriptorSet with all imports); its own files are those not\n"
			    "provided by a dependency and not well-known types. Pushing the same content\n"
			    "as the latest commit records nothing. Prints the commit's sequence.\n"
			    "list: every module, how many commits, the latest. show: a module's commits\n"
			    "with their digests, files, protoc version and dependencies.\n"
			    "\n"
			    "  --dep OWNER/NAME[:SEQ]  a module this commit imports from (default: its latest commit)\n"
			    "  --image FILE            push a prebuilt image instead of compiling DIR\n"
			    "  --database URL          PostgreSQL connection string\n";

/* SIGTERM or SIGINT while a push compiles: protoc is killed, its temporary files removed, nothing recorded. */
static volatile sig_atomic_t push_interrupted;

static void on_push_signal(int sig)
{
	push_interrupted = sig;
}

int cmd_module(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "dep", required_argument, NULL, 'D' },
		{ "image", required_argument, NULL, 'i' },
		{ "database", required_argument, NULL, 'd' },
		{ 0 },
	};
	struct registry_dep deps[REGISTRY_MAX_DEPS];
	size_t n_deps = 0;
	const char *image_file = NULL;
	struct name_ref m;
	struct image img;
	struct strvec dep_files = STRVEC_INIT;
	char err[ERR_SIZE];
	int ch, rc = EXIT_USAGE;
	PGconn *c = NULL;
	struct buf *dep_images = NULL;

	image_init(&img);
	if (cli_wants_help(argc, argv))
		return fputs(usage, stdout), EXIT_OK;
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return cli_listing(argc - 1, argv + 1, cfg, usage, registry_list_modules, NULL, "modules");
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return cli_listing(argc - 1, argv + 1, cfg, usage, registry_module_commits, "module", "commits");
	if (argc < 2 || strcmp(argv[1], "push"))
		return fputs(usage, stderr), EXIT_USAGE;
	argc--;
	argv++;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': {
			const char *rest;
			if (n_deps == REGISTRY_MAX_DEPS)
				return cli_error(EXIT_USAGE, "too many --dep (at most %d)", REGISTRY_MAX_DEPS);
			struct registry_dep *d = &deps[n_deps];
			if (names_parse_with("module", optarg, ':', &d->module, &rest, err) < 0)
				return cli_error(EXIT_USAGE, "--dep: %s", err);
			d->sequence = 0;
			if (rest) {
				char *end;
				long v = strtol(rest, &end, 10);
				if (!*rest || *end || v <= 0 || v > 1000000000)
					return cli_error(EXIT_USAGE, "--dep %s: the sequence must be a positive number",
							 optarg);
				d->sequence = (int)v;
			}
			n_deps++;
			break;
		}
		case 'i': image_file = optarg; break;
		case 'd': cfg->database = optarg; break;
		default: return fputs(usage, stderr), EXIT_USAGE;
		}
	}
	int nargs = argc - optind;
	if (nargs < 1 || nargs > 2 || (image_file && nargs != 1) || (!image_file && nargs != 2))
		return fputs(usage, stderr), EXIT_USAGE;
	if (names_parse("module", argv[optind], &m, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	if (!(c = cli_connect(cfg)))
		goto out;
	if (migrate_check(c, err) < 0) {
		cli_error(EXIT_USAGE, "%s", err);
		goto out;
	}
	dep_images = xcalloc(n_deps + 1, sizeof(*dep_images));
	if (registry_dep_images(c, &m, deps, n_deps, dep_images, &dep_files, err) < 0) {
		cli_error(EXIT_USAGE, "module %s/%s: %s", m.owner, m.name, err);
		goto out;
	}
	if (image_file) {
		if (image_load(&cfg->image, image_file, &dep_files, &img, err) < 0 ||
		    image_check_imports(&img, &dep_files, err) < 0) {
			cli_error(EXIT_USAGE, "module %s/%s: %s", m.owner, m.name, err);
			goto out;
		}
	} else {
		struct sigaction sa = { .sa_handler = on_push_signal };
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		cfg->image.abort = &push_interrupted;
		int compiled = image_compile(&cfg->image, argv[optind + 1], dep_images, n_deps, &img, err);
		cfg->image.abort = NULL;
		sa.sa_handler = SIG_DFL;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		if (compiled < 0 || push_interrupted) {
			if (compiled == 0)
				snprintf(err, ERR_SIZE, "interrupted by a signal: nothing recorded");
			cli_error(EXIT_USAGE, "module %s/%s: %s", m.owner, m.name, err);
			goto out;
		}
	}
	if (image_check_paths(&img, err) < 0) {
		cli_error(EXIT_USAGE, "module %s/%s: %s", m.owner, m.name, err);
		goto out;
	}
	int seq = 0, created = 0;
	if (registry_push(c, &m, &img, deps, n_deps, &seq, &created, err) < 0) {
		cli_error(EXIT_USAGE, "module %s/%s: %s", m.owner, m.name, err);
		goto out;
	}
	if (created)
		printf("%s/%s commit %d (%s, %zu files)\n", m.owner, m.name, seq, img.digest, img.own_files.n);
	else
		printf("%s/%s commit %d unchanged (%s)\n", m.owner, m.name, seq, img.digest);
	rc = EXIT_OK;
out:
	db_close(c);
	image_release(&img);
	strvec_clear(&dep_files);
	for (size_t i = 0; dep_images && i < n_deps; i++)
		buf_release(&dep_images[i]);
	free(dep_images);
	return rc;
}
