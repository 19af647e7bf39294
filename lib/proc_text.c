/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small /proc file as text (proc_text.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_text.h"
#include "util.h"

ssize_t jail_read_proc_text(const char *path, char *buf, size_t cap)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, cap - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	return n;
}

int jail_proc_start_time(pid_t pid, uint64_t *ret)
{
	char path[64], buf[1024];
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = jail_read_proc_text(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	/* comm may contain anything, even ")": fields restart after the last ")" */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	p++;
	for (int field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -EIO;
		if (field == 22) {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(p, &end, 10);
			if (errno || end == p)
				return -EIO;
			*ret = v;
			return 0;
		}
		p = strchr(p, ' ');
		if (!p)
			return -EIO;
	}
	return -EIO;
}

int jail_thread_count(void)
{
	char buf[4096];
	ssize_t n = jail_read_proc_text("/proc/self/status", buf, sizeof(buf));
	char *p;

	if (n < 0)
		return (int)n;
	p = strstr(buf, "\nThreads:");
	if (!p)
		return -EIO;
	return atoi(p + 9);
}
