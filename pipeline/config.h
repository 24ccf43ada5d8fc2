/*
 * config: the program's configuration, read once (environment, then
 * defaults; each command's flags override fields afterwards) and handed down
 * to every module that needs a part of it. Nothing else calls getenv.
 */
#ifndef REMOTEGEN_CONFIG_H
#define REMOTEGEN_CONFIG_H

#include "image.h"
#include "runtime.h"
#include "store.h"

#define DEFAULT_GO_PREFIX "gen.example.com/go"

struct config {
	const char *version;	       /* this build (git describe), set by main */
	const char *database;	       /* --database, REMOTEGEN_DATABASE_URL, else libpq's PG* */
	const char *store;	       /* --store, REMOTEGEN_STORE, else file://$PWD/remotegen-store */
	const char *go_prefix;	       /* --go-prefix, REMOTEGEN_GO_PREFIX, else DEFAULT_GO_PREFIX */
	const char *npm_scope;	       /* --npm-scope, REMOTEGEN_NPM_SCOPE, else NPMPKG_DEFAULT_SCOPE */
	const char *npm_url;	       /* --npm-url, REMOTEGEN_NPM_URL, else none */
	const char *metrics_file;      /* --metrics-file, REMOTEGEN_METRICS_FILE, else none */
	long long lease_ms;	       /* REMOTEGEN_LEASE_MS, default 60000 */
	long long retry_base_ms;       /* REMOTEGEN_RETRY_BASE_MS, default 2000 */
	long long poll_ms;	       /* REMOTEGEN_POLL_MS, default 2000 */
	long long metrics_ms;	       /* REMOTEGEN_METRICS_INTERVAL_MS, default 15000 */
	long long progress_ms;	       /* REMOTEGEN_PROGRESS_MS, default 30000: progress lines off a terminal */
	long long cache_bytes;	       /* REMOTEGEN_CACHE_SIZE, default 1G; 0: no output cache */
	struct store_config store_cfg; /* s3: REMOTEGEN_S3_*, AWS_*; purge: REMOTEGEN_PURGE_* */
	struct runtime_config runtime; /* REMOTEGEN_BWRAP, REMOTEGEN_OCI_ENGINE, REMOTEGEN_OCI_ARGS */
	struct image_tools image;      /* REMOTEGEN_PROTOC, PATH, TMPDIR */
	char store_default[4200];
};

/*
 * Fills cfg from the environment and defaults. Returns 0, or -1 when a
 * variable holds what cannot be a value of it (err: "NAME=value: expected ...").
 */
int config_load(struct config *cfg, char *err);

#endif
