/* Unit tests: OWNER/NAME and plugin version validation. */
#include "names.h"
#include "unit.h"
#include "util.h"

int main(void)
{
	struct name_ref n;
	char err[ERR_SIZE];
	const char *rest;

	CHECK(names_parse("module", "acme/weather", &n, err) == 0);
	CHECK_STR(n.owner, "acme");
	CHECK_STR(n.name, "weather");
	CHECK(names_parse("module", "Acme-1/we_ather.v2x", &n, err) == 0);
	CHECK(names_parse("module", "acme", &n, err) < 0);
	CHECK_CONTAINS(err, "OWNER/NAME");
	CHECK(names_parse("module", "acme/weather/x", &n, err) < 0);
	CHECK(names_parse("module", "/weather", &n, err) < 0);
	CHECK(names_parse("module", "acme/", &n, err) < 0);
	CHECK(names_parse("module", "acme/-x", &n, err) < 0);
	CHECK(names_parse("module", "acme/a..b", &n, err) < 0);
	CHECK(names_parse("module", "acme/wea ther", &n, err) < 0);
	CHECK_CONTAINS(err, "acme/wea ther");
	CHECK(names_parse("module", "ac!me/x", &n, err) < 0);
	CHECK(names_parse("module", "acme/v2", &n, err) < 0);
	CHECK_CONTAINS(err, "major version");
	CHECK(names_parse("module", "acme/v2x", &n, err) == 0);
	CHECK(names_parse("module", "a/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", &n, err) <
	      0);

	CHECK(names_parse_with("plugin", "protocolbuffers/go=paths=import", '=', &n, &rest, err) == 0);
	CHECK_STR(n.name, "go");
	CHECK_STR(rest, "paths=import");
	CHECK(names_parse_with("plugin", "protocolbuffers/go", '=', &n, &rest, err) == 0);
	CHECK(rest == NULL);
	CHECK(names_parse_with("module", "acme/weather:3", ':', &n, &rest, err) == 0);
	CHECK_STR(rest, "3");

	CHECK(names_check_version("v1.28.1-1", err) == 0);
	CHECK(names_check_version("1.0+build", err) == 0);
	CHECK(names_check_version("", err) < 0);
	CHECK(names_check_version("-v1", err) < 0);
	CHECK(names_check_version("v1 2", err) < 0);
	/* Windows reserved names: Go refuses them as path elements (acme/nul failed only at run time). */
	CHECK(names_parse("template", "acme/nul", &n, err) < 0);
	CHECK_CONTAINS(err, "\"nul\" is a name Windows reserves");
	CHECK(names_parse("module", "CON/x", &n, err) < 0);
	CHECK(names_parse("module", "acme/aux.v1", &n, err) < 0);
	CHECK(names_parse("module", "acme/com7", &n, err) < 0);
	CHECK(names_parse("module", "acme/LPT1", &n, err) < 0);
	CHECK(names_parse("module", "acme/com0", &n, err) == 0);
	CHECK(names_parse("module", "acme/null", &n, err) == 0);
	CHECK(names_parse("module", "acme/console", &n, err) == 0);
	CHECK(names_parse("module", "acme/nul-x", &n, err) == 0);
	return unit_done("names");
}
