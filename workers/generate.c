/*
 * generate: plugin runs, response validation and merging.
 */
#include "generate.h"
#include "inflight.h"
#include "runtime.h"
#include "subproc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int generate_check_name(const char *name, char *why, size_t whysz)
{
	if (!*name)
		return snprintf(why, whysz, "the file name is empty"), -1;
	if (name[0] == '/')
		return snprintf(why, whysz, "the file name is absolute"), -1;
	if (strchr(name, '\\'))
		return snprintf(why, whysz, "the file name holds a backslash"), -1;
	const char *p = name;
	while (1) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && !strncmp(p, "..", 2))
			return snprintf(why, whysz, "the file name holds a '..' element"), -1;
		if (n == 0 || (n == 1 && p[0] == '.'))
			return snprintf(why, whysz, "the file name is not normalized"), -1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

int generate_insert(struct buf *target, const char *point, const char *content, size_t len)
{
	char *marker = xasprintf("@@protoc_insertion_point(%s)", point);
	char *hit = target->data ? strstr(target->data, marker) : NULL;
	free(marker);
	if (!hit)
		return -1;
	size_t pos = (size_t)(hit - target->data);
	if (pos > 3 && !strncmp(target->data + pos - 3, "/* ", 3)) {
		pos -= 3;
	} else {
		while (pos > 0 && target->data[pos - 1] != '\n')
			pos--;
	}
	size_t ind = 0;
	while (pos + ind < target->len && (target->data[pos + ind] == ' ' || target->data[pos + ind] == '\t'))
		ind++;
	struct buf ins = BUF_INIT;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(content + i, '\n', len - i);
		size_t line = nl ? (size_t)(nl - (content + i)) + 1 : len - i;
		buf_add(&ins, target->data + pos, ind);
		buf_add(&ins, content + i, line);
		i += line;
	}
	/* protoc ends inserted content with a newline when it has none. */
	if (len && content[len - 1] != '\n')
		buf_addc(&ins, '\n');
	struct buf res = BUF_INIT;
	buf_grow(&res, target->len + ins.len);
	buf_add(&res, target->data, pos);
	buf_add(&res, ins.data, ins.len);
	buf_add(&res, target->data + pos, target->len - pos);
	buf_release(&ins);
	buf_release(target);
	*target = res;
	return 0;
}

/* One file of a plugin's answer (a nameless file already folded into the one before it). */
struct answer_file {
	char *name;     /* owned */
	char *point;    /* insertion point, or NULL; owned */
	struct buf content;
};

struct answer {
	struct answer_file *v;
	size_t n, cap;
};

static struct answer_file *answer_add(struct answer *a, const char *name, const char *point,
				      const char *content, size_t len)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	struct answer_file *f = &a->v[a->n++];
	*f = (struct answer_file){ .name = xstrdup(name), .point = point ? xstrdup(point) : NULL };
	buf_add(&f->content, content, len);
	return f;
}

static void answer_release(struct answer *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].point);
		buf_release(&a->v[i].content);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/*
 * Runs one plugin with file_to_generate = files[0..n_files) and checks its
 * answer: the process, the response, proto3 optional, file names. On success
 * ans holds its files in order.
 */
static int run_plugin(const struct request *req, const struct generate_plugin *p, char **files,
		      size_t n_files, const volatile sig_atomic_t *abort, struct answer *ans,
		      enum generate_failure *failure, long long *ms, char *err)
{
	struct buf in = BUF_INIT;
	struct runtime_cmd cmd = { 0 };
	struct subproc_result res;
	Google__Protobuf__Compiler__CodeGeneratorResponse *resp = NULL;
	char why[512];
	int rc = -1;

