/*
 * modpath: Go module paths and versions as remotegen makes them: the module
 * path of a (template, module) pair, synthetic versions, their ordering, the
 * go command's case-encoding for proxy URLs, and validity checks with the
 * go command's rules (gorules), worded for remotegen's messages.
 */
#ifndef REMOTEGEN_MODPATH_H
#define REMOTEGEN_MODPATH_H

#include "util.h"

/* "<prefix>/<tmpl owner>/<tmpl name>/<mod owner>/<mod name>", malloc'ed. */
char *modpath_module(const char *prefix, const char *tmpl_owner, const char *tmpl_name, const char *mod_owner,
		     const char *mod_name);

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

/*
 * Checks, returning 0 or -1 with err naming the path and the rule: a module
 * path (module.CheckPath, and no /vN suffix: remotegen's versions are v1); a
 * go prefix ("gen.example.com/go", checked as the start of a module path); a
 * file path in a module (module.CheckFilePath); a package import path
 * (module.CheckImportPath).
 */
int modpath_check_module(const char *path, char *err);
int modpath_check_prefix(const char *prefix, char *err);
int modpath_check_file(const char *path, char *err);
int modpath_check_import(const char *path, char *err);

#endif
