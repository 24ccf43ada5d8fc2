/*
 * testplugin: a protoc plugin for tests. Reads a CodeGeneratorRequest on
 * stdin; its parameter picks what it does:
 *   (empty) / "list"  writes "<file>.txt" holding the proto package of each file to generate
 *   "error"           answers with an error message in the response
 *   "crash"           aborts (SIGABRT) without answering
 *   "exit3"           exits with status 3 after printing to stderr
 *   "garbage"         writes bytes that are not a CodeGeneratorResponse
 * Installed under a name ending in "-bigfirst", it ignores its parameter and
 * answers with one 24 MiB file "big.txt" *before* reading its input (a driver
 * that writes all of stdin before reading stdout deadlocks on it).
 * Extra comma-separated parts are ignored (e.g. paths=source_relative).
 */
#include "google/protobuf/compiler/plugin.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int has(const char *param, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = param; p && *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len == n && !strncmp(p, word, n))
			return 1;
		p = c ? c + 1 : p + len;
	}
	return 0;
}

/* The "big" response: one 24 MiB file, built without looking at the request. */
static void write_big(void)
{
	size_t n = 24u << 20;
	char *content = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		content[i] = (i % 64 == 63) ? '\n' : (char)('a' + (i * 7) % 26);
	content[n] = '\0';
	Google__Protobuf__Compiler__CodeGeneratorResponse resp;
	Google__Protobuf__Compiler__CodeGeneratorResponse__File f, *fp = &f;
	google__protobuf__compiler__code_generator_response__init(&resp);
	google__protobuf__compiler__code_generator_response__file__init(&f);
	f.name = "big.txt";
	f.content = content;
	resp.n_file = 1;
	resp.file = &fp;
	size_t olen = google__protobuf__compiler__code_generator_response__get_packed_size(&resp);
	unsigned char *out = malloc(olen);
	google__protobuf__compiler__code_generator_response__pack(&resp, out);
	fwrite(out, 1, olen, stdout);
	fflush(stdout);
	free(out);
	free(content);
}

int main(int argc, char **argv)
{
	size_t cap = 1 << 16, len = 0;
	size_t an = strlen(argv[0]);
	if (argc > 0 && an >= 9 && !strcmp(argv[0] + an - 9, "-bigfirst")) {
		/* Output first, then drain stdin: exercises the driver's poll loop. */
		write_big();
		unsigned char sink[65536];
		while (read(0, sink, sizeof(sink)) > 0)
			;
		return 0;
	}
	unsigned char *in = malloc(cap);
	ssize_t r;
	while ((r = read(0, in + len, cap - len)) > 0) {
		len += (size_t)r;
		if (len == cap)
			in = realloc(in, cap *= 2);
	}
	Google__Protobuf__Compiler__CodeGeneratorRequest *req =
		google__protobuf__compiler__code_generator_request__unpack(NULL, len, in);
	if (!req) {
		fprintf(stderr, "testplugin: bad request\n");
		return 1;
	}
	const char *param = req->parameter ? req->parameter : "";
	if (has(param, "crash"))
		abort();
	if (has(param, "exit3")) {
		fprintf(stderr, "testplugin: exiting with status 3 as asked\n");
		return 3;
	}
	if (has(param, "garbage")) {
		fwrite("\xff\xff\xff\xff garbage", 1, 13, stdout);
		return 0;
	}
	Google__Protobuf__Compiler__CodeGeneratorResponse resp;
	google__protobuf__compiler__code_generator_response__init(&resp);
	resp.has_supported_features = 1;
	resp.supported_features = GOOGLE__PROTOBUF__COMPILER__CODE_GENERATOR_RESPONSE__FEATURE__FEATURE_PROTO3_OPTIONAL;
	Google__Protobuf__Compiler__CodeGeneratorResponse__File *files = NULL, **fp = NULL;
	char **names = NULL, **contents = NULL;
	if (has(param, "error")) {
		resp.error = "testplugin: failing as asked (parameter error)";
	} else {
		size_t n = req->n_file_to_generate;
		files = calloc(n + 1, sizeof(*files));
		fp = calloc(n + 1, sizeof(*fp));
		names = calloc(n + 1, sizeof(*names));
		contents = calloc(n + 1, sizeof(*contents));
		for (size_t i = 0; i < n; i++) {
			const char *pkg = "";
			for (size_t k = 0; k < req->n_proto_file; k++)
				if (!strcmp(req->proto_file[k]->name, req->file_to_generate[i]) && req->proto_file[k]->package)
					pkg = req->proto_file[k]->package;
			google__protobuf__compiler__code_generator_response__file__init(&files[i]);
			names[i] = malloc(strlen(req->file_to_generate[i]) + 5);
			sprintf(names[i], "%s.txt", req->file_to_generate[i]);
			contents[i] = malloc(strlen(pkg) + 2);
			sprintf(contents[i], "%s\n", pkg);
			files[i].name = names[i];
			files[i].content = contents[i];
			fp[i] = &files[i];
		}
		resp.n_file = n;
		resp.file = fp;
	}
	size_t olen = google__protobuf__compiler__code_generator_response__get_packed_size(&resp);
	unsigned char *out = malloc(olen + 1);
	google__protobuf__compiler__code_generator_response__pack(&resp, out);
	fwrite(out, 1, olen, stdout);
	for (size_t i = 0; names && i < req->n_file_to_generate; i++) {
		free(names[i]);
		free(contents[i]);
	}
	free(names);
	free(contents);
	free(files);
	free(fp);
	free(out);
	free(in);
	google__protobuf__compiler__code_generator_request__free_unpacked(req, NULL);
	return 0;
}
