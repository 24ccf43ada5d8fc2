/*
 * image: protoc invocation and image inspection.
 */
#include "image.h"
#include "gorules.h"
#include "fsutil.h"
#include "gopkg.h"
#include "subproc.h"
#include "google/protobuf/descriptor.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void image_init(struct image *img)
{
	memset(img, 0, sizeof(*img));
}

void image_release(struct image *img)
{
	buf_release(&img->data);
	strvec_clear(&img->own_files);
	strvec_clear(&img->all_files);
	free(img->protoc_version);
	memset(img, 0, sizeof(*img));
}

static const char *protoc_path(const struct image_tools *t)
{
	return t && t->protoc ? t->protoc : "/usr/bin/protoc";
}

/* protoc's environment: PATH only; env[0] is malloc'ed (free it). */
static void child_env(const struct image_tools *t, char *env[2])
{
	env[0] = xasprintf("PATH=%s", t && t->path ? t->path : "/usr/bin:/bin");
	env[1] = NULL;
}

static int protoc_version(const struct image_tools *t, char **out, char *err)
{
	const char *argv[] = { protoc_path(t), "--version", NULL };
	char *env[2];
	child_env(t, env);
	struct subproc_opts o = { .argv = argv, .envp = (const char *const *)env, .timeout_ms = 30000 };
	struct subproc_result res;
	int rc = -1;
	subproc_result_init(&res);
	if (subproc_run(&o, NULL, 0, &res, err) < 0)
		goto out;
	/* "libprotoc 3.21.12" */
	const char *v = res.out.data ? strrchr(res.out.data, ' ') : NULL;
	if (!res.exited || res.exit_code || !v) {
		err_set(err, "%s --version failed", protoc_path(t));
		goto out;
	}
	*out = xstrdup(v + 1);
	(*out)[strcspn(*out, "\r\n")] = '\0';
	rc = 0;
out:
	free(env[0]);
	subproc_result_release(&res);
	return rc;
}

/* Every *.proto under dir, relative to it. */
static int find_protos(const char *dir, struct strvec *out, char *err)
{
	struct strvec all = STRVEC_INIT;
	int rc = fs_list_files(dir, 0, &all, err); /* a module's sources: links are followed */
	for (size_t i = 0; rc == 0 && i < all.n; i++) {
		size_t n = strlen(all.v[i]);
		if (n > 6 && !strcmp(all.v[i] + n - 6, ".proto"))
			strvec_push(out, all.v[i]);
	}
	strvec_clear(&all);
	return rc;
}

int image_list_files(const void *data, size_t len, struct strvec *files, char *err)
{
	Google__Protobuf__FileDescriptorSet *fds = google__protobuf__file_descriptor_set__unpack(NULL, len, data);
	if (!fds)
		return err_set(err, "the image is not a valid FileDescriptorSet (%zu bytes)", len);
	int rc = 0;
	for (size_t i = 0; i < fds->n_file; i++) {
		if (!fds->file[i]->name || !*fds->file[i]->name) {
			rc = err_set(err, "file #%zu of the image has no name", i + 1);
			break;
		}
		if (strvec_contains(files, fds->file[i]->name)) {
			rc = err_set(err, "file %s appears twice in the image", fds->file[i]->name);
			break;
		}
		strvec_push(files, fds->file[i]->name);
	}
	if (rc == 0 && fds->n_file == 0)
		rc = err_set(err, "the image holds no files");
	google__protobuf__file_descriptor_set__free_unpacked(fds, NULL);
	return rc;
}

static void set_digest(struct image *img)
{
	char hex[SHA256_HEX_SIZE];
	util_sha256_hex(img->data.data, img->data.len, hex);
	snprintf(img->digest, sizeof(img->digest), "sha256:%s", hex);
}

int image_compile(const struct image_tools *tools, const char *dir, const struct buf *dep_images, size_t n_deps,
		  struct image *img, char *err)
{
	struct strvec protos = STRVEC_INIT, argv = STRVEC_INIT;
	struct subproc_result res;
	char *tmp = NULL, *out = NULL;
	int rc = -1;
	struct stat st;

