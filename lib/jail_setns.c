/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Joining a jail's namespaces (jail_setns.h). */
#include <sched.h>
#include <string.h>

#include "jail_setns.h"
#include "proc_text.h"

int jail_setns(int init_pidfd, unsigned long ns_flags, struct jail_error *err)
{
	int threads;

	/* A user namespace would take the caller's host privileges for good
	 * (DESIGN.md fact 8); the keeper never reports one, refuse anyway. */
	ns_flags &= ~(unsigned long)CLONE_NEWUSER;
	if (ns_flags == 0)
		return jail_error_set(err, EINVAL, "the jail has no namespaces to join");
	/* setns(CLONE_NEWNS) fails with EINVAL in a multithreaded process
	 * (fact 9); say so plainly instead of a bare EINVAL. */
	threads = jail_thread_count();
	if (threads < 0)
		return jail_error_set(err, -threads, "cannot count threads: %s",
				      strerror(-threads));
	if (threads != 1)
		return jail_error_set(err, EBUSY,
				      "the calling process has %d threads; a multithreaded "
				      "process cannot join a jail",
				      threads);
	/* One call with all the flags: the kernel joins them atomically or not
	 * at all (setns by pidfd, Linux 5.8). */
	if (setns(init_pidfd, (int)ns_flags) < 0)
		return jail_error_set(err, errno, "setns into the jail: %s", strerror(errno));
	if (chdir("/") < 0)
		return jail_error_set(err, errno, "chdir / in the jail: %s", strerror(errno));
	return 0;
}
