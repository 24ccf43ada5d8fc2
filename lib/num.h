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
 * A size in bytes: digits with an optional K, M or G suffix (powers of 1024),
 * in [0, max]. Returns 0 or -1 (err set).
 */
int num_parse_size(const char *what, const char *s, long long max, long long *out, char *err);

/*
 * An integer from a trusted source (a database column of an integer type):
 * s parsed as num_parse does, 0 when it is NULL, empty or not a number.
 */
long long num_trusted(const char *s);

#endif
