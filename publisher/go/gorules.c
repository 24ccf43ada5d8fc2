/*
 * gorules: x/mod's path, file and zip rules (see gorules.h). Owns the
 * collision checker (a Concurrency Kit hash set keyed by case-fold key) and
 * the Unicode questions, which it asks ICU.
 */
#include "gorules.h"

#include <ck_hs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

/* x/mod/zip's limits. */
#define MAX_ZIP_FILE (500ULL << 20)
#define MAX_GO_MOD   (16ULL << 20)
#define MAX_LICENSE  (16ULL << 20)

/* Decodes the rune at s[*i] (advancing *i); negative when ill-formed UTF-8. */
static int32_t next_rune(const char *s, int32_t *i, int32_t len)
{
	UChar32 c;
	U8_NEXT(s, *i, len, c);
	return c;
}

/* unicode.IsLetter with Go 1.19's tables (Unicode 13.0). */
static int is_letter(UChar32 c)
{
	static const UVersionInfo unicode13 = { 13, 0, 0, 0 };
	int8_t t = u_charType(c);
	if (t != U_UPPERCASE_LETTER && t != U_LOWERCASE_LETTER && t != U_TITLECASE_LETTER && t != U_MODIFIER_LETTER &&
	    t != U_OTHER_LETTER)
		return 0;
	UVersionInfo age;
	u_charAge(c, age);
	return memcmp(age, unicode13, sizeof(age)) <= 0;
}

