/*
 * text: see text.h.
 */
#include "text.h"

#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the byte at s does not start one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogates */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0; /* beyond U+10FFFF */
		return 4;
	}
	return 0;
}

/* What s's next character becomes: its bytes (1..4) kept, or an escape written into esc; returns bytes of src used. */
static size_t next_char(const unsigned char *s, char esc[8], size_t *esc_len, int *keep)
{
	size_t n = utf8_len(s);
	*keep = 1;
	if (n == 0) {
		*esc_len = (size_t)snprintf(esc, 8, "\\x%02x", s[0]);
		*keep = 0;
		return 1;
	}
	if (n == 1 && ((s[0] < 0x20 && s[0] != '\n' && s[0] != '\t') || s[0] == 0x7f)) {
		*esc_len = (size_t)snprintf(esc, 8, "\\x%02x", s[0]);
		*keep = 0;
	} else if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
		*esc_len = (size_t)snprintf(esc, 8, "\\u%04x", s[1]); /* C1 control */
		*keep = 0;
	}
	return n;
}

void text_clean(char *dst, size_t dstsz, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;
	while (*s) {
		char esc[8];
		size_t esc_len = 0;
		int keep;
		size_t n = next_char(s, esc, &esc_len, &keep);
		size_t need = keep ? n : esc_len;
		if (o + need + 1 > dstsz)
			break;
		memcpy(dst + o, keep ? (const char *)s : esc, need);
		o += need;
		s += n;
	}
	dst[o] = '\0';
}

int text_is_clean(const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	while (*s) {
		char esc[8];
		size_t esc_len;
		int keep;
		size_t n = next_char(s, esc, &esc_len, &keep);
		if (!keep)
			return 0;
		s += n;
	}
	return 1;
}
