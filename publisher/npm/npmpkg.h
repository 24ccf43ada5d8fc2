/*
 * npmpkg: turns a generated file set into a version of an npm package in a
 * static npm registry: the package name and version of a generation, its
 * package.json, the deterministic .tgz (libarchive), its dist hashes, and the
 * packument (the package's full registry document, rewritten from the
 * database under the package's lock).
 *
 * Store layout, relative to the store root (NPMPKG_ROOT = "npm/"):
 *   npm/@scope/name                  packument, application/json, short cache
 *   npm/-/@scope/name-1.2.3.tgz      tarball, immutable, long cache
 * npm asks for /@scope%2fname and pnpm for /@scope%2Fname; nginx and S3 both
 * decode either into the packument's key. The packument is a file and so
 * cannot also be a directory on the file store: tarballs live under "-/",
 * which no package name can start with.
 */
#ifndef REMOTEGEN_NPMPKG_H
#define REMOTEGEN_NPMPKG_H

#include "fileset.h"
#include "store.h"
#include "util.h"

#define NPMPKG_ROOT	     "npm/"
#define NPMPKG_DEFAULT_SCOPE "remotegen"

/* 0 when s is a valid npm scope (without '@': lowercase letters, digits, - . _). */
int npmpkg_check_scope(const char *s, char *err);

/* 0 when name is a valid npm package name ("pkg" or "@scope/pkg"), else -1 (err set). */
int npmpkg_check_name(const char *name, char *err);

/*
 * Splits "name@range" ("@bufbuild/protobuf@^2.17.0") into malloc'ed *name and
 * *range; returns 0 or -1 (err set: a bad name or an empty range).
 */
int npmpkg_parse_dep(const char *spec, char **name, char **range, char *err);

/*
 * The package of (template, module) under scope:
 * "@scope/<module owner>_<module name>.<template owner>_<template name>",
 * lower case. malloc'ed. Returns NULL (err set) when the result is no valid
 * npm name (too long).
 */
char *npmpkg_name(const char *scope, const char *tmpl_owner, const char *tmpl_name, const char *mod_owner,
		  const char *mod_name, char *err);

/* "1.<template version>.<sequence>", malloc'ed. */
char *npmpkg_version(int template_version, int sequence);

/* Store keys (malloc'ed) of the packument and of a version's tarball. */
char *npmpkg_packument_key(const char *name);
char *npmpkg_tarball_key(const char *name, const char *version);

/* A built package version. */
struct npmpkg {
	char *name, *version; /* owned */
	struct buf manifest;  /* package.json as in the tarball */
	struct buf tgz;
	char integrity[96]; /* "sha512-<base64>" */
	char shasum[41];    /* sha1, hex */
};

/* What package.json says of a package version (all borrowed). */
struct npmpkg_meta {
	const char *name, *version;
	const char *description;	/* may be NULL */
	const struct strvec *peer_deps; /* the plugins' runtime packages, "name@range" */
	const struct strvec *deps;	/* dependency modules' packages, "name@version" (exact) */
	int commonjs;			/* CommonJS code: no "type": "module", no "sideEffects" */
};

/*
 * Builds the package from files (generated code; package.json is written
 * here and must not be among them). p is initialised here; release with
 * npmpkg_release even on failure. Returns 0 or -1 (err set).
 */
int npmpkg_build(struct npmpkg *p, const struct npmpkg_meta *m, struct fileset *files, char *err);
void npmpkg_release(struct npmpkg *p);

/* The dist hashes of a tarball. */
void npmpkg_hashes(const void *tgz, size_t len, char integrity[96], char shasum[41]);

/*
 * Finds package/<name> in a .tgz and appends its content to out. Returns 0,
 * 1 when the tarball has no such entry, -1 when it is no gzip'ed tar (err set).
 */
int npmpkg_read_file(const void *tgz, size_t len, const char *name, struct buf *out, char *err);

/* Writes the tarball as an immutable object. Returns 0 or a STORE_* error (err set). */
int npmpkg_upload(struct store *s, const struct npmpkg *p, char *err);

/* One published version, as the database keeps it (strings borrowed). */
struct npmpkg_version {
	const char *version;
	const char *manifest; /* package.json text */
	const char *integrity, *shasum;
	const char *time;	/* publication time, RFC 3339 UTC */
	const char *deprecated; /* NULL, or the message npm shows when it is installed */
};

/*
 * The packument of name for these versions (any order; n > 0): every
 * version's package.json with its dist (tarball at base_url, which is the
 * public URL of the store's npm/ folder) and "deprecated" when it is,
 * dist-tags.latest the highest version, time. Appended to out. Returns 0 or -1 (err set: a manifest that is
 * not JSON).
 */
int npmpkg_packument(const char *name, const char *base_url, struct npmpkg_version *v, size_t n, struct buf *out,
		     char *err);

/* Rewrites the packument of name with doc (from npmpkg_packument). Returns 0 or a STORE_* error (err set). */
int npmpkg_put_packument(struct store *s, const char *name, const struct buf *doc, char *err);

/* Orders "1.2.3" versions numerically (strcmp-like). */
int npmpkg_version_cmp(const char *a, const char *b);

#endif