static int is_ascii_alnum(UChar32 c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* modPathOK, importPathOK and fileNameOK. */
static int rune_ok(enum gorules_kind kind, UChar32 c)
{
	if (c >= 0x80)
		return kind == GORULES_FILE && is_letter(c);
	if (is_ascii_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
		return 1;
	if (kind == GORULES_IMPORT)
		return c == '+';
	if (kind == GORULES_FILE)
		return c && strchr("!#$%&()+,=@[]^{} ", (int)c) != NULL;
	return 0;
}

/* A rune for a message: 'x' when printable ASCII, else U+XXXX (and the character). */
static void describe_rune(UChar32 c, char *out, size_t n)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(out, n, "'%c'", (char)c);
	else if (c >= 0xa0 && u_isprint(c)) {
		char u8[5] = { 0 };
		int32_t k = 0;
		U8_APPEND_UNSAFE(u8, k, c);
		snprintf(out, n, "U+%04X '%s'", (unsigned)c, u8);
	} else
		snprintf(out, n, "U+%04X", (unsigned)c);
}

char *gorules_fold(const char *s)
{
	int32_t len = (int32_t)strlen(s), i = 0;
	struct buf out = BUF_INIT;
	buf_grow(&out, (size_t)len + 1);
	while (i < len) {
		UChar32 c = next_rune(s, &i, len);
		if (c < 0)
			c = 0xfffd; /* as Go's range loop decodes a bad byte */
		else if (c < 0x80)
			c = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
		else
			c = u_foldCase(c, U_FOLD_CASE_DEFAULT);
		char u8[4];
		int32_t k = 0;
		U8_APPEND_UNSAFE(u8, k, c);
		buf_add(&out, u8, (size_t)k);
	}
	return buf_detach(&out, NULL);
}

/* strings.EqualFold of an element's short name and an ASCII word. */
static int equal_fold(const char *s, size_t n, const char *word)
{
	char *a = xstrndup(s, n), *fa = gorules_fold(a);
	int eq = !strcasecmp(fa, word);
	free(a);
	free(fa);
	return eq;
}

static int check_elem(enum gorules_kind kind, const char *elem, size_t n, char *err)
{
	static const char *const bad_windows[] = { "CON",  "PRN",  "AUX",  "NUL",  "COM1", "COM2", "COM3", "COM4",
						   "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2", "LPT3",
						   "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9" };
	if (n == 0)
		return err_set(err, "empty path element");
	size_t dots = 0;
	while (dots < n && elem[dots] == '.')
		dots++;
	if (dots == n)
		return err_set(err, "invalid path element \"%.*s\"", (int)n, elem);
	if (elem[0] == '.' && kind == GORULES_MODULE)
		return err_set(err, "leading dot in path element");
	if (elem[n - 1] == '.')
		return err_set(err, "trailing dot in path element");
	for (int32_t i = 0; i < (int32_t)n;) {
		UChar32 c = next_rune(elem, &i, (int32_t)n);
		if (!rune_ok(kind, c)) {
			char d[32];
			describe_rune(c, d, sizeof(d));
			return err_set(err, "invalid char %s", d);
		}
	}
	const char *dot = memchr(elem, '.', n);
	size_t short_n = dot ? (size_t)(dot - elem) : n;
	for (size_t i = 0; i < sizeof(bad_windows) / sizeof(bad_windows[0]); i++)
		if (equal_fold(elem, short_n, bad_windows[i]))
			return err_set(err, "\"%.*s\" disallowed as path element component on Windows", (int)short_n,
				       elem);
	if (kind == GORULES_FILE)
		return 0;
	/* Windows short names: the short name ends in '~' and ASCII digits. */
	const char *tilde = NULL;
	for (size_t i = 0; i < short_n; i++)
		if (elem[i] == '~')
			tilde = elem + i;
	if (tilde && tilde < elem + short_n - 1) {
		const char *p = tilde + 1;
		while (p < elem + short_n && *p >= '0' && *p <= '9')
			p++;
		if (p == elem + short_n)
			return err_set(err, "trailing tilde and digits in path element");
	}
	return 0;
}

/* module.SplitPathVersion's verdict: 1 ok, 0 invalid; *major set when a /vN suffix is found. */
static int split_path_version(const char *path, int *major)
{
	size_t len = strlen(path), i = len;
	int dot = 0;
	*major = 0;
	while (i > 0 && ((path[i - 1] >= '0' && path[i - 1] <= '9') || path[i - 1] == '.')) {
		dot |= path[i - 1] == '.';
		i--;
	}
	if (i <= 1 || i == len || path[i - 1] != 'v' || path[i - 2] != '/')
		return 1;
	const char *pm = path + i - 2; /* "/vN" */
	if (dot || strlen(pm) <= 2 || pm[2] == '0' || !strcmp(pm, "/v1"))
		return 0;
	*major = 1;
	return 1;
}

int gorules_check_path(enum gorules_kind kind, const char *path, char *err)
{
	int32_t len = (int32_t)strlen(path);
	for (int32_t i = 0; i < len;)
		if (next_rune(path, &i, len) < 0)
			return err_set(err, "invalid UTF-8");
	if (!len)
		return err_set(err, "empty string");
	if (path[0] == '-' && kind != GORULES_FILE)
		return err_set(err, "leading dash");
	if (strstr(path, "//"))
		return err_set(err, "double slash");
	if (path[len - 1] == '/')
		return err_set(err, "trailing slash");
	for (const char *p = path;;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (check_elem(kind, p, n, err) < 0)
			return -1;
		if (!e)
			break;
		p = e + 1;
	}
	if (kind != GORULES_MODULE)
		return 0;
	/* CheckPath: the first element is a lower-case domain name. */
	size_t first = strcspn(path, "/");
	if (!memchr(path, '.', first))
		return err_set(err, "missing dot in first path element");
	for (int32_t i = 0; i < (int32_t)first;) {
		UChar32 c = next_rune(path, &i, (int32_t)first);
		if (!(c == '-' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
			char d[32];
			describe_rune(c, d, sizeof(d));
			return err_set(err, "invalid char %s in first path element", d);
		}
	}
	if (!strncmp(path, "gopkg.in/", 9))
		return err_set(err, "gopkg.in paths are not supported (their versions follow the path)");
	int major;
	if (!split_path_version(path, &major))
		return err_set(err, "invalid version");
	/* Not x/mod: remotegen's versions are all v1, so a /vN suffix could never match them. */
	if (major)
		return err_set(err, "last path element reads as a major version suffix");
	return 0;
}

int gorules_check_package(const char *modpath, const char *file, char *err)
{
	const char *slash = strrchr(file, '/');
	char why[ERR_SIZE];
	if (!slash)
		return 0;
	char *pkg = xasprintf("%s/%.*s", modpath, (int)(slash - file), file);
	int rc = 0;
	if (gorules_check_path(GORULES_IMPORT, pkg, why) < 0)
		rc = err_set(err, "package %s cannot be imported: %s", pkg, why);
	free(pkg);
	return rc;
}

int gorules_is_vendored(const char *name)
{
	size_t i;
	if (!strncmp(name, "vendor/", 7))
		i = 7;
	else if (strstr(name, "/vendor/"))
		i = 8; /* sic: x/mod keeps this offset so as not to change module checksums */
	else
		return 0;
	return strlen(name) >= i && strchr(name + i, '/') != NULL;
}

/* path.Clean(p) == p. */
static int is_clean(const char *p)
{
	if (!strcmp(p, ".") || !strcmp(p, "/"))
		return 1;
	if (!*p || strstr(p, "//") || p[strlen(p) - 1] == '/')
		return 0;
	int rooted = p[0] == '/', leading_dotdots = !rooted;
	for (const char *s = p + rooted;;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 1 && s[0] == '.')
			return 0;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (!leading_dotdots)
				return 0;
		} else {
			leading_dotdots = 0;
		}
		if (!e)
			return 1;
		s = e + 1;
	}
}

