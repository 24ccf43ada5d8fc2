/*
 * filecache: the per-file output cache protocol (see filecache.h): keys,
 * salt, answers split by file and encoded, single flight in rounds.
 */
#include "filecache.h"
#include "answer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void filecache_keys(const struct request *r, const char *salt, struct cache_key *keys)
{
	size_t n = r->fds->n_file;
	unsigned char(*h)[32] = xcalloc(n + 1, sizeof(*h));
	unsigned char *mark = xcalloc(n + 1, 1);
	struct buf b = BUF_INIT;
	/*
	 * Each file as it is sent (after managed mode), hashed once: h_full with its
	 * source info (comments), h_defs without. A file's own comments are part of
	 * its output; of its imports only the definitions are (--per-file says so).
	 */
	unsigned char(*h_defs)[32] = xcalloc(n + 1, sizeof(*h_defs));
	for (size_t j = 0; j < n; j++) {
		Google__Protobuf__FileDescriptorProto *f = r->fds->file[j];
		for (int pass = 0; pass < 2; pass++) {
			Google__Protobuf__SourceCodeInfo *sci = f->source_code_info;
			if (pass)
				f->source_code_info = NULL;
			buf_reset(&b);
			size_t len = google__protobuf__file_descriptor_proto__get_packed_size(f);
			buf_grow(&b, len);
			google__protobuf__file_descriptor_proto__pack(f, (uint8_t *)b.data);
			f->source_code_info = sci;
			util_sha256(b.data, len, pass ? h_defs[j] : h[j]);
		}
	}
	char version[64] = "";
	if (r->has_version)
		snprintf(version, sizeof(version), "%d.%d.%d-%s", r->version.major, r->version.minor, r->version.patch,
			 r->suffix);
	for (size_t i = 0; i < r->n_files; i++) {
		long j = request_index_of(r, r->files[i]);
		memset(mark, 0, n);
		buf_reset(&b);
		buf_adds(&b, salt);
		buf_addc(&b, '\0');
		buf_adds(&b, version);
		buf_addc(&b, '\0');
		buf_adds(&b, r->files[i]);
		buf_addc(&b, '\0');
		if (j >= 0)
			request_closure(r, (size_t)j, mark);
		for (size_t k = 0; k < n; k++)
			if (mark[k])
				buf_add(&b, (long)k == j ? h[k] : h_defs[k], 32);
		util_sha256_hex(b.data, b.len, keys[i].hex);
	}
	buf_release(&b);
	free(mark);
	free(h_defs);
	free(h);
}

char *filecache_salt(const struct plugin_spec *p)
{
	return xasprintf("remotegen-cache-1|%lld|%s|%s|%s", p->version_id, p->runtime,
			 p->exec_path	? p->exec_path
			 : p->image_ref ? p->image_ref
					: "",
			 p->parameter ? p->parameter : "");
}

/*
 * The file to generate that an output belongs to: the one whose name without
 * ".proto" is the longest prefix of the output's name followed by a
 * character that is neither a letter, a digit nor '/' (a/b.proto: a/b.pb.go,
 * a/b_grpc.pb.go). -1 when none is.
 */
static long owner_of(const char *name, char **files, size_t n)
{
	long best = -1;
	size_t best_len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(files[i]);
		if (len > 6 && !strcmp(files[i] + len - 6, ".proto"))
			len -= 6;
		if (strncmp(name, files[i], len))
			continue; /* (name is at least len long past here) */
		char c = name[len];
		if (!c || c == '/' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if (len > best_len) {
			best = (long)i;
			best_len = len;
		}
	}
	return best;
}

/* Splits an answer into one per file to generate; -1 when an output has no single owner. */
static int split_answer(const struct answer *ans, char **files, size_t n, struct answer *per_file)
{
	for (size_t i = 0; i < ans->n; i++) {
		const struct answer_file *f = &ans->v[i];
		long k = f->point ? -1 : owner_of(f->name, files, n);
		if (k < 0)
			return -1;
		answer_add(&per_file[k], f->name, NULL, f->content.data ? f->content.data : "", f->content.len);
	}
	return 0;
}

