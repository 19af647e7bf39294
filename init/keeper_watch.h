/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keeper's live view of the jail's limits (keeper_watch.c): while the
 * jail runs, each limit hit is logged as it happens, naming the jail:
 *   limit hit: user=U profile=P id=I pids.max=200: forks refused: 1
 * Rate-limited per kind of event: the first hit is logged at once; after
 * that at most one line per KEEPER_WATCH_SUMMARY_SEC with the count since
 * the last line, so a fork bomb cannot flood syslog. The end-of-jail
 * totals stay keeper_cgroup_end's.
 *
 * The hook in the keeper's poll loop:
 *   n += keeper_watch_pollfds(&w, pfds + n);             before poll()
 *   timeout = keeper_watch_timeout(&w, timeout);
 *   keeper_watch_handle(&w, pfds + first, n - first);    after poll()
 */
#ifndef PAM_JAIL_KEEPER_WATCH_H
#define PAM_JAIL_KEEPER_WATCH_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"
#include "cgroup_events.h"
#include "policy.h"

#define KEEPER_WATCH_SUMMARY_SEC 10

struct keeper_watch {
	bool on;
	struct jail_cg_watch w;
	const struct jail_policy *p;
	const char *id;
	int64_t next_read_ms; /* the timer of sources that never notify; 0 = none */
	struct {
		uint64_t pending;    /* events not logged yet */
		int64_t last_log_ms; /* 0 = never logged */
	} kind[JAIL_CG_EVENT_N];
};

/* Start watching the jail's group(s) (cg made by keeper_cgroup_setup).
 * Not fail-closed: the limits hold whether or not we watch; a watch that
 * cannot start is logged, and the end-of-jail totals still are. */
void keeper_watch_start(struct keeper_watch *kw, const struct jail_cgroup *cg,
			const struct jail_policy *p, const char *id);

/* The same for any group, given its directories (v1: the pids and memory
 * hierarchies' groups; v2: the same group twice; -1 = not limited). For a
 * group the keeper did not make, e.g. a systemd unit's cgroup (v2): open
 * its directory O_RDONLY|O_DIRECTORY|O_CLOEXEC and pass it as both. The
 * fds are only used here, not kept: the caller closes them after. */
void keeper_watch_start_dirs(struct keeper_watch *kw, bool v2, int pids_dir, int memory_dir,
			     const struct jail_policy *p, const char *id);

/* Append the fds to poll (at most JAIL_CG_WATCH_MAX_FDS); returns how many. */
size_t keeper_watch_pollfds(const struct keeper_watch *kw, struct pollfd *out);

/* `timeout` (ms, -1 = none) shortened to the watch's next deadline. */
int keeper_watch_timeout(const struct keeper_watch *kw, int timeout);

/* After poll(): read what woke us or is due, log what is due. `pfds` are
 * the entries keeper_watch_pollfds filled (n = 0 after a poll error). */
void keeper_watch_handle(struct keeper_watch *kw, const struct pollfd *pfds, size_t n);

/* Stop: close the sources (before the group is removed). */
void keeper_watch_stop(struct keeper_watch *kw);

#endif