	subproc_result_init(&res);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err_set(err, "%s is not a directory", dir);
		goto out;
	}
	if (find_protos(dir, &protos, err) < 0)
		goto out;
	if (!protos.n) {
		err_set(err, "directory %s holds no .proto files", dir);
		goto out;
	}
	strvec_sort(&protos);
	if (protoc_version(tools, &img->protoc_version, err) < 0)
		goto out;
	if (!(tmp = fs_mkdtemp(tools ? tools->tmpdir : NULL, "remotegen-protoc", err)))
		goto out;
	out = xasprintf("%s/image.bin", tmp);
	strvec_push(&argv, protoc_path(tools));
	strvec_push(&argv, "--include_imports");
	strvec_push(&argv, "--include_source_info");
	strvec_push_owned(&argv, xasprintf("--descriptor_set_out=%s", out));
	strvec_push_owned(&argv, xasprintf("--proto_path=%s", dir));
	if (n_deps) {
		struct buf set_in = BUF_INIT;
		buf_adds(&set_in, "--descriptor_set_in=");
		for (size_t i = 0; i < n_deps; i++) {
			char *f = xasprintf("%s/dep%zu.bin", tmp, i);
			if (fs_write_replace(f, dep_images[i].data, dep_images[i].len, err) < 0) {
				free(f);
				buf_release(&set_in);
				goto out;
			}
			buf_printf(&set_in, "%s%s", i ? ":" : "", f);
			free(f);
		}
		strvec_push_owned(&argv, buf_detach(&set_in, NULL));
	}
	for (size_t i = 0; i < protos.n; i++)
		strvec_push(&argv, protos.v[i]);
	char *env[2];
	child_env(tools, env);
	struct subproc_opts o = { .argv = (const char *const *)argv.v,
				  .envp = (const char *const *)env,
				  .timeout_ms = 300000,
				  .max_stderr = 8192,
				  .abort = tools ? tools->abort : NULL };
	int run = subproc_run(&o, NULL, 0, &res, err);
	free(env[0]);
	if (run < 0)
		goto out;
	if (res.aborted) {
		err_set(err, "interrupted while protoc compiled %s: nothing recorded", dir);
		goto out;
	}
	if (!res.exited || res.exit_code) {
		while (res.err.len && res.err.data[res.err.len - 1] == '\n')
			res.err.data[--res.err.len] = '\0';
		err_set(err, "protoc failed on %s: %s", dir, res.err.len ? res.err.data : "no message");
		goto out;
	}
	if (fs_read_file(out, &img->data, err) < 0 ||
	    image_list_files(img->data.data, img->data.len, &img->all_files, err) < 0)
		goto out;
	for (size_t i = 0; i < img->all_files.n; i++)
		if (strvec_contains(&protos, img->all_files.v[i]))
			strvec_push(&img->own_files, img->all_files.v[i]);
	set_digest(img);
	rc = 0;
out:
	if (tmp) {
		fs_remove_tree(tmp, NULL);
		free(tmp);
	}
	free(out);
	subproc_result_release(&res);
	strvec_clear(&protos);
	strvec_clear(&argv);
	return rc;
}

int image_load(const struct image_tools *tools, const char *file, const struct strvec *dep_files, struct image *img,
	       char *err)
{
	if (fs_read_file(file, &img->data, err) < 0 ||
	    image_list_files(img->data.data, img->data.len, &img->all_files, err) < 0)
		return -1;
	for (size_t i = 0; i < img->all_files.n; i++) {
		const char *f = img->all_files.v[i];
		if (!gopkg_is_wkt(f) && !(dep_files && strvec_contains(dep_files, f)))
			strvec_push(&img->own_files, f);
	}
	if (!img->own_files.n)
		return err_set(err,
			       "image %s holds no files of its own (only well-known types and "
			       "dependency files)",
			       file);
	if (protoc_version(tools, &img->protoc_version, err) < 0)
		return -1;
	set_digest(img);
	return 0;
}

int image_check_imports(const struct image *img, const struct strvec *dep_files, char *err)
{
	Google__Protobuf__FileDescriptorSet *fds =
		google__protobuf__file_descriptor_set__unpack(NULL, img->data.len, (const uint8_t *)img->data.data);
	struct strvec seen = STRVEC_INIT;
	int rc = 0;
	if (!fds)
		return err_set(err, "the image is not a valid FileDescriptorSet");
	for (size_t i = 0; i < fds->n_file && rc == 0; i++) {
		const Google__Protobuf__FileDescriptorProto *f = fds->file[i];
		for (size_t k = 0; k < f->n_dependency; k++)
			if (!strvec_contains(&seen, f->dependency[k])) {
				rc = err_set(err,
					     "file %s imports %s, which is not %s the image (an image holds every "
					     "import, before the files that import it)",
					     f->name, f->dependency[k],
					     strvec_contains(&img->all_files, f->dependency[k]) ? "before it in"
												: "in");
				break;
			}
		strvec_push(&seen, f->name);
	}
	for (size_t i = 0; rc == 0 && dep_files && i < img->own_files.n; i++)
		if (strvec_contains(dep_files, img->own_files.v[i]))
			rc = err_set(err, "file %s is both the module's own and a dependency's", img->own_files.v[i]);
	strvec_clear(&seen);
	google__protobuf__file_descriptor_set__free_unpacked(fds, NULL);
	return rc;
}

int image_check_paths(const struct image *img, char *err)
{
	struct gorules_report rep = GORULES_REPORT_INIT;
	char why[ERR_SIZE];
	int rc = 0;
	gorules_check_files((const char *const *)img->own_files.v, NULL, img->own_files.n, &rep);
	/* generated files go next to their .proto: each directory must be a package path
	 * under any module path (checked below a stand-in one) */
	for (size_t i = 0; i < img->own_files.n; i++) {
		const char *f = img->own_files.v[i], *slash = strrchr(f, '/');
		if (!gorules_report_has(&rep, 0, f) && gorules_check_package("example.com", f, why) < 0) {
			char *msg = xasprintf("directory %.*s cannot be part of a Go package path: %s",
					      (int)(slash - f), f, why);
			gorules_report_add(&rep, f, 0, msg);
			free(msg);
		}
	}
	if (rep.n)
		rc = gorules_report_error(&rep, "its files would make Go modules nobody can use", err);
	gorules_report_release(&rep);
	return rc;
}
