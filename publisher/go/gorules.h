/*
 * gorules: the go command's rules for module paths, import paths, file paths
 * and module zip contents, as golang.org/x/mod states them (module.CheckPath,
 * CheckImportPath, CheckFilePath; zip.CheckFiles and CheckZip: case-fold
 * collisions over every path and every parent directory, vendored packages,
 * go.mod placement, size limits). A name this module accepts is one every go
 * command since Go 1.19 accepts, and a file set it accepts zips into a module
 * the go command downloads and extracts.
 *
 * Unicode comes from ICU: a letter is general category L* (unicode.IsLetter)
 * assigned in Unicode 13.0 or earlier (the tables of Go 1.19, the oldest go
 * directive remotegen writes), and case folding is ICU's simple case folding,
 * which partitions those letters exactly as unicode.SimpleFold does (checked
 * over every code point by tests/integration/xmod.sh against Debian's x/mod).
 */
#ifndef REMOTEGEN_GORULES_H
#define REMOTEGEN_GORULES_H

#include "util.h"

enum gorules_kind {
	GORULES_MODULE, /* module.CheckPath */
	GORULES_IMPORT, /* module.CheckImportPath */
	GORULES_FILE,	/* module.CheckFilePath */
};

/*
 * Checks path as x/mod does for kind. Returns 0, or -1 with err holding the
 * reason alone ("invalid char '€'", "trailing slash", ...); the caller names
 * the path.
 */
int gorules_check_path(enum gorules_kind kind, const char *path, char *err);

/*
 * The case-fold key of s: two paths collide on a case-insensitive file
 * system exactly when their keys are equal (x/mod's strToFold). Malloc'ed;
 * the caller frees it.
 */
char *gorules_fold(const char *s);

/*
 * Not an x/mod rule but the go command's: the directory of file (a path in
 * module modpath) must make an importable package path, modpath/dir
 * (CheckImportPath). Returns 0 (also for a file at the module root), or -1
 * with err holding the package path and the reason.
 */
int gorules_check_package(const char *modpath, const char *file, char *err);

/* 1 when x/mod's zip rules treat path as a file of a vendored package. */
int gorules_is_vendored(const char *path);

/* One file that breaks the rules. */
struct gorules_problem {
	char *path;   /* owned */
	char *reason; /* owned */
	int omitted;  /* 1: the go command would leave the file out (vendor/, nested module) */
};

/* What a check found; GORULES_REPORT_INIT, released with gorules_report_release. */
struct gorules_report {
	struct gorules_problem *v;
	size_t n, cap;
};
#define GORULES_REPORT_INIT \
	{                   \
		NULL, 0, 0  \
	}
void gorules_report_release(struct gorules_report *rep);
/* Appends a problem (copies path and reason). */
void gorules_report_add(struct gorules_report *rep, const char *path, int omitted, const char *reason);
/* 1 when rep->v[from..] holds a problem of path. */
int gorules_report_has(const struct gorules_report *rep, size_t from, const char *path);

/*
 * Checks the files of a module (paths relative to the module root, in the
 * given order; sizes in bytes, or NULL) as zip.CheckFiles does, and appends
 * every file that is invalid or would be omitted to rep. Returns the number of
 * problems found by this call.
 */
size_t gorules_check_files(const char *const *paths, const unsigned long long *sizes, size_t n,
			   struct gorules_report *rep);

/*
 * Checks the entries of a module zip (names as stored, each expected to
 * start with prefix "<module>@<version>/"; a name ending in '/' is a
 * directory) as zip.CheckZip does. Returns the number of problems appended.
 */
size_t gorules_check_zip(const char *prefix, const char *const *names, const unsigned long long *sizes, size_t n,
			 struct gorules_report *rep);

/*
 * Writes "WHAT: N files break the go command's module rules: PATH: REASON;
 * ..." into err (as many as fit). Returns -1, for use as an error return.
 */
int gorules_report_error(const struct gorules_report *rep, const char *what, char *err);

#endif
