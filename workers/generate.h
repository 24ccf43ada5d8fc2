/*
 * generate: runs a template version on a prepared request: each plugin in
 * template order (through subproc), validates its CodeGeneratorResponse and
 * merges the files, applying insertion points the way protoc does.
 */
#ifndef REMOTEGEN_GENERATE_H
#define REMOTEGEN_GENERATE_H

struct answer;
struct filecache;
#include <signal.h>
#include "fileset.h"
#include "request.h"
#include "runtime.h"

struct generate_plugin {
	const char *label;     /* "owner/name:version", for messages */
	const char *runtime;   /* "exec" | "bwrap" | "oci" */
	const char *exec_path; /* exec, bwrap */
	const char *image_ref; /* oci */
	const char *parameter; /* as sent (Go plugins already have paths=source_relative) */
	long long timeout_ms;
	unsigned long long memory_bytes;
	unsigned long long output_bytes;
	long long version_id;			  /* plugin_versions.id: part of cache keys */
	int per_file;				  /* declared --per-file: outputs may come from the cache */
	const struct strvec *ro_paths;		  /* bwrap: more read-only paths (NULL: none) */
	const struct runtime_config *runtime_cfg; /* where bwrap and the oci engine are (NULL: defaults) */
};

/* What a generation took from the cache (files of per-file plugins). */
struct generate_stats {
	long cache_hits, cache_misses;
};

/* Outcome of a failed generation. */
enum generate_failure {
	GENERATE_TRANSIENT = 1,	  /* crash, timeout, could not start: worth a retry */
	GENERATE_PERMANENT = 2,	  /* the plugin's own error or invalid output */
	GENERATE_INTERRUPTED = 3, /* stopped by a shutdown: hand the work back */
};

/*
 * Runs the plugins and fills out (caller-initialised, caller-released).
 * Returns 0, or a negative value with *failure set and err naming the plugin,
 * the file and the rule. plugin_ms receives the time spent in plugins. When
 * *abort (may be NULL) becomes non-zero, the running plugin is killed and the
 * failure is GENERATE_INTERRUPTED. cache (may be NULL) serves per-file
 * plugins: only files whose key it lacks are sent to the plugin; the output
 * is the same as without it. stats (may be NULL) adds up hits and misses.
 */
int generate_run(const struct request *req, const struct generate_plugin *plugins, size_t n,
		 const struct filecache *cache, const volatile sig_atomic_t *abort, struct fileset *out,
		 enum generate_failure *failure, long long *plugin_ms, struct generate_stats *stats, char *err);

/*
 * Applies protoc's insertion-point rule: content goes above the line holding
 * "@@protoc_insertion_point(point)" (or just before an inline "/ * @@..."),
 * each line prefixed with that line's indentation, and a newline added when
 * the content does not end with one. Returns 0, or -1 when the
 * point is not in target.
 */
int generate_insert(struct buf *target, const char *point, const char *content, size_t len);

/* Checks a generated file name: relative, normalized, no "..", no backslash. */
int generate_check_name(const char *name, char *why, size_t whysz);

/*
 * For filecache.c: runs plugin p once with file_to_generate = files[0..n)
 * and checks its answer (the process, the response, proto3 optional, file
 * names); on success ans (caller-initialised) holds its files in order.
 * Returns 0 or -1 (failure, err set); *ms adds the plugin's time.
 */
int generate_plugin_once(const struct request *req, const struct generate_plugin *p, char **files, size_t n,
			 const volatile sig_atomic_t *abort, struct answer *ans, enum generate_failure *failure,
			 long long *ms, char *err);
/* Adds an answer to out: insertion points into earlier files, new files once. 0 or -1 (permanent). */
int generate_merge(const struct generate_plugin *p, const struct answer *ans, struct fileset *out,
		   enum generate_failure *failure, char *err);
/* generate_plugin_once on every file to generate, merged into out. */
int generate_plugin_full(const struct request *req, const struct generate_plugin *p, const volatile sig_atomic_t *abort,
			 struct fileset *out, enum generate_failure *failure, long long *ms, char *err);

#endif
