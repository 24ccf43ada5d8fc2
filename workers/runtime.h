/*
 * runtime: how a plugin version runs. Builds the command line for each
 * runtime, to be run by subproc:
 *   exec   the executable itself;
 *   bwrap  the executable inside bubblewrap: new user, pid, network, IPC, UTS
 *          and cgroup namespaces (no network at all), a read-only view of /usr
 *          (and the /bin, /lib... links or directories) and of the plugin
 *          file, a fresh /tmp, an empty environment, a new session, and death
 *          with its parent; killing bwrap ends every process of the plugin;
 *   oci    a container image through podman (or docker): --rm -i,
 *          --network=none, --read-only, memory and ulimit limits, a unique
 *          container name so that a container left behind by a killed run can
 *          be removed (runtime_cleanup).
 * Where bwrap and the oci engine are, and the engine's global flags, come
 * from the caller's configuration (struct runtime_config).
 */
#ifndef REMOTEGEN_RUNTIME_H
#define REMOTEGEN_RUNTIME_H

#include "util.h"

/* The programs the runtimes start (strings borrowed; NULL: the default). */
struct runtime_config {
	const char *bwrap;	/* default /usr/bin/bwrap */
	const char *oci_engine; /* default /usr/bin/podman */
	const char *oci_args;	/* space-separated global flags placed before "run",
	                             e.g. "--runtime runc --cgroup-manager=cgroupfs" */
};

struct runtime_spec {
	const struct runtime_config *cfg; /* NULL: defaults */
	const char *label;		  /* for messages */
	const char *runtime;		  /* exec | bwrap | oci */
	const char *exec_path;
	const char *image_ref;
	unsigned long long memory_bytes;
	const struct strvec *ro_paths; /* bwrap: more paths bound read-only (NULL: none) */
};

struct runtime_cmd {
	struct strvec argv;   /* owned */
	int set_rlimit_as;    /* apply RLIMIT_AS to the process (not for oci: podman is Go) */
	char container[96];   /* oci: the container name, "" otherwise */
	const char *oci_args; /* oci: the engine's global flags (borrowed), for cleanup */
};

/*
 * Fills cmd (caller-initialised with {0}; release with runtime_cmd_release).
 * Returns 0 or -1 (err set): an executable that is gone, a runtime that is
 * missing or unknown; none of them heals by retrying.
 */
int runtime_prepare(const struct runtime_spec *s, struct runtime_cmd *cmd, char *err);
/* After a run that did not end cleanly: removes a container left behind (oci). */
void runtime_cleanup(const struct runtime_cmd *cmd);
void runtime_cmd_release(struct runtime_cmd *cmd);

/* 1 when the runtime name is known. */
int runtime_known(const char *name);

#endif
