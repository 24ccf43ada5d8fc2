/*
 * image: a commit's image (a serialized FileDescriptorSet with all imports,
 * in topological order, with source info) and which of its files are the
 * module's own. Made by compiling a directory with protoc (through subproc),
 * or read from a prebuilt file.
 */
#ifndef REMOTEGEN_IMAGE_H
#define REMOTEGEN_IMAGE_H

#include "util.h"

#include <signal.h>

/* The programs and places image building uses (strings borrowed; NULL: the default). */
struct image_tools {
	const char *protoc;		    /* default /usr/bin/protoc */
	const char *path;		    /* PATH for protoc, default /usr/bin:/bin */
	const char *tmpdir;		    /* default /tmp */
	const volatile sig_atomic_t *abort; /* non-zero: protoc is killed and the build stops (may be NULL) */
};

struct image {
	struct buf data;	 /* serialized FileDescriptorSet */
	struct strvec own_files; /* in image order */
	struct strvec all_files; /* every file of the image, in order */
	char *protoc_version;	 /* "3.21.12" */
	char digest[72];	 /* "sha256:<hex>" */
};

void image_init(struct image *img);
void image_release(struct image *img);

/*
 * Compiles every *.proto under dir with protoc (--include_imports
 * --include_source_info). Imports are found under dir, in the images of the
 * dependencies (dep_images[0..n_deps), given to protoc as
 * --descriptor_set_in) and among protoc's well-known types; an import found
 * nowhere fails the compile. Own files are those found under dir. Returns 0
 * or -1 with err holding protoc's message. tools (NULL: defaults) says where
 * protoc is.
 */
int image_compile(const struct image_tools *tools, const char *dir, const struct buf *dep_images, size_t n_deps,
		  struct image *img, char *err);

/*
 * Reads a prebuilt image. Own files are the files not provided by
 * dependencies (dep_files) and not well-known types. protoc_version comes
 * from `protoc --version` (images do not record it).
 */
int image_load(const struct image_tools *tools, const char *file, const struct strvec *dep_files, struct image *img,
	       char *err);

/*
 * Checks that every import of every file of img is a file earlier in the image
 * (complete, topologically ordered), and that no own file is also provided by
 * a dependency (dep_files). Returns 0 or -1 naming the file and the import.
 */
int image_check_imports(const struct image *img, const struct strvec *dep_files, char *err);

/*
 * Checks the paths of the own files with the go command's rules (gorules):
 * each must be a valid file path in a module, not under vendor/, no two may
 * differ only in case (nor their directories), and each directory must be
 * usable in a Go package path, since generated files go where the .proto
 * files are. Returns 0 or -1 with err naming every offending file.
 */
int image_check_paths(const struct image *img, char *err);

/* Parses an image and lists its files in order into files. Returns 0 or -1. */
int image_list_files(const void *data, size_t len, struct strvec *files, char *err);

#endif
