/*
 * pywheel: turns a generated file set into a version of a Python package in
 * a static package index: the package name and version of a generation, a
 * pure-Python wheel (py3-none-any) with deterministic bytes (libzip: entries
 * sorted, .dist-info last and RECORD last of all, fixed timestamps and
 * modes, fixed deflate level), its METADATA (served beside the wheel, PEP
 * 658), and the checks verify makes of a wheel it reads back.
 *
 * Store layout, relative to the store root (PYWHEEL_ROOT = "python/"):
 *   python/files/<name>/<wheel>            the wheel, immutable
 *   python/files/<name>/<wheel>.metadata   its METADATA, immutable
 *   python/simple/...                      the index pages (pyindex.h)
 */
#ifndef REMOTEGEN_PYWHEEL_H
#define REMOTEGEN_PYWHEEL_H

#include "fileset.h"
#include "store.h"
#include "util.h"

#define PYWHEEL_ROOT "python/"
/* What the generated code of protobuf 3.21 (Debian 12's) and later needs. */
#define PYWHEEL_REQUIRES_PYTHON ">=3.7"
/* Deflate level of wheels: fixed, so that every process writes the same bytes. */
#define PYWHEEL_LEVEL 6

/* name as PEP 503 normalizes it: lower case, runs of '-', '_', '.' one '-'. malloc'ed. */
char *pywheel_normalize(const char *name);

/*
 * The package of (template, module): "<module owner>-<module name>-<template
 * owner>-<template name>", normalized. malloc'ed. NULL (err set) when it is no
 * valid project name (longer than 200 characters).
 */
char *pywheel_name(const char *tmpl_owner, const char *tmpl_name, const char *mod_owner, const char *mod_name,
		   char *err);

/* "1.<template version>.<sequence>" (PEP 440), malloc'ed. */
char *pywheel_version(int template_version, int sequence);

/* The wheel's file name: "<name with '_' for '-'>-<version>-py3-none-any.whl", malloc'ed. */
char *pywheel_filename(const char *name, const char *version);

/* Store keys (malloc'ed) of a wheel and of its METADATA file. */
char *pywheel_key(const char *name, const char *filename);
char *pywheel_metadata_key(const char *name, const char *filename);

/* What METADATA says (all borrowed). */
struct pywheel_meta {
	const char *name, *version;
	const char *summary;		    /* may be NULL */
	const struct strvec *requires_dist; /* "protobuf>=3.21", "other-pkg==1.1.2", in this order */
};

/* A built wheel. */
struct pywheel {
	char *name, *version, *filename; /* owned */
	struct buf whl;
	struct buf metadata;		       /* METADATA as in the wheel */
	char sha256[SHA256_HEX_SIZE];	       /* the wheel's, hex */
	char metadata_sha256[SHA256_HEX_SIZE]; /* METADATA's, hex */
};

/*
 * Builds the wheel of files (generated code, paths as generated). Refused,
 * naming the file: what would make the wheel another project's or no wheel
 * (setup.py, setup.cfg, pyproject.toml, a .dist-info or .egg-info directory),
 * an __init__.py (the proto paths are namespace packages that several
 * wheels share), names RECORD cannot hold (',', '"', a control character).
 * An empty py.typed (PEP 561) is added beside .pyi files.
 * w is initialised here; release with pywheel_release even on failure.
 * Returns 0 or -1 (err set).
 */
int pywheel_build(struct pywheel *w, const struct pywheel_meta *m, struct fileset *files, char *err);
void pywheel_release(struct pywheel *w);

/* Writes the wheel and its METADATA as immutable objects. Returns 0 or a STORE_* error (err set). */
int pywheel_upload(struct store *s, const struct pywheel *w, char *err);

/*
 * Reads a wheel back: every RECORD line's hash and size against the entry,
 * every entry in RECORD, and its METADATA appended to metadata. Returns 0, or
 * -1 with err saying what is wrong.
 */
int pywheel_check(const void *whl, size_t len, struct buf *metadata, char *err);

#endif
