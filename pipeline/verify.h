/*
 * verify: audits a store against the database, the source of truth. For
 * every published version: the .zip, .mod and .info exist, the zip's and the
 * go.mod's h1: hashes equal the recorded ones, and the .info names the
 * version; for every module path: @v/list and @latest say exactly what the
 * database says; for every npm package version: the tarball exists with the
 * recorded dist hashes and package.json, and each packument is exactly what
 * the database gives (with tarball links under npm_url); for every wheel:
 * its sha256, its RECORD, its METADATA inside and beside it, and every index
 * page exactly as the database gives it; the feed lists
 * every published version; and no object
 * exists that the database does not explain. Each difference is one line.
 */
#ifndef REMOTEGEN_VERIFY_H
#define REMOTEGEN_VERIFY_H

#include <libpq-fe.h>
#include <stdio.h>
#include "config.h"
#include "repair.h"
#include "store.h"

/* One audit in progress, handed to each target's verify operations. */
struct verify_ctx {
	PGconn *db;
	struct store *store;
	const struct config *cfg; /* go_prefix, npm_url */
	FILE *report;
	int problems;		     /* differences found */
	struct strvec expected;	     /* every key the database explains */
	char *err;		     /* ERR_SIZE: why verify itself failed */
	struct repair_stats *repair; /* NULL: audit only; else repair what differs (repair.h) */
};

/* Reports one difference (a line of report) and counts it. */
void verify_problem(struct verify_ctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records key as explained by the database. */
void verify_expect(struct verify_ctx *v, const char *key);
/* Fetches key into out: 0 found, 1 missing (reported), <0 a store error (v->err set). */
int verify_fetch(struct verify_ctx *v, const char *key, struct buf *out);

/*
 * Audits store s against the database: writes each difference to report;
 * *problems counts them and *objects the store's objects. With repair (may
 * be NULL), repairs each difference as repair.h says, reports it and counts
 * it there. Returns 0, or -1 when verify itself failed (err set).
 */
int verify_store(PGconn *c, struct store *s, const struct config *cfg, FILE *report, struct repair_stats *repair,
		 int *problems, long *objects, char *err);

#endif
