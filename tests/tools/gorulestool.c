/*
 * gorulestool: remotegen's side of the differential test against
 * golang.org/x/mod (tests/integration/xmod.sh); the same commands and output
 * formats as tests/tools/xmodref:
 *   gorulestool paths < names   per name: file import module verdicts
 *   gorulestool files < sets    per set: what gorules_check_files flags
 *   gorulestool zips < sets     per set: what gorules_check_zip flags
 *   gorulestool runes           per code point: hex, file-path verdict, fold key
 */
#include "gorules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/utf8.h>

#define ZIP_PREFIX "gen.example.com/go/acme/t/acme/m@v1.1.1/"

/* Reads up to the next NUL (or EOF); returns a malloc'ed string or NULL at EOF. */
static char *read_nul(FILE *in)
{
	struct buf b = BUF_INIT;
	int c, any = 0;
	while ((c = getc(in)) != EOF) {
		any = 1;
		if (c == 0)
			break;
		buf_addc(&b, (char)c);
	}
	if (!any)
		return NULL;
	return buf_detach(&b, NULL);
}

struct set {
	char **names;
	unsigned long long *sizes;
	size_t n;
};

static int read_set(FILE *in, struct set *s)
{
	size_t k;
	if (fscanf(in, "%zu\n", &k) != 1)
		return 0;
	s->names = xcalloc(k + 1, sizeof(*s->names));
	s->sizes = xcalloc(k + 1, sizeof(*s->sizes));
	s->n = k;
	for (size_t i = 0; i < k; i++) {
		char *rec = read_nul(in);
		if (!rec) {
			fprintf(stderr, "gorulestool: truncated set\n");
			exit(2);
		}
		char *sp = strchr(rec, ' ');
		s->sizes[i] = strtoull(rec, NULL, 10);
		s->names[i] = xstrdup(sp ? sp + 1 : "");
		free(rec);
	}
	return 1;
}

static void free_set(struct set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	free(s->sizes);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_verdict(const struct gorules_report *rep)
{
	struct strvec v = STRVEC_INIT;
	int size_error = 0;
	for (size_t i = 0; i < rep->n; i++) {
		if (!rep->v[i].path[0] && strstr(rep->v[i].reason, "too large")) {
			size_error = 1;
			continue;
		}
		struct buf b = BUF_INIT;
		buf_adds(&b, rep->v[i].omitted ? "O:" : "I:");
		for (const unsigned char *p = (const unsigned char *)rep->v[i].path; *p; p++)
			buf_printf(&b, "%02x", *p);
		strvec_push_owned(&v, buf_detach(&b, NULL));
	}
	qsort(v.v, v.n, sizeof(*v.v), cmp_str);
	for (size_t i = 0; i < v.n; i++)
		printf("%s%s", i ? " " : "", v.v[i]);
	if (size_error)
		printf("%sS", v.n ? " " : "");
	if (!v.n && !size_error)
		printf("-");
	printf("\n");
	strvec_clear(&v);
}

int main(int argc, char **argv)
{
	char err[ERR_SIZE];
	if (argc < 2) {
		fprintf(stderr, "usage: gorulestool paths|files|zips|runes\n");
		return 2;
	}
	if (!strcmp(argv[1], "paths")) {
		char *p;
		while ((p = read_nul(stdin))) {
			printf("%d %d %d\n", gorules_check_path(GORULES_FILE, p, err) == 0,
			       gorules_check_path(GORULES_IMPORT, p, err) == 0,
			       gorules_check_path(GORULES_MODULE, p, err) == 0);
			free(p);
		}
		return 0;
	}
	if (!strcmp(argv[1], "files") || !strcmp(argv[1], "zips")) {
		int zips = !strcmp(argv[1], "zips");
		struct set s;
		while (read_set(stdin, &s)) {
			struct gorules_report rep = GORULES_REPORT_INIT;
			if (zips) {
				char **full = xcalloc(s.n + 1, sizeof(*full));
				for (size_t i = 0; i < s.n; i++)
					full[i] = xasprintf("%s%s", ZIP_PREFIX, s.names[i]);
				gorules_check_zip(ZIP_PREFIX, (const char *const *)full, s.sizes, s.n, &rep);
				for (size_t i = 0; i < s.n; i++)
					free(full[i]);
				free(full);
			} else {
				gorules_check_files((const char *const *)s.names, s.sizes, s.n, &rep);
			}
			print_verdict(&rep);
			gorules_report_release(&rep);
			free_set(&s);
		}
		return 0;
	}
	if (!strcmp(argv[1], "runes")) {
		for (UChar32 r = 0x20; r <= 0x10ffff; r++) {
			if (r >= 0xd800 && r <= 0xdfff)
				continue;
			char s[8] = "a";
			int32_t k = 1;
			U8_APPEND_UNSAFE(s, k, r);
			s[k] = '\0';
			char *f = gorules_fold(s + 1);
			int32_t i = 0, len = (int32_t)strlen(f);
			UChar32 c;
			U8_NEXT(f, i, len, c);
			printf("%x %d %x\n", (unsigned)r, gorules_check_path(GORULES_FILE, s, err) == 0, (unsigned)c);
			free(f);
		}
		return 0;
	}
	fprintf(stderr, "gorulestool: unknown command %s\n", argv[1]);
	return 2;
}
