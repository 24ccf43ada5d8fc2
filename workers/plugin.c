/*
 * plugin: one plugin run and its answer (see plugin.h): the request out
 * through the runtime and subproc, the CodeGeneratorResponse in, validated,
 * and merged into the template's files with protoc's insertion points.
 */
#include "plugin.h"
#include "answer.h"
#include "runtime.h"
#include "subproc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int plugin_check_name(const char *name, char *why, size_t whysz)
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

int plugin_insert(struct buf *target, const char *point, const char *content, size_t len)
{
	char *marker = xasprintf("@@protoc_insertion_point(%s)", point);
	/* memmem, not strstr: the file may hold NUL bytes before the marker. */
	char *hit = target->data ? memmem(target->data, target->len, marker, strlen(marker)) : NULL;
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

int plugin_read_answer(const char *label, int uses_proto3_optional, const void *data, size_t len, struct answer *ans,
		       char *err)
{
	Google__Protobuf__Compiler__CodeGeneratorResponse *resp =
		google__protobuf__compiler__code_generator_response__unpack(NULL, len, (const uint8_t *)data);
	char why[300];
	int rc = -1;
	if (!resp)
		return err_set(err, "plugin %s: its output is not a valid CodeGeneratorResponse (%zu bytes)", label,
			       len);
	if (resp->error && *resp->error) {
		err_set(err, "plugin %s: %.700s%s", label, resp->error, strlen(resp->error) > 700 ? "..." : "");
		goto out;
	}
	if (uses_proto3_optional &&
	    !(resp->has_supported_features &&
	      (resp->supported_features &
	       GOOGLE__PROTOBUF__COMPILER__CODE_GENERATOR_RESPONSE__FEATURE__FEATURE_PROTO3_OPTIONAL))) {
		err_set(err,
			"plugin %s: the input uses proto3 optional fields but the plugin does not "
			"declare FEATURE_PROTO3_OPTIONAL",
			label);
		goto out;
	}
	struct answer_file *last = NULL;
	for (size_t i = 0; i < resp->n_file; i++) {
		Google__Protobuf__Compiler__CodeGeneratorResponse__File *f = resp->file[i];
		/* The protobuf length, never strlen: generated files may hold NUL bytes. */
		const char *content = f->has_content && f->content.data ? (const char *)f->content.data : "";
		size_t clen = f->has_content ? f->content.len : 0;
		const char *name = f->name ? f->name : "";
		/* protoc joins the output directory and the name: "./a/b.js" is a/b.js (protoc-gen-js writes it) */
		while (name[0] == '.' && name[1] == '/')
			name += 2;
		int insertion = f->insertion_point && *f->insertion_point;
		if (!*name && !insertion) {
			/* protoc: a nameless file continues the previous one. */
			if (!last) {
				err_set(err, "plugin %s: file #%zu: the file name is empty", label, i + 1);
				goto out;
			}
			buf_add(&last->content, content, clen);
			continue;
		}
		if (plugin_check_name(name, why, sizeof(why)) < 0) {
			err_set(err, "plugin %s: file \"%s\": %s", label, name, why);
			goto out;
		}
		struct answer_file *af = answer_add(ans, name, insertion ? f->insertion_point : NULL, content, clen);
		last = insertion ? NULL : af;
	}
	rc = 0;
out:
	google__protobuf__compiler__code_generator_response__free_unpacked(resp, NULL);
	return rc;
}

/*
 * Runs one plugin with file_to_generate = files[0..n_files) and checks its
 * answer: the process, the response, proto3 optional, file names. On success
 * ans holds its files in order.
 */
int plugin_run(const struct request *req, const struct plugin_spec *p, char **files, size_t n_files,
	       const volatile sig_atomic_t *abort, struct answer *ans, enum plugin_failure *failure, long long *ms,
	       char *err)
{
	struct buf in = BUF_INIT;
	struct runtime_cmd cmd = { 0 };
	struct subproc_result res;
	char why[512];
	int rc = -1;

	subproc_result_init(&res);
	*failure = PLUGIN_TRANSIENT;
	struct runtime_spec spec = { .label = p->label,
				     .runtime = p->runtime,
				     .exec_path = p->exec_path,
				     .image_ref = p->image_ref,
				     .memory_bytes = p->memory_bytes,
				     .ro_paths = p->ro_paths,
				     .cfg = p->runtime_cfg };
	if (runtime_prepare(&spec, &cmd, err) < 0) {
		*failure = PLUGIN_PERMANENT;
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
	int failed = !res.exited || res.exit_code || res.held_open || res.aborted;
	if (failed)
		runtime_cleanup(&cmd);
	if (failed) {
		subproc_describe(&res, &o, why, sizeof(why));
		/* The plugin's own stderr says why; keep its last line short. */
		while (res.err.len && (res.err.data[res.err.len - 1] == '\n'))
			res.err.data[--res.err.len] = '\0';
		err_set(err, "plugin %s: %s%s%.300s", p->label, why, res.err.len ? ": " : "",
			res.err.len ? res.err.data : "");
		/* A crash or a timeout may pass; an output flood is the plugin's nature. */
		if (res.out_exceeded)
			*failure = PLUGIN_PERMANENT;
		if (res.aborted)
			*failure = PLUGIN_INTERRUPTED;
		goto out;
	}
	*failure = PLUGIN_PERMANENT;
	if (plugin_read_answer(p->label, request_files_use_proto3_optional(req, files, n_files), res.out.data,
			       res.out.len, ans, err) < 0)
		goto out;
	rc = 0;
out:
	subproc_result_release(&res);
	runtime_cmd_release(&cmd);
	buf_release(&in);
	return rc;
}

/*
 * Adds a plugin's answer to out: insertion points into earlier files, new
 * files once. A conflict is the plugin's doing: *failure = PLUGIN_PERMANENT.
 */
int plugin_merge(const struct plugin_spec *p, const struct answer *ans, struct fileset *out,
		 enum plugin_failure *failure, char *err)
{
	*failure = PLUGIN_PERMANENT;
	size_t added_from = out->n;
	for (size_t i = 0; i < ans->n; i++) {
		const struct answer_file *f = &ans->v[i];
		const char *content = f->content.data ? f->content.data : "";
		if (f->point) {
			struct fileset_entry *t = fileset_find(out, f->name);
			if (!t)
				return err_set(err,
					       "plugin %s: file %s: insertion point %s targets a file that no "
					       "earlier plugin or file produced",
					       p->label, f->name, f->point);
			if (plugin_insert(&t->content, f->point, content, f->content.len) < 0)
				return err_set(err, "plugin %s: file %s: insertion point %s not found in the file",
					       p->label, f->name, f->point);
			continue;
		}
		struct fileset_entry *dup = fileset_find(out, f->name);
		if (dup)
			return err_set(err, "plugin %s: file %s: %s", p->label, f->name,
				       dup >= out->v + added_from
					       ? "the plugin produced the file twice"
					       : "an earlier plugin of the template already produced this file");
		fileset_add(out, f->name, content, f->content.len);
	}
	return 0;
}

int plugin_run_all(const struct request *req, const struct plugin_spec *p, const volatile sig_atomic_t *abort,
		   struct fileset *out, enum plugin_failure *failure, long long *ms, char *err)
{
	struct answer ans = { 0 };
	int rc = plugin_run(req, p, req->files, req->n_files, abort, &ans, failure, ms, err);
	if (rc == 0)
		rc = plugin_merge(p, &ans, out, failure, err);
	answer_release(&ans);
	return rc;
}
