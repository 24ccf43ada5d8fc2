/*
 * queue: the generations table and every statement about it. Enqueues new
 * (commit, template version) pairs (the synthetic version is written here
 * once, from lib/version.h's VERSION_FORMAT), claims ready generations with
 * short transactions (FOR UPDATE SKIP LOCKED in a CTE), extends and reaps
 * leases, records outcomes (published, retry with backoff, failed, handed
 * back), lists published generations for index files, the feed and verify,
 * gives feed positions, counts by state, resets failures (retry) and queues
 * older commits (backfill). Never holds a transaction open while work runs.
 * Its row structs are its own: no header of workers/ or publisher/.
 */
#ifndef REMOTEGEN_QUEUE_H
#define REMOTEGEN_QUEUE_H

#include <libpq-fe.h>
#include "util.h"

/* A plugin of a claimed generation's template version, as registered. */
struct queue_plugin {
	char *label; /* owner/name:version */
	char *runtime, *exec_path, *image_ref, *parameter, *go_min_version;
	struct strvec go_deps;
	long long timeout_ms;
	unsigned long long memory_bytes, output_bytes;
	long long version_id;	   /* plugin_versions.id */
	int per_file;		   /* declared --per-file: its output may come from the cache */
	struct strvec npm_deps;	   /* "name@range": the plugin generates npm packages */
	int npm_commonjs;	   /* its npm output is CommonJS (require), not ES modules */
	struct strvec python_deps; /* "protobuf>=3.21": the plugin generates Python packages */
	struct strvec ro_paths;	   /* bwrap: more read-only paths */
};

/* A file of a dependency commit (transitively), with its module, commit and version. */
struct queue_dep_file {
	char *file, *mod_owner, *mod_name;
	int sequence;
	char *version; /* the synthetic version of that commit with the same template version */
};

/* One claimed generation: everything a worker needs to generate it. */
struct queue_job {
	long long id;
	int attempts;
	char *version; /* synthetic version */
	long long commit_id;
	int sequence;
	struct buf image;
	struct strvec own_files;
	char *protoc_version;
	long long commit_us; /* commit time, microseconds since the epoch */
	long long module_id;
	char *module_owner, *module_name;
	long long template_id;
	char *template_owner, *template_name;
	int template_version;
	long long template_version_id;
	struct queue_dep_file *deps; /* files of the commits this commit depends on */
	size_t n_deps;
	struct queue_plugin *plugins;
	size_t n_plugins;
};

/* Frees what q holds (not q itself). */
void queue_job_release(struct queue_job *q);

/*
 * *anything = 0 when there is nothing to do: no unscheduled commit or template
 * version, no pending and no running generation. One round trip, partial indexes only.
 */
int queue_anything(PGconn *c, int *anything, char *err);

/* Creates generations for new commits and new template versions; *created counts them. */
int queue_enqueue(PGconn *c, int *created, char *err);

/*
 * Claims up to max ready generations for lease_owner and loads them. *jobs is
 * a malloc'ed array of n malloc'ed jobs (the caller frees each with
 * queue_job_release and free, and the array with free). Returns 0 or -1.
 */
int queue_claim(PGconn *c, const char *lease_owner, int max, long long lease_ms, struct queue_job ***jobs, size_t *n,
		char *err);

/*
 * Loads generation id as a claim would (inputs, plugins, dependencies)
 * without claiming it: `verify --repair` generates a published version again.
 * *out is freed with queue_job_release and free. Returns 0 or -1 (err set).
 */
int queue_load(PGconn *c, long long id, struct queue_job **out, char *err);

/* Extends the leases of these generations. */
int queue_extend(PGconn *c, const char *lease_owner, const long long *ids, size_t n, long long lease_ms, char *err);

/* What publishing a generation records: each target fills its own columns, the rest stay NULL. */
struct queue_publication {
	const char *zip_hash, *mod_hash;		     /* Go module: h1: of the zip and go.mod */
	const char *package, *manifest, *integrity, *shasum; /* npm, python: see sql/013_packages.sql */
	const char *kind, *artifact;			     /* "npm" or "python"; python: the wheel's name */
	long long plugin_ms, publish_ms;
};

/*
 * Marks generation id published (inside the caller's transaction); returns 1
 * when this process still held the lease and the row changed, 0 when it did
 * not, -1 on error.
 */
int queue_mark_published(PGconn *c, const char *lease_owner, long long id, const struct queue_publication *p,
			 char *err);

/*
 * Serialises whoever takes the same key (an index's lock key, the feed)
 * until the end of the current transaction.
 */
int queue_lock(PGconn *c, const char *key, char *err);

/*
 * Whether package name is already published by another (template, module)
 * pair: 0 no, 1 yes (*owner gets "module M with template T", malloc'ed), -1 error.
 */
int queue_package_owner(PGconn *c, const char *package, long long template_id, long long module_id, char **owner,
			char *err);

