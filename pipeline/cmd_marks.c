/*
 * cmd_marks: `remotegen generation yank|deprecate|restore ID`: marks on a
 * published version that change what consumers resolve, never its bytes
 * (the work is marks.c's).
 */
#include "cli.h"
#include "db.h"
#include "marks.h"
#include "num.h"
#include "store.h"
#include "text.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] = "usage: remotegen generation yank ID [--reason TEXT]\n"
			    "       remotegen generation deprecate ID --message TEXT\n"
			    "       remotegen generation restore ID\n"
			    "\n"
			    "Marks a published version (ID from `generation list --state published`)\n"
			    "without changing a byte of it; the package's index files and the feed's\n"
			    "marks file (index/feed/marks.ndjson) are rewritten at once.\n"
			    "yank: the version leaves the package's index: Go's @v/list and @latest,\n"
			    "npm's packument. Its files stay, so builds that pinned it (go.sum, lock\n"
			    "files) still install it, but nothing resolves to it any more (go get\n"
			    "...@latest, npm install with a range). The last version a package shows\n"
			    "cannot be yanked: deprecate it.\n"
			    "deprecate: npm shows the message when the version is installed; the go\n"
			    "command has no per-version deprecation (the mark is in the feed only).\n"
			    "restore: undoes both.\n"
			    "\n"
			    "  --store URL       the store (default: $REMOTEGEN_STORE)\n"
			    "  --npm-url URL     public URL of the store's npm/ folder ($REMOTEGEN_NPM_URL)\n"
			    "  --go-prefix P     Go module path prefix ($REMOTEGEN_GO_PREFIX)\n"
			    "  --database URL    PostgreSQL connection string\n";

int cmd_generation_mark(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "message", required_argument, NULL, 'm' },
		{ "store", required_argument, NULL, 's' },
		{ "npm-url", required_argument, NULL, 'n' },
		{ "go-prefix", required_argument, NULL, 'g' },
		{ "database", required_argument, NULL, 'd' },
		{ 0 },
	};
	enum queue_mark mark;
	const char *verb = argv[0], *reason = NULL, *message = NULL;
	char err[ERR_SIZE];
	long long id;
	int ch;
	if (cli_wants_help(argc, argv))
		return fputs(usage, stdout), EXIT_OK;
	if (!strcmp(verb, "yank"))
		mark = QUEUE_YANK;
	else if (!strcmp(verb, "deprecate"))
		mark = QUEUE_DEPRECATE;
	else
		mark = QUEUE_RESTORE;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': reason = optarg; break;
		case 'm': message = optarg; break;
		case 's': cfg->store = optarg; break;
		case 'n': cfg->npm_url = optarg; break;
		case 'g': cfg->go_prefix = optarg; break;
		case 'd': cfg->database = optarg; break;
		default: return fputs(usage, stderr), EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return fputs(usage, stderr), EXIT_USAGE;
	if (num_parse("generation", argv[optind], 1, (1LL << 62), &id, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	if ((mark == QUEUE_DEPRECATE) != (message != NULL) || (reason && mark != QUEUE_YANK))
		return cli_error(EXIT_USAGE, "%s takes %s", verb,
				 mark == QUEUE_DEPRECATE ? "--message TEXT"
				 : mark == QUEUE_YANK	 ? "--reason TEXT (optional)"
							 : "no --reason or --message");
	if (message && !*message)
		return cli_error(EXIT_USAGE, "deprecate: the --message is what consumers read: it may not be empty");

	/* What consumers and terminals will show: valid UTF-8 without control characters. */
	const char *text = mark == QUEUE_YANK ? reason : message;
	if (text && !text_is_clean(text))
		return cli_error(EXIT_USAGE, "%s: the text has control characters or is not UTF-8", verb);
	struct store *s;
	struct marks_result res;
	int rc = EXIT_USAGE;
	PGconn *c;
	if (cli_open_store(cfg, &c, &s) < 0)
		return EXIT_USAGE;
	int done = marks_apply(cfg, c, s, id, mark, text, &res, err);
	if (done == 1) {
		cli_error(EXIT_USAGE,
			  "generation %lld: not a published generation (see `remotegen generation show %lld`)", id, id);
	} else if (done < 0) {
		rc = cli_error(EXIT_FAILED, "%s %lld: %s", verb, id, err);
	} else {
		printf("%s %s %s %s\n",
		       mark == QUEUE_YANK	 ? "yanked"
		       : mark == QUEUE_DEPRECATE ? "deprecated"
						 : "restored",
		       res.target, res.package, res.version);
		marks_result_release(&res);
		rc = EXIT_OK;
	}
	store_free(s);
	db_close(c);
	return rc;
}
