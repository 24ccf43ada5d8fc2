/* Unit tests: rewriting the requires of CommonJS plugin output into package requires. */
#include "npmcjs.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static const char *content(const struct fileset *fs, const char *name)
{
	struct fileset_entry *e = fileset_find(fs, name);
	return e ? e->content.data : "";
}

static void add(struct fileset *fs, const char *name, const char *text)
{
	fileset_add(fs, name, text, strlen(text));
}

int main(void)
{
	char err[ERR_SIZE];
	struct strvec pkgs = STRVEC_INIT;
	strvec_push(&pkgs, "google-protobuf");
	strvec_push(&pkgs, "grpc-web");
	const struct npmcjs_dep deps[] = {
		{ "acme/weather/v1/weather.proto", "@s/acme_weather.t_js" },
		{ "acme/weather/v1/weather_extra.proto", "@s/acme_weather.t_js" },
	};

	/* The lines protoc-gen-js and protoc-gen-grpc-web write. */
	struct fileset fs = FILESET_INIT;
	add(&fs, "acme/alerts/v1/alerts_pb.js",
	    "/**\n * @fileoverview require('../../nothing.js') in a comment stays\n */\n"
	    "var jspb = require('google-protobuf');\n"
	    "var acme_weather_v1_weather_pb = require('../../../acme/weather/v1/weather_pb.js');\n"
	    "var x = require('../../../acme/weather/v1/weather_extra_pb.js');\n"
	    "var google_protobuf_timestamp_pb = require('google-protobuf/google/protobuf/timestamp_pb.js');\n"
	    "goog.object.extend(proto, acme_weather_v1_weather_pb);\n");
	add(&fs, "acme/alerts/v1/alerts_grpc_web_pb.js",
	    "grpc.web = require('grpc-web');\nproto.acme.alerts.v1 = require('./alerts_pb.js');\n");
	add(&fs, "acme/alerts/v1/alerts_grpc_web_pb.d.ts",
	    "import * as grpcWeb from 'grpc-web';\n\n"
	    "import * as acme_alerts_v1_alerts_pb from '../../../acme/alerts/v1/alerts_pb'; // proto import\n"
	    "import * as acme_weather_v1_weather_pb from '../../../acme/weather/v1/weather_pb'; // proto import\n");
	add(&fs, "acme/alerts/v1/alerts_pb.d.ts", "import * as jspb from 'google-protobuf'\n");
	add(&fs, "README.txt", "require('../../x') is no code");
	CHECK(npmcjs_rewrite(&fs, deps, 2, &pkgs, err) == 3);
	CHECK_CONTAINS(
		content(&fs, "acme/alerts/v1/alerts_pb.js"),
		"var acme_weather_v1_weather_pb = require('@s/acme_weather.t_js/acme/weather/v1/weather_pb.js');\n");
	/* the longest .proto wins: weather_extra_pb is not weather.proto's "_extra_pb" */
	CHECK_CONTAINS(content(&fs, "acme/alerts/v1/alerts_pb.js"),
		       "require('@s/acme_weather.t_js/acme/weather/v1/weather_extra_pb.js');\n");
	CHECK_CONTAINS(content(&fs, "acme/alerts/v1/alerts_pb.js"),
		       "require('google-protobuf/google/protobuf/timestamp_pb.js');\n");
	CHECK_CONTAINS(content(&fs, "acme/alerts/v1/alerts_pb.js"), " * @fileoverview require('../../nothing.js')");
	CHECK_CONTAINS(content(&fs, "acme/alerts/v1/alerts_grpc_web_pb.js"), "require('./alerts_pb.js');\n");
	CHECK_CONTAINS(content(&fs, "acme/alerts/v1/alerts_grpc_web_pb.d.ts"),
		       "from '../../../acme/alerts/v1/alerts_pb'; // proto import\n");
	CHECK_CONTAINS(content(&fs, "acme/alerts/v1/alerts_grpc_web_pb.d.ts"),
		       "from '@s/acme_weather.t_js/acme/weather/v1/weather_pb'; // proto import\n");
	CHECK_STR(content(&fs, "README.txt"), "require('../../x') is no code");
	/* Twice is the same: nothing relative to a dependency is left. */
	CHECK(npmcjs_rewrite(&fs, deps, 2, &pkgs, err) == 0);
	fileset_release(&fs);

	/* What cannot be classified fails, naming the file and the require. */
	static const char *const bad[][2] = {
		{ "var m = require('./missing_pb.js');\n", "names acme/alerts/v1/missing_pb.js, which is neither" },
		{ "var m = require('../../../../../x.js');\n", "climbs above the package root" },
		{ "var m = require('left-pad');\n", "needs package left-pad, which no plugin version" },
		{ "var m = require('/etc/passwd');\n", "is neither relative nor a package" },
		{ "var m = require(name);\n", "a require without one plain string argument" },
		{ "var m = require('a' + b);\n", "a require without one plain string argument" },
		{ "import * as x from './y.js';\n", "ES module syntax" },
		/* a .d.ts is no file for require (grpc-web's x_pb.d.ts without protoc-gen-js's x_pb.js) */
		{ "var m = require('./types_pb.js');\n", "names acme/alerts/v1/types_pb.js, which is neither" },
		{ "var m = require('./x\\'.js');\n", "a require without one plain string argument" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fileset b = FILESET_INIT;
		add(&b, "acme/alerts/v1/alerts_pb.js", bad[i][0]);
		add(&b, "acme/alerts/v1/types_pb.d.ts", "export class T {}\n");
		CHECK(npmcjs_rewrite(&b, deps, 2, &pkgs, err) < 0);
		CHECK_CONTAINS(err, "acme/alerts/v1/alerts_pb.js: ");
		CHECK_CONTAINS(err, bad[i][1]);
		fileset_release(&b);
	}
	/* A require as the last bytes of a file without a newline. */
	struct fileset t = FILESET_INIT;
	add(&t, "a_pb.js", "require(");
	CHECK(npmcjs_rewrite(&t, deps, 2, &pkgs, err) < 0);
	fileset_release(&t);
	strvec_clear(&pkgs);
	return unit_done("npmcjs");
}
