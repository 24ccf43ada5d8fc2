/*
 * npmcjs: the requires of CommonJS plugins' output (protoc-gen-js,
 * protoc-gen-grpc-web), made to work inside one npm package per module.
 *
 * Those plugins write a file of another proto file as a path relative to the
 * output root: require('../../acme/weather/v1/weather_pb.js'), and in .d.ts
 * files from '../../../acme/weather/v1/weather_pb'. In a package, a path that
 * names one of the package's own files stays as it is; one that names the
 * generated file of a dependency module's .proto becomes a require of that
 * module's package ('@scope/acme_weather.x_y/acme/weather/v1/weather_pb.js');
 * a bare package name stays when a plugin version of the template declares
 * it (google-protobuf, also for the well-known types, grpc-web) or when it is
 * a dependency module's package (so a second pass changes nothing). Anything else
 * fails, naming the file and the require: a package that installs and then
 * breaks at run time is worse than no package. ES module syntax in a .js file
 * fails too: these packages are CommonJS.
 *
 * Only code lines are read (not comment lines); a require must have one string
 * literal argument.
 */
#ifndef REMOTEGEN_NPMCJS_H
#define REMOTEGEN_NPMCJS_H

#include "fileset.h"
#include "util.h"

/* A .proto file of a dependency module and the npm package generated from that module (borrowed). */
struct npmcjs_dep {
	const char *proto;   /* "acme/weather/v1/weather.proto" */
	const char *package; /* "@remotegen/acme_weather.protocolbuffers_js" */
};

/*
 * Rewrites the requires and imports of every .js and .d.ts file in files, in
 * place. packages: the bare package names the code may require (from the
 * plugins' --npm-dep). Returns the number of specifiers rewritten, or -1 (err
 * names the file, the specifier and why; files may be partly rewritten).
 */
long npmcjs_rewrite(struct fileset *files, const struct npmcjs_dep *deps, size_t n_deps, const struct strvec *packages,
		    char *err);

#endif
