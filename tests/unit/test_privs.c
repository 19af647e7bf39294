/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/privs.c without PAM: the deny list's names, and (as root, in a
 * forked child) what jail_privs_apply leaves a process: no bounding set,
 * no_new_privs, rlimits, and the filter's answers, the other syscall
 * table included. tests/root/jail_privs.sh checks the same through PAM.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/capability.h>

#include "policy.h"
#include "privs.h"
#include "seccomp_personality.h"
#include "seccomp_socket.h"

static void test_deny_list_names(void **state)
{
	(void)state;
	/* Every built-in name means something to this libseccomp: an unknown
	 * one would be skipped, leaving that call open. */
	for (const char *const *s = jail_seccomp_builtin_deny; *s; s++)
		if (!jail_syscall_known(*s))
			fail_msg("libseccomp does not know '%s'", *s);
	assert_true(jail_syscall_known("clone3"));
	assert_false(jail_syscall_known("no_such_call"));
	assert_false(jail_syscall_known(""));
}

static void test_personality_table(void **state)
{
	(void)state;
	assert_true(jail_personality_allowed(0xffffffffU));
	assert_true(jail_personality_allowed(PER_LINUX));
	assert_true(jail_personality_allowed(PER_LINUX32 | UNAME26));
	assert_false(jail_personality_allowed(ADDR_NO_RANDOMIZE));
	assert_false(jail_personality_allowed(PER_LINUX32 | ADDR_NO_RANDOMIZE));
	assert_false(jail_personality_allowed(READ_IMPLIES_EXEC));
	assert_false(jail_personality_allowed(PER_SVR4));
}

static void test_family_table(void **state)
{
	(void)state;
	assert_int_equal(jail_socket_family_number("vsock"), AF_VSOCK);
	assert_int_equal(jail_socket_family_number("alg"), AF_ALG);
	assert_int_equal(jail_socket_family_number("unix"), AF_UNIX);
	assert_int_equal(jail_socket_family_number("AF_VSOCK"), -ENOENT);
	assert_int_equal(jail_socket_family_number(""), -ENOENT);
	assert_true(jail_socket_family_allowed(AF_UNIX, NULL));
	assert_true(jail_socket_family_allowed(AF_INET, NULL));
	assert_true(jail_socket_family_allowed(AF_INET6, NULL));
	assert_true(jail_socket_family_allowed(AF_NETLINK, NULL));
	/* everything else is denied unless named, unnamed numbers always */
	for (int f = 0; f < 256; f++)
		if (f != AF_UNIX && f != AF_INET && f != AF_INET6 && f != AF_NETLINK &&
		    jail_socket_family_allowed(f, NULL))
			fail_msg("family %d allowed by default", f);
	{
		char v[] = "vsock";
		char *more[] = { v, NULL };
		assert_true(jail_socket_family_allowed(AF_VSOCK, more));
		assert_false(jail_socket_family_allowed(AF_ALG, more));
		assert_false(jail_socket_family_allowed(AF_PACKET, more));
	}
}

/* Stand-ins for PR_CAPBSET_READ: a kernel whose last capability is 40
 * (cap_checkpoint_restore), after a drop that stopped at `stop`, as
 * libcap's short cap_max_bits() made it (32 or 40). */
static int fake_stop;
static int fake_bset(int cap)
{
	if (cap > 40)
		return -EINVAL;
	return cap >= fake_stop ? 1 : 0;
}
static int fake_read_fails(int cap)
{
	return cap == 7 ? -EIO : 0;
}
static int fake_all_einval(int cap)
{
	(void)cap;
	return -EINVAL;
}

