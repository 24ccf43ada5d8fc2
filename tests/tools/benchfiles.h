/*
 * benchfiles: what the benchmark tools (zipbench, wheelbench) share: the
 * process's CPU time, and a directory's files read into a file set.
 */
#ifndef REMOTEGEN_BENCHFILES_H
#define REMOTEGEN_BENCHFILES_H

#include "fileset.h"
#include "fsutil.h"

#include <stdlib.h>
#include <time.h>

/* CPU time of this process, in ms. */
static inline double bench_cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

/* Adds every file below dir to files (names relative to dir); *raw gets their bytes. 0 or -1 (err set). */
static inline int bench_load_dir(const char *dir, struct fileset *files, unsigned long long *raw, char *err)
{
	struct strvec names = STRVEC_INIT;
	int rc = fs_list_files(dir, 0, &names, err);
	*raw = 0;
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		char *path = xasprintf("%s/%s", dir, names.v[i]);
		struct buf b = BUF_INIT;
		rc = fs_read_file(path, &b, err);
		if (rc == 0) {
			fileset_add(files, names.v[i], b.data ? b.data : "", b.len);
			*raw += b.len;
		}
		buf_release(&b);
		free(path);
	}
	strvec_clear(&names);
	return rc;
}

#endif
