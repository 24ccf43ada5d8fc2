/*
 * subproc: fork/exec with pipes, rlimits, process-group kill and a poll loop.
 * Owns nothing global except making sure SIGPIPE is ignored (a plugin that
 * closes stdin early must not kill us).
 */
#include "subproc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

void subproc_result_init(struct subproc_result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->out);
	buf_init(&r->err);
}

void subproc_result_release(struct subproc_result *r)
{
	buf_release(&r->out);
	buf_release(&r->err);
}

static void child_fail(int fd, const char *what)
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg), "%s: %s", what, strerror(errno));
	if (n > 0) {
		ssize_t w = write(fd, msg, (size_t)n);
		(void)w;
	}
	_exit(127);
}

/* Runs in the child after fork: only async-signal-safe calls. */
static void child(const struct subproc_opts *o, int in, int out, int errfd, int report, pid_t parent)
{
	static const char *const default_env[] = { "PATH=/usr/bin:/bin", NULL };
	struct rlimit rl;
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		child_fail(report, "dup2");
	signal(SIGPIPE, SIG_DFL);
	if (o->mem_bytes) {
		rl.rlim_cur = rl.rlim_max = o->mem_bytes;
		if (setrlimit(RLIMIT_AS, &rl) < 0)
			child_fail(report, "setrlimit(RLIMIT_AS)");
	}
	if (o->max_files > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)o->max_files;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			child_fail(report, "setrlimit(RLIMIT_NOFILE)");
	}
	rl.rlim_cur = rl.rlim_max = 0;
	setrlimit(RLIMIT_CORE, &rl);
	/* Close every descriptor above 2 except the error report pipe (CLOEXEC). */
	long maxfd = sysconf(_SC_OPEN_MAX);
	for (int fd = 3; fd < maxfd && fd < 65536; fd++)
		if (fd != report)
			close(fd);
	if (o->cwd && chdir(o->cwd) < 0)
		child_fail(report, "chdir");
	execve(o->argv[0], (char *const *)o->argv, (char *const *)(o->envp ? o->envp : default_env));
	child_fail(report, "execve");
}

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* The pipe inode of fd ("pipe:[N]" in /proc/PID/fd), or 0. */
static unsigned long pipe_inode(int fd)
{
	struct stat st;
	return fd >= 0 && fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

/*
 * Kills every other process that holds one of these pipes open (descendants
 * of a plugin that left its process group). Returns how many were killed.
 */
static int kill_pipe_holders(const unsigned long *inodes, size_t n)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;
	int killed = 0;
	pid_t self = getpid();
	if (!proc)
		return 0;
	while ((d = readdir(proc))) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
		DIR *fds = opendir(path);
		if (!fds)
			continue;
		struct dirent *f;
		int holds = 0;
		while (!holds && (f = readdir(fds))) {
			char link[300], target[64];
			snprintf(link, sizeof(link), "/proc/%ld/fd/%s", pid, f->d_name);
			ssize_t len = readlink(link, target, sizeof(target) - 1);
			if (len <= 0)
				continue;
			target[len] = '\0';
			for (size_t i = 0; i < n; i++) {
				char want[40];
				snprintf(want, sizeof(want), "pipe:[%lu]", inodes[i]);
				if (inodes[i] && !strcmp(target, want))
					holds = 1;
			}
		}
		closedir(fds);
		if (holds && kill((pid_t)pid, SIGKILL) == 0)
			killed++;
	}
	closedir(proc);
	return killed;
}

