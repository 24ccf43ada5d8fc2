/*
 * cachekey: the key of a per-file output in the output cache: the sha256,
 * in lower-case hex, of everything that output depends on (filecache.c).
 */
#ifndef REMOTEGEN_CACHEKEY_H
#define REMOTEGEN_CACHEKEY_H

#include "util.h"

struct cache_key {
	char hex[SHA256_HEX_SIZE];
};

#endif
