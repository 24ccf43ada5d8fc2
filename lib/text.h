/*
 * text: text that comes from outside (plugin stderr and error fields, file
 * names in plugin output, server messages) made safe to store and print:
 * valid UTF-8 (PostgreSQL refuses anything else in a text column), and no
 * control characters that a terminal would act on.
 */
#ifndef REMOTEGEN_TEXT_H
#define REMOTEGEN_TEXT_H

#include <stddef.h>

/*
 * Copies src into dst (dstsz > 0 bytes, always NUL-terminated): valid UTF-8
 * sequences as they are, but each byte that is not part of one as "\xNN",
 * C0 controls other than newline and tab, DEL and the C1 controls
 * (U+0080..U+009F) as "\xNN" or "\u00NN"; cut at a character boundary when
 * dst is full. dst and src may not overlap.
 */
void text_clean(char *dst, size_t dstsz, const char *src);

/* 1 when s is already what text_clean would make of it. */
int text_is_clean(const char *s);

#endif
