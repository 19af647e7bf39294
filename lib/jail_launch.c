/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Starting a keeper: the launch handshake's module side (jail_launch.h). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bounded.h"
#include "jail_launch.h"
#include "keeper_limits.h"
#include "msg.h"
#include "policy_wire.h"
#include "safepath.h"
#include "stdfds.h"

/* The grandchild: becomes jail-init. Only async-signal-safe calls: the
 * caller may be any PAM application. Never returns. */
static void __attribute__((noreturn)) exec_keeper(int sock, int init_fd)
{
	static char arg0[] = "jail-init";
	static char env0[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	char *const argv[] = { arg0, NULL };
	char *const envp[] = { env0, NULL };
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t all;
	int high, exe;

	/* Move the socket and the binary out of the way of 0..4, then
	 * 0,1,2 = /dev/null, 3 = the socket, 4 = the binary (close-on-exec). */
	high = fcntl(sock, F_DUPFD_CLOEXEC, 10);
	exe = fcntl(init_fd, F_DUPFD_CLOEXEC, 10);
	if (high < 0 || exe < 0)
		_exit(127);
	/* (a caller with 0..2 closed: stdfds.h) */
	if (jail_stdfds_devnull(true) < 0)
		_exit(127);
	if (dup2(high, JAIL_INIT_FD) < 0) /* dup2 clears FD_CLOEXEC on the copy */
		_exit(127);
	if (dup3(exe, JAIL_INIT_FD + 1, O_CLOEXEC) < 0)
		_exit(127);
	/* Every other fd of the application (sshd: the client socket, host
	 * keys) must not reach jail-init (DESIGN.md fact 11). */
	if (close_range(JAIL_INIT_FD + 2, ~0U, 0) < 0)
		_exit(127);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL); /* fails harmlessly for KILL, STOP, RT gaps */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (setsid() < 0)
		_exit(127);
	umask(077);
	/* The user's limits, nice and cwd are not the keeper's (keeper_limits.h). */
	if (jail_keeper_limits_reset() < 0)
		_exit(127);
	/* The binary checked in jail_launch, by fd: no path is resolved again. */
	execveat(JAIL_INIT_FD + 1, "", argv, envp, AT_EMPTY_PATH);
	_exit(127);
}

int jail_launch(const struct jail_state *st, const char *init_path, const char *key,
		const struct jail_policy *p, struct jail_launch_result *ret, struct jail_error *err)
{
	_cleanup_close_ int sock = -1, peer = -1, exe = -1;
	_cleanup_free_ char *enc = NULL;
	struct jail_error e = { 0 };
	char msg[JAIL_MSG_MAX], reply[JAIL_MSG_MAX];
	size_t enc_len;
	int sp[2], r, status;
	long long num;
	pid_t child;
	ssize_t n;

	memset(ret, 0, sizeof(*ret));
	if (!jail_key_is_valid(key))
		return jail_error_set(err, EINVAL, "bad registry key '%s'", key);
	r = jail_policy_encode(p, &enc, &enc_len);
	if (r < 0)
		return jail_error_set(err, -r, "encoding the policy: %s", strerror(-r));
	if (enc_len > JAIL_POLICY_MSG_MAX)
		return jail_error_set(err, E2BIG, "the policy is too big to send to jail-init");
	/* We run it as root: it must be a root-owned file nobody else can
	 * change, on a path nobody else can change (OpenSSH's rule). */
	exe = jail_safe_open(init_path, O_PATH, JAIL_SAFE_TRUSTED | JAIL_SAFE_REGULAR, 0, NULL, &e);
	if (exe < 0)
		return jail_error_set(err, -exe, "jail-init: %s", e.message);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return jail_error_set(err, errno, "socketpair: %s", strerror(errno));
	sock = sp[0];
	peer = sp[1];
	if (jail_send_timeout_set(sock, JAIL_REPLY_TIMEOUT_MS) < 0)
		return jail_error_set(err, errno, "socketpair: %s", strerror(errno));

	/* Double fork: the keeper must not be our child (we would have to reap
	 * it, and the application may reap it behind our back), and it must
	 * not be a bare fork of the application (fact 11), hence the exec. */
	child = fork();
	if (child < 0)
		return jail_error_set(err, errno, "fork: %s", strerror(errno));
	if (child == 0) {
		pid_t k = fork();
		if (k == 0)
			exec_keeper(peer, exe);
		_exit(k < 0 ? 1 : 0);
	}
	jail_closep(&peer);
	while (waitpid(child, &status, 0) < 0) {
		if (errno == EINTR)
			continue;
		/* ECHILD: the application reaps children itself (SIGCHLD
		 * handler / SIG_IGN). The keeper still answers on `sock`. */
		status = 0;
		break;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return jail_error_set(err, EAGAIN, "could not fork jail-init");

	snprintf(msg, sizeof(msg), "CREATE key=%s", key);
	r = jail_msg_send_str(sock, msg, &st->dir_fd, 1);
	if (r == 0)
		r = jail_msg_send(sock, enc, enc_len, NULL, 0);
	if (r < 0) {
		/* EPIPE here mostly means exec failed: say which binary. */
		return jail_error_set(err, -r, "cannot start jail-init '%s' (%s)", init_path,
				      strerror(-r));
	}
	r = jail_msg_wait_readable(sock, JAIL_REPLY_TIMEOUT_MS);
	if (r < 0)
		return jail_error_set(err, -r, "jail-init did not answer: %s", strerror(-r));
	n = jail_msg_recv(sock, reply, sizeof(reply), NULL, 0, NULL);
	if (n == 0 || n == -ECONNRESET)
		return jail_error_set(err, ECHILD, "jail-init '%s' exited without an answer",
				      init_path);
	if (n < 0)
		return jail_error_set(err, (int)-n, "reading jail-init's answer: %s",
				      strerror((int)-n));
	if (strncmp(reply, "ERR ", 4) == 0)
		return jail_error_set(err, EPROTO, "%s", reply + 4);
	if (strncmp(reply, "READY ", 6) != 0 ||
	    jail_msg_get(reply, "id", ret->id, sizeof(ret->id)) ||
	    jail_msg_get_num(reply, "init", &num) < 0 || num <= 0)
		return jail_error_set(err, EPROTO, "unexpected answer from jail-init: '%s'", reply);
	ret->init_pid = (pid_t)num;
	if (jail_msg_get_num(reply, "keeper", &num) < 0 || num <= 0)
		return jail_error_set(err, EPROTO, "unexpected answer from jail-init: '%s'", reply);
	ret->keeper_pid = (pid_t)num;
	return 0;
}
