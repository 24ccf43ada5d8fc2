/*
 * fuzz_answer: a plugin's CodeGeneratorResponse, as bytes from outside: read
 * and checked (plugin_read_answer), then merged twice into a file set as a
 * template run merges answers (insertion points into earlier files).
 */
#include "answer.h"
#include "fileset.h"
#include "plugin.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct answer ans = { 0 };
	struct fileset out = FILESET_INIT;
	struct plugin_spec spec = { .label = "fuzz/plugin:v1", .runtime = "exec" };
	enum plugin_failure failure;
	char err[ERR_SIZE];
	if (plugin_read_answer(spec.label, size & 1, data, size, &ans, err) == 0 &&
	    plugin_merge(&spec, &ans, &out, &failure, err) == 0)
		plugin_merge(&spec, &ans, &out, &failure, err);
	answer_release(&ans);
	fileset_release(&out);
	return 0;
}
