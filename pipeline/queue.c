/*
 * queue: every statement that changes the generations table (see queue.h;
 * the reads are in queue_read.c). The
 * synthetic version is written by PostgreSQL's format() from VERSION_FORMAT,
 * sent as a parameter, so the formula exists once (lib/version.h). Times
 * leave the database as microseconds since the epoch; their text form is the
 * renderers' decision (lib/timefmt.h).
 */
#include "queue.h"
#include "db.h"
#include "jitter.h"
#include "num.h"
#include "version.h"
#include "queue_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Statements that insert generations write their version with format($1, number, sequence), $1 = VERSION_FORMAT. */
/* Backfilled generations run after new work. */
#define BACKFILL_PRIORITY "-10"

static void plugin_release(struct queue_plugin *p)
{
	free(p->label);
	free(p->runtime);
	free(p->exec_path);
	free(p->image_ref);
	free(p->parameter);
	free(p->go_min_version);
	strvec_clear(&p->go_deps);
	strvec_clear(&p->npm_deps);
	strvec_clear(&p->python_deps);
	strvec_clear(&p->ro_paths);
}

void queue_job_release(struct queue_job *j)
{
	if (!j)
		return;
	free(j->version);
	buf_release(&j->image);
	strvec_clear(&j->own_files);
	free(j->protoc_version);
	free(j->module_owner);
	free(j->module_name);
	free(j->template_owner);
	free(j->template_name);
	for (size_t i = 0; i < j->n_plugins; i++)
		plugin_release(&j->plugins[i]);
	free(j->plugins);
	for (size_t i = 0; i < j->n_deps; i++) {
		free(j->deps[i].file);
		free(j->deps[i].mod_owner);
		free(j->deps[i].mod_name);
		free(j->deps[i].version);
	}
	free(j->deps);
	memset(j, 0, sizeof(*j));
}

static int count_result(PGresult *r)
{
	int n = r ? (int)db_ll(r, 0, 0) : 0;
	PQclear(r);
	return n;
}

int queue_anything(PGconn *c, int *anything, char *err)
{
	long long v;
	if (db_numbers(c, "queue: anything to do",
		       "SELECT EXISTS (SELECT 1 FROM commits WHERE NOT scheduled)"
		       "  OR EXISTS (SELECT 1 FROM template_versions WHERE NOT scheduled)"
		       "  OR EXISTS (SELECT 1 FROM generations WHERE state = 'pending')"
		       "  OR EXISTS (SELECT 1 FROM generations WHERE state = 'running')",
		       0, NULL, &v, 1, err) < 0)
		return -1;
	*anything = v != 0;
	return 0;
}

