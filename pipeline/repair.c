/*
 * repair: see repair.h.
 */
#include "repair.h"
#include "db.h"
#include "feed.h"
#include "job.h"
#include "stage.h"
#include "target.h"

#include <stdlib.h>
#include <string.h>

/* 1 when a recorded hash and a regenerated one disagree (either set and not equal). */
static int differs(const char *recorded, const char *now)
{
	if (!recorded && !now)
		return 0;
	return !recorded || !now || strcmp(recorded, now);
}

int repair_version(const struct config *cfg, PGconn *db, struct store *s, const struct queue_published *p, FILE *report,
		   struct repair_stats *st, char *err)
{
	struct queue_job *q = NULL;
	struct job *j = NULL;
	struct run_opts o = { .cfg = cfg, .workers = 1, .publishers = 1, .once = 1 };
	struct run_ctx ctx = { .o = &o, .env = { .cfg = cfg } };
	const char *what = p->package ? p->package : p->mod_name;
	int rc = -1;
	if (queue_load(db, p->id, &q, err) < 0)
		return -1;
	j = job_new(q, target_for_job(q));
	free(q);
	stage_generate(j, &ctx, 0);
	if (job_failed(j)) {
		fprintf(report, "refused: generation %lld (%s %s): generating it again failed: %s\n", p->id, what,
			p->version, j->error);
		st->versions_refused++;
		rc = 0;
		goto out;
	}
	struct queue_publication pub = { 0 };
	j->target->publication(j, &pub);
	if (differs(p->zip_hash, pub.zip_hash) || differs(p->mod_hash, pub.mod_hash) ||
	    differs(p->integrity, pub.integrity) || differs(p->shasum, pub.shasum)) {
		fprintf(report,
			"refused: generation %lld (%s %s): generated again, its hashes differ from those recorded at "
			"publication (%s, recorded %s): nothing written\n",
			p->id, what, p->version,
			pub.zip_hash	? pub.zip_hash
			: pub.integrity ? pub.integrity
					: "?",
			p->zip_hash    ? p->zip_hash
			: p->integrity ? p->integrity
				       : "?");
		st->versions_refused++;
		rc = 0;
		goto out;
	}
	int up = j->target->upload(j, s, err);
	if (up == STORE_CONFLICT) {
		fprintf(report, "refused: generation %lld (%s %s): %s\n", p->id, what, p->version, err);
		st->versions_refused++;
		rc = 0;
		goto out;
	}
	if (up < 0)
		goto out;
	fprintf(report, "repaired: generation %lld (%s %s): files written again, hashes equal the recorded ones\n",
		p->id, what, p->version);
	st->versions_written++;
	rc = 0;
out:
	job_free(j);
	return rc;
}

int repair_index(const struct config *cfg, PGconn *db, struct store *s, const struct queue_published *p, FILE *report,
		 struct repair_stats *st, char *err)
{
	const struct target *t = target_for_row(p);
	struct target_env env = { .cfg = cfg };
	char *lock = t->row_key(p, cfg);
	int rc = -1;
	if (db_begin(db, err) < 0)
		goto out;
	if (queue_lock(db, lock, err) < 0 || t->reindex(p, db, s, &env, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		goto out;
	}
	fprintf(report, "repaired: index files of %s written from the database\n", lock);
	st->indexes_written++;
	rc = 0;
out:
	free(lock);
	return rc;
}

int repair_feed_object(struct store *s, const char *key, const struct buf *data, int immutable, FILE *report,
		       struct repair_stats *st, char *err)
{
	int rc = feed_put(s, key, data, immutable, err);
	if (rc == STORE_CONFLICT) {
		fprintf(report, "refused: %s: %s\n", key, err);
		return 0;
	}
	if (rc < 0)
		return -1;
	if (rc == 0) {
		fprintf(report, "repaired: %s written from the database\n", key);
		st->feed_written++;
	}
	return 0;
}
