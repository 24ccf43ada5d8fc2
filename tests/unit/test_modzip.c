/* Unit tests: module zip rules, entry layout and determinism. */
#include "modzip.h"
#include "unit.h"

#include <stdlib.h>
#include <zip.h>

static const char *MOD = "gen.example.com/go/t/go/acme/weather";

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

	/* rules */
	struct fileset bad = FILESET_INIT;
	fileset_add(&bad, "Foo.go", "x", 1);
	fileset_add(&bad, "foo.go", "y", 1);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, NULL, err) < 0);
	CHECK_CONTAINS(err, "differ only in case");
	fileset_release(&bad);

	fileset_add(&bad, "x/\xc3\x84.go", "x", 1);   /* Ä */
	fileset_add(&bad, "x/\xc3\xa4.go", "y", 1);   /* ä */
	CHECK(modzip_check(MOD, "v1.1.1", &bad, NULL, err) < 0);
	CHECK_CONTAINS(err, "differ only in case");
	fileset_release(&bad);

	fileset_add(&bad, "sub/go.mod", "module x\n", 9);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, NULL, err) < 0);
	CHECK_CONTAINS(err, "sub/go.mod");
	fileset_release(&bad);

	fileset_add(&bad, "GO.MOD", "module x\n", 9);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, NULL, err) < 0);
	fileset_release(&bad);

	fileset_add(&bad, "a/../b.go", "x", 1);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, NULL, err) < 0);
	CHECK_CONTAINS(err, "a/../b.go");
	fileset_release(&bad);

	fileset_add(&bad, "nul/x.go", "x", 1);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, NULL, err) < 0);
	fileset_release(&bad);

	fileset_add(&bad, "bad\xff.go", "x", 1);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, NULL, err) < 0);
	CHECK_CONTAINS(err, "UTF-8");
	fileset_release(&bad);

	/* size limits (scaled down) */
	struct modzip_limits lim = { .max_zip = 100, .max_gomod = 10, .max_license = 20 };
	fileset_add(&bad, "go.mod", "module example.com/x\n", 21);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, &lim, err) < 0);
	CHECK_CONTAINS(err, "go.mod is 21 bytes");
	fileset_release(&bad);
	fileset_add(&bad, "LICENSE", "0123456789012345678901234", 25);
	CHECK(modzip_check(MOD, "v1.1.1", &bad, &lim, err) < 0);
	CHECK_CONTAINS(err, "LICENSE");
	fileset_release(&bad);
	char big[60];
	memset(big, 'x', sizeof(big));
	fileset_add(&bad, "a.go", big, sizeof(big));
	fileset_add(&bad, "b.go", big, sizeof(big));
	CHECK(modzip_check(MOD, "v1.1.1", &bad, &lim, err) < 0);
	CHECK_CONTAINS(err, "more than 100 bytes");
	fileset_release(&bad);
	fileset_add(&bad, "a.go", big, sizeof(big));
	CHECK(modzip_check(MOD, "v1.1.1", &bad, &lim, err) == 0);
	fileset_release(&bad);

	/* the module path and version themselves */
	fileset_add(&bad, "a.go", "x", 1);
	CHECK(modzip_check("nodot/x", "v1.1.1", &bad, NULL, err) < 0);
	CHECK(modzip_check(MOD, "v1.1", &bad, NULL, err) < 0);
	fileset_release(&bad);

	fileset_release(&a);
	fileset_release(&b);
	buf_release(&za);
	buf_release(&zb);
	return unit_done("modzip");
}
