/*
 * goproxy: turns a generated file set into a published Go module version:
 * builds go.mod, the deterministic zip and .info (goproxy_build), writes the
 * immutable files in order zip, mod, info (goproxy_upload), then the mutable
 * index files @v/list and @latest from a list of published versions
 * (goproxy_index). Index files are always rewritten after the immutable files
 * they mention exist.
 */
#ifndef REMOTEGEN_GOPROXY_H
#define REMOTEGEN_GOPROXY_H

#include "dirhash.h"
#include "fileset.h"
#include "store.h"
#include "zipcache.h"

struct goproxy_module {
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
 * goproxy_module_release even on failure. Returns 0 or -1 (err set).
 */
int goproxy_build(struct goproxy_module *m, const char *modpath, const char *version, const char *time,
		  const char *go_version, const struct strvec *requires, struct fileset *files, struct zipcache *zc,
		  char *err);
void goproxy_module_release(struct goproxy_module *m);

/* Appends the .info (and @latest) document {"Version":..,"Time":..} and a newline. */
void goproxy_info(const char *version, const char *time, struct buf *out);

/*
 * Writes .zip, .mod, .info as immutable objects. A zip already there with
 * other bytes but the same files (same h1:, another deflate level) is kept
 * and counts as written. Returns 0 or a STORE_* error (err set).
 */
int goproxy_upload(struct store *s, const struct goproxy_module *m, char *err);

struct goproxy_version {
	const char *version;
	const char *time;
};

/*
 * Rewrites <module>/@v/list and <module>/@latest for these published
 * versions (any order; sorted here). n must be > 0. Returns 0 or a STORE_*
 * error (err set).
 */
int goproxy_index(struct store *s, const char *modpath, struct goproxy_version *v, size_t n, char *err);

/* The bytes goproxy_index writes (v sorted here, n > 0), appended to list and latest: verify compares with them. */
void goproxy_render_index(struct goproxy_version *v, size_t n, struct buf *list, struct buf *latest);

/* The store key of "<escaped module>/<suffix>" where suffix may hold a version,
 * e.g. goproxy_key(m, "@v/", "v1.1.2", ".zip"). Returns malloc'ed or NULL (err set). */
char *goproxy_key(const char *modpath, const char *middle, const char *version, const char *ext, char *err);

#endif
