/*
 * modzip: module zips through libzip's in-memory buffer source, checked with
 * the go command's rules (gorules) before they are built and when they are
 * audited; entries deflated once per content with a zipcache.
 */
#include "modzip.h"
#include "gorules.h"
#include "modpath.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* x/mod's limit on the size of a module zip file. */
#define MODZIP_MAX_ZIP (500ULL << 20)

/*
 * Not a zip rule, but a module nobody can use: a directory holding Go files
 * must be an importable package path.
 */
static void check_packages(const char *modpath, const char *const *names, const char *const *report_as, size_t n,
			   struct gorules_report *rep)
{
	char why[ERR_SIZE];
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		if (len < 3 || strcmp(names[i] + len - 3, ".go") || gorules_report_has(rep, 0, report_as[i]))
			continue;
		if (gorules_check_package(modpath, names[i], why) < 0)
			gorules_report_add(rep, report_as[i], 0, why);
	}
}

static int check_module_version(const char *modpath, const char *version, char *err)
{
	long a, b, c;
	if (modpath_check_module(modpath, err) < 0)
		return -1;
	if (modpath_parse_version(version, &a, &b, &c) < 0)
		return err_set(err, "invalid version %s for module %s", version, modpath);
	return 0;
}

int modzip_check(const char *modpath, const char *version, const struct fileset *files, char *err)
{
	const char **names = xcalloc(files->n + 1, sizeof(*names));
	unsigned long long *sizes = xcalloc(files->n + 1, sizeof(*sizes));
	struct gorules_report rep = GORULES_REPORT_INIT;
	int rc = -1;
	if (check_module_version(modpath, version, err) < 0)
		goto out;
	for (size_t i = 0; i < files->n; i++) {
		names[i] = files->v[i].name;
		sizes[i] = files->v[i].content.len;
	}
	gorules_check_files(names, sizes, files->n, &rep);
	check_packages(modpath, names, names, files->n, &rep);
	if (rep.n) {
		char *what = xasprintf("module %s@%s", modpath, version);
		gorules_report_error(&rep, what, err);
		free(what);
		goto out;
	}
	rc = 0;
out:
	gorules_report_release(&rep);
	free(names);
	free(sizes);
	return rc;
}

int modzip_build(const char *modpath, const char *version, struct fileset *files, struct zipcache *zc, struct buf *zip,
		 char *err)
{
	return modzip_build_level(modpath, version, files, MODZIP_LEVEL, zc, zip, err);
}

/* 1980-01-01 00:00:00, a regular file with mode 0644, deflated at level. */
static int set_entry(zip_t *za, zip_int64_t idx, int level)
{
	if (zip_file_set_dostime(za, (zip_uint64_t)idx, 0, (1 << 5) | 1, 0) < 0 ||
	    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX, 0100644u << 16) < 0 ||
	    zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, (zip_uint32_t)level) < 0)
		return -1;
	return 0;
}

/*
 * Appends the bytes of a closed archive's buffer source to out. Returns 0,
 * -1 (why set), or -2 when it is larger than MODZIP_MAX_ZIP (*size set).
 */
static int read_archive(zip_source_t *src, struct buf *out, unsigned long long *size, const char **why)
{
	zip_stat_t st;
	if (zip_source_stat(src, &st) < 0 || zip_source_open(src) < 0) {
		*why = zip_error_strerror(zip_source_error(src));
		return -1;
	}
	*size = st.size;
	if (st.size > MODZIP_MAX_ZIP) {
		zip_source_close(src);
		return -2;
	}
	buf_grow(out, (size_t)st.size);
	zip_int64_t n = zip_source_read(src, out->data + out->len, st.size);
	zip_source_close(src);
	if (n < 0 || (zip_uint64_t)n != st.size) {
		*why = "short read of the archive";
		return -1;
	}
	out->len += (size_t)n;
	out->data[out->len] = '\0';
	return 0;
}

/*
 * A one-entry zip holding data deflated at level, as the module zip would
 * hold it, from zc or made now and kept there. Returns 0 or -1 (why, of
 * whysz bytes, says why).
 */
