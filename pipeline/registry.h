/*
 * registry: what admins and the registry write: module commits, plugins and
 * plugin versions, templates and template versions. Each call is one
 * transaction; on any error nothing is written and err names the object.
 */
#ifndef REMOTEGEN_REGISTRY_H
#define REMOTEGEN_REGISTRY_H

#include <libpq-fe.h>
#include "image.h"
#include "names.h"

/* Registry limits: what one push or one template may hold. */
#define REGISTRY_MAX_DEPS    64 /* --dep of one module push */
#define REGISTRY_MAX_PLUGINS 64 /* plugins of one template */

/* A dependency of a push: module and sequence (0 = its latest commit). */
struct registry_dep {
	struct name_ref module;
	int sequence;
};

/*
 * Records img as the next commit of module m. When the module's latest
 * commit has the same digest, nothing is written and *created is 0.
 * *sequence receives the commit's sequence. deps are resolved to commits;
 * an unknown dependency is an error.
 */
int registry_push(PGconn *c, const struct name_ref *m, const struct image *img, const struct registry_dep *deps,
		  size_t n_deps, int *sequence, int *created, char *err);

/*
 * Loads the images of deps' commits into images[0..n_deps) (caller-
 * initialised, caller-released) and appends their files to files. An unknown
 * dependency, or module self itself as a dependency (a cycle), is an error.
 */
int registry_dep_images(PGconn *c, const struct name_ref *self, const struct registry_dep *deps, size_t n_deps,
			struct buf *images, struct strvec *files, char *err);

struct registry_plugin_version {
	struct name_ref plugin;
	const char *version;
	const char *runtime;		  /* exec | bwrap | oci */
	const char *exec_path;		  /* exec, bwrap: absolute path of an executable */
	const char *image_ref;		  /* oci */
	const struct strvec *go_deps;	  /* "module@version" */
	const char *go_min_version;	  /* NULL for none */
	long long timeout_ms;		  /* wall clock per run */
	unsigned long long memory_bytes;  /* RLIMIT_AS (exec, bwrap) or --memory (oci) */
	unsigned long long output_bytes;  /* largest response accepted */
	int per_file;			  /* each file's output depends on it and its imports only */
	const struct strvec *npm_deps;	  /* "name@range": npm runtime packages (NULL: none) */
	const char *npm_module;		  /* with npm_deps: "esm" or "commonjs"; else NULL */
	const struct strvec *python_deps; /* "protobuf>=3.21": Requires-Dist (NULL: none) */
	const struct strvec *ro_paths;	  /* absolute paths bound read-only under bwrap (NULL: none) */
};

/* Limits of a plugin version when none are given. */
#define PLUGIN_DEFAULT_TIMEOUT_MS   120000LL
#define PLUGIN_DEFAULT_MEMORY_BYTES (2ULL << 30)
#define PLUGIN_DEFAULT_OUTPUT_BYTES (256ULL << 20)

int registry_plugin_add(PGconn *c, const struct registry_plugin_version *pv, char *err);

/*
 * Points plugin version (plugin, version) at a new executable (exec_path, for
 * runtimes exec and bwrap) or image (image_ref, for oci), one of them NULL,
 * and records the move (plugin_version_moves). *old gets the previous
 * location (malloc'ed). Returns 0, 1 when there is no such plugin version, -1
 * on error (err set: also a location that does not fit the runtime).
 */
int registry_plugin_move(PGconn *c, const struct name_ref *plugin, const char *version, const char *exec_path,
			 const char *image_ref, char **old, char *err);

struct registry_template_plugin {
	struct name_ref plugin;
	const char *parameter; /* "" for none */
};

int registry_template_create(PGconn *c, const struct name_ref *t, const struct registry_template_plugin *plugins,
			     size_t n, char *err);

struct registry_pin {
	struct name_ref plugin;
	const char *version;
};

/* Creates the next version of template t; *number receives N of vN. */
int registry_template_version(PGconn *c, const struct name_ref *t, const struct registry_pin *pins, size_t n,
			      int *number, char *err);

/*
 * Finds version number (0: the latest) of template t: *tv_id, *found_number and
 * *label ("owner/name" as registered, malloc'ed). Returns 0, 1 when there is
 * no such version, -1 on error.
 */
int registry_find_template_version(PGconn *c, const struct name_ref *t, long number, long long *tv_id,
				   long *found_number, char **label, int *disabled, char *err);

/* 1 when module m (kind "module") or template m (kind "template") is registered, 0 when not, -1 on error. */
int registry_has(PGconn *c, const char *kind, const struct name_ref *m, char *err);

/*
 * Listings for admins, one row per object, columns named for display and
 * JSON (the caller PQclears *res). n names one object, or is NULL for all.
 */
typedef int (*registry_listing_fn)(PGconn *c, const struct name_ref *n, PGresult **res, char *err);
/* Plugin versions: plugin, version, runtime, executable or image, limits, declarations. */
int registry_list_plugins(PGconn *c, const struct name_ref *n, PGresult **res, char *err);
/* Templates: template, plugins with parameters, latest version. */
int registry_list_templates(PGconn *c, const struct name_ref *n, PGresult **res, char *err);
/* The versions of template n: version, created_at, pinned plugin versions. */
int registry_template_versions(PGconn *c, const struct name_ref *n, PGresult **res, char *err);
/* Modules: module, commits, latest commit and when. */
int registry_list_modules(PGconn *c, const struct name_ref *n, PGresult **res, char *err);
/* The commits of module n: commit, created_at, digest, own files, protoc, dependencies. */
int registry_module_commits(PGconn *c, const struct name_ref *n, PGresult **res, char *err);

/*
 * Disables (disable = 1) or enables template t, in the caller's transaction.
 * Enabling schedules its latest version again, so that the latest commit of
 * every module is generated with it. *template_id gets its id. Returns 0, 1
 * when there is no such template, -1 on error.
 */
int registry_template_disable(PGconn *c, const struct name_ref *t, int disable, long long *template_id, char *err);

/*
 * The registry's Go module path prefix: recorded by the first call, then
 * every call must give the same one. Returns 0, or -1 (err set: which prefix
 * the registry has, and how to proceed) on a different prefix or a database error.
 */
int registry_go_prefix(PGconn *c, const char *prefix, char *err);

/* How many commits of module m ("" owner: of every module) have a sequence >= from. */
int registry_count_commits(PGconn *c, const struct name_ref *m, long from, long *total, char *err);

#endif
