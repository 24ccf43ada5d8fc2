/* Unit tests: go.mod rendering and Go version comparison. */
#include "gomod.h"
#include "unit.h"

int main(void)
{
	struct buf b = BUF_INIT;
	struct strvec req = STRVEC_INIT;
	char err[ERR_SIZE];

	CHECK(gomod_render("gen.example.com/go/a/b/c/d", NULL, &req, &b, err) == 0);
	CHECK_STR(b.data, "module gen.example.com/go/a/b/c/d\n\ngo " GOMOD_DEFAULT_GO "\n");
	buf_reset(&b);

	strvec_push(&req, "google.golang.org/protobuf@v1.28.1");
	CHECK(gomod_render("m.example.com/x", "1.20", &req, &b, err) == 0);
	CHECK_STR(b.data, "module m.example.com/x\n\ngo 1.20\n\nrequire google.golang.org/protobuf v1.28.1\n");
	buf_reset(&b);

	strvec_push(&req, "google.golang.org/grpc@v1.33.3");
	strvec_push(&req, "google.golang.org/protobuf@v1.27.0"); /* lower: the higher one stays */
	strvec_push(&req, "github.com/x/y@v0.1.0");
	CHECK(gomod_render("m.example.com/x", "1.19", &req, &b, err) == 0);
	CHECK_STR(b.data, "module m.example.com/x\n\ngo 1.19\n\nrequire (\n"
			  "\tgithub.com/x/y v0.1.0\n\tgoogle.golang.org/grpc v1.33.3\n"
			  "\tgoogle.golang.org/protobuf v1.28.1\n)\n");
	buf_reset(&b);

	strvec_push(&req, "no-version");
	CHECK(gomod_render("m.example.com/x", NULL, &req, &b, err) < 0);
	CHECK_CONTAINS(err, "no-version");

	CHECK(gomod_go_version_cmp("1.20", "1.19") > 0);
	CHECK(gomod_go_version_cmp("1.9", "1.19") < 0);
	CHECK(gomod_go_version_cmp("1.21.0", "1.21") == 0);
	CHECK(gomod_check_go_version("1.19", err) == 0);
	CHECK(gomod_check_go_version("go1.19", err) < 0);
	CHECK(gomod_check_go_version("1", err) < 0);
	buf_release(&b);
	strvec_clear(&req);
	return unit_done("gomod");
}
