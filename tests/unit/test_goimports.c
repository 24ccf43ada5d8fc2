/* Unit tests: import paths read from generated Go files. */
#include "goimports.h"
#include "unit.h"

static int scan(const char *src, struct strvec *out, char *err)
{
	strvec_clear(out);
	return goimports_scan(src, strlen(src), out, err);
}

int main(void)
{
	char err[ERR_SIZE];
	struct strvec p = STRVEC_INIT;

	CHECK(scan("// Code generated. DO NOT EDIT.\n//go:build x\n\n/* a\n b */ package weatherv1\n\n"
		   "import (\n\tprotoreflect \"google.golang.org/protobuf/reflect/protoreflect\"\n"
		   "\t_ \"embed\" // a comment \"not/this\"\n\t. `raw/path`\n\t\"sync\"; \"fmt\"\n)\n"
		   "import grpc \"google.golang.org/grpc\"\n\nconst x = \"google.golang.org/notimported\"\n"
		   "import \"too/late\"\n",
		   &p, err) == 0);
	CHECK(p.n == 6);
	CHECK(strvec_contains(&p, "google.golang.org/protobuf/reflect/protoreflect"));
	CHECK(strvec_contains(&p, "embed"));
	CHECK(strvec_contains(&p, "raw/path"));
	CHECK(strvec_contains(&p, "sync") && strvec_contains(&p, "fmt"));
	CHECK(strvec_contains(&p, "google.golang.org/grpc"));
	CHECK(!strvec_contains(&p, "not/this"));
	CHECK(!strvec_contains(&p, "google.golang.org/notimported"));
	CHECK(!strvec_contains(&p, "too/late"));

	CHECK(goimports_uses_module(&p, "google.golang.org/protobuf"));
	CHECK(goimports_uses_module(&p, "google.golang.org/grpc"));
	CHECK(!goimports_uses_module(&p, "google.golang.org/grp"));
	CHECK(!goimports_uses_module(&p, "google.golang.org/protobuf/reflect/protoreflect/x"));

	CHECK(scan("\xef\xbb\xbfpackage x\n", &p, err) == 0 && p.n == 0);
	CHECK(scan("not go at all", &p, err) < 0);
	CHECK_CONTAINS(err, "package clause");
	CHECK(scan("package x\nimport (\n\"unterminated\n)\n", &p, err) < 0);
	CHECK(scan("package x\nimport /* never closed", &p, err) < 0);

	struct fileset fs = FILESET_INIT;
	const char *src = "package a\nimport \"google.golang.org/protobuf/proto\"\n";
	fileset_add(&fs, "a/x.pb.go", src, strlen(src));
	fileset_add(&fs, "a/x.txt", "import \"ignored\"", 16);
	strvec_clear(&p);
	CHECK(goimports_of_files(&fs, &p, err) == 0 && p.n == 1);
	fileset_add(&fs, "b/bad.go", "garbage", 7);
	CHECK(goimports_of_files(&fs, &p, err) < 0);
	CHECK_CONTAINS(err, "b/bad.go");
	fileset_release(&fs);
	strvec_clear(&p);
	return unit_done("goimports");
}
