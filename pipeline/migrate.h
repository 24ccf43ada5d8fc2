/*
 * migrate: applies the numbered schema migrations of sql/ (embedded in the
 * binary at build time) in one transaction, under an advisory lock, recording
 * each in schema_migrations. Running it again applies nothing.
 */
#ifndef REMOTEGEN_MIGRATE_H
#define REMOTEGEN_MIGRATE_H

#include <libpq-fe.h>

struct migration {
	const char *name; /* "001_init" */
	const char *sql;  /* the whole file */
};

extern const struct migration migrate_embedded[];
extern const int migrate_embedded_count;

/* Applies what is missing; *applied receives how many. Returns 0 or -1 (err set). */
int migrate_run(PGconn *c, int *applied, char *err);
/* 0 when the schema is up to date, -1 (err says what to run) otherwise. */
int migrate_check(PGconn *c, char *err);

#endif