static int deflated(struct zipcache *zc, const struct buf *data, int level, struct buf *blob, char *why, size_t whysz)
{
	unsigned char key[32];
	zip_error_t ze;
	int rc = -1;
	util_sha256(data->data ? data->data : "", data->len, key);
	if (zipcache_find(zc, key, level, blob))
		return 0;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
	if (!za) {
		snprintf(why, whysz, "cannot make an archive: %s", zip_error_strerror(&ze));
		goto out;
	}
	zip_source_keep(src);
	zip_source_t *fsrc = zip_source_buffer(za, data->data, data->len, 0);
	zip_int64_t idx = fsrc ? zip_file_add(za, "f", fsrc, ZIP_FL_ENC_UTF_8) : -1;
	if (idx < 0 && fsrc)
		zip_source_free(fsrc);
	if (idx < 0 || set_entry(za, idx, level) < 0 || zip_close(za) < 0) {
		snprintf(why, whysz, "%s", zip_strerror(za));
		zip_discard(za);
		goto out;
	}
	unsigned long long size;
	const char *rwhy = NULL;
	int r = read_archive(src, blob, &size, &rwhy);
	if (r < 0) {
		snprintf(why, whysz, "%s", r == -2 ? "the deflated file is larger than a module zip may be" : rwhy);
		goto out;
	}
	zipcache_keep(zc, key, level, blob->data, blob->len);
	rc = 0;
out:
	if (src)
		zip_source_free(src);
	zip_error_fini(&ze);
	return rc;
}

int modzip_build_level(const char *modpath, const char *version, struct fileset *files, int level, struct zipcache *zc,
		       struct buf *zip, char *err)
{
	zip_error_t ze;
	zip_source_t *src = NULL;
	zip_t *za = NULL;
	/* the one-entry archives whose compressed data the module zip copies; open until it is closed */
	zip_t **from = xcalloc(files->n + 1, sizeof(*from));
	const char *why = NULL;
	int rc = -1;
	fileset_sort(files);
	if (modzip_check(modpath, version, files, err) < 0)
		goto out;
	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	if (!src) {
		err_set(err, "module %s@%s: zip: %s", modpath, version, zip_error_strerror(&ze));
		goto out;
	}
	za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	if (!za) {
		err_set(err, "module %s@%s: zip: %s", modpath, version, zip_error_strerror(&ze));
		goto out;
	}
	zip_source_keep(src); /* we read the result back after zip_close */
	for (size_t i = 0; i < files->n; i++) {
		char *entry = xasprintf("%s@%s/%s", modpath, version, files->v[i].name);
		zip_source_t *fsrc = NULL;
		if (zc) {
			struct buf blob = BUF_INIT;
			char dwhy[256];
			if (deflated(zc, &files->v[i].content, level, &blob, dwhy, sizeof(dwhy)) < 0) {
				buf_release(&blob);
				err_set(err, "module %s@%s: zip: cannot deflate %s: %s", modpath, version, entry, dwhy);
				free(entry);
				goto out;
			}
			/* the buffer source frees the blob's storage */
			zip_source_t *bs = zip_source_buffer_create(blob.data, blob.len, 1, &ze);
			from[i] = bs ? zip_open_from_source(bs, ZIP_RDONLY, &ze) : NULL;
			if (!from[i]) {
				if (bs)
					zip_source_free(bs);
				else
					buf_release(&blob);
			}
			fsrc = from[i] ? zip_source_zip(za, from[i], 0, 0, 0, -1) : NULL;
		} else {
			fsrc = zip_source_buffer(za, files->v[i].content.data, files->v[i].content.len, 0);
		}
		zip_int64_t idx = fsrc ? zip_file_add(za, entry, fsrc, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0) {
			if (fsrc)
				zip_source_free(fsrc);
			err_set(err, "module %s@%s: zip: cannot add %s: %s", modpath, version, entry, zip_strerror(za));
			free(entry);
			goto out;
		}
		free(entry);
		if (set_entry(za, idx, level) < 0) {
			err_set(err, "module %s@%s: zip: %s", modpath, version, zip_strerror(za));
			goto out;
		}
	}
	if (zip_close(za) < 0) {
		err_set(err, "module %s@%s: zip: %s", modpath, version, zip_strerror(za));
		goto out;
	}
	za = NULL;
	unsigned long long size = 0;
	int r = read_archive(src, zip, &size, &why);
	if (r == -2) {
		err_set(err, "module %s@%s: the zip is %llu bytes; the limit is %llu", modpath, version, size,
			MODZIP_MAX_ZIP);
		goto out;
	}
	if (r < 0) {
		err_set(err, "module %s@%s: zip: %s", modpath, version, why);
		goto out;
	}
	rc = 0;
out:
	if (za)
		zip_discard(za);
	if (src)
		zip_source_free(src);
	for (size_t i = 0; i < files->n; i++)
		if (from[i])
			zip_discard(from[i]);
	free(from);
	return rc;
}

