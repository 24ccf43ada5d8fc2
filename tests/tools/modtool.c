/*
 * modtool: publishes a module version built from command-line files into a
 * file store, the way the publisher does, and prints its h1: hashes, so a
 * test can compare them with what the go command computes.
 *   modtool STORE_DIR MODPATH VERSION NAME=CONTENT...
 * prints "zip <h1>" and "mod <h1>".
 *   modtool h1 ZIP
 * prints the h1: hash of the files of a zip, as go.sum would hold it.
 *   modtool rezip ZIP MODPATH VERSION OUT
 * builds the zip's files again into OUT, deflating every file (no zip cache).
 */
#include "dirhash.h"
#include "modzip.h"
#include "goproxy.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	char err[ERR_SIZE];
	struct fileset files = FILESET_INIT;
	struct strvec req = STRVEC_INIT;
	struct goproxy_module m;
	struct store *s = NULL;
	if (argc == 6 && !strcmp(argv[1], "rezip")) {
		struct buf zip = BUF_INIT, out = BUF_INIT;
		char chunk[65536];
		size_t n, plen = strlen(argv[3]) + strlen(argv[4]) + 2;
		FILE *f = fopen(argv[2], "rb");
		if (!f)
			return perror(argv[2]), 2;
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(&zip, chunk, n);
		fclose(f);
		struct fileset in = FILESET_INIT;
		if (modzip_read(zip.data, zip.len, &in, err) < 0)
			return fprintf(stderr, "modtool: %s: %s\n", argv[2], err), 1;
		for (size_t i = 0; i < in.n; i++) {
			if (strlen(in.v[i].name) < plen)
				return fprintf(stderr, "modtool: %s: entry %s\n", argv[2], in.v[i].name), 1;
			fileset_add(&files, in.v[i].name + plen, in.v[i].content.data, in.v[i].content.len);
		}
		if (modzip_build(argv[3], argv[4], &files, NULL, &out, err) < 0)
			return fprintf(stderr, "modtool: %s\n", err), 1;
		if (!(f = fopen(argv[5], "wb")) || fwrite(out.data, 1, out.len, f) != out.len || fclose(f))
			return perror(argv[5]), 2;
		fileset_release(&in);
		fileset_release(&files);
		buf_release(&zip);
		buf_release(&out);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "h1")) {
		struct buf zip = BUF_INIT;
		char hash[DIRHASH_SIZE], chunk[65536];
		FILE *f = fopen(argv[2], "rb");
		size_t n;
		if (!f)
			return perror(argv[2]), 2;
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(&zip, chunk, n);
		fclose(f);
		if (modzip_read(zip.data, zip.len, &files, err) < 0 || dirhash_h1("", &files, hash, err) < 0)
			return fprintf(stderr, "modtool: %s: %s\n", argv[2], err), 1;
		printf("%s\n", hash);
		buf_release(&zip);
		fileset_release(&files);
		return 0;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: modtool STORE_DIR MODPATH VERSION NAME=CONTENT...\n");
		return 2;
	}
	for (int i = 4; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq)
			return fprintf(stderr, "modtool: %s: expected NAME=CONTENT\n", argv[i]), 2;
		*eq = '\0';
		fileset_add(&files, argv[i], eq + 1, strlen(eq + 1));
	}
	int rc = goproxy_build(&m, argv[2], argv[3], "2026-01-02T03:04:05Z", NULL, &req, &files, NULL, err);
	if (rc == 0)
		rc = store_file_open(argv[1], &s, err);
	if (rc == 0)
		rc = goproxy_upload(s, &m, err);
	if (rc == 0) {
		struct goproxy_version v = { argv[3], "2026-01-02T03:04:05Z" };
		rc = goproxy_index(s, argv[2], &v, 1, err);
	}
	if (rc == 0)
		printf("zip %s\nmod %s\n", m.zip_hash, m.mod_hash);
	else
		fprintf(stderr, "modtool: %s\n", err);
	goproxy_module_release(&m);
	store_free(s);
	fileset_release(&files);
	return rc ? 1 : 0;
}
