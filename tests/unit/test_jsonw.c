/* Unit tests: JSON through jansson gives the bytes remotegen always wrote. */
#include "jsonw.h"
#include "goproxy.h"
#include "unit.h"

int main(void)
{
	struct buf b = BUF_INIT;
	/* .info: byte for byte what earlier builds wrote, so a retry meets the same object */
	goproxy_info("v1.1.2", "2026-11-24T07:41:33Z", &b);
	CHECK_STR(b.data, "{\"Version\":\"v1.1.2\",\"Time\":\"2026-11-24T07:41:33Z\"}\n");
	buf_reset(&b);

	json_t *o = json_object();
	jsonw_set_int(o, "Seq", 3001);
	jsonw_set_str(o, "Path", "gen.example.com/go/a/b");
	jsonw_set_str(o, "Quote", "say \"hi\"\\\n\x01");
	jsonw_set_str(o, "Bad",
		      "ok\xff"
		      "ok"); /* not UTF-8 */
	jsonw_set_str(o, "Letter", "caf\xc3\xa9");
	jsonw_set(o, "Ratio", json_real(2.0 / 3.0));
	jsonw_write_line(o, &b);
	CHECK_STR(b.data,
		  "{\"Seq\":3001,\"Path\":\"gen.example.com/go/a/b\",\"Quote\":\"say \\\"hi\\\"\\\\\\n\\u0001\","
		  "\"Bad\":\"ok\xef\xbf\xbdok\",\"Letter\":\"caf\xc3\xa9\",\"Ratio\":0.6667}\n");
	buf_release(&b);
	return unit_done("jsonw");
}
