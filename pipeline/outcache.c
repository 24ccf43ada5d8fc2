/*
 * outcache: per-file plugin outputs in PostgreSQL (see outcache.h). Owns the
 * worker threads' cache connections.
 */
#include "outcache.h"
#include "db.h"
#include "num.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ensure(struct outcache *oc, char *err)
{
	return db_ensure(&oc->db, oc->conninfo, err);
}

static void keys_array(const struct cache_key *keys, size_t n, struct buf *out)
{
	struct strvec sv = STRVEC_INIT;
	for (size_t i = 0; i < n; i++)
		strvec_push(&sv, keys[i].hex);
	db_text_array(&sv, out);
	strvec_clear(&sv);
}

static int cache_get(void *ctx, const struct cache_key *keys, size_t n, struct buf *values, int *found, char *err)
{
	struct outcache *oc = ctx;
	struct buf arr = BUF_INIT;
	PGresult *r = NULL;
	int rc = -1;
	memset(found, 0, n * sizeof(*found));
	if (ensure(oc, err) < 0)
		return -1;
	keys_array(keys, n, &arr);
	const char *p[] = { arr.data };
	/* A hit is a use: the entry moves to the back of the eviction order. */
	r = db_exec_bin(oc->db, "output cache: look up",
			"UPDATE output_cache SET used_at = now() WHERE key = ANY($1::text[]) RETURNING key, files", 1,
			p, err);
	if (!r)
		goto out;
	for (int row = 0; row < PQntuples(r); row++) {
		const char *key = PQgetvalue(r, row, 0);
		for (size_t i = 0; i < n; i++)
			if (!found[i] && PQgetlength(r, row, 0) == SHA256_HEX_SIZE - 1 &&
			    !memcmp(key, keys[i].hex, SHA256_HEX_SIZE - 1)) {
				found[i] = 1;
				buf_add(&values[i], PQgetvalue(r, row, 1), (size_t)PQgetlength(r, row, 1));
			}
	}
	rc = 0;
out:
	PQclear(r);
	buf_release(&arr);
	return rc;
}

static void cache_put(void *ctx, const struct cache_key *keys, const struct buf *values, size_t n, long hits,
		      long misses)
{
	struct outcache *oc = ctx;
	struct buf karr = BUF_INIT, varr = BUF_INIT;
	struct strvec enc = STRVEC_INIT;
	char err[ERR_SIZE], h[32], m[32];
	if (ensure(oc, err) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char *b64 = xmalloc(4 * ((values[i].len + 2) / 3) + 1);
		EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)(values[i].data ? values[i].data : ""),
				(int)values[i].len);
		strvec_push_owned(&enc, b64);
	}
	keys_array(keys, n, &karr);
	db_text_array(&enc, &varr);
	snprintf(h, sizeof(h), "%ld", hits);
	snprintf(m, sizeof(m), "%ld", misses);
	const char *p[] = { karr.data, varr.data, h, m };
	PGresult *r = db_exec(oc->db, "output cache: keep",
			      "WITH kept AS (INSERT INTO output_cache (key, files, bytes)"
			      "  SELECT k, decode(v, 'base64'), length(decode(v, 'base64'))"
			      "  FROM unnest($1::text[], $2::text[]) AS u(k, v)"
			      "  ON CONFLICT (key) DO NOTHING RETURNING 1)"
			      " UPDATE output_cache_stats SET hits = hits + $3::bigint, misses = misses + $4::bigint"
			      " RETURNING (SELECT count(*) FROM kept)",
			      4, p, err);
	if (r && PQntuples(r))
		oc->added += db_ll(r, 0, 0);
	PQclear(r);
	strvec_clear(&enc);
	buf_release(&karr);
	buf_release(&varr);
}

void outcache_ops(struct outcache *oc, struct filecache *ops)
{
	ops->get = cache_get;
	ops->put = cache_put;
	ops->ctx = oc;
	ops->inflight = NULL;
}

void outcache_release(struct outcache *oc)
{
	db_close(oc->db);
	oc->db = NULL;
}

int outcache_evict(PGconn *c, long long max_bytes, long long *evicted, char *err)
{
	char maxb[32];
	snprintf(maxb, sizeof(maxb), "%lld", max_bytes);
	const char *p[] = { maxb };
	PGresult *r = db_exec(
		c, "output cache: evict",
		"WITH o AS (SELECT key, sum(bytes) OVER (ORDER BY used_at DESC, key) AS total FROM output_cache)"
		" DELETE FROM output_cache c USING o WHERE c.key = o.key AND o.total > $1::bigint",
		1, p, err);
	if (!r)
		return -1;
	if (evicted)
		*evicted = num_trusted(PQcmdTuples(r));
	PQclear(r);
	return 0;
}

int outcache_figures(PGconn *c, struct outcache_figures *f, char *err)
{
	long long v[4];
	if (db_numbers(c, "output cache: figures",
		       "SELECT (SELECT count(*) FROM output_cache), (SELECT coalesce(sum(bytes), 0) FROM output_cache),"
		       "  (SELECT hits FROM output_cache_stats), (SELECT misses FROM output_cache_stats)",
		       0, NULL, v, 4, err) < 0)
		return -1;
	*f = (struct outcache_figures){ .entries = v[0], .bytes = v[1], .hits = v[2], .misses = v[3] };
	return 0;
}
