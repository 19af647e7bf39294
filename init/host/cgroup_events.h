/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Watching a jail's cgroup for limits being hit, while the jail runs.
 *
 * What tells us, measured (kernel 6.18, v1-hybrid host) and per the
 * kernel's cgroup v2 documentation:
 *   v2 pids.events, memory.events  kernfs files the kernel "notifies" at
 *        each event (at most once per 10 ms per file): poll() reports
 *        POLLPRI|POLLERR until the file is read again (pread at 0 re-arms).
 *   v1 memory  memory.oom_control registered through cgroup.event_control
 *        with an eventfd: the eventfd counts each OOM in the group. It is
 *        signalled before the kill is counted in oom_control's oom_kill.
 *   v1 pids    pids.events counts refused forks but is NOT notified on a
 *        v1 hierarchy (6.18 notifies only pids.events.local, which v1 does
 *        not have; neither POLLPRI nor inotify ever fires): re-read on a
 *        timer (jail_cg_watch_timer_ms).
 *
 * The API takes cgroup directory fds, not our own struct jail_cgroup, so a
 * group made by someone else (a systemd unit's cgroup) can be watched the
 * same way: open its directory and pass it as v2.
 *
 * Library code: returns negative errno and fills struct jail_error.
 */
#ifndef PAM_JAIL_CGROUP_EVENTS_H
#define PAM_JAIL_CGROUP_EVENTS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum jail_cg_event {
	JAIL_CG_EVENT_PIDS_MAX,	  /* forks refused at pids.max */
	JAIL_CG_EVENT_MEMORY_MAX, /* v2: usage reached memory.max (reclaim) */
	JAIL_CG_EVENT_OOM_KILL,	  /* processes the OOM killer ended */
	JAIL_CG_EVENT_N,
};

/* How often a source without notification (v1 pids) is re-read. */
#define JAIL_CG_WATCH_TIMER_MS 1000
/* v1: after an OOM signal whose kill is not counted yet, re-read this
 * often, this many times (the kill follows within milliseconds, or never:
 * the task may exit on its own). */
#define JAIL_CG_WATCH_OOM_RECHECK_MS 50
#define JAIL_CG_WATCH_OOM_RECHECKS   20
/* Most fds jail_cg_watch_pollfds fills in. */
#define JAIL_CG_WATCH_MAX_FDS 3

struct jail_cg_watch {
	bool v2;
	int pids_events_fd;    /* pids.events (both layouts) */
	int memory_events_fd;  /* v2: memory.events */
	int oom_control_fd;    /* v1: memory.oom_control (counts; the event's target) */
	int oom_eventfd;       /* v1: readable after an OOM in the group */
	unsigned oom_rechecks; /* v1: signalled, kill not counted yet */
	uint64_t seen[JAIL_CG_EVENT_N];
};

#define JAIL_CG_WATCH_INIT                                                                         \
	{                                                                                          \
		.pids_events_fd = -1, .memory_events_fd = -1, .oom_control_fd = -1,                \
		.oom_eventfd = -1,                                                                 \
	}

/* Open the event sources of a group: pids_dir and memory_dir are the
 * group's directory in the pids and memory hierarchies (v1), or the same
 * group twice (v2); -1 for a controller the group does not use. Counts
 * already there are taken as seen: only later events are reported. On
 * error nothing stays open. */
int jail_cg_watch_open(struct jail_cg_watch *w, bool v2, int pids_dir, int memory_dir,
		       struct jail_error *err);

/* The fds to wait on (up to JAIL_CG_WATCH_MAX_FDS), with their events. */
size_t jail_cg_watch_pollfds(const struct jail_cg_watch *w, struct pollfd *out);

/* 0 when every source notifies; else how often to call jail_cg_watch_read
 * without a wake-up (JAIL_CG_WATCH_TIMER_MS). */
int jail_cg_watch_timer_ms(const struct jail_cg_watch *w);

/* Re-read every source (which also consumes its notification) and give
 * the events since the last call, per enum jail_cg_event. */
int jail_cg_watch_read(struct jail_cg_watch *w, uint64_t ret_new[JAIL_CG_EVENT_N],
		       struct jail_error *err);

/* Close everything (safe on JAIL_CG_WATCH_INIT and after an error). */
void jail_cg_watch_close(struct jail_cg_watch *w);

#endif
