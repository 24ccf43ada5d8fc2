/*
 * store_s3: a store in an S3-compatible bucket, through libcurl with
 * CURLOPT_AWS_SIGV4. Owns one curl easy handle (connections are reused
 * across requests), the credentials (never logged; messages name the access
 * key id only) and the retry policy: connection errors, timeouts, 5xx and
 * 429 are retried with exponential backoff and jitter; other 4xx are not.
 *
 * Immutable objects: HEAD first; when the object exists its bytes are
 * fetched and compared (equal: a retry, fine; different: STORE_CONFLICT,
 * nothing written); when it does not, PUT with If-None-Match: * (a 412 from
 * a store that honours it leads to the same comparison). Stores that ignore
 * If-None-Match are covered by the HEAD.
 */
#include "store.h"
#include "text.h"
#include "log.h"
#include "jitter.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct store_s3 {
	struct store base;
	char *scheme_host; /* "http://127.0.0.1:9000" or "https://bucket.s3.eu-west-1.amazonaws.com" */
	char *bucket_path; /* "/bucket" (path style) or "" (virtual hosted) */
	char *key_prefix;  /* "prefix/" or "" */
	char *region;
	char *sigv4;   /* "aws:amz:<region>:s3" */
	char *userpwd; /* "<access key>:<secret>" of creds */
	struct store_awscreds creds;
	struct store_awscreds_config creds_cfg; /* to ask again before temporary credentials expire */
	CURL *curl;
	int max_attempts;
	long long base_ms;
	long long stall_ms, deadline_ms;
	const volatile sig_atomic_t *abort;
	const volatile sig_atomic_t *reload;
	sig_atomic_t reload_seen;
};

/*
 * Percent-encodes s as SigV4 wants it: RFC 3986 unreserved characters kept,
 * '/' kept too when keep_slash (an object key in a path), everything else %XX.
 */
static void uri_encode(struct buf *out, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/')) {
			buf_addc(out, (char)*p);
		} else {
			buf_addc(out, '%');
			buf_addc(out, hex[*p >> 4]);
			buf_addc(out, hex[*p & 15]);
		}
	}
}

static size_t on_body(char *ptr, size_t size, size_t n, void *ud)
{
	buf_add(ud, ptr, size * n);
	return size * n;
}

struct upload {
	const char *data;
	size_t len, off;
};

static size_t on_read(char *ptr, size_t size, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t want = size * n, left = u->len - u->off;
	if (want > left)
		want = left;
	memcpy(ptr, u->data + u->off, want);
	u->off += want;
	return want;
}

/* "<Code>X</Code>" and "<Message>Y</Message>" of an S3 error body, for messages. */
static void s3_error_text(const struct buf *body, char *out, size_t outsz)
{
	const char *c = body->data ? strstr(body->data, "<Code>") : NULL;
	const char *m = body->data ? strstr(body->data, "<Message>") : NULL;
	const char *ce = c ? strstr(c, "</Code>") : NULL;
	const char *me = m ? strstr(m, "</Message>") : NULL;
	if (c && ce && m && me)
		snprintf(out, outsz, "%.*s: %.*s", (int)(ce - c - 6), c + 6, (int)(me - m - 9), m + 9);
	else if (c && ce)
		snprintf(out, outsz, "%.*s", (int)(ce - c - 6), c + 6);
	else
		snprintf(out, outsz, "no error details");
}

/* Waits before the next attempt, in steps, so that an abort ends the wait. */
static void sleep_backoff(const struct store_s3 *s, int attempt)
{
	long long d = s->base_ms << (attempt < 10 ? attempt : 10);
	if (d > 5000)
		d = 5000;
	d = jitter_spread(d);
	for (long long waited = 0; waited < d && !(s->abort && *s->abort); waited += 50)
		usleep((useconds_t)((d - waited < 50 ? d - waited : 50) * 1000));
}

/* curl's progress callback: a non-zero return ends the transfer (CURLE_ABORTED_BY_CALLBACK). */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const struct store_s3 *s = arg;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return s->abort && *s->abort;
}

enum {
	M_GET,
	M_HEAD,
	M_PUT
};

/*
 * One request with retries. Fills *status (HTTP status, 0 if none) and
 * appends the response body to out (may be NULL). Returns 0 when an HTTP
 * response arrived (any status), STORE_ERR when none did after all attempts.
 */
static int s3_request_url(struct store_s3 *s, int method, const char *key, const char *query, const void *data,
			  size_t len, const char *content_type, int if_none_match, struct buf *out, long *status,
			  char *err);

