/*
 * store_file: a store in a local directory. Immutable objects are linked into
 * place (never replacing a file), index files are renamed into place; both
 * are fsynced first. Symbolic links below the root are never followed (a
 * write or read through one is refused; a listing shows them as they are).
 * Owns the root path.
 */
#include "store.h"
#include "fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct store_file {
	struct store base;
	char *root;
};

static char *key_path(struct store_file *s, const char *key)
{
	return xasprintf("%s/%s", s->root, key);
}

static int ensure_parent(const char *path, char *err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		rc = fs_mkdir_p(dir, 0755, err);
	}
	free(dir);
	return rc;
}

static int check_key(const char *key, char *err)
{
	if (!*key || key[0] == '/' || strstr(key, "..") || strstr(key, "//"))
		return err_set(err, "invalid store key %s", key);
	return 0;
}

static int file_put(struct store *base, const char *key, const void *data, size_t len, int once, char *err)
{
	struct store_file *s = (struct store_file *)base;
	char sub[ERR_SIZE];
	if (check_key(key, err) < 0)
		return -1;
	/* A planted symbolic link (a directory or the file) would take the write out of the store. */
	if (fs_check_no_symlink(s->root, key, sub) < 0) {
		err_set(err, "store %s: %s", base->url, sub);
		return STORE_FATAL;
	}
	char *path = key_path(s, key);
	int rc = ensure_parent(path, sub), e = 0;
	if (rc == 0)
		rc = once ? fs_write_once(path, data, len, sub) : fs_write_replace(path, data, len, sub);
	if (rc < 0) {
		e = errno;
		err_set(err, "store %s: %s", base->url, sub);
	}
	free(path);
	if (rc == -2)
		return STORE_CONFLICT;
	/* A store that refuses us is an operator's to fix, as an S3 403 is: no retry helps. */
	if (rc < 0)
		return e == EACCES || e == EPERM || e == EROFS ? STORE_FATAL : STORE_ERR;
	return rc;
}

static int file_put_immutable(struct store *base, const char *key, const void *data, size_t len,
			      const char *content_type, char *err)
{
	(void)content_type;
	return file_put(base, key, data, len, 1, err);
}

static int file_put_mutable(struct store *base, const char *key, const void *data, size_t len, const char *content_type,
			    char *err)
{
	(void)content_type;
	return file_put(base, key, data, len, 0, err);
}

static int file_get(struct store *base, const char *key, struct buf *out, char *err)
{
	struct store_file *s = (struct store_file *)base;
	char sub[ERR_SIZE];
	if (check_key(key, err) < 0)
		return -1;
	if (fs_check_no_symlink(s->root, key, sub) < 0) {
		err_set(err, "store %s: %s", base->url, sub);
		return STORE_FATAL;
	}
	char *path = key_path(s, key);
	struct stat st;
	int rc;
	if (stat(path, &st) < 0 && errno == ENOENT)
		rc = 1;
	else if ((rc = fs_read_file(path, out, sub)) < 0)
		err_set(err, "store %s: %s", base->url, sub);
	free(path);
	return rc;
}

static int file_list(struct store *base, struct strvec *keys, char *err)
{
	struct store_file *s = (struct store_file *)base;
	char sub[ERR_SIZE];
	if (fs_list_files(s->root, FS_LIST_HIDDEN | FS_LIST_NO_FOLLOW, keys, sub) < 0)
		return err_set(err, "store %s: %s", base->url, sub);
	return 0;
}

static void file_free(struct store *base)
{
	struct store_file *s = (struct store_file *)base;
	free(s->root);
	free(s->base.url);
	free(s);
}

static const struct store_ops file_ops = {
	.scheme = "file",
	.put_immutable = file_put_immutable,
	.put_mutable = file_put_mutable,
	.get = file_get,
	.list = file_list,
	.free = file_free,
};

int store_file_open(const char *root, struct store **out, char *err)
{
	char sub[ERR_SIZE];
	if (fs_mkdir_p(root, 0755, sub) < 0)
		return err_set(err, "store file://%s: %s", root, sub);
	struct store_file *s = xcalloc(1, sizeof(*s));
	s->base.ops = &file_ops;
	s->base.url = xasprintf("file://%s", root);
	s->root = xstrdup(root);
	while (strlen(s->root) > 1 && s->root[strlen(s->root) - 1] == '/')
		s->root[strlen(s->root) - 1] = '\0';
	*out = &s->base;
	return 0;
}
