/* Unit tests: single flight of cache keys (claim, drop, wait across threads). */
#include "inflight.h"
#include "unit.h"

#include <pthread.h>
#include <unistd.h>

static struct inflight fl;
static struct cache_key keys[3];
static volatile int dropped;

static void *holder(void *arg)
{
	(void)arg;
	usleep(100000);
	dropped = 1;
	inflight_drop(&fl, keys, 2);
	return NULL;
}

int main(void)
{
	int mine[3];
	inflight_init(&fl);
	for (int i = 0; i < 3; i++) {
		memset(keys[i].hex, 'a' + i, SHA256_HEX_SIZE - 1);
		keys[i].hex[SHA256_HEX_SIZE - 1] = '\0';
	}
	/* the first claim gets both; a second claim of the same keys and a new one gets only the new one */
	CHECK(inflight_claim(&fl, keys, 2, 2, mine) == 2);
	CHECK(mine[0] == 1 && mine[1] == 1);
	CHECK(inflight_claim(&fl, keys, 3, 3, mine) == 1);
	CHECK(mine[0] == 0 && mine[1] == 0 && mine[2] == 1);
	/* waiting for an unclaimed key returns at once; for claimed ones, when they are dropped */
	inflight_drop(&fl, keys + 2, 1);
	inflight_wait(&fl, keys + 2, 1);
	pthread_t t;
	pthread_create(&t, NULL, holder, NULL);
	inflight_wait(&fl, keys, 2);
	CHECK(dropped == 1);
	pthread_join(t, NULL);
	/* dropped keys can be claimed again, at most max of them, in order */
	CHECK(inflight_claim(&fl, keys, 3, 2, mine) == 2);
	CHECK(mine[0] == 1 && mine[1] == 1 && mine[2] == 0);
	CHECK(fl.n == 2);
	CHECK(inflight_claim(&fl, keys, 3, 3, mine) == 1);
	CHECK(mine[0] == 0 && mine[1] == 0 && mine[2] == 1);
	CHECK(fl.n == 3);
	inflight_release(&fl);
	return unit_done("inflight");
}