/* Appends "name: value" to h, whatever its length. */
static struct curl_slist *add_header(struct curl_slist *h, const char *name, const char *value)
{
	char *line = xasprintf("%s: %s", name, value);
	struct curl_slist *n = curl_slist_append(h, line);
	free(line);
	if (!n)
		abort(); /* out of memory, as xmalloc */
	return n;
}

static int s3_request(struct store_s3 *s, int method, const char *key, const void *data, size_t len,
		      const char *content_type, int if_none_match, struct buf *out, long *status, char *err)
{
	return s3_request_url(s, method, key, NULL, data, len, content_type, if_none_match, out, status, err);
}

/*
 * Temporary credentials are asked for again five minutes before they expire,
 * and all of them after SIGHUP. Returns 0, or -1 when they expired and no new
 * ones come (err set).
 */
static int fresh_credentials(struct store_s3 *s, char *err)
{
	long long now = (long long)time(NULL);
	int asked = s->reload && *s->reload != s->reload_seen;
	if (asked)
		s->reload_seen = *s->reload;
	if (!asked && !store_awscreds_due(&s->creds, now, 300))
		return 0;
	struct store_awscreds next;
	char why[ERR_SIZE];
	if (store_awscreds_resolve(&s->creds_cfg, &next, why) < 0) {
		if (!s->creds.expires_s || now < s->creds.expires_s) {
			/* the old ones still work: keep them, try again on the next request */
			struct logline l;
			log_start(&l, "warn", "credentials_refresh_failed");
			log_str(&l, "store", s->base.url);
			log_str(&l, "reason", why);
			log_end(&l);
			return 0;
		}
		return err_set(err, "store %s: the credentials from %s expired and none came to replace them: %s",
			       s->base.url, s->creds.source, why);
	}
	store_awscreds_release(&s->creds);
	s->creds = next;
	OPENSSL_cleanse(s->userpwd, strlen(s->userpwd));
	free(s->userpwd);
	s->userpwd = xasprintf("%s:%s", s->creds.access_key, s->creds.secret_key);
	struct logline l;
	log_start(&l, "info", "credentials_refreshed");
	log_str(&l, "store", s->base.url);
	log_str(&l, "source", s->creds.source);
	log_int(&l, "expires_in_s", s->creds.expires_s ? s->creds.expires_s - now : 0);
	log_end(&l);
	return 0;
}

/* key NULL: the bucket itself, with query (already encoded, parameters in sorted order). */
static int s3_request_url(struct store_s3 *s, int method, const char *key, const char *query, const void *data,
			  size_t len, const char *content_type, int if_none_match, struct buf *out, long *status,
			  char *err)
{
	struct buf url = BUF_INIT, body = BUF_INIT;
	struct curl_slist *h = NULL;
	char hash[SHA256_HEX_SIZE], cerr[CURL_ERROR_SIZE];
	int rc = STORE_ERR;
	*status = 0;
	if (fresh_credentials(s, err) < 0)
		return STORE_FATAL;

	buf_adds(&url, s->scheme_host);
	buf_adds(&url, s->bucket_path);
	if (key || !*s->bucket_path)
		buf_addc(&url, '/'); /* the bucket itself is "/bucket" path-style, "/" virtual-hosted */
	if (key) {
		uri_encode(&url, s->key_prefix, 1);
		uri_encode(&url, key, 1);
	}
	if (query) {
		buf_addc(&url, '?');
		buf_adds(&url, query);
	}
	if (!key)
		key = "(bucket)";
	util_sha256_hex(data ? data : "", data ? len : 0, hash);
	/* Header lines of any length (session tokens run to kilobytes): curl copies each. */
	h = add_header(h, "x-amz-content-sha256", hash);
	if (s->creds.session_token)
		h = add_header(h, "x-amz-security-token", s->creds.session_token);
	if (method == M_PUT) {
		h = add_header(h, "Content-Type", content_type);
		h = add_header(h, "Cache-Control", if_none_match ? STORE_CACHE_IMMUTABLE : STORE_CACHE_INDEX);
		if (if_none_match)
			h = curl_slist_append(h, "If-None-Match: *");
	}
	const char *verb = method == M_PUT ? "PUT" : method == M_HEAD ? "HEAD" : "GET";
	*status = 0;
	long long deadline = util_now_ms() + s->deadline_ms;
	for (int attempt = 0; attempt < s->max_attempts; attempt++) {
		long long left = deadline - util_now_ms();
		if (attempt && (left <= 0 || (s->abort && *s->abort)))
			break; /* err says why the last attempt failed */
		struct upload up = { data, len, 0 };
		CURL *c = s->curl;
		curl_easy_reset(c);
		buf_reset(&body);
		cerr[0] = '\0';
		curl_easy_setopt(c, CURLOPT_URL, url.data);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s->sigv4);
		curl_easy_setopt(c, CURLOPT_USERPWD, s->userpwd);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
		/* No attempt outlives the request's deadline; a stalled one ends after stall_ms. */
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(left > 1000 ? left : 1000));
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)((s->stall_ms + 999) / 1000));
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		if (method == M_HEAD)
			curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		if (method == M_PUT) {
			curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(c, CURLOPT_READDATA, &up);
			curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
		}
		CURLcode cc = curl_easy_perform(c);
		if (cc != CURLE_OK) {
			err_set(err, "store %s: %s %s: %s", s->base.url, verb, key,
				cerr[0] ? cerr : curl_easy_strerror(cc));
			if (attempt + 1 < s->max_attempts)
				sleep_backoff(s, attempt);
			continue;
		}
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
		if (*status >= 500 || *status == 429) {
			char detail[300];
			s3_error_text(&body, detail, sizeof(detail));
			err_set(err, "store %s: %s %s: HTTP %ld (%s)", s->base.url, verb, key, *status, detail);
			if (attempt + 1 < s->max_attempts)
				sleep_backoff(s, attempt);
			continue;
		}
		if (out)
			buf_add(out, body.data, body.len);
		rc = 0;
		break;
	}
	curl_slist_free_all(h);
	buf_release(&url);
	buf_release(&body);
	return rc;
}

