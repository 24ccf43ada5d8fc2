/*
 * cmd_template: `remotegen template create` and `remotegen template version`.
 */
#include "cli.h"
#include "queue.h"
#include "db.h"
#include "migrate.h"
#include "names.h"
#include "registry.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] = "usage: remotegen template create OWNER/NAME --plugin OWNER/NAME[=PARAMETER]...\n"
			    "       remotegen template version OWNER/NAME --plugin OWNER/NAME:VERSION...\n"
			    "       remotegen template list [--json]\n"
			    "       remotegen template show OWNER/NAME [--json]\n"
			    "       remotegen template disable|enable OWNER/NAME\n"
			    "\n"
			    "create: defines a template, an ordered list of plugins with their parameters\n"
			    "        (the order is the order plugins run in, and insertion-point order).\n"
			    "version: creates the template's next version vN, pinning one version of each\n"
			    "        of its plugins, and prints vN. New commits are generated with the\n"
			    "        latest version; the latest commit of every module is generated with a\n"
			    "        new version.\n"
			    "list: every template, its plugins and parameters, its latest version.\n"
			    "show: every version of a template and the plugin versions it pins.\n"
			    "disable: new commits and new versions of the template generate nothing, its\n"
			    "        pending generations stop (failed, with the reason), published ones stay.\n"
			    "enable: generates the latest commit of every module with its latest version\n"
			    "        again; `remotegen retry --template` queues what disabling stopped.\n"
			    "\n"
			    "  --plugin SPEC    see above (repeatable, in order)\n"
			    "  --database URL   PostgreSQL connection string\n";

/* `template disable|enable T`: one transaction over the registry and the queue. */
static int disable(int argc, char **argv, struct config *cfg, int off)
{
	static const struct option opts[] = {
		{ "database", required_argument, NULL, 'd' },
		{ 0 },
	};
	struct name_ref t;
	char err[ERR_SIZE], why[300];
	long long id = 0, stopped = 0;
	int ch, rc = EXIT_USAGE, found = -1;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'd')
			return fputs(usage, stderr), EXIT_USAGE;
		cfg->database = optarg;
	}
	if (optind != argc - 1)
		return fputs(usage, stderr), EXIT_USAGE;
	if (names_parse("template", argv[optind], &t, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	PGconn *c = cli_connect(cfg);
	if (!c)
		return EXIT_USAGE;
	snprintf(why, sizeof(why), "template %s/%s was disabled before this generation ran", t.owner, t.name);
	if (migrate_check(c, err) < 0 || db_begin(c, err) < 0 ||
	    (found = registry_template_disable(c, &t, off, &id, err)) != 0 ||
	    (off && queue_stop_template(c, id, why, &stopped, err) < 0) || db_commit(c, err) < 0) {
		db_rollback(c);
		if (found == 1)
			cli_error(EXIT_USAGE, "template %s/%s: no such template", t.owner, t.name);
		else
			cli_error(EXIT_USAGE, "%s", err);
	} else {
		if (off)
			printf("template %s/%s disabled; %lld pending generation%s stopped\n", t.owner, t.name, stopped,
			       stopped == 1 ? "" : "s");
		else
			printf("template %s/%s enabled; the next run generates the latest commits with it\n", t.owner,
			       t.name);
		rc = EXIT_OK;
	}
	db_close(c);
	return rc;
}

int cmd_template(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "plugin", required_argument, NULL, 'p' },
		{ "database", required_argument, NULL, 'd' },
		{ 0 },
	};
	const char *specs[REGISTRY_MAX_PLUGINS];
	size_t n = 0;
	struct name_ref t;
	char err[ERR_SIZE];
	int ch, create;

	if (cli_wants_help(argc, argv))
		return fputs(usage, stdout), EXIT_OK;
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return cli_listing(argc - 1, argv + 1, cfg, usage, registry_list_templates, NULL, "templates");
	if (argc >= 2 && (!strcmp(argv[1], "disable") || !strcmp(argv[1], "enable")))
		return disable(argc - 1, argv + 1, cfg, !strcmp(argv[1], "disable"));
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return cli_listing(argc - 1, argv + 1, cfg, usage, registry_template_versions, "template", "versions");
	if (argc < 2 || (strcmp(argv[1], "create") && strcmp(argv[1], "version")))
		return fputs(usage, stderr), EXIT_USAGE;
	create = !strcmp(argv[1], "create");
	argc--;
	argv++;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'p') {
			if (n == REGISTRY_MAX_PLUGINS)
				return cli_error(EXIT_USAGE, "too many --plugin (at most %d)", REGISTRY_MAX_PLUGINS);
			specs[n++] = optarg;
		} else if (ch == 'd') {
			cfg->database = optarg;
		} else {
			return fputs(usage, stderr), EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return fputs(usage, stderr), EXIT_USAGE;
	if (names_parse("template", argv[optind], &t, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	if (!n)
		return cli_error(EXIT_USAGE, "template %s/%s: give at least one --plugin", t.owner, t.name);

	struct registry_template_plugin tp[REGISTRY_MAX_PLUGINS];
	struct registry_pin pins[REGISTRY_MAX_PLUGINS];
	for (size_t i = 0; i < n; i++) {
		const char *rest;
		if (create) {
			if (names_parse_with("plugin", specs[i], '=', &tp[i].plugin, &rest, err) < 0)
				return cli_error(EXIT_USAGE, "template %s/%s: --plugin %s", t.owner, t.name, err);
			tp[i].parameter = rest ? rest : "";
			for (size_t k = 0; k < i; k++)
				if (!strcasecmp(tp[k].plugin.owner, tp[i].plugin.owner) &&
				    !strcasecmp(tp[k].plugin.name, tp[i].plugin.name))
					return cli_error(EXIT_USAGE, "template %s/%s: plugin %s/%s is listed twice",
							 t.owner, t.name, tp[i].plugin.owner, tp[i].plugin.name);
		} else {
			if (names_parse_with("plugin", specs[i], ':', &pins[i].plugin, &rest, err) < 0)
				return cli_error(EXIT_USAGE, "template %s/%s: --plugin %s", t.owner, t.name, err);
			if (!rest)
				return cli_error(EXIT_USAGE, "template %s/%s: --plugin %s: expected OWNER/NAME:VERSION",
						 t.owner, t.name, specs[i]);
			if (names_check_version(rest, err) < 0)
				return cli_error(EXIT_USAGE, "template %s/%s: %s", t.owner, t.name, err);
			pins[i].version = rest;
		}
	}
	PGconn *c = cli_connect(cfg);
	if (!c)
		return EXIT_USAGE;
	int number = 0, rc;
	if (migrate_check(c, err) < 0)
		rc = -1;
	else if (create)
		rc = registry_template_create(c, &t, tp, n, err);
	else
		rc = registry_template_version(c, &t, pins, n, &number, err);
	db_close(c);
	if (rc < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	if (create)
		printf("template %s/%s created with %zu plugin%s\n", t.owner, t.name, n, n == 1 ? "" : "s");
	else
		printf("v%d\n", number);
	return EXIT_OK;
}
