/*
 * fsutil: file helpers. Owns the temp-file naming used for durable writes
 * (".<name>.tmp.<pid>.<counter>" in the target directory).
 */
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_read_file(const char *path, struct buf *out, char *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, "cannot open %s: %s", path, strerror(errno));
	for (;;) {
		buf_grow(out, 65536);
		ssize_t n = read(fd, out->data + out->len, 65536);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return err_set(err, "cannot read %s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
	close(fd);
	return 0;
}

int fs_mkdir_p(const char *path, mode_t mode, char *err)
{
	char *p = xstrdup(path);
	int rc = 0, e = 0;
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				e = errno;
				rc = err_set(err, "cannot create directory %s: %s", p, strerror(e));
				goto out;
			}
			*s = c;
			if (!c)
				break;
		}
	}
out:
	free(p);
	if (rc < 0)
		errno = e;
	return rc;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static int fsync_dir(const char *path, char *err)
{
	char *dir = dir_of(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;
	if (fd < 0 || fsync(fd) < 0)
		rc = err_set(err, "cannot sync directory %s: %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

/* Writes a synced temporary file next to path; returns its malloc'ed name. */
static char *write_temp(const char *path, const void *data, size_t len, char *err)
{
	static atomic_uint counter;
	char *dir = dir_of(path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *tmp = xasprintf("%s/.%s.tmp.%d.%u", dir, base, (int)getpid(), atomic_fetch_add(&counter, 1));
	free(dir);
	int e, fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		err_set(err, "cannot create %s: %s", tmp, strerror(e));
		free(tmp);
		errno = e;
		return NULL;
	}
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		e = errno;
		err_set(err, "cannot write %s: %s", tmp, strerror(e));
		close(fd);
		unlink(tmp);
		free(tmp);
		errno = e;
		return NULL;
	}
	if (close(fd) < 0) {
		e = errno;
		err_set(err, "cannot write %s: %s", tmp, strerror(e));
		unlink(tmp);
		free(tmp);
		errno = e;
		return NULL;
	}
	return tmp;
}

int fs_check_writable(const char *path, char *err)
{
	char *tmp = write_temp(path, "", 0, err);
	if (!tmp)
		return -1;
	unlink(tmp);
	free(tmp);
	return 0;
}

int fs_write_replace(const char *path, const void *data, size_t len, char *err)
{
	char *tmp = write_temp(path, data, len, err);
	if (!tmp)
		return -1;
	int rc = 0;
	if (rename(tmp, path) < 0) {
		int e = errno;
		rc = err_set(err, "cannot rename %s to %s: %s", tmp, path, strerror(e));
		unlink(tmp);
		errno = e;
		goto out;
	}
	rc = fsync_dir(path, err);
out:
	free(tmp);
	return rc;
}

int fs_write_once(const char *path, const void *data, size_t len, char *err)
{
	char *tmp = write_temp(path, data, len, err);
	struct buf old = BUF_INIT;
	if (!tmp)
		return -1;
	int rc = 0, e = 0;
	if (link(tmp, path) == 0) {
		rc = fsync_dir(path, err);
		goto out;
	}
	if (errno != EEXIST) {
		e = errno;
		rc = err_set(err, "cannot create %s: %s", path, strerror(e));
		goto out;
	}
	if (fs_read_file(path, &old, err) < 0) {
		rc = -1;
		goto out;
	}
	if (old.len == len && (len == 0 || !memcmp(old.data, data, len)))
		rc = 1;
	else
		rc = err_set(err,
			     "refusing to overwrite %s: it already exists with different content "
			     "(%zu bytes stored, %zu bytes new); published files never change",
			     path, old.len, len) -
		     1;
out:
	unlink(tmp);
	free(tmp);
	buf_release(&old);
	if (e)
		errno = e;
	return rc;
}

static int list_under(const char *root, const char *rel, int flags, struct strvec *out, char *err)
{
	char *path = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(path);
	int rc = 0;
	if (!d) {
		rc = err_set(err, "cannot read directory %s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (!(flags & FS_LIST_HIDDEN) && e->d_name[0] == '.'))
			continue;
		char *child_rel = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		char *child = xasprintf("%s/%s", root, child_rel);
		struct stat st;
		int got = (flags & FS_LIST_NO_FOLLOW) ? lstat(child, &st) : stat(child, &st);
		if (got == 0 && S_ISDIR(st.st_mode))
			rc = list_under(root, child_rel, flags, out, err);
		else if (got == 0 && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
			strvec_push(out, child_rel); /* a symbolic link (no-follow) is listed, never entered */
		free(child);
		free(child_rel);
	}
	closedir(d);
	free(path);
	return rc;
}

int fs_list_files(const char *root, int flags, struct strvec *out, char *err)
{
	return list_under(root, "", flags, out, err);
}

int fs_check_no_symlink(const char *root, const char *rel, char *err)
{
	char *path = xasprintf("%s/%s", root, rel);
	size_t start = strlen(root) + 1;
	int rc = 0;
	for (size_t i = start;; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		char c = path[i];
		path[i] = '\0';
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			rc = err_set(err, "%s is a symbolic link: refusing to follow it out of %s", path, root);
		path[i] = c;
		if (rc < 0 || c == '\0')
			break;
	}
	free(path);
	return rc;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

int fs_remove_tree(const char *path, char *err)
{
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
		return err_set(err, "cannot remove %s: %s", path, strerror(errno));
	return 0;
}

char *fs_mkdtemp(const char *dir, const char *prefix, char *err)
{
	char *tmpl = xasprintf("%s/%s.XXXXXX", dir ? dir : "/tmp", prefix);
	if (!mkdtemp(tmpl)) {
		err_set(err, "cannot create temporary directory %s: %s", tmpl, strerror(errno));
		free(tmpl);
		return NULL;
	}
	return tmpl;
}
