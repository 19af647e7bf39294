/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keeper's part of the counters since boot (lib/jail_stats.h): as the
 * jail ends, what its cgroup limits did is added to the state dir's
 * counters, before the group is removed (keeper_cgroup_end). Kept out of
 * keeper.c so that file only calls a hook.
 */
#ifndef PAM_JAIL_KEEPER_STATS_H
#define PAM_JAIL_KEEPER_STATS_H

#include "cgroup.h"
#include "policy.h"

/* Add the jail's limit events (zeros for a jail without a cgroup) to
 * <state_fd>/stats; a failure is logged, never fatal. On a systemd host the
 * jail's scope is counted, not the user's slice (its counters are not
 * this jail's alone). */
void keeper_stats_jail_end(int state_fd, const struct jail_cgroup *cg, const struct jail_policy *p,
			   const char *id);

#endif
