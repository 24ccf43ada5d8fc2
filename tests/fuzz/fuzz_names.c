/*
 * fuzz_names: every check of a name from outside: OWNER/NAME references and
 * plugin versions (names), Go module, import and file paths (x/mod's rules)
 * and escaping, npm package names, scopes and dependency specs, generated
 * file names (plugin), and the text cleaning of error messages.
 */
#include "gorules.h"
#include "modpath.h"
#include "names.h"
#include "npmpkg.h"
#include "plugin.h"
#include "text.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	char err[ERR_SIZE], why[300], clean[512];
	struct name_ref ref;
	const char *rest;
	names_parse("module", s, &ref, err);
	names_parse_with("plugin", s, ':', &ref, &rest, err);
	names_check_version(s, err);
	gorules_check_path(GORULES_MODULE, s, err);
	gorules_check_path(GORULES_IMPORT, s, err);
	gorules_check_path(GORULES_FILE, s, err);
	free(gorules_fold(s));
	modpath_check_module(s, err);
	modpath_check_file(s, err);
	struct buf esc = BUF_INIT;
	modpath_escape(s, &esc, err);
	buf_release(&esc);
	npmpkg_check_name(s, err);
	npmpkg_check_scope(s, err);
	char *name = NULL, *range = NULL;
	if (npmpkg_parse_dep(s, &name, &range, err) == 0) {
		free(name);
		free(range);
	}
	plugin_check_name(s, why, sizeof(why));
	text_clean(clean, sizeof(clean), s);
	free(s);
	return 0;
}
