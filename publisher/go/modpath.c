/*
 * modpath: module path/version construction, ordering, escaping and checks.
 */
#include "modpath.h"
#include "gorules.h"
#include "version.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *modpath_module(const char *prefix, const char *tmpl_owner, const char *tmpl_name, const char *mod_owner,
		     const char *mod_name)
{
	return xasprintf("%s/%s/%s/%s/%s", prefix, tmpl_owner, tmpl_name, mod_owner, mod_name);
}

char *modpath_version(int template_version, int commit_sequence)
{
	return version_synthetic(template_version, commit_sequence);
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
	if (parse_num(&p, major) < 0 || *p++ != '.' || parse_num(&p, minor) < 0 || *p++ != '.' ||
	    parse_num(&p, patch) < 0 || *p)
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

int modpath_check_module(const char *path, char *err)
{
	char why[ERR_SIZE];
	if (gorules_check_path(GORULES_MODULE, path, why) < 0)
		return err_set(err, "invalid module path %s: %s", path, why);
	return 0;
}

int modpath_check_prefix(const char *prefix, char *err)
{
	/* The prefix is checked in the shape of a real module path under it. */
	char *sample = xasprintf("%s/owner/template/owner/module", prefix), why[ERR_SIZE];
	int rc = 0;
	if (gorules_check_path(GORULES_MODULE, sample, why) < 0)
		rc = err_set(err, "invalid go prefix %s: %s", prefix, why);
	free(sample);
	return rc;
}

int modpath_check_file(const char *path, char *err)
{
	char why[ERR_SIZE];
	if (gorules_check_path(GORULES_FILE, path, why) < 0)
		return err_set(err, "malformed file path \"%s\": %s", path, why);
	return 0;
}

int modpath_check_import(const char *path, char *err)
{
	char why[ERR_SIZE];
	if (gorules_check_path(GORULES_IMPORT, path, why) < 0)
		return err_set(err, "malformed import path \"%s\": %s", path, why);
	return 0;
}
