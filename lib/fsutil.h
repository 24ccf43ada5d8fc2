/*
 * fsutil: whole-file reads, directory creation, and the two durable write
 * disciplines the file store relies on: replace (temp file, fsync, rename) and
 * write-once (temp file, fsync, link: never replaces an existing file).
 */
#ifndef REMOTEGEN_FSUTIL_H
#define REMOTEGEN_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>
#include "util.h"

/* Appends the file's bytes to out. Returns 0, or -1 with err set. */
int fs_read_file(const char *path, struct buf *out, char *err);
/* mkdir -p. Returns 0, or -1 with err set. */
int fs_mkdir_p(const char *path, mode_t mode, char *err);
/* The writes below and fs_mkdir_p leave the cause of a failure in errno. */
/* Writes path durably, replacing any previous content atomically. */
int fs_write_replace(const char *path, const void *data, size_t len, char *err);
/*
 * Writes path durably only if it does not exist yet.
 * Returns 0 when written, 1 when the file already existed with exactly these
 * bytes, -1 on error, -2 when it exists with other bytes (err says so).
 */
int fs_write_once(const char *path, const void *data, size_t len, char *err);
/*
 * Appends the path (relative to root) of every regular file under root to
 * out, descending into directories; entries whose name starts with '.' are
 * skipped unless FS_LIST_HIDDEN. With FS_LIST_NO_FOLLOW a symbolic link is
 * listed as an entry and never followed (a store's listing: what is there,
 * not what it points at). Returns 0 or -1 (err set).
 */
#define FS_LIST_HIDDEN	  1
#define FS_LIST_NO_FOLLOW 2
int fs_list_files(const char *root, int flags, struct strvec *out, char *err);

/*
 * 0 when no component of root/rel below root (the directories and rel itself,
 * those that exist) is a symbolic link; -1 (err names it) otherwise.
 */
int fs_check_no_symlink(const char *root, const char *rel, char *err);
/* Removes a directory tree. Returns 0, or -1 with err set. */
int fs_remove_tree(const char *path, char *err);
/* 0 when a file can be created beside path (in its directory), else -1 (err says why). */
int fs_check_writable(const char *path, char *err);
/* Makes a fresh private temporary directory; returns malloc'ed path or NULL. */
char *fs_mkdtemp(const char *dir, const char *prefix, char *err);

#endif
