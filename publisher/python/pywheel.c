/*
 * pywheel: Python wheels of generated code (see pywheel.h).
 */
#include "pywheel.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

char *pywheel_normalize(const char *name)
{
	struct buf b = BUF_INIT;
	for (const char *p = name; *p; p++) {
		if (*p == '-' || *p == '_' || *p == '.') {
			if (!b.len || b.data[b.len - 1] != '-')
				buf_addc(&b, '-');
			continue;
		}
		buf_addc(&b, (char)tolower((unsigned char)*p));
	}
	return buf_detach(&b, NULL);
}

char *pywheel_name(const char *tmpl_owner, const char *tmpl_name, const char *mod_owner, const char *mod_name,
		   char *err)
{
	char *raw = xasprintf("%s-%s-%s-%s", mod_owner, mod_name, tmpl_owner, tmpl_name);
	char *n = pywheel_normalize(raw);
	free(raw);
	if (strlen(n) > 200) {
		err_set(err, "Python package name %s: longer than 200 characters", n);
		free(n);
		return NULL;
	}
	return n;
}

char *pywheel_version(int template_version, int sequence)
{
	return xasprintf("1.%d.%d", template_version, sequence);
}

/* The distribution part of wheel and .dist-info names: the name with '_' for '-'. */
static char *dist_name(const char *name)
{
	char *d = xstrdup(name);
	for (char *p = d; *p; p++)
		if (*p == '-')
			*p = '_';
	return d;
}

char *pywheel_filename(const char *name, const char *version)
{
	char *d = dist_name(name);
	char *f = xasprintf("%s-%s-py3-none-any.whl", d, version);
	free(d);
	return f;
}

char *pywheel_key(const char *name, const char *filename)
{
	return xasprintf(PYWHEEL_ROOT "files/%s/%s", name, filename);
}

char *pywheel_metadata_key(const char *name, const char *filename)
{
	return xasprintf(PYWHEEL_ROOT "files/%s/%s.metadata", name, filename);
}

/* "sha256=<urlsafe base64 without padding>" of data, as RECORD writes hashes. malloc'ed. */
static char *record_hash(const void *data, size_t len)
{
	unsigned char d[32], b64[48];
	util_sha256(data, len, d);
	EVP_EncodeBlock(b64, d, sizeof(d));
	for (unsigned char *p = b64; *p; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=')
			*p = '\0';
	}
	return xasprintf("sha256=%s", (char *)b64);
}

/* 0 when a generated file may go into a wheel, else -1 (err names it and why). */
static int check_file(const char *pkg, const char *name, char *err)
{
	static const char *const top[] = { "setup.py", "setup.cfg", "pyproject.toml" };
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		if (!strcmp(name, top[i]))
			return err_set(err,
				       "package %s: the plugins generated %s, which would make the wheel a "
				       "project of its own",
				       pkg, name);
	for (const char *p = name; *p; p++)
		if (*p == ',' || *p == '"' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return err_set(err,
				       "package %s: file %s: a name RECORD cannot hold (',', '\"', a control "
				       "character)",
				       pkg, name);
	const char *part = name;
	while (part) {
		const char *slash = strchr(part, '/');
		size_t n = slash ? (size_t)(slash - part) : strlen(part);
		if ((n > 10 && !memcmp(part + n - 10, ".dist-info", 10)) ||
		    (n > 9 && !memcmp(part + n - 9, ".egg-info", 9)))
			return err_set(err,
				       "package %s: file %s: a .dist-info or .egg-info directory is the wheel's "
				       "own, not the plugins'",
				       pkg, name);
		if (!slash && !strcmp(part, "__init__.py"))
			return err_set(err,
				       "package %s: file %s: the proto paths are namespace packages that wheels "
				       "of several modules share; an __init__.py would belong to one of them",
				       pkg, name);
		part = slash ? slash + 1 : NULL;
	}
	return 0;
}

/*
 * PEP 561: type checkers read a package's .pyi only when py.typed marks it.
 * An empty py.typed goes into every directory that holds a .pyi (the
 * directory of a proto package, which one module owns), unless the plugins
 * wrote one.
 */
static void add_typed_markers(struct fileset *files)
{
	size_t n = files->n;
	for (size_t i = 0; i < n; i++) {
		const char *name = files->v[i].name;
		size_t len = strlen(name);
		if (len < 4 || strcmp(name + len - 4, ".pyi"))
			continue;
		const char *slash = strrchr(name, '/');
		char *marker = slash ? xasprintf("%.*s/py.typed", (int)(slash - name), name) : xstrdup("py.typed");
		if (!fileset_find(files, marker))
			fileset_add(files, marker, "", 0);
		free(marker);
	}
}

static void build_metadata(const struct pywheel_meta *m, struct buf *out)
{
	buf_printf(out, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", m->name, m->version);
	if (m->summary)
		buf_printf(out, "Summary: %s\n", m->summary);
	buf_printf(out, "Requires-Python: %s\n", PYWHEEL_REQUIRES_PYTHON);
	for (size_t i = 0; i < m->requires_dist->n; i++)
		buf_printf(out, "Requires-Dist: %s\n", m->requires_dist->v[i]);
}

/* Adds one entry with the fixed time, mode and level. 0 or -1 (err set). */
static int add_entry(zip_t *za, const char *name, const void *data, size_t len, char *err)
{
	zip_source_t *src = zip_source_buffer(za, len ? data : "", len, 0);
	zip_int64_t idx = src ? zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8) : -1;
	if (idx < 0) {
		if (src)
			zip_source_free(src);
		return err_set(err, "wheel: cannot add %s: %s", name, zip_strerror(za));
	}
	/* 1980-01-01 00:00, the earliest time a zip holds; -rw-r--r-- */
	if (zip_file_set_dostime(za, (zip_uint64_t)idx, 0, (1 << 5) | 1, 0) < 0 ||
	    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX, 0100644u << 16) < 0 ||
	    zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, PYWHEEL_LEVEL) < 0)
		return err_set(err, "wheel: %s: %s", name, zip_strerror(za));
	return 0;
}

