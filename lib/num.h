/*
 * num: strict number parsing. The whole string must be a decimal integer in
 * range (no sign games, no trailing text, no overflow), so a mistyped flag or
 * environment value is an error instead of a silent 0 (what atoi gives).
 * Owns nothing.
 */
#ifndef REMOTEGEN_NUM_H
#define REMOTEGEN_NUM_H

/*
 * Parses all of s as a decimal integer in [min, max] into *out. Returns 0, or
 * -1 with err (may be NULL) saying "<what> <s>: expected ...".
 */
int num_parse(const char *what, const char *s, long long min, long long max, long long *out, char *err);

/*
 * A size in bytes: a number (decimals allowed: 1.5G) with an optional K, M or
 * G suffix (powers of 1024, either case), in [0, max]. Returns 0 or -1 (err set).
 */
int num_parse_size(const char *what, const char *s, long long max, long long *out, char *err);

/*
 * A duration: a number (decimals allowed) with ms, s, m, h or d (no unit:
 * seconds), more than 0 and at most max_ms, into milliseconds. Returns 0 or -1.
 */
int num_parse_duration_ms(const char *s, long long max_ms, long long *out);

/*
 * An integer from a trusted source (a database column of an integer type):
 * s parsed as num_parse does, 0 when it is NULL, empty or not a number.
 */
long long num_trusted(const char *s);

#endif