	subproc_result_init(&res);
	*failure = GENERATE_TRANSIENT;
	struct runtime_spec spec = { .label = p->label, .runtime = p->runtime, .exec_path = p->exec_path,
				     .image_ref = p->image_ref, .memory_bytes = p->memory_bytes,
				     .ro_paths = p->ro_paths, .cfg = p->runtime_cfg };
	if (runtime_prepare(&spec, &cmd, err) < 0) {
		*failure = GENERATE_PERMANENT;
		goto out;
	}
	request_pack_files(req, p->parameter, files, n_files, &in);
	struct subproc_opts o = {
		.argv = (const char *const *)cmd.argv.v,
		.timeout_ms = p->timeout_ms,
		.mem_bytes = cmd.set_rlimit_as ? p->memory_bytes : 0,
		.max_stdout = (size_t)p->output_bytes,
		.max_files = 1024,
		.abort = abort,
	};
	if (subproc_run(&o, in.data, in.len, &res, err) < 0) {
		char tmp[ERR_SIZE];
		snprintf(tmp, sizeof(tmp), "plugin %s: %s", p->label, err);
		memcpy(err, tmp, ERR_SIZE);
		goto out;
	}
	*ms += res.ms;
	/* bwrap and podman report a plugin killed by signal N as exit status 128+N. */
	if (strcmp(p->runtime, "exec") && res.exited && res.exit_code > 128 && res.exit_code < 128 + 65) {
		res.exited = 0;
		res.signal = res.exit_code - 128;
	}
	if (!res.exited || res.exit_code)
		runtime_cleanup(&cmd);
	if (!res.exited || res.exit_code) {
		subproc_describe(&res, &o, why, sizeof(why));
		/* The plugin's own stderr says why; keep its last line short. */
		while (res.err.len && (res.err.data[res.err.len - 1] == '\n'))
			res.err.data[--res.err.len] = '\0';
		err_set(err, "plugin %s: %s%s%.300s", p->label, why, res.err.len ? ": " : "",
			res.err.len ? res.err.data : "");
		/* A crash or a timeout may pass; an output flood is the plugin's nature. */
		if (res.out_exceeded)
			*failure = GENERATE_PERMANENT;
		if (res.aborted)
			*failure = GENERATE_INTERRUPTED;
		goto out;
	}
	resp = google__protobuf__compiler__code_generator_response__unpack(NULL, res.out.len,
									   (const uint8_t *)res.out.data);
	*failure = GENERATE_PERMANENT;
	if (!resp) {
		err_set(err, "plugin %s: its output is not a valid CodeGeneratorResponse (%zu bytes)",
			p->label, res.out.len);
		goto out;
	}
	if (resp->error && *resp->error) {
		err_set(err, "plugin %s: %.700s%s", p->label, resp->error, strlen(resp->error) > 700 ? "..." : "");
		goto out;
	}
	if (request_files_use_proto3_optional(req, files, n_files) &&
	    !(resp->has_supported_features &&
	      (resp->supported_features & GOOGLE__PROTOBUF__COMPILER__CODE_GENERATOR_RESPONSE__FEATURE__FEATURE_PROTO3_OPTIONAL))) {
		err_set(err, "plugin %s: the input uses proto3 optional fields but the plugin does not "
			"declare FEATURE_PROTO3_OPTIONAL", p->label);
		goto out;
	}
	struct answer_file *last = NULL;
	for (size_t i = 0; i < resp->n_file; i++) {
		Google__Protobuf__Compiler__CodeGeneratorResponse__File *f = resp->file[i];
		const char *content = f->content ? f->content : "";
		size_t clen = strlen(content);
		const char *name = f->name ? f->name : "";
		int insertion = f->insertion_point && *f->insertion_point;
		if (!*name && !insertion) {
			/* protoc: a nameless file continues the previous one. */
			if (!last) {
				err_set(err, "plugin %s: file #%zu: the file name is empty", p->label, i + 1);
				goto out;
			}
			buf_add(&last->content, content, clen);
			continue;
		}
		if (generate_check_name(name, why, sizeof(why)) < 0) {
			err_set(err, "plugin %s: file \"%s\": %s", p->label, name, why);
			goto out;
		}
		struct answer_file *af = answer_add(ans, name, insertion ? f->insertion_point : NULL, content, clen);
		last = insertion ? NULL : af;
	}
	rc = 0;
out:
	if (resp)
		google__protobuf__compiler__code_generator_response__free_unpacked(resp, NULL);
	subproc_result_release(&res);
	runtime_cmd_release(&cmd);
	buf_release(&in);
	return rc;
}

/*
 * Adds a plugin's answer to out: insertion points into earlier files, new
 * files once. A conflict is the plugin's doing: *failure = GENERATE_PERMANENT.
 */
static int merge_answer(const struct generate_plugin *p, const struct answer *ans, struct fileset *out,
			enum generate_failure *failure, char *err)
{
	*failure = GENERATE_PERMANENT;
	size_t added_from = out->n;
	for (size_t i = 0; i < ans->n; i++) {
		const struct answer_file *f = &ans->v[i];
		const char *content = f->content.data ? f->content.data : "";
		if (f->point) {
			struct fileset_entry *t = fileset_find(out, f->name);
			if (!t)
				return err_set(err, "plugin %s: file %s: insertion point %s targets a file that no "
					       "earlier plugin or file produced", p->label, f->name, f->point);
			if (generate_insert(&t->content, f->point, content, f->content.len) < 0)
				return err_set(err, "plugin %s: file %s: insertion point %s not found in the file",
					       p->label, f->name, f->point);
			continue;
		}
		struct fileset_entry *dup = fileset_find(out, f->name);
		if (dup)
			return err_set(err, "plugin %s: file %s: %s", p->label, f->name,
				       dup >= out->v + added_from ? "the plugin produced the file twice"
								 : "an earlier plugin of the template already produced this file");
		fileset_add(out, f->name, content, f->content.len);
	}
	return 0;
}

