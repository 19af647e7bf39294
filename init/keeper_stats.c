/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The keeper's counters at the end of a jail (keeper_stats.h). */
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

#include "jail_stats.h"
#include "keeper_stats.h"

void keeper_stats_jail_end(int state_fd, const struct jail_cgroup *cg, const struct jail_policy *p,
			   const char *id)
{
	struct jail_cgroup_events ev = { 0 };
	uint64_t events[JAIL_LIMIT_EVENT_COUNT] = { 0 };
	struct jail_error e = { 0 };
	int fd, r;

	if (jail_cgroup_read_events(cg, &ev, NULL) == 0) {
		events[JAIL_LIMIT_PIDS_MAX] = ev.pids_max;
		events[JAIL_LIMIT_MEMORY_MAX] = ev.memory_max;
		events[JAIL_LIMIT_OOM_KILL] = ev.oom_kill;
	}
	fd = jail_stats_open(state_fd, true, &e);
	r = fd < 0 ? fd : jail_stats_add_limit_events(fd, events, &e);
	if (r < 0)
		syslog(LOG_WARNING, "jail not counted: user=%s profile=%s id=%s: stats: %s",
		       p->user, p->profile, id, e.message[0] ? e.message : "cannot open");
	if (fd >= 0)
		close(fd);
}