int subproc_run(const struct subproc_opts *o, const void *input, size_t input_len, struct subproc_result *res,
		char *err)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 }, prep[2] = { -1, -1 };
	size_t max_stderr = o->max_stderr ? o->max_stderr : 65536;
	int rc = -1, pidfd = -1;
	pid_t pid = -1;
	long long start = util_now_ms();

	signal(SIGPIPE, SIG_IGN);
	if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0 ||
	    pipe2(prep, O_CLOEXEC) < 0) {
		err_set(err, "cannot run %s: pipe: %s", o->argv[0], strerror(errno));
		goto out;
	}
	pid_t parent = getpid();
	pid = fork();
	if (pid < 0) {
		err_set(err, "cannot run %s: fork: %s", o->argv[0], strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(o, pin[0], pout[1], perr[1], prep[1], parent);
	setpgid(pid, pid);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	close(prep[1]);
	pin[0] = pout[1] = perr[1] = prep[1] = -1;

	/* exec failure report: the pipe closes on a successful exec (CLOEXEC). */
	char report[300];
	ssize_t rn;
	do
		rn = read(prep[0], report, sizeof(report) - 1);
	while (rn < 0 && errno == EINTR);
	if (rn > 0) {
		report[rn] = '\0';
		waitpid(pid, NULL, 0);
		pid = -1;
		err_set(err, "cannot run %s: %s", o->argv[0], report);
		goto out;
	}

	set_nonblock(pin[1]);
	set_nonblock(pout[0]);
	set_nonblock(perr[0]);
	/* A pidfd becomes readable when the child exits: no polling for its exit. */
#ifdef SYS_pidfd_open
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	size_t written = 0;
	if (input_len == 0) {
		close(pin[1]);
		pin[1] = -1;
	}
	int status = 0, reaped = 0;
	long long drain_until = 0;
	unsigned long inodes[2] = { pipe_inode(pout[0]), pipe_inode(perr[0]) };
	char chunk[65536];
	while (pout[0] >= 0 || perr[0] >= 0 || !reaped) {
		/* Exited, but something that left its group holds its output open: not for long. */
		if (reaped) {
			long long now = util_now_ms();
			if (!drain_until)
				drain_until = now + SUBPROC_DRAIN_MS;
			int aborting = o->abort && *o->abort;
			if (now >= drain_until || aborting || (o->timeout_ms && now >= start + o->timeout_ms)) {
				res->aborted |= aborting;
				res->held_open = kill_pipe_holders(inodes, 2);
				if (!res->held_open)
					res->held_open = 1; /* none found (another user's?): stop reading anyway */
				break;
			}
		}
		struct pollfd pf[4];
		int n = 0, iw = -1, io = -1, ie = -1;
		if (pidfd >= 0 && !reaped)
			pf[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (pin[1] >= 0) {
			pf[n] = (struct pollfd){ .fd = pin[1], .events = POLLOUT };
			iw = n++;
		}
		if (pout[0] >= 0) {
			pf[n] = (struct pollfd){ .fd = pout[0], .events = POLLIN };
			io = n++;
		}
		if (perr[0] >= 0) {
			pf[n] = (struct pollfd){ .fd = perr[0], .events = POLLIN };
			ie = n++;
		}
		int wait_ms = 50;
		if (o->abort && *o->abort && !res->aborted && !reaped) {
			res->aborted = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		if (o->timeout_ms) {
			long long left = start + o->timeout_ms - util_now_ms();
			if (left <= 0 && !res->timed_out && !reaped) {
				res->timed_out = 1;
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
			}
			if (left >= 0 && left < wait_ms)
				wait_ms = (int)left + 1;
		}
		if (n && poll(pf, (nfds_t)n, wait_ms) < 0 && errno != EINTR) {
			err_set(err, "cannot run %s: poll: %s", o->argv[0], strerror(errno));
			goto out;
		}
		if (!n)
			usleep(5000);
		if (iw >= 0 && (pf[iw].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(pin[1], (const char *)input + written, input_len - written);
			if (w > 0)
				written += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input_len) {
				if (written < input_len)
					res->stdin_closed = 1;
				close(pin[1]);
				pin[1] = -1;
			}
		}
		if (io >= 0 && (pf[io].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t r = read(pout[0], chunk, sizeof(chunk));
			if (r > 0) {
				if (o->max_stdout && res->out.len + (size_t)r > o->max_stdout) {
					if (!res->out_exceeded) {
						res->out_exceeded = 1;
						kill(-pid, SIGKILL);
						kill(pid, SIGKILL);
					}
				} else {
					buf_add(&res->out, chunk, (size_t)r);
				}
			} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(pout[0]);
				pout[0] = -1;
			}
		}
		if (ie >= 0 && (pf[ie].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t r = read(perr[0], chunk, sizeof(chunk));
			if (r > 0) {
				size_t keep = res->err.len < max_stderr ? max_stderr - res->err.len : 0;
				buf_add(&res->err, chunk, (size_t)r < keep ? (size_t)r : keep);
			} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(perr[0]);
				perr[0] = -1;
			}
		}
		if (!reaped) {
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid) {
				reaped = 1;
				/* Leftover children of the plugin die with it. */
				kill(-pid, SIGKILL);
			}
		}
	}
	if (WIFEXITED(status)) {
		res->exited = 1;
		res->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->signal = WTERMSIG(status);
	}
	pid = -1;
	rc = 0;
out:
	if (pid > 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	int fds[] = { pin[0], pin[1], pout[0], pout[1], perr[0], perr[1], prep[0], prep[1], pidfd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	res->ms = util_now_ms() - start;
	return rc;
}

void subproc_describe(const struct subproc_result *r, const struct subproc_opts *o, char *out, size_t outsz)
{
	if (r->aborted)
		snprintf(out, outsz, "killed because remotegen is shutting down");
	else if (r->timed_out)
		snprintf(out, outsz, "killed after the %lld ms time limit", o->timeout_ms);
	else if (r->out_exceeded)
		snprintf(out, outsz, "killed for writing more than %zu bytes to stdout", o->max_stdout);
	else if (r->held_open)
		snprintf(out, outsz,
			 "exited, but %d process%s it started outside its process group held its output open "
			 "(killed after %d ms)",
			 r->held_open, r->held_open == 1 ? "" : "es", SUBPROC_DRAIN_MS);
	else if (r->signal)
		snprintf(out, outsz, "killed by signal %d (%s)", r->signal, strsignal(r->signal));
	else if (r->exited && r->exit_code)
		snprintf(out, outsz, "exited with status %d", r->exit_code);
	else
		snprintf(out, outsz, "exited normally");
}
