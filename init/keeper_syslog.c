/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The jail's /dev/log, forwarded to the host's log (keeper_syslog.h). */
#include <inttypes.h>
#include <paths.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>

#include "clock.h"
#include "keeper_syslog.h"

#define IDENT		 "pam_jail(jail-log)"
#define DGRAM_MAX	 8192 /* more of a datagram is cut by the kernel (MSG_TRUNC) */
#define READS_PER_WAKEUP 64   /* then the control socket gets its turn */
#define CONNECT_RETRY_MS 1000
#define MAX_PASSED_FDS	 16
#define SUMMARY_PRIORITY (LOG_AUTHPRIV | LOG_WARNING)

int keeper_syslog_open(struct keeper_syslog *ks, const struct jail_policy *p, const char *id,
		       struct jail_error *err)
{
	int64_t now = jail_mono_ms();
	int one = 1;

	*ks = (struct keeper_syslog)KEEPER_SYSLOG_INIT;
	ks->p = p;
	ks->id = id;
	if (!p->syslog.forward)
		return 0;
	/* ten seconds' worth at once: a login's or an sftp batch's lines
	 * go through whole, a steady stream is held to the rate */
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(ks->rl); i++)
		jail_ratelimit_init(&ks->rl[i], p->syslog.rate,
				    p->syslog.rate > UINT32_MAX / KEEPER_SYSLOG_BURST_SEC
					    ? UINT32_MAX
					    : p->syslog.rate * KEEPER_SYSLOG_BURST_SEC,
				    KEEPER_SYSLOG_SUMMARY_MS, now);
	/* Unbound: PID 1 names it in the jail's /dev (jail_mounts.c). */
	ks->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ks->fd < 0)
		return jail_error_set(err, errno, "/dev/log: socket: %s", strerror(errno));
	/* Set before anyone can send: every datagram then carries the
	 * sender's pid, uid and gid as the kernel knows them. */
	if (setsockopt(ks->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		return jail_error_set(err, errno, "/dev/log: SO_PASSCRED: %s", strerror(errno));
	return 0;
}

int keeper_syslog_jail_fd(const struct keeper_syslog *ks)
{
	return ks->fd;
}

/* ------------------------------------------------------------ the host side */

static void host_connect(struct keeper_syslog *ks, int64_t now)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = _PATH_LOG };
	int fd;

	if (ks->host_fd >= 0 || now < ks->next_connect_ms)
		return;
	ks->next_connect_ms = now + CONNECT_RETRY_MS;
	/* The keeper lives in the host's mount namespace: this is the
	 * host's /dev/log (journald's or rsyslog's). Non-blocking: a full
	 * host log makes send() fail with EAGAIN instead of stalling us. */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return;
	}
	ks->host_fd = fd;
}

/* 1 sent, 0 not now (EAGAIN), -1 not at all. */
static int host_send(struct keeper_syslog *ks, const char *line, size_t len)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		host_connect(ks, jail_mono_ms());
		if (ks->host_fd < 0)
			return -1;
		if (send(ks->host_fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len)
			return 1;
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		/* The syslog daemon went away or was restarted (a new socket
		 * at the same path): connect again, once, now. */
		jail_closep(&ks->host_fd);
		ks->host_fd = -1;
		ks->next_connect_ms = 0;
	}
	return -1;
}

static void dequeue(struct keeper_syslog *ks)
{
	free(ks->queue[ks->head]);
	ks->queue[ks->head] = NULL;
	ks->queued_bytes -= ks->queue_len[ks->head];
	ks->head = (ks->head + 1) % KEEPER_SYSLOG_QUEUE;
	ks->count--;
}

/* Send what waits, oldest first, until the host's log says "not now". */
static void flush(struct keeper_syslog *ks)
{
	while (ks->count > 0) {
		int r = host_send(ks, ks->queue[ks->head], ks->queue_len[ks->head]);

		if (r == 0)
			return;
		if (r < 0)
			ks->lost++;
		dequeue(ks);
	}
}

static void emit_line(struct keeper_syslog *ks, const char *line, size_t len)
{
	size_t slot;

	flush(ks);
	if (ks->count == 0) {
		int r = host_send(ks, line, len);
		if (r != 0) {
			ks->lost += r < 0;
			return;
		}
	}
	slot = (ks->head + ks->count) % KEEPER_SYSLOG_QUEUE;
	if (ks->count == KEEPER_SYSLOG_QUEUE ||
	    ks->queued_bytes + len > KEEPER_SYSLOG_QUEUE_BYTES ||
	    !(ks->queue[slot] = malloc(len))) {
		ks->lost++;
		return;
	}
	memcpy(ks->queue[slot], line, len);
	ks->queue_len[slot] = len;
	ks->queued_bytes += len;
	ks->count++;
}

/* A line of the keeper's own about the jail's log (summaries). */
static void emit_note(struct keeper_syslog *ks, const char *text)
{
	char line[JAIL_SYSLOG_LINE_MAX + 1], ts[32], prefix[128];
	size_t len;

	jail_syslog_timestamp(time(NULL), ts, sizeof(ts));
	snprintf(prefix, sizeof(prefix), "user=%s id=%s", ks->p->user, ks->id);
	len = jail_syslog_format(line, sizeof(line), SUMMARY_PRIORITY, ts, IDENT, (int)getpid(),
				 prefix, text, strlen(text));
	emit_line(ks, line, len);
}

/* Lines the host's log did not take, said once it takes lines again. */
static void report_lost(struct keeper_syslog *ks)
{
	char text[160];
	uint64_t n = ks->lost;

	if (!n || ks->count > 0 || ks->host_fd < 0)
		return;
	ks->lost = 0;
	snprintf(text, sizeof(text),
		 "%" PRIu64 " lines from the jail lost: the host's log did not take them", n);
	emit_note(ks, text);
}

