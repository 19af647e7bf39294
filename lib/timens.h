/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The jail's time namespace (profile option "time"): CLOCK_MONOTONIC and
 * CLOCK_BOOTTIME (and /proc/uptime) start at the jail's creation.
 *
 * A time namespace only ever applies to children: unshare(CLONE_NEWTIME)
 * changes the caller's "time_for_children" and leaves its own clocks alone,
 * and the offsets can be written (/proc/self/timens_offsets) only before
 * the first process enters it. So:
 *
 *  - the keeper makes a namespace whose offsets are minus the clocks' value
 *    at that moment, clones the jail's PID 1 into it, and then returns its
 *    own later children to the host's time (nothing else it starts, such as
 *    a bridge helper, lands in the jail's clocks by accident);
 *  - a session does NOT setns() into the jail's time namespace: setns
 *    (CLONE_NEWTIME) would switch the caller's own clocks too, and the
 *    caller is sshd's root monitor, su or login, which carry on with their
 *    own CLOCK_MONOTONIC deadlines after pam_open_session. Instead the
 *    session process makes a namespace of its own for its children with
 *    the jail's offsets, read from the jail's PID 1: its children read the
 *    same clocks as every other process of the jail, to the nanosecond.
 *
 * PAM-free; returns negative errno and fills `err`.
 */
#ifndef PAM_JAIL_TIMENS_H
#define PAM_JAIL_TIMENS_H

#include <sys/types.h>

#include "util.h"

/* The clock offsets of a time namespace (what timens_offsets holds). */
struct jail_timens_offsets {
	long long mono_sec, mono_nsec;
	long long boot_sec, boot_nsec;
};

/*
 * Give the caller's future children a new time namespace whose monotonic
 * and boot clocks read (about) zero now. The caller's own clocks do not
 * change. Undo with jail_timens_children_to_own().
 */
int jail_timens_new_for_children(struct jail_error *err);

/*
 * Give the caller's future children a new time namespace with the offsets
 * of the one `pid` lives in. `pidfd` must refer to `pid`: it is checked
 * after the read, so a PID reused meanwhile is never read from.
 */
int jail_timens_copy_for_children(pid_t pid, int pidfd, struct jail_error *err);

/* Future children get the caller's own time namespace again. */
int jail_timens_children_to_own(struct jail_error *err);

/* Parse /proc/PID/timens_offsets text (exposed for the unit test). */
int jail_timens_parse_offsets(const char *text, struct jail_timens_offsets *ret);

#endif