int pywheel_build(struct pywheel *w, const struct pywheel_meta *m, struct fileset *files, char *err)
{
	memset(w, 0, sizeof(*w));
	w->name = xstrdup(m->name);
	w->version = xstrdup(m->version);
	w->filename = pywheel_filename(m->name, m->version);
	char *dist = dist_name(m->name), *info = xasprintf("%s-%s.dist-info", dist, m->version);
	struct buf record = BUF_INIT, wheel = BUF_INIT;
	zip_error_t ze;
	zip_source_t *src = NULL;
	zip_t *za = NULL;
	char inner[ERR_SIZE];
	int rc = -1;

	zip_error_init(&ze);
	for (size_t i = 0; i < files->n; i++)
		if (check_file(m->name, files->v[i].name, err) < 0)
			goto out;
	add_typed_markers(files);
	fileset_sort(files);
	build_metadata(m, &w->metadata);
	buf_adds(&wheel, "Wheel-Version: 1.0\nGenerator: remotegen\nRoot-Is-Purelib: true\nTag: py3-none-any\n");

	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
	if (!za) {
		err_set(err, "package %s: wheel: %s", m->name, zip_error_strerror(&ze));
		goto out;
	}
	zip_source_keep(src);
	for (size_t i = 0; i < files->n; i++) {
		const struct fileset_entry *e = &files->v[i];
		char *h = record_hash(e->content.data ? e->content.data : "", e->content.len);
		buf_printf(&record, "%s,%s,%zu\n", e->name, h, e->content.len);
		free(h);
		if (add_entry(za, e->name, e->content.data, e->content.len, inner) < 0)
			goto fail;
	}
	const struct {
		const char *base;
		const struct buf *b;
	} meta[] = { { "METADATA", &w->metadata }, { "WHEEL", &wheel } };
	for (size_t i = 0; i < 2; i++) {
		char *path = xasprintf("%s/%s", info, meta[i].base), *h = record_hash(meta[i].b->data, meta[i].b->len);
		buf_printf(&record, "%s,%s,%zu\n", path, h, meta[i].b->len);
		int a = add_entry(za, path, meta[i].b->data, meta[i].b->len, inner);
		free(path);
		free(h);
		if (a < 0)
			goto fail;
	}
	char *rpath = xasprintf("%s/RECORD", info);
	buf_printf(&record, "%s,,\n", rpath);
	int a = add_entry(za, rpath, record.data, record.len, inner);
	free(rpath);
	if (a < 0)
		goto fail;
	if (zip_close(za) < 0) {
		err_set(err, "package %s: wheel: %s", m->name, zip_strerror(za));
		zip_discard(za);
		za = NULL;
		goto out;
	}
	za = NULL;
	zip_stat_t st;
	if (zip_source_stat(src, &st) < 0 || zip_source_open(src) < 0) {
		err_set(err, "package %s: wheel: %s", m->name, zip_error_strerror(zip_source_error(src)));
		goto out;
	}
	buf_grow(&w->whl, st.size);
	zip_int64_t n = zip_source_read(src, w->whl.data, st.size);
	zip_source_close(src);
	if (n < 0 || (zip_uint64_t)n != st.size) {
		err_set(err, "package %s: wheel: cannot read the archive back", m->name);
		goto out;
	}
	w->whl.len = (size_t)n;
	util_sha256_hex(w->whl.data, w->whl.len, w->sha256);
	util_sha256_hex(w->metadata.data, w->metadata.len, w->metadata_sha256);
	rc = 0;
	goto out;
fail:
	err_set(err, "package %s: %s", m->name, inner);
out:
	if (za)
		zip_discard(za);
	if (src)
		zip_source_free(src);
	zip_error_fini(&ze);
	buf_release(&record);
	buf_release(&wheel);
	free(dist);
	free(info);
	return rc;
}

