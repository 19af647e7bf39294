/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The client side of the keeper protocol (see jail_client.h, jail_proto.h). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "bounded.h"
#include "jail_client.h"
#include "msg.h"

int jail_connect(const struct jail_state *st, const char *key, struct jail_error *err)
{
	_cleanup_close_ int keydir = -1, sock = -1;
	struct sockaddr_un sa;
	int r;

	if (!jail_key_is_valid(key))
		return jail_error_set(err, EINVAL, "bad registry key '%s'", key);
	keydir = openat(st->jails_fd, key, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (keydir < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		return jail_error_set(err, errno, "registry entry '%s': %s", key, strerror(errno));
	}
	r = jail_entry_control_addr(keydir, &sa);
	if (r < 0)
		return jail_error_set(err, -r, "registry path too long");
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return jail_error_set(err, errno, "socket: %s", strerror(errno));
	r = jail_connect_bounded(sock, &sa, JAIL_CONNECT_TIMEOUT_MS);
	if (r == -ECONNREFUSED || r == -ENOENT) /* no socket file, or nobody listening */
		return jail_error_set(err, ECONNREFUSED, "jail '%s' does not answer", key);
	if (r == -ETIMEDOUT) /* a keeper alive but not accepting (bounded.h) */
		return jail_error_set(err, ETIMEDOUT, "jail '%s' accepts no connection in %d s",
				      key, JAIL_CONNECT_TIMEOUT_MS / 1000);
	if (r < 0)
		return jail_error_set(err, -r, "connect to jail '%s': %s", key, strerror(-r));
	r = jail_send_timeout_set(sock, JAIL_REPLY_TIMEOUT_MS);
	if (r < 0)
		return jail_error_set(err, -r, "connect to jail '%s': %s", key, strerror(-r));
	return steal_fd(&sock);
}

/* ------------------------------------------------------------ requests */

/* Send one request and read one reply (with up to one fd). A reply of
 * "ERR text" becomes an error whose message is the text. */
static int request(int sock, const char *req, const int *fds, size_t n_fds, char *reply, size_t cap,
		   int *ret_fd, struct jail_error *err)
{
	int got[1] = { -1 };
	size_t n_got = 0;
	ssize_t n;
	int r;

	if (ret_fd)
		*ret_fd = -1;
	r = jail_msg_send_str(sock, req, fds, n_fds);
	if (r < 0)
		return jail_error_set(err, -r, "sending %s to the jail keeper: %s", req,
				      strerror(-r));
	r = jail_msg_wait_readable(sock, JAIL_REPLY_TIMEOUT_MS);
	if (r < 0)
		return jail_error_set(err, -r, "no answer to %s from the jail keeper: %s", req,
				      strerror(-r));
	n = jail_msg_recv(sock, reply, cap, got, 1, &n_got);
	if (n < 0)
		return jail_error_set(err, (int)-n, "reading the keeper's answer to %s: %s", req,
				      strerror((int)-n));
	if (n == 0)
		return jail_error_set(err, ECONNRESET, "the jail keeper hung up on %s", req);
	if (strncmp(reply, "ERR ", 4) == 0) {
		/* "ERR <CODE> <text>" (jail_proto.h): the code says what it
		 * is, the text is only shown. The reply stays in `reply`. */
		const char *code = reply + 4, *text = strchr(code, ' ');
		size_t code_len = text ? (size_t)(text - code) : strlen(code);
		int e = EPROTO;

		jail_closep(&got[0]);
		if (code_len == strlen(JAIL_ERR_ENDING) &&
		    !strncmp(code, JAIL_ERR_ENDING, code_len))
			e = ESHUTDOWN;
		else if (code_len == strlen(JAIL_ERR_POLICY) &&
			 !strncmp(code, JAIL_ERR_POLICY, code_len))
			e = ESTALE;
		return jail_error_set(err, e, "%s", text ? text + 1 : code);
	}
	if (strncmp(reply, "OK", 2) != 0 || (reply[2] != '\0' && reply[2] != ' ')) {
		jail_closep(&got[0]);
		return jail_error_set(err, EPROTO, "unexpected answer to %s from the keeper", req);
	}
	if (ret_fd)
		*ret_fd = got[0];
	else
		jail_closep(&got[0]);
	return 0;
}

static int parse_join_reply(const char *reply, int pidfd, struct jail_join_result *ret,
			    struct jail_error *err)
{
	long long init, sessions, ns;

	memset(ret, 0, sizeof(*ret));
	ret->init_pidfd = -1;
	if (pidfd < 0)
		return jail_error_set(err, EPROTO, "the keeper sent no pidfd of the jail init");
	/* absent (jailctl enter on a keeper of an older version): empty,
	 * which matches no digest */
	if (jail_msg_get(reply, "policy", ret->policy, sizeof(ret->policy)) < 0)
		ret->policy[0] = '\0';
	if (jail_msg_get(reply, "id", ret->id, sizeof(ret->id)) < 0 ||
	    jail_msg_get(reply, "profile", ret->profile, sizeof(ret->profile)) < 0 ||
	    jail_msg_get_num(reply, "init", &init) < 0 ||
	    jail_msg_get_num(reply, "sessions", &sessions) < 0 ||
	    jail_msg_get_num(reply, "ns", &ns) < 0 || init <= 0 || sessions < 0 || ns < 0) {
		close(pidfd);
		return jail_error_set(err, EPROTO, "malformed answer from the keeper: '%s'", reply);
	}
	ret->init_pid = (pid_t)init;
	ret->sessions = (unsigned)sessions;
	ret->ns_flags = (unsigned long)ns;
	ret->init_pidfd = pidfd;
	return 0;
}

int jail_join(int sock, const char *policy_digest, struct jail_join_result *ret,
	      struct jail_error *err)
{
	char reply[JAIL_MSG_MAX], req[32 + JAIL_POLICY_DIGEST_HEX];
	int pidfd, r;

	_cleanup_close_ int self = -1;

	/* The keeper counts the session out when we exit, so even a killed
	 * sshd ends its session (DESIGN.md "The shape we expect"). It takes a
	 * pidfd of us from the connection itself (SO_PEERPIDFD, Linux 6.5);
	 * on older kernels (Debian 12 runs 6.1) it uses the one we send,
	 * after checking that it names the process that connected.
	 * If we can't make one (valgrind does not know pidfd_open), we send
	 * none and a keeper without SO_PEERPIDFD refuses the session. */
	memset(ret, 0, sizeof(*ret));
	ret->init_pidfd = -1;
	snprintf(req, sizeof(req), "JOIN policy=%s", policy_digest);
	self = (int)syscall(SYS_pidfd_open, getpid(), 0);
	r = request(sock, req, &self, self >= 0 ? 1 : 0, reply, sizeof(reply), &pidfd, err);
	if (r == -ESTALE && (jail_msg_get(reply, "policy", ret->policy, sizeof(ret->policy)) < 0 ||
			     jail_msg_get(reply, "id", ret->id, sizeof(ret->id)) < 0)) {
		ret->policy[0] = '\0';
		ret->id[0] = '\0';
	}
	if (r < 0)
		return r;
	return parse_join_reply(reply, pidfd, ret, err);
}

int jail_enter(int sock, struct jail_join_result *ret, struct jail_error *err)
{
	char reply[JAIL_MSG_MAX];
	int pidfd, r;

	r = request(sock, "ENTER", NULL, 0, reply, sizeof(reply), &pidfd, err);
	if (r < 0)
		return r;
	return parse_join_reply(reply, pidfd, ret, err);
}

int jail_close(int sock, unsigned *ret_sessions, struct jail_error *err)
{
	char reply[JAIL_MSG_MAX];
	long long n;
	int r;

	r = request(sock, "CLOSE", NULL, 0, reply, sizeof(reply), NULL, err);
	if (r < 0)
		return r;
	if (jail_msg_get_num(reply, "sessions", &n) < 0 || n < 0)
		return jail_error_set(err, EPROTO, "malformed answer to CLOSE: '%s'", reply);
	if (ret_sessions)
		*ret_sessions = (unsigned)n;
	return 0;
}

int jail_status(int sock, char *reply, size_t cap, struct jail_error *err)
{
	return request(sock, "STATUS", NULL, 0, reply, cap, NULL, err);
}

int jail_stop(int sock, struct jail_error *err)
{
	char reply[JAIL_MSG_MAX];

	return request(sock, "STOP", NULL, 0, reply, sizeof(reply), NULL, err);
}
