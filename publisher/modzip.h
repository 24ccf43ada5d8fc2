/*
 * modzip: Go module zip files as golang.org/x/mod/zip defines them, built
 * with libzip: every entry under "<module>@<version>/", valid file paths, no
 * case-fold collisions, go.mod only at the top, size limits; and
 * deterministic bytes (entries sorted by name, fixed timestamp and modes), so
 * a retry produces exactly the same zip.
 */
#ifndef REMOTEGEN_MODZIP_H
#define REMOTEGEN_MODZIP_H

#include "fileset.h"

struct modzip_limits {
	unsigned long long max_zip;     /* total uncompressed and compressed size: 500 MiB */
	unsigned long long max_gomod;   /* go.mod: 16 MiB */
	unsigned long long max_license; /* LICENSE: 16 MiB */
};

/* The go command's limits. */
extern const struct modzip_limits modzip_default_limits;

/*
 * Checks files (names relative to the module root) against the module zip
 * rules. lim may be NULL (defaults). Returns 0, or -1 with err naming the file
 * and the rule.
 */
int modzip_check(const char *modpath, const char *version, const struct fileset *files,
		 const struct modzip_limits *lim, char *err);

/*
 * Sorts files by name, checks them (modzip_check) and appends the zip's bytes
 * to zip. Returns 0, or -1 with err set.
 */
int modzip_build(const char *modpath, const char *version, struct fileset *files,
		 const struct modzip_limits *lim, struct buf *zip, char *err);

/*
 * Reads every file entry of a zip into files (names as stored, with their
 * "<module>@<version>/" prefix). Returns 0 or -1 (err set).
 */
int modzip_read(const void *zip, size_t len, struct fileset *files, char *err);

#endif
