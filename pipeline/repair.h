/*
 * repair: what `verify --repair` does about a difference verify found,
 * never anything else. A published version whose immutable files are
 * missing (a lost or mistyped store) is generated again, exactly as `run`
 * generates it (stage_generate, the same plugins and inputs), and its files
 * are written only when the result's hashes equal the ones recorded at
 * publication (Go: the zip's and go.mod's h1:, npm: the tarball's integrity
 * and shasum); otherwise nothing is written and the refusal is reported. An
 * object that exists with other bytes is never replaced (put_immutable
 * refuses). Index files and the feed are rewritten from the database. Objects
 * nobody published are reported, never deleted.
 */
#ifndef REMOTEGEN_REPAIR_H
#define REMOTEGEN_REPAIR_H

#include "config.h"
#include "queue.h"
#include "store.h"

#include <libpq-fe.h>
#include <stdio.h>

/* What a repair did, for the report. */
struct repair_stats {
	int versions_written; /* published versions whose files were written again */
	int versions_refused; /* regenerated with other hashes, or failed to generate */
	int indexes_written;  /* packages whose index files were rewritten */
	int feed_written;     /* feed objects written */
};

/*
 * Generates published row p again and writes its immutable files when the
 * hashes equal the recorded ones. Reports one line ("repaired: ..." or
 * "refused: ...") and counts it. Returns 0, or -1 when repair itself failed
 * (a database or store error; err set).
 */
int repair_version(const struct config *cfg, PGconn *db, struct store *s, const struct queue_published *p, FILE *report,
		   struct repair_stats *st, char *err);

/* Rewrites the index files of p's package from the database, under its lock. Returns 0 or -1 (err set). */
int repair_index(const struct config *cfg, PGconn *db, struct store *s, const struct queue_published *p, FILE *report,
		 struct repair_stats *st, char *err);

/* Writes a feed object as the database renders it (immutable segments never replace other bytes). */
int repair_feed_object(struct store *s, const char *key, const struct buf *data, int immutable, FILE *report,
		       struct repair_stats *st, char *err);

#endif
