/* SPDX-License-Identifier: GPL-2.0-or-later */
/* personality(2) in the jail: only harmless personas (seccomp_personality.h). */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "seccomp_personality.h"

/* The personas a jailed process may set. Anything else is refused:
 * ADDR_NO_RANDOMIZE turns ASLR off for every later exec (setarch -R),
 * READ_IMPLIES_EXEC makes readable mappings executable, ADDR_LIMIT_*,
 * MMAP_PAGE_ZERO and the foreign personas change the address space in ways
 * that only help an exploit. PER_LINUX32 is what linux32/setarch i686 sets
 * (uname reports i686); UNAME26 only changes the version uname reports. */
static const unsigned int allowed[] = {
	0xffffffffU, /* the query: changes nothing, returns the persona */
	PER_LINUX,   PER_LINUX32, PER_LINUX | UNAME26, PER_LINUX32 | UNAME26,
};
#define N_ALLOWED (sizeof(allowed) / sizeof(allowed[0]))

bool jail_personality_allowed(unsigned int persona)
{
	for (size_t i = 0; i < N_ALLOWED; i++)
		if (allowed[i] == persona)
			return true;
	return false;
}

/* The kernel's personality() takes an unsigned int: only the low 32 bits
 * of the register count, so only those are compared (junk in the upper
 * half neither hides a denied value nor unlocks an allowed one). */
#if __BYTE_ORDER == __LITTLE_ENDIAN
#define ARG0_LOW offsetof(struct seccomp_data, args[0])
#else
#define ARG0_LOW (offsetof(struct seccomp_data, args[0]) + 4)
#endif

int jail_seccomp_personality_load(struct jail_error *err)
{
	/* SCMP_ARCH_* are the kernel's AUDIT_ARCH_* values. Another arch's
	 * call is allowed here: the main filter already refuses every
	 * foreign table (and x32's numbers never equal the native one). */
	const unsigned int arch = seccomp_arch_native();
	const int nr = SCMP_SYS(personality);
	struct sock_filter insns[7 + N_ALLOWED + 2];
	struct sock_fprog prog;
	size_t n = 0;

	insns[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						  offsetof(struct seccomp_data, arch));
	insns[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0);
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						  offsetof(struct seccomp_data, nr));
	insns[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 1, 0);
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LOW);
	/* each match jumps over the remaining tests and the EPERM to ALLOW */
	for (size_t i = 0; i < N_ALLOWED; i++)
		insns[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, allowed[i],
							  (unsigned char)(N_ALLOWED - i), 0);
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
						  SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

	if (nr < 0)
		return jail_error_set(err, ENOSYS,
				      "seccomp: personality is not a system call here");
	prog = (struct sock_fprog){ .len = (unsigned short)n, .filter = insns };
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return jail_error_set(err, errno, "loading the personality filter: %s",
				      strerror(errno));
	return 0;
}
