/*
 * registry: registry writes, one transaction each.
 */
#include "registry.h"
#include "db.h"
#include "num.h"
#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Finds the id of an OWNER/NAME row; 0 when absent, -1 on error. */
static long long find_id(PGconn *c, const char *table_sql, const struct name_ref *n, char *err)
{
	const char *p[] = { n->owner, n->name };
	PGresult *r = db_exec(c, "database: look up name", table_sql, 2, p, err);
	if (!r)
		return -1;
	long long id = PQntuples(r) ? db_ll(r, 0, 0) : 0;
	PQclear(r);
	return id;
}

static const char *SQL_PLUGIN_ID = "SELECT id FROM plugins WHERE lower(owner) = lower($1) AND lower(name) = lower($2)";
static const char *SQL_MODULE_ID = "SELECT id FROM modules WHERE lower(owner) = lower($1) AND lower(name) = lower($2)";
static const char *SQL_TEMPLATE_ID =
	"SELECT id FROM templates WHERE lower(owner) = lower($1) AND lower(name) = lower($2)";

/* Resolves a dependency to a commit id; 0 when absent (err set), -1 on error. */
static long long dep_commit(PGconn *c, const struct registry_dep *d, char *err)
{
	char seq[16];
	snprintf(seq, sizeof(seq), "%d", d->sequence);
	const char *p[] = { d->module.owner, d->module.name, seq };
	PGresult *r = db_exec(c, "database: resolve dependency",
			      "SELECT c.id FROM commits c JOIN modules m ON m.id = c.module_id"
			      " WHERE lower(m.owner) = lower($1) AND lower(m.name) = lower($2)"
			      "   AND ($3::int = 0 OR c.sequence = $3::int)"
			      " ORDER BY c.sequence DESC LIMIT 1",
			      3, p, err);
	if (!r)
		return -1;
	long long id = PQntuples(r) ? db_ll(r, 0, 0) : 0;
	PQclear(r);
	if (!id) {
		if (d->sequence)
			err_set(err, "dependency %s/%s:%d: no such commit", d->module.owner, d->module.name,
				d->sequence);
		else
			err_set(err, "dependency %s/%s: no such module (or it has no commits)", d->module.owner,
				d->module.name);
	}
	return id;
}

