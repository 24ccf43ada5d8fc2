/* Unit tests: text from outside made clean (lib/text.c). */
#include "text.h"
#include "unit.h"

#include <string.h>

int main(void)
{
	char out[64];
	text_clean(out, sizeof(out), "plain text, tab\tand newline\n");
	CHECK_STR(out, "plain text, tab\tand newline\n");
	text_clean(out, sizeof(out), "bad \377 byte");
	CHECK_STR(out, "bad \\xff byte");
	text_clean(out, sizeof(out), "\033[2Jclear\007");
	CHECK_STR(out, "\\x1b[2Jclear\\x07");
	text_clean(out, sizeof(out), "caf\303\251 \342\202\254 \360\237\230\200"); /* é € 😀 kept */
	CHECK_STR(out, "caf\303\251 \342\202\254 \360\237\230\200");
	text_clean(out, sizeof(out), "c1 \302\233 csi"); /* U+009B: a terminal's CSI */
	CHECK_STR(out, "c1 \\u009b csi");
	text_clean(out, sizeof(out), "overlong \300\257 surrogate \355\240\200");
	CHECK_STR(out, "overlong \\xc0\\xaf surrogate \\xed\\xa0\\x80");
	text_clean(out, sizeof(out), "cut \342\202"); /* a sequence cut by the end */
	CHECK_STR(out, "cut \\xe2\\x82");
	char small[7];
	text_clean(small, sizeof(small), "abcd\342\202\254"); /* the euro sign does not fit whole */
	CHECK_STR(small, "abcd");
	text_clean(small, 6, "ab\377cdef"); /* nor does a whole escape */
	CHECK_STR(small, "ab");
	CHECK(text_is_clean("caf\303\251\n"));
	CHECK(!text_is_clean("\033"));
	CHECK(!text_is_clean("\377"));
	return unit_done("text");
}
