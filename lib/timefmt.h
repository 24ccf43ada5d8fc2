/*
 * timefmt: RFC 3339 UTC timestamps from microseconds since the epoch. The
 * database hands times over as numbers; how precise a timestamp is (seconds
 * in .info, milliseconds in a packument, microseconds in the feed) is the
 * decision of the renderer that writes it, made here with `digits`.
 */
#ifndef REMOTEGEN_TIMEFMT_H
#define REMOTEGEN_TIMEFMT_H

#define TIMEFMT_SIZE 40

/*
 * Writes "YYYY-MM-DDTHH:MM:SS[.f]Z" with digits (0, 3 or 6) fractional
 * digits, truncated, into out. Returns out.
 */
char *timefmt_rfc3339(long long us, int digits, char out[TIMEFMT_SIZE]);

#endif
