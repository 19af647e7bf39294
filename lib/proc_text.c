/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small /proc file as text (proc_text.h). */
#include <errno.h>
#include <fcntl.h>
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
