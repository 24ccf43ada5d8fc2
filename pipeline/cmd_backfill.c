/*
 * cmd_backfill: `remotegen backfill`: enqueues the history of modules for a
 * template version, in bounded batches (one short transaction each), at a
 * lower priority than new work, idempotently.
 */
#include "cli.h"
#include "db.h"
#include "migrate.h"
#include "names.h"
#include "queue.h"
#include "registry.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] = "usage: remotegen backfill --template OWNER/NAME[:vN] [--module OWNER/NAME] [--from SEQ]\n"
			    "                          [--batch N] [--database URL]\n"
			    "\n"
			    "Queues generations of older commits with a template version (default: its\n"
			    "latest): every commit of every module, or of --module, from sequence --from\n"
			    "on. Batches of --batch commits (default 500) are queued in short\n"
			    "transactions; backfilled work runs after new commits (lower priority).\n"
			    "Running it again queues nothing new. Shows a progress bar on a terminal and\n"
			    "plain progress lines otherwise.\n";

static void progress(int tty, const char *what, long done, long total, long queued)
{
	if (tty) {
		int width = 30, fill = total ? (int)(done * width / total) : width;
		fprintf(stderr, "\r%s [%.*s%*s] %ld/%ld commits, %ld queued", what, fill,
			"##############################", width - fill, "", done, total, queued);
		if (done == total)
			fputc('\n', stderr);
	} else {
		fprintf(stderr, "backfill %s: %ld/%ld commits, %ld queued\n", what, done, total, queued);
	}
	fflush(stderr);
}

int cmd_backfill(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' }, { "module", required_argument, NULL, 'm' },
		{ "from", required_argument, NULL, 'f' },     { "batch", required_argument, NULL, 'b' },
		{ "database", required_argument, NULL, 'd' }, { 0 },
	};
	struct name_ref t, m = { "", "" };
	const char *tv_spec = NULL;
	int have_t = 0, ch, rc = EXIT_USAGE;
	long from = 1, batch = 500;
	char err[ERR_SIZE], *end;

	if (cli_wants_help(argc, argv))
		return fputs(usage, stdout), EXIT_OK;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (names_parse_with("template", optarg, ':', &t, &tv_spec, err) < 0)
				return cli_error(EXIT_USAGE, "%s", err);
			have_t = 1;
			break;
		case 'm':
			if (names_parse("module", optarg, &m, err) < 0)
				return cli_error(EXIT_USAGE, "%s", err);
			break;
		case 'f':
			from = strtol(optarg, &end, 10);
			if (*end || from < 1)
				return cli_error(EXIT_USAGE, "--from %s: expected a commit sequence (1 or more)",
						 optarg);
			break;
		case 'b':
			batch = strtol(optarg, &end, 10);
			if (*end || batch < 1 || batch > 100000)
				return cli_error(EXIT_USAGE, "--batch %s: expected 1 to 100000", optarg);
			break;
		case 'd': cfg->database = optarg; break;
		default: return fputs(usage, stderr), EXIT_USAGE;
		}
	}
	if (!have_t || optind != argc)
		return fputs(usage, stderr), EXIT_USAGE;
	long tv_number = 0;
	if (tv_spec) {
		tv_number = (tv_spec[0] == 'v') ? strtol(tv_spec + 1, &end, 10) : 0;
		if (tv_spec[0] != 'v' || *end || tv_number < 1)
			return cli_error(EXIT_USAGE, "--template %s/%s:%s: expected a version like v2", t.owner, t.name,
					 tv_spec);
	}
	PGconn *c = cli_connect(cfg);
	if (!c)
		return EXIT_USAGE;
	long long tv_id = 0, after = 0;
	long found_number = 0, total = 0, done = 0, queued = 0;
	char *label = NULL, what[200];
	int found, disabled = 0;
	if (migrate_check(c, err) < 0 || (found = registry_find_template_version(
						  c, &t, tv_number, &tv_id, &found_number, &label, &disabled, err)) < 0)
		goto fail;
	if (found) {
		cli_error(EXIT_USAGE, "template %s/%s%s%s: no such template version (see 'remotegen template version')",
			  t.owner, t.name, tv_spec ? ":" : "", tv_spec ? tv_spec : "");
		goto out;
	}
	if (disabled) {
		cli_error(EXIT_USAGE, "template %s is disabled: enable it first (remotegen template enable %s)", label,
			  label);
		goto out;
	}
	snprintf(what, sizeof(what), "%s:v%ld", label, found_number);
	if (registry_count_commits(c, &m, from, &total, err) < 0)
		goto fail;
	if (m.owner[0] && !total) {
		cli_error(EXIT_USAGE, "module %s/%s: no commits from sequence %ld on", m.owner, m.name, from);
		goto out;
	}
	int tty = isatty(2);
	while (done < total) {
		long seen = 0, added = 0;
		if (queue_backfill_batch(c, tv_id, m.owner, m.name, from, &after, batch, &seen, &added, err) < 0)
			goto fail;
		if (seen == 0)
			break;
		done += seen;
		queued += added;
		progress(tty, what, done, total, queued);
	}
	if (!total)
		progress(tty, what, 0, 0, 0);
	printf("backfill %s: %ld commits, %ld generations queued (%ld already there)\n", what, done, queued,
	       done - queued);
	rc = EXIT_OK;
	goto out;
fail:
	cli_error(EXIT_USAGE, "%s", err);
out:
	free(label);
	db_close(c);
	return rc;
}
