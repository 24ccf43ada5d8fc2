/*
 * jsonw: the JSON documents remotegen writes (.info, @latest, the feed,
 * status --json), built with jansson and written compact, keys in the order
 * they were set, so that the same values always give the same bytes (a
 * retry must write a byte-identical .info).
 */
#ifndef REMOTEGEN_JSONW_H
#define REMOTEGEN_JSONW_H

#include <jansson.h>
#include "util.h"

/*
 * A JSON string of s. Text that is not valid UTF-8 (a plugin's stderr in an
 * error message, say) has each bad byte replaced by U+FFFD, since JSON holds
 * only Unicode. Never NULL (allocation failure aborts).
 */
json_t *jsonw_string(const char *s);

/* Sets key of object obj to v, taking v's reference (obj, key, v must be valid). */
void jsonw_set(json_t *obj, const char *key, json_t *v);
/* Appends v to array arr, taking v's reference (arr, v must be valid). */
void jsonw_append(json_t *arr, json_t *v);
/* jsonw_set with jsonw_string(s) / json_integer(n). */
void jsonw_set_str(json_t *obj, const char *key, const char *s);
void jsonw_set_int(json_t *obj, const char *key, long long n);

/* Appends v (compact, keys in order, reals with 4 significant digits) and '\n' to out; frees v. */
void jsonw_write_line(json_t *v, struct buf *out);
/* The same indented by two spaces, as npm writes package.json; frees v. */
void jsonw_write_pretty(json_t *v, struct buf *out);

#endif