void pywheel_release(struct pywheel *w)
{
	free(w->name);
	free(w->version);
	free(w->filename);
	buf_release(&w->whl);
	buf_release(&w->metadata);
	memset(w, 0, sizeof(*w));
}

int pywheel_upload(struct store *s, const struct pywheel *w, char *err)
{
	char *key = pywheel_key(w->name, w->filename), *mkey = pywheel_metadata_key(w->name, w->filename);
	int rc = store_put_immutable(s, key, w->whl.data, w->whl.len, "application/octet-stream", err);
	if (rc >= 0)
		rc = store_put_immutable(s, mkey, w->metadata.data, w->metadata.len, "text/plain; charset=utf-8", err);
	free(key);
	free(mkey);
	return rc < 0 ? rc : 0;
}

/* Entry name of an archive into out; -1 when it cannot be read. */
static int read_entry(zip_t *za, zip_uint64_t i, struct buf *out)
{
	zip_stat_t st;
	zip_file_t *f = NULL;
	if (zip_stat_index(za, i, 0, &st) < 0 || !(f = zip_fopen_index(za, i, 0)))
		return -1;
	buf_grow(out, st.size + 1);
	zip_int64_t n = zip_fread(f, out->data + out->len, st.size);
	zip_fclose(f);
	if (n < 0 || (zip_uint64_t)n != st.size)
		return -1;
	out->len += (size_t)n;
	return 0;
}

int pywheel_check(const void *whl, size_t len, struct buf *metadata, char *err)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(len ? whl : "", len, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	struct buf record = BUF_INIT, entry = BUF_INIT;
	struct strvec listed = STRVEC_INIT;
	int rc = -1;
	if (!za) {
		err_set(err, "not a zip archive: %s", zip_error_strerror(&ze));
		if (src)
			zip_source_free(src);
		goto out;
	}
	zip_int64_t n = zip_get_num_entries(za, 0), rec = -1, meta = -1;
	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
		const char *slash = name ? strchr(name, '/') : NULL;
		if (!slash || slash - name < 10 || memcmp(slash - 10, ".dist-info", 10) || strchr(slash + 1, '/'))
			continue;
		if (!strcmp(slash + 1, "RECORD"))
			rec = i;
		else if (!strcmp(slash + 1, "METADATA"))
			meta = i;
	}
	if (rec < 0 || meta < 0) {
		err_set(err, "no .dist-info/RECORD or .dist-info/METADATA");
		goto out;
	}
	if (read_entry(za, (zip_uint64_t)rec, &record) < 0 || read_entry(za, (zip_uint64_t)meta, metadata) < 0) {
		err_set(err, "cannot read RECORD or METADATA: %s", zip_strerror(za));
		goto out;
	}
	buf_addc(&record, '\0');
	for (char *save = NULL, *line = strtok_r(record.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
		if (!c2) {
			err_set(err, "RECORD: a line without three fields: %s", line);
			goto out;
		}
		*c1 = *c2 = '\0';
		strvec_push(&listed, line);
		if (!c1[1] && !c2[1])
			continue; /* RECORD itself */
		zip_int64_t i = zip_name_locate(za, line, 0);
		buf_reset(&entry);
		if (i < 0 || read_entry(za, (zip_uint64_t)i, &entry) < 0) {
			err_set(err, "RECORD lists %s, which the wheel does not hold", line);
			goto out;
		}
		char *h = record_hash(entry.data ? entry.data : "", entry.len), size[32];
		snprintf(size, sizeof(size), "%zu", entry.len);
		int ok = !strcmp(h, c1 + 1) && !strcmp(size, c2 + 1);
		free(h);
		if (!ok) {
			err_set(err, "%s: its hash or size is not the one RECORD says", line);
			goto out;
		}
	}
	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
		if (name && !strvec_contains(&listed, name)) {
			err_set(err, "%s is not in RECORD", name);
			goto out;
		}
	}
	rc = 0;
out:
	if (za)
		zip_discard(za);
	zip_error_fini(&ze);
	buf_release(&record);
	buf_release(&entry);
	strvec_clear(&listed);
	return rc;
}
