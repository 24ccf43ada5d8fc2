/*
 * zipbench: builds the module zip of a directory's files at several deflate
 * levels and prints, per level, the zip's size and the CPU time per build
 * (tests/bench/zip.sh).
 *   zipbench DIR ROUNDS LEVEL...
 */
#include "fsutil.h"
#include "modzip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	char err[ERR_SIZE];
	struct strvec names = STRVEC_INIT;
	struct fileset files = FILESET_INIT;
	if (argc < 4)
		return fprintf(stderr, "usage: zipbench DIR ROUNDS LEVEL...\n"), 2;
	if (fs_list_files(argv[1], 0, &names, err) < 0)
		return fprintf(stderr, "zipbench: %s\n", err), 1;
	unsigned long long raw = 0;
	for (size_t i = 0; i < names.n; i++) {
		char *path = xasprintf("%s/%s", argv[1], names.v[i]);
		struct buf b = BUF_INIT;
		if (fs_read_file(path, &b, err) < 0)
			return fprintf(stderr, "zipbench: %s\n", err), 1;
		fileset_add(&files, names.v[i], b.data ? b.data : "", b.len);
		raw += b.len;
		buf_release(&b);
		free(path);
	}
	int rounds = atoi(argv[2]);
	printf("%zu files, %llu bytes uncompressed, %d rounds\n", files.n, raw, rounds);
	printf("%-6s %12s %8s %12s\n", "level", "zip_bytes", "ratio", "cpu_ms_per_zip");
	for (int a = 3; a < argc; a++) {
		int level = atoi(argv[a]);
		struct buf zip = BUF_INIT;
		double t0 = cpu_ms();
		for (int r = 0; r < rounds; r++) {
			buf_reset(&zip);
			if (modzip_build_level("gen.example.com/go/bench/t/bench/m", "v1.1.1", &files, level, NULL,
					       &zip, err) < 0)
				return fprintf(stderr, "zipbench: %s\n", err), 1;
		}
		double ms = (cpu_ms() - t0) / rounds;
		printf("%-6d %12zu %8.3f %12.2f\n", level, zip.len, (double)zip.len / (double)raw, ms);
		buf_release(&zip);
	}
	fileset_release(&files);
	strvec_clear(&names);
	return 0;
}
