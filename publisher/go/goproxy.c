/*
 * goproxy: module building, upload order and index files.
 */
#include "goproxy.h"
#include "gomod.h"
#include "jsonw.h"
#include "modpath.h"
#include "modzip.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

char *goproxy_key(const char *modpath, const char *middle, const char *version, const char *ext, char *err)
{
	struct buf k = BUF_INIT;
	if (modpath_escape(modpath, &k, err) < 0)
		goto fail;
	buf_adds(&k, middle);
	if (version && modpath_escape(version, &k, err) < 0)
		goto fail;
	buf_adds(&k, ext ? ext : "");
	return buf_detach(&k, NULL);
fail:
	buf_release(&k);
	return NULL;
}

int goproxy_build(struct goproxy_module *m, const char *modpath, const char *version, const char *time,
		  const char *go_version, const struct strvec *requires, struct fileset *files, struct zipcache *zc,
		  char *err)
{
	memset(m, 0, sizeof(*m));
	m->modpath = xstrdup(modpath);
	m->version = xstrdup(version);
	if (fileset_find(files, "go.mod"))
		return err_set(err,
			       "module %s@%s: the generated files hold a go.mod; remotegen writes "
			       "the go.mod itself",
			       modpath, version);
	if (gomod_render(modpath, go_version, requires, &m->mod, err) < 0)
		return -1;
	fileset_add(files, "go.mod", m->mod.data, m->mod.len);
	if (modzip_build(modpath, version, files, zc, &m->zip, err) < 0)
		return -1;
	char *prefix = xasprintf("%s@%s/", modpath, version);
	int rc = dirhash_h1(prefix, files, m->zip_hash, err);
	free(prefix);
	if (rc < 0)
		return -1;
	dirhash_h1_gomod(m->mod.data, m->mod.len, m->mod_hash);
	goproxy_info(version, time, &m->info);
	return 0;
}

void goproxy_info(const char *version, const char *time, struct buf *out)
{
	json_t *o = json_object();
	jsonw_set_str(o, "Version", version);
	jsonw_set_str(o, "Time", time);
	jsonw_write_line(o, out);
}

void goproxy_module_release(struct goproxy_module *m)
{
	free(m->modpath);
	free(m->version);
	buf_release(&m->zip);
	buf_release(&m->mod);
	buf_release(&m->info);
	memset(m, 0, sizeof(*m));
}

/*
 * A zip already at key holding exactly our files (the same h1: hash, which
 * is what go.sum checks), only compressed differently: written by a build of
 * remotegen with another deflate level before a crash. It is kept as it is.
 */
static int same_module_files(struct store *s, const char *key, const char *zip_hash)
{
	struct buf old = BUF_INIT;
	struct fileset files = FILESET_INIT;
	char hash[DIRHASH_SIZE], why[ERR_SIZE];
	int same = store_get(s, key, &old, why) == 0 && modzip_read(old.data, old.len, &files, why) == 0 &&
		   dirhash_h1("", &files, hash, why) == 0 && !strcmp(hash, zip_hash);
	fileset_release(&files);
	buf_release(&old);
	return same;
}

int goproxy_upload(struct store *s, const struct goproxy_module *m, char *err)
{
	static const struct {
		const char *ext;
		const char *type;
		size_t off;
	} parts[] = {
		{ ".zip", "application/zip", offsetof(struct goproxy_module, zip) },
		{ ".mod", "text/plain; charset=utf-8", offsetof(struct goproxy_module, mod) },
		{ ".info", "application/json", offsetof(struct goproxy_module, info) },
	};
	for (size_t i = 0; i < 3; i++) {
		const struct buf *b = (const struct buf *)((const char *)m + parts[i].off);
		char *key = goproxy_key(m->modpath, "/@v/", m->version, parts[i].ext, err);
		if (!key)
			return -1;
		int rc = store_put_immutable(s, key, b->data, b->len, parts[i].type, err);
		if (rc == STORE_CONFLICT && i == 0 && same_module_files(s, key, m->zip_hash))
			rc = 0;
		free(key);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int cmp_version(const void *a, const void *b)
{
	return modpath_version_cmp(((const struct goproxy_version *)a)->version,
				   ((const struct goproxy_version *)b)->version);
}

void goproxy_render_index(struct goproxy_version *v, size_t n, struct buf *list, struct buf *latest)
{
	qsort(v, n, sizeof(*v), cmp_version);
	for (size_t i = 0; i < n; i++)
		buf_printf(list, "%s\n", v[i].version);
	goproxy_info(v[n - 1].version, v[n - 1].time, latest);
}

int goproxy_index(struct store *s, const char *modpath, struct goproxy_version *v, size_t n, char *err)
{
	struct buf list = BUF_INIT, latest = BUF_INIT;
	char *key = NULL;
	int rc = -1;
	goproxy_render_index(v, n, &list, &latest);
	if (!(key = goproxy_key(modpath, "/@v/list", NULL, NULL, err)))
		goto out;
	if ((rc = store_put_mutable(s, key, list.data, list.len, "text/plain; charset=utf-8", err)) < 0)
		goto out;
	free(key);
	rc = -1;
	if (!(key = goproxy_key(modpath, "/@latest", NULL, NULL, err)))
		goto out;
	if ((rc = store_put_mutable(s, key, latest.data, latest.len, "application/json", err)) < 0)
		goto out;
	rc = 0;
out:
	free(key);
	buf_release(&list);
	buf_release(&latest);
	return rc;
}
