/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Joining a jail: the one step of a session that moves the calling process
 * (the module's, in sshd's monitor; jailctl enter's) into the namespaces of
 * the jail's PID 1, by the pidfd the keeper handed over.
 */
#ifndef PAM_JAIL_SETNS_H
#define PAM_JAIL_SETNS_H

#include "util.h"

/*
 * Move the calling process into the jail of `init_pidfd`: one setns() with
 * `ns_flags` (never CLONE_NEWUSER: DESIGN.md fact 8), then chdir("/").
 * Refuses a multithreaded caller (fact 9). CLONE_NEWTIME switches the
 * caller's own clocks too: a session leaves it out (lib/timens.h).
 */
int jail_setns(int init_pidfd, unsigned long ns_flags, struct jail_error *err);

#endif
