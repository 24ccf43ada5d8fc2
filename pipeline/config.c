/*
 * config: every environment variable remotegen reads, in one place (see
 * config.h).
 */
#include "config.h"
#include "npmpkg.h"
#include "num.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The value of environment variable name when set and not empty, else def. */
static const char *env(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

static int env_number(const char *name, long long def, long long min, long long max, long long *out, char *err)
{
	const char *v = env(name, NULL);
	*out = def;
	if (v && num_parse(name, v, min, max, out, NULL) < 0)
		return err_set(err, "%s=%s: expected a number from %lld to %lld", name, v, min, max);
	return 0;
}

int config_load(struct config *cfg, char *err)
{
	char cwd[4096];
	long long s3_attempts;
	*cfg = (struct config){ 0 };
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), ".");
	snprintf(cfg->store_default, sizeof(cfg->store_default), "file://%s/remotegen-store", cwd);
	cfg->database = env("REMOTEGEN_DATABASE_URL", "");
	cfg->store = env("REMOTEGEN_STORE", cfg->store_default);
	cfg->go_prefix = env("REMOTEGEN_GO_PREFIX", DEFAULT_GO_PREFIX);
	cfg->npm_scope = env("REMOTEGEN_NPM_SCOPE", NPMPKG_DEFAULT_SCOPE);
	cfg->npm_url = env("REMOTEGEN_NPM_URL", NULL);
	cfg->metrics_file = env("REMOTEGEN_METRICS_FILE", NULL);

	cfg->store_cfg.s3 = (struct store_s3_config){
		.endpoint = env("REMOTEGEN_S3_ENDPOINT", NULL),
		.region = env("REMOTEGEN_S3_REGION", env("AWS_REGION", "us-east-1")),
		.addressing = env("REMOTEGEN_S3_ADDRESSING", NULL),
		.creds = {
			.access_key = env("AWS_ACCESS_KEY_ID", NULL),
			.secret_key = env("AWS_SECRET_ACCESS_KEY", NULL),
			.session_token = env("AWS_SESSION_TOKEN", NULL),
			.credentials_file = env("AWS_SHARED_CREDENTIALS_FILE", NULL),
			.home = env("HOME", NULL),
			.profile = env("AWS_PROFILE", NULL),
			.web_identity_token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE", NULL),
			.role_arn = env("AWS_ROLE_ARN", NULL),
			.role_session_name = env("AWS_ROLE_SESSION_NAME", NULL),
			.sts_endpoint = env("AWS_ENDPOINT_URL_STS", NULL),
			.container_relative_uri = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", NULL),
			.container_full_uri = env("AWS_CONTAINER_CREDENTIALS_FULL_URI", NULL),
			.container_token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN", NULL),
			.container_token_file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", NULL),
			.imds_endpoint = env("AWS_EC2_METADATA_SERVICE_ENDPOINT", NULL),
			.imds_disabled = !strcmp(env("AWS_EC2_METADATA_DISABLED", "false"), "true"),
		},
	};
	cfg->store_cfg.purge = (struct store_purge_config){
		.base_url = env("REMOTEGEN_PURGE_URL", NULL),
		.method = env("REMOTEGEN_PURGE_METHOD", "PURGE"),
	};
	cfg->runtime = (struct runtime_config){
		.bwrap = env("REMOTEGEN_BWRAP", NULL),
		.oci_engine = env("REMOTEGEN_OCI_ENGINE", NULL),
		.oci_args = env("REMOTEGEN_OCI_ARGS", NULL),
	};
	cfg->image = (struct image_tools){
		.protoc = env("REMOTEGEN_PROTOC", NULL),
		.path = env("PATH", NULL),
		.tmpdir = env("TMPDIR", NULL),
	};

	/* Numbers: range checks that depend on the command (a lease of at least a
	 * second) are the command's; here only what no command could accept. */
	const long long big = 1LL << 50;
	if (env_number("REMOTEGEN_LEASE_MS", 60000, 0, big, &cfg->lease_ms, err) < 0 ||
	    env_number("REMOTEGEN_RETRY_BASE_MS", 2000, 0, big, &cfg->retry_base_ms, err) < 0 ||
	    env_number("REMOTEGEN_POLL_MS", 2000, 0, big, &cfg->poll_ms, err) < 0 ||
	    env_number("REMOTEGEN_METRICS_INTERVAL_MS", 15000, 0, big, &cfg->metrics_ms, err) < 0 ||
	    env_number("REMOTEGEN_PROGRESS_MS", 30000, 0, big, &cfg->progress_ms, err) < 0 ||
	    env_number("REMOTEGEN_PURGE_TIMEOUT_MS", 5000, 1, big, &cfg->store_cfg.purge.timeout_ms, err) < 0 ||
	    env_number("REMOTEGEN_S3_MAX_ATTEMPTS", 6, 1, 100, &s3_attempts, err) < 0 ||
	    env_number("REMOTEGEN_S3_RETRY_BASE_MS", 200, 0, big, &cfg->store_cfg.s3.retry_base_ms, err) < 0 ||
	    env_number("REMOTEGEN_S3_STALL_MS", 30000, 1000, big, &cfg->store_cfg.s3.stall_ms, err) < 0 ||
	    env_number("REMOTEGEN_S3_DEADLINE_MS", 300000, 1000, big, &cfg->store_cfg.s3.deadline_ms, err) < 0)
		return -1;
	cfg->store_cfg.s3.max_attempts = (int)s3_attempts;
	const char *cache = env("REMOTEGEN_CACHE_SIZE", "1G");
	if (num_parse_size("REMOTEGEN_CACHE_SIZE", cache, big, &cfg->cache_bytes, NULL) < 0)
		return err_set(err,
			       "REMOTEGEN_CACHE_SIZE=%s: expected a size like 512M or 2G (0 turns the "
			       "output cache off)",
			       cache);
	const char *purge = cfg->store_cfg.purge.base_url;
	if (purge && *purge && strncmp(purge, "http://", 7) && strncmp(purge, "https://", 8))
		return err_set(err, "REMOTEGEN_PURGE_URL=%s: expected an http:// or https:// URL (the CDN's)", purge);
	return 0;
}
