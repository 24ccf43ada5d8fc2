/*
 * unit: a minimal unit-test harness. Each CHECK prints "ok"/"not ok" with the
 * expression and location; unit_done() prints "N passed, N failed" and gives
 * the exit status.
 */
#ifndef REMOTEGEN_UNIT_H
#define REMOTEGEN_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

#define CHECK(cond)                                                                \
	do {                                                                       \
		if (cond) {                                                        \
			unit_passed++;                                             \
		} else {                                                           \
			unit_failed++;                                             \
			printf("not ok - %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                  \
	} while (0)

#define CHECK_STR(got, want)                                                                            \
	do {                                                                                            \
		const char *g_ = (got), *w_ = (want);                                                   \
		if (g_ && w_ && !strcmp(g_, w_)) {                                                      \
			unit_passed++;                                                                  \
		} else {                                                                                \
			unit_failed++;                                                                  \
			printf("not ok - %s:%d: %s == \"%s\" (got \"%s\")\n", __FILE__, __LINE__, #got, \
			       w_ ? w_ : "(null)", g_ ? g_ : "(null)");                                 \
		}                                                                                       \
	} while (0)

#define CHECK_CONTAINS(got, want)                                                                                 \
	do {                                                                                                      \
		const char *g_ = (got), *w_ = (want);                                                             \
		if (g_ && strstr(g_, w_)) {                                                                       \
			unit_passed++;                                                                            \
		} else {                                                                                          \
			unit_failed++;                                                                            \
			printf("not ok - %s:%d: %s contains \"%s\" (got \"%s\")\n", __FILE__, __LINE__, #got, w_, \
			       g_ ? g_ : "(null)");                                                               \
		}                                                                                                 \
	} while (0)

static inline int unit_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
