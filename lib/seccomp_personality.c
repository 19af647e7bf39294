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

#include "seccomp_bpf.h"
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

int jail_seccomp_personality_load(struct jail_error *err)
{
	const int nr = SCMP_SYS(personality);
	struct sock_filter insns[JAIL_BPF_PROLOGUE_LEN + 3 + N_ALLOWED + 2];
	size_t n;

	if (nr < 0)
		return jail_error_set(err, ENOSYS,
				      "seccomp: personality is not a system call here");
	n = jail_bpf_native_prologue(insns);
	insns[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 1, 0);
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	/* the kernel's personality() takes an unsigned int: the low 32 bits */
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, JAIL_BPF_ARG0_LOW);
	/* each match jumps over the remaining tests and the EPERM to ALLOW */
	for (size_t i = 0; i < N_ALLOWED; i++)
		insns[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, allowed[i],
							  (unsigned char)(N_ALLOWED - i), 0);
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
						  SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return jail_bpf_load(insns, n, "personality", err);
}