/* Turns an unexpected status into an error message and code. */
static int status_error(struct store_s3 *s, const char *what, const char *key, long status, const struct buf *body,
			char *err)
{
	char detail[300];
	s3_error_text(body, detail, sizeof(detail));
	if (status == 403 || status == 401) {
		err_set(err,
			"store %s: %s %s: HTTP %ld (%s): check the credentials of access key %s "
			"(from %s%s) and the bucket policy",
			s->base.url, what, key, status, detail, s->creds.access_key, s->creds.source,
			s->creds.session_token ? " / a session token" : "");
		return STORE_FATAL;
	}
	if (status == 404) {
		err_set(err, "store %s: %s %s: HTTP 404 (%s): does the bucket exist?", s->base.url, what, key, detail);
		return STORE_FATAL;
	}
	err_set(err, "store %s: %s %s: HTTP %ld (%s)", s->base.url, what, key, status, detail);
	return status >= 400 && status < 500 && status != 408 ? STORE_FATAL : STORE_ERR;
}

static int s3_get(struct store *base, const char *key, struct buf *out, char *err)
{
	struct store_s3 *s = (struct store_s3 *)base;
	struct buf body = BUF_INIT;
	long status;
	int rc = s3_request(s, M_GET, key, NULL, 0, NULL, 0, &body, &status, err);
	if (rc == 0) {
		if (status == 200)
			buf_add(out, body.data, body.len);
		else if (status == 404 && body.data && strstr(body.data, "NoSuchKey"))
			rc = 1;
		else
			rc = status_error(s, "GET", key, status, &body, err);
	}
	buf_release(&body);
	return rc;
}

/* Compares the stored object with data: 1 equal, STORE_CONFLICT different, other errors. */
static int compare_existing(struct store_s3 *s, const char *key, const void *data, size_t len, char *err)
{
	struct buf old = BUF_INIT;
	int rc = s3_get(&s->base, key, &old, err);
	if (rc == 0) {
		if (old.len == len && (len == 0 || !memcmp(old.data, data, len)))
			rc = 1;
		else {
			err_set(err,
				"store %s: refusing to overwrite %s: it already exists with different "
				"content (%zu bytes stored, %zu bytes new); published files never change",
				s->base.url, key, old.len, len);
			rc = STORE_CONFLICT;
		}
	} else if (rc == 1) {
		rc = err_set(err, "store %s: %s vanished while being checked", s->base.url, key);
	}
	buf_release(&old);
	return rc;
}

