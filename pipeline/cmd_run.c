/*
 * cmd_run: `remotegen run`.
 */
#include "cli.h"
#include "log.h"
#include "modpath.h"
#include "npmpkg.h"
#include "metrics.h"
#include "num.h"
#include "run.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char usage[] =
	"usage: remotegen run [--once] [--workers N] [--publishers N] [--store URL]\n"
	"                     [--go-prefix PREFIX] [--npm-scope SCOPE] [--npm-url URL]\n"
	"                     [--max-attempts N]\n"
	"\n"
	"Generates and publishes every new (commit, template version) pair. With\n"
	"--once, drains the queue (including retries that become due, and work of\n"
	"processes that died, once their lease runs out) and exits:\n"
	"0 when every generation published, 1 when some failed. Without it, runs as\n"
	"a service until SIGTERM or SIGINT, finishing the plugins that run (claimed\n"
	"work not started yet is handed back at once), and exits 0;\n"
	"a second SIGTERM or SIGINT kills running plugins and hands their work back;\n"
	"SIGHUP has the S3 store read its credentials again (the rest of the\n"
	"configuration is read once, at start).\n"
	"\n"
	"  --once               drain the queue and exit (cron, systemd timer)\n"
	"  --workers N          plugin worker threads (default: number of CPUs)\n"
	"  --publishers N       upload threads, one store connection each (default 4)\n"
	"  --store URL          file:///path or s3://bucket/prefix (default: $REMOTEGEN_STORE,\n"
	"                       else ./remotegen-store)\n"
	"  --go-prefix PREFIX   Go module path prefix (default: $REMOTEGEN_GO_PREFIX,\n"
	"                       else " DEFAULT_GO_PREFIX ")\n"
	"  --npm-scope SCOPE    scope of generated npm packages (default: $REMOTEGEN_NPM_SCOPE,\n"
	"                       else " NPMPKG_DEFAULT_SCOPE "): @SCOPE/<module owner>_<module name>.\n"
	"                       <template owner>_<template name>, version 1.<template version>.<commit>\n"
	"  --npm-url URL        public URL of the store's npm/ folder, the npm registry URL of\n"
	"                       clients and the base of tarball links, e.g.\n"
	"                       https://cdn.example.com/npm/ ($REMOTEGEN_NPM_URL); needed only\n"
	"                       for templates of npm plugins, whose work is handed back without it\n"
	"  --max-attempts N     attempts before a generation fails for good (default 5)\n"
	"  --log-level L        debug, info (default), warn, error\n"
	"  --metrics-file PATH  Prometheus textfile (node_exporter) written at the end of\n"
	"                       --once and every 15 s as a service ($REMOTEGEN_METRICS_FILE)\n"
	"  --database URL       PostgreSQL connection string\n"
	"\n"
	"Progress: on a terminal, a status line (done, left, rate, ETA) under the log\n"
	"lines; otherwise an event=progress line every REMOTEGEN_PROGRESS_MS (default\n"
	"30000, 0 = none) while there is work. run_finished gives duration_ms.\n"
	"\n"
	"When the store refuses us (credentials, permissions, a missing bucket), the\n"
	"claimed work is handed back without using up attempts and run exits 1.\n"
	"\n"
	"S3: REMOTEGEN_S3_ENDPOINT (default https://s3.REGION.amazonaws.com),\n"
	"REMOTEGEN_S3_REGION (default us-east-1), REMOTEGEN_S3_ADDRESSING (path|virtual),\n"
	"REMOTEGEN_S3_MAX_ATTEMPTS (6), REMOTEGEN_S3_STALL_MS (30000: an attempt that\n"
	"moves no byte this long ends), REMOTEGEN_S3_DEADLINE_MS (300000, all attempts),\n"
	"Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, else\n"
	"AWS_PROFILE in AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials), else web identity\n"
	"(AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN), else EC2 instance metadata (IMDSv2).\n"
	"Environment: REMOTEGEN_RETRY_BASE_MS (first retry delay, default 2000),\n"
	"REMOTEGEN_LEASE_MS (claim lease, default 60000), REMOTEGEN_POLL_MS (service\n"
	"mode poll interval when no notification arrives, default 2000),\n"
	"REMOTEGEN_METRICS_INTERVAL_MS (default 15000), REMOTEGEN_PURGE_URL, _METHOD\n"
	"(default PURGE) and _TIMEOUT_MS (default 5000): the CDN purge after each index\n"
	"rewrite (README), REMOTEGEN_CACHE_SIZE (the output\n"
	"cache of --per-file plugins, shared in the database: 512M, 2G; default 1G; 0 = off).\n";

