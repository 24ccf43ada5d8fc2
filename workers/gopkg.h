/*
 * gopkg: managed-mode Go package naming. A proto package "acme.weather.v1"
 * becomes the Go package "weatherv1" (the last element, joined with the one
 * before it when the last is a version such as v1 or v1beta1; a Go keyword
 * gets "pb" appended: google.type -> typepb); a file's
 * go_package is "<module path>/<dir of the file>;<package name>".
 * Well-known types (google/protobuf/...) keep the go_package they carry.
 */
#ifndef REMOTEGEN_GOPKG_H
#define REMOTEGEN_GOPKG_H

/* 1 when the file is one of protobuf's well-known types. */
int gopkg_is_wkt(const char *file_name);

/* Go package name for a proto package (file_name is used when the package is empty). malloc'ed. */
char *gopkg_name(const char *proto_package, const char *file_name);

/* The go_package option value for file_name in module modpath. malloc'ed. */
char *gopkg_option(const char *modpath, const char *file_name, const char *proto_package);

/* The Go import path of the directory of file_name in module modpath. malloc'ed. */
char *gopkg_import_path(const char *modpath, const char *file_name);

#endif
