/*
 * store: URL dispatch and the calls every store shares.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

static int open_url(const char *url, const struct store_config *cfg, struct store **out, char *err)
{
	if (!strncmp(url, "file://", 7)) {
		if (url[7] != '/')
			return err_set(err, "store %s: a file:// URL needs an absolute path (file:///path)", url);
		return store_file_open(url + 7, out, err);
	}
	if (url[0] == '/' || url[0] == '.')
		return store_file_open(url, out, err);
	if (!strncmp(url, "s3://", 5)) {
		if (!cfg)
			return err_set(err, "store %s: no S3 configuration", url);
		return store_s3_open(url, &cfg->s3, out, err);
	}
	return err_set(err, "store %s: unknown scheme (expected file:///path or s3://bucket/prefix)", url);
}

int store_open(const char *url, const struct store_config *cfg, struct store **out, char *err)
{
	*out = NULL;
	if (open_url(url, cfg, out, err) < 0)
		return -1;
	(*out)->purge = cfg && cfg->purge.base_url && *cfg->purge.base_url ? &cfg->purge : NULL;
	(*out)->purge_curl = NULL;
	return 0;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	store_purge_release(s);
	s->ops->free(s);
}

int store_put_immutable(struct store *s, const char *key, const void *data, size_t len, const char *content_type,
			char *err)
{
	return s->ops->put_immutable(s, key, data, len, content_type, err);
}

int store_put_mutable(struct store *s, const char *key, const void *data, size_t len, const char *content_type,
		      char *err)
{
	int rc = s->ops->put_mutable(s, key, data, len, content_type, err);
	if (rc >= 0)
		store_purge_key(s, key);
	return rc;
}

int store_get(struct store *s, const char *key, struct buf *out, char *err)
{
	return s->ops->get(s, key, out, err);
}

int store_has_directory_keys(const struct store *s)
{
	return s->ops->directory_keys;
}

int store_list(struct store *s, struct strvec *keys, char *err)
{
	return s->ops->list(s, keys, err);
}
