/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test driver for lib/x11.c's socket passthrough, doing exactly what the
 * module does around its setns(): clone the host's display socket while
 * still in the host mount namespace, enter the jail's mount namespace (here:
 * that of PID), attach the clone there.
 *
 *   x11_bind DISPLAY_NUMBER USER_UID PID [root]
 *
 * "root" accepts a root-owned socket, as the module does for a session whose
 * application handed over the display's cookie (PAM_XAUTHDATA).
 *
 * Exit 0 on success; 1 with the library's message on stderr otherwise.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "x11.h"

int main(int argc, char **argv)
{
	struct jail_error err = { 0 };
	_cleanup_close_ int tree = -1, ns = -1;
	char path[64];
	struct stat st;
	unsigned number;
	uid_t uid;

	if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "root") != 0)) {
		fprintf(stderr, "usage: x11_bind DISPLAY_NUMBER USER_UID PID [root]\n");
		return 2;
	}
	number = (unsigned)strtoul(argv[1], NULL, 10);
	uid = (uid_t)strtoul(argv[2], NULL, 10);
	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", argv[3]);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0) {
		perror(path);
		return 1;
	}
	if (jail_x11_clone_socket(number, uid, argc == 5, &tree, &st, &err) < 0) {
		fprintf(stderr, "x11_bind: clone: %s\n", err.message);
		return 1;
	}
	if (setns(ns, CLONE_NEWNS) < 0) {
		perror("setns");
		return 1;
	}
	if (jail_x11_attach_socket(tree, &st, number, &err) < 0) {
		fprintf(stderr, "x11_bind: attach: %s\n", err.message);
		return 1;
	}
	return 0;
}
