/*
 * fuzz_s3_xml: an S3 server's XML answer (a listing, an error), as the S3
 * store reads values out of it.
 */
#include "store.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *xml = malloc(size + 1);
	memcpy(xml, data, size);
	xml[size] = '\0';
	static const char *const tags[] = { "Key", "IsTruncated", "NextContinuationToken", "Code", "Message" };
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		struct strvec v = STRVEC_INIT;
		store_s3_xml_values(xml, tags[i], &v);
		strvec_clear(&v);
	}
	free(xml);
	return 0;
}
