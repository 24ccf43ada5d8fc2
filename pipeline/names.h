/*
 * names: OWNER/NAME references of modules, plugins and templates, and plugin
 * version strings. A name element is 1 to 64 characters of letters, digits,
 * '-', '_' and '.', starting and ending with a letter or digit; every
 * element is also a valid Go module path element, since each ends up in one.
 * New module and template names are stricter (names_check_new): package
 * names are built from them.
 */
#ifndef REMOTEGEN_NAMES_H
#define REMOTEGEN_NAMES_H

#define NAMES_MAX 64

struct name_ref {
	char owner[NAMES_MAX + 1];
	char name[NAMES_MAX + 1];
};

/*
 * Parses "OWNER/NAME" (exactly; no suffix). kind ("module", "plugin",
 * "template") is used in messages. Returns 0 or -1 (err set).
 */
int names_parse(const char *kind, const char *s, struct name_ref *out, char *err);

/*
 * Parses "OWNER/NAME<sep>REST": the name part is validated and *rest points
 * into s after sep (NULL when sep is absent).
 */
int names_parse_with(const char *kind, const char *s, char sep, struct name_ref *out, const char **rest, char *err);

/*
 * Checks the stricter rule for a NEW module or template name: no '_' and no
 * '.' in either part (letters, digits and '-' only). Package names join the
 * four parts of a (module, template) pair with '_' and '.' (npm:
 * @scope/OWNER_NAME.TOWNER_TNAME), so only names without them map to
 * package names injectively; names registered before this rule keep
 * working. Returns 0 or -1 (err set, naming the character and why).
 */
int names_check_new(const char *kind, const struct name_ref *n, char *err);

/* Checks a plugin version ("v1.28.1-1"): 1-64 of [A-Za-z0-9._+-], starting alphanumeric. */
int names_check_version(const char *v, char *err);

#endif