static int s3_put(struct store *base, const char *key, const void *data, size_t len, const char *content_type, int once,
		  char *err)
{
	struct store_s3 *s = (struct store_s3 *)base;
	struct buf body = BUF_INIT;
	long status;
	int rc;
	if (once) {
		rc = s3_request(s, M_HEAD, key, NULL, 0, NULL, 0, NULL, &status, err);
		if (rc < 0)
			goto out;
		if (status == 200) {
			rc = compare_existing(s, key, data, len, err);
			goto out;
		}
		if (status != 404) {
			rc = status_error(s, "HEAD", key, status, &body, err);
			goto out;
		}
	}
	rc = s3_request(s, M_PUT, key, data, len, content_type, once, &body, &status, err);
	if (rc < 0)
		goto out;
	if (status == 200 || status == 201 || status == 204)
		rc = 0;
	else if (once && status == 412)
		rc = compare_existing(s, key, data, len, err);
	else
		rc = status_error(s, "PUT", key, status, &body, err);
out:
	buf_release(&body);
	return rc;
}

static int s3_put_immutable(struct store *base, const char *key, const void *data, size_t len, const char *content_type,
			    char *err)
{
	return s3_put(base, key, data, len, content_type, 1, err);
}

static int s3_put_mutable(struct store *base, const char *key, const void *data, size_t len, const char *content_type,
			  char *err)
{
	return s3_put(base, key, data, len, content_type, 0, err);
}

/* Appends the text of each <tag>...</tag> of xml (XML entities decoded) to out. */
void store_s3_xml_values(const char *xml, const char *tag, struct strvec *out)
{
	char open[64], close[64];
	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	for (const char *p = xml; p && (p = strstr(p, open));) {
		p += strlen(open);
		const char *e = strstr(p, close);
		if (!e)
			break;
		struct buf v = BUF_INIT;
		for (const char *q = p; q < e; q++) {
			static const struct {
				const char *ent;
				char c;
			} ents[] = { { "&amp;", '&' },
				     { "&lt;", '<' },
				     { "&gt;", '>' },
				     { "&quot;", '"' },
				     { "&apos;", '\'' } };
			size_t k;
			for (k = 0; k < 5; k++)
				if (!strncmp(q, ents[k].ent, strlen(ents[k].ent)))
					break;
			if (k < 5) {
				buf_addc(&v, ents[k].c);
				q += strlen(ents[k].ent) - 1;
			} else {
				buf_addc(&v, *q);
			}
		}
		strvec_push_owned(out, buf_detach(&v, NULL));
		p = e;
	}
}

static int s3_list(struct store *base, struct strvec *keys, char *err)
{
	struct store_s3 *s = (struct store_s3 *)base;
	struct strvec token = STRVEC_INIT;
	int rc = 0;
	for (int page = 0; page < 100000; page++) {
		struct buf q = BUF_INIT, body = BUF_INIT;
		struct strvec found = STRVEC_INIT, truncated = STRVEC_INIT;
		long status;
		if (token.n) {
			buf_adds(&q, "continuation-token=");
			uri_encode(&q, token.v[0], 0);
			buf_addc(&q, '&');
		}
		buf_adds(&q, "list-type=2&prefix=");
		uri_encode(&q, s->key_prefix, 0);
		rc = s3_request_url(s, M_GET, NULL, q.data, NULL, 0, NULL, 0, &body, &status, err);
		if (rc == 0 && status != 200)
			rc = status_error(s, "LIST", s->key_prefix, status, &body, err);
		if (rc == 0) {
			store_s3_xml_values(body.data, "Key", &found);
			size_t plen = strlen(s->key_prefix);
			for (size_t i = 0; i < found.n && rc == 0; i++) {
				if (strncmp(found.v[i], s->key_prefix, plen)) {
					char key[200];
					text_clean(key, sizeof(key), found.v[i]);
					rc = err_set(err,
						     "store %s: LIST answered a key outside the prefix \"%s\": \"%s\"",
						     s->base.url, s->key_prefix, key);
					break;
				}
				strvec_push(keys, found.v[i] + plen);
			}
			store_s3_xml_values(body.data, "IsTruncated", &truncated);
			strvec_clear(&token);
			if (truncated.n && !strcmp(truncated.v[0], "true"))
				store_s3_xml_values(body.data, "NextContinuationToken", &token);
		}
		strvec_clear(&found);
		strvec_clear(&truncated);
		buf_release(&q);
		buf_release(&body);
		if (rc < 0 || !token.n)
			break;
	}
	strvec_clear(&token);
	return rc;
}

static void s3_free(struct store *base)
{
	struct store_s3 *s = (struct store_s3 *)base;
	if (s->curl)
		curl_easy_cleanup(s->curl);
	free(s->scheme_host);
	free(s->bucket_path);
	free(s->key_prefix);
	free(s->region);
	free(s->sigv4);
	if (s->userpwd) {
		OPENSSL_cleanse(s->userpwd, strlen(s->userpwd));
		free(s->userpwd);
	}
	store_awscreds_release(&s->creds);
	free(s->base.url);
	free(s);
}

