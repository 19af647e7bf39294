/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Does a cgroup v2 group already enforce a profile's limits? The keeper
 * asks this of the user's slice on a systemd host before it asks systemd
 * (a D-Bus round trip at every JOIN) to set them again.
 */
#ifndef JAIL_CGROUP_LIMITS_H
#define JAIL_CGROUP_LIMITS_H

#include <stdbool.h>

#include "policy.h"

/*
 * True only if every limit `l` sets reads back from the group at `dirfd`
 * as systemd writes it (MemoryMax -> memory.max, rounded down to the page
 * size by the kernel; MemorySwapMax -> memory.swap.max where the kernel
 * has one; TasksMax -> pids.max; CPUQuotaPerSecUSec -> cpu.max). Any file
 * missing, unreadable or different: false, and the caller sets the limits
 * as before. A limit `l` does not set is not looked at (nor set by the
 * caller). False when `l` sets no limit at all.
 */
bool jail_cgroup_v2_limits_hold(int dirfd, const struct jail_limits *l);

#endif
