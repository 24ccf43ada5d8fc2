/*
 * store_purge: after a store rewrites an index file (store_put_mutable), asks the
 * CDN or caching proxy in front of the store to drop or refresh its copy, so
 * that a version is installable the moment it is published rather than when
 * the cached index expires (max-age 60 s). One HTTP request per URL form of
 * the key: `<method> <base_url><key>`, e.g. `PURGE https://cdn.example.com/<key>`
 * as Fastly and Varnish take it, or `GET https://cdn.example.com/purge/<key>`
 * for nginx's cache_purge (ops/nginx/cdn-*.conf). Publishers that know other
 * URL forms of a key call store_purge_key for each (npm: @scope%2fname). A failed purge is logged
 * (event=purge_failed) and never fails the publication: the store is right,
 * and the cached copy expires on its own.
 */
#ifndef REMOTEGEN_STORE_PURGE_H
#define REMOTEGEN_STORE_PURGE_H

#include "util.h"

struct store;

/* Where purges go (strings borrowed from the configuration). base_url NULL: no purging. */
struct store_purge_config {
	const char *base_url; /* the public URL of the store's root, e.g. https://cdn.example.com/ */
	const char *method;   /* HTTP method, default "PURGE" */
	long long timeout_ms; /* per request */
};

/* The purge URL of key: base_url + key, percent-encoded but for [A-Za-z0-9-._~!/@+%] (malloc'ed). */
char *store_purge_url(const char *base_url, const char *key);

/* Purges key on s's configured CDN, if any; logs failures. */
void store_purge_key(struct store *s, const char *key);

/* Frees s's purge state (store_free calls it). */
void store_purge_release(struct store *s);

#endif
