/*
 * publish: turns a generated file set into a published Go module version:
 * builds go.mod, the deterministic zip and .info (publish_build), writes the
 * immutable files in order zip, mod, info (publish_upload), then the mutable
 * index files @v/list and @latest from a list of published versions
 * (publish_index). Index files are always rewritten after the immutable files
 * they mention exist.
 */
#ifndef REMOTEGEN_PUBLISH_H
#define REMOTEGEN_PUBLISH_H

#include "dirhash.h"
#include "fileset.h"
#include "store.h"
#include "zipcache.h"

struct publish_module {
	char *modpath; /* owned */
	char *version; /* owned */
	struct buf zip, mod, info;
	char zip_hash[DIRHASH_SIZE];
	char mod_hash[DIRHASH_SIZE];
};

/*
 * Builds the module from files (generated code, names relative to the module
 * root; go.mod is added here and must not be among them). time is RFC 3339
 * UTC ("2026-11-24T07:41:33Z"); go_version NULL means the default; requires
 * holds "module@version"; zc (may be NULL) is the process's cache of deflated
 * entries (modzip_build). m is initialised here; release with
 * publish_module_release even on failure. Returns 0 or -1 (err set).
 */
int publish_build(struct publish_module *m, const char *modpath, const char *version, const char *time,
		  const char *go_version, const struct strvec *requires, struct fileset *files, struct zipcache *zc,
		  char *err);
void publish_module_release(struct publish_module *m);

/* Appends the .info (and @latest) document {"Version":..,"Time":..} and a newline. */
void publish_info(const char *version, const char *time, struct buf *out);

/*
 * Writes .zip, .mod, .info as immutable objects. A zip already there with
 * other bytes but the same files (same h1:, another deflate level) is kept
 * and counts as written. Returns 0 or a STORE_* error (err set).
 */
int publish_upload(struct store *s, const struct publish_module *m, char *err);

struct publish_version {
	const char *version;
	const char *time;
};

/*
 * Rewrites <module>/@v/list and <module>/@latest for these published
 * versions (any order; sorted here). n must be > 0. Returns 0 or a STORE_*
 * error (err set).
 */
int publish_index(struct store *s, const char *modpath, struct publish_version *v, size_t n, char *err);

/* The store key of "<escaped module>/<suffix>" where suffix may hold a version,
 * e.g. publish_key(m, "@v/", "v1.1.2", ".zip"). Returns malloc'ed or NULL (err set). */
char *publish_key(const char *modpath, const char *middle, const char *version, const char *ext, char *err);

#endif