int queue_enqueue(PGconn *c, int *created, char *err)
{
	*created = 0;
	/* The usual case, one round trip from partial indexes: nothing new, nothing queued. */
	int anything;
	if (queue_anything(c, &anything, err) < 0)
		return -1;
	if (!anything)
		return 0;
	const char *fmt[] = { VERSION_FORMAT };
	if (db_begin(c, err) < 0)
		return -1;
	/* New commits: the latest version of every template. */
	PGresult *r = db_exec(
		c, "queue: enqueue new commits",
		"WITH new AS ("
		"  SELECT id FROM commits WHERE NOT scheduled ORDER BY id LIMIT 1000"
		"  FOR UPDATE SKIP LOCKED),"
		" latest_tv AS ("
		"  SELECT (SELECT tv.id FROM template_versions tv WHERE tv.template_id = t.id"
		"          ORDER BY tv.number DESC LIMIT 1) AS id FROM templates t WHERE t.disabled_at IS NULL),"
		" ins AS ("
		"  INSERT INTO generations (commit_id, template_version_id, version)"
		"  SELECT c.id, tv.id, format($1::text, tv.number, c.sequence)"
		"    FROM new JOIN commits c ON c.id = new.id"
		"    CROSS JOIN latest_tv JOIN template_versions tv ON tv.id = latest_tv.id"
		"  ON CONFLICT DO NOTHING RETURNING 1),"
		" upd AS (UPDATE commits SET scheduled = true WHERE id IN (SELECT id FROM new))"
		" SELECT count(*) FROM ins",
		1, fmt, err);
	if (!r)
		goto fail;
	*created += count_result(r);
	/* New template versions: the latest commit of every module. */
	r = db_exec(c, "queue: enqueue new template versions",
		    "WITH new AS ("
		    "  SELECT tv.id, tv.number, t.disabled_at IS NULL AS enabled FROM template_versions tv"
		    "  JOIN templates t ON t.id = tv.template_id WHERE NOT tv.scheduled ORDER BY tv.id LIMIT 1000"
		    "  FOR UPDATE OF tv SKIP LOCKED),"
		    " latest_c AS ("
		    "  SELECT (SELECT c.id FROM commits c WHERE c.module_id = m.id"
		    "          ORDER BY c.sequence DESC LIMIT 1) AS id FROM modules m),"
		    " ins AS ("
		    "  INSERT INTO generations (commit_id, template_version_id, version)"
		    "  SELECT c.id, new.id, format($1::text, new.number, c.sequence)"
		    "    FROM new CROSS JOIN latest_c JOIN commits c ON c.id = latest_c.id WHERE new.enabled"
		    "  ON CONFLICT DO NOTHING RETURNING 1),"
		    " upd AS (UPDATE template_versions SET scheduled = true WHERE id IN (SELECT id FROM new))"
		    " SELECT count(*) FROM ins",
		    1, fmt, err);
	if (!r)
		goto fail;
	*created += count_result(r);
	/* Generations of the commits that pending ones depend on (same template version). */
	r = db_exec(
		c, "queue: enqueue dependencies",
		"WITH RECURSIVE need AS ("
		"  SELECT d.dep_commit_id AS commit_id, g.template_version_id, g.priority"
		"    FROM generations g JOIN commit_deps d ON d.commit_id = g.commit_id"
		"   WHERE g.state = 'pending'"
		"  UNION"
		"  SELECT d.dep_commit_id, n.template_version_id, n.priority"
		"    FROM need n JOIN commit_deps d ON d.commit_id = n.commit_id),"
		" ins AS ("
		"  INSERT INTO generations (commit_id, template_version_id, version, priority)"
		"  SELECT n.commit_id, n.template_version_id, format($1::text, tv.number, c.sequence), max(n.priority)"
		"    FROM need n JOIN commits c ON c.id = n.commit_id"
		"    JOIN template_versions tv ON tv.id = n.template_version_id"
		"   GROUP BY n.commit_id, n.template_version_id, tv.number, c.sequence"
		"  ON CONFLICT DO NOTHING RETURNING 1)"
		" SELECT count(*) FROM ins",
		1, fmt, err);
	if (!r)
		goto fail;
	*created += count_result(r);
	if (db_commit(c, err) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(c);
	return -1;
}

static int fail_dependents(PGconn *c, long long commit_id, long long tv_id, const char *module, long long sequence,
			   const char *version, const char *error, struct queue_fail_result *out, char *err);

void queue_reap_result_release(struct queue_reap_result *r)
{
	for (size_t i = 0; i < r->n_failed; i++)
		queue_fail_result_release(&r->dependents[i]);
	free(r->failed);
	free(r->dependents);
	PQclear(r->res);
	memset(r, 0, sizeof(*r));
}

int queue_reap(PGconn *c, int max_attempts, long long base_ms, struct queue_reap_result *out, char *err)
{
	char smax[16], sbase[32];
	snprintf(smax, sizeof(smax), "%d", max_attempts);
	snprintf(sbase, sizeof(sbase), "%lld", base_ms);
	const char *p[] = { smax, sbase };
	memset(out, 0, sizeof(*out));
	if (db_begin(c, err) < 0)
		return -1;
	/*
	 * The process that claimed them stopped or hung: the attempt counts (it was
	 * counted at the claim), the next one waits its backoff, and the last allowed
	 * one fails the generation, so a job that kills its process cannot loop.
	 */
	PGresult *r = db_exec(
		c, "queue: reap expired leases",
		"WITH old AS (SELECT id, lease_owner FROM generations"
		"  WHERE state = 'running' AND lease_until < now() FOR UPDATE),"
		" x AS (UPDATE generations g SET"
		"  state = CASE WHEN g.attempts >= $1::int THEN 'failed' ELSE 'pending' END,"
		"  lease_owner = NULL, lease_until = NULL,"
		"  last_error = CASE WHEN g.attempts >= $1::int"
		"    THEN format('lease expired %s times: the process that claimed it stopped or hung each time', g.attempts)"
		"    ELSE 'lease expired (the process that claimed it stopped)' END,"
		"  finished_at = CASE WHEN g.attempts >= $1::int THEN now() END,"
		"  next_attempt_at = now() + ($2::bigint << least(greatest(g.attempts - 1, 0), 20))"
		"    * interval '1 millisecond'"
		"  FROM old WHERE g.id = old.id AND g.state = 'running'"
		"  RETURNING g.*, old.lease_owner AS old_owner),"
		" a AS (INSERT INTO generation_attempts"
		"  (generation_id, attempt, started_at, outcome, lease_owner, error)"
		"  SELECT id, attempts, started_at, 'lease_expired', old_owner, last_error FROM x)"
		" SELECT " FAILURE_COLUMNS ", g.state = 'failed', g.commit_id, g.template_version_id"
		" FROM x g JOIN commits c ON c.id = g.commit_id JOIN modules m ON m.id = c.module_id"
		" JOIN template_versions tv ON tv.id = g.template_version_id"
		" JOIN templates t ON t.id = tv.template_id ORDER BY g.id",
		2, p, err);
	if (!r)
		goto fail;
	/* Every reaped generation as a failure row; those failed for good kept, in order. */
	out->res = r;
	queue_failures_from(r, &out->failed, &out->n_failed);
	out->reaped = (int)out->n_failed;
	out->n_failed = 0;
	out->dependents = xcalloc((size_t)out->reaped + 1, sizeof(*out->dependents));
	for (int i = 0; i < out->reaped; i++) {
		if (strcmp(PQgetvalue(r, i, 8), "t"))
			continue;
		struct queue_failure *f = &out->failed[out->n_failed];
		*f = out->failed[i];
		if (fail_dependents(c, db_ll(r, i, 9), db_ll(r, i, 10), f->module, f->sequence, f->version, f->error,
				    &out->dependents[out->n_failed++], err) < 0)
			goto fail;
	}
	if (db_commit(c, err) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(c);
	queue_reap_result_release(out);
	return -1;
}

static char *dupval(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : xstrdup(PQgetvalue(r, row, col));
}

/* Array elements joined by newlines (which plugin add refuses in them). */
static void split_lines(struct strvec *sv, const char *s)
{
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		strvec_push_owned(sv, xstrndup(s, n));
		s += n + (nl != NULL);
	}
}

static int load_job(PGconn *c, struct queue_job *j, char *err)
{
	char id[32];
	snprintf(id, sizeof(id), "%lld", j->id);
	const char *p[] = { id };
	PGresult *r = db_exec(c, "queue: load generation",
			      "SELECT g.version, g.attempts, c.id, c.sequence, c.protoc_version,"
			      "  " COMMIT_US ","
			      "  m.id, m.owner, m.name, t.id, t.owner, t.name, tv.number, tv.id"
			      " FROM generations g JOIN commits c ON c.id = g.commit_id"
			      " JOIN modules m ON m.id = c.module_id"
			      " JOIN template_versions tv ON tv.id = g.template_version_id"
			      " JOIN templates t ON t.id = tv.template_id WHERE g.id = $1",
			      1, p, err);
	if (!r)
		return -1;
	j->version = dupval(r, 0, 0);
	j->attempts = (int)db_ll(r, 0, 1);
	j->commit_id = db_ll(r, 0, 2);
	j->sequence = (int)db_ll(r, 0, 3);
	j->protoc_version = dupval(r, 0, 4);
	j->commit_us = db_ll(r, 0, 5);
	j->module_id = db_ll(r, 0, 6);
	j->module_owner = dupval(r, 0, 7);
	j->module_name = dupval(r, 0, 8);
	j->template_id = db_ll(r, 0, 9);
	j->template_owner = dupval(r, 0, 10);
	j->template_name = dupval(r, 0, 11);
	j->template_version = (int)db_ll(r, 0, 12);
	char tvid[32], cid[32];
	snprintf(tvid, sizeof(tvid), "%s", PQgetvalue(r, 0, 13));
	j->template_version_id = num_trusted(tvid);
	snprintf(cid, sizeof(cid), "%lld", j->commit_id);
	PQclear(r);

	const char *pc[] = { cid };
	const char *pdep[] = { cid, tvid, VERSION_FORMAT };
	r = db_exec_bin(c, "queue: load image", "SELECT image FROM commits WHERE id = $1", 1, pc, err);
	if (!r)
		return -1;
	buf_add(&j->image, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
	PQclear(r);
	r = db_exec(c, "queue: load own files",
		    "SELECT u.f FROM commits c, unnest(c.own_files) WITH ORDINALITY AS u(f, i)"
		    " WHERE c.id = $1 ORDER BY u.i",
		    1, pc, err);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		strvec_push(&j->own_files, PQgetvalue(r, i, 0));
	PQclear(r);
	r = db_exec(
		c, "queue: load dependency files",
		"WITH RECURSIVE deps AS ("
		"  SELECT dep_commit_id AS id FROM commit_deps WHERE commit_id = $1"
		"  UNION SELECT d.dep_commit_id FROM commit_deps d JOIN deps ON d.commit_id = deps.id)"
		" SELECT u.f, m.owner, m.name, c.sequence,"
		/* the dependency's generation exists: claims wait until it is published */
		"  coalesce((SELECT dg.version FROM generations dg WHERE dg.commit_id = c.id"
		"            AND dg.template_version_id = $2::bigint),"
		"           format($3::text, (SELECT number FROM template_versions WHERE id = $2::bigint), c.sequence))"
		" FROM deps JOIN commits c ON c.id = deps.id JOIN modules m ON m.id = c.module_id,"
		"  unnest(c.own_files) AS u(f)",
		3, pdep, err);
	if (!r)
		return -1;
	j->n_deps = (size_t)PQntuples(r);
	j->deps = xcalloc(j->n_deps + 1, sizeof(*j->deps));
	for (size_t i = 0; i < j->n_deps; i++) {
		j->deps[i].file = dupval(r, (int)i, 0);
		j->deps[i].mod_owner = dupval(r, (int)i, 1);
		j->deps[i].mod_name = dupval(r, (int)i, 2);
		j->deps[i].sequence = (int)db_ll(r, (int)i, 3);
		j->deps[i].version = dupval(r, (int)i, 4);
	}
	PQclear(r);
	const char *pt[] = { tvid };
	r = db_exec(c, "queue: load plugins",
		    "SELECT p.owner || '/' || p.name || ':' || pv.version, pv.runtime, pv.exec_path,"
		    "  pv.image_ref, tp.parameter, pv.go_min_version, array_to_string(pv.go_deps, ' '),"
		    "  pv.timeout_ms, pv.memory_bytes, pv.output_bytes, pv.id, pv.per_file,"
		    "  array_to_string(pv.npm_deps, chr(10)), array_to_string(pv.ro_paths, chr(10)),"
		    "  pv.npm_module, array_to_string(pv.python_deps, chr(10))"
		    " FROM template_version_plugins tvp"
		    " JOIN template_versions tv ON tv.id = tvp.template_version_id"
		    " JOIN template_plugins tp ON tp.template_id = tv.template_id AND tp.position = tvp.position"
		    " JOIN plugin_versions pv ON pv.id = tvp.plugin_version_id"
		    " JOIN plugins p ON p.id = pv.plugin_id"
		    " WHERE tvp.template_version_id = $1 ORDER BY tvp.position",
		    1, pt, err);
	if (!r)
		return -1;
	j->n_plugins = (size_t)PQntuples(r);
	j->plugins = xcalloc(j->n_plugins + 1, sizeof(*j->plugins));
	for (size_t i = 0; i < j->n_plugins; i++) {
		struct queue_plugin *sp = &j->plugins[i];
		int row = (int)i;
		sp->label = dupval(r, row, 0);
		sp->runtime = dupval(r, row, 1);
		sp->exec_path = dupval(r, row, 2);
		sp->image_ref = dupval(r, row, 3);
		sp->parameter = dupval(r, row, 4);
		sp->go_min_version = dupval(r, row, 5);
		strvec_split(&sp->go_deps, PQgetvalue(r, row, 6));
		sp->timeout_ms = db_ll(r, row, 7);
		sp->memory_bytes = (unsigned long long)db_ll(r, row, 8);
		sp->output_bytes = (unsigned long long)db_ll(r, row, 9);
		sp->version_id = db_ll(r, row, 10);
		sp->per_file = PQgetvalue(r, row, 11)[0] == 't';
		split_lines(&sp->npm_deps, PQgetvalue(r, row, 12));
		split_lines(&sp->ro_paths, PQgetvalue(r, row, 13));
		sp->npm_commonjs = !strcmp(PQgetvalue(r, row, 14), "commonjs");
		split_lines(&sp->python_deps, PQgetvalue(r, row, 15));
	}
	PQclear(r);
	return 0;
}

int queue_claim(PGconn *c, const char *lease_owner, int max, long long lease_ms, struct queue_job ***jobs, size_t *n,
		char *err)
{
	char smax[16], slease[32];
	*jobs = NULL;
	*n = 0;
	snprintf(smax, sizeof(smax), "%d", max);
	snprintf(slease, sizeof(slease), "%lld", lease_ms);
	const char *p[] = { smax, slease, lease_owner };
	PGresult *r = db_exec(
		c, "queue: claim",
		"WITH ready AS ("
		"  SELECT g.id FROM generations g"
		"  WHERE g.state = 'pending' AND g.next_attempt_at <= now()"
		/* every dependency's generation (same template version) is published */
		"    AND NOT EXISTS (SELECT 1 FROM commit_deps d"
		"      LEFT JOIN generations dg ON dg.commit_id = d.dep_commit_id"
		"       AND dg.template_version_id = g.template_version_id"
		"      WHERE d.commit_id = g.commit_id AND (dg.id IS NULL OR dg.state <> 'published'))"
		/* nothing of a disabled template */
		"    AND NOT EXISTS (SELECT 1 FROM template_versions tv JOIN templates t ON t.id = tv.template_id"
		"      WHERE tv.id = g.template_version_id AND t.disabled_at IS NOT NULL)"
		"  ORDER BY g.priority DESC, g.next_attempt_at, g.id"
		"  LIMIT $1 FOR UPDATE OF g SKIP LOCKED)"
		" UPDATE generations g SET state = 'running', attempts = g.attempts + 1,"
		"  lease_until = now() + $2::bigint * interval '1 millisecond', lease_owner = $3,"
		"  started_at = now()"
		" FROM ready WHERE g.id = ready.id RETURNING g.id",
		3, p, err);
	if (!r)
		return -1;
	int rows = PQntuples(r);
	struct queue_job **v = xcalloc((size_t)rows + 1, sizeof(*v));
	for (int i = 0; i < rows; i++) {
		v[i] = xcalloc(1, sizeof(**v));
		v[i]->id = db_ll(r, i, 0);
	}
	PQclear(r);
	for (int i = 0; i < rows; i++)
		if (load_job(c, v[i], err) < 0) {
			for (int k = 0; k < rows; k++) {
				queue_job_release(v[k]);
				free(v[k]);
			}
			free(v);
			return -1;
		}
	*jobs = v;
	*n = (size_t)rows;
	return 0;
}

int queue_load(PGconn *c, long long id, struct queue_job **out, char *err)
{
	struct queue_job *j = xcalloc(1, sizeof(*j));
	j->id = id;
	if (load_job(c, j, err) < 0) {
		queue_job_release(j);
		free(j);
		return -1;
	}
	*out = j;
	return 0;
}

static void id_array(const long long *ids, size_t n, struct buf *out)
{
	buf_addc(out, '{');
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%s%lld", i ? "," : "", ids[i]);
	buf_addc(out, '}');
}

int queue_extend(PGconn *c, const char *lease_owner, const long long *ids, size_t n, long long lease_ms, char *err)
{
	struct buf a = BUF_INIT;
	char slease[32];
	if (!n)
		return 0;
	id_array(ids, n, &a);
	snprintf(slease, sizeof(slease), "%lld", lease_ms);
	const char *p[] = { a.data, slease, lease_owner };
	int rc = db_run(c, "queue: extend leases",
			"UPDATE generations SET lease_until = now() + $2::bigint * interval '1 millisecond'"
			" WHERE id = ANY($1::bigint[]) AND state = 'running' AND lease_owner = $3",
			3, p, err);
	buf_release(&a);
	return rc;
}

int queue_lock(PGconn *c, const char *key, char *err)
{
	const char *p[] = { key };
	return db_run(c, "queue: lock", "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", 1, p, err);
}

int queue_mark_published(PGconn *c, const char *lease_owner, long long id, const struct queue_publication *pub,
			 char *err)
{
	char sid[32], pms[32], ums[32];
	snprintf(sid, sizeof(sid), "%lld", id);
	snprintf(pms, sizeof(pms), "%lld", pub->plugin_ms);
	snprintf(ums, sizeof(ums), "%lld", pub->publish_ms);
	const char *p[] = { sid,	  lease_owner,	 pub->zip_hash,	 pub->mod_hash, pms,	   ums,
			    pub->package, pub->manifest, pub->integrity, pub->shasum,	pub->kind, pub->artifact };
	PGresult *r = db_exec(c, "queue: mark published",
			      "WITH u AS (UPDATE generations SET state = 'published', zip_hash = $3, mod_hash = $4,"
			      "  plugin_ms = $5, publish_ms = $6, finished_at = now(), lease_until = NULL,"
			      "  last_error = NULL, package = $7, manifest = $8, integrity = $9,"
			      "  shasum = $10, package_kind = $11, artifact = $12"
			      "  WHERE id = $1 AND state = 'running' AND lease_owner = $2"
			      "  RETURNING id, attempts, started_at, template_version_id),"
			      " a AS (INSERT INTO generation_attempts"
			      "  (generation_id, attempt, started_at, outcome, lease_owner)"
			      "  SELECT id, attempts, started_at, 'published', $2 FROM u),"
			      " n AS (INSERT INTO generation_counts (template_version_id, published)"
			      "  SELECT template_version_id, 1 FROM u ON CONFLICT (template_version_id)"
			      "  DO UPDATE SET published = generation_counts.published + 1)"
			      " SELECT id FROM u",
			      12, p, err);
	if (!r)
		return -1;
	int n = PQntuples(r);
	PQclear(r);
	return n;
}

int queue_set_mark(PGconn *c, long long id, enum queue_mark mark, const char *text, char *err)
{
	static const char *ops[] = {
		[QUEUE_YANK] = "yank", [QUEUE_DEPRECATE] = "deprecate", [QUEUE_RESTORE] = "restore"
	};
	char sid[32];
	snprintf(sid, sizeof(sid), "%lld", id);
	const char *p[] = { sid, ops[mark], text };
	PGresult *r =
		db_exec(c, "queue: mark a published version",
			"UPDATE generations SET marked_at = clock_timestamp(),"
			"  yanked_at = CASE $2 WHEN 'yank' THEN coalesce(yanked_at, now())"
			"    WHEN 'restore' THEN NULL ELSE yanked_at END,"
			"  yank_reason = CASE $2 WHEN 'yank' THEN $3 WHEN 'restore' THEN NULL ELSE yank_reason END,"
			"  deprecated = CASE $2 WHEN 'deprecate' THEN $3 WHEN 'restore' THEN NULL ELSE deprecated END"
			" WHERE id = $1 AND state = 'published' RETURNING id",
			3, p, err);
	if (!r)
		return -1;
	int n = PQntuples(r);
	PQclear(r);
	return n;
}

int queue_package_owner(PGconn *c, const char *package, long long template_id, long long module_id, char **owner,
			char *err)
{
	char t[32], m[32];
	snprintf(t, sizeof(t), "%lld", template_id);
	snprintf(m, sizeof(m), "%lld", module_id);
	const char *p[] = { package, t, m };
	PGresult *r = db_exec(
		c, "queue: who owns the package name",
		"SELECT mo.owner || '/' || mo.name, te.owner || '/' || te.name"
		" FROM generations g JOIN commits c ON c.id = g.commit_id JOIN modules mo ON mo.id = c.module_id"
		" JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates te ON te.id = tv.template_id"
		" WHERE g.package = $1 AND (tv.template_id <> $2::bigint OR c.module_id <> $3::bigint) LIMIT 1",
		3, p, err);
	if (!r)
		return -1;
	int taken = PQntuples(r) > 0;
	if (taken)
		*owner = xasprintf("module %s with template %s", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
	PQclear(r);
	return taken;
}

int queue_feed_place(PGconn *c, long long top, long long *placed, char *err)
{
	char base[32];
	snprintf(base, sizeof(base), "%lld", top);
	const char *p[] = { base };
	PGresult *r = db_exec(c, "queue: place published versions in the feed",
			      "UPDATE generations g SET feed_seq = $1::bigint + s.n"
			      " FROM (SELECT id, row_number() OVER (ORDER BY finished_at, id) AS n FROM generations"
			      "       WHERE " UNFED ") s"
			      " WHERE g.id = s.id",
			      1, p, err);
	if (!r)
		return -1;
	*placed = num_trusted(PQcmdTuples(r));
	PQclear(r);
	/* Placing a large history (the first run after loading one) changes the table's
	 * statistics; the planner must know, or the partial indexes look useless to it. */
	if (*placed > 10000 && db_run(c, "queue: analyze generations", "ANALYZE generations", 0, NULL, err) < 0)
		return -1;
	return 0;
}

long long queue_backoff_ms(int attempts, long long base_ms)
{
	int shift = attempts > 1 ? attempts - 1 : 0;
	if (shift > 20)
		shift = 20;
	return base_ms << shift;
}

void queue_fail_result_release(struct queue_fail_result *r)
{
	free(r->dependents);
	PQclear(r->res);
	memset(r, 0, sizeof(*r));
}

/*
 * Fails the pending generations that depend on commit_id's generation of
 * template version tv (module, sequence and version name it in their error);
 * lists them in out.
 */
static int fail_dependents(PGconn *c, long long commit_id, long long tv_id, const char *module, long long sequence,
			   const char *version, const char *error, struct queue_fail_result *out, char *err)
{
	char cid[32], tv[32], who[300];
	snprintf(cid, sizeof(cid), "%lld", commit_id);
	snprintf(tv, sizeof(tv), "%lld", tv_id);
	snprintf(who, sizeof(who), "dependency %s commit %lld (%s) failed: ", module, sequence, version);
	const char *pd[] = { cid, tv, who, error };
	PGresult *r = db_exec(
		c, "queue: fail dependents",
		"WITH RECURSIVE dependents AS ("
		"  SELECT commit_id FROM commit_deps WHERE dep_commit_id = $1"
		"  UNION SELECT d.commit_id FROM commit_deps d JOIN dependents x ON d.dep_commit_id = x.commit_id),"
		" g AS (UPDATE generations SET state = 'failed', last_error = $3 || $4, finished_at = now()"
		"  WHERE template_version_id = $2 AND state = 'pending'"
		"    AND commit_id IN (SELECT commit_id FROM dependents)"
		"  RETURNING id, commit_id, template_version_id, version, attempts, last_error, finished_at),"
		" a AS (INSERT INTO generation_attempts (generation_id, attempt, outcome, error)"
		"  SELECT id, attempts, 'dependency', last_error FROM g)"
		" SELECT " FAILURE_COLUMNS " FROM g JOIN commits c ON c.id = g.commit_id"
		" JOIN modules m ON m.id = c.module_id JOIN template_versions tv ON tv.id = g.template_version_id"
		" JOIN templates t ON t.id = tv.template_id ORDER BY g.id",
		4, pd, err);
	if (!r)
		return -1;
	out->res = r;
	queue_failures_from(r, &out->dependents, &out->n_dependents);
	return 0;
}

int queue_fail(PGconn *c, const char *lease_owner, const struct queue_job *j, const char *error, int permanent,
	       int max_attempts, long long base_ms, struct queue_fail_result *out, char *err)
{
	char id[32], delay[32];
	memset(out, 0, sizeof(*out));
	out->final = permanent || j->attempts >= max_attempts;
	long long d = jitter_spread(queue_backoff_ms(j->attempts, base_ms)); /* 50% to 150% */
	snprintf(id, sizeof(id), "%lld", j->id);
	snprintf(delay, sizeof(delay), "%lld", d);
	const char *p[] = { id, lease_owner, error, out->final ? "failed" : "pending", delay };
	if (db_begin(c, err) < 0)
		return -1;
	if (db_run(c, "queue: record failure",
		   "WITH u AS (UPDATE generations SET state = $4, last_error = $3, lease_until = NULL,"
		   "  lease_owner = NULL, finished_at = CASE WHEN $4 = 'failed' THEN now() END,"
		   "  next_attempt_at = now() + $5::bigint * interval '1 millisecond'"
		   "  WHERE id = $1 AND state = 'running' AND lease_owner = $2"
		   "  RETURNING id, attempts, started_at)"
		   " INSERT INTO generation_attempts (generation_id, attempt, started_at, outcome, lease_owner, error)"
		   " SELECT id, attempts, started_at, CASE WHEN $4 = 'failed' THEN 'failed' ELSE 'retry' END, $2, $3"
		   " FROM u",
		   5, p, err) < 0)
		goto fail;
	/* What depends on it (same template version) cannot be published either. */
	char module[300];
	snprintf(module, sizeof(module), "%s/%s", j->module_owner, j->module_name);
	if (out->final && fail_dependents(c, j->commit_id, j->template_version_id, module, j->sequence, j->version,
					  error, out, err) < 0)
		goto fail;
	if (db_commit(c, err) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(c);
	queue_fail_result_release(out);
	return -1;
}

int queue_release(PGconn *c, const char *lease_owner, long long id, const char *msg, char *err)
{
	char sid[32];
	snprintf(sid, sizeof(sid), "%lld", id);
	const char *p[] = { sid, lease_owner, msg };
	return db_run(
		c, "queue: hand back generation",
		"WITH u AS (UPDATE generations SET state = 'pending', attempts = greatest(attempts - 1, 0),"
		"  last_error = $3, lease_until = NULL, lease_owner = NULL, next_attempt_at = now()"
		"  WHERE id = $1 AND state = 'running' AND lease_owner = $2"
		"  RETURNING id, attempts, started_at)"
		/* the attempt it was (handed back, it does not count) */
		" INSERT INTO generation_attempts (generation_id, attempt, started_at, outcome, lease_owner, error)"
		" SELECT id, attempts + 1, started_at, 'handed_back', $2, $3 FROM u",
		3, p, err);
}

int queue_stop_template(PGconn *c, long long template_id, const char *why, long long *stopped, char *err)
{
	char tid[32];
	snprintf(tid, sizeof(tid), "%lld", template_id);
	const char *p[] = { tid, why };
	return db_numbers(c, "queue: stop pending generations of a template",
			  "WITH u AS (UPDATE generations SET state = 'failed', last_error = $2, finished_at = now()"
			  "  WHERE state = 'pending' AND template_version_id IN"
			  "   (SELECT id FROM template_versions WHERE template_id = $1::bigint)"
			  "  RETURNING id, attempts),"
			  " a AS (INSERT INTO generation_attempts (generation_id, attempt, outcome, error)"
			  "  SELECT id, attempts, 'stopped', $2 FROM u)"
			  " SELECT count(*) FROM u",
			  2, p, stopped, 1, err);
}

int queue_retry(PGconn *c, const char *ids, const char *t_owner, const char *t_name, const char *m_owner,
		const char *m_name, long long *queued, char *err)
{
	const char *p[] = { ids, t_owner, t_name, m_owner, m_name };
	PGresult *r =
		db_exec(c, "queue: reset failed generations",
			"WITH x AS (UPDATE generations g SET state = 'pending', attempts = 0, next_attempt_at = now(),"
			"  finished_at = NULL, lease_owner = NULL, lease_until = NULL"
			" FROM commits c, modules mo, template_versions tv, templates te"
			" WHERE g.state = 'failed' AND c.id = g.commit_id AND mo.id = c.module_id"
			"   AND tv.id = g.template_version_id AND te.id = tv.template_id"
			"   AND te.disabled_at IS NULL" /* a disabled template's work stays stopped */
			"   AND (cardinality($1::bigint[]) = 0 OR g.id = ANY($1::bigint[]))"
			"   AND ($2 = '' OR (lower(te.owner) = lower($2) AND lower(te.name) = lower($3)))"
			"   AND ($4 = '' OR (lower(mo.owner) = lower($4) AND lower(mo.name) = lower($5)))"
			" RETURNING 1) SELECT count(*) FROM x",
			5, p, err);
	if (!r)
		return -1;
	*queued = db_ll(r, 0, 0);
	PQclear(r);
	return 0;
}

int queue_backfill_batch(PGconn *c, long long tv_id, const char *m_owner, const char *m_name, long from,
			 long long *after_id, long batch, long *seen, long *queued, char *err)
{
	char tvid[32], froms[32], last[32], batchs[32];
	snprintf(tvid, sizeof(tvid), "%lld", tv_id);
	snprintf(froms, sizeof(froms), "%ld", from);
	snprintf(last, sizeof(last), "%lld", *after_id);
	snprintf(batchs, sizeof(batchs), "%ld", batch);
	const char *p[] = { VERSION_FORMAT, tvid, m_owner, m_name, froms, last, batchs };
	PGresult *r =
		db_exec(c, "queue: backfill a batch",
			"WITH batch AS ("
			"  SELECT c.id, c.sequence FROM commits c JOIN modules mo ON mo.id = c.module_id"
			"  WHERE ($3 = '' OR (lower(mo.owner) = lower($3) AND lower(mo.name) = lower($4)))"
			"    AND c.sequence >= $5::int AND c.id > $6::bigint ORDER BY c.id LIMIT $7::int),"
			" ins AS ("
			"  INSERT INTO generations (commit_id, template_version_id, version, priority)"
			"  SELECT b.id, tv.id, format($1::text, tv.number, b.sequence), " BACKFILL_PRIORITY
			"    FROM batch b, template_versions tv WHERE tv.id = $2"
			"  ON CONFLICT DO NOTHING RETURNING 1)"
			" SELECT (SELECT max(id) FROM batch), (SELECT count(*) FROM batch), (SELECT count(*) FROM ins)",
			7, p, err);
	if (!r)
		return -1;
	*seen = (long)db_ll(r, 0, 1);
	*queued = (long)db_ll(r, 0, 2);
	if (*seen)
		*after_id = db_ll(r, 0, 0);
	PQclear(r);
	return 0;
}