static int run_one(const struct request *req, const struct generate_plugin *p,
		   const volatile sig_atomic_t *abort, struct fileset *out,
		   enum generate_failure *failure, long long *ms, char *err)
{
	struct answer ans = { 0 };
	int rc = run_plugin(req, p, req->files, req->n_files, abort, &ans, failure, ms, err);
	if (rc == 0)
		rc = merge_answer(p, &ans, out, failure, err);
	answer_release(&ans);
	return rc;
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
		fv[i].content = a->v[i].content.data ? a->v[i].content.data : (char *)"";
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
		const char *name = resp->file[i]->name, *content = resp->file[i]->content;
		if (!name || !content)
			rc = -1;
		else
			answer_add(a, name, NULL, content, strlen(content));
	}
	google__protobuf__compiler__code_generator_response__free_unpacked(resp, NULL);
	return rc;
}

/*
 * A per-file plugin: the files whose key is cached come from the cache, the
 * others go to the plugin in one run, and their outputs are cached under
 * their keys. When an output cannot be told apart by file (or a cached entry
 * is unreadable), the plugin runs on every file and nothing is cached, so
 * the result is always what a full run gives.
 */
/*
 * Runs the plugin on the files at[0..count) of the request (indexes into
 * req->files) and files each output under its file in per_file. Returns 0, 1
 * when the outputs cannot be told apart by file (nothing filed), or -1
 * (failure and err set).
 */
static int compute_files(const struct request *req, const struct generate_plugin *p, const size_t *at,
			 size_t count, const volatile sig_atomic_t *abort, struct answer *per_file,
			 enum generate_failure *failure, long long *ms, char *err)
{
	char **files = xcalloc(count + 1, sizeof(*files));
	struct answer *fresh = xcalloc(count + 1, sizeof(*fresh));
	struct answer ans = { 0 };
	int rc = -1;
	for (size_t k = 0; k < count; k++)
		files[k] = req->files[at[k]];
	if (run_plugin(req, p, files, count, abort, &ans, failure, ms, err) < 0)
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

/* Stores the outputs of the files at[0..count) under their keys, adding hits and misses to the figures. */
static void keep_files(const struct generate_cache *cache, char (*keys)[65], const size_t *at, size_t count,
		       const struct answer *per_file, long hits, long misses)
{
	char (*k)[65] = xcalloc(count + 1, sizeof(*k));
	struct buf *encoded = xcalloc(count + 1, sizeof(*encoded));
	for (size_t i = 0; i < count; i++) {
		memcpy(k[i], keys[at[i]], 65);
		encode_answer(&per_file[at[i]], &encoded[i]);
	}
	cache->put(cache->ctx, (const char (*)[65])k, encoded, count, hits, misses);
	for (size_t i = 0; i < count; i++)
		buf_release(&encoded[i]);
	free(encoded);
	free(k);
}

/* Keys of the files at[0..count), for the single-flight table. malloc'ed. */
static char (*keys_at(char (*keys)[65], const size_t *at, size_t count))[65]
{
	char (*k)[65] = xcalloc(count + 1, sizeof(*k));
	for (size_t i = 0; i < count; i++)
		memcpy(k[i], keys[at[i]], 65);
	return k;
}

/*
 * Looks the files at[0..*count) up in the cache again (another generation
 * may have stored them since): the found ones go into per_file and leave at,
 * which keeps the others in order. A cache that cannot answer finds nothing.
 */
static void take_cached(const struct generate_cache *cache, char (*keys)[65], size_t *at, size_t *count,
			struct answer *per_file)
{
	size_t n = *count, kept = 0;
	if (!n)
		return;
	char (*k)[65] = keys_at(keys, at, n);
	struct buf *v = xcalloc(n + 1, sizeof(*v));
	int *found = xcalloc(n + 1, sizeof(*found));
	char why[ERR_SIZE];
	if (cache->get(cache->ctx, (const char (*)[65])k, n, v, found, why) < 0)
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

static int run_cached(const struct request *req, const struct generate_plugin *p,
		      const struct generate_cache *cache, const volatile sig_atomic_t *abort,
		      struct fileset *out, enum generate_failure *failure, long long *ms,
		      struct generate_stats *stats, char *err)
{
	size_t n = req->n_files, n_own = 0, computed = 0;
	char (*keys)[65] = xcalloc(n + 1, sizeof(*keys));
	char (*pend_keys)[65] = NULL, (*mine_keys)[65] = NULL;
	struct buf *values = xcalloc(n + 1, sizeof(*values));
	struct answer *per_file = xcalloc(n + 1, sizeof(*per_file));
	struct answer all = { 0 };
	int *found = xcalloc(n + 1, sizeof(*found)), *mine = xcalloc(n + 1, sizeof(*mine));
	size_t *own = xcalloc(n + 1, sizeof(*own)), *took = xcalloc(n + 1, sizeof(*took));
	size_t n_took = 0, n_claimed = 0;
	char *salt = xasprintf("remotegen-cache-1|%lld|%s|%s|%s", p->version_id, p->runtime,
			       p->exec_path ? p->exec_path : p->image_ref ? p->image_ref : "",
			       p->parameter ? p->parameter : "");
	char why[ERR_SIZE];
	int rc = -1, usable = 1, claimed = 0, r;

