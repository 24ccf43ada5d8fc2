/*
 * cli: configuration loading, error printing and connecting for subcommands.
 */
#include "cli.h"
#include "text.h"
#include "jsonw.h"
#include "migrate.h"
#include "names.h"
#include "num.h"
#include "npmpkg.h"
#include "db.h"
#include "util.h"

#include <ctype.h>
#include <getopt.h>
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

int cli_open_store(const struct config *cfg, PGconn **c, struct store **s)
{
	char err[ERR_SIZE];
	*s = NULL;
	if (!(*c = cli_connect(cfg)))
		return -1;
	if (migrate_check(*c, err) < 0 || registry_go_prefix(*c, cfg->go_prefix, err) < 0 ||
	    store_open(cfg->store, &cfg->store_cfg, s, err) < 0) {
		cli_error(EXIT_USAGE, "%s", err);
		db_close(*c);
		*c = NULL;
		return -1;
	}
	return 0;
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

/* The rows of r as {"<key>": [{column: value, ...}, ...]}: integers and booleans typed, NULL as null. */
static void print_json_rows(PGresult *r, const char *key)
{
	json_t *a = json_array(), *doc = json_object();
	struct buf out = BUF_INIT;
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *o = json_object();
		for (int k = 0; k < PQnfields(r); k++) {
			const char *name = PQfname(r, k), *v = PQgetvalue(r, i, k);
			Oid t = PQftype(r, k);
			if (PQgetisnull(r, i, k))
				jsonw_set(o, name, json_null());
			else if (t == 20 || t == 21 || t == 23) /* int8, int2, int4 */
				jsonw_set_int(o, name, num_trusted(v));
			else if (t == 16) /* bool */
				jsonw_set(o, name, json_boolean(v[0] == 't'));
			else
				jsonw_set_str(o, name, v);
		}
		jsonw_append(a, o);
	}
	jsonw_set(doc, key, a);
	jsonw_write_line(doc, &out);
	fputs(out.data, stdout);
	buf_release(&out);
}

/* The rows of r as a table with a header line, columns as wide as their widest cell (up to 80). */
static void print_table(PGresult *r)
{
	int nf = PQnfields(r);
	int *w = xcalloc((size_t)nf + 1, sizeof(*w));
	for (int k = 0; k < nf; k++) {
		w[k] = (int)strlen(PQfname(r, k));
		for (int i = 0; i < PQntuples(r); i++)
			if (PQgetlength(r, i, k) > w[k])
				w[k] = PQgetlength(r, i, k) > 80 ? 80 : PQgetlength(r, i, k);
	}
	for (int k = 0; k < nf; k++) {
		char head[64];
		snprintf(head, sizeof(head), "%s", PQfname(r, k));
		for (char *h = head; *h; h++)
			*h = *h == '_' ? ' ' : (char)toupper((unsigned char)*h);
		printf("%-*s%s", k + 1 < nf ? w[k] : 0, head, k + 1 < nf ? "  " : "\n");
	}
	for (int i = 0; i < PQntuples(r); i++)
		for (int k = 0; k < nf; k++) {
			const char *v = PQgetvalue(r, i, k);
			if (PQftype(r, k) == 16)
				v = v[0] == 't' ? "yes" : "no";
			printf("%-*.*s%s", k + 1 < nf ? w[k] : 0, k + 1 < nf ? w[k] : 200, v, k + 1 < nf ? "  " : "\n");
		}
	free(w);
}

int cli_listing(int argc, char **argv, struct config *cfg, const char *usage, registry_listing_fn fn, const char *kind,
		const char *key)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "database", required_argument, NULL, 'd' },
		{ 0 },
	};
	struct name_ref n = { "", "" };
	char err[ERR_SIZE];
	int ch, json = 0, rc = EXIT_USAGE;
	PGresult *r = NULL;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else if (ch == 'd')
			cfg->database = optarg;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind != argc - (kind ? 1 : 0))
		return fputs(usage, stderr), EXIT_USAGE;
	if (kind && names_parse(kind, argv[optind], &n, err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	PGconn *c = cli_connect(cfg);
	if (!c)
		return EXIT_USAGE;
	int has = 1;
	if (migrate_check(c, err) < 0 || (kind && (has = registry_has(c, kind, &n, err)) < 0) ||
	    (has && fn(c, kind ? &n : NULL, &r, err) < 0))
		cli_error(EXIT_USAGE, "%s", err);
	else if (!has)
		cli_error(EXIT_USAGE, "%s %s/%s: no such %s", kind, n.owner, n.name, kind);
	else {
		if (json)
			print_json_rows(r, key);
		else
			print_table(r);
		rc = EXIT_OK;
	}
	PQclear(r);
	db_close(c);
	return rc;
}

const char *cli_text(const char *s, char buf[CLI_TEXT_SIZE])
{
	text_clean(buf, CLI_TEXT_SIZE, s ? s : "");
	return buf;
}
