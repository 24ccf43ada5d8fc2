/*
 * scheduler: the generation queue in PostgreSQL. Enqueues new (commit, template
 * version) pairs, claims ready generations with short transactions
 * (FOR UPDATE SKIP LOCKED in a CTE), extends and reaps leases, records
 * outcomes (published, retry with backoff, failed) and lists the published
 * versions of a module path for its index files. Never holds a transaction
 * open while work runs.
 */
#ifndef REMOTEGEN_SCHEDULER_H
#define REMOTEGEN_SCHEDULER_H

#include <libpq-fe.h>
#include "dirhash.h"
#include "fileset.h"
#include "generate.h"
#include "npmpkg.h"
#include "publish.h"

struct sched_plugin {
	char *label;          /* owner/name:version */
	char *runtime, *exec_path, *image_ref, *parameter, *go_min_version;
	struct strvec go_deps;
	long long timeout_ms;
	unsigned long long memory_bytes, output_bytes;
	long long version_id; /* plugin_versions.id */
	int per_file;         /* declared --per-file: its output may come from the cache */
	struct strvec npm_deps; /* "name@range": the plugin generates npm packages */
	struct strvec ro_paths; /* bwrap: more read-only paths */
};

/* A file of a dependency commit (transitively), with its module and commit sequence. */
struct sched_dep_file {
	char *file, *mod_owner, *mod_name;
	int sequence;
};

/* One claimed generation: what a worker needs, and what it and the publisher produce. */
struct sched_job {
	long long id;
	int attempts;
	char *version;                  /* synthetic version */
	long long commit_id;
	int sequence;
	struct buf image;
	struct strvec own_files;
	char *protoc_version;
	char *time;                     /* commit time, RFC 3339 UTC */
	long long module_id;
	char *module_owner, *module_name;
	long long template_id;
	char *template_owner, *template_name;
	int template_version;
	long long template_version_id;
	struct sched_dep_file *deps;    /* files of the commits this commit depends on */
	size_t n_deps;
	struct sched_plugin *plugins;
	size_t n_plugins;

	/* filled by the pipeline */
	char *modpath;
	struct fileset files;
	int failed;
	int store_fatal;                /* the store refused us (credentials, bucket): not the job's fault */
	enum generate_failure failure;
	char error[ERR_SIZE];
	long long plugin_ms, publish_ms;
	struct generate_stats cache;   /* files of per-file plugins from the cache, and sent to them */
	struct publish_module built;    /* the module, built by the worker */
	int is_npm;                     /* the template's plugins generate npm packages */
	struct npmpkg npm;              /* ... and this package version, built by the worker */
	int npm_name_taken;             /* the package name is another pair's (publisher) */
	char zip_hash[DIRHASH_SIZE], mod_hash[DIRHASH_SIZE];
};

void sched_job_free(struct sched_job *j);

/*
 * *anything = 0 when there is nothing to do: no unscheduled commit or template
 * version, no pending and no running generation. One round trip, partial indexes only.
 */
int sched_anything(PGconn *c, int *anything, char *err);

/* Creates generations for new commits and new template versions; *created counts them. */
int sched_enqueue(PGconn *c, int *created, char *err);

/* Returns expired leases to the queue; *reaped counts them. */
int sched_reap(PGconn *c, int *reaped, char *err);

/*
 * Claims up to max ready generations for lease_owner and loads them. *jobs is
 * a malloc'ed array of jobs (each freed with sched_job_free; the array with
 * free()). Returns 0 or -1.
 */
int sched_claim(PGconn *c, const char *lease_owner, int max, long long lease_ms,
		struct sched_job ***jobs, size_t *n, char *err);

/* Extends the leases of these generations. */
int sched_extend(PGconn *c, const char *lease_owner, const long long *ids, size_t n,
		 long long lease_ms, char *err);

/*
 * Marks job published (inside the caller's transaction); returns 1 when this
 * process still held the lease and the row changed, 0 when it did not.
 */
int sched_mark_published(PGconn *c, const char *lease_owner, const struct sched_job *j, char *err);

/*
 * Serialises index rewrites of one module path (or "npm:" + package name)
 * within the current transaction.
 */
int sched_lock_module(PGconn *c, const char *modpath, char *err);

/*
 * Lists the published versions of (template, module): *v is malloc'ed, its
 * strings live in *res (PQclear it after use).
 */
int sched_published_versions(PGconn *c, long long template_id, long long module_id,
			     struct publish_version **v, size_t *n, PGresult **res, char *err);

/*
 * Whether npm package name already belongs to another (template, module)
 * pair: 0 no, 1 yes (*owner gets "module M with template T", malloc'ed), -1 error.
 */
int sched_npm_name_taken(PGconn *c, const struct sched_job *j, char **owner, char *err);

/*
 * Lists the published npm versions of (template, module) with their
 * manifests and hashes: *v is malloc'ed, its strings live in *res.
 */
int sched_published_npm(PGconn *c, long long template_id, long long module_id,
			struct npmpkg_version **v, size_t *n, PGresult **res, char *err);

/*
 * Records a failure: permanent failures and the last allowed attempt become
 * 'failed'; others go back to 'pending' after an exponential backoff with
 * jitter (base_ms * 2^(attempts-1), +-50%). *final is 1 when failed for good.
 */
int sched_fail(PGconn *c, const char *lease_owner, const struct sched_job *j, int max_attempts,
	       long long base_ms, int *final, char *err);

/*
 * Hands a claimed generation back to the queue without counting the attempt
 * (the store was unusable, or the process is stopping), keeping msg as its
 * last error.
 */
int sched_release(PGconn *c, const char *lease_owner, const struct sched_job *j, const char *msg,
		  char *err);

/* One published version, for the feed and for verify. Strings live in the PGresult. */
struct sched_published {
	long long id;
	const char *tmpl_owner, *tmpl_name, *mod_owner, *mod_name;
	const char *version, *time, *published_at, *zip_hash, *mod_hash;
	long long template_id, module_id;
	/* npm generations: the package, its package.json and hashes (NULL for Go) */
	const char *npm_package, *npm_manifest, *npm_integrity, *npm_shasum;
};

/*
 * Lists every published generation in publication order. *v is malloc'ed;
 * its strings live in *res (PQclear it after use).
 */
int sched_all_published(PGconn *c, struct sched_published **v, size_t *n, PGresult **res, char *err);

/* The backoff before attempt attempts+1 (without jitter). */
long long sched_backoff_ms(int attempts, long long base_ms);

/* Generations by state and the queue's age, from indexes only (see sched_counts). */
struct sched_counts {
	long long pending, running, published, failed;
	long long next_ready_ms;        /* until the next pending one may run */
	long long oldest_pending_s;     /* age of the oldest pending one */
	long long published_last_hour;
	long long last_published_epoch; /* when one was last published (0: never) */
};
int sched_counts(PGconn *c, struct sched_counts *n, char *err);


#endif
