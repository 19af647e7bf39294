/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the small hand-written seccomp filters share (seccomp_personality.c,
 * seccomp_socket.c): libseccomp cannot express their rules, so each is a few
 * classic BPF instructions, loaded after the main filter (lib/privs.c).
 */
#ifndef PAM_JAIL_SECCOMP_BPF_H
#define PAM_JAIL_SECCOMP_BPF_H

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "util.h"

/* The low 32 bits of the first argument: the kernel reads an int (a
 * persona, an address family) from the register, so junk in the upper half
 * neither hides a denied value nor unlocks an allowed one. */
#if __BYTE_ORDER == __LITTLE_ENDIAN
#define JAIL_BPF_ARG0_LOW offsetof(struct seccomp_data, args[0])
#else
#define JAIL_BPF_ARG0_LOW (offsetof(struct seccomp_data, args[0]) + 4)
#endif

#define JAIL_BPF_PROLOGUE_LEN 4

/*
 * The first instructions of every such filter: a call through another
 * arch's table is allowed here (the main filter refuses every foreign table,
 * and x32's numbers never equal the native ones; SCMP_ARCH_* are the
 * kernel's AUDIT_ARCH_* values), then the system call number is loaded for
 * the filter's own tests. Returns the number of instructions written.
 */
static inline size_t jail_bpf_native_prologue(struct sock_filter *insns)
{
	insns[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						offsetof(struct seccomp_data, arch));
	insns[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 1,
						0);
	insns[2] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	insns[3] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						offsetof(struct seccomp_data, nr));
	return JAIL_BPF_PROLOGUE_LEN;
}

/* Load `n` instructions as this thread's next filter; `what` names it in
 * the error. */
static inline int jail_bpf_load(struct sock_filter *insns, size_t n, const char *what,
				struct jail_error *err)
{
	struct sock_fprog prog = { .len = (unsigned short)n, .filter = insns };

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return jail_error_set(err, errno, "loading the %s filter: %s", what,
				      strerror(errno));
	return 0;
}

#endif
