/*
 * gomod: go.mod rendering and Go version comparison.
 */
#include "gomod.h"
#include "modpath.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int gomod_check_go_version(const char *v, char *err)
{
	const char *p = v;
	int parts = 0;
	while (1) {
		if (!isdigit((unsigned char)*p))
			return err_set(err, "invalid Go version %s: expected a form like 1.19", v);
		while (isdigit((unsigned char)*p))
			p++;
		parts++;
		if (!*p)
			break;
		if (*p++ != '.')
			return err_set(err, "invalid Go version %s: expected a form like 1.19", v);
	}
	if (parts < 2 || parts > 3)
		return err_set(err, "invalid Go version %s: expected a form like 1.19", v);
	return 0;
}

int gomod_go_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return 0;
}

struct req {
	char *path;
	char *version;
};

static int cmp_req(const void *a, const void *b)
{
	return strcmp(((const struct req *)a)->path, ((const struct req *)b)->path);
}

int gomod_render(const char *modpath, const char *go_version, const struct strvec *requires, struct buf *out, char *err)
{
	struct req *r = xcalloc(requires->n + 1, sizeof(*r));
	size_t n = 0;
	int rc = -1;
	for (size_t i = 0; i < requires->n; i++) {
		const char *at = strrchr(requires->v[i], '@');
		if (!at || at == requires->v[i] || !at[1]) {
			err_set(err, "invalid requirement %s: expected module@version", requires->v[i]);
			goto out;
		}
		char *path = xstrndup(requires->v[i], (size_t)(at - requires->v[i]));
		size_t j;
		for (j = 0; j < n; j++)
			if (!strcmp(r[j].path, path))
				break;
		if (j < n) {
			if (modpath_version_cmp(at + 1, r[j].version) > 0) {
				free(r[j].version);
				r[j].version = xstrdup(at + 1);
			}
			free(path);
			continue;
		}
		r[n].path = path;
		r[n].version = xstrdup(at + 1);
		n++;
	}
	qsort(r, n, sizeof(*r), cmp_req);
	buf_printf(out, "module %s\n\ngo %s\n", modpath, go_version ? go_version : GOMOD_DEFAULT_GO);
	if (n == 1)
		buf_printf(out, "\nrequire %s %s\n", r[0].path, r[0].version);
	else if (n > 1) {
		buf_adds(out, "\nrequire (\n");
		for (size_t i = 0; i < n; i++)
			buf_printf(out, "\t%s %s\n", r[i].path, r[i].version);
		buf_adds(out, ")\n");
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		free(r[i].path);
		free(r[i].version);
	}
	free(r);
	return rc;
}
