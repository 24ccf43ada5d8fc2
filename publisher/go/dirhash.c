/*
 * dirhash: Hash1 through libcrypto's sha256 and base64.
 */
#include "dirhash.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

struct named {
	char *name;
	const struct buf *content;
};

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

static void finish(const struct buf *summary, char out[DIRHASH_SIZE])
{
	unsigned char sum[32];
	util_sha256(summary->data, summary->len, sum);
	memcpy(out, "h1:", 3);
	EVP_EncodeBlock((unsigned char *)out + 3, sum, 32);
}

int dirhash_h1(const char *prefix, const struct fileset *files, char out[DIRHASH_SIZE], char *err)
{
	struct buf summary = BUF_INIT;
	struct named *v = xcalloc(files->n + 1, sizeof(*v));
	int rc = -1;
	for (size_t i = 0; i < files->n; i++) {
		v[i].name = xasprintf("%s%s", prefix, files->v[i].name);
		v[i].content = &files->v[i].content;
		if (strchr(v[i].name, '\n')) {
			err_set(err, "file name %s holds a newline", files->v[i].name);
			goto out;
		}
	}
	qsort(v, files->n, sizeof(*v), cmp_named);
	for (size_t i = 0; i < files->n; i++) {
		char hex[SHA256_HEX_SIZE];
		util_sha256_hex(v[i].content->data ? v[i].content->data : "", v[i].content->len, hex);
		buf_printf(&summary, "%s  %s\n", hex, v[i].name);
	}
	finish(&summary, out);
	rc = 0;
out:
	for (size_t i = 0; i < files->n; i++)
		free(v[i].name);
	free(v);
	buf_release(&summary);
	return rc;
}

void dirhash_h1_gomod(const void *data, size_t len, char out[DIRHASH_SIZE])
{
	struct buf summary = BUF_INIT;
	char hex[SHA256_HEX_SIZE];
	util_sha256_hex(data, len, hex);
	buf_printf(&summary, "%s  go.mod\n", hex);
	finish(&summary, out);
	buf_release(&summary);
}
