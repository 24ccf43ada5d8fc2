/*
 * modpath: module path/version construction, ordering, escaping and checks.
 */
#include "modpath.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

char *modpath_module(const char *prefix, const char *tmpl_owner, const char *tmpl_name,
		     const char *mod_owner, const char *mod_name)
{
	return xasprintf("%s/%s/%s/%s/%s", prefix, tmpl_owner, tmpl_name, mod_owner, mod_name);
}

char *modpath_version(int template_version, int commit_sequence)
{
	return xasprintf("v1.%d.%d", template_version, commit_sequence);
}

static int parse_num(const char **p, long *out)
{
	const char *s = *p;
	if (!isdigit((unsigned char)*s))
		return -1;
	if (*s == '0' && isdigit((unsigned char)s[1]))
		return -1; /* no leading zeros in semver */
	char *end;
	*out = strtol(s, &end, 10);
	*p = end;
	return 0;
}

int modpath_parse_version(const char *v, long *major, long *minor, long *patch)
{
	const char *p = v;
	if (*p++ != 'v')
		return -1;
	if (parse_num(&p, major) < 0 || *p++ != '.' || parse_num(&p, minor) < 0 ||
	    *p++ != '.' || parse_num(&p, patch) < 0 || *p)
		return -1;
	return 0;
}

int modpath_version_cmp(const char *a, const char *b)
{
	long x[3], y[3];
	int pa = modpath_parse_version(a, &x[0], &x[1], &x[2]);
	int pb = modpath_parse_version(b, &y[0], &y[1], &y[2]);
	if (pa || pb)
		return pa != pb ? (pa ? -1 : 1) : strcmp(a, b);
	for (int i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

int modpath_escape(const char *s, struct buf *out, char *err)
{
	for (const char *p = s; *p; p++) {
		if (*p == '!')
			return err_set(err, "invalid path %s: '!' is reserved for case-encoding", s);
		if (*p >= 'A' && *p <= 'Z') {
			buf_addc(out, '!');
			buf_addc(out, (char)(*p - 'A' + 'a'));
		} else {
			buf_addc(out, *p);
		}
	}
	return 0;
}

static int is_mod_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* File path characters allowed by module.CheckFilePath (ASCII part). */
static int is_file_char(unsigned char c)
{
	return c >= 0x80 || isalnum(c) || strchr("!#$%&()+,-.=@[]^_{}~ ", c) != NULL;
}

/* Windows reserved names, compared up to the first dot, without case. */
static int is_reserved(const char *elem, size_t n)
{
	static const char *names[] = { "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3",
		"COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2", "LPT3",
		"LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9" };
	size_t short_len = 0;
	while (short_len < n && elem[short_len] != '.')
		short_len++;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == short_len && !strncasecmp(elem, names[i], short_len))
			return 1;
	return 0;
}

/* "GITHUB~1"-style short names: a '~' followed only by digits before any dot. */
static int is_short_name(const char *elem, size_t n)
{
	const char *tilde = memchr(elem, '~', n);
	if (!tilde)
		return 0;
	const char *p = tilde + 1;
	if (p >= elem + n || !isdigit((unsigned char)*p))
		return 0;
	while (p < elem + n && isdigit((unsigned char)*p))
		p++;
	return p == elem + n || *p == '.';
}

static int check_elems(const char *what, const char *path, int file, char *err)
{
	if (!*path)
		return err_set(err, "invalid %s \"\": empty", what);
	if (path[0] == '/')
		return err_set(err, "invalid %s %s: leading slash", what, path);
	const char *p = path;
	while (1) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0)
			return err_set(err, "invalid %s %s: empty path element", what, path);
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return err_set(err, "invalid %s %s: '.' or '..' element", what, path);
		if (!file && (p[0] == '.' || p[n - 1] == '.'))
			return err_set(err, "invalid %s %s: element starts or ends with a dot", what, path);
		if (file && p[n - 1] == '.')
			return err_set(err, "invalid %s %s: element ends with a dot", what, path);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)p[i];
			if (file ? !is_file_char(c) : !is_mod_char(c))
				return err_set(err, "invalid %s %s: character %s%c%s not allowed",
					       what, path, c >= 0x20 && c < 0x7f ? "'" : "",
					       c >= 0x20 && c < 0x7f ? c : '?', c >= 0x20 && c < 0x7f ? "'" : "");
		}
		if (is_reserved(p, n))
			return err_set(err, "invalid %s %s: %.*s is a reserved file name on Windows",
				       what, path, (int)n, p);
		if (is_short_name(p, n))
			return err_set(err, "invalid %s %s: %.*s looks like a Windows short name",
				       what, path, (int)n, p);
		if (!e)
			break;
		p = e + 1;
	}
	if (path[strlen(path) - 1] == '/')
		return err_set(err, "invalid %s %s: trailing slash", what, path);
	return 0;
}

static int check_first_elem(const char *what, const char *path, char *err)
{
	const char *e = strchr(path, '/');
	size_t n = e ? (size_t)(e - path) : strlen(path);
	if (!memchr(path, '.', n))
		return err_set(err, "invalid %s %s: first element %.*s must hold a dot (a domain name)",
			       what, path, (int)n, path);
	if (path[0] == '-')
		return err_set(err, "invalid %s %s: leading dash", what, path);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];
		if (!(islower(c) || isdigit(c) || c == '-' || c == '.'))
			return err_set(err, "invalid %s %s: first element may hold only lower-case "
				       "letters, digits, dots and dashes", what, path);
	}
	return 0;
}

int modpath_check_prefix(const char *prefix, char *err)
{
	if (check_elems("go prefix", prefix, 0, err) < 0)
		return -1;
	return check_first_elem("go prefix", prefix, err);
}

int modpath_check_module(const char *path, char *err)
{
	if (check_elems("module path", path, 0, err) < 0 || check_first_elem("module path", path, err) < 0)
		return -1;
	/* A last element "v2", "v3"... is a major version suffix; ours are all v1. */
	const char *last = strrchr(path, '/');
	last = last ? last + 1 : path;
	if (last[0] == 'v' && last[1]) {
		const char *p = last + 1;
		while (isdigit((unsigned char)*p))
			p++;
		if (!*p)
			return err_set(err, "invalid module path %s: last element %s reads as a major "
				       "version suffix", path, last);
	}
	return 0;
}

int modpath_check_file(const char *path, char *err)
{
	return check_elems("file path", path, 1, err);
}
