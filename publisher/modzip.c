/*
 * modzip: module zip rules and deterministic zips through libzip's in-memory
 * buffer source. Owns the UTF-8 case-folding locale used for collisions.
 */
#include "modzip.h"
#include "modpath.h"

#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>
#include <zip.h>

const struct modzip_limits modzip_default_limits = {
	.max_zip = 500ULL << 20,
	.max_gomod = 16ULL << 20,
	.max_license = 16ULL << 20,
};

/* Decodes one UTF-8 sequence; returns its length, or -1 when invalid. */
static int utf8_next(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	int n = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (!n)
		return -1;
	unsigned c = s[0] & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (s[i] & 0x3f);
	}
	static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*cp = c;
	return n;
}

static locale_t fold_locale;
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

static void fold_init(void)
{
	fold_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Case-folded copy of a UTF-8 string as an array of code points; NULL if not UTF-8. */
static unsigned *fold(const char *s, size_t *n_out)
{
	size_t len = strlen(s);
	unsigned *out = xcalloc(len + 1, sizeof(*out));
	size_t n = 0;
	pthread_once(&fold_once, fold_init);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		unsigned cp;
		int k = utf8_next(p, &cp);
		if (k < 0) {
			free(out);
			return NULL;
		}
		p += k;
		if (fold_locale)
			cp = (unsigned)towlower_l((wint_t)cp, fold_locale);
		else if (cp < 0x80)
			cp = (unsigned)towlower((wint_t)cp);
		out[n++] = cp;
	}
	*n_out = n;
	return out;
}

struct folded {
	unsigned *cps;
	size_t n;
	const char *name;
};

static int cmp_folded(const void *a, const void *b)
{
	const struct folded *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	for (size_t i = 0; i < n; i++)
		if (x->cps[i] != y->cps[i])
			return x->cps[i] < y->cps[i] ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

int modzip_check(const char *modpath, const char *version, const struct fileset *files,
		 const struct modzip_limits *lim, char *err)
{
	char sub[ERR_SIZE];
	unsigned long long total = 0;
	struct folded *f = xcalloc(files->n + 1, sizeof(*f));
	int rc = -1;
	if (!lim)
		lim = &modzip_default_limits;
	if (modpath_check_module(modpath, err) < 0)
		goto out;
	long a, b, c;
	if (modpath_parse_version(version, &a, &b, &c) < 0) {
		err_set(err, "invalid version %s for module %s", version, modpath);
		goto out;
	}
	for (size_t i = 0; i < files->n; i++) {
		const char *name = files->v[i].name;
		unsigned long long size = files->v[i].content.len;
		if (modpath_check_file(name, sub) < 0) {
			err_set(err, "module %s@%s: %s", modpath, version, sub);
			goto out;
		}
		f[i].cps = fold(name, &f[i].n);
		f[i].name = name;
		if (!f[i].cps) {
			err_set(err, "module %s@%s: file path %s is not valid UTF-8", modpath, version, name);
			goto out;
		}
		const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
		if (!strcasecmp(base, "go.mod") && strcmp(name, "go.mod")) {
			err_set(err, "module %s@%s: file %s: go.mod is allowed only at the module root "
				"and spelled in lower case", modpath, version, name);
			goto out;
		}
		if (!strcmp(name, "go.mod") && size > lim->max_gomod) {
			err_set(err, "module %s@%s: go.mod is %llu bytes; the limit is %llu", modpath,
				version, size, lim->max_gomod);
			goto out;
		}
		if (!strcmp(name, "LICENSE") && size > lim->max_license) {
			err_set(err, "module %s@%s: LICENSE is %llu bytes; the limit is %llu", modpath,
				version, size, lim->max_license);
			goto out;
		}
		total += size;
		if (total > lim->max_zip) {
			err_set(err, "module %s@%s: files total more than %llu bytes (at %s)", modpath,
				version, lim->max_zip, name);
			goto out;
		}
	}
	qsort(f, files->n, sizeof(*f), cmp_folded);
	for (size_t i = 1; i < files->n; i++)
		if (!cmp_folded(&f[i - 1], &f[i])) {
			err_set(err, "module %s@%s: files %s and %s differ only in case", modpath,
				version, f[i - 1].name, f[i].name);
			goto out;
		}
	rc = 0;
out:
	for (size_t i = 0; i < files->n; i++)
		free(f[i].cps);
	free(f);
	return rc;
}

int modzip_build(const char *modpath, const char *version, struct fileset *files,
		 const struct modzip_limits *lim, struct buf *zip, char *err)
{
	zip_error_t ze;
	zip_source_t *src = NULL;
	zip_t *za = NULL;
	int rc = -1;
	if (!lim)
		lim = &modzip_default_limits;
	fileset_sort(files);
	if (modzip_check(modpath, version, files, lim, err) < 0)
		return -1;
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
		zip_source_t *fsrc = zip_source_buffer(za, files->v[i].content.data,
						       files->v[i].content.len, 0);
		zip_int64_t idx = fsrc ? zip_file_add(za, entry, fsrc, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0) {
			if (fsrc)
				zip_source_free(fsrc);
			err_set(err, "module %s@%s: zip: cannot add %s: %s", modpath, version, entry,
				zip_strerror(za));
			free(entry);
			goto out;
		}
		free(entry);
		/* 1980-01-01 00:00:00, a regular file with mode 0644, deflated. */
		if (zip_file_set_dostime(za, (zip_uint64_t)idx, 0, (1 << 5) | 1, 0) < 0 ||
		    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
						     0100644u << 16) < 0 ||
		    zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 0) < 0) {
			err_set(err, "module %s@%s: zip: %s", modpath, version, zip_strerror(za));
			goto out;
		}
	}
	if (zip_close(za) < 0) {
		err_set(err, "module %s@%s: zip: %s", modpath, version, zip_strerror(za));
		goto out;
	}
	za = NULL;
	zip_stat_t st;
	if (zip_source_stat(src, &st) < 0 || zip_source_open(src) < 0) {
		err_set(err, "module %s@%s: zip: %s", modpath, version,
			zip_error_strerror(zip_source_error(src)));
		goto out;
	}
	if (st.size > lim->max_zip) {
		zip_source_close(src);
		err_set(err, "module %s@%s: the zip is %llu bytes; the limit is %llu", modpath, version,
			(unsigned long long)st.size, lim->max_zip);
		goto out;
	}
	buf_grow(zip, (size_t)st.size);
	zip_int64_t n = zip_source_read(src, zip->data + zip->len, st.size);
	zip_source_close(src);
	if (n < 0 || (zip_uint64_t)n != st.size) {
		err_set(err, "module %s@%s: zip: short read of the archive", modpath, version);
		goto out;
	}
	zip->len += (size_t)n;
	zip->data[zip->len] = '\0';
	rc = 0;
out:
	if (za)
		zip_discard(za);
	if (src)
		zip_source_free(src);
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
