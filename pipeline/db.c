/*
 * db: libpq wrappers. Owns the thread-local last SQLSTATE.
 */
#include "db.h"
#include "num.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char last_state[6];

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* Warnings from the server become log lines; NOTICE, INFO, DEBUG and LOG are dropped. */
static void notice(void *arg, const PGresult *r)
{
	(void)arg;
	const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	if (!sev || strcmp(sev, "WARNING"))
		return;
	struct logline l;
	log_start(&l, "warn", "database_warning");
	log_str(&l, "reason", msg ? msg : "");
	log_end(&l);
}

PGconn *db_connect(const char *conninfo, char *err)
{
	PGconn *c = PQconnectdb(conninfo ? conninfo : "");
	if (!c) {
		err_set(err, "database: cannot allocate a connection");
		return NULL;
	}
	if (PQstatus(c) != CONNECTION_OK) {
		char msg[ERR_SIZE];
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
		trim(msg);
		err_set(err, "database: cannot connect: %s", msg);
		PQfinish(c);
		return NULL;
	}
	/* Notices below WARNING are dropped here (not by a SET: one round trip less per process). */
	PQsetNoticeReceiver(c, notice, NULL);
	return c;
}

void db_close(PGconn *c)
{
	if (c)
		PQfinish(c);
}

static PGresult *exec_fmt(PGconn *c, const char *what, const char *sql, int n, const char *const *params,
			  const int *lengths, const int *formats, int result_format, char *err)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, lengths, formats, result_format);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	last_state[0] = '\0';
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	char msg[ERR_SIZE];
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	snprintf(last_state, sizeof(last_state), "%s", state ? state : "");
	snprintf(msg, sizeof(msg), "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(c));
	if (!*msg)
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
	trim(msg);
	err_set(err, "%s: %s", what, msg);
	PQclear(r);
	return NULL;
}

PGresult *db_execb(PGconn *c, const char *what, const char *sql, int n, const char *const *params, const int *lengths,
		   const int *formats, char *err)
{
	return exec_fmt(c, what, sql, n, params, lengths, formats, 0, err);
}

PGresult *db_exec_bin(PGconn *c, const char *what, const char *sql, int n, const char *const *params, char *err)
{
	return exec_fmt(c, what, sql, n, params, NULL, NULL, 1, err);
}

void db_text_array(const struct strvec *sv, struct buf *out)
{
	buf_addc(out, '{');
	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			buf_addc(out, ',');
		buf_addc(out, '"');
		for (const char *p = sv->v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_addc(out, '\\');
			buf_addc(out, *p);
		}
		buf_addc(out, '"');
	}
	buf_addc(out, '}');
}

PGresult *db_exec(PGconn *c, const char *what, const char *sql, int n, const char *const *params, char *err)
{
	return db_execb(c, what, sql, n, params, NULL, NULL, err);
}

int db_run(PGconn *c, const char *what, const char *sql, int n, const char *const *params, char *err)
{
	PGresult *r = db_exec(c, what, sql, n, params, err);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

int db_numbers(PGconn *c, const char *what, const char *sql, int n, const char *const *params, long long *out,
	       int n_out, char *err)
{
	PGresult *r = db_exec(c, what, sql, n, params, err);
	if (!r)
		return -1;
	if (PQntuples(r) != 1 || PQnfields(r) != n_out) {
		PQclear(r);
		return err_set(err, "%s: expected one row of %d values", what, n_out);
	}
	for (int i = 0; i < n_out; i++) {
		const char *v = PQgetvalue(r, 0, i);
		out[i] = !strcmp(v, "t") ? 1 : num_trusted(v); /* NULL and false read as 0 */
	}
	PQclear(r);
	return 0;
}

int db_begin(PGconn *c, char *err)
{
	return db_run(c, "database: BEGIN", "BEGIN", 0, NULL, err);
}

int db_commit(PGconn *c, char *err)
{
	return db_run(c, "database: COMMIT", "COMMIT", 0, NULL, err);
}

void db_rollback(PGconn *c)
{
	if (PQtransactionStatus(c) != PQTRANS_IDLE) {
		PGresult *r = PQexecParams(c, "ROLLBACK", 0, NULL, NULL, NULL, NULL, 0);
		PQclear(r);
	}
}

const char *db_last_sqlstate(void)
{
	return last_state;
}

int db_broken(PGconn *c)
{
	return !c || PQstatus(c) != CONNECTION_OK;
}

long long db_ll(const PGresult *r, int row, int col)
{
	return num_trusted(PQgetvalue(r, row, col));
}

int db_ensure(PGconn **c, const char *conninfo, char *err)
{
	if (!db_broken(*c))
		return 0;
	int had = *c != NULL;
	db_close(*c);
	*c = db_connect(conninfo, err);
	if (*c && had) {
		struct logline l;
		log_start(&l, "info", "database_reconnected");
		log_end(&l);
	}
	return *c ? 0 : -1;
}
