/*
 * store: where published files go. A store is opened from a URL
 * ("file:///path" or a plain path; "s3://bucket/prefix" where the build has
 * it) and offers two writes: immutable (never replaces different bytes; a
 * retry with the same bytes succeeds) and mutable (index files, replaced
 * atomically). Each object carries a content type and a cache policy; the
 * file store leaves those to the web server in front of it (ops/nginx).
 * A store is used by one thread at a time.
 */
#ifndef REMOTEGEN_STORE_H
#define REMOTEGEN_STORE_H

#include <signal.h>
#include <stddef.h>
#include "util.h"

struct store;

/*
 * Store errors (negative returns). STORE_ERR may heal on a later attempt
 * (network, 5xx after retries); STORE_FATAL will not until an operator acts
 * (credentials, permissions, a missing bucket); STORE_CONFLICT means an
 * immutable object exists with other bytes: it is never overwritten.
 */
#define STORE_ERR      (-1)
#define STORE_FATAL    (-2)
#define STORE_CONFLICT (-3)

struct store_ops {
	const char *scheme;
	/*
	 * 1 when a key may end in '/' and is served for a URL that does (an
	 * object store without index documents: S3); 0 when "a/" is a directory.
	 */
	int directory_keys;
	/* 0 written, 1 already there with the same bytes, STORE_* error (err set). */
	int (*put_immutable)(struct store *s, const char *key, const void *data, size_t len, const char *content_type,
			     char *err);
	int (*put_mutable)(struct store *s, const char *key, const void *data, size_t len, const char *content_type,
			   char *err);
	/* 0 found (data appended to out), 1 not found, STORE_* error. */
	int (*get)(struct store *s, const char *key, struct buf *out, char *err);
	/* Appends every key of the store to keys. 0 or STORE_* error. */
	int (*list)(struct store *s, struct strvec *keys, char *err);
	void (*free)(struct store *s);
};

struct store_purge_config;

struct store {
	const struct store_ops *ops;
	char *url;				/* as given, for messages (never holds credentials) */
	const struct store_purge_config *purge; /* borrowed; NULL: no CDN purge (store_purge.h) */
	void *purge_curl;			/* store_purge.c's connection */
};

/*
 * What an S3 store needs besides its URL, read by the program's configuration
 * (strings borrowed; credentials are never logged). region must be set.
 */
#include "store_awscreds.h"

struct store_s3_config {
	const char *endpoint; /* NULL: https://s3.<region>.amazonaws.com */
	const char *region;
	const char *addressing;		     /* "path", "virtual" or NULL (path with a custom endpoint) */
	struct store_awscreds_config creds;  /* where the credentials come from (store_awscreds.h) */
	int max_attempts;		     /* per request, >= 1 */
	long long retry_base_ms;	     /* first retry delay */
	long long stall_ms;		     /* a request that moves no byte this long is abandoned (0: 30 s) */
	long long deadline_ms;		     /* all attempts of one request together (0: 5 min) */
	const volatile sig_atomic_t *abort;  /* non-zero: requests stop at once (may be NULL) */
	const volatile sig_atomic_t *reload; /* when it changes, credentials are read again (may be NULL) */
};

#include "store_purge.h"

/* What a store needs besides its URL (borrowed while the store is open). */
struct store_config {
	struct store_s3_config s3;	 /* for s3:// URLs */
	struct store_purge_config purge; /* the CDN purge after index rewrites */
};

/*
 * Opens a store; cfg configures s3:// URLs and the purge (NULL: an s3:// URL
 * is refused, no purge). *out is freed with store_free. Returns 0 or -1 (err set).
 */
int store_open(const char *url, const struct store_config *cfg, struct store **out, char *err);
void store_free(struct store *s);

int store_put_immutable(struct store *s, const char *key, const void *data, size_t len, const char *content_type,
			char *err);
/* Replaces an index file, then purges it from the CDN when one is configured (store_purge.h). */
int store_put_mutable(struct store *s, const char *key, const void *data, size_t len, const char *content_type,
		      char *err);
int store_get(struct store *s, const char *key, struct buf *out, char *err);
/* 1 when keys may end in '/' (store_ops.directory_keys). */
int store_has_directory_keys(const struct store *s);
int store_list(struct store *s, struct strvec *keys, char *err);

/* Cache-Control values of DESIGN's store layout. */
#define STORE_CACHE_IMMUTABLE "public, max-age=31536000, immutable"
#define STORE_CACHE_INDEX     "public, max-age=60"

/* The file store (store_file.c). */
int store_file_open(const char *root, struct store **out, char *err);
/* The S3 store (store_s3.c) for "s3://bucket/prefix". */
int store_s3_open(const char *url, const struct store_s3_config *cfg, struct store **out, char *err);
/* Appends the text of every <tag>...</tag> of an S3 XML answer to out, entities decoded (fuzzed: from outside). */
void store_s3_xml_values(const char *xml, const char *tag, struct strvec *out);

#endif
