/*
 * store: where published files go. A store is opened from a URL
 * ("file:///path" or a plain path; "s3://bucket/prefix" where the build has
 * it) and offers two writes: immutable (never replaces different bytes; a
 * retry with the same bytes succeeds) and mutable (index files, replaced
 * atomically). Each object carries a content type and a cache policy; the
 * file store leaves those to the web server in front of it (ops/nginx).
 */
#ifndef REMOTEGEN_STORE_H
#define REMOTEGEN_STORE_H

#include <stddef.h>
#include "util.h"

struct store;

struct store_ops {
	const char *scheme;
	/* 0 written, 1 already there with the same bytes, -1 error (err set). */
	int (*put_immutable)(struct store *s, const char *key, const void *data, size_t len,
			     const char *content_type, char *err);
	int (*put_mutable)(struct store *s, const char *key, const void *data, size_t len,
			   const char *content_type, char *err);
	/* 0 found (data appended to out), 1 not found, -1 error. */
	int (*get)(struct store *s, const char *key, struct buf *out, char *err);
	void (*free)(struct store *s);
};

struct store {
	const struct store_ops *ops;
	char *url;   /* as given, for messages (never holds credentials) */
};

/* Opens a store; *out is freed with store_free. Returns 0 or -1 (err set). */
int store_open(const char *url, struct store **out, char *err);
void store_free(struct store *s);

int store_put_immutable(struct store *s, const char *key, const void *data, size_t len,
			const char *content_type, char *err);
int store_put_mutable(struct store *s, const char *key, const void *data, size_t len,
		      const char *content_type, char *err);
int store_get(struct store *s, const char *key, struct buf *out, char *err);

/* Cache-Control values of DESIGN's store layout. */
#define STORE_CACHE_IMMUTABLE "public, max-age=31536000, immutable"
#define STORE_CACHE_INDEX "public, max-age=60"

/* The file store (store_file.c). */
int store_file_open(const char *root, struct store **out, char *err);

#endif
