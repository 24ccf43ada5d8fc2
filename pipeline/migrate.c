/*
 * migrate: schema migrations. Migration scripts hold several statements, so
 * they are the one place that uses PQexec (fixed, embedded text, never
 * built from input); everything else goes through PQexecParams.
 */
#include "migrate.h"
#include "db.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

int migrate_run(PGconn *c, int *applied, char *err)
{
	*applied = 0;
	if (db_begin(c, err) < 0)
		return -1;
	/* Serialise concurrent migrate runs (any 64-bit constant; this spells "rgmigrat"). */
	if (db_run(c, "migrate: lock", "SELECT pg_advisory_xact_lock(7450490915429544308)", 0, NULL, err) < 0 ||
	    db_run(c, "migrate: create schema_migrations",
		   "CREATE TABLE IF NOT EXISTS schema_migrations ("
		   " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
		   0, NULL, err) < 0)
		goto fail;
	for (int i = 0; i < migrate_embedded_count; i++) {
		const struct migration *m = &migrate_embedded[i];
		const char *p[] = { m->name };
		PGresult *r = db_exec(c, "migrate: read schema_migrations",
				      "SELECT 1 FROM schema_migrations WHERE name = $1", 1, p, err);
		if (!r)
			goto fail;
		int done = PQntuples(r) > 0;
		PQclear(r);
		if (done)
			continue;
		r = PQexec(c, m->sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
			err_set(err, "migration %s failed: %s", m->name, PQresultErrorMessage(r));
			PQclear(r);
			goto fail;
		}
		PQclear(r);
		if (db_run(c, "migrate: record", "INSERT INTO schema_migrations (name) VALUES ($1)", 1, p, err) < 0)
			goto fail;
		struct logline l;
		log_start(&l, "info", "migration_applied");
		log_str(&l, "name", m->name);
		log_end(&l);
		(*applied)++;
	}
	if (db_commit(c, err) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(c);
	return -1;
}

int migrate_check(PGconn *c, char *err)
{
	const char *last = migrate_embedded[migrate_embedded_count - 1].name;
	const char *p[] = { last };
	/* One round trip: a database never migrated has no schema_migrations (42P01). */
	PGresult *r =
		db_exec(c, "database: check schema", "SELECT 1 FROM schema_migrations WHERE name = $1", 1, p, err);
	if (!r && strcmp(db_last_sqlstate(), "42P01"))
		return -1;
	int ok = r && PQntuples(r) == 1;
	PQclear(r);
	if (!ok)
		return err_set(err,
			       "the database schema is not up to date (missing migration %s): run "
			       "'remotegen migrate' first",
			       last);
	return 0;
}
