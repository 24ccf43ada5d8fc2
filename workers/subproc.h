/*
 * subproc: the one way remotegen runs another program (every plugin run goes
 * through subproc_run). The child gets its own process group, resource limits,
 * a parent-death signal and only the file descriptors 0, 1 and 2. stdin is fed
 * and stdout/stderr drained together with poll(2), so large outputs never
 * deadlock. On a limit (time, output) or when the child exits, the whole
 * process group is killed, so forked helpers never outlive the run. A helper
 * that left the group (setsid) and keeps stdout or stderr open gets
 * SUBPROC_DRAIN_MS after the child exited (less when the time limit or an
 * abort comes first); then every process holding those pipes is killed and
 * the run ends (held_open): the timeout and an abort always end a run.
 */
#ifndef REMOTEGEN_SUBPROC_H
#define REMOTEGEN_SUBPROC_H

#include <signal.h>
#include <stddef.h>
#include "util.h"

/* How long, after the child exited, its pipes may stay open (held by escaped descendants). */
#define SUBPROC_DRAIN_MS 2000

struct subproc_opts {
	const char *const *argv;	    /* argv[0] is the program path (no PATH search) */
	const char *const *envp;	    /* NULL: an empty environment but PATH=/usr/bin:/bin */
	const char *cwd;		    /* NULL: inherit */
	long long timeout_ms;		    /* wall clock; 0: none */
	unsigned long long mem_bytes;	    /* RLIMIT_AS; 0: unlimited */
	size_t max_stdout;		    /* exceeding it kills the child; 0: unlimited */
	size_t max_stderr;		    /* stderr kept up to this many bytes (default 64 KiB) */
	int max_files;			    /* RLIMIT_NOFILE; 0: leave as is */
	const volatile sig_atomic_t *abort; /* when it becomes non-zero, the run is killed; may be NULL */
};

struct subproc_result {
	int exited; /* exited normally: exit_code is valid */
	int exit_code;
	int signal;	  /* killed by this signal, 0 if none */
	int timed_out;	  /* we killed it at the deadline */
	int out_exceeded; /* we killed it for writing more than max_stdout */
	int stdin_closed; /* it closed stdin before reading all of it */
	int aborted;	  /* we killed it because *abort was set */
	int held_open;	  /* after it exited, processes that left its group held its output open: killed */
	struct buf out;	  /* stdout, owned: release with subproc_result_release */
	struct buf err;	  /* first max_stderr bytes of stderr, owned */
	long long ms;	  /* wall time */
};

void subproc_result_init(struct subproc_result *r);
void subproc_result_release(struct subproc_result *r);

/*
 * Runs the program with input on stdin. Returns 0 when the program ran (even
 * if it failed: inspect res), -1 when it could not be started (err set).
 * res must be initialised by the caller and is released by the caller.
 */
int subproc_run(const struct subproc_opts *o, const void *input, size_t input_len, struct subproc_result *res,
		char *err);

/* Describes a result that is not a clean exit 0 ("killed by signal 9", ...). */
void subproc_describe(const struct subproc_result *r, const struct subproc_opts *o, char *out, size_t outsz);

#endif
