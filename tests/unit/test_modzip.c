/* Unit tests: module zip rules, entry layout and determinism. */
#include "modzip.h"
#include "unit.h"

#include <stdlib.h>
#include <zip.h>

#define MOD "gen.example.com/go/t/go/acme/weather"

static void sample(struct fileset *fs, int reverse)
{
	const char *names[] = { "go.mod", "acme/weather/v1/weather.pb.go", "acme/weather/v1/a.pb.go", "README" };
	for (int i = 0; i < 4; i++) {
		int k = reverse ? 3 - i : i;
		fileset_add(fs, names[k], names[k], strlen(names[k]));
	}
}

/* Files a zip cache must copy exactly: a large one, an empty one, a non-ASCII name. */
static void varied(struct fileset *fs, const char *salt)
{
	struct buf big = BUF_INIT;
	for (int i = 0; i < 20000; i++)
		buf_printf(&big, "// line %d of a generated file %s\n", i * 7919 % 10007, salt);
	fileset_add(fs, "acme/weather/v1/big.pb.go", big.data, big.len);
	fileset_add(fs, "acme/weather/v1/empty.txt", "", 0);
	fileset_add(fs, "acme/weather/v1/\xc3\xa9t\xc3\xa9.txt", "caf\xc3\xa9", 5);
	fileset_add(fs, "acme/weather/v1/weather.pb.go", salt, strlen(salt));
	buf_release(&big);
}

/* A zip cache gives the bytes deflating every file gives, whether it finds the files or not. */
static void check_zipcache(void)
{
	char err[ERR_SIZE];
	struct zipcache zc;
	zipcache_init(&zc, ZIPCACHE_MAX_BYTES);
	struct fileset plain = FILESET_INIT, first = FILESET_INIT, again = FILESET_INIT, other = FILESET_INIT;
	struct buf zp = BUF_INIT, z1 = BUF_INIT, z2 = BUF_INIT, z3 = BUF_INIT, zo = BUF_INIT;
	varied(&plain, "one");
	varied(&first, "one");
	varied(&again, "one");
	varied(&other, "two");
	CHECK(modzip_build(MOD, "v1.1.1", &plain, NULL, &zp, err) == 0);
	CHECK(modzip_build(MOD, "v1.1.1", &first, &zc, &z1, err) == 0);
	CHECK(zc.hits == 0 && zc.misses == 4);
	CHECK(z1.len == zp.len && !memcmp(z1.data, zp.data, zp.len));
	/* the same files again, under another version: all four copied, same bytes as deflating them */
	struct fileset v2 = FILESET_INIT;
	struct buf zv = BUF_INIT, zv2 = BUF_INIT;
	varied(&v2, "one");
	CHECK(modzip_build(MOD, "v1.1.2", &again, &zc, &z2, err) == 0);
	CHECK(zc.hits == 4 && zc.misses == 4);
	CHECK(modzip_build(MOD, "v1.1.2", &v2, NULL, &zv, err) == 0);
	CHECK(z2.len == zv.len && !memcmp(z2.data, zv.data, zv.len));
	/* two files changed: two misses, two hits, and still the plain bytes */
	CHECK(modzip_build(MOD, "v1.1.1", &other, &zc, &z3, err) == 0);
	CHECK(zc.hits == 6 && zc.misses == 6);
	struct fileset other_plain = FILESET_INIT;
	varied(&other_plain, "two");
	CHECK(modzip_build(MOD, "v1.1.1", &other_plain, NULL, &zo, err) == 0);
	CHECK(z3.len == zo.len && !memcmp(z3.data, zo.data, zo.len));
	/* another level is another entry: the cache never hands level 6 data to a level 1 zip */
	struct fileset l1 = FILESET_INIT, l1c = FILESET_INIT;
	struct buf zl = BUF_INIT, zlc = BUF_INIT;
	varied(&l1, "one");
	varied(&l1c, "one");
	CHECK(modzip_build_level(MOD, "v1.1.1", &l1, 1, NULL, &zl, err) == 0);
	CHECK(modzip_build_level(MOD, "v1.1.1", &l1c, 1, &zc, &zlc, err) == 0);
	CHECK(zl.len == zlc.len && !memcmp(zl.data, zlc.data, zl.len));
	CHECK(zl.len != zp.len);
	zipcache_release(&zc);

	/* a bound smaller than one entry: nothing is kept, the bytes do not change */
	struct zipcache tiny;
	zipcache_init(&tiny, 64);
	struct fileset t = FILESET_INIT;
	struct buf zt = BUF_INIT;
	varied(&t, "one");
	CHECK(modzip_build(MOD, "v1.1.1", &t, &tiny, &zt, err) == 0);
	CHECK(zt.len == zp.len && !memcmp(zt.data, zp.data, zp.len));
	CHECK(tiny.bytes <= 64);
	zipcache_release(&tiny);

	struct fileset *sets[] = { &plain, &first, &again, &other, &v2, &other_plain, &l1, &l1c, &t };
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		fileset_release(sets[i]);
	struct buf *bufs[] = { &zp, &z1, &z2, &z3, &zo, &zv, &zv2, &zl, &zlc, &zt };
	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		buf_release(bufs[i]);
}

