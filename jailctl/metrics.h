/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `jailctl metrics` (cmd_metrics.c): what it reads from a live jail's cgroup
 * (metrics_cgroup.c). */
#ifndef PAM_JAIL_JAILCTL_METRICS_H
#define PAM_JAIL_JAILCTL_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "jail_client.h"

#define JAILCTL_NO_LIMIT UINT64_MAX

/* A live jail's cgroup: usage against limits, and what the limits did. */
struct jailctl_cg_usage {
	bool memory, pids;		     /* the values below are known */
	uint64_t memory_bytes, memory_limit; /* JAILCTL_NO_LIMIT: none */
	uint64_t pids_current, pids_limit;
	struct jail_cgroup_events ev;
};

/*
 * Read the cgroup of the jail whose PID 1 is `info->init_pid` (checked
 * against its recorded start time, before and after, so a reused PID is
 * never read), as /proc/PID/cgroup names it: the v2 group, or the v1
 * memory and pids groups. Only a group whose name carries the jail's id
 * counts (a profile without limits leaves PID 1 where its keeper was: that
 * group is not the jail's). Returns 0 (ret->memory/pids say what was
 * found) or -ESRCH when the jail is gone.
 */
int jailctl_jail_cgroup_usage(const struct jail_info *info, struct jailctl_cg_usage *ret);

#endif