static void test_verify_bounding(void **state)
{
	char k0[] = "cap_mac_override", k1[] = "cap_mac_admin", k2[] = "cap_syslog",
	     k3[] = "cap_wake_alarm", k4[] = "cap_block_suspend", k5[] = "cap_audit_read",
	     k6[] = "cap_perfmon", k7[] = "cap_bpf", k8[] = "cap_checkpoint_restore";
	char *kept_upper[] = { k0, k1, k2, k3, k4, k5, k6, k7, k8, NULL };
	struct jail_error e = { 0 };

	(void)state;
	fake_stop = 41; /* everything dropped */
	assert_int_equal(jail_caps_verify_bounding(fake_bset, NULL, &e), 0);
	/* The reported session: caps 32..40 left (CapBnd 000001ff00000000). */
	fake_stop = 32;
	assert_int_equal(jail_caps_verify_bounding(fake_bset, NULL, &e), -EPERM);
	assert_non_null(strstr(e.message, "cap_mac_override"));
	fake_stop = 40;
	assert_int_equal(jail_caps_verify_bounding(fake_bset, NULL, &e), -EPERM);
	assert_non_null(strstr(e.message, "cap_checkpoint_restore"));
	/* ... unless the profile keeps exactly those */
	fake_stop = 32;
	assert_int_equal(jail_caps_verify_bounding(fake_bset, kept_upper, &e), 0);
	kept_upper[8] = NULL; /* not cap_checkpoint_restore */
	assert_int_equal(jail_caps_verify_bounding(fake_bset, kept_upper, &e), -EPERM);
	/* a failed read, or a reader that knows no capability at all, refuses */
	assert_int_equal(jail_caps_verify_bounding(fake_read_fails, NULL, &e), -EIO);
	assert_true(jail_caps_verify_bounding(fake_all_einval, NULL, &e) < 0);
}

#if defined(__x86_64__)
/* What getpid through the i386 system call table does in this process,
 * found out in a child: the instruction is fatal where the kernel has no
 * such table, and cmocka's own SIGSEGV handler must not catch that (it
 * would go on running the test list in the child). */
enum i386_outcome { I386_RAN, I386_REFUSED, I386_NO_TABLE, I386_OTHER };

static enum i386_outcome i386_getpid_outcome(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return I386_OTHER;
	if (pid == 0) {
		long ret;

		signal(SIGSEGV, SIG_DFL);
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
		if (ret == -EPERM)
			_exit(1);
		_exit(ret == (long)getpid() ? 0 : 2);
	}
	if (waitpid(pid, &status, 0) != pid)
		return I386_OTHER;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		return I386_NO_TABLE;
	if (!WIFEXITED(status))
		return I386_OTHER;
	switch (WEXITSTATUS(status)) {
	case 0:
		return I386_RAN;
	case 1:
		return I386_REFUSED;
	default:
		return I386_OTHER;
	}
}

/* Probed before the filter goes on: does this kernel have the i386 table? */
static bool i386_table;
#endif

/* What socket() answers for a few denied families before the filter: the
 * filter's EAFNOSUPPORT is only told apart from a kernel without the
 * family where the kernel answered something else before. (Only families
 * common kernels have: a probe as root may autoload the family's module.) */
static const struct {
	int family, type;
} probes[] = {
	{ AF_ALG, SOCK_SEQPACKET },
	{ AF_VSOCK, SOCK_STREAM },
	{ AF_PACKET, SOCK_DGRAM },
};
#define N_PROBE (sizeof(probes) / sizeof(probes[0]))

