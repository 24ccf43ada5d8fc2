/*
 * request: image parsing, managed mode and CodeGeneratorRequest packing.
 * Strings placed into protobuf-c messages are malloc'ed so that
 * protobuf-c's default allocator frees them with the message.
 */
#include "request.h"
#include "gopkg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int request_parse_compiler_version(const char *s, Google__Protobuf__Compiler__Version *v, char *suffix,
				   size_t suffix_size)
{
	int major, minor, patch, n = 0;
	if (sscanf(s, "%d.%d.%d%n", &major, &minor, &patch, &n) != 3)
		return -1;
	google__protobuf__compiler__version__init(v);
	v->has_major = v->has_minor = v->has_patch = 1;
	v->major = major;
	v->minor = minor;
	v->patch = patch;
	snprintf(suffix, suffix_size, "%s", s[n] == '-' ? s + n + 1 : s + n);
	if (*suffix)
		v->suffix = suffix;
	return 0;
}

static void set_go_package(Google__Protobuf__FileDescriptorProto *f, const char *modpath)
{
	if (!f->options) {
		f->options = xmalloc(sizeof(*f->options));
		google__protobuf__file_options__init(f->options);
	}
	free(f->options->go_package);
	f->options->go_package = gopkg_option(modpath, f->name, f->package);
}

long request_index_of(const struct request *r, const char *name)
{
	const struct fileset_entry *e = fileset_find(&r->names, name);
	return e ? (long)(e - r->names.v) : -1;
}

/* Marks j and everything it imports, directly or not (an explicit stack: import chains can be long). */
static void mark_closure(long *const *deps, size_t j, unsigned char *mark)
{
	size_t n = 0, cap = 64;
	size_t *stack = xcalloc(cap, sizeof(*stack));
	stack[n++] = j;
	while (n) {
		size_t k = stack[--n];
		if (mark[k])
			continue;
		mark[k] = 1;
		for (const long *d = deps[k]; *d >= 0; d++) {
			if (mark[*d])
				continue;
			if (n == cap)
				stack = xrealloc(stack, (cap *= 2) * sizeof(*stack));
			stack[n++] = (size_t)*d;
		}
	}
	free(stack);
}

void request_closure(const struct request *r, size_t j, unsigned char *mark)
{
	mark_closure(r->deps, j, mark);
}

int request_prepare(struct request *r, const struct request_input *in, char *err)
{
	memset(r, 0, sizeof(*r));
	r->fds = google__protobuf__file_descriptor_set__unpack(NULL, in->image_len, in->image);
	if (!r->fds)
		return err_set(err, "the image is not a valid FileDescriptorSet (%zu bytes)", in->image_len);
	/* Names first, indexed: every lookup below is a hash lookup, not a scan (images of 10^4 files). */
	for (size_t j = 0; j < r->fds->n_file; j++) {
		if (!r->fds->file[j]->name) {
			request_release(r);
			return err_set(err, "file #%zu of the image has no name", j + 1);
		}
		fileset_add(&r->names, r->fds->file[j]->name, "", 0);
	}
	unsigned char *own = xcalloc(r->fds->n_file + 1, 1);
	for (size_t i = 0; i < in->own_files->n; i++) {
		long j = request_index_of(r, in->own_files->v[i]);
		if (j < 0) {
			free(own);
			request_release(r);
			return err_set(err, "file %s is listed as the module's own but is not in the image",
				       in->own_files->v[i]);
		}
		own[j] = 1;
	}
	struct fileset dep_files = FILESET_INIT; /* entry k: in->deps[k].file */
	for (size_t k = 0; in->modpath && k < in->n_deps; k++)
		fileset_add(&dep_files, in->deps[k].file, "", 0);
	for (size_t j = 0; in->modpath && j < r->fds->n_file; j++) {
		Google__Protobuf__FileDescriptorProto *f = r->fds->file[j];
		if (gopkg_is_wkt(f->name))
			continue;
		if (own[j]) {
			set_go_package(f, in->modpath);
			continue;
		}
		/* the first dependency that provides the file, as a scan in order would find */
		const struct fileset_entry *e = fileset_find(&dep_files, f->name);
		if (e)
			set_go_package(f, in->deps[e - dep_files.v].modpath);
	}
	fileset_release(&dep_files);
	free(own);
	r->files = in->own_files->v;
	r->n_files = in->own_files->n;
	r->deps = xcalloc(r->fds->n_file + 1, sizeof(*r->deps));
	for (size_t j = 0; j < r->fds->n_file; j++) {
		const Google__Protobuf__FileDescriptorProto *f = r->fds->file[j];
		size_t m = 0;
		r->deps[j] = xcalloc(f->n_dependency + 1, sizeof(**r->deps));
		for (size_t d = 0; d < f->n_dependency; d++) {
			long k = request_index_of(r, f->dependency[d]);
			if (k >= 0)
				r->deps[j][m++] = k;
		}
		r->deps[j][m] = -1;
	}
	if (in->protoc_version &&
	    request_parse_compiler_version(in->protoc_version, &r->version, r->suffix, sizeof(r->suffix)) == 0)
		r->has_version = 1;
	return 0;
}