/* One published generation. Strings live in the result of the list they come from. */
struct queue_published {
	long long id, feed_seq; /* feed_seq 0: not placed yet */
	long long template_id, module_id;
	const char *tmpl_owner, *tmpl_name, *mod_owner, *mod_name;
	const char *version;				     /* synthetic version */
	long long commit_us;				     /* commit time */
	long long published_us;				     /* when it was published */
	const char *zip_hash, *mod_hash;		     /* NULL unless a Go module */
	const char *package, *manifest, *integrity, *shasum; /* NULL for a Go module (sql/013_packages.sql) */
	const char *kind;				     /* "npm", "python"; NULL for a Go module */
	const char *artifact;				     /* python: the wheel's file name */
	int yanked;					     /* left out of index files */
	const char *yank_reason, *deprecated;		     /* NULL: none */
	long long marked_us;				     /* when a mark last changed (0: never) */
};

/* A list of published generations and the result that holds their strings. */
struct queue_rows {
	struct queue_published *v;
	size_t n;
	PGresult *res;
};
#define QUEUE_ROWS_INIT       \
	{                     \
		NULL, 0, NULL \
	}
void queue_rows_release(struct queue_rows *r);

/* Published generation id as one row (out->n is 0 when it is not published). Returns 0 or -1 (err set). */
int queue_published_one(PGconn *c, long long id, struct queue_rows *out, char *err);
/* Every version ever marked (yanked, deprecated, restored), in the order of its last mark. */
int queue_marked_rows(PGconn *c, struct queue_rows *out, char *err);

/* What `generation yank|deprecate|restore` does to a published version. */
enum queue_mark {
	QUEUE_YANK,	 /* left out of index files; text: the reason (may be NULL) */
	QUEUE_DEPRECATE, /* text: the message consumers see */
	QUEUE_RESTORE,	 /* neither any more */
};
/* Marks published generation id. Returns 1 marked, 0 not published, -1 error (err set). */
int queue_set_mark(PGconn *c, long long id, enum queue_mark mark, const char *text, char *err);

/* The published generations of (template, module), in no particular order. */
int queue_published_of(PGconn *c, long long template_id, long long module_id, struct queue_rows *out, char *err);
/* The names of every published package of kind ("npm", "python"), sorted, appended to out. 0 or -1. */
int queue_package_names(PGconn *c, const char *kind, struct strvec *out, char *err);
/* Every published generation, in publication order. */
int queue_published_all(PGconn *c, struct queue_rows *out, char *err);
/* The published generations at feed positions [first, last], in feed order. */
int queue_feed_rows(PGconn *c, long long first, long long last, struct queue_rows *out, char *err);

/* The highest feed position (0: none); *unplaced (may be NULL) is 1 when some published ones have none. */
int queue_feed_top(PGconn *c, long long *top, int *unplaced, char *err);
/*
 * Gives the next positions after top to published generations without one,
 * in publication order, inside the caller's transaction (which holds the feed
 * lock). *placed counts them.
 */
int queue_feed_place(PGconn *c, long long top, long long *placed, char *err);

/*
 * Hands a claimed generation back to the queue without counting the attempt
 * (the store was unusable, or the process is stopping), keeping msg as its
 * last error.
 */
int queue_release(PGconn *c, const char *lease_owner, long long id, const char *msg, char *err);

/* The backoff before attempt attempts+1 (without jitter). */
long long queue_backoff_ms(int attempts, long long base_ms);

/* Generations by state and the queue's age, from partial indexes only. */
struct queue_counts {
	long long pending, running, published, failed;
	long long unfed;	    /* published, not yet placed in the feed */
	long long next_ready_ms;    /* until the next pending one may run */
	long long oldest_pending_s; /* age of the oldest pending one */
	long long published_last_hour;
	long long last_published_epoch; /* when one was last published (0: never) */
	long long pending_disabled;	/* of the pending, those of disabled templates (nothing claims them) */
};
int queue_counts(PGconn *c, struct queue_counts *n, char *err);

/*
 * Pending, running and failed generations of one template (partial indexes
 * only) and how many were ever published (generation_counts, kept at publication).
 */
struct queue_template_counts {
	const char *template; /* "owner/name", in the result */
	long long pending, running, failed, published;
};
/* Every template with pending, running, failed or published generations, by name. Release *res with PQclear. */
int queue_counts_by_template(PGconn *c, struct queue_template_counts **v, size_t *n, PGresult **res, char *err);

/* A failed generation, for status. Strings live in the result. */
struct queue_failure {
	long long id, sequence, attempts, failed_us;
	const char *module, *template, *version, *error; /* "owner/name", "owner/name:vN" */
};
/* The most recent failures, newest first, at most limit (0: all). Release *res with PQclear. */
int queue_failures(PGconn *c, int limit, struct queue_failure **v, size_t *n, PGresult **res, char *err);

