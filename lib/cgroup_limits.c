/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Does a cgroup v2 group already hold a profile's limits (cgroup_limits.h). */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_limits.h"
#include "util.h"

/* The first line of a small cgroup file, without its newline. */
static int read_line_at(int dirfd, const char *name, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* "max" = UINT64_MAX; a number; anything else: -1. */
static int parse_max(const char *s, uint64_t *ret)
{
	char *end;

	if (strcmp(s, "max") == 0) {
		*ret = UINT64_MAX;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*ret = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static bool file_is(int dirfd, const char *name, uint64_t want)
{
	char buf[64];
	uint64_t v;

	return read_line_at(dirfd, name, buf, sizeof(buf)) == 0 && parse_max(buf, &v) == 0 &&
	       v == want;
}

/* What the kernel reads back for a byte limit: whole pages. */
static uint64_t page_floor(uint64_t bytes)
{
	long page = sysconf(_SC_PAGESIZE);

	if (bytes == UINT64_MAX || page <= 0)
		return bytes;
	return bytes - bytes % (uint64_t)page;
}

static bool cpu_is(int dirfd, uint32_t percent)
{
	char buf[64], *sp;
	uint64_t quota, period;

	if (read_line_at(dirfd, "cpu.max", buf, sizeof(buf)) < 0)
		return false;
	sp = strchr(buf, ' ');
	if (!sp)
		return false;
	*sp = '\0';
	if (parse_max(buf, &quota) < 0 || parse_max(sp + 1, &period) < 0 || quota == UINT64_MAX ||
	    period == 0 || period > 10000000)
		return false;
	/* systemd: quota = CPUQuotaPerSecUSec * period / 1 s, and pam_jail
	 * asks for percent * 10 ms per second (systemd_unit.c). */
	return quota * 1000000 == (uint64_t)percent * 10000 * period;
}

bool jail_cgroup_v2_limits_hold(int dirfd, const struct jail_limits *l)
{
	if (dirfd < 0 || !jail_cgroup_wanted(l))
		return false;
	if (l->memory_bytes > 0) {
		if (!file_is(dirfd, "memory.max", page_floor(l->memory_bytes)))
			return false;
		/* No memory.swap.max: the kernel accounts no swap, and there
		 * is nothing that systemd could have set. */
		if (faccessat(dirfd, "memory.swap.max", F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !file_is(dirfd, "memory.swap.max", page_floor(l->swap_bytes)))
			return false;
	}
	if (l->pids > 0 && !file_is(dirfd, "pids.max", l->pids))
		return false;
	if (l->cpu_percent > 0 && !cpu_is(dirfd, l->cpu_percent))
		return false;
	return true;
}
