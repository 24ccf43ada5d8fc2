/*
 * modpath: Go module paths and versions as remotegen makes them: the module
 * path of a (template, module) pair, synthetic versions, their ordering, the
 * go command's case-encoding for proxy URLs, and validity checks that follow
 * golang.org/x/mod/module (CheckPath, CheckFilePath).
 */
#ifndef REMOTEGEN_MODPATH_H
#define REMOTEGEN_MODPATH_H

#include "util.h"

/* "<prefix>/<tmpl owner>/<tmpl name>/<mod owner>/<mod name>", malloc'ed. */
char *modpath_module(const char *prefix, const char *tmpl_owner, const char *tmpl_name,
		     const char *mod_owner, const char *mod_name);

/* Synthetic version "v1.<template version>.<commit sequence>", malloc'ed. */
char *modpath_version(int template_version, int commit_sequence);

/* Parses "vMAJOR.MINOR.PATCH" (no prerelease). Returns 0 or -1. */
int modpath_parse_version(const char *v, long *major, long *minor, long *patch);

/* Orders two synthetic versions as semver does (negative, 0, positive). */
int modpath_version_cmp(const char *a, const char *b);

/*
 * Case-encodes a module path or version for a proxy URL: each upper-case
 * letter becomes '!' and its lower-case form. Appends to out. Returns -1 (err
 * set) when s already holds a '!' (which the go command rejects).
 */
int modpath_escape(const char *s, struct buf *out, char *err);

/* Checks a module path as golang.org/x/mod/module.CheckPath does. */
int modpath_check_module(const char *path, char *err);
/* Checks a path prefix (e.g. "gen.example.com/go") for use as go prefix. */
int modpath_check_prefix(const char *prefix, char *err);
/* Checks a file path inside a module as module.CheckFilePath does. */
int modpath_check_file(const char *path, char *err);

#endif
