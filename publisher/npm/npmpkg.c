/*
 * npmpkg: npm package versions and packuments (see npmpkg.h). Tarballs are
 * written with libarchive (pax restricted = ustar unless a name is too long,
 * gzip without a timestamp), entries sorted, every field fixed, so the same
 * files always give the same bytes; JSON with jansson through jsonw.
 */
#include "npmpkg.h"
#include "version.h"
#include "jsonw.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* npm's own fixed mtime for packed files: 1985-10-26T08:15:00Z. */
#define NPMPKG_MTIME 499162500

static int name_char_ok(unsigned char c)
{
	return islower(c) || isdigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int npmpkg_check_scope(const char *s, char *err)
{
	size_t n = strlen(s);
	if (n == 0 || n > 100 || s[0] == '.' || s[0] == '_')
		return err_set(err, "invalid npm scope \"%s\": 1 to 100 characters, not starting with . or _", s);
	for (size_t i = 0; i < n; i++)
		if (!name_char_ok((unsigned char)s[i]) || s[i] == '~')
			return err_set(err,
				       "invalid npm scope \"%s\": lowercase letters, digits, '-', '.', '_' "
				       "only",
				       s);
	return 0;
}

int npmpkg_check_name(const char *name, char *err)
{
	size_t n = strlen(name);
	const char *base = name;
	if (n == 0 || n > 214)
		return err_set(err, "invalid npm package name \"%s\": 1 to 214 characters", name);
	if (name[0] == '@') {
		const char *slash = strchr(name, '/');
		if (!slash || slash == name + 1)
			return err_set(err, "invalid npm package name \"%s\": a scoped name is @scope/name", name);
		char scope[128];
		size_t sn = (size_t)(slash - name - 1);
		if (sn >= sizeof(scope))
			return err_set(err, "invalid npm package name \"%s\": scope too long", name);
		memcpy(scope, name + 1, sn);
		scope[sn] = '\0';
		if (npmpkg_check_scope(scope, err) < 0)
			return err_set(err, "invalid npm package name \"%s\": bad scope", name);
		base = slash + 1;
	}
	if (!*base || base[0] == '.' || base[0] == '_')
		return err_set(err,
			       "invalid npm package name \"%s\": the name must not be empty or start "
			       "with . or _",
			       name);
	for (const char *p = base; *p; p++)
		if (!name_char_ok((unsigned char)*p))
			return err_set(err,
				       "invalid npm package name \"%s\": character '%c' is not allowed "
				       "(lowercase letters, digits, '-', '.', '_', '~')",
				       name, *p >= 0x20 && *p < 0x7f ? *p : '?');
	return 0;
}

int npmpkg_parse_dep(const char *spec, char **name, char **range, char *err)
{
	*name = *range = NULL;
	const char *at = strrchr(spec, '@');
	if (!at || at == spec || !at[1])
		return err_set(err,
			       "npm dependency \"%s\": expected NAME@RANGE, e.g. "
			       "@bufbuild/protobuf@^2.17.0",
			       spec);
	char *n = xstrndup(spec, (size_t)(at - spec));
	if (npmpkg_check_name(n, err) < 0) {
		free(n);
		return -1;
	}
	for (const char *p = at + 1; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f || *p == '"') {
			free(n);
			return err_set(err,
				       "npm dependency \"%s\": the range holds a character that is not "
				       "printable ASCII",
				       spec);
		}
	*name = n;
	*range = xstrdup(at + 1);
	return 0;
}

char *npmpkg_name(const char *scope, const char *tmpl_owner, const char *tmpl_name, const char *mod_owner,
		  const char *mod_name, char *err)
{
	char *s = xasprintf("@%s/%s_%s.%s_%s", scope, mod_owner, mod_name, tmpl_owner, tmpl_name);
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (npmpkg_check_name(s, err) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

char *npmpkg_version(int template_version, int sequence)
{
	/* the Go version without its "v" */
	char *v = version_synthetic(template_version, sequence);
	char *npm = xstrdup(v + 1);
	free(v);
	return npm;
}

char *npmpkg_packument_key(const char *name)
{
	return xasprintf(NPMPKG_ROOT "%s", name);
}

/* The file name part of a tarball: npm names it <name without scope>-<version>.tgz. */
static const char *unscoped(const char *name)
{
	const char *slash = name[0] == '@' ? strchr(name, '/') : NULL;
	return slash ? slash + 1 : name;
}

char *npmpkg_tarball_key(const char *name, const char *version)
{
	const char *base = unscoped(name);
	return xasprintf(NPMPKG_ROOT "-/%.*s%s-%s.tgz", (int)(base - name), name, base, version);
}

int npmpkg_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		char *ea, *eb;
		unsigned long long x = strtoull(a, &ea, 10), y = strtoull(b, &eb, 10);
		if (x != y)
			return x < y ? -1 : 1;
		a = *ea == '.' ? ea + 1 : ea;
		b = *eb == '.' ? eb + 1 : eb;
		if (ea == a && eb == b)
			return strcmp(a, b);
	}
	return 0;
}

void npmpkg_hashes(const void *tgz, size_t len, char integrity[96], char shasum[41])
{
	unsigned char d512[64], d1[20];
	unsigned int n;
	EVP_Digest(tgz, len, d512, &n, EVP_sha512(), NULL);
	EVP_Digest(tgz, len, d1, &n, EVP_sha1(), NULL);
	memcpy(integrity, "sha512-", 7);
	EVP_EncodeBlock((unsigned char *)integrity + 7, d512, sizeof(d512)); /* 88 chars and NUL */
	for (int i = 0; i < 20; i++)
		snprintf(shasum + 2 * i, 3, "%02x", d1[i]);
}

/* "name@x" pairs into an object {name: x}, names sorted (npm writes them sorted too). */
static json_t *deps_object(const struct strvec *specs)
{
	struct strvec sorted = STRVEC_INIT;
	for (size_t i = 0; i < specs->n; i++)
		strvec_push(&sorted, specs->v[i]);
	strvec_sort(&sorted);
	json_t *o = json_object();
	for (size_t i = 0; i < sorted.n; i++) {
		const char *at = strrchr(sorted.v[i], '@');
		char *n = xstrndup(sorted.v[i], (size_t)(at - sorted.v[i]));
		if (!json_object_get(o, n))
			jsonw_set_str(o, n, at + 1);
		free(n);
	}
	strvec_clear(&sorted);
	return o;
}

static json_t *export_entry(void)
{
	json_t *e = json_object();
	jsonw_set_str(e, "types", "./*.d.ts");
	jsonw_set_str(e, "default", "./*.js");
	return e;
}

/*
 * package.json. ES module packages (protoc-gen-es) say "type": "module" and
 * have no side effects; CommonJS ones (protoc-gen-js registers its messages
 * in a global namespace as it loads) say neither. The exports are the same.
 */
static void build_manifest(const struct npmpkg_meta *meta, struct buf *out)
{
	json_t *m = json_object();
	jsonw_set_str(m, "name", meta->name);
	jsonw_set_str(m, "version", meta->version);
	if (meta->description)
		jsonw_set_str(m, "description", meta->description);
	if (!meta->commonjs) {
		jsonw_set_str(m, "type", "module");
		jsonw_set(m, "sideEffects", json_false());
	}
	/* Every generated file by its path, with or without .js; types next to the code. */
	json_t *ex = json_object();
	jsonw_set_str(ex, "./package.json", "./package.json");
	jsonw_set(ex, "./*.js", export_entry());
	jsonw_set(ex, "./*", export_entry());
	jsonw_set(m, "exports", ex);
	if (meta->deps->n)
		jsonw_set(m, "dependencies", deps_object(meta->deps));
	if (meta->peer_deps->n)
		jsonw_set(m, "peerDependencies", deps_object(meta->peer_deps));
	jsonw_write_pretty(m, out);
}

static la_ssize_t write_to_buf(struct archive *a, void *arg, const void *data, size_t len)
{
	(void)a;
	buf_add(arg, data, len);
	return (la_ssize_t)len;
}

static int add_entry(struct archive *a, const char *name, const struct buf *content, char *err)
{
	struct archive_entry *e = archive_entry_new();
	char *path = xasprintf("package/%s", name);
	int rc = 0;
	archive_entry_set_pathname(e, path);
	archive_entry_set_size(e, (la_int64_t)content->len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, NPMPKG_MTIME, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (content->len && archive_write_data(a, content->data, content->len) != (la_ssize_t)content->len))
		rc = err_set(err, "tarball: %s: %s", path, archive_error_string(a));
	free(path);
	archive_entry_free(e);
	return rc;
}

static int cmp_casefold(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * What npm itself never packs or trips over, by its packing rules: version
 * control and npm's own state (.git, .svn, .hg, CVS, node_modules, .npmrc,
 * package-lock.json, npm-shrinkwrap.json), and names that differ only in
 * case (one file on the case-insensitive disks of macOS and Windows).
 * Returns 0, or -1 with err naming the file.
 */
static int check_files(const char *name, const char *version, const struct fileset *files, char *err)
{
	static const char *const dirs[] = { ".git", ".svn", ".hg", "CVS", "node_modules" };
	static const char *const bases[] = { ".npmrc", "package-lock.json", "npm-shrinkwrap.json" };
	for (size_t i = 0; i < files->n; i++) {
		const char *f = files->v[i].name;
		const char *base = strrchr(f, '/') ? strrchr(f, '/') + 1 : f;
		for (size_t k = 0; k < sizeof(bases) / sizeof(bases[0]); k++)
			if (!strcmp(base, bases[k]))
				return err_set(err, "package %s@%s: file %s: npm never packs %s", name, version, f,
					       bases[k]);
		for (const char *seg = f; seg; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL) {
			size_t len = strchr(seg, '/') ? (size_t)(strchr(seg, '/') - seg) : strlen(seg);
			for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++)
				if (len == strlen(dirs[k]) && !strncmp(seg, dirs[k], len) && seg[len] == '/')
					return err_set(err, "package %s@%s: file %s: npm never packs a %s directory",
						       name, version, f, dirs[k]);
		}
	}
	/* Sorted case-insensitively, names that differ only in case are neighbours. */
	const char **names = xcalloc(files->n + 1, sizeof(*names));
	for (size_t i = 0; i < files->n; i++)
		names[i] = files->v[i].name;
	qsort(names, files->n, sizeof(*names), cmp_casefold);
	int rc = 0;
	for (size_t i = 1; i < files->n && rc == 0; i++)
		if (!strcasecmp(names[i - 1], names[i]))
			rc = err_set(err,
				     "package %s@%s: files %s and %s differ only in case (one file on macOS and "
				     "Windows)",
				     name, version, names[i - 1], names[i]);
	free(names);
	return rc;
}