static const struct store_ops s3_ops = {
	.scheme = "s3",
	.directory_keys = 1,
	.put_immutable = s3_put_immutable,
	.put_mutable = s3_put_mutable,
	.get = s3_get,
	.list = s3_list,
	.free = s3_free,
};

int store_s3_open(const char *url, const struct store_s3_config *cfg, struct store **out, char *err)
{
	const char *rest = url + 5, *slash = strchr(rest, '/');
	size_t blen = slash ? (size_t)(slash - rest) : strlen(rest);
	const char *region = cfg->region;
	const char *endpoint = cfg->endpoint;
	const char *addressing = cfg->addressing;
	char *prefix = NULL;

	*out = NULL;
	if (blen == 0 || blen > 63)
		return err_set(err, "store %s: expected s3://BUCKET/PREFIX", url);
	for (size_t i = 0; i < blen; i++)
		if (!((rest[i] >= 'a' && rest[i] <= 'z') || (rest[i] >= '0' && rest[i] <= '9') || rest[i] == '-' ||
		      rest[i] == '.'))
			return err_set(err, "store %s: invalid bucket name %.*s", url, (int)blen, rest);
	if (addressing && strcmp(addressing, "path") && strcmp(addressing, "virtual"))
		return err_set(err, "store %s: REMOTEGEN_S3_ADDRESSING must be path or virtual", url);
	/* Default: path style against a custom endpoint, virtual-hosted against AWS. */
	int path_style = addressing ? !strcmp(addressing, "path") : endpoint != NULL;
	char *default_ep = NULL;
	if (!endpoint)
		endpoint = default_ep = xasprintf("https://s3.%s.amazonaws.com", region);
	if (strncmp(endpoint, "http://", 7) && strncmp(endpoint, "https://", 8)) {
		free(default_ep);
		return err_set(err, "store %s: REMOTEGEN_S3_ENDPOINT %s must start with http:// or https://", url,
			       endpoint);
	}
	prefix = xstrdup(slash ? slash + 1 : "");
	while (*prefix && prefix[strlen(prefix) - 1] == '/')
		prefix[strlen(prefix) - 1] = '\0';

	struct store_s3 *s = xcalloc(1, sizeof(*s));
	s->base.ops = &s3_ops;
	s->base.url = xstrdup(url);
	s->region = xstrdup(region);
	s->sigv4 = xasprintf("aws:amz:%s:s3", region);
	s->creds_cfg = cfg->creds;
	char why[ERR_SIZE];
	if (store_awscreds_resolve(&s->creds_cfg, &s->creds, why) < 0) {
		err_set(err, "store %s: %s", url, why);
		s->curl = NULL;
		free(prefix);
		free(default_ep);
		s3_free(&s->base);
		return -1;
	}
	s->userpwd = xasprintf("%s:%s", s->creds.access_key, s->creds.secret_key);
	s->max_attempts = cfg->max_attempts;
	s->base_ms = cfg->retry_base_ms;
	s->stall_ms = cfg->stall_ms > 0 ? cfg->stall_ms : 30000;
	s->deadline_ms = cfg->deadline_ms > 0 ? cfg->deadline_ms : 300000;
	s->abort = cfg->abort;
	s->reload = cfg->reload;
	s->reload_seen = cfg->reload ? *cfg->reload : 0;
	if (s->max_attempts < 1)
		s->max_attempts = 1;
	char *ep_trim = xstrdup(endpoint);
	while (*ep_trim && ep_trim[strlen(ep_trim) - 1] == '/')
		ep_trim[strlen(ep_trim) - 1] = '\0';
	s->key_prefix = *prefix ? xasprintf("%s/", prefix) : xstrdup("");
	if (path_style) {
		s->scheme_host = ep_trim;
		s->bucket_path = xasprintf("/%.*s", (int)blen, rest);
	} else {
		const char *host = strstr(ep_trim, "://") + 3;
		s->scheme_host = xasprintf("%.*s%.*s.%s", (int)(host - ep_trim), ep_trim, (int)blen, rest, host);
		free(ep_trim);
		s->bucket_path = xstrdup("");
	}
	free(prefix);
	free(default_ep);
	s->curl = curl_easy_init();
	if (!s->curl) {
		s3_free(&s->base);
		return err_set(err, "store %s: cannot initialise libcurl", url);
	}
	*out = &s->base;
	return 0;
}