static int socket_errno(long family, int type)
{
	long fd = syscall(SYS_socket, family, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return errno;
	close((int)fd);
	return 0;
}

static void probe_socket_families(void)
{
	for (size_t i = 0; i < N_PROBE; i++) {
		int r = socket_errno(probes[i].family, probes[i].type);
		print_message("socket family %d before the filter: %s\n", probes[i].family,
			      r ? strerror(r) : "opens");
	}
	/* root has CAP_NET_RAW: the filter's answer is proven on this one */
	assert_int_equal(socket_errno(AF_PACKET, SOCK_DGRAM), 0);
}

/* The child's verdict: 0, or the number of the first check that failed
 * (a bit mask would lose every check past the 8th in the exit status). */
static int check_applied(void)
{
	struct rlimit rl;
	int bad = 0, bit = 0;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		bit++;                                                                             \
		if (!(cond) && !bad)                                                               \
			bad = bit;                                                                 \
	} while (0)
	CHECK(prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 0);
	CHECK(prctl(PR_CAPBSET_READ, CAP_NET_BIND_SERVICE, 0, 0, 0) == 1); /* kept */
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	/* every capability number 0..63: dropped, or past the kernel's last */
	for (int cap = 0; cap < 64; cap++) {
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		CHECK(cap == CAP_NET_BIND_SERVICE || r == 0 || (r < 0 && errno == EINVAL));
	}
	CHECK(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2);
	/* socket families: the login's four work, the rest fail with
	 * EAFNOSUPPORT (where the kernel has them: probed before) */
	CHECK(socket_errno(AF_UNIX, SOCK_STREAM) == 0);
	CHECK(socket_errno(AF_INET, SOCK_DGRAM) == 0);
	CHECK(socket_errno(AF_INET6, SOCK_DGRAM) != EAFNOSUPPORT); /* IPv6 may be off */
	CHECK(socket_errno(AF_NETLINK, SOCK_RAW) == 0);
	for (size_t i = 0; i < N_PROBE; i++)
		CHECK(socket_errno(probes[i].family, probes[i].type) == EAFNOSUPPORT);
	CHECK(socket_errno(AF_VSOCK, SOCK_STREAM) == EAFNOSUPPORT);
	CHECK(socket_errno(AF_ALG, SOCK_SEQPACKET) == EAFNOSUPPORT);
	/* the kernel reads an int: junk in the upper half neither hides a
	 * denied family nor blocks an allowed one */
	CHECK(socket_errno(0x100000000L | AF_ALG, SOCK_SEQPACKET) == EAFNOSUPPORT);
	CHECK(socket_errno(0x100000000L | AF_UNIX, SOCK_STREAM) == 0);
	{
		int sv[2];
		CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0 &&
		      close(sv[0]) == 0 && close(sv[1]) == 0);
		CHECK(socketpair(AF_ALG, SOCK_SEQPACKET, 0, sv) < 0 && errno == EAFNOSUPPORT);
		CHECK(socketpair(AF_VSOCK, SOCK_STREAM, 0, sv) < 0 && errno == EAFNOSUPPORT);
	}
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 64 && rl.rlim_max == 64);
	CHECK(getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_max == 0);
	CHECK(unshare(CLONE_NEWUSER) < 0 && errno == EPERM);
	CHECK(unshare(CLONE_NEWNS) < 0 && errno == EPERM);
	CHECK(syscall(SYS_keyctl, 0, -3, 0) < 0 && errno == EPERM);
	CHECK(syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS);
	CHECK(syscall(SYS_uname, NULL) < 0 && errno == EPERM); /* the profile's addition */
	CHECK(syscall(SYS_getdents64, -1, NULL, 0) < 0 && errno == EBADF); /* not denied */
	/* TIOCSTI with junk in the upper half still matches (the kernel
	 * uses 32 bits of the command). */
	CHECK(syscall(SYS_ioctl, -1, 0x100000000UL | TIOCSTI, NULL) < 0 && errno == EPERM);
	CHECK(syscall(SYS_ioctl, -1, TIOCLINUX, NULL) < 0 && errno == EPERM);
	CHECK(syscall(SYS_ioctl, -1, 0x100000000UL | TIOCSETD, NULL) < 0 && errno == EPERM);
	CHECK(ioctl(-1, TIOCGWINSZ, NULL) < 0 &&
	      errno == EBADF); /* other ioctls reach the kernel */
	CHECK(getpid() > 0);
	/* personality: ASLR off and READ_IMPLIES_EXEC refused, also with junk
	 * in the upper half (the kernel reads 32 bits); the query, PER_LINUX,
	 * PER_LINUX32 and UNAME26 pass, and so does PER_LINUX in disguise. */
	CHECK(personality(ADDR_NO_RANDOMIZE) < 0 && errno == EPERM);
	CHECK(syscall(SYS_personality, 0x100000000UL | ADDR_NO_RANDOMIZE) < 0 && errno == EPERM);
	CHECK(personality(READ_IMPLIES_EXEC) < 0 && errno == EPERM);
	CHECK(personality(PER_LINUX32 | ADDR_LIMIT_3GB) < 0 && errno == EPERM);
	CHECK(personality(0xffffffff) == PER_LINUX);
	CHECK(personality(PER_LINUX32 | UNAME26) == PER_LINUX);
	CHECK(personality(0xffffffff) == (PER_LINUX32 | UNAME26));
	CHECK(syscall(SYS_personality, 0x100000000UL | PER_LINUX) == (PER_LINUX32 | UNAME26));
	CHECK(personality(0xffffffff) == PER_LINUX);