/* Eviction: the oldest entries go first, and the bytes kept stay within the bound. */
static void check_zipcache_bound(void)
{
	struct zipcache zc;
	zipcache_init(&zc, 100);
	unsigned char k[3][32];
	for (int i = 0; i < 3; i++)
		memset(k[i], 'a' + i, 32);
	char blob[40] = { 0 };
	struct buf got = BUF_INIT;
	zipcache_keep(&zc, k[0], 6, blob, 40);
	zipcache_keep(&zc, k[1], 6, blob, 40);
	CHECK(zc.bytes == 80);
	zipcache_keep(&zc, k[2], 6, blob, 40); /* k[0] goes */
	CHECK(zc.bytes == 80);
	CHECK(zipcache_find(&zc, k[0], 6, &got) == 0);
	CHECK(zipcache_find(&zc, k[1], 6, &got) == 1 && got.len == 40);
	buf_release(&got);
	CHECK(zipcache_find(&zc, k[1], 1, &got) == 0 && got.len == 0);
	zipcache_keep(&zc, k[1], 6, blob, 40); /* already there: kept once */
	CHECK(zc.bytes == 80);
	zipcache_release(&zc);
}

int main(void)
{
	check_zipcache();
	check_zipcache_bound();
	char err[ERR_SIZE];
	struct fileset a = FILESET_INIT, b = FILESET_INIT;
	struct buf za = BUF_INIT, zb = BUF_INIT;

	sample(&a, 0);
	sample(&b, 1);
	CHECK(modzip_build(MOD, "v1.1.1", &a, NULL, &za, err) == 0);
	CHECK(modzip_build(MOD, "v1.1.1", &b, NULL, &zb, err) == 0);
	/* determinism: same files in another order give the same bytes */
	CHECK(za.len > 0 && za.len == zb.len && !memcmp(za.data, zb.data, za.len));
	struct buf zc = BUF_INIT;
	CHECK(modzip_build(MOD, "v1.1.1", &a, NULL, &zc, err) == 0);
	CHECK(zc.len == za.len && !memcmp(zc.data, za.data, za.len));
	buf_release(&zc);

	/* read it back: every entry under module@version/, sorted, fixed time */
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(za.data, za.len, 0, &ze);
	zip_t *z = zip_open_from_source(src, ZIP_RDONLY, &ze);
	CHECK(z != NULL);
	if (z) {
		CHECK(zip_get_num_entries(z, 0) == 4);
		const char *prev = "";
		for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); i++) {
			zip_stat_t st;
			zip_stat_index(z, (zip_uint64_t)i, 0, &st);
			CHECK(!strncmp(st.name, "gen.example.com/go/t/go/acme/weather@v1.1.1/", 44));
			CHECK(strcmp(prev, st.name) < 0);
			prev = st.name;
			struct tm tm;
			localtime_r(&st.mtime, &tm);
			CHECK(tm.tm_year == 80 && tm.tm_mon == 0 && tm.tm_mday == 1);
		}
		zip_int64_t idx = zip_name_locate(z, "gen.example.com/go/t/go/acme/weather@v1.1.1/go.mod", 0);
		CHECK(idx >= 0);
		zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)idx, 0);
		char got[16] = { 0 };
		CHECK(f && zip_fread(f, got, sizeof(got) - 1) == 6);
		CHECK_STR(got, "go.mod");
		if (f)
			zip_fclose(f);
		zip_discard(z);
	} else {
		zip_source_free(src);
	}

	/* rules: case-fold collisions of files and of directories */
	struct fileset bad = FILESET_INIT;
	fileset_add(&bad, "Foo.go", "package x\n", 10);
	fileset_add(&bad, "foo.go", "package x\n", 10);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) < 0);
	CHECK_CONTAINS(err, "case-insensitive file name collision: \"Foo.go\" and \"foo.go\"");
	fileset_release(&bad);

	fileset_add(&bad, "Foo/v1/a.go", "package v1\n", 11);
	fileset_add(&bad, "foo/v2/b.go", "package v2\n", 11);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) < 0);
	CHECK_CONTAINS(err, "foo/v2/b.go: case-insensitive file name collision: \"Foo\" and \"foo\"");
	fileset_release(&bad);

	fileset_add(&bad,
		    "\xc5\xbf"
		    "a/x.txt",
		    "x", 1); /* U+017F LONG S folds to s */
	fileset_add(&bad, "sa/y.txt", "y", 1);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) < 0);
	CHECK_CONTAINS(err, "case-insensitive file name collision");
	fileset_release(&bad);

	fileset_add(&bad, "x/\xc3\x84.go", "x", 1); /* Ä */
	fileset_add(&bad, "x/\xc3\xa4.go", "y", 1); /* ä */
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) < 0);
	CHECK_CONTAINS(err, "case-insensitive file name collision");
	fileset_release(&bad);

	/* every offending file is named, not just the first */
	fileset_add(&bad, "wx\xe2\x82\xac/v1/a.pb.go", "package v1\n", 11); /* € is no letter */
	fileset_add(&bad, "vendor/x/a.pb.go", "package x\n", 10);
	fileset_add(&bad, "ok/a.pb.go", "package ok\n", 11);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) < 0);
	CHECK_CONTAINS(err, "2 files break");
	CHECK_CONTAINS(err, "invalid char U+20AC");
	CHECK_CONTAINS(err, "vendor/x/a.pb.go: file is in vendor directory");
	fileset_release(&bad);

	/* a valid file path that is no importable package */
	fileset_add(&bad, "my protos/a.pb.go", "package a\n", 10);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) < 0);
	CHECK_CONTAINS(err, "cannot be imported");
	fileset_release(&bad);
	fileset_add(&bad, "my protos/a.txt", "x", 1);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) == 0);
	fileset_release(&bad);

	fileset_add(&bad, "sub/go.mod", "module x\n", 9);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) < 0);
	CHECK_CONTAINS(err, "sub/go.mod: file is in another module");
	fileset_release(&bad);

	fileset_add(&bad, "GO.MOD", "module x\n", 9);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) < 0);
	CHECK_CONTAINS(err, "lowercase");
	fileset_release(&bad);

	fileset_add(&bad, "a/../b.go", "x", 1);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) < 0);
	CHECK_CONTAINS(err, "a/../b.go: file path is not clean");
	fileset_release(&bad);

	fileset_add(&bad, "nul/x.go", "x", 1);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) < 0);
	CHECK_CONTAINS(err, "Windows");
	fileset_release(&bad);

	fileset_add(&bad, "bad\xff.go", "x", 1);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) < 0);
	CHECK_CONTAINS(err, "UTF-8");
	fileset_release(&bad);

	/* size limits: go.mod and LICENSE at most 16 MiB */
	struct fileset_entry *big = fileset_add(&bad, "LICENSE", "", 0);
	buf_grow(&big->content, (16u << 20) + 1);
	memset(big->content.data, 'x', (16u << 20) + 1);
	big->content.len = (16u << 20) + 1;
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) < 0);
	CHECK_CONTAINS(err, "LICENSE file too large");
	big->content.len = 16u << 20;
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) == 0);
	fileset_release(&bad);

	/* a published zip is audited as the go command reads it */
	{
		zip_error_t zerr;
		zip_error_init(&zerr);
		zip_source_t *zs = zip_source_buffer_create(NULL, 0, 0, &zerr);
		zip_t *zw = zip_open_from_source(zs, ZIP_TRUNCATE, &zerr);
		zip_source_keep(zs);
		const char *names[] = { MOD "@v1.1.1/Foo/v1/a.go", MOD "@v1.1.1/foo/v2/b.go", MOD "@v1.1.1/go.mod" };
		for (int i = 0; i < 3; i++)
			zip_file_add(zw, names[i], zip_source_buffer(zw, "package v\n", 10, 0), ZIP_FL_ENC_UTF_8);
		CHECK(zip_close(zw) == 0);
		zip_stat_t zst;
		CHECK(zip_source_stat(zs, &zst) == 0 && zip_source_open(zs) == 0);
		char *zbytes = malloc(zst.size);
		CHECK(zip_source_read(zs, zbytes, zst.size) == (zip_int64_t)zst.size);
		zip_source_close(zs);
		CHECK(modzip_check_zip(MOD, "v1.1.1", zbytes, zst.size, err) < 0);
		CHECK_CONTAINS(err,
			       MOD "@v1.1.1/foo/v2/b.go: case-insensitive file name collision: \"Foo\" and \"foo\"");
		CHECK(modzip_check_zip(MOD, "v1.1.1", za.data, za.len, err) == 0);
		CHECK(modzip_check_zip(MOD, "v1.1.1", "nozip", 5, err) < 0);
		CHECK_CONTAINS(err, "not a zip");
		free(zbytes);
		zip_source_free(zs);
	}

	/* the module path and version themselves */
	fileset_add(&bad, "a.go", "x", 1);
	CHECK(modzip_check("nodot/x", "v1.1.1", &bad, err) < 0);
	CHECK(modzip_check(MOD, "v1.1", &bad, err) < 0);
	fileset_release(&bad);

	fileset_release(&a);
	fileset_release(&b);
	buf_release(&za);
	buf_release(&zb);
	return unit_done("modzip");
}
