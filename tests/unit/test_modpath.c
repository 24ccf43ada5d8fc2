/* Unit tests: module path/version case-encoding, synthetic versions, path checks. */
#include "modpath.h"
#include "unit.h"

#include <stdlib.h>

static char *esc(const char *s)
{
	struct buf b = BUF_INIT;
	char err[ERR_SIZE];
	if (modpath_escape(s, &b, err) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

int main(void)
{
	char err[ERR_SIZE];
	char *s;

	/* case-encoding as the go command does it */
	CHECK_STR(s = esc("github.com/Azure/azure-sdk-for-go"), "github.com/!azure/azure-sdk-for-go");
	free(s);
	CHECK_STR(s = esc("gen.example.com/go/Acme/BigCorp"), "gen.example.com/go/!acme/!big!corp");
	free(s);
	CHECK_STR(s = esc("v1.2.3-RC1"), "v1.2.3-!r!c1");
	free(s);
	CHECK_STR(s = esc("all.lower/case"), "all.lower/case");
	free(s);
	CHECK(esc("bad!path") == NULL);

	/* synthetic versions: template v2 on commit 10 is v1.2.10 */
	CHECK_STR(s = modpath_version(2, 10), "v1.2.10");
	free(s);
	CHECK_STR(s = modpath_version(1, 1), "v1.1.1");
	free(s);
	CHECK_STR(s = modpath_module("gen.example.com/go", "protocolbuffers", "go", "acme", "weather"),
		  "gen.example.com/go/protocolbuffers/go/acme/weather");
	free(s);

	/* ordering is semver, not text */
	CHECK(modpath_version_cmp("v1.1.10", "v1.1.9") > 0);
	CHECK(modpath_version_cmp("v1.2.1", "v1.1.99") > 0);
	CHECK(modpath_version_cmp("v1.3.4", "v1.3.4") == 0);
	CHECK(modpath_version_cmp("v1.1.2", "v1.10.1") < 0);
	long a, b, c;
	CHECK(modpath_parse_version("v1.02.3", &a, &b, &c) < 0);
	CHECK(modpath_parse_version("v1.2", &a, &b, &c) < 0);
	CHECK(modpath_parse_version("v1.2.3", &a, &b, &c) == 0 && a == 1 && b == 2 && c == 3);

	/* module paths */
	CHECK(modpath_check_module("gen.example.com/go/protocolbuffers/go/acme/weather", err) == 0);
	CHECK(modpath_check_module("localhost/x", err) < 0);
	CHECK_CONTAINS(err, "dot");
	CHECK(modpath_check_module("gen.example.com/a//b", err) < 0);
	CHECK(modpath_check_module("gen.example.com/a/v2", err) < 0);
	CHECK_CONTAINS(err, "major version");
	CHECK(modpath_check_module("Gen.example.com/a", err) < 0);
	CHECK(modpath_check_prefix("gen.example.com/go", err) == 0);
	CHECK(modpath_check_prefix("gen example", err) < 0);
	CHECK(modpath_check_prefix("gopkg.in/x", err) < 0);
	CHECK(modpath_check_prefix("gen.example.com/v2", err) == 0);

	/* file paths inside a module zip */
	CHECK(modpath_check_file("acme/weather/v1/weather.pb.go", err) == 0);
	CHECK(modpath_check_file("a b/c+d=e.go", err) == 0);
	CHECK(modpath_check_file("../x.go", err) < 0);
	CHECK(modpath_check_file("/abs.go", err) < 0);
	CHECK(modpath_check_file("a/./b.go", err) < 0);
	CHECK(modpath_check_file("a/b.", err) < 0);
	CHECK(modpath_check_file("dir/CON.go", err) < 0);
	CHECK_CONTAINS(err, "Windows");
	CHECK(modpath_check_file("dir/aux", err) < 0);
	/* short names are refused in import paths only, as x/mod does */
	CHECK(modpath_check_file("GITHUB~1/x.go", err) == 0);
	CHECK(modpath_check_import("example.com/GITHUB~1", err) < 0);
	CHECK_CONTAINS(err, "tilde");
	CHECK(modpath_check_import("example.com/a~b~1.x", err) < 0);
	CHECK(modpath_check_import("example.com/a~1b", err) == 0);
	CHECK(modpath_check_file("caf\xc3\xa9/x.go", err) == 0);
	CHECK(modpath_check_import("example.com/caf\xc3\xa9", err) < 0);
	CHECK(modpath_check_file("a:b.go", err) < 0);
	CHECK(modpath_check_file("a\\b.go", err) < 0);
	CHECK(modpath_check_file("a*b.go", err) < 0);
	return unit_done("modpath");
}
