/* Unit tests: the go command's path and zip rules (gorules) on the cases that bit us. */
#include "gorules.h"
#include "unit.h"

#include <stdlib.h>

static size_t count_files(const char *const *paths, const unsigned long long *sizes, size_t n,
			  struct gorules_report *rep)
{
	gorules_report_release(rep);
	return gorules_check_files(paths, sizes, n, rep);
}

int main(void)
{
	char err[ERR_SIZE];
	struct gorules_report rep = GORULES_REPORT_INIT;

	/* letters: any Unicode letter of Go 1.19's tables, nothing else */
	CHECK(gorules_check_path(GORULES_FILE, "caf\xc3\xa9/x.go", err) == 0);	    /* é */
	CHECK(gorules_check_path(GORULES_FILE, "wx\xe2\x82\xac/v1/a.go", err) < 0); /* € */
	CHECK_CONTAINS(err, "invalid char U+20AC");
	CHECK(gorules_check_path(GORULES_FILE, "\xd9\xa3/a.go", err) < 0);	 /* Arabic-Indic 3: a digit */
	CHECK(gorules_check_path(GORULES_FILE, "e\xcc\x81.go", err) < 0);	 /* combining acute */
	CHECK(gorules_check_path(GORULES_FILE, "\xf0\x90\x95\xb0.go", err) < 0); /* U+10570, Unicode 14 */
	CHECK(gorules_check_path(GORULES_FILE, "\xe4\xb8\xad.go", err) == 0);	 /* 中 */
	CHECK(gorules_check_path(GORULES_FILE, "a\xed\xa0\x80", err) < 0);	 /* a surrogate */
	CHECK_CONTAINS(err, "UTF-8");
	CHECK(gorules_check_path(GORULES_FILE, "a\xc0\x80", err) < 0); /* overlong NUL */
	CHECK(gorules_check_path(GORULES_FILE, "-a/b", err) == 0);
	CHECK(gorules_check_path(GORULES_IMPORT, "-a/b", err) < 0);
	CHECK(gorules_check_path(GORULES_FILE, "a/.b", err) == 0);
	CHECK(gorules_check_path(GORULES_MODULE, "example.com/.b", err) < 0);
	CHECK(gorules_check_path(GORULES_FILE, "Con.txt/x", err) < 0);
	CHECK(gorules_check_path(GORULES_FILE, "a/...", err) < 0);
	CHECK(gorules_check_path(GORULES_IMPORT, "example.com/c++", err) == 0);
	CHECK(gorules_check_path(GORULES_MODULE, "example.com/c++", err) < 0);
	CHECK(gorules_check_path(GORULES_MODULE, "example.com/x/v2", err) < 0);
	CHECK(gorules_check_path(GORULES_MODULE, "example.com/x/v1", err) < 0); /* SplitPathVersion: invalid */
	CHECK(gorules_check_path(GORULES_MODULE, "Example.com/x", err) < 0);

	/* folding: x/mod's strToFold, not towlower */
	char *a = gorules_fold("\xc5\xbf"), *b = gorules_fold("S"); /* ſ and S */
	CHECK_STR(a, b);
	free(a);
	free(b);
	a = gorules_fold("\xe2\x84\xaa"), b = gorules_fold("k"); /* Kelvin sign */
	CHECK_STR(a, b);
	free(a);
	free(b);
	a = gorules_fold("\xc4\xb0"), b = gorules_fold("i"); /* İ stays apart from i */
	CHECK(strcmp(a, b) != 0);
	free(a);
	free(b);
	a = gorules_fold("\xe1\x8e\xa0"), b = gorules_fold("\xea\xad\xb0"); /* Cherokee Ꭰ and ꭰ */
	CHECK_STR(a, b);
	free(a);
	free(b);

	/* collisions over every parent directory */
	const char *dirs[] = { "Foo/v1/a.proto", "foo/v2/b.proto" };
	CHECK(count_files(dirs, NULL, 2, &rep) == 1);
	CHECK_STR(rep.v[0].path, "foo/v2/b.proto");
	CHECK_CONTAINS(rep.v[0].reason, "\"Foo\" and \"foo\"");
	const char *longs[] = { "\xc5\xbf"
				"a",
				"sa" };
	CHECK(count_files(longs, NULL, 2, &rep) == 1);
	const char *fileanddir[] = { "a", "a/b" };
	CHECK(count_files(fileanddir, NULL, 2, &rep) == 1);
	CHECK_CONTAINS(rep.v[0].reason, "both a file and a directory");
	const char *twice[] = { "a/b", "a/b" };
	CHECK(count_files(twice, NULL, 2, &rep) == 1);
	CHECK_CONTAINS(rep.v[0].reason, "multiple entries");
	const char *fine[] = { "a/b.go", "a/c.go", "b/a.go", "go.mod", "LICENSE" };
	CHECK(count_files(fine, NULL, 5, &rep) == 0);

	/* vendored packages, nested modules, hg: the go command leaves them out */
	const char *omitted[] = { "vendor/x/a.go",    "x/vendor/y/a.go",    "sub/go.mod",   "sub/a.go",
				  ".hg_archival.txt", "vendor/modules.txt", "a/vendor/b.go" };
	CHECK(count_files(omitted, NULL, 7, &rep) == 6); /* all but vendor/modules.txt */
	for (size_t i = 0; i < rep.n; i++)
		CHECK(rep.v[i].omitted);
	CHECK(gorules_is_vendored("vendor/a/b"));
	CHECK(!gorules_is_vendored("vendor/modules.txt"));
	CHECK(gorules_is_vendored("x/vendor/a"));
	CHECK(!gorules_is_vendored("/vendor/x")); /* x/mod's offset quirk, kept */

	/* sizes */
	unsigned long long sizes[] = { (16ULL << 20) + 1, 300ULL << 20, 300ULL << 20 };
	const char *sized[] = { "go.mod", "a.bin", "b.bin" };
	CHECK(count_files(sized, sizes, 3, &rep) == 2);
	CHECK_CONTAINS(rep.v[0].reason, "go.mod file too large");
	CHECK_CONTAINS(rep.v[1].reason, "module source tree too large");

	/* a zip's entries */
	const char *entries[] = { "m.example.com/x@v1.1.1/", "m.example.com/x@v1.1.1/a/", "m.example.com/x@v1.1.1/A/b",
				  "other@v1/c", "m.example.com/x@v1.1.1/d/go.mod" };
	gorules_report_release(&rep);
	CHECK(gorules_check_zip("m.example.com/x@v1.1.1/", entries, NULL, 5, &rep) == 3);
	CHECK_CONTAINS(rep.v[0].reason, "collision");
	CHECK_CONTAINS(rep.v[1].reason, "does not have prefix");
	CHECK_CONTAINS(rep.v[2].reason, "not in module root");

	/* the message names every file */
	CHECK(gorules_report_error(&rep, "module m", err) < 0);
	CHECK_CONTAINS(err, "module m: 3 files break the go command's module rules: ");
	CHECK_CONTAINS(err, "other@v1/c: path does not have prefix");
	gorules_report_release(&rep);
	return unit_done("gorules");
}
