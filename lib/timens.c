/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The jail's time namespace (see timens.h). */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "poll_now.h"
#include "proc_text.h"
#include "timens.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define NSEC_PER_SEC 1000000000LL

/* -(ts) as the kernel wants an offset: whole seconds (may be negative)
 * plus 0 <= nanoseconds < 1 s. */
static void negate(const struct timespec *ts, long long *ret_sec, long long *ret_nsec)
{
	*ret_sec = -(long long)ts->tv_sec;
	*ret_nsec = 0;
	if (ts->tv_nsec > 0) {
		*ret_sec -= 1;
		*ret_nsec = NSEC_PER_SEC - ts->tv_nsec;
	}
}

static int write_offsets(const struct jail_timens_offsets *o, struct jail_error *err)
{
	_cleanup_close_ int fd = -1;
	char buf[128];
	int n;

	/* One write with both lines: the kernel applies them together. */
	n = snprintf(buf, sizeof(buf), "monotonic %lld %lld\nboottime %lld %lld\n", o->mono_sec,
		     o->mono_nsec, o->boot_sec, o->boot_nsec);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return jail_error_set(err, EOVERFLOW, "time namespace offsets: too long");
	fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return jail_error_set(err, errno, "time namespace: /proc/self/timens_offsets: %s",
				      strerror(errno));
	if (write(fd, buf, (size_t)n) != n)
		return jail_error_set(err, errno ? errno : EIO,
				      "time namespace: writing the offsets: %s",
				      strerror(errno ? errno : EIO));
	return 0;
}

/* unshare, then offsets; any failure leaves the children's namespace as
 * it was (the caller must never hand out a half-made one). */
static int new_with_offsets(const struct jail_timens_offsets *o, bool now, struct jail_error *err)
{
	struct jail_timens_offsets fresh;
	struct timespec mono, boot;
	int r;

	if (unshare(CLONE_NEWTIME) < 0)
		return jail_error_set(err, errno, "time namespace: unshare: %s", strerror(errno));
	if (now) {
		/* Read right before the write: the kernel refuses an offset
		 * that would make a clock negative, and the clocks only grow
		 * between this read and its check, so the jail starts at the
		 * few microseconds in between, never below zero. */
		if (clock_gettime(CLOCK_MONOTONIC, &mono) < 0 ||
		    clock_gettime(CLOCK_BOOTTIME, &boot) < 0) {
			r = jail_error_set(err, errno, "clock_gettime: %s", strerror(errno));
			goto undo;
		}
		negate(&mono, &fresh.mono_sec, &fresh.mono_nsec);
		negate(&boot, &fresh.boot_sec, &fresh.boot_nsec);
		o = &fresh;
	}
	r = write_offsets(o, err);
	if (r >= 0)
		return 0;
undo:
	jail_timens_children_to_own(NULL);
	return r;
}

int jail_timens_new_for_children(struct jail_error *err)
{
	return new_with_offsets(NULL, true, err);
}

int jail_timens_parse_offsets(const char *text, struct jail_timens_offsets *ret)
{
	bool mono = false, boot = false;
	const char *line = text;

	while (line && *line) {
		char name[16];
		long long s, ns;

		if (sscanf(line, "%15s %lld %lld", name, &s, &ns) != 3 || ns < 0 ||
		    ns >= NSEC_PER_SEC)
			return -EINVAL;
		/* The kernel prints the clocks by number or by name,
		 * depending on its version. */
		if (strcmp(name, "monotonic") == 0 || strcmp(name, "1") == 0) {
			ret->mono_sec = s;
			ret->mono_nsec = ns;
			mono = true;
		} else if (strcmp(name, "boottime") == 0 || strcmp(name, "7") == 0) {
			ret->boot_sec = s;
			ret->boot_nsec = ns;
			boot = true;
		} else {
			return -EINVAL;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return mono && boot ? 0 : -EINVAL;
}

int jail_timens_copy_for_children(pid_t pid, int pidfd, struct jail_error *err)
{
	struct jail_timens_offsets o;
	char path[64], buf[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/timens_offsets", (int)pid);
	n = jail_read_proc_text(path, buf, sizeof(buf));
	if (n < 0)
		return jail_error_set(err, (int)-n, "the jail's time offsets: %s",
				      strerror((int)-n));
	/* Still alive after the read: the PID was the jail's PID 1's all
	 * along (a PID is not reused while its process lives). */
	if (jail_poll_now(pidfd) != 0)
		return jail_error_set(err, ESRCH, "the jail's init is gone");
	if (jail_timens_parse_offsets(buf, &o) < 0)
		return jail_error_set(err, EPROTO, "the jail's time offsets: cannot parse '%s'",
				      buf);
	return new_with_offsets(&o, false, err);
}

int jail_timens_children_to_own(struct jail_error *err)
{
	_cleanup_close_ int fd = -1;

	/* setns into one's own time namespace sets both the caller's clocks
	 * (unchanged: it is already in it) and its children's. */
	fd = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return jail_error_set(err, errno, "time namespace: /proc/self/ns/time: %s",
				      strerror(errno));
	if (setns(fd, CLONE_NEWTIME) < 0)
		return jail_error_set(err, errno, "time namespace: back to the host's: %s",
				      strerror(errno));
	return 0;
}
