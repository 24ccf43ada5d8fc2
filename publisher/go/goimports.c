/*
 * goimports: a scanner for the head of a Go file (package clause and import
 * declarations); see goimports.h.
 */
#include "goimports.h"

#include <stdlib.h>
#include <string.h>

enum tok {
	T_EOF,
	T_IDENT,
	T_STRING,
	T_LPAREN,
	T_RPAREN,
	T_SEMI,
	T_DOT,
	T_OTHER,
	T_BAD
};

struct lexer {
	const char *p, *end;
	struct buf text; /* identifier or decoded string */
};

static int is_ident_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/* Skips blanks and comments; a newline counts as a semicolon (close enough for import lists). */
static enum tok next(struct lexer *lx)
{
	buf_reset(&lx->text);
	while (lx->p < lx->end) {
		char c = *lx->p;
		if (c == ' ' || c == '\t' || c == '\r') {
			lx->p++;
		} else if (c == '\n') {
			lx->p++;
			return T_SEMI;
		} else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '/') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
			const char *close = NULL;
			for (const char *q = lx->p + 2; q + 1 < lx->end && !close; q++)
				if (q[0] == '*' && q[1] == '/')
					close = q;
			if (!close)
				return T_BAD;
			int newline = memchr(lx->p, '\n', (size_t)(close - lx->p)) != NULL;
			lx->p = close + 2;
			if (newline)
				return T_SEMI;
		} else {
			break;
		}
	}
	if (lx->p >= lx->end)
		return T_EOF;
	unsigned char c = (unsigned char)*lx->p;
	if (is_ident_char(c) && !(c >= '0' && c <= '9')) {
		while (lx->p < lx->end && is_ident_char((unsigned char)*lx->p))
			buf_addc(&lx->text, *lx->p++);
		return T_IDENT;
	}
	if (c == '`') {
		const char *close = memchr(lx->p + 1, '`', (size_t)(lx->end - lx->p - 1));
		if (!close)
			return T_BAD;
		buf_add(&lx->text, lx->p + 1, (size_t)(close - lx->p - 1));
		lx->p = close + 1;
		return T_STRING;
	}
	if (c == '"') {
		for (lx->p++; lx->p < lx->end && *lx->p != '"'; lx->p++) {
			if (*lx->p == '\n')
				return T_BAD;
			if (*lx->p == '\\' && lx->p + 1 < lx->end)
				lx->p++; /* \" and \\ stand for themselves; import paths need no others */
			buf_addc(&lx->text, *lx->p);
		}
		if (lx->p >= lx->end)
			return T_BAD;
		lx->p++;
		return T_STRING;
	}
	lx->p++;
	return c == '(' ? T_LPAREN : c == ')' ? T_RPAREN : c == ';' ? T_SEMI : c == '.' ? T_DOT : T_OTHER;
}

static enum tok next_nonsemi(struct lexer *lx)
{
	enum tok t;
	while ((t = next(lx)) == T_SEMI)
		;
	return t;
}

/* One ImportSpec starting at token t: [name | "." | "_"] path. */
static int import_spec(struct lexer *lx, enum tok t, struct strvec *paths)
{
	if (t == T_IDENT || t == T_DOT)
		t = next(lx);
	if (t != T_STRING)
		return -1;
	if (!strvec_contains(paths, lx->text.data))
		strvec_push(paths, lx->text.data);
	return 0;
}

int goimports_scan(const char *src, size_t len, struct strvec *paths, char *err)
{
	struct lexer lx = { .p = src, .end = src + len, .text = BUF_INIT };
	int rc = -1;
	if (len >= 3 && !memcmp(src, "\xef\xbb\xbf", 3))
		lx.p += 3;
	if (next_nonsemi(&lx) != T_IDENT || strcmp(lx.text.data, "package") || next(&lx) != T_IDENT) {
		err_set(err, "no package clause");
		goto out;
	}
	while (1) {
		enum tok t = next_nonsemi(&lx);
		if (t != T_IDENT || strcmp(lx.text.data, "import"))
			break; /* the first other declaration ends the imports */
		t = next(&lx);
		if (t == T_LPAREN) {
			while ((t = next_nonsemi(&lx)) != T_RPAREN)
				if (import_spec(&lx, t, paths) < 0) {
					err_set(err, "malformed import declaration");
					goto out;
				}
		} else if (import_spec(&lx, t, paths) < 0) {
			err_set(err, "malformed import declaration");
			goto out;
		}
	}
	rc = 0;
out:
	buf_release(&lx.text);
	return rc;
}

int goimports_of_files(const struct fileset *files, struct strvec *paths, char *err)
{
	char why[ERR_SIZE];
	for (size_t i = 0; i < files->n; i++) {
		const struct fileset_entry *f = &files->v[i];
		size_t n = strlen(f->name);
		if (n < 3 || strcmp(f->name + n - 3, ".go"))
			continue;
		if (goimports_scan(f->content.data ? f->content.data : "", f->content.len, paths, why) < 0)
			return err_set(err, "generated file %s: %s", f->name, why);
	}
	return 0;
}

int goimports_uses_module(const struct strvec *paths, const char *modpath)
{
	size_t n = strlen(modpath);
	for (size_t i = 0; i < paths->n; i++)
		if (!strncmp(paths->v[i], modpath, n) && (paths->v[i][n] == '\0' || paths->v[i][n] == '/'))
			return 1;
	return 0;
}
