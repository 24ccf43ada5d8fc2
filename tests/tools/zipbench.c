/*
 * zipbench: builds the module zip of a directory's files at several deflate
 * levels and prints, per level, the zip's size and the CPU time per build
 * (tests/bench/zip.sh).
 *   zipbench DIR ROUNDS LEVEL...
 */
#include "benchfiles.h"
#include "modzip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	char err[ERR_SIZE];
	struct fileset files = FILESET_INIT;
	unsigned long long raw = 0;
	if (argc < 4)
		return fprintf(stderr, "usage: zipbench DIR ROUNDS LEVEL...\n"), 2;
	if (bench_load_dir(argv[1], &files, &raw, err) < 0)
		return fprintf(stderr, "zipbench: %s\n", err), 1;
	int rounds = atoi(argv[2]);
	printf("%zu files, %llu bytes uncompressed, %d rounds\n", files.n, raw, rounds);
	printf("%-6s %12s %8s %12s\n", "level", "zip_bytes", "ratio", "cpu_ms_per_zip");
	for (int a = 3; a < argc; a++) {
		int level = atoi(argv[a]);
		struct buf zip = BUF_INIT;
		double t0 = bench_cpu_ms();
		for (int r = 0; r < rounds; r++) {
			buf_reset(&zip);
			if (modzip_build_level("gen.example.com/go/bench/t/bench/m", "v1.1.1", &files, level, NULL,
					       &zip, err) < 0)
				return fprintf(stderr, "zipbench: %s\n", err), 1;
		}
		double ms = (bench_cpu_ms() - t0) / rounds;
		printf("%-6d %12zu %8.3f %12.2f\n", level, zip.len, (double)zip.len / (double)raw, ms);
		buf_release(&zip);
	}
	fileset_release(&files);
	return 0;
}
