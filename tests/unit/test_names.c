/* Unit tests: OWNER/NAME and plugin version validation. */
#include "names.h"
#include "npmpkg.h"
#include "unit.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The elements over the alphabet {a, b, -, _, .} of 1 to 3 characters that names_parse takes. */
static size_t elements(char out[][4], int new_rule)
{
	static const char alpha[] = "ab-_.";
	size_t n = 0;
	char err[ERR_SIZE];
	for (int len = 1; len <= 3; len++) {
		int total = 1;
		for (int i = 0; i < len; i++)
			total *= 5;
		for (int k = 0; k < total; k++) {
			char e[4] = "";
			for (int i = 0, x = k; i < len; i++, x /= 5)
				e[i] = alpha[x % 5];
			struct name_ref r;
			char full[16];
			snprintf(full, sizeof(full), "a/%s", e);
			if (names_parse("module", full, &r, err) < 0)
				continue;
			if (new_rule && names_check_new("module", &r, err) < 0)
				continue;
			memcpy(out[n++], e, 4);
		}
	}
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Number of pairs of distinct (owner, name, template owner, template name)
 * tuples of the given elements whose npm package names are equal.
 */
static size_t npm_collisions(char el[][4], size_t n)
{
	size_t total = n * n * n * n, dup = 0;
	char **names = calloc(total, sizeof(*names));
	char err[ERR_SIZE];
	size_t k = 0;
	for (size_t a = 0; a < n; a++)
		for (size_t b = 0; b < n; b++)
			for (size_t c = 0; c < n; c++)
				for (size_t d = 0; d < n; d++)
					names[k++] = npmpkg_name("s", el[c], el[d], el[a], el[b], err);
	qsort(names, total, sizeof(*names), cmp_str);
	for (size_t i = 1; i < total; i++)
		dup += !strcmp(names[i - 1], names[i]);
	for (size_t i = 0; i < total; i++)
		free(names[i]);
	free(names);
	return dup;
}

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
	/* New names hold no '_' or '.': the four parts map to npm names one to one. */
	struct name_ref r;
	CHECK(names_parse("module", "my_org/api", &r, err) == 0);
	CHECK(names_check_new("module", &r, err) < 0);
	CHECK_CONTAINS(err, "'_' is not allowed in a new name");
	CHECK(names_parse("template", "acme/a.b", &r, err) == 0);
	CHECK(names_check_new("template", &r, err) < 0);
	CHECK_CONTAINS(err, "'.' is not allowed");
	CHECK(names_parse("module", "my-org/api-v1", &r, err) == 0);
	CHECK(names_check_new("module", &r, err) == 0);
	static char el[200][4];
	size_t n_new = elements(el, 1);
	CHECK(n_new == 18); /* a b aa ab ba bb and 12 of three characters */
	CHECK(npm_collisions(el, n_new) == 0);
	/* ...which the older rule's names do not (my_org/api and my/org_api). */
	size_t n_old = elements(el, 0);
	CHECK(n_old > n_new);
	CHECK(npm_collisions(el, n_old) > 0);
	return unit_done("names");
}
