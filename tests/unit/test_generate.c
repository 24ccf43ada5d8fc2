/* Unit tests: insertion points as protoc applies them; generated file names. */
#include "generate.h"
#include "unit.h"

static void set(struct buf *b, const char *s)
{
	buf_reset(b);
	buf_adds(b, s);
}

int main(void)
{
	struct buf t = BUF_INIT;
	char why[256];

	/* content goes above the marker line, indented like it */
	set(&t, "class A {\n  // @@protoc_insertion_point(body)\n}\n");
	CHECK(plugin_insert(&t, "body", "int x;\nint y;\n", 14) == 0);
	CHECK_STR(t.data, "class A {\n  int x;\n  int y;\n  // @@protoc_insertion_point(body)\n}\n");
	/* a second insertion at the same point lands after the first */
	CHECK(plugin_insert(&t, "body", "int z;\n", 7) == 0);
	CHECK_STR(t.data, "class A {\n  int x;\n  int y;\n  int z;\n  // @@protoc_insertion_point(body)\n}\n");
	/* marker on the first line */
	set(&t, "// @@protoc_insertion_point(top)\nrest\n");
	CHECK(plugin_insert(&t, "top", "first\n", 6) == 0);
	CHECK_STR(t.data, "first\n// @@protoc_insertion_point(top)\nrest\n");
	/* inline marker: inserted just before the comment */
	set(&t, "int a; /* @@protoc_insertion_point(inline) */\n");
	CHECK(plugin_insert(&t, "inline", "b", 1) == 0);
	CHECK_STR(t.data, "int a; b\n/* @@protoc_insertion_point(inline) */\n");
	/* a missing point */
	set(&t, "nothing here\n");
	CHECK(plugin_insert(&t, "body", "x\n", 2) < 0);
	CHECK_STR(t.data, "nothing here\n");

	CHECK(plugin_check_name("acme/weather/v1/weather.pb.go", why, sizeof(why)) == 0);
	CHECK(plugin_check_name("", why, sizeof(why)) < 0);
	CHECK(plugin_check_name("/etc/passwd", why, sizeof(why)) < 0);
	CHECK_CONTAINS(why, "absolute");
	CHECK(plugin_check_name("a/../../x", why, sizeof(why)) < 0);
	CHECK_CONTAINS(why, "..");
	CHECK(plugin_check_name("a\\b.go", why, sizeof(why)) < 0);
	CHECK_CONTAINS(why, "backslash");
	CHECK(plugin_check_name("a//b.go", why, sizeof(why)) < 0);
	CHECK(plugin_check_name("./a.go", why, sizeof(why)) < 0);
	CHECK(plugin_check_name("a/", why, sizeof(why)) < 0);
	buf_release(&t);
	return unit_done("generate");
}
