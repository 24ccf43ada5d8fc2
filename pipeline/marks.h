/*
 * marks: yank, deprecate or restore a published version without changing a
 * byte of it (`generation yank|deprecate|restore`). In one transaction under
 * the package's index lock (the one publications take) and the marks' lock:
 * the mark is recorded (queue), the package's index files are rewritten from
 * the database by its target (a yanked version leaves Go's @v/list and
 * @latest and npm's packument; a deprecated npm version carries the message),
 * and the feed's marks file is rewritten. Its immutable files stay, so
 * consumers who pinned the version (go.sum, lock files) still install it.
 * Yanking the last version a package shows is refused: deprecate it instead.
 */
#ifndef REMOTEGEN_MARKS_H
#define REMOTEGEN_MARKS_H

#include "config.h"
#include "queue.h"
#include "store.h"

#include <libpq-fe.h>

/* What was marked, for the command's output (malloc'ed strings; marks_result_release). */
struct marks_result {
	char *package; /* the Go module path or npm package name */
	char *version; /* as consumers see it (v1.1.2, 1.1.2) */
	char *target;  /* "go", "npm" */
};
void marks_result_release(struct marks_result *r);

/*
 * Marks published generation id (text: the reason or message, may be NULL
 * for yank and restore). Returns 0, 1 when id is not a published generation,
 * -1 on any other failure (err set; nothing changed in the database, and
 * the store's index files were left as the database says).
 */
int marks_apply(const struct config *cfg, PGconn *db, struct store *s, long long id, enum queue_mark mark,
		const char *text, struct marks_result *out, char *err);

#endif
