/*
 * timefmt: RFC 3339 rendering (see timefmt.h).
 */
#include "timefmt.h"

#include <stdio.h>
#include <time.h>

char *timefmt_rfc3339(long long us, int digits, char out[TIMEFMT_SIZE])
{
	long long secs = us / 1000000, frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	time_t t = (time_t)secs;
	struct tm tm;
	gmtime_r(&t, &tm);
	char base[24];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (digits == 3)
		snprintf(out, TIMEFMT_SIZE, "%s.%03lldZ", base, frac / 1000);
	else if (digits == 6)
		snprintf(out, TIMEFMT_SIZE, "%s.%06lldZ", base, frac);
	else
		snprintf(out, TIMEFMT_SIZE, "%sZ", base);
	return out;
}