int npmpkg_build(struct npmpkg *p, const struct npmpkg_meta *m, struct fileset *files, char *err)
{
	const char *name = m->name, *version = m->version;
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->version = xstrdup(version);
	struct archive *a = NULL;
	int rc = -1;
	if (fileset_find(files, "package.json"))
		return err_set(err,
			       "package %s@%s: the plugins generated package.json, which remotegen "
			       "writes itself",
			       name, version);
	if (check_files(name, version, files, err) < 0)
		return -1;
	build_manifest(m, &p->manifest);
	fileset_sort(files);
	a = archive_write_new();
	if (!a)
		return err_set(err, "package %s@%s: out of memory", name, version);
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "compression-level", "9") != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, &p->tgz, NULL, write_to_buf, NULL) != ARCHIVE_OK) {
		err_set(err, "package %s@%s: tarball: %s", name, version, archive_error_string(a));
		goto out;
	}
	/* package.json sorts among the files by name, as every other entry. */
	int manifest_done = 0;
	for (size_t i = 0; i <= files->n; i++) {
		if (!manifest_done && (i == files->n || strcmp(files->v[i].name, "package.json") > 0)) {
			if (add_entry(a, "package.json", &p->manifest, err) < 0)
				goto fail;
			manifest_done = 1;
		}
		if (i < files->n && add_entry(a, files->v[i].name, &files->v[i].content, err) < 0)
			goto fail;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		err_set(err, "package %s@%s: tarball: %s", name, version, archive_error_string(a));
		goto out;
	}
	npmpkg_hashes(p->tgz.data, p->tgz.len, p->integrity, p->shasum);
	rc = 0;
	goto out;
