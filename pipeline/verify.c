/*
 * verify: store audit (see verify.h).
 */
#include "verify.h"
#include "dirhash.h"
#include "db.h"
#include "feed.h"
#include "modpath.h"
#include "modzip.h"
#include "npmpkg.h"
#include "publish.h"
#include "queue.h"

#include <stdlib.h>
#include <string.h>

static void problem(FILE *report, int *problems, const char *fmt, const char *a, const char *b,
		    const char *c)
{
	fprintf(report, fmt, a, b, c);
	fputc('\n', report);
	(*problems)++;
}

/* Fetches key; 0 found, 1 missing (reported), <0 store error. */
static int fetch(struct store *s, const char *key, struct buf *out, FILE *report, int *problems,
		 char *err)
{
	int rc = store_get(s, key, out, err);
	if (rc == 1)
		problem(report, problems, "missing: %s%s%s", key, "", "");
	return rc;
}

/* feed_render_all's callback: every feed object as the database says it should be. */
struct feed_check {
	struct store *s;
	FILE *report;
	int *problems;
	struct strvec *expected;
	char *err;
	int failed;
};

static int check_feed_object(void *arg, const char *key, const struct buf *want, int immutable)
{
	struct feed_check *fc = arg;
	struct buf got = BUF_INIT;
	(void)immutable;
	strvec_push(fc->expected, key);
	int g = fetch(fc->s, key, &got, fc->report, fc->problems, fc->err);
	if (g < 0)
		fc->failed = 1;
	else if (g == 0 && (got.len != want->len || (want->len && memcmp(got.data, want->data, want->len))))
		problem(fc->report, fc->problems, "stale index: %s does not hold exactly what the database "
			"says%s%s", key, "", "");
	buf_release(&got);
	return fc->failed;
}

struct modpath_versions {
	char *modpath;
	struct strvec versions;
	struct strvec times;
};

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_versions(const void *a, const void *b)
{
	return modpath_version_cmp(*(char *const *)a, *(char *const *)b);
}

/*
 * One npm package version: the tarball exists, its hashes are the recorded
 * dist hashes, and its package.json is the recorded one. 0, or <0 on a store error.
 */
static int verify_npm_version(struct store *s, const struct sched_published *p, struct strvec *expected,
			      FILE *report, int *problems, char *err)
{
	struct buf data = BUF_INIT, manifest = BUF_INIT;
	char *key = npmpkg_tarball_key(p->npm_package, p->version + 1);
	char integrity[96], shasum[41], sub[ERR_SIZE];
	strvec_push(expected, key);
	int g = fetch(s, key, &data, report, problems, err);
	if (g == 0) {
		npmpkg_hashes(data.data ? data.data : "", data.len, integrity, shasum);
		if (strcmp(integrity, p->npm_integrity) || strcmp(shasum, p->npm_shasum))
			problem(report, problems, "hash mismatch: %s: database %s, store %s", key,
				p->npm_integrity, integrity);
		int m = npmpkg_read_file(data.data ? data.data : "", data.len, "package.json", &manifest, sub);
		if (m < 0)
			problem(report, problems, "corrupt: %s: %s%s", key, sub, "");
		else if (m == 1)
			problem(report, problems, "unusable: %s: no package/package.json%s%s", key, "", "");
		else if (manifest.len != strlen(p->npm_manifest) || memcmp(manifest.data, p->npm_manifest, manifest.len))
			problem(report, problems, "wrong content: %s: package.json is not the one recorded%s%s",
				key, "", "");
	}
	free(key);
	buf_release(&data);
	buf_release(&manifest);
	return g < 0 ? g : 0;
}

/* The packument of the package of p, against what the database says. 0, or <0 on an error. */
static int verify_packument(PGconn *c, struct store *s, const struct sched_published *p, const char *npm_url,
			    struct strvec *expected, FILE *report, int *problems, char *err)
{
	struct npmpkg_version *nv = NULL;
	size_t n = 0;
	PGresult *r = NULL;
	struct buf want = BUF_INIT, got = BUF_INIT;
	char *key = npmpkg_packument_key(p->npm_package);
	int rc = -1;
	strvec_push(expected, key);
	if (sched_published_npm(c, p->template_id, p->module_id, &nv, &n, &r, err) < 0 ||
	    npmpkg_packument(p->npm_package, npm_url, nv, n, &want, err) < 0)
		goto out;
	rc = fetch(s, key, &got, report, problems, err);
	if (rc == 0 && (got.len != want.len || memcmp(got.data, want.data, want.len)))
		problem(report, problems, "stale index: %s does not hold exactly what the database says "
			"(latest %s, tarballs at %s)", key, nv[n - 1].version, npm_url);
	if (rc > 0)
		rc = 0;
out:
	free(key);
	free(nv);
	PQclear(r);
	buf_release(&want);
	buf_release(&got);
	return rc;
}