int registry_dep_images(PGconn *c, const struct name_ref *self, const struct registry_dep *deps, size_t n_deps,
			struct buf *images, struct strvec *files, char *err)
{
	for (size_t i = 0; i < n_deps; i++) {
		if (!strcasecmp(deps[i].module.owner, self->owner) && !strcasecmp(deps[i].module.name, self->name))
			return err_set(err, "a module cannot depend on itself (dependency cycle %s/%s -> %s/%s)",
				       self->owner, self->name, self->owner, self->name);
		long long id = dep_commit(c, &deps[i], err);
		if (id <= 0)
			return -1;
		char ids[32];
		snprintf(ids, sizeof(ids), "%lld", id);
		const char *p[] = { ids };
		PGresult *r = db_exec_bin(c, "database: read dependency image",
					  "SELECT image FROM commits WHERE id = $1", 1, p, err);
		if (!r)
			return -1;
		buf_add(&images[i], PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
		PQclear(r);
		struct strvec f = STRVEC_INIT;
		image_list_files(images[i].data, images[i].len, &f, NULL);
		for (size_t k = 0; k < f.n; k++)
			if (!strvec_contains(files, f.v[k]))
				strvec_push(files, f.v[k]);
		strvec_clear(&f);
	}
	return 0;
}

int registry_push(PGconn *c, const struct name_ref *m, const struct image *img, const struct registry_dep *deps,
		  size_t n_deps, int *sequence, int *created, char *err)
{
	PGresult *r = NULL;
	struct buf own = BUF_INIT;
	char mid[32], seq[16], cid[32];
	long long dep_ids[REGISTRY_MAX_DEPS];
	int rc = -1;

	*created = 0;
	if (n_deps > REGISTRY_MAX_DEPS)
		return err_set(err, "module %s/%s: too many dependencies (%zu; at most %d)", m->owner, m->name, n_deps,
			       REGISTRY_MAX_DEPS);
	if (db_begin(c, err) < 0)
		return -1;
	for (size_t i = 0; i < n_deps; i++)
		if ((dep_ids[i] = dep_commit(c, &deps[i], err)) <= 0)
			goto out;
	const char *pm[] = { m->owner, m->name };
	/* A name only the older rule allows may still be pushed to, never created. */
	char name_err[ERR_SIZE] = "";
	if (names_check_new("module", m, name_err) == 0 &&
	    db_run(c, "database: create module",
		   "INSERT INTO modules (owner, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", 2, pm, err) < 0)
		goto out;
	/* Lock the module row: pushes to one module are serialised. */
	r = db_exec(c, "database: lock module",
		    "SELECT id FROM modules WHERE lower(owner) = lower($1) AND lower(name) = lower($2)"
		    " FOR UPDATE",
		    2, pm, err);
	if (!r)
		goto out;
	if (!PQntuples(r)) {
		err_set(err, "%s", name_err[0] ? name_err : "database: the module row vanished");
		goto out;
	}
	snprintf(mid, sizeof(mid), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	const char *pl[] = { mid };
	r = db_exec(c, "database: read latest commit",
		    "SELECT sequence, digest FROM commits WHERE module_id = $1"
		    " ORDER BY sequence DESC LIMIT 1",
		    1, pl, err);
	if (!r)
		goto out;
	int next = 1;
	if (PQntuples(r)) {
		next = (int)db_ll(r, 0, 0) + 1;
		if (!strcmp(PQgetvalue(r, 0, 1), img->digest)) {
			*sequence = next - 1;
			PQclear(r);
			r = NULL;
			rc = db_commit(c, err);
			goto out;
		}
	}
	PQclear(r);
	r = NULL;
	snprintf(seq, sizeof(seq), "%d", next);
	db_text_array(&img->own_files, &own);
	const char *pc[] = { mid, seq, img->digest, img->data.data, own.data, img->protoc_version };
	int lens[] = { 0, 0, 0, (int)img->data.len, 0, 0 };
	int fmts[] = { 0, 0, 0, 1, 0, 0 };
	r = db_execb(c, "database: insert commit",
		     "INSERT INTO commits (module_id, sequence, digest, image, own_files, protoc_version)"
		     " VALUES ($1, $2, $3, $4, $5::text[], $6) RETURNING id",
		     6, pc, lens, fmts, err);
	if (!r)
		goto out;
	snprintf(cid, sizeof(cid), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	r = NULL;
	for (size_t i = 0; i < n_deps; i++) {
		char did[32];
		snprintf(did, sizeof(did), "%lld", dep_ids[i]);
		const char *pd[] = { cid, did };
		if (db_run(c, "database: insert dependency",
			   "INSERT INTO commit_deps (commit_id, dep_commit_id) VALUES ($1, $2)"
			   " ON CONFLICT DO NOTHING",
			   2, pd, err) < 0)
			goto out;
	}
	if (db_commit(c, err) < 0) /* a trigger notifies remotegen_work */
		goto out;
	*sequence = next;
	*created = 1;
	rc = 0;
out:
	PQclear(r);
	if (rc < 0)
		db_rollback(c);
	buf_release(&own);
	return rc;
}

int registry_plugin_add(PGconn *c, const struct registry_plugin_version *pv, char *err)
{
	struct buf deps = BUF_INIT, npm = BUF_INIT, ro = BUF_INIT, py = BUF_INIT;
	const struct strvec none = STRVEC_INIT;
	PGresult *r = NULL;
	int rc = -1;
	char pid[32];

	if (db_begin(c, err) < 0)
		return -1;
	const char *pp[] = { pv->plugin.owner, pv->plugin.name };
	if (db_run(c, "database: create plugin",
		   "INSERT INTO plugins (owner, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", 2, pp, err) < 0)
		goto out;
	long long id = find_id(c, SQL_PLUGIN_ID, &pv->plugin, err);
	if (id <= 0)
		goto out;
	snprintf(pid, sizeof(pid), "%lld", id);
	db_text_array(pv->go_deps, &deps);
	db_text_array(pv->npm_deps ? pv->npm_deps : &none, &npm);
	db_text_array(pv->ro_paths ? pv->ro_paths : &none, &ro);
	db_text_array(pv->python_deps ? pv->python_deps : &none, &py);
	char tmo[32], mem[32], outb[32];
	snprintf(tmo, sizeof(tmo), "%lld", pv->timeout_ms);
	snprintf(mem, sizeof(mem), "%llu", pv->memory_bytes);
	snprintf(outb, sizeof(outb), "%llu", pv->output_bytes);
	const char *pi[] = { pid,
			     pv->version,
			     pv->runtime,
			     pv->exec_path,
			     pv->image_ref,
			     deps.data,
			     pv->go_min_version,
			     tmo,
			     mem,
			     outb,
			     pv->per_file ? "true" : "false",
			     npm.data,
			     ro.data,
			     pv->npm_module,
			     py.data };
	r = db_exec(c, "database: insert plugin version",
		    "INSERT INTO plugin_versions (plugin_id, version, runtime, exec_path, image_ref,"
		    " go_deps, go_min_version, timeout_ms, memory_bytes, output_bytes, per_file,"
		    " npm_deps, ro_paths, npm_module, python_deps)"
		    " VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10, $11::boolean,"
		    " $12::text[], $13::text[], $14, $15::text[])"
		    " ON CONFLICT (plugin_id, version) DO NOTHING RETURNING id",
		    15, pi, err);
	if (!r)
		goto out;
	if (!PQntuples(r)) {
		err_set(err,
			"plugin %s/%s version %s already exists (plugin versions never change; "
			"add a new version)",
			pv->plugin.owner, pv->plugin.name, pv->version);
		goto out;
	}
	rc = db_commit(c, err);
out:
	PQclear(r);
	if (rc < 0)
		db_rollback(c);
	buf_release(&deps);
	buf_release(&npm);
	buf_release(&ro);
	buf_release(&py);
	return rc;
}

int registry_plugin_move(PGconn *c, const struct name_ref *plugin, const char *version, const char *exec_path,
			 const char *image_ref, char **old, char *err)
{
	const char *p[] = { plugin->owner, plugin->name, version };
	int rc = -1;
	if (db_begin(c, err) < 0)
		return -1;
	PGresult *r = db_exec(c, "registry: find plugin version",
			      "SELECT pv.id, pv.runtime, coalesce(pv.exec_path, pv.image_ref)"
			      " FROM plugin_versions pv JOIN plugins pl ON pl.id = pv.plugin_id"
			      " WHERE lower(pl.owner) = lower($1) AND lower(pl.name) = lower($2) AND pv.version = $3"
			      " FOR UPDATE OF pv",
			      3, p, err);
	if (!r)
		goto out;
	if (!PQntuples(r)) {
		rc = 1;
		goto out;
	}
	const char *runtime = PQgetvalue(r, 0, 1);
	int oci = !strcmp(runtime, "oci");
	if (oci != (image_ref != NULL)) {
		err_set(err, "plugin %s/%s %s: runtime %s needs %s", plugin->owner, plugin->name, version, runtime,
			oci ? "--image REF" : "--exec PATH");
		goto out;
	}
	const char *pu[] = { PQgetvalue(r, 0, 0), exec_path, image_ref, PQgetvalue(r, 0, 2) };
	if (db_run(c, "registry: move plugin version",
		   "WITH u AS (UPDATE plugin_versions SET exec_path = $2, image_ref = $3 WHERE id = $1 RETURNING id)"
		   " INSERT INTO plugin_version_moves (plugin_version_id, old_location, new_location)"
		   " SELECT id, $4, coalesce($2, $3) FROM u",
		   4, pu, err) < 0 ||
	    db_commit(c, err) < 0)
		goto out;
	*old = xstrdup(PQgetvalue(r, 0, 2));
	rc = 0;
out:
	if (rc != 0)
		db_rollback(c);
	PQclear(r);
	return rc;
}

int registry_template_create(PGconn *c, const struct name_ref *t, const struct registry_template_plugin *plugins,
			     size_t n, char *err)
{
	PGresult *r = NULL;
	int rc = -1;
	char tid[32];
	if (db_begin(c, err) < 0)
		return -1;
	if (names_check_new("template", t, err) < 0)
		goto out;
	const char *pt[] = { t->owner, t->name };
	r = db_exec(c, "database: insert template",
		    "INSERT INTO templates (owner, name) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id", 2, pt,
		    err);
	if (!r)
		goto out;
	if (!PQntuples(r)) {
		err_set(err, "template %s/%s already exists", t->owner, t->name);
		goto out;
	}
	snprintf(tid, sizeof(tid), "%s", PQgetvalue(r, 0, 0));
	for (size_t i = 0; i < n; i++) {
		long long pid = find_id(c, SQL_PLUGIN_ID, &plugins[i].plugin, err);
		if (pid < 0)
			goto out;
		if (!pid) {
			err_set(err,
				"template %s/%s: unknown plugin %s/%s (register it with 'remotegen "
				"plugin add')",
				t->owner, t->name, plugins[i].plugin.owner, plugins[i].plugin.name);
			goto out;
		}
		char pos[24], ps[32];
		snprintf(pos, sizeof(pos), "%zu", i + 1);
		snprintf(ps, sizeof(ps), "%lld", pid);
		const char *pp[] = { tid, pos, ps, plugins[i].parameter };
		if (db_run(c, "database: insert template plugin",
			   "INSERT INTO template_plugins (template_id, position, plugin_id, parameter)"
			   " VALUES ($1, $2, $3, $4)",
			   4, pp, err) < 0)
			goto out;
	}
	rc = db_commit(c, err);
out:
	PQclear(r);
	if (rc < 0)
		db_rollback(c);
	return rc;
}

int registry_template_version(PGconn *c, const struct name_ref *t, const struct registry_pin *pins, size_t n,
			      int *number, char *err)
{
	PGresult *r = NULL, *tp = NULL;
	int rc = -1;
	char tid[32], num[16], tvid[32];
	long long pv_ids[REGISTRY_MAX_PLUGINS];
	int npm_plugin = -1, kind_plugin = -1;
	char npm_format[16] = "", kind_of[32] = "";

	if (db_begin(c, err) < 0)
		return -1;
	const char *pt[] = { t->owner, t->name };
	r = db_exec(c, "database: lock template",
		    "SELECT id FROM templates WHERE lower(owner) = lower($1) AND lower(name) = lower($2)"
		    " FOR UPDATE",
		    2, pt, err);
	if (!r)
		goto out;
	if (!PQntuples(r)) {
		err_set(err, "unknown template %s/%s (create it with 'remotegen template create')", t->owner, t->name);
		goto out;
	}
	snprintf(tid, sizeof(tid), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	r = NULL;
	const char *pi[] = { tid };
	tp = db_exec(c, "database: read template plugins",
		     "SELECT tp.position, p.owner, p.name, p.id FROM template_plugins tp"
		     " JOIN plugins p ON p.id = tp.plugin_id WHERE tp.template_id = $1"
		     " ORDER BY tp.position",
		     1, pi, err);
	if (!tp)
		goto out;
	int np = PQntuples(tp);
	if (np > REGISTRY_MAX_PLUGINS) {
		err_set(err, "template %s/%s has more than %d plugins", t->owner, t->name, REGISTRY_MAX_PLUGINS);
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		int found = 0;
		for (int i = 0; i < np; i++)
			if (!strcasecmp(PQgetvalue(tp, i, 1), pins[k].plugin.owner) &&
			    !strcasecmp(PQgetvalue(tp, i, 2), pins[k].plugin.name))
				found = 1;
		if (!found) {
			err_set(err, "template %s/%s does not use plugin %s/%s", t->owner, t->name,
				pins[k].plugin.owner, pins[k].plugin.name);
			goto out;
		}
	}
	for (int i = 0; i < np; i++) {
		const struct registry_pin *pin = NULL;
		for (size_t k = 0; k < n; k++)
			if (!strcasecmp(PQgetvalue(tp, i, 1), pins[k].plugin.owner) &&
			    !strcasecmp(PQgetvalue(tp, i, 2), pins[k].plugin.name)) {
				if (pin) {
					err_set(err, "template %s/%s: plugin %s/%s is pinned twice", t->owner, t->name,
						pins[k].plugin.owner, pins[k].plugin.name);
					goto out;
				}
				pin = &pins[k];
			}
		if (!pin) {
			err_set(err, "template %s/%s: no version given for plugin %s/%s (--plugin %s/%s:VERSION)",
				t->owner, t->name, PQgetvalue(tp, i, 1), PQgetvalue(tp, i, 2), PQgetvalue(tp, i, 1),
				PQgetvalue(tp, i, 2));
			goto out;
		}
		const char *pv[] = { PQgetvalue(tp, i, 3), pin->version };
		r = db_exec(c, "database: resolve plugin version",
			    "SELECT id, cardinality(npm_deps) > 0,"
			    "  cardinality(go_deps) > 0 OR go_min_version IS NOT NULL, coalesce(npm_module, ''),"
			    "  cardinality(python_deps) > 0"
			    " FROM plugin_versions WHERE plugin_id = $1 AND version = $2",
			    2, pv, err);
		if (!r)
			goto out;
		if (!PQntuples(r)) {
			err_set(err, "template %s/%s: unknown version %s of plugin %s/%s", t->owner, t->name,
				pin->version, PQgetvalue(tp, i, 1), PQgetvalue(tp, i, 2));
			goto out;
		}
		pv_ids[i] = db_ll(r, 0, 0);
		/* One kind of output per template version: a Go module, an npm package or a wheel. */
		const char *kind = PQgetvalue(r, 0, 1)[0] == 't'   ? "npm packages"
				   : PQgetvalue(r, 0, 2)[0] == 't' ? "Go modules"
				   : PQgetvalue(r, 0, 4)[0] == 't' ? "Python packages"
								   : NULL;
		if (kind && kind_plugin >= 0 && strcmp(kind, kind_of)) {
			err_set(err,
				"template %s/%s: plugin %s/%s generates %s and plugin %s/%s %s; a template "
				"version publishes one kind of package",
				t->owner, t->name, PQgetvalue(tp, kind_plugin, 1), PQgetvalue(tp, kind_plugin, 2),
				kind_of, PQgetvalue(tp, i, 1), PQgetvalue(tp, i, 2), kind);
			goto out;
		}
		if (kind && kind_plugin < 0) {
			kind_plugin = i;
			snprintf(kind_of, sizeof(kind_of), "%s", kind);
		}
		if (PQgetvalue(r, 0, 1)[0] == 't') {
			/* ...and one module format: package.json says "type": "module" or not. */
			const char *format = PQgetvalue(r, 0, 3);
			if (npm_plugin >= 0 && strcmp(format, npm_format)) {
				err_set(err,
					"template %s/%s: plugin %s/%s writes %s and plugin %s/%s %s; one npm "
					"package has one module format (plugin add --npm-module)",
					t->owner, t->name, PQgetvalue(tp, npm_plugin, 1), PQgetvalue(tp, npm_plugin, 2),
					npm_format, PQgetvalue(tp, i, 1), PQgetvalue(tp, i, 2), format);
				goto out;
			}
			snprintf(npm_format, sizeof(npm_format), "%s", format);
			npm_plugin = i;
		}
		PQclear(r);
		r = NULL;
	}
	r = db_exec(c, "database: insert template version",
		    "INSERT INTO template_versions (template_id, number)"
		    " SELECT $1, coalesce(max(number), 0) + 1 FROM template_versions WHERE template_id = $1"
		    " RETURNING id, number",
		    1, pi, err);
	if (!r)
		goto out;
	snprintf(tvid, sizeof(tvid), "%s", PQgetvalue(r, 0, 0));
	snprintf(num, sizeof(num), "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	r = NULL;
	for (int i = 0; i < np; i++) {
		char ps[32];
		snprintf(ps, sizeof(ps), "%lld", pv_ids[i]);
		const char *pp[] = { tvid, PQgetvalue(tp, i, 0), ps };
		if (db_run(c, "database: insert template version plugin",
			   "INSERT INTO template_version_plugins (template_version_id, position, plugin_version_id)"
			   " VALUES ($1, $2, $3)",
			   3, pp, err) < 0)
			goto out;
	}
	if (db_commit(c, err) < 0) /* a trigger notifies remotegen_work */
		goto out;
	*number = (int)num_trusted(num);
	rc = 0;
out:
	PQclear(r);
	PQclear(tp);
	if (rc < 0)
		db_rollback(c);
	return rc;
}

int registry_template_disable(PGconn *c, const struct name_ref *t, int disable, long long *template_id, char *err)
{
	const char *p[] = { t->owner, t->name, disable ? "t" : "f" };
	PGresult *r =
		db_exec(c, "registry: disable or enable template",
			"UPDATE templates SET disabled_at = CASE WHEN $3::boolean THEN coalesce(disabled_at, now()) END"
			" WHERE lower(owner) = lower($1) AND lower(name) = lower($2) RETURNING id",
			3, p, err);
	if (!r)
		return -1;
	int found = PQntuples(r) > 0;
	if (found)
		*template_id = db_ll(r, 0, 0);
	PQclear(r);
	if (!found)
		return 1;
	if (disable)
		return 0;
	char tid[32];
	snprintf(tid, sizeof(tid), "%lld", *template_id);
	const char *pt[] = { tid };
	return db_run(c, "registry: schedule the latest template version again",
		      "UPDATE template_versions SET scheduled = false WHERE id ="
		      " (SELECT id FROM template_versions WHERE template_id = $1::bigint ORDER BY number DESC LIMIT 1)",
		      1, pt, err);
}

int registry_find_template_version(PGconn *c, const struct name_ref *t, long number, long long *tv_id,
				   long *found_number, char **label, int *disabled, char *err)
{
	char tvn[32];
	snprintf(tvn, sizeof(tvn), "%ld", number);
	const char *p[] = { t->owner, t->name, tvn };
	PGresult *r = db_exec(c, "registry: find template version",
			      "SELECT tv.id, tv.number, te.owner || '/' || te.name, te.disabled_at IS NOT NULL"
			      " FROM template_versions tv"
			      " JOIN templates te ON te.id = tv.template_id"
			      " WHERE lower(te.owner) = lower($1) AND lower(te.name) = lower($2)"
			      "   AND ($3::int = 0 OR tv.number = $3::int) ORDER BY tv.number DESC LIMIT 1",
			      3, p, err);
	if (!r)
		return -1;
	int found = PQntuples(r) > 0;
	if (found) {
		*tv_id = db_ll(r, 0, 0);
		*found_number = (long)db_ll(r, 0, 1);
		*label = xstrdup(PQgetvalue(r, 0, 2));
		*disabled = PQgetvalue(r, 0, 3)[0] == 't';
	}
	PQclear(r);
	return found ? 0 : 1;
}

int registry_count_commits(PGconn *c, const struct name_ref *m, long from, long *total, char *err)
{
	char froms[32];
	snprintf(froms, sizeof(froms), "%ld", from);
	const char *p[] = { m->owner, m->name, froms };
	PGresult *r = db_exec(c, "registry: count commits",
			      "SELECT count(*) FROM commits c JOIN modules mo ON mo.id = c.module_id"
			      " WHERE ($1 = '' OR (lower(mo.owner) = lower($1) AND lower(mo.name) = lower($2)))"
			      "   AND c.sequence >= $3::int",
			      3, p, err);
	if (!r)
		return -1;
	*total = (long)db_ll(r, 0, 0);
	PQclear(r);
	return 0;
}

int registry_has(PGconn *c, const char *kind, const struct name_ref *m, char *err)
{
	long long id = find_id(c, !strcmp(kind, "module") ? SQL_MODULE_ID : SQL_TEMPLATE_ID, m, err);
	return id < 0 ? -1 : id > 0;
}

/* Listings show times as RFC 3339 UTC seconds, formatted by to_char with this pattern. */
#define RFC3339 "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'"

/* The name parameters of a listing: "" matches every object. */
static void listing_params(const struct name_ref *n, const char *p[2])
{
	p[0] = n ? n->owner : "";
	p[1] = n ? n->name : "";
}

static int listing(PGconn *c, const char *what, const char *sql, const struct name_ref *n, PGresult **res, char *err)
{
	const char *p[2];
	listing_params(n, p);
	*res = db_exec(c, what, sql, 2, p, err);
	return *res ? 0 : -1;
}

int registry_list_plugins(PGconn *c, const struct name_ref *n, PGresult **res, char *err)
{
	return listing(c, "registry: list plugins",
		       "SELECT p.owner || '/' || p.name AS plugin, pv.version, pv.runtime,"
		       "  coalesce(pv.exec_path, pv.image_ref) AS executable, pv.per_file,"
		       "  pv.timeout_ms, pv.memory_bytes, pv.output_bytes,"
		       "  array_to_string(pv.go_deps, ' ') AS go_deps, pv.go_min_version,"
		       "  array_to_string(pv.npm_deps, ' ') AS npm_deps, pv.npm_module,"
		       "  array_to_string(pv.python_deps, ' ') AS python_deps,"
		       "  array_to_string(pv.ro_paths, ' ') AS ro_paths,"
		       "  to_char(pv.created_at AT TIME ZONE 'UTC', " RFC3339 ") AS created_at"
		       " FROM plugin_versions pv JOIN plugins p ON p.id = pv.plugin_id"
		       " WHERE $1 = '' OR (lower(p.owner) = lower($1) AND lower(p.name) = lower($2))"
		       " ORDER BY lower(p.owner), lower(p.name), pv.id",
		       n, res, err);
}

int registry_list_templates(PGconn *c, const struct name_ref *n, PGresult **res, char *err)
{
	return listing(
		c, "registry: list templates",
		"SELECT t.owner || '/' || t.name AS template,"
		"  (SELECT string_agg(p.owner || '/' || p.name"
		"     || CASE WHEN tp.parameter <> '' THEN '=' || tp.parameter ELSE '' END, ' '"
		"     ORDER BY tp.position)"
		"   FROM template_plugins tp JOIN plugins p ON p.id = tp.plugin_id"
		"   WHERE tp.template_id = t.id) AS plugins,"
		"  (SELECT 'v' || max(number) FROM template_versions WHERE template_id = t.id) AS latest_version,"
		"  to_char(t.disabled_at AT TIME ZONE 'UTC', " RFC3339 ") AS disabled_at"
		" FROM templates t"
		" WHERE $1 = '' OR (lower(t.owner) = lower($1) AND lower(t.name) = lower($2))"
		" ORDER BY lower(t.owner), lower(t.name)",
		n, res, err);
}

int registry_template_versions(PGconn *c, const struct name_ref *n, PGresult **res, char *err)
{
	return listing(c, "registry: template versions",
		       "SELECT t.owner || '/' || t.name AS template, 'v' || tv.number AS version,"
		       "  to_char(tv.created_at AT TIME ZONE 'UTC', " RFC3339 ") AS created_at,"
		       "  (SELECT string_agg(p.owner || '/' || p.name || ':' || pv.version, ' ' ORDER BY tvp.position)"
		       "   FROM template_version_plugins tvp JOIN plugin_versions pv ON pv.id = tvp.plugin_version_id"
		       "   JOIN plugins p ON p.id = pv.plugin_id WHERE tvp.template_version_id = tv.id) AS plugins"
		       " FROM template_versions tv JOIN templates t ON t.id = tv.template_id"
		       " WHERE lower(t.owner) = lower($1) AND lower(t.name) = lower($2) ORDER BY tv.number",
		       n, res, err);
}

int registry_list_modules(PGconn *c, const struct name_ref *n, PGresult **res, char *err)
{
	return listing(c, "registry: list modules",
		       "SELECT m.owner || '/' || m.name AS module, count(c.id) AS commits,"
		       "  max(c.sequence) AS latest_commit,"
		       "  to_char(max(c.created_at) AT TIME ZONE 'UTC', " RFC3339 ") AS latest_at"
		       " FROM modules m LEFT JOIN commits c ON c.module_id = m.id"
		       " WHERE $1 = '' OR (lower(m.owner) = lower($1) AND lower(m.name) = lower($2))"
		       " GROUP BY m.id ORDER BY lower(m.owner), lower(m.name)",
		       n, res, err);
}

int registry_module_commits(PGconn *c, const struct name_ref *n, PGresult **res, char *err)
{
	return listing(c, "registry: module commits",
		       "SELECT m.owner || '/' || m.name AS module, c.sequence AS commit,"
		       "  to_char(c.created_at AT TIME ZONE 'UTC', " RFC3339 ") AS created_at,"
		       "  c.digest, cardinality(c.own_files) AS files, c.protoc_version,"
		       "  (SELECT string_agg(dm.owner || '/' || dm.name || ':' || dc.sequence, ' '"
		       "     ORDER BY lower(dm.owner), lower(dm.name))"
		       "   FROM commit_deps d JOIN commits dc ON dc.id = d.dep_commit_id"
		       "   JOIN modules dm ON dm.id = dc.module_id WHERE d.commit_id = c.id) AS deps"
		       " FROM commits c JOIN modules m ON m.id = c.module_id"
		       " WHERE lower(m.owner) = lower($1) AND lower(m.name) = lower($2) ORDER BY c.sequence",
		       n, res, err);
}

int registry_go_prefix(PGconn *c, const char *prefix, char *err)
{
	const char *p[] = { prefix };
	PGresult *r = db_exec(c, "registry: the Go module prefix",
			      "WITH ins AS (INSERT INTO registry_settings (name, value) VALUES ('go_prefix', $1)"
			      "  ON CONFLICT (name) DO NOTHING RETURNING value)"
			      " SELECT value FROM ins UNION ALL"
			      " SELECT value FROM registry_settings WHERE name = 'go_prefix' LIMIT 1",
			      1, p, err);
	if (!r)
		return -1;
	int rc = 0;
	if (PQntuples(r) && strcmp(PQgetvalue(r, 0, 0), prefix))
		rc = err_set(err,
			     "Go module prefix %s: this registry publishes its Go modules under %s (every published "
			     "module path and store key holds it); use --go-prefix %s or REMOTEGEN_GO_PREFIX=%s",
			     prefix, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 0));
	PQclear(r);
	return rc;
}
