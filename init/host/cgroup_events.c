/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A jail's cgroup events while it runs (cgroup_events.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cgroup_events.h"

static int open_file(int dir, const char *name, int flags, struct jail_error *err)
{
	int fd = openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return jail_error_set(err, errno, "cgroup events: open %s: %s", name,
				      strerror(errno));
	return fd;
}

/* The value of `key` in a "key value" file held open (read from offset 0:
 * this is also what re-arms a kernfs file's POLLPRI). */
static int read_keyed(int fd, const char *key, uint64_t *ret, struct jail_error *err)
{
	char buf[1024];
	size_t kl = strlen(key);
	ssize_t n;

	do
		n = pread(fd, buf, sizeof(buf) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return jail_error_set(err, errno, "cgroup events: read: %s", strerror(errno));
	buf[n] = '\0';
	for (char *line = buf; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
			*ret = strtoull(line + kl + 1, NULL, 10);
			return 0;
		}
	*ret = 0; /* an event this kernel does not count */
	return 0;
}

/* v1: have the kernel signal an eventfd at each OOM in the group. */
static int register_oom_event(struct jail_cg_watch *w, int memory_dir, struct jail_error *err)
{
	_cleanup_close_ int ctl = -1;
	char line[64];
	int n;

	w->oom_eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->oom_eventfd < 0)
		return jail_error_set(err, errno, "cgroup events: eventfd: %s", strerror(errno));
	ctl = open_file(memory_dir, "cgroup.event_control", O_WRONLY, err);
	if (ctl < 0)
		return ctl;
	n = snprintf(line, sizeof(line), "%d %d", w->oom_eventfd, w->oom_control_fd);
	if (write(ctl, line, (size_t)n) != n)
		return jail_error_set(err, errno ? errno : EIO,
				      "cgroup events: registering for OOM events: %s",
				      strerror(errno ? errno : EIO));
	return 0;
}

static int read_counts(struct jail_cg_watch *w, uint64_t out[JAIL_CG_EVENT_N],
		       struct jail_error *err)
{
	int r = 0;

	memset(out, 0, sizeof(uint64_t) * JAIL_CG_EVENT_N);
	if (w->pids_events_fd >= 0)
		r = read_keyed(w->pids_events_fd, "max", &out[JAIL_CG_EVENT_PIDS_MAX], err);
	if (r >= 0 && w->memory_events_fd >= 0)
		r = read_keyed(w->memory_events_fd, "max", &out[JAIL_CG_EVENT_MEMORY_MAX], err);
	if (r >= 0 && w->memory_events_fd >= 0)
		r = read_keyed(w->memory_events_fd, "oom_kill", &out[JAIL_CG_EVENT_OOM_KILL], err);
	if (r >= 0 && w->oom_control_fd >= 0)
		r = read_keyed(w->oom_control_fd, "oom_kill", &out[JAIL_CG_EVENT_OOM_KILL], err);
	return r;
}

int jail_cg_watch_open(struct jail_cg_watch *w, bool v2, int pids_dir, int memory_dir,
		       struct jail_error *err)
{
	int r = 0;

	*w = (struct jail_cg_watch)JAIL_CG_WATCH_INIT;
	w->v2 = v2;
	if (pids_dir >= 0)
		r = w->pids_events_fd = open_file(pids_dir, "pids.events", O_RDONLY, err);
	if (r >= 0 && memory_dir >= 0 && v2)
		r = w->memory_events_fd = open_file(memory_dir, "memory.events", O_RDONLY, err);
	if (r >= 0 && memory_dir >= 0 && !v2) {
		r = w->oom_control_fd = open_file(memory_dir, "memory.oom_control", O_RDONLY, err);
		if (r >= 0)
			r = register_oom_event(w, memory_dir, err);
	}
	if (r >= 0)
		r = read_counts(w, w->seen, err);
	if (r < 0) {
		jail_cg_watch_close(w);
		return r;
	}
	return 0;
}

size_t jail_cg_watch_pollfds(const struct jail_cg_watch *w, struct pollfd *out)
{
	size_t n = 0;

	/* kernfs signals a change as POLLPRI (and POLLERR, always reported) */
	if (w->v2 && w->pids_events_fd >= 0)
		out[n++] = (struct pollfd){ .fd = w->pids_events_fd, .events = POLLPRI };
	if (w->memory_events_fd >= 0)
		out[n++] = (struct pollfd){ .fd = w->memory_events_fd, .events = POLLPRI };
	if (w->oom_eventfd >= 0)
		out[n++] = (struct pollfd){ .fd = w->oom_eventfd, .events = POLLIN };
	return n;
}

int jail_cg_watch_timer_ms(const struct jail_cg_watch *w)
{
	/* v1 pids.events is never notified; a v1 OOM is signalled before its
	 * kill is counted, so the timer also picks up that count. */
	if (w->oom_rechecks > 0)
		return JAIL_CG_WATCH_OOM_RECHECK_MS;
	if (!w->v2 && (w->pids_events_fd >= 0 || w->oom_eventfd >= 0))
		return JAIL_CG_WATCH_TIMER_MS;
	return 0;
}

int jail_cg_watch_read(struct jail_cg_watch *w, uint64_t ret_new[JAIL_CG_EVENT_N],
		       struct jail_error *err)
{
	uint64_t now[JAIL_CG_EVENT_N], v = 0;
	int r;

	memset(ret_new, 0, sizeof(uint64_t) * JAIL_CG_EVENT_N);
	/* drain the eventfd: it only wakes us, the counts say what happened */
	if (w->oom_eventfd >= 0 && read(w->oom_eventfd, &v, sizeof(v)) < 0) {
		if (errno != EAGAIN)
			return jail_error_set(err, errno, "cgroup events: eventfd: %s",
					      strerror(errno));
		v = 0;
	}
	r = read_counts(w, now, err);
	if (r < 0)
		return r;
	for (int i = 0; i < JAIL_CG_EVENT_N; i++) {
		/* counters only grow; a smaller one is not an event */
		if (now[i] > w->seen[i])
			ret_new[i] = now[i] - w->seen[i];
		w->seen[i] = now[i];
	}
	/* the OOM is signalled before its kill is counted: look again soon */
	if (ret_new[JAIL_CG_EVENT_OOM_KILL])
		w->oom_rechecks = 0;
	else if (v > 0)
		w->oom_rechecks = JAIL_CG_WATCH_OOM_RECHECKS;
	else if (w->oom_rechecks > 0)
		w->oom_rechecks--;
	return 0;
}

void jail_cg_watch_close(struct jail_cg_watch *w)
{
	jail_closep(&w->pids_events_fd);
	jail_closep(&w->memory_events_fd);
	jail_closep(&w->oom_eventfd);
	jail_closep(&w->oom_control_fd);
	w->pids_events_fd = w->memory_events_fd = w->oom_eventfd = w->oom_control_fd = -1;
}
