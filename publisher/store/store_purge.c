/*
 * store_purge: the CDN purge after index rewrites (see store_purge.h); owns each store's
 * purge connection (a libcurl easy handle, reused).
 */
#include "store_purge.h"
#include "log.h"
#include "store.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Characters a key keeps in the URL; '%' too, so that a caller may name an encoded form (npm's %2f). */
static int keep_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~!/@+%", c);
}

char *store_purge_url(const char *base_url, const char *key)
{
	struct buf b = BUF_INIT;
	size_t blen = strlen(base_url);
	while (blen && base_url[blen - 1] == '/')
		blen--;
	buf_printf(&b, "%.*s/", (int)blen, base_url);
	for (const char *p = key; *p; p++) {
		if (keep_char((unsigned char)*p))
			buf_printf(&b, "%c", *p);
		else
			buf_printf(&b, "%%%02X", (unsigned char)*p);
	}
	return buf_detach(&b, NULL);
}

static size_t discard(char *ptr, size_t size, size_t n, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * n;
}

static void log_purge_failed(const char *url, const char *reason)
{
	struct logline l;
	log_start(&l, "warn", "purge_failed");
	log_str(&l, "url", url);
	log_str(&l, "reason", reason);
	log_end(&l);
}

void store_purge_key(struct store *s, const char *key)
{
	const struct store_purge_config *cfg = s->purge;
	if (!cfg || !cfg->base_url || !*cfg->base_url)
		return;
	if (!s->purge_curl && !(s->purge_curl = curl_easy_init())) {
		log_purge_failed(cfg->base_url, "curl_easy_init failed");
		return;
	}
	CURL *c = s->purge_curl;
	char *url = store_purge_url(cfg->base_url, key);
	char why[CURL_ERROR_SIZE] = "";
	long status = 0;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, cfg->method && *cfg->method ? cfg->method : "PURGE");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, cfg->timeout_ms > 0 ? (long)cfg->timeout_ms : 5000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, cfg->timeout_ms > 0 ? (long)cfg->timeout_ms : 5000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK) {
		log_purge_failed(url, *why ? why : curl_easy_strerror(rc));
	} else if ((status < 200 || status > 299) && status != 404) {
		/* 404: nothing was cached under that URL, which is what a purge wants. */
		char msg[64];
		snprintf(msg, sizeof(msg), "HTTP status %ld", status);
		log_purge_failed(url, msg);
	} else {
		struct logline l;
		log_start(&l, "debug", "purged");
		log_str(&l, "url", url);
		log_int(&l, "status", status);
		log_end(&l);
	}
	free(url);
}

void store_purge_release(struct store *s)
{
	if (s->purge_curl)
		curl_easy_cleanup(s->purge_curl);
	s->purge_curl = NULL;
}
