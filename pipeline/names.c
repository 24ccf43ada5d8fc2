/*
 * names: validation of OWNER/NAME references and plugin versions.
 */
#include "names.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/*
 * 1 when e[0..n) is, up to its first dot, a name Windows reserves (con, prn,
 * aux, nul, com1..9, lpt1..9, any case): Go refuses such path elements, and
 * every name becomes one.
 */
static int windows_reserved(const char *e, size_t n)
{
	static const char *const reserved[] = { "con", "prn", "aux", "nul" };
	const char *dot = memchr(e, '.', n);
	size_t base = dot ? (size_t)(dot - e) : n;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (base == 3 && !strncasecmp(e, reserved[i], 3))
			return 1;
	return base == 4 && (!strncasecmp(e, "com", 3) || !strncasecmp(e, "lpt", 3)) && e[3] >= '1' && e[3] <= '9';
}

static int check_elem(const char *kind, const char *full, const char *e, size_t n, char *err)
{
	if (n == 0 || n > NAMES_MAX)
		return err_set(err, "invalid %s name \"%s\": each part must be 1 to %d characters", kind, full,
			       NAMES_MAX);
	if (!isalnum((unsigned char)e[0]) || !isalnum((unsigned char)e[n - 1]))
		return err_set(err,
			       "invalid %s name \"%s\": each part must start and end with a "
			       "letter or digit",
			       kind, full);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)e[i];
		if (!(isalnum(c) || c == '-' || c == '_' || c == '.'))
			return err_set(err,
				       "invalid %s name \"%s\": character '%c' is not allowed "
				       "(letters, digits, '-', '_', '.')",
				       kind, full, c >= 0x20 && c < 0x7f ? c : '?');
		if (c == '.' && i + 1 < n && e[i + 1] == '.')
			return err_set(err, "invalid %s name \"%s\": \"..\" is not allowed", kind, full);
	}
	if (windows_reserved(e, n))
		return err_set(err,
			       "invalid %s name \"%s\": \"%.*s\" is a name Windows reserves, which Go refuses in "
			       "module paths",
			       kind, full, (int)n, e);
	return 0;
}

int names_parse_with(const char *kind, const char *s, char sep, struct name_ref *out, const char **rest, char *err)
{
	const char *end = sep ? strchr(s, sep) : NULL;
	size_t len = end ? (size_t)(end - s) : strlen(s);
	const char *slash = memchr(s, '/', len);
	if (rest)
		*rest = end ? end + 1 : NULL;
	if (!slash)
		return err_set(err, "invalid %s name \"%s\": expected OWNER/NAME", kind, s);
	size_t on = (size_t)(slash - s), nn = len - on - 1;
	if (memchr(slash + 1, '/', nn))
		return err_set(err, "invalid %s name \"%s\": expected OWNER/NAME", kind, s);
	if (check_elem(kind, s, s, on, err) < 0 || check_elem(kind, s, slash + 1, nn, err) < 0)
		return -1;
	/* The module name ends a Go module path; v2, v3... would read as a major version. */
	if (nn >= 2 && slash[1] == 'v') {
		size_t i = 2;
		while (i <= nn && isdigit((unsigned char)slash[i]))
			i++;
		if (i == nn + 1)
			return err_set(err,
				       "invalid %s name \"%s\": a name like v2 reads as a Go major "
				       "version suffix",
				       kind, s);
	}
	snprintf(out->owner, sizeof(out->owner), "%.*s", (int)on, s);
	snprintf(out->name, sizeof(out->name), "%.*s", (int)nn, slash + 1);
	return 0;
}

int names_parse(const char *kind, const char *s, struct name_ref *out, char *err)
{
	return names_parse_with(kind, s, 0, out, NULL, err);
}

int names_check_new(const char *kind, const struct name_ref *n, char *err)
{
	const char *parts[] = { n->owner, n->name };
	for (size_t i = 0; i < 2; i++) {
		const char *c = strpbrk(parts[i], "_.");
		if (c)
			return err_set(err,
				       "invalid %s name \"%s/%s\": '%c' is not allowed in a new name (letters, "
				       "digits and '-'): package names join owner and name with '_' and '.', so "
				       "such a name could take the package of another owner's module",
				       kind, n->owner, n->name, *c);
	}
	return 0;
}

int names_check_version(const char *v, char *err)
{
	size_t n = strlen(v);
	if (n == 0 || n > NAMES_MAX || !isalnum((unsigned char)v[0]))
		return err_set(err,
			       "invalid plugin version \"%s\": 1 to %d characters starting with a "
			       "letter or digit",
			       v, NAMES_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (!(isalnum(c) || strchr("._+-", c)))
			return err_set(err, "invalid plugin version \"%s\": character '%c' is not allowed", v,
				       c >= 0x20 && c < 0x7f ? c : '?');
	}
	return 0;
}
