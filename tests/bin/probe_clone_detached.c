/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Does this kernel clone a detached mount? Makes an empty tmpfs with
 * fsopen/fsmount (detached, as jail-init's is) and asks open_tree for a
 * clone of it. Linux 6.15 and later allow it; earlier kernels refuse with
 * EINVAL, and jail-init then gives each hidden directory a tmpfs of its own
 * (init/jail_mounts.c, hide_empty_dir). Tests assert the sharing only where
 * this probe says the kernel offers it.
 *
 *   probe_clone_detached    (root)
 *
 * Exit 0: clones a detached mount; 1: refuses (EINVAL); 2: the probe failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	int fs, m, clone;

	fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		fprintf(stderr, "probe_clone_detached: tmpfs: %s\n", strerror(errno));
		return 2;
	}
	m = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (m < 0) {
		fprintf(stderr, "probe_clone_detached: fsmount: %s\n", strerror(errno));
		return 2;
	}
	clone = (int)syscall(SYS_open_tree, m, "",
			     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (clone >= 0) {
		puts("clones");
		return 0;
	}
	if (errno == EINVAL) {
		puts("refuses");
		return 1;
	}
	fprintf(stderr, "probe_clone_detached: open_tree: %s\n", strerror(errno));
	return 2;
}