/* The collision checker: case-fold key -> (path, is_dir). */
struct seen {
	char *fold; /* owned; the hash key */
	char *path; /* owned */
	int is_dir;
};

static unsigned long seen_hash(const void *o, unsigned long seed)
{
	const unsigned char *s = (const unsigned char *)((const struct seen *)o)->fold;
	unsigned long h = 1469598103934665603UL ^ seed; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ *s) * 1099511628211UL;
	return h;
}

static bool seen_eq(const void *a, const void *b)
{
	return !strcmp(((const struct seen *)a)->fold, ((const struct seen *)b)->fold);
}

static void *hs_malloc(size_t n)
{
	return xmalloc(n);
}
static void hs_free(void *p, size_t n, bool defer)
{
	(void)n;
	(void)defer;
	free(p);
}
static void *hs_realloc(void *p, size_t old, size_t n, bool defer)
{
	(void)old;
	(void)defer;
	return xrealloc(p, n);
}
static struct ck_malloc hs_allocator = { .malloc = hs_malloc, .realloc = hs_realloc, .free = hs_free };

struct collisions {
	ck_hs_t hs;
};

static void collisions_init(struct collisions *cc)
{
	if (!ck_hs_init(&cc->hs, CK_HS_MODE_OBJECT | CK_HS_MODE_SPMC, seen_hash, seen_eq, &hs_allocator, 64, 0x5eed))
		abort(); /* only on allocation failure, which xmalloc already aborts on */
}

static void collisions_release(struct collisions *cc)
{
	ck_hs_iterator_t it = CK_HS_ITERATOR_INITIALIZER;
	void *o;
	while (ck_hs_next(&cc->hs, &it, &o)) {
		struct seen *s = o;
		free(s->fold);
		free(s->path);
		free(s);
	}
	ck_hs_destroy(&cc->hs);
}

/* collisionChecker.check: p and every parent directory. */
static int collisions_check(struct collisions *cc, const char *p, int is_dir, char *err)
{
	char *cur = xstrdup(p);
	int rc = 0;
	while (1) {
		struct seen key = { .fold = gorules_fold(cur) };
		unsigned long h = CK_HS_HASH(&cc->hs, seen_hash, &key);
		struct seen *other = ck_hs_get(&cc->hs, h, &key);
		if (other) {
			free(key.fold);
			if (strcmp(cur, other->path))
				rc = err_set(err, "case-insensitive file name collision: \"%s\" and \"%s\"",
					     other->path, cur);
			else if (is_dir != other->is_dir)
				rc = err_set(err, "entry \"%s\" is both a file and a directory", cur);
			else if (!is_dir)
				rc = err_set(err, "multiple entries for file \"%s\"", cur);
			if (rc < 0)
				break;
		} else {
			struct seen *s = xmalloc(sizeof(*s));
			*s = (struct seen){ .fold = key.fold, .path = xstrdup(cur), .is_dir = is_dir };
			ck_hs_put(&cc->hs, h, s);
		}
		char *slash = strrchr(cur, '/');
		if (!slash || slash == cur)
			break; /* path.Dir is "." (or "/") */
		*slash = '\0';
		is_dir = 1;
	}
	free(cur);
	return rc;
}

