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

int main(void)
{
	char err[ERR_SIZE];
	struct fileset a = FILESET_INIT, b = FILESET_INIT;
	struct buf za = BUF_INIT, zb = BUF_INIT;

	sample(&a, 0);
	sample(&b, 1);
	CHECK(modzip_build(MOD, "v1.1.1", &a, &za, err) == 0);
	CHECK(modzip_build(MOD, "v1.1.1", &b, &zb, err) == 0);
	/* determinism: same files in another order give the same bytes */
	CHECK(za.len > 0 && za.len == zb.len && !memcmp(za.data, zb.data, za.len));
	struct buf zc = BUF_INIT;
	CHECK(modzip_build(MOD, "v1.1.1", &a, &zc, err) == 0);
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

	fileset_add(&bad, "\xc5\xbf" "a/x.txt", "x", 1); /* U+017F LONG S folds to s */
	fileset_add(&bad, "sa/y.txt", "y", 1);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, err) < 0);
	CHECK_CONTAINS(err, "case-insensitive file name collision");
	fileset_release(&bad);

	fileset_add(&bad, "x/\xc3\x84.go", "x", 1);   /* Ä */
	fileset_add(&bad, "x/\xc3\xa4.go", "y", 1);   /* ä */
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
		CHECK_CONTAINS(err, MOD "@v1.1.1/foo/v2/b.go: case-insensitive file name collision: \"Foo\" and \"foo\"");
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
