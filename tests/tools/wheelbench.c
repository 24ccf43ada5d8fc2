/*
 * wheelbench: builds the wheel of a directory's files ROUNDS times and
 * renders a project page of VERSIONS wheels as many times; prints the CPU
 * time per wheel and per page (tests/bench/python.sh).
 *   wheelbench DIR ROUNDS VERSIONS
 */
#include "benchfiles.h"
#include "pyindex.h"
#include "pywheel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	char err[ERR_SIZE];
	struct strvec reqs = STRVEC_INIT;
	struct fileset files = FILESET_INIT;
	unsigned long long raw = 0;
	if (argc != 4)
		return fprintf(stderr, "usage: wheelbench DIR ROUNDS VERSIONS\n"), 2;
	if (bench_load_dir(argv[1], &files, &raw, err) < 0)
		return fprintf(stderr, "wheelbench: %s\n", err), 1;
	size_t n_files = files.n;
	int rounds = atoi(argv[2]), versions = atoi(argv[3]);
	strvec_push(&reqs, "protobuf>=3.21");
	struct pywheel_meta meta = { .name = "bench-x-t-n", .version = "1.1.1", .requires_dist = &reqs };
	size_t whl = 0;
	double built = 0;
	/* the same file set every round: a build adds its py.typed markers once and sorts */
	for (int r = 0; r < rounds; r++) {
		struct pywheel w;
		double t0 = bench_cpu_ms();
		if (pywheel_build(&w, &meta, &files, err) < 0)
			return fprintf(stderr, "wheelbench: %s\n", err), 1;
		built += bench_cpu_ms() - t0;
		whl = w.whl.len;
		pywheel_release(&w);
	}
	fileset_release(&files);
	struct pyindex_file *f = calloc((size_t)versions + 1, sizeof(*f));
	char(*fn)[64] = calloc((size_t)versions + 1, sizeof(*fn));
	for (int i = 0; i < versions; i++) {
		snprintf(fn[i], sizeof(fn[i]), "bench_x_t_n-1.1.%d-py3-none-any.whl", i + 1);
		f[i] = (struct pyindex_file){ fn[i],
					      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
					      "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
					      ">=3.7",
					      0,
					      NULL };
	}
	struct buf page = BUF_INIT;
	double t0 = bench_cpu_ms();
	for (int r = 0; r < rounds; r++) {
		buf_reset(&page);
		pyindex_project_page("bench-x-t-n", f, (size_t)versions, &page);
	}
	double rendered = bench_cpu_ms() - t0;
	printf("%zu files, %llu bytes; wheel %zu bytes: %.2f cpu_ms per wheel (%d rounds)\n", n_files, raw, whl,
	       built / rounds, rounds);
	printf("project page of %d versions, %zu bytes: %.3f cpu_ms per render\n", versions, page.len,
	       rendered / rounds);
	buf_release(&page);
	free(f);
	free(fn);
	strvec_clear(&reqs);
	return 0;
}