/* A cached answer: a serialized CodeGeneratorResponse of names and contents. */
static void encode_answer(const struct answer *a, struct buf *out)
{
	Google__Protobuf__Compiler__CodeGeneratorResponse resp;
	Google__Protobuf__Compiler__CodeGeneratorResponse__File *fv = xcalloc(a->n + 1, sizeof(*fv));
	Google__Protobuf__Compiler__CodeGeneratorResponse__File **fp = xcalloc(a->n + 1, sizeof(*fp));
	google__protobuf__compiler__code_generator_response__init(&resp);
	for (size_t i = 0; i < a->n; i++) {
		google__protobuf__compiler__code_generator_response__file__init(&fv[i]);
		fv[i].name = a->v[i].name;
		fv[i].has_content = 1;
		fv[i].content.data = (uint8_t *)(a->v[i].content.data ? a->v[i].content.data : "");
		fv[i].content.len = a->v[i].content.len;
		fp[i] = &fv[i];
	}
	resp.n_file = a->n;
	resp.file = fp;
	size_t len = google__protobuf__compiler__code_generator_response__get_packed_size(&resp);
	buf_grow(out, len);
	google__protobuf__compiler__code_generator_response__pack(&resp, (uint8_t *)out->data + out->len);
	out->len += len;
	out->data[out->len] = '\0';
	free(fp);
	free(fv);
}

static int decode_answer(const struct buf *b, struct answer *a)
{
	Google__Protobuf__Compiler__CodeGeneratorResponse *resp =
		google__protobuf__compiler__code_generator_response__unpack(NULL, b->len, (const uint8_t *)b->data);
	if (!resp)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < resp->n_file && rc == 0; i++) {
		const Google__Protobuf__Compiler__CodeGeneratorResponse__File *f = resp->file[i];
		if (!f->name || !f->has_content)
			rc = -1;
		else
			answer_add(a, f->name, NULL, f->content.data ? (const char *)f->content.data : "",
				   f->content.len);
	}
	google__protobuf__compiler__code_generator_response__free_unpacked(resp, NULL);
	return rc;
}

/*
 * Runs the plugin on the files at[0..count) of the request (indexes into
 * req->files) and files each output under its file in per_file. Returns 0, 1
 * when the outputs cannot be told apart by file (nothing filed), or -1
 * (failure and err set).
 */
static int compute_files(const struct request *req, const struct plugin_spec *p, const size_t *at, size_t count,
			 const volatile sig_atomic_t *abort, struct answer *per_file, enum plugin_failure *failure,
			 long long *ms, char *err)
{
	char **files = xcalloc(count + 1, sizeof(*files));
	struct answer *fresh = xcalloc(count + 1, sizeof(*fresh));
	struct answer ans = { 0 };
	int rc = -1;
	for (size_t k = 0; k < count; k++)
		files[k] = req->files[at[k]];
	if (plugin_run(req, p, files, count, abort, &ans, failure, ms, err) < 0)
		goto out;
	if (split_answer(&ans, files, count, fresh) < 0) {
		rc = 1;
		goto out;
	}
	for (size_t k = 0; k < count; k++) {
		struct answer tmp = per_file[at[k]];
		per_file[at[k]] = fresh[k];
		fresh[k] = tmp; /* empty */
	}
	rc = 0;
out:
	for (size_t k = 0; k < count; k++)
		answer_release(&fresh[k]);
	answer_release(&ans);
	free(fresh);
	free(files);
	return rc;
}

