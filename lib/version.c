/*
 * version: the synthetic version formula (see version.h).
 */
#include "version.h"
#include "util.h"

#include <stdio.h>

char *version_synthetic(long long template_version, long long sequence)
{
	char k[24], n[24];
	snprintf(k, sizeof(k), "%lld", template_version);
	snprintf(n, sizeof(n), "%lld", sequence);
	return xasprintf(VERSION_FORMAT, k, n);
}
