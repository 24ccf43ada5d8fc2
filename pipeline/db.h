/*
 * db: the PostgreSQL connection and the only ways remotegen talks to it:
 * parameterized statements (PQexecParams) and transactions. Every error
 * message starts with what failed; the connection string is never logged.
 */
#ifndef REMOTEGEN_DB_H
#define REMOTEGEN_DB_H

#include <libpq-fe.h>
#include "util.h"

/* Connects (conninfo may be "" to use libpq's PG* variables). NULL on error. */
PGconn *db_connect(const char *conninfo, char *err);
void db_close(PGconn *c);

/*
 * Runs one parameterized statement with text parameters (NULL = SQL NULL).
 * Returns the result (the caller PQclear()s it), or NULL with err set to
 * "<what>: <server message>".
 */
PGresult *db_exec(PGconn *c, const char *what, const char *sql, int n, const char *const *params, char *err);
/* The same with per-parameter lengths and formats (1 = binary, e.g. bytea). */
PGresult *db_execb(PGconn *c, const char *what, const char *sql, int n, const char *const *params, const int *lengths,
		   const int *formats, char *err);
/* Text parameters, binary results (for bytea columns; PQgetvalue gives raw bytes). */
PGresult *db_exec_bin(PGconn *c, const char *what, const char *sql, int n, const char *const *params, char *err);
/* Appends a text[] literal ("{\"a\",\"b\"}") for sv, for use as a parameter value. */
void db_text_array(const struct strvec *sv, struct buf *out);
/* Runs a statement and discards its result. Returns 0 or -1. */
int db_run(PGconn *c, const char *what, const char *sql, int n, const char *const *params, char *err);

/* The integer in a result cell (0 when NULL or not a number: integer columns only). */
long long db_ll(const PGresult *r, int row, int col);

/*
 * Runs a query answering one row of n_out numbers or booleans into out
 * (NULL and false are 0, true is 1). Returns 0 or -1 (err set).
 */
int db_numbers(PGconn *c, const char *what, const char *sql, int n, const char *const *params, long long *out,
	       int n_out, char *err);

int db_begin(PGconn *c, char *err);
int db_commit(PGconn *c, char *err);
/* Rolls back if a transaction is open; never fails. */
void db_rollback(PGconn *c);

/* The SQLSTATE of the last failed statement on this thread, or "" (e.g. "23505"). */
const char *db_last_sqlstate(void);

/* 1 when the connection is gone (server restart): reconnect. */
int db_broken(PGconn *c);

/*
 * Connects *c when it is NULL or gone (logging database_reconnected when it
 * replaces a connection). Returns 0 or -1 (err set).
 */
int db_ensure(PGconn **c, const char *conninfo, char *err);

#endif
