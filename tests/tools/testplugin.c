/*
 * testplugin: a protoc plugin for tests, friendly or hostile on demand.
 * Reads a CodeGeneratorRequest on stdin; its parameter (comma-separated;
 * extra parts such as paths=source_relative are ignored) picks what it does:
 *   (none)          writes "<file>.txt" holding the proto package of each file to generate
 *   error           answers with an error message in the response
 *   crash           aborts (SIGABRT) without answering
 *   exit3           exits with status 3 after printing to stderr
 *   garbage         writes bytes that are not a CodeGeneratorResponse
 *   hang            sleeps forever
 *   sleep=MS        sleeps MS milliseconds, then answers as with no parameter
 *   flood           writes to stdout forever
 *   flood-stderr    writes to stderr forever
 *   fork            forks a child that sleeps forever holding stdout and stderr,
 *                   answers, and exits; with pidfile=PATH the child's pid is written there
 *   eatmem          allocates and touches memory until it fails
 *   closestdin      closes stdin without reading it and answers with no files
 *   badpath=NAME    answers with a file called NAME ("../x.go", "/etc/x", "a\\b")
 *   files=A|B|...   answers with files called A, B, ... ("package x" in each)
 *   dup             answers with the same file twice
 *   insert-missing  inserts into a file nobody produced
 *   probe           tries to read /etc/shadow, connect to 127.0.0.1:PORT (connect=PORT)
 *                   and create PATH (write=PATH); writes what happened to probe.txt
 *   points          writes "<file>.gen.txt" files holding insertion points
 *   insert          inserts into the files "points" wrote
 * Installed under a name ending in "-bigfirst", it ignores its parameter and
 * answers with one 24 MiB file "big.txt" *before* reading its input (a driver
 * that writes all of stdin before reading stdout deadlocks on it).
 */
#include "google/protobuf/compiler/plugin.pb-c.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef Google__Protobuf__Compiler__CodeGeneratorResponse Response;
typedef Google__Protobuf__Compiler__CodeGeneratorResponse__File File;

static const char *param;

/* The value of key=VALUE in the parameter (malloc'ed), or NULL; "key" alone gives "". */
static char *get(const char *key)
{
	size_t n = strlen(key);
	for (const char *p = param; p && *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len >= n && !strncmp(p, key, n) && (len == n || p[n] == '=')) {
			if (len == n)
				return strdup("");
			return strndup(p + n + 1, len - n - 1);
		}
		p = c ? c + 1 : p + len;
	}
	return NULL;
}

static int has(const char *key)
{
	char *v = get(key);
	free(v);
	return v != NULL;
}

static File **files;
static size_t files_cap;
static size_t n_files;

static void add_bytes(const char *name, const char *point, const char *content, size_t len)
{
	File *f = calloc(1, sizeof(*f));
	google__protobuf__compiler__code_generator_response__file__init(f);
	f->name = name ? strdup(name) : NULL;
	f->insertion_point = point ? strdup(point) : NULL;
	f->has_content = 1;
	f->content.data = malloc(len + 1);
	memcpy(f->content.data, content, len);
	f->content.len = len;
	if (n_files == files_cap) {
		files_cap = files_cap ? files_cap * 2 : 4096;
		files = realloc(files, files_cap * sizeof(*files));
	}
	files[n_files++] = f;
}

static void add(const char *name, const char *point, const char *content)
{
	add_bytes(name, point, content, strlen(content));
}

static void respond(const char *error)
{
	Response resp;
	google__protobuf__compiler__code_generator_response__init(&resp);
	resp.has_supported_features = 1;
	resp.supported_features = GOOGLE__PROTOBUF__COMPILER__CODE_GENERATOR_RESPONSE__FEATURE__FEATURE_PROTO3_OPTIONAL;
	resp.error = (char *)error;
	resp.n_file = n_files;
	resp.file = files;
	size_t olen = google__protobuf__compiler__code_generator_response__get_packed_size(&resp);
	unsigned char *out = malloc(olen + 1);
	google__protobuf__compiler__code_generator_response__pack(&resp, out);
	fwrite(out, 1, olen, stdout);
	fflush(stdout);
	free(out);
}

static void write_big(void)
{
	size_t n = 24u << 20;
	char *content = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		content[i] = (i % 64 == 63) ? '\n' : (char)('a' + (i * 7) % 26);
	content[n] = '\0';
	add("big.txt", NULL, content);
	free(content);
	respond(NULL);
}

static void probe(void)
{
	char report[4096];
	size_t r = 0;
	int fd = open("/etc/shadow", O_RDONLY);
	if (fd >= 0) {
		char buf[256];
		ssize_t n = read(fd, buf, sizeof(buf));
		r += (size_t)snprintf(report + r, sizeof(report) - r, "shadow: READ %zd bytes\n", n);
		close(fd);
	} else {
		r += (size_t)snprintf(report + r, sizeof(report) - r, "shadow: denied (%s)\n", strerror(errno));
	}
	char *port = get("connect");
	if (port) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(port)) };
		a.sin_addr.s_addr = htonl(0x7f000001);
		if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
			r += (size_t)snprintf(report + r, sizeof(report) - r, "connect: CONNECTED to port %s\n", port);
		else
			r += (size_t)snprintf(report + r, sizeof(report) - r, "connect: denied (%s)\n",
					      strerror(errno));
		if (s >= 0)
			close(s);
		free(port);
	}
	char *path = get("write");
	if (path) {
		int w = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (w >= 0) {
			r += (size_t)snprintf(report + r, sizeof(report) - r, "write: WROTE %s\n", path);
			close(w);
		} else {
			r += (size_t)snprintf(report + r, sizeof(report) - r, "write: denied (%s)\n", strerror(errno));
		}
		free(path);
	}
	add("probe.txt", NULL, report);
}

