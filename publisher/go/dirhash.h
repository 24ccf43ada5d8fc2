/*
 * dirhash: the go command's "h1:" hashes (golang.org/x/mod/sumdb/dirhash
 * Hash1): sha256 over "<sha256 hex>  <name>\n" lines of the files sorted by
 * name, base64-encoded, as go.sum records them.
 */
#ifndef REMOTEGEN_DIRHASH_H
#define REMOTEGEN_DIRHASH_H

#include "fileset.h"

#define DIRHASH_SIZE 64 /* "h1:" + 44 base64 chars + NUL fits */

/*
 * h1 of a module zip's content: each file named "<prefix><name>" (prefix is
 * "<module>@<version>/"). Returns -1 (err set) on a name holding a newline.
 */
int dirhash_h1(const char *prefix, const struct fileset *files, char out[DIRHASH_SIZE], char *err);
/* h1 of a go.mod file, as the "/go.mod" line of go.sum holds it. */
void dirhash_h1_gomod(const void *data, size_t len, char out[DIRHASH_SIZE]);

#endif
