/*
 * num: strict decimal and size parsing (see num.h).
 */
#include "num.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>

static int parse_digits(const char *s, long long *out, const char **end)
{
	char *e;
	if (!s || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	long long v = strtoll(s, &e, 10);
	if (errno || e == s)
		return -1;
	*out = v;
	*end = e;
	return 0;
}

int num_parse(const char *what, const char *s, long long min, long long max, long long *out, char *err)
{
	long long v;
	const char *end;
	if (parse_digits(s, &v, &end) < 0 || *end || v < min || v > max)
		return err_set(err, "%s %s: expected a number from %lld to %lld", what, s ? s : "", min, max);
	*out = v;
	return 0;
}

int num_parse_size(const char *what, const char *s, long long max, long long *out, char *err)
{
	long long v, mult = 1;
	const char *end;
	if (parse_digits(s, &v, &end) < 0 || v < 0)
		goto bad;
	switch (*end) {
	case 'K':
	case 'k':
		mult = 1LL << 10;
		end++;
		break;
	case 'M':
	case 'm':
		mult = 1LL << 20;
		end++;
		break;
	case 'G':
	case 'g':
		mult = 1LL << 30;
		end++;
		break;
	default: break;
	}
	if (*end || v > max / mult)
		goto bad;
	*out = v * mult;
	return 0;
bad:
	return err_set(err, "%s %s: expected a size such as 512M or 2G (at most %lld bytes)", what, s ? s : "", max);
}

long long num_trusted(const char *s)
{
	long long v;
	const char *end;
	if (parse_digits(s, &v, &end) < 0 || *end)
		return 0;
	return v;
}