int main(int argc, char **argv)
{
	size_t cap = 1 << 16, len = 0;
	size_t an = argc > 0 ? strlen(argv[0]) : 0;
	if (an >= 9 && !strcmp(argv[0] + an - 9, "-bigfirst")) {
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
	param = req->parameter ? req->parameter : "";
	char *v;

	if (has("crash"))
		abort();
	if (has("exit3")) {
		fprintf(stderr, "testplugin: exiting with status 3 as asked\n");
		return 3;
	}
	if (has("garbage")) {
		fwrite("\xff\xff\xff\xff garbage", 1, 13, stdout);
		return 0;
	}
	if (has("hang"))
		for (;;)
			pause();
	if ((v = get("sleep"))) {
		struct timespec ts = { atoi(v) / 1000, (atoi(v) % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		free(v);
	}
	if (has("flood")) {
		static char chunk[65536];
		memset(chunk, 'x', sizeof(chunk));
		for (;;)
			if (write(1, chunk, sizeof(chunk)) < 0)
				return 1;
	}
	if (has("flood-stderr")) {
		static char chunk[65536];
		memset(chunk, 'e', sizeof(chunk));
		for (;;)
			if (write(2, chunk, sizeof(chunk)) < 0)
				return 1;
	}
	if (has("fork")) {
		pid_t pid = fork();
		if (pid == 0) {
			for (;;)
				pause();
		}
		if ((v = get("pidfile"))) {
			FILE *f = fopen(v, "w");
			if (f) {
				fprintf(f, "%d\n", (int)pid);
				fclose(f);
			}
			free(v);
		}
	}
	if (has("eatmem")) {
		for (size_t total = 0;; total += 64u << 20) {
			char *p = malloc(64u << 20);
			if (!p) {
				fprintf(stderr, "testplugin: out of memory after %zu MiB\n", total >> 20);
				abort();
			}
			memset(p, 1, 64u << 20);
		}
	}
	if (has("closestdin")) {
		respond(NULL);
		return 0;
	}
	if (has("error")) {
		respond("testplugin: failing as asked (parameter error)");
		return 0;
	}
	if ((v = get("badpath"))) {
		add(v, NULL, "bad\n");
		respond(NULL);
		return 0;
	}
	if ((v = get("files"))) {
		for (char *name = strtok(v, "|"); name; name = strtok(NULL, "|"))
			add(name, NULL, "package x\n");
		respond(NULL);
		return 0;
	}
	if (has("binary")) {
		/* Content that is not text: a NUL byte, bytes that are not UTF-8, and an insertion after them. */
		add_bytes("bin.txt", NULL, "HEAD\0TAIL\xff\xfe\n// @@protoc_insertion_point(x)\n", 43);
		add_bytes("bin.txt", "x", "INSERT\n", 7);
		respond(NULL);
		return 0;
	}
	if ((v = get("many"))) {
		/* many=N: N one-line files (output handling must stay linear in N) */
		long n = strtol(v, NULL, 10);
		for (long i = 0; i < n; i++) {
			char name[64], line[64];
			snprintf(name, sizeof(name), "many/d%ld/f%ld.txt", i % 100, i);
			snprintf(line, sizeof(line), "%ld\n", i);
			add(name, NULL, line);
		}
		free(v);
		respond(NULL);
		return 0;
	}
	if (has("dup")) {
		add("same.txt", NULL, "one\n");
		add("same.txt", NULL, "two\n");
		respond(NULL);
		return 0;
	}
	if (has("insert-missing")) {
		add("nobody/made/this.go", "imports", "x\n");
		respond(NULL);
		return 0;
	}
	if (has("probe")) {
		probe();
		respond(NULL);
		return 0;
	}
	for (size_t i = 0; i < req->n_file_to_generate; i++) {
		const char *name = req->file_to_generate[i];
		char out[4096], content[4096];
		const char *pkg = "";
		for (size_t k = 0; k < req->n_proto_file; k++)
			if (!strcmp(req->proto_file[k]->name, name) && req->proto_file[k]->package)
				pkg = req->proto_file[k]->package;
		if (has("points")) {
			snprintf(out, sizeof(out), "%s.gen.txt", name);
			snprintf(
				content, sizeof(content),
				"// generated from %s\nclass Gen {\n  int first;\n  // @@protoc_insertion_point(class_scope)\n"
				"}\n\tvalue = 1; /* @@protoc_insertion_point(inline) */ tail\n"
				"// @@protoc_insertion_point(eof)\n",
				name);
			add(out, NULL, content);
		} else if (has("insert")) {
			snprintf(out, sizeof(out), "%s.gen.txt", name);
			add(out, "class_scope", "int inserted_a;\nint inserted_b;\n");
			add(out, "class_scope", "\nint after_blank_line;\n");
			add(out, "inline", "x + ");
			add(out, "eof", "// the end of ");
			add(out, "eof", "the file\n");
		} else {
			snprintf(out, sizeof(out), "%s.txt", name);
			snprintf(content, sizeof(content), "%s\n", pkg);
			add(out, NULL, content);
		}
	}
	respond(NULL);
	google__protobuf__compiler__code_generator_request__free_unpacked(req, NULL);
	free(in);
	return 0;
}