/* Keys of the files at[0..count), for the single-flight table. malloc'ed. */
static struct cache_key *keys_at(const struct cache_key *keys, const size_t *at, size_t count)
{
	struct cache_key *k = xcalloc(count + 1, sizeof(*k));
	for (size_t i = 0; i < count; i++)
		k[i] = keys[at[i]];
	return k;
}

/* Stores the outputs of the files at[0..count) under their keys, adding hits and misses to the figures. */
static void keep_files(const struct filecache *cache, const struct cache_key *keys, const size_t *at, size_t count,
		       const struct answer *per_file, long hits, long misses)
{
	struct cache_key *k = keys_at(keys, at, count);
	struct buf *encoded = xcalloc(count + 1, sizeof(*encoded));
	for (size_t i = 0; i < count; i++)
		encode_answer(&per_file[at[i]], &encoded[i]);
	cache->put(cache->ctx, k, encoded, count, hits, misses);
	for (size_t i = 0; i < count; i++)
		buf_release(&encoded[i]);
	free(encoded);
	free(k);
}

/*
 * Looks the files at[0..*count) up in the cache again (another generation
 * may have stored them since): the found ones go into per_file and leave at,
 * which keeps the others in order. A cache that cannot answer finds nothing.
 */
static void take_cached(const struct filecache *cache, const struct cache_key *keys, size_t *at, size_t *count,
			struct answer *per_file)
{
	size_t n = *count, kept = 0;
	if (!n)
		return;
	struct cache_key *k = keys_at(keys, at, n);
	struct buf *v = xcalloc(n + 1, sizeof(*v));
	int *found = xcalloc(n + 1, sizeof(*found));
	char why[ERR_SIZE];
	if (cache->get(cache->ctx, k, n, v, found, why) < 0)
		memset(found, 0, n * sizeof(*found));
	for (size_t i = 0; i < n; i++) {
		if (!found[i] || decode_answer(&v[i], &per_file[at[i]]) < 0) {
			answer_release(&per_file[at[i]]);
			at[kept++] = at[i];
		}
		buf_release(&v[i]);
	}
	*count = kept;
	free(v);
	free(found);
	free(k);
}

/*
 * Fewer than twice this many missing files are claimed in one round: every
 * round is a plugin run, which costs its start and the reading of the imports.
 */
#define CLAIM_MIN 16

/*
 * Computes the missing files own[0..n_own) and stores them, in rounds with
 * single flight: claim at most half of the missing files that no other
 * generation of this process is computing, look them up once more (another
 * worker may have stored them between our look-up and our claim), compute
 * and store the rest, release the claims, and claim again. So two workers on
 * adjacent commits share the files they both miss instead of one waiting
 * while the other computes them all. When everything missing is claimed by
 * others, wait for it holding no claim (deadlock-free), take what they
 * stored, and claim what they left (they failed or kept nothing). Without a
 * table (one worker) everything missing is computed in one round.
 * *computed counts the files computed here. Returns 0, 1 when the outputs
 * cannot be told apart by file (nothing more is cached), -1 (failure, err set).
 */
