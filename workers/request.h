/*
 * request: builds CodeGeneratorRequests from a commit's image with
 * protobuf-c. request_prepare parses the image once and applies managed mode
 * (go_package of the module's own files and of dependency files, well-known
 * types untouched, unknown fields kept); request_pack then serialises one
 * request per plugin parameter.
 */
#ifndef REMOTEGEN_REQUEST_H
#define REMOTEGEN_REQUEST_H

#include <stddef.h>
#include "google/protobuf/compiler/plugin.pb-c.h"
#include "fileset.h"
#include "util.h"

/* A file of a dependency module and the Go module path generated for it. */
struct request_dep_file {
	const char *file;
	const char *modpath;
};

struct request_input {
	const void *image; /* serialized FileDescriptorSet */
	size_t image_len;
	const struct strvec *own_files;	     /* file_to_generate, in image order */
	const char *modpath;		     /* Go module path of the own files; NULL: no managed
	                                   mode (npm: the descriptors go to the plugin as pushed) */
	const struct request_dep_file *deps; /* may be NULL */
	size_t n_deps;
	const char *protoc_version; /* "3.21.12" or "3.21.0-rc1"; NULL: not sent */
};

struct request {
	Google__Protobuf__FileDescriptorSet *fds; /* owned (protobuf-c allocator) */
	char **files;				  /* file_to_generate, borrowed from own_files */
	size_t n_files;
	Google__Protobuf__Compiler__Version version;
	int has_version;
	char suffix[32];
	long **deps;	      /* deps[j]: image indexes of the files file j imports, -1 ends; owned */
	struct fileset names; /* the image's file names in image order: entry j is file j (a hash index) */
};

/* Parses and rewrites; returns 0 or -1 (err names the file). Release with request_release. */
int request_prepare(struct request *r, const struct request_input *in, char *err);
/* Serialises the request with this parameter (NULL or "" omits it) into out. */
void request_pack(const struct request *r, const char *parameter, struct buf *out);
/*
 * The same with file_to_generate = files[0..n_files) (a subset of r->files);
 * for a subset, proto_file holds those files and what they import,
 * transitively, in image order, as protoc sends them.
 */
void request_pack_files(const struct request *r, const char *parameter, char **files, size_t n_files, struct buf *out);
/* 1 when a file to generate (or one of files) declares a proto3 optional field. */
int request_uses_proto3_optional(const struct request *r);
int request_files_use_proto3_optional(const struct request *r, char **files, size_t n_files);

/* The index in the image of the file called name, or -1. */
long request_index_of(const struct request *r, const char *name);
/* Sets mark[k] for image file j and everything it imports, transitively (mark: n_file bytes). */
void request_closure(const struct request *r, size_t j, unsigned char *mark);
void request_release(struct request *r);

/* Adds paths=source_relative to a Go plugin's parameter (replacing any paths=). malloc'ed. */
char *request_go_parameter(const char *parameter);

/*
 * An npm plugin's parameter (protoplugin options, as @bufbuild/protoc-gen-es
 * reads them): the template's, plus target=js+dts and import_extension=js
 * unless it sets them (a package needs JavaScript with types, and Node.js
 * needs extensions in relative imports), plus rewrite_imports for each file of
 * a dependency module: "./a/b_pb.js" imports become "<package>/a/b_pb.js".
 * malloc'ed.
 */
char *request_npm_parameter(const char *parameter, const struct request_dep_file *deps, size_t n_deps,
			    char *const *dep_packages);

/* Parses "3.21.12" / "3.21.0-rc1" into v; returns 0 or -1. */
int request_parse_compiler_version(const char *s, Google__Protobuf__Compiler__Version *v, char *suffix,
				   size_t suffix_size);

#endif
