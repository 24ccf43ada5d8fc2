/*
 * gomod: renders the go.mod of a generated module: the module line, the go
 * directive and the require lines, sorted and de-duplicated (highest version
 * of a module wins), formatted as `go mod tidy` would write them.
 */
#ifndef REMOTEGEN_GOMOD_H
#define REMOTEGEN_GOMOD_H

#include "util.h"

/*
 * requires holds "module@version" strings. go_version is "1.19"-style, NULL
 * for the default. Appends the file to out; returns 0 or -1 (err set) on a
 * malformed requirement.
 */
int gomod_render(const char *modpath, const char *go_version, const struct strvec *requires, struct buf *out,
		 char *err);

/* The go directive used when no plugin asks for more. */
#define GOMOD_DEFAULT_GO "1.19"

/* Compares "1.19"-style Go versions (negative, 0, positive). */
int gomod_go_version_cmp(const char *a, const char *b);
/* Checks a "1.19"-style Go version. Returns 0 or -1 (err set). */
int gomod_check_go_version(const char *v, char *err);

#endif