fail : {
	char inner[ERR_SIZE];
	snprintf(inner, sizeof(inner), "%s", err);
	err_set(err, "package %s@%s: %s", name, version, inner);
}
out:
	if (a)
		archive_write_free(a);
	return rc;
}

void npmpkg_release(struct npmpkg *p)
{
	free(p->name);
	free(p->version);
	buf_release(&p->manifest);
	buf_release(&p->tgz);
	memset(p, 0, sizeof(*p));
}

int npmpkg_read_file(const void *tgz, size_t len, const char *name, struct buf *out, char *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *want = xasprintf("package/%s", name);
	int rc = 1, r;
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, tgz, len) != ARCHIVE_OK) {
		rc = err_set(err, "not a gzip'ed tar: %s", archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (strcmp(archive_entry_pathname(e), want))
			continue;
		char chunk[8192];
		la_ssize_t n;
		while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0)
			buf_add(out, chunk, (size_t)n);
		rc = n < 0 ? err_set(err, "%s: %s", want, archive_error_string(a)) : 0;
		goto out;
	}
	if (r != ARCHIVE_EOF)
		rc = err_set(err, "not a gzip'ed tar: %s", archive_error_string(a));
out:
	archive_read_free(a);
	free(want);
	return rc;
}

int npmpkg_upload(struct store *s, const struct npmpkg *p, char *err)
{
	char *key = npmpkg_tarball_key(p->name, p->version);
	int rc = store_put_immutable(s, key, p->tgz.data, p->tgz.len, "application/octet-stream", err);
	free(key);
	return rc < 0 ? rc : 0;
}