#if defined(__x86_64__)
	/* getpid through the i386 table (int $0x80, eax = 20): refused by the
	 * filter where the kernel has that table; where it has none (built
	 * without ia32 emulation, or booted with ia32_emulation=0) the kernel
	 * itself kills the caller before seccomp sees the call. */
	CHECK(i386_getpid_outcome() == (i386_table ? I386_REFUSED : I386_NO_TABLE));
	/* ... and through the x32 numbers (the kernel alone says ENOSYS where
	 * x32 is off, else runs it). */
	CHECK(syscall(0x40000000L | SYS_getpid) < 0 && errno == EPERM);
#endif
#undef CHECK
	return bad;
}

static void test_apply(void **state)
{
	char cap0[] = "cap_net_bind_service", deny0[] = "uname";
	char *caps[] = { cap0, NULL };
	char *deny[] = { deny0, NULL };
	struct jail_policy p;
	struct jail_error e = { 0 };
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
#if defined(__x86_64__)
	switch (i386_getpid_outcome()) {
	case I386_RAN:
		i386_table = true;
		break;
	case I386_NO_TABLE:
		i386_table = false;
		break;
	default:
		fail_msg("getpid through int $0x80 neither ran nor faulted before the filter");
	}
	print_message("this kernel has %s i386 system call table\n", i386_table ? "an" : "no");
#endif
	probe_socket_families();
	memset(&p, 0, sizeof(p));
	p.capabilities = caps;
	p.no_new_privs = true;
	p.seccomp = true;
	p.seccomp_deny = deny;
	p.limits.nofile = 64;
	p.limits.core_bytes = 0;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (jail_privs_apply(&p, &e) < 0)
			_exit(255);
		_exit(check_applied());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("check number %d failed (255: apply failed)", WEXITSTATUS(status));
}

static void test_unknown_deny_name(void **state)
{
	char deny0[] = "no_such_call";
	char *deny[] = { deny0, NULL };
	struct jail_policy p;
	struct jail_error e = { 0 };
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
	memset(&p, 0, sizeof(p));
	p.no_new_privs = true;
	p.seccomp = true;
	p.seccomp_deny = deny;
	p.limits.core_bytes = UINT64_MAX;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int r = jail_privs_apply(&p, &e);
		_exit(r == -EINVAL && strstr(e.message, "no_such_call") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* seccomp.allow_families: AF_PACKET named (root here has CAP_NET_RAW) opens,
 * the others stay denied. */
static void test_allow_families(void **state)
{
	char f0[] = "packet";
	char *more[] = { f0, NULL };
	struct jail_policy p;
	struct jail_error e = { 0 };
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(socket_errno(AF_PACKET, SOCK_DGRAM), 0);
	memset(&p, 0, sizeof(p));
	p.no_new_privs = true;
	p.seccomp = true;
	p.seccomp_allow_families = more;
	p.limits.core_bytes = UINT64_MAX;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (jail_privs_apply(&p, &e) < 0)
			_exit(255);
		if (socket_errno(AF_PACKET, SOCK_DGRAM) != 0)
			_exit(1);
		if (socket_errno(AF_ALG, SOCK_SEQPACKET) != EAFNOSUPPORT)
			_exit(2);
		_exit(socket_errno(AF_UNIX, SOCK_STREAM) == 0 ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_unknown_family(void **state)
{
	char f0[] = "vsocket";
	char *more[] = { f0, NULL };
	struct jail_policy p;
	struct jail_error e = { 0 };
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
	memset(&p, 0, sizeof(p));
	p.no_new_privs = true;
	p.seccomp = true;
	p.seccomp_allow_families = more;
	p.limits.core_bytes = UINT64_MAX;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int r = jail_privs_apply(&p, &e);
		_exit(r == -EINVAL && strstr(e.message, "vsocket") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deny_list_names), cmocka_unit_test(test_personality_table),
		cmocka_unit_test(test_family_table),	cmocka_unit_test(test_verify_bounding),
		cmocka_unit_test(test_apply),		cmocka_unit_test(test_unknown_deny_name),
		cmocka_unit_test(test_allow_families),	cmocka_unit_test(test_unknown_family),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
