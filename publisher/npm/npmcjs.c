/*
 * npmcjs: rewriting the requires of CommonJS plugin output (see npmcjs.h).
 */
#include "npmcjs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && !memcmp(s + n - k, suffix, k);
}

/*
 * dir (a file's directory, "" at the root) joined with the relative spec,
 * "." and ".." resolved. malloc'ed; NULL when it climbs above the root.
 */
static char *resolve(const char *dir, const char *spec)
{
	struct strvec parts = STRVEC_INIT;
	char *joined = xasprintf("%s%s%s", dir, *dir ? "/" : "", spec), *out = NULL;
	struct buf b = BUF_INIT;
	for (char *save = NULL, *p = strtok_r(joined, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (!strcmp(p, "."))
			continue;
		if (!strcmp(p, "..")) {
			if (!parts.n)
				goto out;
			free(parts.v[--parts.n]);
			continue;
		}
		strvec_push(&parts, p);
	}
	for (size_t i = 0; i < parts.n; i++)
		buf_printf(&b, "%s%s", i ? "/" : "", parts.v[i]);
	out = buf_detach(&b, NULL);
out:
	buf_release(&b);
	strvec_clear(&parts);
	free(joined);
	return out;
}

/*
 * 1 when path (a resolved specifier) names a file of the package as its
 * reader resolves it: Node.js a require from a .js file (the path, or it with
 * ".js"), TypeScript an import from a .d.ts file (the path's .d.ts, ".js"
 * replaced). A .d.ts beside a missing .js is no file for require.
 */
static int in_package(const struct fileset *files, const char *path, int dts)
{
	size_t n = strlen(path);
	char *name = NULL;
	if (!dts) {
		if (fileset_find(files, path))
			return 1;
		name = xasprintf("%s.js", path);
	} else {
		name = ends_with(path, n, ".js") ? xasprintf("%.*s.d.ts", (int)(n - 3), path)
						 : xasprintf("%s.d.ts", path);
	}
	int found = fileset_find(files, name) != NULL;
	free(name);
	return found;
}

/*
 * The dependency whose .proto generated path: path without ".js" is the
 * .proto's path without ".proto" plus "_<suffix>" (weather_pb,
 * weather_grpc_web_pb); the longest such .proto wins. NULL when none.
 */
static const struct npmcjs_dep *dep_of(const char *path, const struct npmcjs_dep *deps, size_t n_deps)
{
	size_t n = strlen(path), best_len = 0;
	const struct npmcjs_dep *best = NULL;
	if (ends_with(path, n, ".js"))
		n -= 3;
	for (size_t i = 0; i < n_deps; i++) {
		size_t k = strlen(deps[i].proto);
		if (!ends_with(deps[i].proto, k, ".proto"))
			continue;
		k -= 6;
		if (k < n && !memcmp(path, deps[i].proto, k) && path[k] == '_' && !memchr(path + k, '/', n - k) &&
		    k > best_len) {
			best = &deps[i];
			best_len = k;
		}
	}
	return best;
}

/* The package name at the start of a bare specifier ("google-protobuf", "@scope/name"). malloc'ed. */
static char *package_of(const char *spec)
{
	const char *slash = strchr(spec, '/');
	if (spec[0] == '@' && slash)
		slash = strchr(slash + 1, '/');
	return slash ? xstrndup(spec, (size_t)(slash - spec)) : xstrdup(spec);
}

struct scan {
	const struct fileset *files;
	const char *name; /* the file */
	char *dir;
	int dts; /* the file is a .d.ts (TypeScript resolves its imports) */
	const struct npmcjs_dep *deps;
	size_t n_deps;
	const struct strvec *packages;
	long rewritten;
	char *err;
};

/* The replacement of one specifier (malloc'ed; a copy when it stays), or NULL (err set). */
static char *classify(struct scan *s, const char *spec)
{
	if (spec[0] == '.' && (spec[1] == '/' || (spec[1] == '.' && spec[2] == '/'))) {
		char *path = resolve(s->dir, spec);
		if (!path) {
			err_set(s->err, "%s: require '%s' climbs above the package root", s->name, spec);
			return NULL;
		}
		if (in_package(s->files, path, s->dts)) {
			free(path);
			return xstrdup(spec);
		}
		const struct npmcjs_dep *d = dep_of(path, s->deps, s->n_deps);
		if (!d) {
			err_set(s->err,
				"%s: require '%s' names %s, which is neither a file of this package nor one "
				"generated from a dependency module's .proto (a file of this module that the "
				"template's plugins did not write?)",
				s->name, spec, path);
			free(path);
			return NULL;
		}
		char *to = xasprintf("%s/%s", d->package, path);
		free(path);
		s->rewritten++;
		return to;
	}
	if (spec[0] == '/' || spec[0] == '.' || !spec[0]) {
		err_set(s->err, "%s: require '%s' is neither relative nor a package", s->name, spec);
		return NULL;
	}
	char *pkg = package_of(spec);
	int ok = strvec_contains(s->packages, pkg);
	for (size_t i = 0; i < s->n_deps && !ok; i++)
		ok = !strcmp(pkg, s->deps[i].package);
	if (!ok)
		err_set(s->err,
			"%s: require '%s' needs package %s, which no plugin version of the template declares "
			"(plugin add --npm-dep)",
			s->name, spec, pkg);
	free(pkg);
	return ok ? xstrdup(spec) : NULL;
}

/*
 * One string literal at p (a quote) up to end: its span [*a, *b) without
 * the quotes. 0, or -1 when it is no plain literal.
 */
static int literal(const char *p, const char *end, const char **a, const char **b)
{
	if (p >= end || (*p != '\'' && *p != '"'))
		return -1;
	const char *q = p + 1;
	while (q < end && *q != *p && *q != '\\')
		q++;
	if (q >= end || *q != *p)
		return -1;
	*a = p + 1;
	*b = q;
	return 0;
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Appends the literal [a, b) as classify says to out. 0 or -1. */
static int emit(struct scan *s, const char *a, const char *b, struct buf *out)
{
	char *spec = xstrndup(a, (size_t)(b - a));
	char *to = classify(s, spec);
	free(spec);
	if (!to)
		return -1;
	buf_adds(out, to);
	free(to);
	return 0;
}

/* One code line [p, end): copied to out with its specifiers replaced. 0 or -1 (err set). */
static int scan_line(struct scan *s, const char *p, const char *end, int dts, struct buf *out)
{
	const char *t = skip_space(p, end);
	if (end - t >= 2 && (!memcmp(t, "//", 2) || !memcmp(t, "/*", 2)))
		goto copy;
	if (t < end && *t == '*')
		goto copy;
	int statement = (end - t >= 7 && !memcmp(t, "import ", 7)) || (end - t >= 7 && !memcmp(t, "export ", 7));
	if (statement && !dts) {
		err_set(s->err, "%s: ES module syntax (%.*s) in a CommonJS package", s->name,
			(int)((end - t) > 60 ? 60 : end - t), t);
		return -1;
	}
	const char *from = NULL;
	if (statement) {
		/* import ... from 'x'; import 'x'; export ... from 'x' */
		for (const char *q = t; q + 6 <= end; q++)
			if (!memcmp(q, " from ", 6))
				from = skip_space(q + 6, end);
		if (!from && !memcmp(t, "import ", 7) && (t[7] == '\'' || t[7] == '"'))
			from = t + 7;
	}
	const char *q = p;
	while (q < end) {
		const char *r = memmem(q, (size_t)(end - q), "require(", 8), *a, *b;
		if (from && from >= q && (!r || from < r)) {
			if (literal(from, end, &a, &b) < 0) {
				err_set(s->err, "%s: an import without a plain string: %.*s", s->name, (int)(end - t),
					t);
				return -1;
			}
			buf_add(out, q, (size_t)(a - q));
			if (emit(s, a, b, out) < 0)
				return -1;
			q = b;
			from = NULL;
			continue;
		}
		if (!r)
			break;
		/* a word that merely ends in "require" (myrequire(...)) is no require */
		if (r > p && (r[-1] == '_' || r[-1] == '$' || (r[-1] >= '0' && r[-1] <= '9') ||
			      ((r[-1] | 0x20) >= 'a' && (r[-1] | 0x20) <= 'z'))) {
			buf_add(out, q, (size_t)(r + 8 - q));
			q = r + 8;
			continue;
		}
		const char *lit = skip_space(r + 8, end), *close = NULL;
		if (literal(lit, end, &a, &b) == 0)
			close = skip_space(b + 1, end);
		if (!close || close >= end || *close != ')') {
			err_set(s->err, "%s: a require without one plain string argument: %.*s", s->name,
				(int)(end - t), t);
			return -1;
		}
		buf_add(out, q, (size_t)(a - q));
		if (emit(s, a, b, out) < 0)
			return -1;
		q = b;
	}
	buf_add(out, q, (size_t)(end - q));
	return 0;
copy:
	buf_add(out, p, (size_t)(end - p));
	return 0;
}

long npmcjs_rewrite(struct fileset *files, const struct npmcjs_dep *deps, size_t n_deps, const struct strvec *packages,
		    char *err)
{
	struct scan s = { .files = files, .deps = deps, .n_deps = n_deps, .packages = packages, .err = err };
	for (size_t i = 0; i < files->n; i++) {
		struct fileset_entry *e = &files->v[i];
		size_t nl = strlen(e->name);
		int dts = ends_with(e->name, nl, ".d.ts");
		if (!dts && !ends_with(e->name, nl, ".js"))
			continue;
		const char *slash = strrchr(e->name, '/');
		s.name = e->name;
		s.dts = dts;
		s.dir = slash ? xstrndup(e->name, (size_t)(slash - e->name)) : xstrdup("");
		long before = s.rewritten;
		struct buf out = BUF_INIT;
		const char *p = e->content.data, *end = p + e->content.len;
		int rc = 0;
		while (p && p < end && rc == 0) {
			const char *nlp = memchr(p, '\n', (size_t)(end - p));
			const char *le = nlp ? nlp : end;
			rc = scan_line(&s, p, le, dts, &out);
			if (nlp)
				buf_addc(&out, '\n');
			p = nlp ? nlp + 1 : end;
		}
		free(s.dir);
		if (rc < 0) {
			buf_release(&out);
			return -1;
		}
		if (s.rewritten != before) {
			buf_release(&e->content);
			e->content = out;
		} else {
			buf_release(&out);
		}
	}
	return s.rewritten;
}
