/*
 * plugin: one plugin of a template run once: its request out through its
 * runtime (runtime.c, subproc.c), its CodeGeneratorResponse in and checked
 * (the process, the response, proto3 optional, file names), and its files
 * merged into the template's (insertion points as protoc applies them).
 */
#ifndef REMOTEGEN_PLUGIN_H
#define REMOTEGEN_PLUGIN_H

struct answer;
#include <signal.h>
#include "fileset.h"
#include "request.h"
#include "runtime.h"

struct plugin_spec {
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

/* Outcome of a failed generation. */
enum plugin_failure {
	PLUGIN_TRANSIENT = 1,	/* crash, timeout, could not start: worth a retry */
	PLUGIN_PERMANENT = 2,	/* the plugin's own error or invalid output */
	PLUGIN_INTERRUPTED = 3, /* stopped by a shutdown: hand the work back */
};

/*
 * Applies protoc's insertion-point rule: content goes above the line holding
 * "@@protoc_insertion_point(point)" (or just before an inline "/ * @@..."),
 * each line prefixed with that line's indentation, and a newline added when
 * the content does not end with one. Returns 0, or -1 when the
 * point is not in target.
 */
int plugin_insert(struct buf *target, const char *point, const char *content, size_t len);

/* Checks a generated file name: relative, normalized, no "..", no backslash. */
int plugin_check_name(const char *name, char *why, size_t whysz);

/*
 * Runs plugin p once with file_to_generate = files[0..n)
 * and checks its answer (the process, the response, proto3 optional, file
 * names); on success ans (caller-initialised) holds its files in order.
 * Returns 0 or -1 (failure, err set); *ms adds the plugin's time.
 */
int plugin_run(const struct request *req, const struct plugin_spec *p, char **files, size_t n,
	       const volatile sig_atomic_t *abort, struct answer *ans, enum plugin_failure *failure, long long *ms,
	       char *err);
/*
 * Reads a plugin's CodeGeneratorResponse (data[0..len), from outside) into
 * ans (caller-initialised): the response must parse, carry no error, declare
 * proto3 optional when the input uses it, and name its files validly.
 * Returns 0, or -1 with err naming the plugin (label) and the fault.
 */
int plugin_read_answer(const char *label, int uses_proto3_optional, const void *data, size_t len, struct answer *ans,
		       char *err);

/* Adds an answer to out: insertion points into earlier files, new files once. 0 or -1 (permanent). */
int plugin_merge(const struct plugin_spec *p, const struct answer *ans, struct fileset *out,
		 enum plugin_failure *failure, char *err);
/* plugin_run on every file to generate, merged into out. */
int plugin_run_all(const struct request *req, const struct plugin_spec *p, const volatile sig_atomic_t *abort,
		   struct fileset *out, enum plugin_failure *failure, long long *ms, char *err);

#endif
