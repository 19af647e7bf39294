/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The keeper's per-jail cgroup: set up, report, remove (keeper_cgroup.h). */
#include <inttypes.h>
#include <string.h>
#include <syslog.h>

#include "keeper_cgroup.h"

int keeper_cgroup_setup(struct jail_cgroup *cg, const struct jail_policy *p, const char *key,
			const char *id, struct jail_error *err)
{
	int r = jail_cgroup_create(cg, key, id, &p->limits, err);

	if (r < 0)
		return r;
	if (cg->mode == JAIL_CGROUP_SYSTEMD)
		/* Not fail-closed on purpose: every profile has a default
		 * pids limit, so refusing here would refuse every login on
		 * every systemd host; moving sessions out of their logind
		 * scopes would break session tracking instead. The systemd
		 * way (a transient unit over D-Bus) is not built yet. */
		syslog(LOG_WARNING,
		       "limits not applied: user=%s profile=%s id=%s: systemd manages the "
		       "cgroup tree here (transient units are not supported yet)",
		       p->user, p->profile, id);
	return 0;
}

void keeper_cgroup_end(struct jail_cgroup *cg, const struct jail_policy *p, const char *id)
{
	struct jail_cgroup_events ev;
	struct jail_error e = { 0 };

	if (cg->mode != JAIL_CGROUP_V1 && cg->mode != JAIL_CGROUP_V2)
		return;
	if (jail_cgroup_read_events(cg, &ev, NULL) == 0) {
		if (ev.pids_max > 0)
			syslog(LOG_WARNING,
			       "limit hit: user=%s profile=%s id=%s pids.max=%" PRIu64
			       " reached %" PRIu64 " times",
			       p->user, p->profile, id, p->limits.pids, ev.pids_max);
		if (ev.oom_kill > 0 || ev.memory_max > 0)
			syslog(LOG_WARNING,
			       "limit hit: user=%s profile=%s id=%s memory.max=%" PRIu64
			       ": %" PRIu64 " processes killed (out of memory), reached %" PRIu64
			       " times, peak %" PRIu64 " bytes",
			       p->user, p->profile, id, p->limits.memory_bytes, ev.oom_kill,
			       ev.memory_max, ev.memory_peak);
	}
	if (jail_cgroup_destroy(cg, JAIL_CGROUP_DESTROY_MS, &e) < 0)
		syslog(LOG_ERR, "cgroup left behind: user=%s profile=%s id=%s: %s", p->user,
		       p->profile, id, e.message);
}