int modzip_read(const void *zip, size_t len, struct fileset *files, char *err)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(zip, len, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	int rc = -1;
	if (!z) {
		err_set(err, "not a zip file: %s", zip_error_strerror(&ze));
		if (src)
			zip_source_free(src);
		zip_error_fini(&ze);
		return -1;
	}
	zip_int64_t n = zip_get_num_entries(z, 0);
	for (zip_int64_t i = 0; i < n; i++) {
		zip_stat_t st;
		if (zip_stat_index(z, (zip_uint64_t)i, 0, &st) < 0) {
			err_set(err, "zip entry %lld: %s", (long long)i, zip_strerror(z));
			goto out;
		}
		if (st.name[0] && st.name[strlen(st.name) - 1] == '/')
			continue; /* a directory entry */
		zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)i, 0);
		if (!f) {
			err_set(err, "zip entry %s: %s", st.name, zip_strerror(z));
			goto out;
		}
		struct fileset_entry *e = fileset_add(files, st.name, "", 0);
		buf_grow(&e->content, (size_t)st.size);
		zip_int64_t got = zip_fread(f, e->content.data, st.size);
		zip_fclose(f);
		if (got < 0 || (zip_uint64_t)got != st.size) {
			err_set(err, "zip entry %s: short read", st.name);
			goto out;
		}
		e->content.len = (size_t)got;
		e->content.data[e->content.len] = '\0';
	}
	rc = 0;
out:
	zip_close(z);
	zip_error_fini(&ze);
	return rc;
}

int modzip_check_zip(const char *modpath, const char *version, const void *zip, size_t len, char *err)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(zip, len, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	struct strvec names = STRVEC_INIT;
	unsigned long long *sizes = NULL;
	struct gorules_report rep = GORULES_REPORT_INIT;
	char *what = xasprintf("module zip %s@%s", modpath, version), *prefix = NULL;
	const char **rel = NULL;
	int rc = -1;
	if (!z) {
		err_set(err, "%s: not a zip file: %s", what, zip_error_strerror(&ze));
		if (src)
			zip_source_free(src);
		goto out;
	}
	if (check_module_version(modpath, version, err) < 0)
		goto out;
	if (len > MODZIP_MAX_ZIP) {
		err_set(err, "%s: the zip is %zu bytes; the limit is %llu", what, len, MODZIP_MAX_ZIP);
		goto out;
	}
	zip_int64_t n = zip_get_num_entries(z, 0);
	sizes = xcalloc((size_t)n + 1, sizeof(*sizes));
	for (zip_int64_t i = 0; i < n; i++) {
		zip_stat_t st;
		if (zip_stat_index(z, (zip_uint64_t)i, ZIP_FL_ENC_RAW, &st) < 0) {
			err_set(err, "%s: entry %lld: %s", what, (long long)i, zip_strerror(z));
			goto out;
		}
		strvec_push(&names, st.name);
		sizes[i] = st.size;
	}
	prefix = xasprintf("%s@%s/", modpath, version);
	gorules_check_zip(prefix, (const char *const *)names.v, sizes, names.n, &rep);
	/* packages, by the names below the prefix */
	size_t plen = strlen(prefix);
	rel = xcalloc(names.n + 1, sizeof(*rel));
	for (size_t i = 0; i < names.n; i++)
		rel[i] = strncmp(names.v[i], prefix, plen) ? "" : names.v[i] + plen;
	check_packages(modpath, rel, (const char *const *)names.v, names.n, &rep);
	if (rep.n) {
		gorules_report_error(&rep, what, err);
		goto out;
	}
	rc = 0;
out:
	if (z)
		zip_close(z);
	zip_error_fini(&ze);
	gorules_report_release(&rep);
	strvec_clear(&names);
	free(rel);
	free(prefix);
	free(sizes);
	free(what);
	return rc;
}
