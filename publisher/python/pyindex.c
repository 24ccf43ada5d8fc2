/*
 * pyindex: PEP 503 pages of the Python index (see pyindex.h).
 */
#include "pyindex.h"
#include "pywheel.h"

#include <stdlib.h>
#include <string.h>

/* text with & < > " ' escaped for HTML attributes and text. */
static void escaped(struct buf *out, const char *text)
{
	for (const char *p = text; *p; p++) {
		switch (*p) {
		case '&': buf_adds(out, "&amp;"); break;
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&#39;"); break;
		default: buf_addc(out, *p);
		}
	}
}

static void head(struct buf *out, const char *title)
{
	buf_adds(out, "<!DOCTYPE html>\n<html>\n  <head>\n"
		      "    <meta name=\"pypi:repository-version\" content=\"1.0\">\n    <title>");
	escaped(out, title);
	buf_adds(out, "</title>\n  </head>\n  <body>\n");
}

void pyindex_project_page(const char *name, const struct pyindex_file *f, size_t n, struct buf *out)
{
	char *title = xasprintf("Links for %s", name);
	head(out, title);
	buf_adds(out, "    <h1>");
	escaped(out, title);
	buf_adds(out, "</h1>\n");
	for (size_t i = 0; i < n; i++) {
		buf_printf(out, "    <a href=\"../../files/%s/%s#sha256=%s\" data-requires-python=\"", name,
			   f[i].filename, f[i].sha256);
		escaped(out, f[i].requires_python);
		buf_printf(out, "\" data-dist-info-metadata=\"sha256=%s\" data-core-metadata=\"sha256=%s\"",
			   f[i].metadata_sha256, f[i].metadata_sha256);
		if (f[i].yanked) {
			buf_adds(out, " data-yanked=\"");
			escaped(out, f[i].yank_reason ? f[i].yank_reason : "");
			buf_adds(out, "\"");
		}
		buf_printf(out, ">%s</a><br/>\n", f[i].filename);
	}
	buf_adds(out, "  </body>\n</html>\n");
	free(title);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void pyindex_root_page(const struct strvec *names, struct buf *out)
{
	char **v = xcalloc(names->n + 1, sizeof(*v));
	memcpy(v, names->v, names->n * sizeof(*v));
	qsort(v, names->n, sizeof(*v), cmp_str);
	head(out, "Simple index");
	for (size_t i = 0; i < names->n; i++)
		buf_printf(out, "    <a href=\"%s/\">%s</a><br/>\n", v[i], v[i]);
	buf_adds(out, "  </body>\n</html>\n");
	free(v);
}

char *pyindex_key(const char *name)
{
	return name ? xasprintf(PYWHEEL_ROOT "simple/%s/index.html", name) : xstrdup(PYWHEEL_ROOT "simple/index.html");
}

int pyindex_put(struct store *s, const char *name, const struct buf *page, char *err)
{
	static const char type[] = "text/html; charset=utf-8";
	char *key = pyindex_key(name);
	int rc = store_put_mutable(s, key, page->data, page->len, type, err);
	if (rc >= 0 && store_has_directory_keys(s)) {
		key[strlen(key) - strlen("index.html")] = '\0';
		rc = store_put_mutable(s, key, page->data, page->len, type, err);
	}
	free(key);
	return rc < 0 ? rc : 0;
}
