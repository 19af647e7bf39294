/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The keeper's per-jail cgroup: set up, sessions, report, remove (keeper_cgroup.h). */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_limits.h"
#include "clock.h"
#include "keeper_cgroup.h"
#include "poll_now.h"
#include "keeper_systemd.h"
#include "systemd_unit.h"

/* "memory=64M swap=0 pids=40 cpu=50%" for the log ("none" without any). */
static void limits_text(const struct jail_limits *l, char *out, size_t size)
{
	struct jail_unit_prop props[JAIL_UNIT_PROPS_MAX];
	size_t n = jail_systemd_limit_props(l, props), len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		int w;

		if (props[i].value == JAIL_UNIT_INFINITY)
			w = snprintf(out + len, size - len, "%s%s=infinity", i ? " " : "",
				     props[i].name);
		else
			w = snprintf(out + len, size - len, "%s%s=%" PRIu64, i ? " " : "",
				     props[i].name, props[i].value);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	if (n == 0)
		snprintf(out, size, "none");
}

/*
 * The systemd way: the keeper moves itself into a new transient scope
 * (with the limits) and the jail's PID 1 is cloned from there. Fail closed:
 * a jail whose processes would stay in the creating session's scope dies
 * with that session (logind kills a session's scope), and would escape the
 * limits.
 */
static int setup_systemd(struct jail_cgroup *cg, const struct jail_policy *p, const char *key,
			 const char *id, struct jail_error *err)
{
	char desc[512], want[sizeof(cg->unit) + 32], self[4096], lim[256];
	int64_t t0 = jail_mono_us();
	int r, fd;

	r = jail_systemd_scope_name(cg->unit, sizeof(cg->unit), key, id);
	if (r < 0)
		return jail_error_set(err, -r, "systemd: no unit name for jail key '%s'", key);
	snprintf(desc, sizeof(desc), "pam_jail: jail of user %s, profile %s", p->user, p->profile);
	r = keeper_systemd_start_scope(cg->unit, desc, &p->limits, err);
	if (r < 0)
		return r;
	cg->mode = JAIL_CGROUP_SYSTEMD;
	/* Where systemd put us is where the jail's PID 1 will be born: make
	 * sure it is the scope we asked for, and keep its cgroup open for
	 * the end-of-jail report. */
	snprintf(want, sizeof(want), "/" JAIL_SYSTEMD_SLICE "/%s", cg->unit);
	r = jail_cgroup_path_of(0, self, sizeof(self), err);
	if (r < 0)
		return r;
	if (strcmp(self, want) != 0)
		return jail_error_set(err, EIO, "systemd: the keeper is in '%s', not in '%s'", self,
				      want);
	fd = jail_cgroup_open_v2_path(self, err);
	if (fd < 0)
		return fd;
	cg->dir_fd[0] = fd;
	limits_text(&p->limits, lim, sizeof(lim));
	syslog(LOG_INFO,
	       "jail scope started: user=%s profile=%s id=%s unit=%s limits: %s (%.1f ms)", p->user,
	       p->profile, id, cg->unit, lim, (double)(jail_mono_us() - t0) / 1e3);
	return 0;
}

int keeper_cgroup_setup(struct jail_cgroup *cg, const struct jail_policy *p, const char *key,
			const char *id, struct jail_error *err)
{
	/* Whether the profile has limits or not: the jail needs a cgroup of
	 * its own on a systemd host (see setup_systemd). */
	if (jail_cgroup_systemd_booted())
		return setup_systemd(cg, p, key, id, err);
	return jail_cgroup_create(cg, key, id, &p->limits, err);
}

/* The PID a pidfd stands for (its fdinfo's "Pid:"), or -1. */
static pid_t pidfd_pid(int pidfd)
{
	char path[64], line[128];
	long pid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	fclose(f);
	return pid > 0 ? (pid_t)pid : -1;
}

static bool pidfd_alive(int pidfd)
{
	return jail_poll_now(pidfd) == 0; /* readable once the process exited */
}

/* Does the user's slice already enforce the limits? Read from its cgroup
 * files, fresh at every JOIN (no answer is remembered): a slice made anew,
 * or a limit an admin changed, reads differently and is set again. */
static bool slice_limits_hold(const char *slice_path, const struct jail_limits *l)
{
	_cleanup_close_ int fd = jail_cgroup_open_v2_path(slice_path, NULL);

	return fd >= 0 && jail_cgroup_v2_limits_hold(fd, l);
}

