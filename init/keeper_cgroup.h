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
 * profile has none). On a systemd host, log that the cgroup limits are not
 * applied and succeed (see cgroup.h and pam_jail(8) LIMITS). */
int keeper_cgroup_setup(struct jail_cgroup *cg, const struct jail_policy *p, const char *key,
			const char *id, struct jail_error *err);

/* After every process of the jail is gone (PID 1 reaped): log each limit
 * that was hit ("limit hit: user=.. profile=.. id=.. ..."), remove the
 * group (bounded retry while tasks exit), log if it stays. */
void keeper_cgroup_end(struct jail_cgroup *cg, const struct jail_policy *p, const char *id);

#endif