void gorules_report_add(struct gorules_report *rep, const char *path, int omitted, const char *reason)
{
	if (rep->n == rep->cap) {
		rep->cap = rep->cap ? 2 * rep->cap : 8;
		rep->v = xrealloc(rep->v, rep->cap * sizeof(*rep->v));
	}
	rep->v[rep->n++] =
		(struct gorules_problem){ .path = xstrdup(path), .reason = xstrdup(reason), .omitted = omitted };
}

int gorules_report_has(const struct gorules_report *rep, size_t from, const char *path)
{
	for (size_t k = from; k < rep->n; k++)
		if (!strcmp(rep->v[k].path, path))
			return 1;
	return 0;
}

void gorules_report_release(struct gorules_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		free(rep->v[i].path);
		free(rep->v[i].reason);
	}
	free(rep->v);
	*rep = (struct gorules_report)GORULES_REPORT_INIT;
}

/* inSubmodule: a directory above p (not the module root) holds a go.mod. */
static int in_submodule(const char *p, const struct strvec *gomod_dirs)
{
	char *cur = xstrdup(p), *slash;
	int found = 0;
	while (!found && (slash = strrchr(cur, '/'))) {
		slash[1] = '\0'; /* "dir/" */
		found = strvec_contains(gomod_dirs, cur);
		*slash = '\0';
	}
	free(cur);
	return found;
}

/* x/mod's addError: the first problem of a path is the one reported. */
static void add_once(struct gorules_report *rep, size_t from, const char *path, int omitted, const char *reason)
{
	if (!gorules_report_has(rep, from, path))
		gorules_report_add(rep, path, omitted, reason);
}

size_t gorules_check_files(const char *const *paths, const unsigned long long *sizes, size_t n,
			   struct gorules_report *rep)
{
	size_t before = rep->n;
	struct strvec gomod_dirs = STRVEC_INIT;
	struct collisions cc;
	unsigned long long left = MAX_ZIP_FILE;
	int size_error = 0;
	char sub[ERR_SIZE], msg[ERR_SIZE + 64];

	for (size_t i = 0; i < n; i++) {
		const char *slash = strrchr(paths[i], '/');
		const char *base = slash ? slash + 1 : paths[i];
		if (equal_fold(base, strlen(base), "go.mod"))
			strvec_push_owned(&gomod_dirs, xstrndup(paths[i], (size_t)(base - paths[i])));
	}
	collisions_init(&cc);
	for (size_t i = 0; i < n; i++) {
		const char *p = paths[i];
		unsigned long long size = sizes ? sizes[i] : 0;
		if (!is_clean(p)) {
			add_once(rep, before, p, 0, "file path is not clean");
			continue;
		}
		if (p[0] == '/') {
			add_once(rep, before, p, 0, "file path is not relative");
			continue;
		}
		if (gorules_is_vendored(p)) {
			add_once(rep, before, p, 1, "file is in vendor directory");
			continue;
		}
		if (in_submodule(p, &gomod_dirs)) {
			add_once(rep, before, p, 1, "file is in another module");
			continue;
		}
		if (!strcmp(p, ".hg_archival.txt")) {
			add_once(rep, before, p, 1, "file is inserted by 'hg archive' and is always omitted");
			continue;
		}
		if (gorules_check_path(GORULES_FILE, p, sub) < 0) {
			snprintf(msg, sizeof(msg), "malformed file path \"%s\": %s", p, sub);
			add_once(rep, before, p, 0, msg);
			continue;
		}
		if (!strcasecmp(p, "go.mod") && strcmp(p, "go.mod")) {
			add_once(rep, before, p, 0, "go.mod files must have lowercase names");
			continue;
		}
		if (collisions_check(&cc, p, 0, sub) < 0) {
			add_once(rep, before, p, 0, sub);
			continue;
		}
		if (size <= left)
			left -= size;
		else
			size_error = 1;
		if (!strcmp(p, "go.mod") && size > MAX_GO_MOD)
			add_once(rep, before, p, 0, "go.mod file too large (max size is 16777216 bytes)");
		else if (!strcmp(p, "LICENSE") && size > MAX_LICENSE)
			add_once(rep, before, p, 0, "LICENSE file too large (max size is 16777216 bytes)");
	}
	if (size_error)
		gorules_report_add(rep, "", 0, "module source tree too large (max size is 524288000 bytes)");
	collisions_release(&cc);
	strvec_clear(&gomod_dirs);
	return rep->n - before;
}

