/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Limits hit while the jail runs, logged as they happen (keeper_watch.h). */
#include <inttypes.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "clock.h"
#include "keeper_watch.h"

#define SUMMARY_MS ((int64_t)KEEPER_WATCH_SUMMARY_SEC * 1000)

void keeper_watch_start_dirs(struct keeper_watch *kw, bool v2, int pids_dir, int memory_dir,
			     const struct jail_policy *p, const char *id)
{
	struct jail_error e = { 0 };
	int timer;

	memset(kw, 0, sizeof(*kw));
	kw->w = (struct jail_cg_watch)JAIL_CG_WATCH_INIT;
	kw->p = p;
	kw->id = id;
	if (pids_dir < 0 && memory_dir < 0)
		return;
	if (jail_cg_watch_open(&kw->w, v2, pids_dir, memory_dir, &e) < 0) {
		syslog(LOG_WARNING,
		       "limits not watched live: user=%s profile=%s id=%s: %s (the totals "
		       "are logged when the jail ends)",
		       p->user, p->profile, id, e.message);
		return;
	}
	kw->on = true;
	timer = jail_cg_watch_timer_ms(&kw->w);
	kw->next_read_ms = timer ? jail_mono_ms() + timer : 0;
}

void keeper_watch_start(struct keeper_watch *kw, const struct jail_cgroup *cg,
			const struct jail_policy *p, const char *id)
{
	int pids = -1, memory = -1;

	if (cg->mode == JAIL_CGROUP_V1) {
		pids = cg->dir_fd[JAIL_CG_PIDS];
		memory = cg->dir_fd[JAIL_CG_MEMORY];
	} else if (cg->mode == JAIL_CGROUP_V2) {
		/* one group; its fd sits in the first used controller's slot */
		int dir = -1;

		for (int c = 0; c < JAIL_CG_NCTL && dir < 0; c++)
			dir = cg->dir_fd[c];
		pids = cg->used[JAIL_CG_PIDS] ? dir : -1;
		memory = cg->used[JAIL_CG_MEMORY] ? dir : -1;
	} else if (cg->mode == JAIL_CGROUP_SYSTEMD) {
		/* the jail's transient scope, a v2 group (cgroup.h); systemd
		 * enables a controller there only for a limit it carries.
		 * Sessions left in the user's logind slice are not watched
		 * live: their events count in their own session scopes. */
		pids = p->limits.pids > 0 ? cg->dir_fd[0] : -1;
		memory = p->limits.memory_bytes > 0 ? cg->dir_fd[0] : -1;
	}
	keeper_watch_start_dirs(kw, cg->mode != JAIL_CGROUP_V1, pids, memory, p, id);
}

size_t keeper_watch_pollfds(const struct keeper_watch *kw, struct pollfd *out)
{
	return kw->on ? jail_cg_watch_pollfds(&kw->w, out) : 0;
}

/* The next moment something is due: the read timer, or a kind's summary. */
static int64_t next_due(const struct keeper_watch *kw)
{
	int64_t due = kw->next_read_ms;

	for (int i = 0; i < JAIL_CG_EVENT_N; i++) {
		int64_t t;

		if (!kw->kind[i].pending)
			continue;
		t = kw->kind[i].last_log_ms + SUMMARY_MS;
		if (!due || t < due)
			due = t;
	}
	return due;
}

int keeper_watch_timeout(const struct keeper_watch *kw, int timeout)
{
	int64_t due, left;

	if (!kw->on || !(due = next_due(kw)))
		return timeout;
	left = due - jail_mono_ms();
	if (left < 0)
		left = 0;
	return timeout < 0 || left < timeout ? (int)left : timeout;
}

/* `secs`: since the kind's last line (0 for its first line). The text
 * before the count is fixed, so a reader can grep for it. */
static void log_kind(const struct keeper_watch *kw, enum jail_cg_event ev, uint64_t count,
		     bool first, int64_t secs)
{
	const struct jail_policy *p = kw->p;
	const char *limit = ev == JAIL_CG_EVENT_PIDS_MAX ? "pids.max" : "memory.max";
	uint64_t value = ev == JAIL_CG_EVENT_PIDS_MAX ? p->limits.pids : p->limits.memory_bytes;
	const char *what;
	char since[48] = "";

	switch (ev) {
	case JAIL_CG_EVENT_PIDS_MAX:
		what = "forks refused";
		break;
	case JAIL_CG_EVENT_MEMORY_MAX:
		what = "reached (memory reclaimed at the limit)";
		break;
	default:
		what = "processes killed (out of memory)";
		break;
	}
	if (!first)
		snprintf(since, sizeof(since), " more in the last %" PRId64 " s", secs);
	syslog(LOG_WARNING, "limit hit: user=%s profile=%s id=%s %s=%" PRIu64 ": %s: %" PRIu64 "%s",
	       p->user, p->profile, kw->id, limit, value, what, count, since);
}

void keeper_watch_handle(struct keeper_watch *kw, const struct pollfd *pfds, size_t n)
{
	struct jail_error e = { 0 };
	uint64_t fresh[JAIL_CG_EVENT_N];
	bool woken = false;
	int64_t now;
	int timer;

	if (!kw->on)
		return;
	for (size_t i = 0; i < n; i++)
		woken = woken || pfds[i].revents;
	now = jail_mono_ms();
	if (woken || (kw->next_read_ms && now >= kw->next_read_ms)) {
		if (jail_cg_watch_read(&kw->w, fresh, &e) < 0) {
			/* a source that fails to read would wake us forever */
			syslog(LOG_WARNING,
			       "limits no longer watched live: user=%s profile=%s id=%s: %s",
			       kw->p->user, kw->p->profile, kw->id, e.message);
			keeper_watch_stop(kw);
			return;
		}
		for (int i = 0; i < JAIL_CG_EVENT_N; i++)
			kw->kind[i].pending += fresh[i];
		timer = jail_cg_watch_timer_ms(&kw->w);
		kw->next_read_ms = timer ? now + timer : 0;
	}
	for (int i = 0; i < JAIL_CG_EVENT_N; i++) {
		bool first = kw->kind[i].last_log_ms == 0;

		if (!kw->kind[i].pending)
			continue;
		/* the first hit at once; later ones as one line per period */
		if (!first && now < kw->kind[i].last_log_ms + SUMMARY_MS)
			continue;
		log_kind(kw, (enum jail_cg_event)i, kw->kind[i].pending, first,
			 first ? 0 : (now - kw->kind[i].last_log_ms + 500) / 1000);
		kw->kind[i].pending = 0;
		kw->kind[i].last_log_ms = now ? now : 1;
	}
}

void keeper_watch_stop(struct keeper_watch *kw)
{
	jail_cg_watch_close(&kw->w);
	kw->on = false;
}