/* What queue_fail recorded. */
struct queue_fail_result {
	int final;			  /* failed for good */
	struct queue_failure *dependents; /* pending generations failed with it (strings in res) */
	size_t n_dependents;
	PGresult *res;
};
void queue_fail_result_release(struct queue_fail_result *r);

/* What the reaper did (release with queue_reap_result_release). */
struct queue_reap_result {
	int reaped;			      /* expired leases */
	struct queue_failure *failed;	      /* of those, failed for good (strings in res) */
	struct queue_fail_result *dependents; /* dependents[i]: failed with failed[i] */
	size_t n_failed;
	PGresult *res;
};
void queue_reap_result_release(struct queue_reap_result *r);

/*
 * Returns generations whose lease expired (their process stopped or hung) to
 * the queue, in one transaction: the attempt counts, the next one waits its
 * backoff (base_ms * 2^(attempts-1)), and a generation that used its
 * max_attempts fails for good with that reason, and so does what depends on
 * it (as queue_fail). Returns 0 or -1 (err set).
 */
int queue_reap(PGconn *c, int max_attempts, long long base_ms, struct queue_reap_result *out, char *err);

/*
 * Records a failure, in one transaction: permanent failures and the last
 * allowed attempt become 'failed', and so do the pending generations that
 * depend on it with the same template version (listed in out, to be logged
 * and counted); others go back to 'pending' after an exponential backoff
 * with jitter (base_ms * 2^(attempts-1), +-50%). out is filled here (release
 * it with queue_fail_result_release). Returns 0 or -1 (err set).
 */
int queue_fail(PGconn *c, const char *lease_owner, const struct queue_job *q, const char *error, int permanent,
	       int max_attempts, long long base_ms, struct queue_fail_result *out, char *err);

/* One generation as `generation list` and `show` print it. Strings live in the result. */
struct queue_generation {
	long long id, sequence, attempts, plugin_ms, publish_ms;
	long long created_us, started_us, finished_us, next_attempt_us, lease_until_us; /* 0: none */
	const char *state, *module, *template, *version;			     /* "owner/name", "owner/name:vN" */
	const char *error, *lease_owner, *zip_hash, *mod_hash, *package, *integrity; /* NULL: none */
	long long yanked_us;							     /* 0: not yanked */
	const char *yank_reason, *deprecated;					     /* NULL: none */
	const char *kind; /* the package's ecosystem ("npm", "python"); NULL for a Go module */
};

/* Which generations `generation list` shows ("" or 0: any). */
struct queue_filter {
	const char *state;
	const char *t_owner, *t_name, *m_owner, *m_name;
	long long since_us; /* changed (created, started or finished) at or after */
	int limit;
};

/* The generations that match f, newest first. *v is malloc'ed; its strings live in *res. */
int queue_list(PGconn *c, const struct queue_filter *f, struct queue_generation **v, size_t *n, PGresult **res,
	       char *err);
/* Generation id into *g: 0 found, 1 no such generation, -1 error. Its strings live in *res. */
int queue_show(PGconn *c, long long id, struct queue_generation *g, PGresult **res, char *err);

/* One attempt of a generation (generation_attempts, migration 006). Strings live in the result. */
struct queue_attempt {
	long long attempt, started_us, finished_us;
	const char *outcome, *lease_owner, *error; /* NULL: none */
};
/* Every attempt of generation id, oldest first. *v is malloc'ed; its strings live in *res. */
int queue_attempts(PGconn *c, long long id, struct queue_attempt **v, size_t *n, PGresult **res, char *err);

/* The first of ids (a bigint[] literal) that is no generation: *missing (0: all exist). */
int queue_first_unknown(PGconn *c, const char *ids, long long *missing, char *err);

/*
 * Fails the pending generations of template template_id with why (a
 * template being disabled), in the caller's transaction; *stopped counts them.
 */
int queue_stop_template(PGconn *c, long long template_id, const char *why, long long *stopped, char *err);

/*
 * Puts failed generations back in the queue with their attempts reset: those
 * in ids (a bigint[] literal; "{}" for all) of template t_owner/t_name and
 * module m_owner/m_name ("" for any). *queued counts them.
 */
int queue_retry(PGconn *c, const char *ids, const char *t_owner, const char *t_name, const char *m_owner,
		const char *m_name, long long *queued, char *err);

/*
 * Backfill: queues the generations of template version tv_id for up to batch
 * commits with id > *after_id (of module m_owner/m_name, "" for all, from
 * sequence from on) at low priority. *after_id moves to the last commit seen;
 * *seen counts the commits (0: none left), *queued the new generations.
 */
int queue_backfill_batch(PGconn *c, long long tv_id, const char *m_owner, const char *m_name, long from,
			 long long *after_id, long batch, long *seen, long *queued, char *err);

#endif
