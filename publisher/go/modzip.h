/*
 * modzip: Go module zip files as golang.org/x/mod/zip defines them, built
 * with libzip: every entry under "<module>@<version>/", files checked with
 * the go command's rules (gorules), and deterministic bytes (entries sorted by name, fixed timestamp and modes), so
 * a retry produces exactly the same zip.
 */
#ifndef REMOTEGEN_MODZIP_H
#define REMOTEGEN_MODZIP_H

#include "fileset.h"
#include "zipcache.h"

/*
 * Checks files (names relative to the module root) with the go command's
 * rules (gorules_check_files: file paths, case-fold collisions of files and
 * directories, vendor/ and nested modules, go.mod, sizes), and that every
 * directory holding .go files is an importable package. Returns 0, or -1
 * with err naming the module, every offending file and its rule.
 */
int modzip_check(const char *modpath, const char *version, const struct fileset *files, char *err);

/*
 * Sorts files by name, checks them (modzip_check) and appends the zip's bytes
 * to zip. With zc (may be NULL) a file whose bytes zc has met is not
 * deflated again: its compressed data is copied, which gives the same zip.
 * Returns 0, or -1 with err set.
 */
int modzip_build(const char *modpath, const char *version, struct fileset *files, struct zipcache *zc, struct buf *zip,
		 char *err);

/*
 * Deflate level of published zips. Fixed, not configurable: every process of
 * a deployment must produce the same bytes for the same files, or a retry
 * of a half-published generation would meet a zip it did not write.
 * Chosen from tests/bench/zip.sh (BENCHMARKS.md).
 */
#define MODZIP_LEVEL 6

/* modzip_build at another deflate level (1-9), for benchmarks. */
int modzip_build_level(const char *modpath, const char *version, struct fileset *files, int level, struct zipcache *zc,
		       struct buf *zip, char *err);

/*
 * Checks a published zip as the go command does when it downloads one
 * (gorules_check_zip over its entries, sizes from the zip's headers) and its
 * packages as modzip_check does. Returns 0, or -1 with err naming the files.
 */
int modzip_check_zip(const char *modpath, const char *version, const void *zip, size_t len, char *err);

/*
 * Reads every file entry of a zip into files (names as stored, with their
 * "<module>@<version>/" prefix). Returns 0 or -1 (err set).
 */
int modzip_read(const void *zip, size_t len, struct fileset *files, char *err);

#endif