/* Limits on the user's slice (every JOIN: the current policy, even if an
 * admin reverted them meanwhile); its cgroup and counters kept the first
 * time, so the report says what happened while this jail lived. The D-Bus
 * call (24-128 ms measured) is made only when the slice's cgroup does not
 * already hold the limits (slice_limits_hold). */
static int limit_user_slice(struct jail_cgroup *cg, const struct jail_policy *p, const char *id,
			    const char *slice_path, struct jail_error *err)
{
	char slice[64], lim[256];
	int64_t t0 = jail_mono_us();
	bool held;
	int r;

	if (!jail_cgroup_wanted(&p->limits))
		return 0;
	r = jail_systemd_user_slice(slice, sizeof(slice), p->uid);
	if (r < 0)
		return jail_error_set(err, -r, "systemd: no slice name for uid %u",
				      (unsigned)p->uid);
	held = slice_limits_hold(slice_path, &p->limits);
	if (!held) {
		r = keeper_systemd_set_limits(slice, &p->limits, err);
		if (r < 0)
			return r;
	}
	if (cg->slice_fd < 0) {
		int fd = jail_cgroup_open_v2_path(slice_path, err);

		if (fd < 0)
			return fd;
		cg->slice_fd = fd;
		jail_cgroup_read_events_at(fd, &cg->slice_base, NULL);
	}
	limits_text(&p->limits, lim, sizeof(lim));
	syslog(LOG_INFO, "limits %s: user=%s profile=%s id=%s unit=%s %s (%.1f ms)",
	       held ? "hold" : "set", p->user, p->profile, id, slice, lim,
	       (double)(jail_mono_us() - t0) / 1e3);
	return 0;
}

void keeper_cgroup_sample(struct jail_cgroup *cg)
{
	for (size_t i = 0; i < cg->n_session;) {
		uint64_t v;

		if (jail_cgroup_read_key(cg->session_fd[i], "pids.events", "max", &v) >= 0) {
			if (v > cg->session_pids_max[i])
				cg->session_pids_max[i] = v;
			i++;
			continue;
		}
		/* the scope is gone: keep its last count, free the slot */
		cg->gone_sessions_pids_max += cg->session_pids_max[i];
		jail_closep(&cg->session_fd[i]);
		cg->n_session--;
		cg->session_fd[i] = cg->session_fd[cg->n_session];
		cg->session_pids_max[i] = cg->session_pids_max[cg->n_session];
	}
}

/* Follow the counters of a session's scope in the user's slice (see
 * cgroup.h: where older kernels count a refused fork). Best effort: the
 * limits hold whether or not their report is complete. */
static void track_session_scope(struct jail_cgroup *cg, const char *path)
{
	struct stat st, other;
	int fd;

	keeper_cgroup_sample(cg);
	if (cg->n_session >= JAIL_CGROUP_SESSIONS_MAX)
		return;
	fd = jail_cgroup_open_v2_path(path, NULL);
	if (fd < 0)
		return;
	for (size_t i = 0; i < cg->n_session; i++)
		if (fstat(fd, &st) == 0 && fstat(cg->session_fd[i], &other) == 0 &&
		    st.st_ino == other.st_ino && st.st_dev == other.st_dev) {
			close(fd);
			return;
		}
	cg->session_fd[cg->n_session] = fd;
	jail_cgroup_read_key(fd, "pids.events", "max", &cg->session_pids_max[cg->n_session]);
	/* counts from before this jail are not its own */
	cg->gone_sessions_pids_max -= cg->session_pids_max[cg->n_session];
	cg->n_session++;
}

