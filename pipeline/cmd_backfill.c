/*
 * cmd_backfill: `remotegen backfill`: enqueues the history of modules for a
 * template version, in bounded batches (one short transaction each), at a
 * lower priority than new work, idempotently.
 */
#include "cli.h"
#include "db.h"
#include "migrate.h"
#include "names.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: remotegen backfill --template OWNER/NAME[:vN] [--module OWNER/NAME] [--from SEQ]\n"
	"                          [--batch N] [--database URL]\n"
	"\n"
	"Queues generations of older commits with a template version (default: its\n"
	"latest): every commit of every module, or of --module, from sequence --from\n"
	"on. Batches of --batch commits (default 500) are queued in short\n"
	"transactions; backfilled work runs after new commits (lower priority).\n"
	"Running it again queues nothing new. Shows a progress bar on a terminal and\n"
	"plain progress lines otherwise.\n";

/* Backfilled generations run after new work. */
#define BACKFILL_PRIORITY "-10"

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
		{ "template", required_argument, NULL, 't' },
		{ "module", required_argument, NULL, 'm' },
		{ "from", required_argument, NULL, 'f' },
		{ "batch", required_argument, NULL, 'b' },
		{ "database", required_argument, NULL, 'd' },
		{ 0 },
	};
	struct name_ref t, m = { "", "" };
	const char *tv_spec = NULL;
	int have_t = 0, ch, rc = EXIT_USAGE;
	long from = 1, batch = 500;
	char err[ERR_SIZE], *end;
	PGresult *r = NULL;

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
				return cli_error(EXIT_USAGE, "--from %s: expected a commit sequence (1 or more)", optarg);
			break;
		case 'b':
			batch = strtol(optarg, &end, 10);
			if (*end || batch < 1 || batch > 100000)
				return cli_error(EXIT_USAGE, "--batch %s: expected 1 to 100000", optarg);
			break;
		case 'd':
			cfg->database = optarg;
			break;
		default:
			return fputs(usage, stderr), EXIT_USAGE;
		}
	}
	if (!have_t || optind != argc)
		return fputs(usage, stderr), EXIT_USAGE;
	long tv_number = 0;
	if (tv_spec) {
		tv_number = (tv_spec[0] == 'v') ? strtol(tv_spec + 1, &end, 10) : 0;
		if (tv_spec[0] != 'v' || *end || tv_number < 1)
			return cli_error(EXIT_USAGE, "--template %s/%s:%s: expected a version like v2", t.owner, t.name, tv_spec);
	}
	PGconn *c = cli_connect(cfg);
	if (!c)
		return EXIT_USAGE;
	char tvn[32], froms[32], batchs[32], tvid[32], what[200];
	snprintf(tvn, sizeof(tvn), "%ld", tv_number);
	snprintf(froms, sizeof(froms), "%ld", from);
	snprintf(batchs, sizeof(batchs), "%ld", batch);
	if (migrate_check(c, err) < 0)
		goto fail;
	const char *pt[] = { t.owner, t.name, tvn };
	r = db_exec(c, "backfill: resolve template version",
		"SELECT tv.id, tv.number, te.owner || '/' || te.name FROM template_versions tv"
		" JOIN templates te ON te.id = tv.template_id"
		" WHERE lower(te.owner) = lower($1) AND lower(te.name) = lower($2)"
		"   AND ($3::int = 0 OR tv.number = $3::int) ORDER BY tv.number DESC LIMIT 1", 3, pt, err);
	if (!r)
		goto fail;
	if (!PQntuples(r)) {
		cli_error(EXIT_USAGE, "template %s/%s%s%s: no such template version (see 'remotegen template version')",
			  t.owner, t.name, tv_spec ? ":" : "", tv_spec ? tv_spec : "");
		goto out;
	}
	snprintf(tvid, sizeof(tvid), "%s", PQgetvalue(r, 0, 0));
	snprintf(what, sizeof(what), "%s:v%s", PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 1));
	PQclear(r);
	const char *pc[] = { m.owner, m.name, froms };
	r = db_exec(c, "backfill: count commits",
		"SELECT count(*) FROM commits c JOIN modules mo ON mo.id = c.module_id"
		" WHERE ($1 = '' OR (lower(mo.owner) = lower($1) AND lower(mo.name) = lower($2)))"
		"   AND c.sequence >= $3::int", 3, pc, err);
	if (!r)
		goto fail;
	long total = (long)db_ll(r, 0, 0), done = 0, queued = 0;
	PQclear(r);
	r = NULL;
	if (m.owner[0] && !total) {
		cli_error(EXIT_USAGE, "module %s/%s: no commits from sequence %ld on", m.owner, m.name, from);
		goto out;
	}
	int tty = isatty(2);
	char last[32] = "0";
	while (done < total) {
		const char *pb[] = { tvid, m.owner, m.name, froms, last, batchs };
		r = db_exec(c, "backfill: queue a batch",
			"WITH batch AS ("
			"  SELECT c.id, c.sequence FROM commits c JOIN modules mo ON mo.id = c.module_id"
			"  WHERE ($2 = '' OR (lower(mo.owner) = lower($2) AND lower(mo.name) = lower($3)))"
			"    AND c.sequence >= $4::int AND c.id > $5::bigint ORDER BY c.id LIMIT $6::int),"
			" ins AS ("
			"  INSERT INTO generations (commit_id, template_version_id, version, priority)"
			"  SELECT b.id, tv.id, 'v1.' || tv.number || '.' || b.sequence, " BACKFILL_PRIORITY
			"    FROM batch b, template_versions tv WHERE tv.id = $1"
			"  ON CONFLICT DO NOTHING RETURNING 1)"
			" SELECT (SELECT max(id) FROM batch), (SELECT count(*) FROM batch), (SELECT count(*) FROM ins)",
			6, pb, err);
		if (!r)
			goto fail;
		long n = (long)db_ll(r, 0, 1);
		if (n == 0)
			break;
		snprintf(last, sizeof(last), "%s", PQgetvalue(r, 0, 0));
		done += n;
		queued += (long)db_ll(r, 0, 2);
		PQclear(r);
		r = NULL;
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
	PQclear(r);
	db_close(c);
	return rc;
}