	request_file_keys(req, salt, keys);
	if (cache->get(cache->ctx, (const char (*)[65])keys, n, values, found, why) < 0)
		usable = 0; /* the cache is down: generate without it */
	for (size_t i = 0; usable && i < n; i++) {
		if (found[i] && decode_answer(&values[i], &per_file[i]) < 0)
			usable = 0;
		if (!found[i])
			own[n_own++] = i;
	}
	if (!usable) {
		rc = run_one(req, p, abort, out, failure, ms, err);
		goto out;
	}
	/*
	 * Single flight, in rounds: claim at most half of the missing files that no
	 * other generation of this process is computing, look them up once more
	 * (another worker may have stored them between our look-up and our claim),
	 * compute and store the rest, release the claims, and claim again. So two
	 * workers on adjacent commits share the files they both miss instead of one
	 * waiting while the other computes them all. When everything missing is
	 * claimed by others, wait for it holding no claim (deadlock-free), take what
	 * they stored, and claim what they left (they failed or kept nothing).
	 * Without a table (one worker) everything missing is computed in one round.
	 */
	size_t per_round = n_own;
	if (cache->inflight && n_own >= 2 * CLAIM_MIN)
		per_round = (n_own + 1) / 2;
	while (n_own) {
		n_claimed = n_own;
		if (cache->inflight) {
			free(pend_keys);
			pend_keys = keys_at(keys, own, n_own);
			n_claimed = inflight_claim(cache->inflight, (const char (*)[65])pend_keys, n_own, per_round,
						   mine);
			if (!n_claimed) {
				inflight_wait(cache->inflight, (const char (*)[65])pend_keys, n_own);
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
		if (n_took) {
			if ((r = compute_files(req, p, took, n_took, abort, per_file, failure, ms, err)) < 0)
				goto out;
			if (r == 1) {
				/* Not per file after all: nothing is cached; the run is done again whole. */
				rc = run_one(req, p, abort, out, failure, ms, err);
				goto out;
			}
			keep_files(cache, keys, took, n_took, per_file, 0, (long)n_took);
			computed += n_took;
		}
		if (claimed) {
			inflight_drop(cache->inflight, (const char (*)[65])mine_keys, n_claimed);
			claimed = 0;
		}
	}
	/* The hits are counted here (the misses were, with what each round stored). */
	keep_files(cache, keys, took, 0, per_file, (long)(n - computed), 0);
	/* Every file's outputs in the order of the files to generate, as a full run gives them. */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < per_file[i].n; k++)
			answer_add(&all, per_file[i].v[k].name, NULL,
				   per_file[i].v[k].content.data ? per_file[i].v[k].content.data : "",
				   per_file[i].v[k].content.len);
	if (merge_answer(p, &all, out, failure, err) < 0)
		goto out;
	if (stats) {
		stats->cache_hits += (long)(n - computed);
		stats->cache_misses += (long)computed;
	}
	rc = 0;
out:
	if (claimed)
		inflight_drop(cache->inflight, (const char (*)[65])mine_keys, n_claimed);
	for (size_t i = 0; i < n; i++) {
		buf_release(&values[i]);
		answer_release(&per_file[i]);
	}
	answer_release(&all);
	free(values);
	free(per_file);
	free(found);
	free(mine);
	free(own);
	free(took);
	free(pend_keys);
	free(mine_keys);
	free(keys);
	free(salt);
	return rc;
}

int generate_run(const struct request *req, const struct generate_plugin *plugins, size_t n,
		 const struct generate_cache *cache, const volatile sig_atomic_t *abort,
		 struct fileset *out, enum generate_failure *failure, long long *plugin_ms,
		 struct generate_stats *stats, char *err)
{
	*plugin_ms = 0;
	for (size_t i = 0; i < n; i++) {
		if (abort && *abort) {
			*failure = GENERATE_INTERRUPTED;
			return err_set(err, "interrupted: remotegen is shutting down");
		}
		const struct generate_plugin *p = &plugins[i];
		int rc = cache && p->per_file && req->n_files
				 ? run_cached(req, p, cache, abort, out, failure, plugin_ms, stats, err)
				 : run_one(req, p, abort, out, failure, plugin_ms, err);
		if (rc < 0)
			return -1;
	}
	return 0;
}
