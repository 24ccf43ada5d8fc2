/* Unit tests: progress figures and text (pipeline/progress.c). */
#include "progress.h"
#include "unit.h"

int main(void)
{
	char text[256];
	double per_s;
	long long eta_s;
	progress_format(text, sizeof(text), 120, 880, 14500, &per_s, &eta_s);
	CHECK(per_s > 8.27 && per_s < 8.28);
	CHECK(eta_s == 106); /* 880 / 8.2759 */
	CHECK_STR(text, "generating: 120 done, 880 left, 8.3/s, ETA 1m46s");
	progress_format(text, sizeof(text), 0, 50, 3000, &per_s, &eta_s);
	CHECK(eta_s == -1);
	CHECK_STR(text, "generating: 0 done, 50 left, 0.0/s, ETA unknown");
	progress_format(text, sizeof(text), 10, 100000, 10000, &per_s, &eta_s);
	CHECK(eta_s == 100000);
	CHECK_STR(text, "generating: 10 done, 100000 left, 1.0/s, ETA 27h46m");
	progress_format(text, sizeof(text), 5, 0, 0, &per_s, &eta_s);
	CHECK(per_s == 0.0 && eta_s == -1);

	struct progress p;
	progress_init(&p, 0, 30000, 1000);
	CHECK(!progress_due(&p, 30999));
	CHECK(progress_due(&p, 31000));
	progress_show(&p, 31000, 0, 0); /* idle: nothing, but the clock moves on */
	CHECK(!progress_due(&p, 60999) && progress_due(&p, 61000));
	progress_init(&p, 0, 0, 1000);
	CHECK(!progress_due(&p, 1000000)); /* REMOTEGEN_PROGRESS_MS=0: off */
	progress_init(&p, 1, 0, 1000);
	CHECK(progress_due(&p, 2000)); /* a terminal: every second */
	return unit_done("progress");
}
