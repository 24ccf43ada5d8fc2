/*
 * store_awscreds: the AWS credentials an S3 store signs with, found as the AWS
 * SDKs find them, in this order: the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); the shared credentials file and
 * profile (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials;
 * AWS_PROFILE, default "default"); web identity (AWS_WEB_IDENTITY_TOKEN_FILE
 * and AWS_ROLE_ARN, as EKS/IRSA sets them, through STS
 * AssumeRoleWithWebIdentity); the ECS/EKS container endpoint
 * (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI, with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN or _TOKEN_FILE); EC2 instance metadata
 * (IMDSv2, with a session token). Temporary credentials carry their expiry; the S3 store asks again
 * before they run out. Owns the credentials it returns. Secrets are never
 * logged or put in messages.
 */
#ifndef REMOTEGEN_STORE_AWSCREDS_H
#define REMOTEGEN_STORE_AWSCREDS_H

#include "util.h"

/* Where to look (strings borrowed from the program's configuration; NULL: not set). */
struct store_awscreds_config {
	const char *access_key, *secret_key, *session_token; /* the environment */
	const char *credentials_file;			     /* NULL: $HOME/.aws/credentials */
	const char *home;
	const char *profile; /* NULL: "default" */
	const char *web_identity_token_file, *role_arn, *role_session_name;
	const char *sts_endpoint;				 /* NULL: https://sts.amazonaws.com */
	const char *container_relative_uri, *container_full_uri; /* AWS_CONTAINER_CREDENTIALS_* */
	const char *container_token, *container_token_file;	 /* AWS_CONTAINER_AUTHORIZATION_TOKEN* */
	const char *imds_endpoint;				 /* NULL: http://169.254.169.254 */
	int imds_disabled;					 /* AWS_EC2_METADATA_DISABLED=true */
};

struct store_awscreds {
	char *access_key, *secret_key, *session_token; /* owned; session_token may be NULL */
	long long expires_s;			       /* seconds since the epoch; 0: never */
	char source[96]; /* "environment", "profile NAME", "web identity", "container", "instance metadata" */
};

/* Finds credentials along the chain. Returns 0, or -1 (err says what was tried and why each failed). */
int store_awscreds_resolve(const struct store_awscreds_config *cfg, struct store_awscreds *out, char *err);
/* 1 when c should be asked for again now (temporary, and less than margin_s left). */
int store_awscreds_due(const struct store_awscreds *c, long long now_s, long long margin_s);
/* Frees c's strings, the secret wiped first. */
void store_awscreds_release(struct store_awscreds *c);

#endif