int keeper_cgroup_session(struct jail_cgroup *cg, const struct jail_policy *p, const char *id,
			  int session_pidfd, struct jail_error *err)
{
	char path[4096], slice_path[64];
	int64_t t0;
	pid_t pid;
	int r;

	if (cg->mode != JAIL_CGROUP_SYSTEMD)
		return 0;
	pid = pidfd_pid(session_pidfd);
	if (pid < 0)
		return jail_error_set(err, ESRCH, "the session process is gone");
	r = jail_cgroup_path_of(pid, path, sizeof(path), err);
	if (r < 0)
		return r;
	/* Read by PID: only if the pidfd's process still lives was it that
	 * process's file (a PID is not reused while its process lives). */
	if (!pidfd_alive(session_pidfd))
		return jail_error_set(err, ESRCH, "the session process is gone");
	if (jail_systemd_in_user_slice(path, p->uid, slice_path, sizeof(slice_path))) {
		r = limit_user_slice(cg, p, id, slice_path, err);
		if (r >= 0 && strcmp(path, slice_path) != 0)
			track_session_scope(cg, path);
		return r;
	}

	/* Not in the user's own slice (su from another user's session, a
	 * service without a logind session): limiting the slice it is in
	 * would limit someone else, so it joins the jail's scope instead. The
	 * session process waits for our answer, so it cannot exit and have
	 * its PID reused between the check above and the call below short of
	 * being killed. */
	t0 = jail_mono_us();
	r = keeper_systemd_attach(cg->unit, pid, err);
	if (r < 0)
		return r;
	syslog(LOG_INFO,
	       "session moved: user=%s profile=%s id=%s pid=%d from %s into unit=%s: not in "
	       "user-%u.slice (%.1f ms)",
	       p->user, p->profile, id, (int)pid, path, cg->unit, (unsigned)p->uid,
	       (double)(jail_mono_us() - t0) / 1e3);
	return 0;
}

/* counters that grew since `base` (the slice's, which outlive one jail) */
static void events_since(struct jail_cgroup_events *ev, const struct jail_cgroup_events *base)
{
	ev->pids_max = ev->pids_max >= base->pids_max ? ev->pids_max - base->pids_max : 0;
	ev->memory_max = ev->memory_max >= base->memory_max ? ev->memory_max - base->memory_max : 0;
	ev->oom_kill = ev->oom_kill >= base->oom_kill ? ev->oom_kill - base->oom_kill : 0;
}

static void log_events(const struct jail_policy *p, const char *id, const char *where,
		       const struct jail_cgroup_events *ev)
{
	if (ev->pids_max > 0)
		syslog(LOG_WARNING,
		       "limit hit: user=%s profile=%s id=%s%s pids.max=%" PRIu64 " reached %" PRIu64
		       " times",
		       p->user, p->profile, id, where, p->limits.pids, ev->pids_max);
	if (ev->oom_kill > 0 || ev->memory_max > 0)
		syslog(LOG_WARNING,
		       "limit hit: user=%s profile=%s id=%s%s memory.max=%" PRIu64 ": %" PRIu64
		       " processes killed (out of memory), reached %" PRIu64 " times, peak %" PRIu64
		       " bytes",
		       p->user, p->profile, id, where, p->limits.memory_bytes, ev->oom_kill,
		       ev->memory_max, ev->memory_peak);
}

void keeper_cgroup_end(struct jail_cgroup *cg, const struct jail_policy *p, const char *id)
{
	struct jail_cgroup_events ev;
	struct jail_error e = { 0 };
	char where[sizeof(cg->unit) + 16];

	if (cg->mode != JAIL_CGROUP_V1 && cg->mode != JAIL_CGROUP_V2 &&
	    cg->mode != JAIL_CGROUP_SYSTEMD)
		return;
	where[0] = '\0';
	if (cg->mode == JAIL_CGROUP_SYSTEMD)
		snprintf(where, sizeof(where), " unit=%s", cg->unit);
	if (jail_cgroup_read_events(cg, &ev, NULL) == 0)
		log_events(p, id, where, &ev);
	if (cg->slice_fd >= 0 && jail_cgroup_read_events_at(cg->slice_fd, &ev, NULL) == 0) {
		uint64_t in_sessions;

		events_since(&ev, &cg->slice_base);
		keeper_cgroup_sample(cg);
		in_sessions = cg->gone_sessions_pids_max;
		for (size_t i = 0; i < cg->n_session; i++)
			in_sessions += cg->session_pids_max[i];
		/* newer kernels count in the slice (hierarchically), older
		 * ones in the session scopes only: the larger is the truth */
		if (in_sessions > ev.pids_max)
			ev.pids_max = in_sessions;
		snprintf(where, sizeof(where), " unit=user-%u.slice", (unsigned)p->uid);
		log_events(p, id, where, &ev);
	}
	/* systemd mode: only fds to close; systemd collects the scope once
	 * its last process (this keeper) is gone */
	if (jail_cgroup_destroy(cg, JAIL_CGROUP_DESTROY_MS, &e) < 0)
		syslog(LOG_ERR, "cgroup left behind: user=%s profile=%s id=%s: %s", p->user,
		       p->profile, id, e.message);
}