static int compute_missing(const struct request *req, const struct plugin_spec *p, const struct filecache *cache,
			   const struct cache_key *keys, size_t *own, size_t n_own, struct answer *per_file,
			   const volatile sig_atomic_t *abort, enum plugin_failure *failure, long long *ms,
			   size_t *computed, char *err)
{
	size_t n = req->n_files, n_took = 0, n_claimed = 0;
	struct cache_key *pend_keys = NULL, *mine_keys = NULL;
	int *mine = xcalloc(n + 1, sizeof(*mine));
	size_t *took = xcalloc(n + 1, sizeof(*took));
	int rc = 0, claimed = 0;
	size_t per_round = n_own;
	if (cache->inflight && n_own >= 2 * CLAIM_MIN)
		per_round = (n_own + 1) / 2;
	while (n_own && rc == 0) {
		n_claimed = n_own;
		if (cache->inflight) {
			free(pend_keys);
			pend_keys = keys_at(keys, own, n_own);
			n_claimed = inflight_claim(cache->inflight, pend_keys, n_own, per_round, mine);
			if (!n_claimed) {
				inflight_wait(cache->inflight, pend_keys, n_own);
				take_cached(cache, keys, own, &n_own, per_file);
				continue;
			}
		} else {
			for (size_t k = 0; k < n_own; k++)
				mine[k] = 1;
		}
		size_t rest = 0, t = 0;
		for (size_t k = 0; k < n_own; k++) {
			if (mine[k])
				took[t++] = own[k];
			else
				own[rest++] = own[k];
		}
		n_own = rest;
		n_took = n_claimed;
		if (cache->inflight) {
			free(mine_keys);
			mine_keys = keys_at(keys, took, n_claimed);
			claimed = 1;
			take_cached(cache, keys, took, &n_took, per_file);
		}
		if (n_took && (rc = compute_files(req, p, took, n_took, abort, per_file, failure, ms, err)) == 0) {
			keep_files(cache, keys, took, n_took, per_file, 0, (long)n_took);
			*computed += n_took;
		}
		if (claimed) {
			inflight_drop(cache->inflight, mine_keys, n_claimed);
			claimed = 0;
		}
	}
	free(mine);
	free(took);
	free(pend_keys);
	free(mine_keys);
	return rc;
}

int filecache_run(const struct request *req, const struct plugin_spec *p, const struct filecache *cache,
		  const volatile sig_atomic_t *abort, struct fileset *out, enum plugin_failure *failure, long long *ms,
		  struct filecache_stats *stats, char *err)
{
	size_t n = req->n_files, n_own = 0, computed = 0;
	struct cache_key *keys = xcalloc(n + 1, sizeof(*keys));
	struct buf *values = xcalloc(n + 1, sizeof(*values));
	struct answer *per_file = xcalloc(n + 1, sizeof(*per_file));
	struct answer all = { 0 };
	int *found = xcalloc(n + 1, sizeof(*found));
	size_t *own = xcalloc(n + 1, sizeof(*own));
	char *salt = filecache_salt(p);
	char why[ERR_SIZE];
	int rc = -1, usable = 1, r;

	filecache_keys(req, salt, keys);
	if (cache->get(cache->ctx, keys, n, values, found, why) < 0)
		usable = 0; /* the cache is down: generate without it */
	for (size_t i = 0; usable && i < n; i++) {
		if (found[i] && decode_answer(&values[i], &per_file[i]) < 0)
			usable = 0;
		if (!found[i])
			own[n_own++] = i;
	}
	if (!usable) {
		rc = plugin_run_all(req, p, abort, out, failure, ms, err);
		goto out;
	}
	r = compute_missing(req, p, cache, keys, own, n_own, per_file, abort, failure, ms, &computed, err);
	if (r < 0)
		goto out;
	if (r == 1) {
		/* Not per file after all: nothing is cached; the run is done again whole. */
		rc = plugin_run_all(req, p, abort, out, failure, ms, err);
		goto out;
	}
	/* The hits are counted here (the misses were, with what each round stored). */
	keep_files(cache, keys, own, 0, per_file, (long)(n - computed), 0);
	/* Every file's outputs in the order of the files to generate, as a full run gives them. */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < per_file[i].n; k++)
			answer_add(&all, per_file[i].v[k].name, NULL,
				   per_file[i].v[k].content.data ? per_file[i].v[k].content.data : "",
				   per_file[i].v[k].content.len);
	if (plugin_merge(p, &all, out, failure, err) < 0)
		goto out;
	if (stats) {
		stats->cache_hits += (long)(n - computed);
		stats->cache_misses += (long)computed;
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		buf_release(&values[i]);
		answer_release(&per_file[i]);
	}
	answer_release(&all);
	free(values);
	free(per_file);
	free(found);
	free(own);
	free(keys);
	free(salt);
	return rc;
}
