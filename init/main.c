/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jail-init: started by pam_jail.so (never by hand) with one fd, a
 * SOCK_SEQPACKET socket at JAIL_INIT_FD, and an empty environment. Reads the
 * CREATE handshake (jail_proto.h), then becomes the jail's keeper.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include "jail_registry.h"
#include "jail_init.h"
#include "jail_request.h"
#include "msg.h"
#include "policy_wire.h"
#include "stdfds.h"

static int refuse(int sock, const char *why)
{
	char msg[JAIL_MSG_MAX];

	snprintf(msg, sizeof(msg), "ERR jail-init: %s", why);
	jail_msg_send_str(sock, msg, NULL, 0);
	return 1;
}

static int wait_input(int sock)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, JAIL_REPLY_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -ETIMEDOUT;
}

int main(void)
{
	const int sock = JAIL_INIT_FD;
	char msg[JAIL_MSG_MAX], key[JAIL_KEY_MAX];
	int fds[1] = { -1 };
	size_t n_fds = 0;
	_cleanup_free_ char *enc = NULL;
	struct jail_policy *p = NULL;
	struct jail_error e = { 0 };
	struct stat st;
	ssize_t n;
	int r;

	/* 0..2 open before anything else is (stdfds.h): the launcher sees
	 * to it, and a jail-init started any other way must not let a state
	 * file or namespace fd become its stdin. */
	if (jail_stdfds_devnull(false) < 0)
		return 2;
	if (fstat(sock, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "jail-init is started by pam_jail.so; it is not a command\n");
		return 2;
	}
	if (fcntl(sock, F_SETFD, FD_CLOEXEC) < 0)
		return 2;
	/* Connected now (LOG_NDELAY), not at the first line: a keeper out of
	 * fds must still be able to say so (keeper.c, log_refused). The
	 * jail's PID 1 never logs (its fds are closed in start_init). */
	openlog("pam_jail(jail-init)", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	if (geteuid() != 0)
		return refuse(sock, "not running as root");

	if (wait_input(sock) < 0)
		return refuse(sock, "no CREATE request");
	n = jail_msg_recv(sock, msg, sizeof(msg), fds, 1, &n_fds);
	if (n <= 0)
		return refuse(sock, "malformed CREATE request");
	r = jail_create_request_parse(msg, n_fds, key);
	if (r == -EBADMSG)
		return refuse(sock, "malformed CREATE request");
	if (r < 0)
		return refuse(sock, "bad key in CREATE request");
	if (fstat(fds[0], &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077))
		return refuse(sock, "the state directory is not root-owned 0700");

	enc = malloc(JAIL_POLICY_MSG_MAX + 1);
	if (!enc)
		return refuse(sock, "out of memory");
	if (wait_input(sock) < 0)
		return refuse(sock, "no policy");
	n = jail_msg_recv(sock, enc, JAIL_POLICY_MSG_MAX + 1, NULL, 0, NULL);
	if (n <= 0)
		return refuse(sock, "cannot read the policy");
	if (jail_policy_decode(enc, (size_t)n, &p, &e) < 0)
		return refuse(sock, e.message);
	return jail_keeper_run(sock, fds[0], key, p);
}
