/*
 * target: one ecosystem (Go modules, npm packages, ...) behind one interface,
 * as curl's protocol handlers or the store's store_ops. A target decides how
 * a generation's request parameters are set, builds its package from the
 * generated files, writes the package's immutable files, names the lock its
 * index files are rewritten under, records what it published, rewrites its
 * index files from the database, and renders and audits what it published
 * (feed lines, verify). The run loop, the feed and verify know no ecosystem by
 * name: adding one is a target_<name>.c here and publisher/<name>/ below.
 */
#ifndef REMOTEGEN_TARGET_H
#define REMOTEGEN_TARGET_H

#include "config.h"
#include "job.h"
#include "jsonw.h"
#include "log.h"
#include "queue.h"
#include "request.h"
#include "store.h"

struct zipcache;
struct verify_ctx;

/* What targets share during a run (borrowed). */
struct target_env {
	const struct config *cfg;
	struct zipcache *zipcache; /* deflated zip entries of this process (NULL: none) */
};

/*
 * Runs the template's plugins for a target: in is the request input, params[i]
 * plugin i's parameter. Fills j->files; returns 0, or -1 with j failed.
 */
typedef int (*target_run_fn)(struct job *j, void *arg, const struct request_input *in, char **params);

struct target {
	const char *name; /* "go", "npm": logs and messages */

	/* 1 when the plugins of q's template version generate for this target. */
	int (*claims)(const struct queue_job *q);

	/*
	 * Worker stage: sets the request input and each plugin's parameter, calls
	 * run(j, arg, ...) once, and builds the package from j->files into
	 * j->pkg. Returns 0, or -1 with j failed (job_fail).
	 */
	int (*produce)(struct job *j, const struct target_env *env, target_run_fn run, void *arg);

	/*
	 * Publisher stage, before anything is written (and again under the lock):
	 * 1 the package may be published, 0 it may not (j failed, permanent), -1 a
	 * database error (err set). NULL: always 1.
	 */
	int (*admit)(struct job *j, PGconn *db, char *err);

	/* Writes the package's immutable files. Returns 0 or a STORE_* error (err set). */
	int (*upload)(const struct job *j, struct store *s, char *err);

	/* The key index rewrites of j's package are serialised under (malloc'ed). */
	char *(*lock_key)(const struct job *j);

	/* Fills the columns queue_mark_published records for j (strings borrowed from j). */
	void (*publication)(const struct job *j, struct queue_publication *p);

	/*
	 * Rewrites the index files of j's package from the published versions in
	 * the database, inside the caller's transaction. Returns 0, -1 on a
	 * database error, or a STORE_* error (err set).
	 */
	int (*index)(const struct job *j, PGconn *db, struct store *s, const struct target_env *env, char *err);

	/*
	 * The same for the package of published row p (after a mark changed:
	 * `generation yank|deprecate|restore`), inside the caller's transaction.
	 */
	int (*reindex)(const struct queue_published *p, PGconn *db, struct store *s, const struct target_env *env,
		       char *err);

	/* Adds the package's fields to a "published" log line. */
	void (*log_published)(const struct job *j, struct logline *l);

	/* Frees j->pkg. */
	void (*release)(struct job *j);

	/* 1 when published row p is this target's package. */
	int (*owns)(const struct queue_published *p);

	/* The feed line of published row p (fields after "Seq", in their fixed order). */
	void (*feed_line)(const struct queue_published *p, const struct config *cfg, json_t *line);

	/* The index lock key of published row p (malloc'ed), to audit each index once. */
	char *(*row_key)(const struct queue_published *p, const struct config *cfg);

	/*
	 * Audits one published version's immutable objects, and a package's
	 * index files from rows[0..n), every published row of that package (the
	 * same row_key, n >= 1, in publication order). Each adds the keys it
	 * expects to v's list. Returns 0, or <0 when verify itself failed (err in v).
	 */
	int (*verify_version)(struct verify_ctx *v, const struct queue_published *p);
	int (*verify_index)(struct verify_ctx *v, const struct queue_published *const *rows, size_t n);
};

extern const struct target target_go;
extern const struct target target_npm;
extern const struct target target_python;

/*
 * admit for targets whose package name a (template, module) pair owns: 1
 * when no other pair published name, 0 when one did (j failed, permanent,
 * naming it: "<kind> package <name> is already the package of ..."), -1 on
 * a database error (err set).
 */
int target_admit_package(struct job *j, PGconn *db, const char *kind, const char *name, char *err);

/* The target of a claimed generation (the first that claims it; Go takes the rest). */
const struct target *target_for_job(const struct queue_job *q);
/* The target of a published generation. */
const struct target *target_for_row(const struct queue_published *p);

#endif
