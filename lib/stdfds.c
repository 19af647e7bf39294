/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fds 0..2 on /dev/null (stdfds.h). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "stdfds.h"

int jail_stdfds_devnull(bool replace_open)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int r = 0;

	if (devnull < 0)
		return -errno;
	for (int fd = 0; fd < 3 && r == 0; fd++) {
		/* Where 0..2 was closed, /dev/null lands on it itself: then
		 * dup2() onto itself would change nothing and leave it
		 * close-on-exec, i.e. closed again after exec. */
		if (fd == devnull)
			r = fcntl(fd, F_SETFD, 0) < 0 ? -errno : 0;
		else if (replace_open || fcntl(fd, F_GETFD) < 0)
			r = dup2(devnull, fd) < 0 ? -errno : 0;
	}
	if (devnull > 2)
		close(devnull);
	return r;
}