int verify_store(PGconn *c, struct store *s, const char *go_prefix, const char *npm_url, FILE *report,
		 int *problems, long *objects, char *err)
{
	struct strvec packages = STRVEC_INIT;
	struct sched_published *v = NULL;
	PGresult *r = NULL;
	size_t n = 0, nm = 0;
	struct strvec expected = STRVEC_INIT, present = STRVEC_INIT;
	struct modpath_versions *mods = NULL;
	struct buf data = BUF_INIT;
	int rc = -1;

	*problems = 0;
	*objects = 0;
	if (sched_all_published(c, &v, &n, &r, err) < 0)
		return -1;
	mods = xcalloc(n + 1, sizeof(*mods));
	for (size_t i = 0; i < n; i++) {
		if (v[i].npm_package) {
			if (!npm_url) {
				err_set(err, "the store holds npm packages (%s, ...): verify needs the URL their "
					"packuments link to (REMOTEGEN_NPM_URL or --npm-url)", v[i].npm_package);
				goto out;
			}
			if (verify_npm_version(s, &v[i], &expected, report, problems, err) < 0)
				goto out;
			if (!strvec_contains(&packages, v[i].npm_package)) {
				strvec_push(&packages, v[i].npm_package);
				if (verify_packument(c, s, &v[i], npm_url, &expected, report, problems, err) < 0)
					goto out;
			}
			continue;
		}
		char *mp = modpath_module(go_prefix, v[i].tmpl_owner, v[i].tmpl_name, v[i].mod_owner, v[i].mod_name);
		char hash[DIRHASH_SIZE];
		static const char *const exts[] = { ".zip", ".mod", ".info" };
		char *keys[3];
		int bad = 0;
		for (int k = 0; k < 3; k++) {
			keys[k] = publish_key(mp, "/@v/", v[i].version, exts[k], err);
			if (!keys[k]) {
				bad = 1;
				keys[k] = xstrdup("");
			}
			strvec_push(&expected, keys[k]);
		}
		if (bad)
			goto next;
		/* the zip */
		buf_reset(&data);
		int g = fetch(s, keys[0], &data, report, problems, err);
		if (g < 0)
			goto fail_version;
		if (g == 0) {
			struct fileset files = FILESET_INIT;
			char sub[ERR_SIZE];
			if (modzip_read(data.data, data.len, &files, sub) < 0)
				problem(report, problems, "corrupt: %s: %s%s", keys[0], sub, "");
			else {
				if (dirhash_h1("", &files, hash, sub) < 0 || strcmp(hash, v[i].zip_hash))
					problem(report, problems, "hash mismatch: %s: database %s, store %s",
						keys[0], v[i].zip_hash, hash);
				/* what the go command would refuse to extract, or could not import */
				if (modzip_check_zip(mp, v[i].version, data.data, data.len, sub) < 0)
					problem(report, problems, "unusable: %s: %s%s", keys[0], sub, "");
			}
			fileset_release(&files);
		}
		/* go.mod */
		buf_reset(&data);
		if ((g = fetch(s, keys[1], &data, report, problems, err)) < 0)
			goto fail_version;
		if (g == 0) {
			dirhash_h1_gomod(data.data ? data.data : "", data.len, hash);
			if (strcmp(hash, v[i].mod_hash))
				problem(report, problems, "hash mismatch: %s: database %s, store %s", keys[1],
					v[i].mod_hash, hash);
		}
		/* .info */
		buf_reset(&data);
		if ((g = fetch(s, keys[2], &data, report, problems, err)) < 0)
			goto fail_version;
		if (g == 0) {
			char want[128];
			snprintf(want, sizeof(want), "\"Version\":\"%s\"", v[i].version);
			if (!data.data || !strstr(data.data, want))
				problem(report, problems, "wrong content: %s does not name version %s%s", keys[2],
					v[i].version, "");
		}
	next:
		for (int k = 0; k < 3; k++)
			free(keys[k]);
		size_t m;
		for (m = 0; m < nm; m++)
			if (!strcmp(mods[m].modpath, mp))
				break;
		if (m == nm)
			mods[nm++].modpath = mp;
		else
			free(mp);
		strvec_push(&mods[m].versions, v[i].version);
		strvec_push(&mods[m].times, v[i].time);
		continue;
	fail_version:
		for (int k = 0; k < 3; k++)
			free(keys[k]);
		free(mp);
		goto out;
	}
	/* index files of each module path */
	for (size_t m = 0; m < nm; m++) {
		char *lk = publish_key(mods[m].modpath, "/@v/list", NULL, NULL, err);
		char *latest_k = publish_key(mods[m].modpath, "/@latest", NULL, NULL, err);
		if (!lk || !latest_k) {
			free(lk);
			free(latest_k);
			goto out;
		}
		strvec_push(&expected, lk);
		strvec_push(&expected, latest_k);
		struct strvec sorted = STRVEC_INIT;
		for (size_t k = 0; k < mods[m].versions.n; k++)
			strvec_push(&sorted, mods[m].versions.v[k]);
		qsort(sorted.v, sorted.n, sizeof(*sorted.v), cmp_versions);
		struct buf want = BUF_INIT;
		for (size_t k = 0; k < sorted.n; k++)
			buf_printf(&want, "%s\n", sorted.v[k]);
		buf_reset(&data);
		int g = fetch(s, lk, &data, report, problems, err);
		if (g == 0 && (data.len != want.len || memcmp(data.data, want.data, want.len)))
			problem(report, problems, "stale index: %s does not list exactly the published versions (%s)%s",
				lk, sorted.v[sorted.n - 1], " is the latest");
		const char *latest = sorted.v[sorted.n - 1];
		char needle[128];
		snprintf(needle, sizeof(needle), "\"Version\":\"%s\"", latest);
		buf_reset(&data);
		int g2 = g < 0 ? g : fetch(s, latest_k, &data, report, problems, err);
		if (g2 == 0 && (!data.data || !strstr(data.data, needle)))
			problem(report, problems, "stale index: %s does not name %s%s", latest_k, latest, "");
		buf_release(&want);
		strvec_clear(&sorted);
		free(lk);
		free(latest_k);
		if (g < 0 || g2 < 0)
			goto out;
	}
	/* the feed */
	struct feed_check fc = { .s = s, .report = report, .problems = problems, .expected = &expected, .err = err };
	if (feed_render_all(c, go_prefix, check_feed_object, &fc, err) < 0 || fc.failed)
		goto out;
	PGresult *unfed = db_exec(c, "verify: versions not in the feed",
		"SELECT count(*) FROM generations WHERE state = 'published' AND feed_seq IS NULL", 0, NULL, err);
	if (!unfed)
		goto out;
	if (db_ll(unfed, 0, 0) > 0)
		problem(report, problems, "stale index: %s published versions are not in the feed (%s)%s",
			PQgetvalue(unfed, 0, 0), FEED_INDEX_KEY, "");
	PQclear(unfed);
	/* objects nobody published */
	if (store_list(s, &present, err) < 0)
		goto out;
	strvec_sort(&expected);
	*objects = (long)present.n;
	for (size_t i = 0; i < present.n; i++) {
		const char *k = present.v[i];
		const char *base = strrchr(k, '/') ? strrchr(k, '/') + 1 : k;
		if (base[0] == '.' && strstr(base, ".tmp."))
			continue; /* a file store's write in progress */
		if (!expected.n || !bsearch(&k, expected.v, expected.n, sizeof(*expected.v), cmp_strp))
			problem(report, problems, "unknown object: %s (the database has no published version "
				"for it)%s%s", k, "", "");
	}
	rc = 0;
out:
	for (size_t m = 0; m < nm; m++) {
		free(mods[m].modpath);
		strvec_clear(&mods[m].versions);
		strvec_clear(&mods[m].times);
	}
	free(mods);
	free(v);
	PQclear(r);
	strvec_clear(&expected);
	strvec_clear(&present);
	strvec_clear(&packages);
	buf_release(&data);
	return rc;
}