static int parse_pos(const char *flag, const char *v, int *out)
{
	char err[ERR_SIZE];
	long long n;
	if (num_parse(flag, v, 1, 1024, &n, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err), -1;
	*out = (int)n;
	return 0;
}

int cmd_run(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "workers", required_argument, NULL, 'w' },
		{ "publishers", required_argument, NULL, 'p' },
		{ "store", required_argument, NULL, 's' },
		{ "go-prefix", required_argument, NULL, 'g' },
		{ "npm-scope", required_argument, NULL, 'S' },
		{ "npm-url", required_argument, NULL, 'U' },
		{ "max-attempts", required_argument, NULL, 'a' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "metrics-file", required_argument, NULL, 'M' },
		{ "database", required_argument, NULL, 'd' },
		{ 0 },
	};
	struct run_opts o = {
		.cfg = cfg,
		.workers = (int)sysconf(_SC_NPROCESSORS_ONLN),
		.publishers = 4,
		.max_attempts = 5,
	};
	struct run_stats st;
	char err[ERR_SIZE];
	int ch;

	if (cli_wants_help(argc, argv))
		return fputs(usage, stdout), EXIT_OK;
	if (o.workers < 1)
		o.workers = 1;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': o.once = 1; break;
		case 'w':
			if (parse_pos("--workers", optarg, &o.workers) < 0)
				return EXIT_USAGE;
			break;
		case 'p':
			if (parse_pos("--publishers", optarg, &o.publishers) < 0)
				return EXIT_USAGE;
			break;
		case 'a':
			if (parse_pos("--max-attempts", optarg, &o.max_attempts) < 0)
				return EXIT_USAGE;
			break;
		case 's': cfg->store = optarg; break;
		case 'M': cfg->metrics_file = optarg; break;
		case 'g': cfg->go_prefix = optarg; break;
		case 'S': cfg->npm_scope = optarg; break;
		case 'U': cfg->npm_url = optarg; break;
		case 'd': cfg->database = optarg; break;
		case 'l':
			if (log_parse_level(optarg) < 0)
				return cli_error(EXIT_USAGE, "--log-level %s: expected debug, info, warn or error",
						 optarg);
			log_set_level(log_parse_level(optarg));
			break;
		default: return fputs(usage, stderr), EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_error(EXIT_USAGE, "run takes no arguments (got \"%s\")", argv[optind]);
	if (modpath_check_prefix(cfg->go_prefix, err) < 0 || cli_check_npm(cfg, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	if (cfg->metrics_file && metrics_check(cfg->metrics_file, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	if (cfg->lease_ms < 1000 || cfg->retry_base_ms < 0 || cfg->poll_ms < 10)
		return cli_error(EXIT_USAGE, "REMOTEGEN_LEASE_MS must be >= 1000, REMOTEGEN_RETRY_BASE_MS >= 0, "
					     "REMOTEGEN_POLL_MS >= 10");
	if (run_pipeline(&o, &st, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	/* A service stopped on purpose exits 0; failures are in status and the logs. An
	 * unusable store (credentials, bucket) or a feed that could not be written stops
	 * either mode with 1. */
	if (st.store_errors || st.feed_failed)
		return EXIT_FAILED;
	return o.once && st.failed ? EXIT_FAILED : EXIT_OK;
}