static void report_suppressed(struct keeper_syslog *ks, int64_t now, bool force)
{
	static const char *const who[2] = { "root", "users other than root" };

	for (size_t i = 0; i < JAIL_ARRAY_SIZE(ks->rl); i++) {
		int64_t since = now;
		uint64_t n = jail_ratelimit_summary(&ks->rl[i], now, force, &since);
		char text[256];

		if (!n)
			continue;
		/* the text before the count is fixed, for grep */
		snprintf(text, sizeof(text),
			 "rate limit: %" PRIu64 " lines from %s suppressed in the last %" PRId64
			 " s (limit: %" PRIu32 " a second, %" PRIu32 " at once)",
			 n, who[i], (now - since + 999) / 1000, ks->rl[i].rate, ks->rl[i].burst);
		emit_note(ks, text);
	}
}

/* ------------------------------------------------------------ the jail side */

static void forward(struct keeper_syslog *ks, const char *buf, size_t len, const struct ucred *cred)
{
	char line[JAIL_SYSLOG_LINE_MAX + 1], ts[32], prefix[160];
	struct jail_syslog_in in;
	size_t out_len;

	if (!jail_ratelimit_take(&ks->rl[cred->uid == 0 ? 0 : 1], jail_mono_ms()))
		return;
	jail_syslog_parse(buf, len, &in);
	jail_syslog_timestamp(time(NULL), ts, sizeof(ts));
	/* The sender as the kernel saw it: pid in the keeper's (the host's)
	 * PID namespace, uid in the initial user namespace. */
	snprintf(prefix, sizeof(prefix), "user=%s id=%s uid=%u pid=%d", ks->p->user, ks->id,
		 (unsigned)cred->uid, (int)cred->pid);
	out_len = jail_syslog_format(line, sizeof(line), jail_syslog_allowed_pri(in.pri, cred->uid),
				     ts, IDENT, (int)getpid(), prefix, in.body, in.body_len);
	emit_line(ks, line, out_len);
}

/* One datagram; false when there is none (or the socket failed). */
static bool read_one(struct keeper_syslog *ks)
{
	static char buf[DGRAM_MAX];
	union {
		char raw[CMSG_SPACE(sizeof(struct ucred)) +
			 CMSG_SPACE(sizeof(int) * MAX_PASSED_FDS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.raw,
			     .msg_controllen = sizeof(ctl.raw) };
	const struct ucred *cred = NULL;
	struct ucred c;
	ssize_t n;

	n = recvmsg(ks->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EINTR;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_CREDENTIALS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			memcpy(&c, CMSG_DATA(cm), sizeof(c));
			cred = &c;
		} else if (cm->cmsg_type == SCM_RIGHTS) {
			/* Nobody sends us fds: whatever came is closed, or a
			 * sender could fill the keeper's fd table. */
			size_t nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < nfd; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
				close(fd);
			}
		}
	}
	/* SO_PASSCRED was set before the socket had a name, so every
	 * datagram has them; one without is not forwarded (fail closed). */
	if (cred)
		forward(ks, buf, (size_t)n, cred);
	return true;
}

static void read_lines(struct keeper_syslog *ks)
{
	for (int i = 0; i < READS_PER_WAKEUP && read_one(ks); i++)
		;
}

/* ------------------------------------------------------------ the loop */

size_t keeper_syslog_pollfds(const struct keeper_syslog *ks, struct pollfd *out)
{
	size_t n = 0;

	if (ks->fd < 0)
		return 0;
	out[n++] = (struct pollfd){ .fd = ks->fd, .events = POLLIN };
	if (ks->count > 0 && ks->host_fd >= 0)
		out[n++] = (struct pollfd){ .fd = ks->host_fd, .events = POLLOUT };
	return n;
}

int keeper_syslog_timeout(const struct keeper_syslog *ks, int timeout)
{
	int64_t due = 0, left;

	if (ks->fd < 0)
		return timeout;
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(ks->rl); i++) {
		int64_t t = jail_ratelimit_due(&ks->rl[i]);
		if (t && (!due || t < due))
			due = t;
	}
	/* a queue with no host socket to wait on: retry the connection */
	if (ks->count > 0 && ks->host_fd < 0 && (!due || ks->next_connect_ms < due))
		due = ks->next_connect_ms ? ks->next_connect_ms : 1;
	if (!due)
		return timeout;
	left = due - jail_mono_ms();
	if (left < 0)
		left = 0;
	return timeout < 0 || left < timeout ? (int)left : timeout;
}

void keeper_syslog_handle(struct keeper_syslog *ks, const struct pollfd *pfds, size_t n)
{
	if (ks->fd < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!pfds[i].revents)
			continue;
		if (pfds[i].fd == ks->fd)
			read_lines(ks);
		else if (pfds[i].fd == ks->host_fd && ks->host_fd >= 0)
			flush(ks);
	}
	flush(ks);
	report_suppressed(ks, jail_mono_ms(), false);
	report_lost(ks);
}

void keeper_syslog_stop(struct keeper_syslog *ks)
{
	if (ks->fd >= 0) {
		/* what the jail sent before it ended (pam_unix's "session
		 * closed" comes just before the last CLOSE) */
		for (int i = 0; i < 4 * READS_PER_WAKEUP && read_one(ks); i++)
			;
		report_suppressed(ks, jail_mono_ms(), true);
		flush(ks);
		report_lost(ks);
		jail_closep(&ks->fd);
		ks->fd = -1;
	}
	jail_closep(&ks->host_fd);
	ks->host_fd = -1;
	while (ks->count > 0)
		dequeue(ks);
}
