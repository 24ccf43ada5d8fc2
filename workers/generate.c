/*
 * generate: runs a template version on a prepared request: each plugin in
 * template order (plugin.c), per-file plugins with a cache through
 * filecache.c.
 */
#include "generate.h"
#include "filecache.h"

int generate_run(const struct request *req, const struct plugin_spec *plugins, size_t n, const struct filecache *cache,
		 const volatile sig_atomic_t *abort, struct fileset *out, enum plugin_failure *failure,
		 long long *plugin_ms, struct filecache_stats *stats, char *err)
{
	*plugin_ms = 0;
	for (size_t i = 0; i < n; i++) {
		if (abort && *abort) {
			*failure = PLUGIN_INTERRUPTED;
			return err_set(err, "interrupted: remotegen is shutting down");
		}
		const struct plugin_spec *p = &plugins[i];
		int rc = cache && p->per_file && req->n_files
				 ? filecache_run(req, p, cache, abort, out, failure, plugin_ms, stats, err)
				 : plugin_run_all(req, p, abort, out, failure, plugin_ms, err);
		if (rc < 0)
			return -1;
	}
	return 0;
}
