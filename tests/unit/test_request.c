/*
 * Unit tests: managed mode on a real image compiled by protoc: go_package of
 * own files, well-known types untouched, custom options (unknown fields) kept,
 * compiler_version and parameter in the request.
 */
#include "fsutil.h"
#include "image.h"
#include "request.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>

static const char *PROTO =
	"syntax = \"proto3\";\n"
	"package acme.weather.v1;\n"
	"import \"google/protobuf/descriptor.proto\";\n"
	"import \"google/protobuf/timestamp.proto\";\n"
	"extend google.protobuf.FileOptions { string owner_team = 50001; }\n"
	"option (owner_team) = \"weather-team\";\n"
	"option go_package = \"example.com/wrong/path;wrong\";\n"
	"message Forecast { string city = 1; google.protobuf.Timestamp at = 2; optional string note = 3; }\n";

int main(void)
{
	char err[ERR_SIZE];
	struct image img;
	struct request req;
	struct buf packed = BUF_INIT;
	image_init(&img);

	char *dir = fs_mkdtemp(NULL, "remotegen-unit", err);
	CHECK(dir != NULL);
	char *sub = xasprintf("%s/acme/weather/v1", dir);
	char *file = xasprintf("%s/weather.proto", sub);
	CHECK(fs_mkdir_p(sub, 0755, err) == 0);
	CHECK(fs_write_replace(file, PROTO, strlen(PROTO), err) == 0);
	int rc = image_compile(NULL, dir, NULL, 0, &img, err);
	CHECK(rc == 0);
	if (rc) {
		printf("# %s\n", err);
		return unit_done("request");
	}
	CHECK(img.own_files.n == 1);
	CHECK_STR(img.own_files.v[0], "acme/weather/v1/weather.proto");
	CHECK(img.all_files.n == 3);
	CHECK_STR(img.all_files.v[img.all_files.n - 1], "acme/weather/v1/weather.proto");

	struct request_input in = {
		.image = img.data.data,
		.image_len = img.data.len,
		.own_files = &img.own_files,
		.modpath = "gen.example.com/go/p/go/acme/weather",
		.protoc_version = "3.21.12",
	};
	CHECK(request_prepare(&req, &in, err) == 0);
	CHECK(request_uses_proto3_optional(&req));
	request_pack(&req, "paths=source_relative", &packed);
	request_release(&req);

	Google__Protobuf__Compiler__CodeGeneratorRequest *r =
		google__protobuf__compiler__code_generator_request__unpack(NULL, packed.len, (uint8_t *)packed.data);
	CHECK(r != NULL);
	if (r) {
		CHECK(r->n_file_to_generate == 1);
		CHECK_STR(r->parameter, "paths=source_relative");
		CHECK(r->compiler_version && r->compiler_version->major == 3 && r->compiler_version->minor == 21 &&
		      r->compiler_version->patch == 12);
		CHECK(r->n_proto_file == 3);
		for (size_t i = 0; i < r->n_proto_file; i++) {
			Google__Protobuf__FileDescriptorProto *f = r->proto_file[i];
			if (!strcmp(f->name, "google/protobuf/timestamp.proto"))
				CHECK_STR(f->options->go_package, "google.golang.org/protobuf/types/known/timestamppb");
			if (!strcmp(f->name, "acme/weather/v1/weather.proto")) {
				CHECK_STR(f->options->go_package,
					  "gen.example.com/go/p/go/acme/weather/acme/weather/v1;weatherv1");
				/* the custom option survives as an unknown field */
				CHECK(f->options->base.n_unknown_fields == 1);
				if (f->options->base.n_unknown_fields == 1) {
					ProtobufCMessageUnknownField *u = &f->options->base.unknown_fields[0];
					CHECK(u->tag == 50001);
					size_t k = strlen("weather-team");
					CHECK(u->len >= k && !memcmp(u->data + u->len - k, "weather-team", k));
				}
				CHECK(f->source_code_info != NULL);
			}
		}
		google__protobuf__compiler__code_generator_request__free_unpacked(r, NULL);
	}

	/* an own file missing from the image */
	struct strvec wrong = STRVEC_INIT;
	strvec_push(&wrong, "not/there.proto");
	in.own_files = &wrong;
	CHECK(request_prepare(&req, &in, err) < 0);
	CHECK_CONTAINS(err, "not/there.proto");
	strvec_clear(&wrong);

	/* garbage is not an image */
	in.image = "\xff\xff\xff";
	in.image_len = 3;
	in.own_files = &img.own_files;
	CHECK(request_prepare(&req, &in, err) < 0);
	CHECK_CONTAINS(err, "not a valid FileDescriptorSet");

	/* npm plugins: protoplugin's defaults unless set, and a rewrite per dependency file */
	struct request_dep_file nd[] = { { "acme/units/v1/units.proto", NULL }, { "b/c.proto", NULL } };
	char *pkgs[] = { "@s/acme_units.t_n", "@s/b_c.t_n" };
	char *np = request_npm_parameter("", NULL, 0, NULL);
	CHECK_STR(np, "target=js+dts,import_extension=js");
	free(np);
	np = request_npm_parameter("target=ts,keep_empty_files=1", nd, 2, pkgs);
	CHECK_STR(
		np,
		"target=ts,keep_empty_files=1,import_extension=js,"
		"rewrite_imports=./acme/units/v1/units_pb.js:@s/acme_units.t_n,rewrite_imports=./b/c_pb.js:@s/b_c.t_n");
	free(np);
	np = request_npm_parameter("import_extension=none", NULL, 0, NULL);
	CHECK_STR(np, "import_extension=none,target=js+dts");
	free(np);

	fs_remove_tree(dir, err);
	free(dir);
	free(sub);
	free(file);
	buf_release(&packed);
	image_release(&img);
	return unit_done("request");
}
