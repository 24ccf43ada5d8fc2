/* Unit tests: strict number parsing (lib/num.c) and thread-safe jitter (lib/jitter.c). */
#include "jitter.h"
#include "num.h"
#include "util.h"
#include "unit.h"

#include <pthread.h>

static void *spread_many(void *arg)
{
	long long *bad = arg;
	for (int i = 0; i < 100000; i++) {
		long long d = jitter_spread(1000);
		if (d < 500 || d >= 1500)
			(*bad)++;
	}
	return NULL;
}

int main(void)
{
	char err[ERR_SIZE];
	long long v = -7;
	CHECK(num_parse("--workers", "12", 1, 1024, &v, err) == 0 && v == 12);
	CHECK(num_parse("--workers", "-3", -5, 5, &v, err) == 0 && v == -3);
	CHECK(num_parse("--workers", "0", 1, 1024, &v, err) < 0);
	CHECK_STR(err, "--workers 0: expected a number from 1 to 1024");
	v = 42;
	CHECK(num_parse("x", "12abc", 0, 100, &v, err) < 0 && v == 42); /* atoi would say 12 */
	CHECK(num_parse("x", "", 0, 100, &v, err) < 0);
	CHECK(num_parse("x", " 5", 0, 100, &v, err) < 0);
	CHECK(num_parse("x", "+5", 0, 100, &v, err) < 0);
	CHECK(num_parse("x", "99999999999999999999", 0, 100, &v, err) < 0); /* overflow */
	CHECK(num_parse("x", NULL, 0, 100, &v, NULL) < 0);

	CHECK(num_parse_size("size", "512M", 1LL << 40, &v, err) == 0 && v == 512LL << 20);
	CHECK(num_parse_size("size", "2G", 1LL << 40, &v, err) == 0 && v == 2LL << 30);
	CHECK(num_parse_size("size", "7", 1LL << 40, &v, err) == 0 && v == 7);
	CHECK(num_parse_size("size", "0", 1LL << 40, &v, err) == 0 && v == 0);
	CHECK(num_parse_size("size", "lots", 1LL << 40, &v, err) < 0);
	CHECK_CONTAINS(err, "size lots: expected a size");
	CHECK(num_parse_size("size", "1GB", 1LL << 40, &v, err) < 0);
	CHECK(num_parse_size("size", "2048G", 1LL << 40, &v, err) < 0); /* beyond max */

	CHECK(num_parse_size("size", "1.5K", 1LL << 40, &v, err) == 0 && v == 1536);
	CHECK(num_parse_size("size", " 5", 1LL << 40, &v, err) < 0);

	CHECK(num_parse_duration_ms("90s", 86400000, &v) == 0 && v == 90000);
	CHECK(num_parse_duration_ms("500ms", 86400000, &v) == 0 && v == 500);
	CHECK(num_parse_duration_ms("2m", 86400000, &v) == 0 && v == 120000);
	CHECK(num_parse_duration_ms("7d", 10LL * 86400000, &v) == 0 && v == 7LL * 86400000);
	CHECK(num_parse_duration_ms("2", 86400000, &v) == 0 && v == 2000);
	CHECK(num_parse_duration_ms("2d", 86400000, &v) < 0); /* beyond max */
	CHECK(num_parse_duration_ms("0s", 86400000, &v) < 0);
	CHECK(num_parse_duration_ms("yesterday", 86400000, &v) < 0);
	CHECK(num_parse_duration_ms("5w", 86400000, &v) < 0);

	CHECK(num_trusted("123") == 123);
	CHECK(num_trusted("-4") == -4);
	CHECK(num_trusted(NULL) == 0);
	CHECK(num_trusted("12x") == 0);

	/* jitter: within [d/2, 3d/2) from several threads at once, and not constant */
	CHECK(jitter_spread(0) == 0);
	long long bad[4] = { 0 };
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, spread_many, &bad[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK(bad[0] + bad[1] + bad[2] + bad[3] == 0);
	long long first = jitter_spread(1000000), differs = 0;
	for (int i = 0; i < 10; i++)
		differs += jitter_spread(1000000) != first;
	CHECK(differs > 0);
	CHECK(jitter_random() >= 0);
	return unit_done("num");
}
