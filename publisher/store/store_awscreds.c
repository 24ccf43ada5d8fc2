/*
 * store_awscreds: the credentials chain (see store_awscreds.h).
 */
#include "store_awscreds.h"
#include "fsutil.h"
#include "store.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void store_awscreds_release(struct store_awscreds *c)
{
	if (c->secret_key)
		explicit_bzero(c->secret_key, strlen(c->secret_key));
	free(c->access_key);
	free(c->secret_key);
	free(c->session_token);
	memset(c, 0, sizeof(*c));
}

int store_awscreds_due(const struct store_awscreds *c, long long now_s, long long margin_s)
{
	return c->expires_s && now_s >= c->expires_s - margin_s;
}

static void set(struct store_awscreds *c, const char *ak, const char *sk, const char *token, long long expires_s)
{
	c->access_key = xstrdup(ak);
	c->secret_key = xstrdup(sk);
	c->session_token = token && *token ? xstrdup(token) : NULL;
	c->expires_s = expires_s;
}

/* "2026-12-02T21:30:00Z" (or with fractions) as seconds since the epoch; 0 when it does not parse. */
static long long parse_time(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return (long long)timegm(&tm);
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	buf_add(arg, p, size * n);
	return size * n;
}

/* One HTTP request (1 s to connect, 5 s in all). Returns 0 with *status set, or -1 (err set). */
static int http(const char *method, const char *url, const char *header, struct buf *out, long *status, char *err)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = header ? curl_slist_append(NULL, header) : NULL;
	char cerr[CURL_ERROR_SIZE] = "";
	if (!c)
		return err_set(err, "out of memory");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return err_set(err, "%s", cerr[0] ? cerr : curl_easy_strerror(rc));
	return 0;
}

