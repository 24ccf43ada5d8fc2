/*
 * gopkg: Go package names and go_package values for managed mode.
 */
#include "gopkg.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int gopkg_is_wkt(const char *file_name)
{
	return !strncmp(file_name, "google/protobuf/", 16);
}

/* v1, v2, v1alpha, v1beta2, v2test: a "version" package element. */
static int is_version(const char *s, size_t n)
{
	size_t i = 1;
	if (n < 2 || s[0] != 'v' || !isdigit((unsigned char)s[1]))
		return 0;
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	if (i == n)
		return 1;
	static const char *sfx[] = { "alpha", "beta", "test" };
	for (size_t k = 0; k < 3; k++) {
		size_t m = strlen(sfx[k]);
		if (n - i >= m && !strncmp(s + i, sfx[k], m)) {
			size_t j = i + m;
			while (j < n && isdigit((unsigned char)s[j]))
				j++;
			if (j == n)
				return 1;
		}
	}
	return 0;
}

/* Appends s[0..n) keeping only Go identifier characters. */
static void add_ident(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		buf_addc(b, isalnum(c) || c == '_' ? (char)tolower(c) : '_');
	}
}

/* Go keywords cannot be package names: "google.type" would give "type". */
static int is_go_keyword(const char *s)
{
	static const char *kw[] = { "break",  "case",	     "chan", "const",	"continue", "default", "defer",
				    "else",   "fallthrough", "for",  "func",	"go",	    "goto",    "if",
				    "import", "interface",   "map",  "package", "range",    "return",  "select",
				    "struct", "switch",	     "type", "var" };
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (!strcmp(s, kw[i]))
			return 1;
	return 0;
}

char *gopkg_name(const char *proto_package, const char *file_name)
{
	struct buf b = BUF_INIT;
	if (proto_package && *proto_package) {
		const char *last = strrchr(proto_package, '.');
		const char *l = last ? last + 1 : proto_package;
		if (last && is_version(l, strlen(l))) {
			const char *prev = last;
			while (prev > proto_package && prev[-1] != '.')
				prev--;
			add_ident(&b, prev, (size_t)(last - prev));
		}
		add_ident(&b, l, strlen(l));
	} else {
		const char *base = strrchr(file_name, '/') ? strrchr(file_name, '/') + 1 : file_name;
		const char *dot = strrchr(base, '.');
		add_ident(&b, base, dot ? (size_t)(dot - base) : strlen(base));
	}
	if (!b.len || isdigit((unsigned char)b.data[0])) {
		struct buf p = BUF_INIT;
		buf_addc(&p, '_');
		buf_add(&p, b.data, b.len);
		buf_release(&b);
		b = p;
	}
	if (is_go_keyword(b.data))
		buf_adds(&b, "pb");
	return buf_detach(&b, NULL);
}

char *gopkg_import_path(const char *modpath, const char *file_name)
{
	const char *slash = strrchr(file_name, '/');
	if (!slash)
		return xstrdup(modpath);
	return xasprintf("%s/%.*s", modpath, (int)(slash - file_name), file_name);
}

char *gopkg_option(const char *modpath, const char *file_name, const char *proto_package)
{
	char *path = gopkg_import_path(modpath, file_name);
	char *name = gopkg_name(proto_package, file_name);
	char *opt = xasprintf("%s;%s", path, name);
	free(path);
	free(name);
	return opt;
}