void request_pack(const struct request *r, const char *parameter, struct buf *out)
{
	request_pack_files(r, parameter, r->files, r->n_files, out);
}

void request_pack_files(const struct request *r, const char *parameter, char **files, size_t n_files, struct buf *out)
{
	Google__Protobuf__Compiler__CodeGeneratorRequest req;
	Google__Protobuf__Compiler__Version v = r->version;
	google__protobuf__compiler__code_generator_request__init(&req);
	req.n_file_to_generate = n_files;
	req.file_to_generate = files;
	req.parameter = parameter && *parameter ? (char *)parameter : NULL;
	req.n_proto_file = r->fds->n_file;
	req.proto_file = r->fds->file;
	Google__Protobuf__FileDescriptorProto **closure = NULL;
	if (n_files < r->n_files && r->deps) {
		unsigned char *mark = xcalloc(r->fds->n_file + 1, 1);
		closure = xcalloc(r->fds->n_file + 1, sizeof(*closure));
		for (size_t i = 0; i < n_files; i++) {
			long j = request_index_of(r, files[i]);
			if (j >= 0)
				mark_closure(r->deps, (size_t)j, mark);
		}
		req.n_proto_file = 0;
		for (size_t j = 0; j < r->fds->n_file; j++)
			if (mark[j])
				closure[req.n_proto_file++] = r->fds->file[j];
		req.proto_file = closure;
		free(mark);
	}
	if (r->has_version)
		req.compiler_version = &v;
	size_t n = google__protobuf__compiler__code_generator_request__get_packed_size(&req);
	buf_grow(out, n);
	google__protobuf__compiler__code_generator_request__pack(&req, (uint8_t *)out->data + out->len);
	out->len += n;
	out->data[out->len] = '\0';
	free(closure);
}

static int message_uses_optional(const Google__Protobuf__DescriptorProto *m)
{
	for (size_t i = 0; i < m->n_field; i++)
		if (m->field[i]->has_proto3_optional && m->field[i]->proto3_optional)
			return 1;
	for (size_t i = 0; i < m->n_nested_type; i++)
		if (message_uses_optional(m->nested_type[i]))
			return 1;
	return 0;
}

int request_uses_proto3_optional(const struct request *r)
{
	return request_files_use_proto3_optional(r, r->files, r->n_files);
}

int request_files_use_proto3_optional(const struct request *r, char **files, size_t n_files)
{
	for (size_t i = 0; i < n_files; i++) {
		long j = request_index_of(r, files[i]);
		if (j < 0)
			continue;
		const Google__Protobuf__FileDescriptorProto *f = r->fds->file[j];
		for (size_t m = 0; m < f->n_message_type; m++)
			if (message_uses_optional(f->message_type[m]))
				return 1;
	}
	return 0;
}

void request_release(struct request *r)
{
	for (size_t j = 0; r->deps && r->fds && j < r->fds->n_file; j++)
		free(r->deps[j]);
	free(r->deps);
	fileset_release(&r->names);
	if (r->fds)
		google__protobuf__file_descriptor_set__free_unpacked(r->fds, NULL);
	memset(r, 0, sizeof(*r));
}

char *request_go_parameter(const char *parameter)
{
	struct buf b = BUF_INIT;
	const char *p = parameter ? parameter : "";
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (!(n >= 6 && !strncmp(p, "paths=", 6)) && n > 0) {
			if (b.len)
				buf_addc(&b, ',');
			buf_add(&b, p, n);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (b.len)
		buf_addc(&b, ',');
	buf_adds(&b, "paths=source_relative");
	return buf_detach(&b, NULL);
}

/* 1 when the comma-separated parameter has an option key=... */
static int has_option(const char *parameter, const char *key)
{
	size_t kn = strlen(key);
	for (const char *p = parameter; p && *p;) {
		if (!strncmp(p, key, kn) && p[kn] == '=')
			return 1;
		const char *comma = strchr(p, ',');
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

char *request_npm_parameter(const char *parameter, const struct request_dep_file *deps, size_t n_deps,
			    char *const *dep_packages)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, parameter ? parameter : "");
	if (!has_option(parameter, "target"))
		buf_printf(&b, "%starget=js+dts", b.len ? "," : "");
	if (!has_option(parameter, "import_extension"))
		buf_printf(&b, "%simport_extension=js", b.len ? "," : "");
	for (size_t i = 0; i < n_deps; i++) {
		const char *f = deps[i].file;
		size_t n = strlen(f);
		if (n > 6 && !strcmp(f + n - 6, ".proto"))
			n -= 6;
		buf_printf(&b, ",rewrite_imports=./%.*s_pb.js:%s", (int)n, f, dep_packages[i]);
	}
	return buf_detach(&b, NULL);
}
