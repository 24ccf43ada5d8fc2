/*
 * runtime: argv construction for exec, bwrap and oci plugin runs, and the
 * removal of oci containers left behind.
 */
#include "runtime.h"
#include "subproc.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int runtime_known(const char *name)
{
	return !strcmp(name, "exec") || !strcmp(name, "bwrap") || !strcmp(name, "oci");
}

/* /bin, /lib, ...: a symlink (merged /usr) is recreated, a directory bound read-only. */
static void bind_root_entry(struct strvec *a, const char *path)
{
	struct stat st;
	char target[4096];
	if (lstat(path, &st) < 0)
		return;
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			return;
		target[n] = '\0';
		strvec_push(a, "--symlink");
		strvec_push(a, target);
		strvec_push(a, path);
	} else if (S_ISDIR(st.st_mode)) {
		strvec_push(a, "--ro-bind");
		strvec_push(a, path);
		strvec_push(a, path);
	}
}

static int prepare_bwrap(const struct runtime_spec *s, struct runtime_cmd *cmd, char *err)
{
	struct strvec *a = &cmd->argv;
	static const char *const roots[] = { "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32" };
	strvec_push(a, s->cfg && s->cfg->bwrap ? s->cfg->bwrap : "/usr/bin/bwrap");
	if (access(a->v[0], X_OK) < 0)
		return err_set(err, "plugin %s: runtime bwrap needs %s (install bubblewrap)", s->label, a->v[0]);
	const char *fixed[] = {
		"--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr", NULL
	};
	for (int i = 0; fixed[i]; i++)
		strvec_push(a, fixed[i]);
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		bind_root_entry(a, roots[i]);
	const char *tail[] = {
		"--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache", "--proc", "/proc", "--dev", "/dev", NULL
	};
	for (int i = 0; tail[i]; i++)
		strvec_push(a, tail[i]);
	/*
	 * /tmp is a tmpfs, memory that RLIMIT_AS does not count: bounded by the
	 * plugin's memory limit (bwrap >= 0.8 has --size).
	 */
	if (s->memory_bytes) {
		char size[32];
		snprintf(size, sizeof(size), "%llu", s->memory_bytes);
		strvec_push(a, "--size");
		strvec_push(a, size);
	}
	const char *rest[] = { "--tmpfs", "/tmp",	   "--chdir",  "/tmp", "--clearenv", "--setenv",
			       "PATH",	  "/usr/bin:/bin", "--setenv", "HOME", "/tmp",	     NULL };
	for (int i = 0; rest[i]; i++)
		strvec_push(a, rest[i]);
	for (size_t i = 0; s->ro_paths && i < s->ro_paths->n; i++) {
		strvec_push(a, "--ro-bind");
		strvec_push(a, s->ro_paths->v[i]);
		strvec_push(a, s->ro_paths->v[i]);
	}
	if (strncmp(s->exec_path, "/usr/", 5)) {
		strvec_push(a, "--ro-bind");
		strvec_push(a, s->exec_path);
		strvec_push(a, s->exec_path);
	}
	strvec_push(a, "--");
	strvec_push(a, s->exec_path);
	cmd->set_rlimit_as = 1;
	return 0;
}

static int prepare_oci(const struct runtime_spec *s, struct runtime_cmd *cmd, char *err)
{
	static atomic_uint counter;
	struct strvec *a = &cmd->argv;
	strvec_push(a, s->cfg && s->cfg->oci_engine ? s->cfg->oci_engine : "/usr/bin/podman");
	if (access(a->v[0], X_OK) < 0)
		return err_set(err,
			       "plugin %s: runtime oci needs %s (install podman, or set "
			       "REMOTEGEN_OCI_ENGINE)",
			       s->label, a->v[0]);
	cmd->oci_args = s->cfg ? s->cfg->oci_args : NULL;
	strvec_split(a, cmd->oci_args);
	snprintf(cmd->container, sizeof(cmd->container), "remotegen-%d-%u-%ld", (int)getpid(),
		 atomic_fetch_add(&counter, 1), (long)util_now_ms() % 100000);
	const char *run[] = { "run",
			      "--rm",
			      "-i",
			      "--network=none",
			      "--read-only",
			      "--ulimit",
			      "nofile=1024:1024",
			      "--ulimit",
			      "nproc=1024:1024",
			      "--log-driver=none",
			      NULL };
	for (int i = 0; run[i]; i++)
		strvec_push(a, run[i]);
	strvec_push(a, "--name");
	strvec_push(a, cmd->container);
	if (s->memory_bytes) {
		strvec_push(a, "--memory");
		strvec_push_owned(a, xasprintf("%llu", s->memory_bytes));
	}
	strvec_push(a, s->image_ref);
	return 0;
}

int runtime_prepare(const struct runtime_spec *s, struct runtime_cmd *cmd, char *err)
{
	/* An executable that went away is an operator's mistake, not a crash: no retry helps. */
	if (s->exec_path && access(s->exec_path, X_OK) < 0)
		return err_set(err,
			       "plugin %s: executable %s is gone (%s): restore it, or point the plugin version at "
			       "where it is now (remotegen plugin move), then retry",
			       s->label, s->exec_path, strerror(errno));
	if (!strcmp(s->runtime, "exec")) {
		strvec_push(&cmd->argv, s->exec_path);
		cmd->set_rlimit_as = 1;
		return 0;
	}
	if (!strcmp(s->runtime, "bwrap"))
		return prepare_bwrap(s, cmd, err);
	if (!strcmp(s->runtime, "oci"))
		return prepare_oci(s, cmd, err);
	return err_set(err, "plugin %s: unknown runtime %s", s->label, s->runtime);
}

void runtime_cleanup(const struct runtime_cmd *cmd)
{
	if (!cmd->container[0])
		return;
	struct strvec a = STRVEC_INIT;
	struct subproc_result res;
	strvec_push(&a, cmd->argv.v[0]);
	strvec_split(&a, cmd->oci_args);
	strvec_push(&a, "rm");
	strvec_push(&a, "-f");
	strvec_push(&a, "--time");
	strvec_push(&a, "0");
	strvec_push(&a, "--ignore");
	strvec_push(&a, cmd->container);
	struct subproc_opts o = { .argv = (const char *const *)a.v, .timeout_ms = 60000 };
	subproc_result_init(&res);
	subproc_run(&o, NULL, 0, &res, NULL);
	subproc_result_release(&res);
	strvec_clear(&a);
}

void runtime_cmd_release(struct runtime_cmd *cmd)
{
	strvec_clear(&cmd->argv);
}
