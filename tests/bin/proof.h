/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a process can prove about its own confinement, printed as one line
 * for the fault-injection sweep (tests/faults/sweep.sh, pj_session -P):
 *
 *   PROOF <who> capbnd=<hex> nnp=<0|1> seccomp=<0|1|2> [mnt=<link> pid=<link> net=<link>]
 *
 * The sweep fails one system call of this very process (strace
 * inject=NAME:when=N), and it may be one of the calls made here: every
 * call is therefore retried a few times, so that a single injected failure
 * cannot make the line lie or go missing. A value that still cannot be
 * read is printed as "?", which the sweep counts as not proven.
 *
 * The PAM caller cannot read its own /proc/self after the module joined
 * the jail (its mount namespace is the jail's, its PID namespace is not),
 * so it proves capabilities, no_new_privs and seccomp by prctl only; the
 * command's child, born inside the PID namespace, adds the namespaces.
 */
#ifndef PJ_PROOF_H
#define PJ_PROOF_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define PROOF_TRIES 5

static void proof_write(const char *s)
{
	size_t len = strlen(s), off = 0;

	for (int tries = 0; off < len && tries < PROOF_TRIES * 4; tries++) {
		ssize_t w = write(STDOUT_FILENO, s + off, len - off);
		if (w > 0)
			off += (size_t)w;
	}
}

/* The bounding set as the kernel answers PR_CAPBSET_READ for 0..63:
 * bit n set when capability n is held or cannot be read (fail closed). */
static uint64_t proof_capbnd(void)
{
	uint64_t set = 0;

	for (int cap = 0; cap < 64; cap++) {
		int r = -1;
		for (int t = 0; t < PROOF_TRIES && r < 0; t++) {
			r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
			if (r < 0 && errno == EINVAL) /* beyond the kernel's last cap */
				r = 0;
		}
		if (r != 0)
			set |= UINT64_C(1) << cap;
	}
	return set;
}

static int proof_prctl(int option)
{
	int r = -1;

	for (int t = 0; t < PROOF_TRIES && r < 0; t++)
		r = prctl(option, 0, 0, 0, 0);
	return r;
}

static void proof_ns(char *out, size_t size, const char *name)
{
	char path[64], link[128];
	ssize_t n = -1;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	for (int t = 0; t < PROOF_TRIES && n < 0; t++)
		n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		snprintf(out, size, "?");
	else
		snprintf(out, size, "%.*s", (int)n, link);
}

static void proof_print(const char *who, int with_ns)
{
	char line[512], mnt[128] = "", pid[128] = "", net[128] = "";
	int nnp = proof_prctl(PR_GET_NO_NEW_PRIVS), sec = proof_prctl(PR_GET_SECCOMP);
	uint64_t capbnd = proof_capbnd();

	if (with_ns) {
		proof_ns(mnt, sizeof(mnt), "mnt");
		proof_ns(pid, sizeof(pid), "pid");
		proof_ns(net, sizeof(net), "net");
	}
	snprintf(line, sizeof(line), "PROOF %s capbnd=%016llx nnp=%d seccomp=%d%s%s%s%s%s%s\n", who,
		 (unsigned long long)capbnd, nnp, sec, with_ns ? " mnt=" : "", mnt,
		 with_ns ? " pid=" : "", pid, with_ns ? " net=" : "", net);
	proof_write(line);
}

#endif