size_t gorules_check_zip(const char *prefix, const char *const *names, const unsigned long long *sizes, size_t n,
			 struct gorules_report *rep)
{
	size_t before = rep->n, plen = strlen(prefix);
	struct collisions cc;
	unsigned long long total = 0;
	int size_error = 0;
	char sub[ERR_SIZE], msg[ERR_SIZE + 64];

	collisions_init(&cc);
	for (size_t i = 0; i < n; i++) {
		const char *zname = names[i];
		if (strncmp(zname, prefix, plen)) {
			snprintf(msg, sizeof(msg), "path does not have prefix \"%s\"", prefix);
			gorules_report_add(rep, zname, 0, msg);
			continue;
		}
		if (!zname[plen])
			continue;
		char *name = xstrdup(zname + plen);
		size_t len = strlen(name);
		int is_dir = name[len - 1] == '/';
		if (is_dir)
			name[len - 1] = '\0';
		const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
		unsigned long long sz = sizes ? sizes[i] : 0;
		if (!is_clean(name))
			gorules_report_add(rep, zname, 0, "file path is not clean");
		else if (gorules_check_path(GORULES_FILE, name, sub) < 0) {
			snprintf(msg, sizeof(msg), "malformed file path \"%s\": %s", name, sub);
			gorules_report_add(rep, zname, 0, msg);
		} else if (collisions_check(&cc, name, is_dir, sub) < 0)
			gorules_report_add(rep, zname, 0, sub);
		else if (is_dir)
			;
		else if (equal_fold(base, strlen(base), "go.mod") && strchr(name, '/'))
			gorules_report_add(rep, zname, 0, "go.mod file not in module root directory");
		else if (equal_fold(base, strlen(base), "go.mod") && strcmp(name, "go.mod"))
			gorules_report_add(rep, zname, 0, "go.mod files must have lowercase names");
		else {
			if (MAX_ZIP_FILE - total >= sz)
				total += sz;
			else
				size_error = 1;
			if (!strcmp(name, "go.mod") && sz > MAX_GO_MOD)
				gorules_report_add(rep, zname, 0, "go.mod file too large (max size is 16777216 bytes)");
			else if (!strcmp(name, "LICENSE") && sz > MAX_LICENSE)
				gorules_report_add(rep, zname, 0,
						   "LICENSE file too large (max size is 16777216 bytes)");
		}
		free(name);
	}
	if (size_error)
		gorules_report_add(rep, "", 0,
				   "total uncompressed size of module contents too large "
				   "(max size is 524288000 bytes)");
	collisions_release(&cc);
	return rep->n - before;
}

int gorules_report_error(const struct gorules_report *rep, const char *what, char *err)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s: %zu file%s break%s the go command's module rules: ", what, rep->n, rep->n == 1 ? "" : "s",
		   rep->n == 1 ? "s" : "");
	for (size_t i = 0; i < rep->n; i++) {
		if (i)
			buf_adds(&b, "; ");
		if (rep->v[i].path[0])
			buf_printf(&b, "%s: ", rep->v[i].path);
		buf_adds(&b, rep->v[i].reason);
		if (rep->v[i].omitted)
			buf_adds(&b, " (the go command would leave it out)");
	}
	err_set(err, "%s", b.data);
	if (b.len >= ERR_SIZE - 1 && err)
		memcpy(err + ERR_SIZE - 4, "...", 4);
	buf_release(&b);
	return -1;
}
