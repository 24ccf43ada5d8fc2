/*
 * num: strict decimal and size parsing (see num.h).
 */
#include "num.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* A leading unsigned decimal number (not " 5", "+5", "-5", "inf"): its value and where it ends. */
static int parse_decimal(const char *s, double *v, const char **end)
{
	char *e;
	if (!s || *s < '0' || *s > '9')
		return -1;
	*v = strtod(s, &e);
	*end = e;
	return e == s ? -1 : 0;
}

int num_parse_size(const char *what, const char *s, long long max, long long *out, char *err)
{
	double v, mult = 1;
	const char *end;
	if (parse_decimal(s, &v, &end) < 0)
		goto bad;
	switch (*end) {
	case 'K':
	case 'k':
		mult = 1024.0;
		end++;
		break;
	case 'M':
	case 'm':
		mult = 1048576.0;
		end++;
		break;
	case 'G':
	case 'g':
		mult = 1073741824.0;
		end++;
		break;
	default: break;
	}
	if (*end || v * mult > (double)max)
		goto bad;
	*out = (long long)(v * mult);
	return 0;
bad:
	return err_set(err, "%s %s: expected a size such as 512M or 2G (at most %lld bytes)", what, s ? s : "", max);
}

int num_parse_duration_ms(const char *s, long long max_ms, long long *out)
{
	double v, mult;
	const char *end;
	if (parse_decimal(s, &v, &end) < 0)
		return -1;
	mult = !strcmp(end, "ms")	      ? 1
	       : (!*end || !strcmp(end, "s")) ? 1000
	       : !strcmp(end, "m")	      ? 60000
	       : !strcmp(end, "h")	      ? 3600000
	       : !strcmp(end, "d")	      ? 86400000
					      : -1;
	if (mult < 0 || v * mult > (double)max_ms)
		return -1;
	*out = (long long)(v * mult);
	return *out > 0 ? 0 : -1;
}

long long num_trusted(const char *s)
{
	long long v;
	const char *end;
	if (parse_digits(s, &v, &end) < 0 || *end)
		return 0;
	return v;
}
