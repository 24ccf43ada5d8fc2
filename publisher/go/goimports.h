/*
 * goimports: the import paths of generated Go files, read from their import
 * declarations as the go command reads them (the package clause, then
 * import declarations up to the first other declaration; comments, raw and
 * interpreted strings, grouped and named imports), so that a go.mod
 * requires exactly the modules the generated code imports.
 */
#ifndef REMOTEGEN_GOIMPORTS_H
#define REMOTEGEN_GOIMPORTS_H

#include "fileset.h"

/*
 * Appends the import paths of one Go source file to paths (duplicates
 * skipped). Returns 0, or -1 (err set) when the file does not start with a
 * package clause and well-formed import declarations.
 */
int goimports_scan(const char *src, size_t len, struct strvec *paths, char *err);

/*
 * The import paths of every .go file of files. Returns 0, or -1 with err
 * naming the first file that could not be read.
 */
int goimports_of_files(const struct fileset *files, struct strvec *paths, char *err);

/* 1 when some path of paths is module modpath or a package inside it. */
int goimports_uses_module(const struct strvec *paths, const char *modpath);

#endif
