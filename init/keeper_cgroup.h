/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keeper's use of lib/cgroup.h (keeper_cgroup.c): make the jail's group
 * before PID 1 is cloned, and at the end log what the limits did and
 * remove the group. Kept out of keeper.c so that file only calls hooks.
 */
#ifndef PAM_JAIL_KEEPER_CGROUP_H
#define PAM_JAIL_KEEPER_CGROUP_H

#include "cgroup.h"
#include "policy.h"
#include "util.h"

/* Make pam_jail/<key>.<id> with the profile's limits (nothing when the
 * profile has none). On a systemd host, move the keeper into the jail's
 * new transient scope with the limits instead (always: the jail needs a
 * cgroup apart from the creating session's scope); fails closed. Before
 * the jail's PID 1 is cloned (see cgroup.h). */
int keeper_cgroup_setup(struct jail_cgroup *cg, const struct jail_policy *p, const char *key,
			const char *id, struct jail_error *err);

/* A session joins (its process is held by `session_pidfd` and waits for
 * the answer). On a systemd host: a process in the user's own logind
 * slice puts the limits on that slice; any other is moved into the jail's
 * scope. Nothing elsewhere (the module moves itself into v1/v2 groups).
 * An error refuses the session. */
int keeper_cgroup_session(struct jail_cgroup *cg, const struct jail_policy *p, const char *id,
			  int session_pidfd, struct jail_error *err);

/* Read the counters of the session scopes followed so far (systemd mode):
 * at each session's end, while its scope most likely still exists. */
void keeper_cgroup_sample(struct jail_cgroup *cg);

/* After every process of the jail is gone (PID 1 reaped): log each limit
 * that was hit ("limit hit: user=.. profile=.. id=.. ..."), remove the
 * group (bounded retry while tasks exit), log if it stays. On a systemd
 * host the scope's counters and those of the user's slice (what grew
 * while this jail lived) are reported, with "unit=<name>". */
void keeper_cgroup_end(struct jail_cgroup *cg, const struct jail_policy *p, const char *id);

#endif
