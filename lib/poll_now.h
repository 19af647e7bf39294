/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "Has this process exited yet?" on a pidfd (or "is there input?" on any
 * fd), without waiting, and without a signal turning the answer into an
 * error: a poll() that returns EINTR is asked again. A SIGCHLD or SIGWINCH
 * arriving at that moment must not cost a user their login (issue 17
 * item 11, found by tests/faults/sweep.sh).
 */
#ifndef PAM_JAIL_POLL_NOW_H
#define PAM_JAIL_POLL_NOW_H

#include <errno.h>
#include <poll.h>

/* 1: readable (a pidfd: the process exited) or hung up; 0: not; -errno. */
static inline int jail_poll_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, 0);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r > 0;
}

#endif