/* The [profile] section of an INI credentials file: 1 found, 0 not there, -1 error (err set). */
static int from_profile(const struct store_awscreds_config *cfg, struct store_awscreds *out, char *err)
{
	char *path = cfg->credentials_file ? xstrdup(cfg->credentials_file)
		     : cfg->home	   ? xasprintf("%s/.aws/credentials", cfg->home)
					   : NULL;
	const char *profile = cfg->profile && *cfg->profile ? cfg->profile : "default";
	struct buf text = BUF_INIT;
	char why[ERR_SIZE];
	int rc = 0;
	if (!path)
		return 0;
	if (access(path, F_OK) != 0 && !cfg->credentials_file && !cfg->profile)
		goto out; /* no file where none was asked for: the chain goes on */
	if (fs_read_file(path, &text, why) < 0) {
		rc = err_set(err, "credentials file %s: %s", path, why);
		goto out;
	}
	char *ak = NULL, *sk = NULL, *token = NULL, *save = NULL;
	int in = 0;
	buf_addc(&text, '\0');
	for (char *line = strtok_r(text.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		size_t n = strlen(line);
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		if (line[0] == '[') {
			in = n == strlen(profile) + 2 && !strncmp(line + 1, profile, strlen(profile)) &&
			     line[n - 1] == ']';
			continue;
		}
		char *eq = strchr(line, '=');
		if (!in || !eq || line[0] == '#' || line[0] == ';')
			continue;
		char *k = line, *v = eq + 1;
		char *ke = eq;
		while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		*ke = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		if (!strcmp(k, "aws_access_key_id"))
			ak = v;
		else if (!strcmp(k, "aws_secret_access_key"))
			sk = v;
		else if (!strcmp(k, "aws_session_token"))
			token = v;
	}
	if (ak && sk) {
		set(out, ak, sk, token, 0);
		snprintf(out->source, sizeof(out->source), "profile %s", profile);
		rc = 1;
	} else if (cfg->profile) {
		rc = err_set(err, "credentials file %s: profile %s has no aws_access_key_id and aws_secret_access_key",
			     path, profile);
	}
out:
	free(path);
	buf_release(&text);
	return rc;
}

/* STS AssumeRoleWithWebIdentity with the token in the file. 1, 0 (not configured) or -1. */
static int from_web_identity(const struct store_awscreds_config *cfg, struct store_awscreds *out, char *err)
{
	if (!cfg->web_identity_token_file || !cfg->role_arn)
		return 0;
	struct buf tok = BUF_INIT, url = BUF_INIT, body = BUF_INIT;
	struct strvec ak = STRVEC_INIT, sk = STRVEC_INIT, st = STRVEC_INIT, exp = STRVEC_INIT;
	char why[ERR_SIZE];
	long status = 0;
	int rc = -1;
	if (fs_read_file(cfg->web_identity_token_file, &tok, why) < 0) {
		err_set(err, "web identity token file %s: %s", cfg->web_identity_token_file, why);
		goto out;
	}
	while (tok.len && (tok.data[tok.len - 1] == '\n' || tok.data[tok.len - 1] == '\r'))
		tok.data[--tok.len] = '\0';
	CURL *c = curl_easy_init();
	char *e_role = curl_easy_escape(c, cfg->role_arn, 0);
	char *e_name = curl_easy_escape(c, cfg->role_session_name ? cfg->role_session_name : "remotegen", 0);
	char *e_tok = curl_easy_escape(c, tok.data ? tok.data : "", (int)tok.len);
	const char *sts = cfg->sts_endpoint ? cfg->sts_endpoint : "https://sts.amazonaws.com";
	buf_printf(&url,
		   "%s/?Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=%s&RoleSessionName=%s"
		   "&WebIdentityToken=%s",
		   sts, e_role, e_name, e_tok);
	curl_free(e_role);
	curl_free(e_name);
	curl_free(e_tok);
	curl_easy_cleanup(c);
	if (http("GET", url.data, NULL, &body, &status, why) < 0) {
		err_set(err, "web identity: STS %s: %s", sts, why);
		goto out;
	}
	buf_addc(&body, '\0');
	body.len--;
	store_s3_xml_values(body.data, "AccessKeyId", &ak);
	store_s3_xml_values(body.data, "SecretAccessKey", &sk);
	store_s3_xml_values(body.data, "SessionToken", &st);
	store_s3_xml_values(body.data, "Expiration", &exp);
	if (status != 200 || !ak.n || !sk.n) {
		struct strvec msg = STRVEC_INIT;
		store_s3_xml_values(body.data, "Message", &msg);
		err_set(err, "web identity: STS %s answered HTTP %ld%s%s", sts, status, msg.n ? ": " : "",
			msg.n ? msg.v[0] : "");
		strvec_clear(&msg);
		goto out;
	}
	set(out, ak.v[0], sk.v[0], st.n ? st.v[0] : NULL, exp.n ? parse_time(exp.v[0]) : 0);
	snprintf(out->source, sizeof(out->source), "web identity");
	rc = 1;
out:
	buf_release(&tok);
	buf_release(&url);
	buf_release(&body);
	strvec_clear(&ak);
	strvec_clear(&sk);
	strvec_clear(&st);
	strvec_clear(&exp);
	return rc;
}

/*
 * The JSON both metadata services answer (AccessKeyId, SecretAccessKey,
 * Token, Expiration) into out, from source. 0, or -1 when the keys are missing.
 */
static int from_json(const struct buf *doc, const char *source, struct store_awscreds *out)
{
	json_error_t je;
	json_t *j = json_loadb(doc->data ? doc->data : "", doc->len, 0, &je);
	const char *ak = json_string_value(json_object_get(j, "AccessKeyId"));
	const char *sk = json_string_value(json_object_get(j, "SecretAccessKey"));
	int rc = -1;
	if (ak && sk) {
		set(out, ak, sk, json_string_value(json_object_get(j, "Token")),
		    parse_time(json_string_value(json_object_get(j, "Expiration"))));
		snprintf(out->source, sizeof(out->source), "%s", source);
		rc = 0;
	}
	json_decref(j);
	return rc;
}

/*
 * 1 when url may carry container credentials: https anywhere, plain http only
 * to loopback or the link-local addresses ECS and EKS Pod Identity use (the
 * rule the AWS SDKs apply, so a misconfigured URI cannot send the
 * authorization token across a network in the clear).
 */
static int container_url_allowed(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ok = 0;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		static const char *const local[] = { "localhost", "[::1]", "169.254.170.2", "169.254.170.23",
						     "[fd00:ec2::23]" };
		ok = !strcmp(scheme, "https") || !strncmp(host, "127.", 4);
		for (size_t i = 0; !ok && i < sizeof(local) / sizeof(local[0]); i++)
			ok = !strcmp(host, local[i]);
		ok = ok && (!strcmp(scheme, "https") || !strcmp(scheme, "http"));
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/*
 * The ECS (and EKS Pod Identity) container endpoint:
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI below http://169.254.170.2, or
 * AWS_CONTAINER_CREDENTIALS_FULL_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN
 * (or the contents of ..._TOKEN_FILE) as the Authorization header.
 * 1 found, 0 not configured, -1 error (err set).
 */
static int from_container(const struct store_awscreds_config *cfg, struct store_awscreds *out, char *err)
{
	struct buf doc = BUF_INIT, tok = BUF_INIT;
	char *url = NULL, *hdr = NULL, why[ERR_SIZE];
	long status = 0;
	int rc = -1;
	if (cfg->container_relative_uri && *cfg->container_relative_uri)
		url = xasprintf("http://169.254.170.2%s", cfg->container_relative_uri);
	else if (cfg->container_full_uri && *cfg->container_full_uri)
		url = xstrdup(cfg->container_full_uri);
	else
		return 0;
	if (!container_url_allowed(url)) {
		err_set(err,
			"container credentials: %s is neither https nor a loopback or container-link address; "
			"AWS_CONTAINER_CREDENTIALS_FULL_URI is refused",
			url);
		goto out;
	}
	if (cfg->container_token_file && *cfg->container_token_file) {
		if (fs_read_file(cfg->container_token_file, &tok, why) < 0) {
			err_set(err, "container credentials: authorization token file %s: %s",
				cfg->container_token_file, why);
			goto out;
		}
		buf_addc(&tok, '\0');
		tok.data[strcspn(tok.data, "\r\n")] = '\0';
		hdr = xasprintf("Authorization: %s", tok.data);
	} else if (cfg->container_token && *cfg->container_token) {
		hdr = xasprintf("Authorization: %s", cfg->container_token);
	}
	if (http("GET", url, hdr, &doc, &status, why) < 0) {
		err_set(err, "container credentials %s: %s", url, why);
		goto out;
	}
	if (status != 200) {
		err_set(err, "container credentials %s: HTTP %ld", url, status);
		goto out;
	}
	if (from_json(&doc, "container", out) < 0) {
		err_set(err, "container credentials %s: no AccessKeyId/SecretAccessKey", url);
		goto out;
	}
	rc = 1;
out:
	if (hdr)
		explicit_bzero(hdr, strlen(hdr));
	if (tok.data)
		explicit_bzero(tok.data, tok.len);
	free(url);
	free(hdr);
	buf_release(&doc);
	buf_release(&tok);
	return rc;
}

/* IMDSv2: a session token, the role's name, its credentials. 1 or -1. */
static int from_imds(const struct store_awscreds_config *cfg, struct store_awscreds *out, char *err)
{
	const char *ep = cfg->imds_endpoint ? cfg->imds_endpoint : "http://169.254.169.254";
	struct buf token = BUF_INIT, role = BUF_INIT, doc = BUF_INIT;
	char *url = NULL, *hdr = NULL, why[ERR_SIZE];
	long status = 0;
	int rc = -1;
	url = xasprintf("%s/latest/api/token", ep);
	if (http("PUT", url, "X-aws-ec2-metadata-token-ttl-seconds: 21600", &token, &status, why) < 0 ||
	    status != 200 || !token.len) {
		err_set(err, "instance metadata %s: %s", ep, status ? "no session token" : why);
		goto out;
	}
	buf_addc(&token, '\0');
	hdr = xasprintf("X-aws-ec2-metadata-token: %s", token.data);
	free(url);
	url = xasprintf("%s/latest/meta-data/iam/security-credentials/", ep);
	if (http("GET", url, hdr, &role, &status, why) < 0 || status != 200 || !role.len) {
		err_set(err, "instance metadata %s: no IAM role (HTTP %ld)", ep, status);
		goto out;
	}
	buf_addc(&role, '\0');
	role.data[strcspn(role.data, "\r\n")] = '\0';
	free(url);
	url = xasprintf("%s/latest/meta-data/iam/security-credentials/%s", ep, role.data);
	if (http("GET", url, hdr, &doc, &status, why) < 0 || status != 200) {
		err_set(err, "instance metadata %s: credentials of role %s: HTTP %ld", ep, role.data, status);
		goto out;
	}
	if (from_json(&doc, "instance metadata", out) == 0)
		rc = 1;
	else
		err_set(err, "instance metadata %s: credentials of role %s: no AccessKeyId/SecretAccessKey", ep,
			role.data);
out:
	free(url);
	free(hdr);
	buf_release(&token);
	buf_release(&role);
	buf_release(&doc);
	return rc;
}

int store_awscreds_resolve(const struct store_awscreds_config *cfg, struct store_awscreds *out, char *err)
{
	char why[ERR_SIZE];
	memset(out, 0, sizeof(*out));
	if (cfg->access_key && cfg->secret_key) {
		set(out, cfg->access_key, cfg->secret_key, cfg->session_token, 0);
		snprintf(out->source, sizeof(out->source), "environment");
		return 0;
	}
	int rc = from_profile(cfg, out, why);
	if (rc != 0)
		return rc > 0 ? 0 : err_set(err, "%s", why);
	rc = from_web_identity(cfg, out, why);
	if (rc != 0)
		return rc > 0 ? 0 : err_set(err, "%s", why);
	rc = from_container(cfg, out, why);
	if (rc != 0)
		return rc > 0 ? 0 : err_set(err, "%s", why);
	if (cfg->imds_disabled)
		return err_set(err, "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE "
				    "(credentials file), AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, or "
				    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI (instance metadata is disabled)");
	if (from_imds(cfg, out, why) > 0)
		return 0;
	return err_set(err,
		       "no AWS credentials: not in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), "
		       "no profile in the credentials file, no web identity (AWS_WEB_IDENTITY_TOKEN_FILE, "
		       "AWS_ROLE_ARN), no container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI), and %s",
		       why);
}
