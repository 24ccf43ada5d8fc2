/*
 * jitter: a thread-local xorshift64* generator per thread (see jitter.h).
 */
#include "jitter.h"

#include <stdint.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static _Thread_local uint64_t state;

static uint64_t next(void)
{
	if (!state) {
		uint64_t seed = 0;
		if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed) || !seed) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			seed = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40) ^
			       (uint64_t)(uintptr_t)&state;
		}
		state = seed ? seed : 0x9e3779b97f4a7c15ULL;
	}
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dULL;
}

long long jitter_spread(long long d)
{
	if (d <= 0)
		return 0;
	return d / 2 + (long long)(next() % (uint64_t)d);
}

long long jitter_random(void)
{
	return (long long)(next() >> 1);
}
