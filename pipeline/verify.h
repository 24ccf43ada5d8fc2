/*
 * verify: audits a store against the database, the source of truth. For
 * every published version: the .zip, .mod and .info exist, the zip's and the
 * go.mod's h1: hashes equal the recorded ones, and the .info names the
 * version; for every module path: @v/list and @latest say exactly what the
 * database says; for every npm package version: the tarball exists with the
 * recorded dist hashes and package.json, and each packument is exactly what
 * the database gives (with tarball links under npm_url); the feed lists
 * every published version; and no object
 * exists that the database does not explain. Each difference is one line.
 */
#ifndef REMOTEGEN_VERIFY_H
#define REMOTEGEN_VERIFY_H

#include <libpq-fe.h>
#include <stdio.h>
#include "store.h"

/* Writes each difference to report; *problems counts them. Returns 0, or -1 when verify itself failed. */
int verify_store(PGconn *c, struct store *s, const char *go_prefix, const char *npm_url, FILE *report,
		 int *problems, long *objects, char *err);

#endif
