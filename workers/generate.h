/*
 * generate: runs a template version on a prepared request: each plugin in
 * template order (plugin.h), per-file plugins with the output cache
 * (filecache.h), the files merged as protoc merges them.
 */
#ifndef REMOTEGEN_GENERATE_H
#define REMOTEGEN_GENERATE_H

#include "filecache.h"
#include "plugin.h"

/*
 * Runs the plugins and fills out (caller-initialised, caller-released).
 * Returns 0, or a negative value with *failure set and err naming the plugin,
 * the file and the rule. plugin_ms receives the time spent in plugins. When
 * *abort (may be NULL) becomes non-zero, the running plugin is killed and the
 * failure is PLUGIN_INTERRUPTED. cache (may be NULL) serves per-file
 * plugins: only files whose key it lacks are sent to the plugin; the output
 * is the same as without it. stats (may be NULL) adds up hits and misses.
 */
int generate_run(const struct request *req, const struct plugin_spec *plugins, size_t n, const struct filecache *cache,
		 const volatile sig_atomic_t *abort, struct fileset *out, enum plugin_failure *failure,
		 long long *plugin_ms, struct filecache_stats *stats, char *err);

#endif
