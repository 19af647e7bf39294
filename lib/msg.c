/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messages with fds over SOCK_SEQPACKET (see msg.h). */
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "msg.h"
#include "util.h"

int jail_msg_send(int sock, const void *buf, size_t len, const int *fds, size_t n_fds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * JAIL_MSG_MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (n_fds > JAIL_MSG_MAX_FDS)
		return -EINVAL;
	if (n_fds > 0) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EMSGSIZE;
	return 0;
}

int jail_msg_send_str(int sock, const char *s, const int *fds, size_t n_fds)
{
	return jail_msg_send(sock, s, strlen(s), fds, n_fds);
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

ssize_t jail_msg_recv(int sock, char *buf, size_t cap, int *ret_fds, size_t max_fds,
		      size_t *ret_n_fds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * JAIL_MSG_MAX_FDS)];
		struct cmsghdr align;
	} control;
	int got[JAIL_MSG_MAX_FDS];
	size_t n_got = 0;
	struct iovec iov = { .iov_base = buf, .iov_len = cap > 0 ? cap - 1 : 0 };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n;

	if (cap == 0 || max_fds > JAIL_MSG_MAX_FDS)
		return -EINVAL;
	for (size_t i = 0; i < max_fds; i++)
		ret_fds[i] = -1;
	if (ret_n_fds)
		*ret_n_fds = 0;

	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (n_got < JAIL_MSG_MAX_FDS)
				got[n_got++] = fd;
			else
				close(fd);
		}
	}
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || n_got > max_fds) {
		close_all(got, n_got);
		return -EMSGSIZE;
	}
	for (size_t i = 0; i < n_got; i++)
		ret_fds[i] = got[i];
	if (ret_n_fds)
		*ret_n_fds = n_got;
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n)) {
		close_all(ret_fds, n_got);
		return -EBADMSG;
	}
	return n;
}

int jail_msg_get(const char *msg, const char *key, char *val, size_t cap)
{
	size_t klen = strlen(key);
	const char *p = msg;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t vlen = strcspn(v, " ");
			if (vlen >= cap)
				return -ENAMETOOLONG;
			memcpy(val, v, vlen);
			val[vlen] = '\0';
			return 0;
		}
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return -ENOENT;
}

int jail_msg_get_num(const char *msg, const char *key, long long *ret)
{
	char v[32], *end;

	if (jail_msg_get(msg, key, v, sizeof(v)) < 0)
		return -EPROTO;
	errno = 0;
	*ret = strtoll(v, &end, 10);
	if (errno || end == v || *end)
		return -EPROTO;
	return 0;
}

int jail_msg_wait_readable(int sock, int timeout_ms)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	const int64_t deadline = jail_mono_ms() + timeout_ms;
	int left = timeout_ms;

	for (;;) {
		int r = poll(&pfd, 1, left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
		left = (int)(deadline - jail_mono_ms());
		if (left <= 0)
			return -ETIMEDOUT;
	}
}
