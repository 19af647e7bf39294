/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Blocking calls with a deadline (see bounded.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <time.h>

#include "bounded.h"
#include "clock.h"

/* Sleep a little, longer each time (1 ms up to 50 ms): a lock is mostly
 * free within milliseconds, and a long wait should not cost a busy loop. */
static void backoff(unsigned *step_ms)
{
	struct timespec ts = { 0, (long)*step_ms * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	if (*step_ms < 50)
		*step_ms *= 2;
}

int jail_flock_bounded(int fd, int timeout_ms)
{
	int64_t deadline = jail_mono_ms() + timeout_ms;
	unsigned step = 1;

	/* flock has no timeout, and an alarm() would be the application's
	 * signal, not ours: try, and sleep between tries. */
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (jail_mono_ms() >= deadline)
			return -ETIMEDOUT;
		backoff(&step);
	}
}

int jail_connect_bounded(int sock, const struct sockaddr_un *sa, int timeout_ms)
{
	int64_t deadline = jail_mono_ms() + timeout_ms;
	unsigned step = 1;
	int flags, r;

	flags = fcntl(sock, F_GETFL);
	if (flags < 0 || fcntl(sock, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	for (;;) {
		r = connect(sock, (const struct sockaddr *)sa, sizeof(*sa));
		if (r == 0 || (errno != EAGAIN && errno != EINTR))
			break;
		if (jail_mono_ms() >= deadline) {
			errno = ETIMEDOUT;
			break;
		}
		backoff(&step);
	}
	r = r < 0 ? -errno : 0;
	if (fcntl(sock, F_SETFL, flags) < 0 && r == 0)
		r = -errno;
	return r;
}

int jail_send_timeout_set(int sock, int timeout_ms)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };

	if (setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}
