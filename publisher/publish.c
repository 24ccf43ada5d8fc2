/*
 * publish: module building, upload order and index files.
 */
#include "publish.h"
#include "gomod.h"
#include "modpath.h"
#include "modzip.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

char *publish_key(const char *modpath, const char *middle, const char *version, const char *ext,
		  char *err)
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

int publish_build(struct publish_module *m, const char *modpath, const char *version,
		  const char *time, const char *go_version, const struct strvec *requires,
		  struct fileset *files, char *err)
{
	memset(m, 0, sizeof(*m));
	m->modpath = xstrdup(modpath);
	m->version = xstrdup(version);
	if (fileset_find(files, "go.mod"))
		return err_set(err, "module %s@%s: the generated files hold a go.mod; remotegen writes "
			       "the go.mod itself", modpath, version);
	if (gomod_render(modpath, go_version, requires, &m->mod, err) < 0)
		return -1;
	fileset_add(files, "go.mod", m->mod.data, m->mod.len);
	if (modzip_build(modpath, version, files, &m->zip, err) < 0)
		return -1;
	char *prefix = xasprintf("%s@%s/", modpath, version);
	int rc = dirhash_h1(prefix, files, m->zip_hash, err);
	free(prefix);
	if (rc < 0)
		return -1;
	dirhash_h1_gomod(m->mod.data, m->mod.len, m->mod_hash);
	buf_printf(&m->info, "{\"Version\":\"%s\",\"Time\":\"%s\"}\n", version, time);
	return 0;
}

void publish_module_release(struct publish_module *m)
{
	free(m->modpath);
	free(m->version);
	buf_release(&m->zip);
	buf_release(&m->mod);
	buf_release(&m->info);
	memset(m, 0, sizeof(*m));
}

int publish_upload(struct store *s, const struct publish_module *m, char *err)
{
	static const struct {
		const char *ext;
		const char *type;
		size_t off;
	} parts[] = {
		{ ".zip", "application/zip", offsetof(struct publish_module, zip) },
		{ ".mod", "text/plain; charset=utf-8", offsetof(struct publish_module, mod) },
		{ ".info", "application/json", offsetof(struct publish_module, info) },
	};
	for (size_t i = 0; i < 3; i++) {
		const struct buf *b = (const struct buf *)((const char *)m + parts[i].off);
		char *key = publish_key(m->modpath, "/@v/", m->version, parts[i].ext, err);
		if (!key)
			return -1;
		int rc = store_put_immutable(s, key, b->data, b->len, parts[i].type, err);
		free(key);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int cmp_version(const void *a, const void *b)
{
	return modpath_version_cmp(((const struct publish_version *)a)->version,
				   ((const struct publish_version *)b)->version);
}

int publish_index(struct store *s, const char *modpath, struct publish_version *v, size_t n,
		  char *err)
{
	struct buf list = BUF_INIT, latest = BUF_INIT;
	char *key = NULL;
	int rc = -1;
	qsort(v, n, sizeof(*v), cmp_version);
	for (size_t i = 0; i < n; i++)
		buf_printf(&list, "%s\n", v[i].version);
	buf_printf(&latest, "{\"Version\":\"%s\",\"Time\":\"%s\"}\n", v[n - 1].version, v[n - 1].time);
	if (!(key = publish_key(modpath, "/@v/list", NULL, NULL, err)))
		goto out;
	if ((rc = store_put_mutable(s, key, list.data, list.len, "text/plain; charset=utf-8", err)) < 0)
		goto out;
	free(key);
	rc = -1;
	if (!(key = publish_key(modpath, "/@latest", NULL, NULL, err)))
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

int publish_feed(struct store *s, const struct publish_feed_entry *v, size_t n, char *err)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "{\"Path\":\"%s\",\"Version\":\"%s\",\"Timestamp\":\"%s\",\"Sum\":\"%s\","
			   "\"GoModSum\":\"%s\"}\n", v[i].modpath, v[i].version, v[i].time, v[i].zip_hash,
			   v[i].mod_hash);
	/* Unchanged feeds are not rewritten (a run with nothing new writes nothing). */
	struct buf old = BUF_INIT;
	int rc = store_get(s, PUBLISH_FEED_KEY, &old, err);
	if (rc < 0 || rc == 1 || old.len != b.len || (b.len && memcmp(old.data, b.data, b.len)))
		rc = store_put_mutable(s, PUBLISH_FEED_KEY, b.data ? b.data : "", b.len, PUBLISH_FEED_TYPE, err);
	else
		rc = 0;
	buf_release(&old);
	buf_release(&b);
	return rc;
}
