/*
 * afrestrict: runs a command under a seccomp filter that refuses socket(2)
 * for every address family but the ones named, with EAFNOSUPPORT, as
 * systemd's RestrictAddressFamilies= does. Tests use it to run the shipped
 * units' command lines under the units' restrictions without systemd.
 *
 *   afrestrict AF_UNIX,AF_INET,AF_INET6 -- COMMAND [ARGS...]
 *
 * Sets no_new_privs (as systemd does for an unprivileged filter). Knows the
 * families the units name; an unknown name is an error.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define AFR_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AFR_ARCH AUDIT_ARCH_AARCH64
#else
#error "afrestrict: add this architecture's AUDIT_ARCH"
#endif

#define AFR_MAX 16

static const struct {
	const char *name;
	int family;
} families[] = {
	{ "AF_UNIX", AF_UNIX },	      { "AF_INET", AF_INET },	  { "AF_INET6", AF_INET6 },
	{ "AF_NETLINK", AF_NETLINK }, { "AF_PACKET", AF_PACKET },
};

static int family_of(const char *name)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (strcmp(families[i].name, name) == 0)
			return families[i].family;
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[2], "--") != 0) {
		fprintf(stderr, "usage: afrestrict AF_X,AF_Y -- COMMAND [ARGS...]\n");
		return 2;
	}
	int allowed[AFR_MAX], n = 0;
	char *list = strdup(argv[1]);
	for (char *save = NULL, *tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		int f = family_of(tok);
		if (f < 0 || n == AFR_MAX) {
			fprintf(stderr, "afrestrict: unknown or too many address families: %s\n", tok);
			return 2;
		}
		allowed[n++] = f;
	}
	free(list);

	/* arch check, syscall number check, one comparison per allowed family, refuse. */
	struct sock_filter prog[8 + AFR_MAX];
	int i = 0;
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AFR_ARCH, 1, 0);
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 1, 0);
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
	for (int k = 0; k < n; k++)
		prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)allowed[k],
							 (unsigned char)(n - k), 0);
	prog[i++] =
		(struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EAFNOSUPPORT & SECCOMP_RET_DATA));
	prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog fprog = { .len = (unsigned short)i, .filter = prog };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		perror("afrestrict: PR_SET_NO_NEW_PRIVS");
		return 2;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) < 0) {
		perror("afrestrict: PR_SET_SECCOMP");
		return 2;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "afrestrict: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
