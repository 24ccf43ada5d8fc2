/*
 * jsonw: JSON through jansson (see jsonw.h).
 */
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/utf8.h>

json_t *jsonw_string(const char *s)
{
	json_t *v = json_string(s);
	if (!v) {
		/* not UTF-8: keep the good parts */
		struct buf b = BUF_INIT;
		int32_t len = (int32_t)strlen(s), i = 0;
		while (i < len) {
			int32_t start = i;
			UChar32 c;
			U8_NEXT(s, i, len, c);
			if (c < 0)
				buf_adds(&b, "\xef\xbf\xbd");
			else
				buf_add(&b, s + start, (size_t)(i - start));
		}
		v = json_string(b.data ? b.data : "");
		buf_release(&b);
	}
	if (!v)
		abort(); /* only on allocation failure */
	return v;
}

void jsonw_set(json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v) < 0)
		abort(); /* only on allocation failure */
}

void jsonw_append(json_t *arr, json_t *v)
{
	if (!v || json_array_append_new(arr, v) < 0)
		abort(); /* only on allocation failure */
}

void jsonw_set_str(json_t *obj, const char *key, const char *s)
{
	jsonw_set(obj, key, jsonw_string(s));
}

void jsonw_set_int(json_t *obj, const char *key, long long n)
{
	jsonw_set(obj, key, json_integer((json_int_t)n));
}

static void write_flags(json_t *v, size_t flags, struct buf *out)
{
	char *s = json_dumps(v, flags);
	if (!s)
		abort();
	buf_adds(out, s);
	buf_addc(out, '\n');
	free(s);
	json_decref(v);
}

void jsonw_write_line(json_t *v, struct buf *out)
{
	write_flags(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4), out);
}

void jsonw_write_pretty(json_t *v, struct buf *out)
{
	write_flags(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4), out);
}
