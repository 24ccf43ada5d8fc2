/* Unit tests: retry backoff (without jitter) and the subprocess driver's limits. */
#include "queue.h"
#include "subproc.h"
#include "unit.h"

int main(void)
{
	/* base * 2^(attempts-1), capped at 2^20 */
	CHECK(queue_backoff_ms(1, 2000) == 2000);
	CHECK(queue_backoff_ms(2, 2000) == 4000);
	CHECK(queue_backoff_ms(3, 2000) == 8000);
	CHECK(queue_backoff_ms(0, 100) == 100);
	CHECK(queue_backoff_ms(40, 1) == (1LL << 20));

	/* subproc: output, exit status, timeout, output limit */
	char err[ERR_SIZE];
	struct subproc_result r;
	const char *echo[] = { "/bin/sh", "-c", "cat; echo done >&2; exit 7", NULL };
	struct subproc_opts o = { .argv = echo, .timeout_ms = 10000 };
	subproc_result_init(&r);
	CHECK(subproc_run(&o, "hello", 5, &r, err) == 0);
	CHECK(r.exited && r.exit_code == 7);
	CHECK(r.out.len == 5 && !memcmp(r.out.data, "hello", 5));
	CHECK_STR(r.err.data, "done\n");
	subproc_result_release(&r);

	const char *sleeper[] = { "/bin/sh", "-c", "sleep 30", NULL };
	struct subproc_opts t = { .argv = sleeper, .timeout_ms = 200 };
	subproc_result_init(&r);
	CHECK(subproc_run(&t, NULL, 0, &r, err) == 0);
	CHECK(r.timed_out && r.signal == 9);
	CHECK(r.ms < 5000);
	subproc_result_release(&r);

	const char *yes[] = { "/usr/bin/yes", NULL };
	struct subproc_opts y = { .argv = yes, .timeout_ms = 10000, .max_stdout = 100000 };
	subproc_result_init(&r);
	CHECK(subproc_run(&y, NULL, 0, &r, err) == 0);
	CHECK(r.out_exceeded && r.out.len <= 100000);
	subproc_result_release(&r);

	const char *missing[] = { "/nonexistent/plugin", NULL };
	struct subproc_opts m = { .argv = missing };
	subproc_result_init(&r);
	CHECK(subproc_run(&m, NULL, 0, &r, err) < 0);
	CHECK_CONTAINS(err, "/nonexistent/plugin");
	subproc_result_release(&r);
	return unit_done("sched");
}
