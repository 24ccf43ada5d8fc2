/*
 * pyindex: the pages of a static Python package index (PEP 503 "simple"
 * HTML), rewritten from the database under a package's lock: the root page
 * listing every project, and one page per project linking its wheels with
 * "#sha256=", data-requires-python, the METADATA file beside each wheel
 * (PEP 658 data-dist-info-metadata and PEP 714 data-core-metadata), and
 * data-yanked (PEP 592) for yanked versions.
 *
 * Store layout: python/simple/index.html and python/simple/<name>/index.html
 * (a web server's index document serves them for ".../simple/" and
 * ".../simple/<name>/"). A store whose keys may end in '/' (S3, which has no
 * index documents) gets the same page under "python/simple/" and
 * "python/simple/<name>/" too, the URLs pip asks for. Links are relative
 * (../../files/<name>/<wheel>), so the pages work under any URL.
 */
#ifndef REMOTEGEN_PYINDEX_H
#define REMOTEGEN_PYINDEX_H

#include "store.h"
#include "util.h"

/* One wheel on a project page (strings borrowed). */
struct pyindex_file {
	const char *filename, *sha256, *metadata_sha256, *requires_python;
	int yanked;
	const char *yank_reason; /* NULL: none given */
};

/* The page of project name listing f[0..n) in that order, appended to out. */
void pyindex_project_page(const char *name, const struct pyindex_file *f, size_t n, struct buf *out);
/* The root page listing names (any order; sorted here), appended to out. */
void pyindex_root_page(const struct strvec *names, struct buf *out);

/* Keys of the pages (malloc'ed); name NULL: the root page. */
char *pyindex_key(const char *name);

/* Replaces a page (and its '/'-ending twin where the store has such keys). 0 or a STORE_* error (err set). */
int pyindex_put(struct store *s, const char *name, const struct buf *page, char *err);

#endif