static int cmp_version(const void *a, const void *b)
{
	return npmpkg_version_cmp(((const struct npmpkg_version *)a)->version,
				  ((const struct npmpkg_version *)b)->version);
}

int npmpkg_packument(const char *name, const char *base_url, struct npmpkg_version *v, size_t n, struct buf *out,
		     char *err)
{
	qsort(v, n, sizeof(*v), cmp_version);
	json_t *doc = json_object(), *versions = json_object(), *time = json_object();
	const char *created = v[0].time, *modified = v[0].time;
	size_t blen = strlen(base_url);
	while (blen && base_url[blen - 1] == '/')
		blen--;
	for (size_t i = 0; i < n; i++) {
		json_error_t je;
		json_t *m = json_loads(v[i].manifest, 0, &je);
		if (!json_is_object(m)) {
			json_decref(m);
			json_decref(doc);
			json_decref(versions);
			json_decref(time);
			return err_set(err,
				       "packument %s: the package.json of %s in the database is not a "
				       "JSON object: %s",
				       name, v[i].version, je.text);
		}
		char *key = npmpkg_tarball_key(name, v[i].version);
		char *url = xasprintf("%.*s/%s", (int)blen, base_url, key + strlen(NPMPKG_ROOT));
		json_t *dist = json_object();
		jsonw_set_str(dist, "tarball", url);
		jsonw_set_str(dist, "integrity", v[i].integrity);
		jsonw_set_str(dist, "shasum", v[i].shasum);
		jsonw_set(m, "dist", dist);
		if (v[i].deprecated)
			jsonw_set_str(m, "deprecated", v[i].deprecated);
		jsonw_set(versions, v[i].version, m);
		free(url);
		free(key);
		if (strcmp(v[i].time, created) < 0)
			created = v[i].time;
		if (strcmp(v[i].time, modified) > 0)
			modified = v[i].time;
	}
	jsonw_set_str(time, "created", created);
	jsonw_set_str(time, "modified", modified);
	for (size_t i = 0; i < n; i++)
		jsonw_set_str(time, v[i].version, v[i].time);
	jsonw_set_str(doc, "_id", name);
	jsonw_set_str(doc, "name", name);
	json_t *tags = json_object();
	jsonw_set_str(tags, "latest", v[n - 1].version);
	jsonw_set(doc, "dist-tags", tags);
	jsonw_set(doc, "versions", versions);
	jsonw_set(doc, "time", time);
	jsonw_write_line(doc, out);
	return 0;
}

int npmpkg_put_packument(struct store *s, const char *name, const struct buf *doc, char *err)
{
	char *key = npmpkg_packument_key(name);
	int rc = store_put_mutable(s, key, doc->data ? doc->data : "", doc->len, "application/json", err);
	/* npm asks for @scope%2fname, pnpm for @scope%2Fname: a CDN keyed on the raw URL caches three objects. */
	char *slash = rc >= 0 && name[0] == '@' ? strchr(key + strlen(NPMPKG_ROOT), '/') : NULL;
	for (int i = 0; slash && i < 2; i++) {
		char *alias = xasprintf("%.*s%s%s", (int)(slash - key), key, i ? "%2F" : "%2f", slash + 1);
		store_purge_key(s, alias);
		free(alias);
	}
	free(key);
	return rc;
}
