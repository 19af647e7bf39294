/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keeper: the half of jail-init that stays in the host's namespaces.
 *
 * It makes the registry entry and the jail (clone into new namespaces), and
 * then serves the control socket: it counts sessions (each held by a pidfd
 * of the session's process, so a killed sshd still ends its session), and
 * ends the jail when the policy says so. All host-side work is done here,
 * because the module's process is inside the jail's mount namespace by the
 * time it closes the session (DESIGN.md fact 7).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>

#include <linux/sched.h> /* struct clone_args */

#include "clock.h"
#include "jail_init.h"
#include "jail_registry.h"
#include "jail_net.h"
#include "jail_request.h"
#include "poll_now.h"
#include "keeper_cgroup.h"
#include "keeper_stats.h"
#include "keeper_syslog.h"
#include "keeper_utmp.h"
#include "keeper_watch.h"
#include "msg.h"
#include "policy_digest.h"
#include "proc_text.h"
#include "timens.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* Linux 6.5; older libc headers lack it */
#endif

#define MAX_CONNS	  1024
#define TEARDOWN_RETRY_MS 20
#define INIT_EXIT_WAIT_MS 5000
#define UNLINK_TRIES	  3
/* The listener is not polled for this long when even the reserve fd cannot
 * take a connection off the backlog (ENFILE: the whole system is out). */
#define LISTEN_PAUSE_MS 100
/* At most one "connection refused" line per this many ms: a flood of
 * connections must not become a flood of log lines. */
#define REFUSED_LOG_MS 10000

struct conn {
	int fd;
	int session_pidfd; /* -1 unless this connection stands for a session */
};

struct keeper {
	struct jail_policy *p;
	const char *key;
	char id[JAIL_ID_HEX_LEN + 1];
	char policy_digest[JAIL_POLICY_DIGEST_HEX]; /* what the jail is built from */
	int state_fd, jails_fd, locks_fd, keydir_fd, lock_fd, listen_fd;
	bool entry_made;
	int init_pidfd;
	int userns_fd; /* the jail's user namespace, or -1 (userns.c) */
	pid_t init_pid;
	uint64_t init_start, self_start;
	int64_t created;
	unsigned long ns_flags;
	struct jail_bridge_net bnet; /* network.mode = "bridge" (net_bridge.c) */
	struct jail_cgroup cg;	     /* the limits (keeper_cgroup.h) */
	struct keeper_watch watch;   /* limits hit, logged live (keeper_watch.h) */
	struct keeper_syslog slog;   /* the jail's /dev/log (keeper_syslog.h) */
	struct keeper_utmp utmp;     /* its logins in the host's utmp (keeper_utmp.h) */

	struct conn conns[MAX_CONNS];
	size_t n_conns;
	/* Out of fds (accept_conns): an fd kept open to be given up so the
	 * connection at the head of the backlog can be taken and refused,
	 * instead of a listener that stays readable and a poll loop that
	 * spins. */
	int reserve_fd;
	int64_t listen_paused_until; /* monotonic ms, 0 = polled */
	int64_t refused_logged_at;   /* monotonic ms of the last such line */
	unsigned sessions;
	bool ever_joined;
	int64_t first_join_deadline, idle_deadline; /* monotonic ms, 0 = none */

	const char *end_reason; /* set: the jail is ending */
	bool end_final;		/* a JOIN cannot cancel it (STOP, init died) */
	int stop_fd;		/* the STOP requester, answered at the end */
};

static const char *lifetime_name(enum jail_lifetime l)
{
	switch (l) {
	case JAIL_LIFETIME_KEEP:
		return "keep";
	case JAIL_LIFETIME_SESSION:
		return "session";
	default:
		return "shared";
	}
}

/* ------------------------------------------------------------ creation */

static int make_id(char *out)
{
	unsigned char raw[JAIL_ID_HEX_LEN / 2];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

/* CLONE_NEW* flags for the policy. What no jail can be without (mount and
 * pid; bridge without net) jail_policy_decode() refused already, by the
 * same check as the loader (lib/policy_validate.c). */
static unsigned long ns_flags_for(const struct jail_policy *p)
{
	unsigned long f = CLONE_NEWNS | CLONE_NEWPID;

	/* "user": made apart (userns.c) and entered by jailsh only, never
	 * joined by a session (DESIGN.md fact 8), so not a flag here. */
	/* "time": reported for jailctl enter, never passed to clone (see
	 * start_init and lib/timens.h). */
	if (p->namespaces & JAIL_NS_TIME)
		f |= CLONE_NEWTIME;
	if ((p->namespaces & JAIL_NS_NET) && p->net.mode != JAIL_NET_HOST)
		f |= CLONE_NEWNET;
	if (p->namespaces & JAIL_NS_IPC)
		f |= CLONE_NEWIPC;
	if (p->namespaces & JAIL_NS_UTS)
		f |= CLONE_NEWUTS;
	if (p->namespaces & JAIL_NS_CGROUP)
		f |= CLONE_NEWCGROUP;
	return f;
}

static int make_entry(struct keeper *k, struct jail_error *err)
{
	char lockname[JAIL_LOCK_NAME_MAX];

	k->jails_fd = openat(k->state_fd, JAIL_STATE_JAILS,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	k->locks_fd = openat(k->state_fd, JAIL_STATE_LOCKS,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (k->jails_fd < 0 || k->locks_fd < 0)
		return jail_error_set(err, errno, "registry: %s", strerror(errno));
	/* The module holds this lock now; we take it when we end (teardown). */
	if (jail_lock_name(k->key, lockname) < 0)
		return jail_error_set(err, EINVAL, "bad registry key '%s'", k->key);
	k->lock_fd = openat(k->locks_fd, lockname, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (k->lock_fd < 0)
		return jail_error_set(err, errno, "registry lock: %s", strerror(errno));
	k->keydir_fd = jail_entry_create(k->jails_fd, k->key, err);
	if (k->keydir_fd < 0)
		return k->keydir_fd;
	k->entry_made = true;
	k->listen_fd = jail_entry_listen(k->keydir_fd, err);
	return k->listen_fd < 0 ? k->listen_fd : 0;
}

/* Close every fd but those in keep[] (-1 entries are ignored). */
static void close_all_except(const int *keep, size_t n)
{
	unsigned next = 0;

	for (;;) {
		int lowest = -1;

		for (size_t i = 0; i < n; i++)
			if (keep[i] >= (int)next && (lowest < 0 || keep[i] < lowest))
				lowest = keep[i];
		if (lowest < 0)
			break;
		if ((unsigned)lowest > next)
			close_range(next, (unsigned)lowest - 1, 0);
		next = (unsigned)lowest + 1;
	}
	close_range(next, ~0U, 0);
}

/* clone() the jail PID 1 into its new namespaces and wait for its report. */
static int start_init(struct keeper *k, struct jail_error *err)
{
	struct clone_args args = { 0 };
	_cleanup_close_ int self = -1;
	int pipefd[2], pidfd = -1;
	char msg[JAIL_MSG_MAX];
	struct pollfd pfd;
	ssize_t n;
	pid_t pid;
	int r;

	self = pidfd_open(getpid(), 0);
	if (self < 0)
		return jail_error_set(err, errno, "pidfd_open: %s", strerror(errno));
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return jail_error_set(err, errno, "pipe: %s", strerror(errno));

	/* PID 1 is born in the jail's cgroup: the keeper steps in for the
	 * clone and out again, so CLONE_NEWCGROUP roots the jail's cgroup
	 * namespace at that group (the jail sees it as "/") and no jailed
	 * process ever runs outside it. (v1 has no CLONE_INTO_CGROUP.) */
	r = jail_cgroup_enter(&k->cg, err);
	/* The time namespace is made before the clone, not by it: its
	 * offsets can only be set before a process is in it. */
	if (r >= 0 && (k->ns_flags & CLONE_NEWTIME)) {
		r = jail_timens_new_for_children(err);
		if (r < 0)
			jail_cgroup_leave(&k->cg, NULL);
	}
	if (r < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return r;
	}
	args.flags = (k->ns_flags & ~(unsigned long)CLONE_NEWTIME) | CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)&pidfd;
	args.exit_signal = SIGCHLD;
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid != 0) {
		/* Out of the jail's cgroup again, and whatever the keeper
		 * starts later stays in the host's clocks. */
		bool out = jail_cgroup_leave(&k->cg, err) >= 0;

		if ((k->ns_flags & CLONE_NEWTIME) &&
		    jail_timens_children_to_own(out ? err : NULL) < 0)
			out = false;
		if (!out) { /* a keeper stuck in the jail's limits: fail closed */
			if (pid > 0) {
				pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
				waitpid(pid, NULL, 0);
				close(pidfd);
			}
			close(pipefd[0]);
			close(pipefd[1]);
			return -EIO;
		}
	}
	if (pid < 0) {
		r = jail_error_set(err, errno, "creating the namespaces: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return r;
	}
	if (pid == 0) {
		/* The jail's PID 1. Nothing of the keeper's (registry fds, the
		 * module's socket) may come along into the jail. */
		const int *rec = keeper_utmp_jail_fds(&k->utmp);
		int keep[] = { pipefd[1],
			       self,
			       k->userns_fd,
			       rec[0],
			       rec[1],
			       rec[2],
			       keeper_syslog_jail_fd(&k->slog) };

		_Static_assert(JAIL_RECORDS_N == 3, "keep[] lists every record fd");
		close_all_except(keep, JAIL_ARRAY_SIZE(keep));
		jail_pid1_run(k->p, k->id, pipefd[1], self, k->userns_fd, rec,
			      keeper_syslog_jail_fd(&k->slog));
	}
	close(pipefd[1]);
	k->init_pid = pid;
	k->init_pidfd = pidfd;

	pfd = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	do
		r = poll(&pfd, 1, JAIL_REPLY_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		close(pipefd[0]);
		return jail_error_set(err, ETIMEDOUT, "the jail init did not report in time");
	}
	do
		n = read(pipefd[0], msg, sizeof(msg) - 1);
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n <= 0)
		return jail_error_set(err, ECHILD, "the jail init died while building the jail");
	msg[n] = '\0';
	if (strncmp(msg, "ERR ", 4) == 0)
		return jail_error_set(err, EPROTO, "%s", msg + 4);
	if (strcmp(msg, "READY") != 0)
		return jail_error_set(err, EPROTO, "the jail init said '%s'", msg);
	if (jail_proc_start_time(pid, &k->init_start) < 0)
		return jail_error_set(err, ESRCH, "the jail init vanished");
	return 0;
}

static int write_info(struct keeper *k, struct jail_error *err)
{
	struct jail_info info = {
		.uid = k->p->uid,
		.init_pid = k->init_pid,
		.keeper_pid = getpid(),
		.init_start = k->init_start,
		.keeper_start = k->self_start,
		.created = k->created,
	};

	if (snprintf(info.id, sizeof(info.id), "%s", k->id) >= (int)sizeof(info.id) ||
	    snprintf(info.key, sizeof(info.key), "%s", k->key) >= (int)sizeof(info.key) ||
	    snprintf(info.user, sizeof(info.user), "%s", k->p->user) >= (int)sizeof(info.user) ||
	    snprintf(info.profile, sizeof(info.profile), "%s", k->p->profile) >=
		    (int)sizeof(info.profile))
		return jail_error_set(err, ENAMETOOLONG, "info: too long");
	snprintf(info.lifetime, sizeof(info.lifetime), "%s", lifetime_name(k->p->lifetime));
	jail_net_bridge_info(&k->bnet, &info);
	return jail_info_write(k->keydir_fd, &info, err);
}

static void conn_drop(struct keeper *k, size_t i);
static void session_end(struct keeper *k, struct conn *c, const char *why);
static void reply(struct conn *c, const char *msg, int fd);

/* One request on connection i while PID 1 is being killed: a session's
 * CLOSE is answered (its sshd monitor waits for that answer before it
 * reaps its jailed child), anything else is refused; a hang-up drops it. */
static void serve_while_ending(struct keeper *k, size_t i)
{
	struct conn *c = &k->conns[i];
	char msg[JAIL_MSG_MAX], out[JAIL_MSG_MAX];
	struct jail_request req;
	int fds[1] = { -1 };
	size_t n_fds = 0;
	ssize_t n;

	n = jail_msg_recv(c->fd, msg, sizeof(msg), fds, 1, &n_fds);
	if (n == -EAGAIN)
		return;
	jail_closep(&fds[0]);
	if (n <= 0) {
		conn_drop(k, i);
		return;
	}
	jail_request_parse(msg, n_fds, &req);
	if (req.kind == JAIL_REQ_CLOSE && c->session_pidfd >= 0) {
		session_end(k, c, "closed");
		snprintf(out, sizeof(out), "OK sessions=%u", k->sessions);
		reply(c, out, -1);
	} else {
		reply(c, "ERR " JAIL_ERR_ENDING " the jail is ending", -1);
	}
}

/* Kill and reap the jail PID 1 (the kernel kills the rest of its PID
 * namespace). PID 1's exit completes only when every process of the
 * namespace has been reaped, and a session's jailed process (sshd's
 * post-auth child) is reaped by its parent, the sshd monitor outside the
 * jail, only once pam_close_session has its answer from us. So the
 * connections are served while we wait: waiting deaf would stall every
 * such session (and a `jailctl stop`) for the whole bound. Bounded, in
 * case a monitor never reaps. */
static void kill_init(struct keeper *k)
{
	static struct pollfd pfds[1 + MAX_CONNS];
	int64_t deadline;
	bool sent;

	if (k->init_pidfd < 0)
		return;
	sent = pidfd_send_signal(k->init_pidfd, SIGKILL, NULL, 0) == 0 || errno == ESRCH;
	deadline = jail_mono_ms() + INIT_EXIT_WAIT_MS;
	for (;;) {
		int64_t left = deadline - jail_mono_ms();
		size_t n = 0;
		int r;

		if (left <= 0)
			break;
		/* A SIGKILL that could not be sent is sent again while we
		 * wait: a jail whose PID 1 lives on keeps its cgroup busy. */
		if (!sent) {
			sent = pidfd_send_signal(k->init_pidfd, SIGKILL, NULL, 0) == 0 ||
			       errno == ESRCH;
			if (!sent && left > TEARDOWN_RETRY_MS)
				left = TEARDOWN_RETRY_MS;
		}
		/* readable once PID 1 is a zombie, i.e. the namespace is empty */
		pfds[n++] = (struct pollfd){ .fd = k->init_pidfd, .events = POLLIN };
		for (size_t i = 0; i < k->n_conns; i++)
			pfds[n++] = (struct pollfd){ .fd = k->conns[i].fd, .events = POLLIN };
		r = poll(pfds, n, (int)left);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		if (pfds[0].revents)
			break;
		/* from the end: conn_drop moves the last one into the slot */
		for (size_t i = k->n_conns; i-- > 0;)
			if (pfds[1 + i].revents)
				serve_while_ending(k, i);
	}
	while (waitpid(k->init_pid, NULL, WNOHANG) < 0 && errno == EINTR)
		;
	jail_closep(&k->init_pidfd);
	k->init_pidfd = -1;
}

/* Remove the registry entry (the caller holds the key's lock or is still
 * in the launch handshake, during which the module holds it for us). */
static void remove_entry(struct keeper *k)
{
	jail_closep(&k->listen_fd);
	k->listen_fd = -1;
	if (!k->entry_made)
		return;
	for (int tries = 1;; tries++) {
		struct jail_error err = { 0 };

		if (jail_entry_remove(k->jails_fd, k->key, &err) == 0)
			break;
		if (tries >= UNLINK_TRIES) {
			/* Never shown as a live jail: `jailctl list` finds no info
			 * (broken) or a socket that refuses (stale), and the next
			 * login of this key removes it (jail_remove_stale). */
			syslog(LOG_ERR,
			       "registry entry '%s' not removed: user=%s profile=%s id=%s: %s; "
			       "the next login removes it",
			       k->key, k->p->user, k->p->profile, k->id, err.message);
			break;
		}
		usleep(TEARDOWN_RETRY_MS * 1000);
	}
	k->entry_made = false;
}

/* ------------------------------------------------------------ serving */

static void session_end(struct keeper *k, struct conn *c, const char *why)
{
	if (c->session_pidfd < 0)
		return;
	keeper_cgroup_sample(&k->cg); /* while the session's scope is there */
	jail_closep(&c->session_pidfd);
	c->session_pidfd = -1;
	k->sessions--;
	(void)why;
	if (k->sessions > 0 || k->end_reason)
		return;
	if (k->p->lifetime == JAIL_LIFETIME_KEEP) {
		if (k->p->idle_timeout_sec > 0)
			k->idle_deadline = jail_mono_ms() + (int64_t)k->p->idle_timeout_sec * 1000;
	} else {
		k->end_reason = "last session ended";
	}
}

static void reply(struct conn *c, const char *msg, int fd)
{
	/* A client that does not read its answer loses it, not the keeper
	 * (the socket is non-blocking). */
	jail_msg_send_str(c->fd, msg, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0);
}

static void join_reply(struct keeper *k, struct conn *c)
{
	char msg[JAIL_MSG_MAX];

	snprintf(msg, sizeof(msg), "OK id=%s init=%d profile=%s sessions=%u ns=%lu policy=%s",
		 k->id, (int)k->init_pid, k->p->profile, k->sessions, k->ns_flags,
		 k->policy_digest);
	reply(c, msg, k->init_pidfd);
}

/* The pidfd of the process at the other end of `sock`, or -1.
 *
 * Linux 6.5+ hands it out directly (SO_PEERPIDFD): nothing to trust. On
 * older kernels (Debian 12 runs 6.1) the client sends pidfd_open(getpid())
 * with JOIN, and we accept it only if it names the process that connected
 * (SO_PEERCRED, fixed at connect time) and that process is still alive: a
 * PID is not reused while its process lives, so a live process with the
 * connecting PID is the connecting process. */
static int session_pidfd_of(int sock, int sent_pidfd)
{
	struct ucred cred;
	socklen_t len = sizeof(int);
	char path[64], line[128];
	long fd_pid = -1;
	int pidfd = -1;
	FILE *f;

	if (getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0 && pidfd >= 0) {
		fcntl(pidfd, F_SETFD, FD_CLOEXEC);
		return pidfd;
	}
	if (errno != ENOPROTOOPT || sent_pidfd < 0)
		return -1;
	len = sizeof(cred);
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.pid <= 0)
		return -1;
	/* What the sent fd is: a pidfd's fdinfo names its PID ("Pid:"). */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", sent_pidfd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", &fd_pid) == 1)
			break;
	fclose(f);
	if (fd_pid != (long)cred.pid)
		return -1;
	if (jail_poll_now(sent_pidfd) != 0) /* readable (exited) or an error */
		return -1;
	return fcntl(sent_pidfd, F_DUPFD_CLOEXEC, 3);
}

static void handle_request(struct keeper *k, size_t i)
{
	struct conn *c = &k->conns[i];
	char msg[JAIL_MSG_MAX], out[JAIL_MSG_MAX];
	struct jail_request req;
	int fds[1] = { -1 };
	size_t n_fds = 0;
	ssize_t n;

	n = jail_msg_recv(c->fd, msg, sizeof(msg), fds, 1, &n_fds);
	if (n == -EAGAIN)
		return;
	if (n <= 0) {
		/* Hung up: every copy of the client's fd is closed, so whoever
		 * held the session is gone (pam_end without close_session). */
		session_end(k, c, "connection closed");
		conn_drop(k, i);
		return;
	}
	jail_request_parse(msg, n_fds, &req);
	if (req.kind == JAIL_REQ_JOIN) {
		struct jail_error je = { 0 };
		int pidfd = -1;

		/* The pidfd of the process that connected: readable when that
		 * process exits, whoever holds the fd. */
		pidfd = session_pidfd_of(c->fd, fds[0]);
		jail_closep(&fds[0]);
		if (c->session_pidfd >= 0) {
			jail_closep(&pidfd);
			reply(c, "ERR " JAIL_ERR_REFUSED " this connection already has a session",
			      -1);
			return;
		}
		if (k->end_reason && k->end_final) {
			jail_closep(&pidfd);
			reply(c, "ERR " JAIL_ERR_ENDING " the jail is ending", -1);
			return;
		}
		/* Only a login whose policy builds this very jail joins it:
		 * not one resolved to another profile since, nor another user
		 * name with this uid. Refused before anything is counted, so
		 * a refused login keeps no jail alive (jail_proto.h). */
		if (!req.has_digest || strcmp(req.digest, k->policy_digest) != 0) {
			jail_closep(&pidfd);
			snprintf(out, sizeof(out),
				 "ERR " JAIL_ERR_POLICY " policy=%s id=%s the jail was built from "
				 "another policy",
				 k->policy_digest, k->id);
			reply(c, out, -1);
			return;
		}
		if (pidfd < 0) {
			reply(c,
			      "ERR " JAIL_ERR_REFUSED " cannot get a pidfd of the session process",
			      -1);
			return;
		}
		/* systemd hosts: the session's limits (keeper_cgroup.h) */
		if (keeper_cgroup_session(&k->cg, k->p, k->id, pidfd, &je) < 0) {
			jail_closep(&pidfd);
			snprintf(out, sizeof(out), "ERR " JAIL_ERR_REFUSED " %s", je.message);
			reply(c, out, -1);
			return;
		}
		fds[0] = pidfd;
		/* A login that comes while a shared jail waits to end keeps it. */
		k->end_reason = NULL;
		k->idle_deadline = 0;
		c->session_pidfd = fds[0];
		k->sessions++;
		k->ever_joined = true;
		join_reply(k, c);
		return;
	}
	jail_closep(&fds[0]);
	if (req.kind == JAIL_REQ_BADFD) {
		reply(c, "ERR " JAIL_ERR_BADREQ " unexpected file descriptor", -1);
	} else if (req.kind == JAIL_REQ_CLOSE) {
		if (c->session_pidfd < 0) {
			reply(c, "ERR " JAIL_ERR_REFUSED " no session on this connection", -1);
			return;
		}
		session_end(k, c, "closed");
		snprintf(out, sizeof(out), "OK sessions=%u", k->sessions);
		reply(c, out, -1);
	} else if (req.kind == JAIL_REQ_STATUS) {
		snprintf(out, sizeof(out),
			 "OK id=%s key=%s user=%s uid=%u profile=%s init=%d keeper=%d sessions=%u "
			 "created=%" PRId64 " lifetime=%s stopping=%d policy=%s",
			 k->id, k->key, k->p->user, (unsigned)k->p->uid, k->p->profile,
			 (int)k->init_pid, (int)getpid(), k->sessions, k->created,
			 lifetime_name(k->p->lifetime), k->stop_fd >= 0, k->policy_digest);
		reply(c, out, -1);
	} else if (req.kind == JAIL_REQ_ENTER) {
		join_reply(k, c);
	} else if (req.kind == JAIL_REQ_STOP) {
		if (k->stop_fd < 0) {
			k->stop_fd = c->fd;
			c->fd = -1; /* answered at the very end */
			conn_drop(k, i);
		} else {
			reply(c, "ERR " JAIL_ERR_BUSY " already stopping", -1);
		}
		k->end_reason = "stopped by the administrator";
		k->end_final = true;
	} else {
		reply(c, "ERR " JAIL_ERR_BADREQ " unknown request", -1);
	}
}

static void conn_drop(struct keeper *k, size_t i)
{
	struct conn *c = &k->conns[i];

	jail_closep(&c->fd);
	if (c->session_pidfd >= 0) /* only when the keeper ends */
		jail_closep(&c->session_pidfd);
	k->conns[i] = k->conns[--k->n_conns];
}

/* How many connections poll() can wait on: it fails with EINVAL when it is
 * given more entries than RLIMIT_NOFILE ("poll failed" ended the jail), and
 * each connection takes two (its socket and its session's pidfd; a -1
 * entry counts too) besides the fixed ones of serve(). Running out of fds
 * before that is accept_conns's EMFILE case. Read again each time: an
 * administrator may change the limit (prlimit). */
static size_t conn_capacity(void)
{
	const size_t fixed = 2 + JAIL_CG_WATCH_MAX_FDS + KEEPER_UTMP_MAX_FDS +
			     KEEPER_SYSLOG_MAX_FDS;
	struct rlimit rl;
	size_t cap;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return MAX_CONNS;
	cap = rl.rlim_cur > fixed ? (size_t)(rl.rlim_cur - fixed) / 2 : 0;
	return cap < MAX_CONNS ? cap : MAX_CONNS;
}

static void log_refused(struct keeper *k, const char *why)
{
	int64_t now = jail_mono_ms();

	if (k->refused_logged_at && now - k->refused_logged_at < REFUSED_LOG_MS)
		return;
	k->refused_logged_at = now;
	syslog(LOG_WARNING,
	       "jail keeper refuses connections: user=%s profile=%s id=%s connections=%zu: %s",
	       k->p->user, k->p->profile, k->id, k->n_conns, why);
}

/* accept4 failed with EMFILE/ENFILE: the connection stays in the backlog
 * and the listener readable, so polling it again would spin (it did, at
 * ~390k wakeups/s). Give up the reserve fd, take the connection and close
 * it (its client sees a hang-up: refused, not left waiting), take the
 * reserve back. When that fails too, stop polling the listener a while. */
static bool refuse_one_without_fds(struct keeper *k, int err)
{
	int fd = -1;

	log_refused(k, strerror(err));
	if (k->reserve_fd >= 0) {
		jail_closep(&k->reserve_fd);
		k->reserve_fd = -1;
		fd = accept4(k->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd >= 0)
			close(fd);
		k->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0 || k->reserve_fd < 0) {
		k->listen_paused_until = jail_mono_ms() + LISTEN_PAUSE_MS;
		return false;
	}
	return true;
}

static void accept_conns(struct keeper *k)
{
	for (;;) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		int fd = accept4(k->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE) &&
			    refuse_one_without_fds(k, errno))
				continue;
			return; /* EAGAIN: the backlog is empty */
		}
		/* Only root may join or steer a jail (the dir is 0700 too). */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
			close(fd);
			continue;
		}
		if (k->n_conns >= conn_capacity()) {
			log_refused(k, "as many connections as the keeper's fd limit allows");
			close(fd);
			continue;
		}
		k->conns[k->n_conns++] = (struct conn){ .fd = fd, .session_pidfd = -1 };
	}
}

/* How keeper_end gets the key's lock, under which the registry entry goes
 * (so that no login is half-way through create-or-join for this key). */
enum end_lock {
	/* The launch handshake: the module holds the lock for us until it
	 * has our answer, so nobody can come between. */
	END_LOCK_HELD,
	/* Serving: only if the lock is free now; if not, a login is in
	 * create-or-join and may still JOIN, so the loop goes on serving. */
	END_LOCK_TRY,
	/* poll() failed and we cannot serve any more: wait for the lock. A
	 * login holding it waits for an answer we will not give, and gives
	 * up after JAIL_REPLY_TIMEOUT_MS, so the wait is bounded. If even
	 * flock fails, the jail is ended without it (fail closed: a login
	 * that raced us finds no entry or a dead socket and builds anew). */
	END_LOCK_WAIT,
};

/*
 * The one way a jail ends, whatever the reason, in one order:
 * unregister (under the key's lock), kill and reap PID 1 (the kernel kills
 * the rest of the jail), the host's login records, the bridge lease and
 * veth, the one "jail ended" line, the connections (before the cgroup: a
 * session process, in the group until it exits, may wait for an answer),
 * the limits' watch and the cgroup, and last the STOP requester's answer
 * (it is told only once everything is gone). Returns false, having done
 * nothing, when END_LOCK_TRY finds the lock busy.
 */
static bool keeper_end(struct keeper *k, const char *reason, enum end_lock how)
{
	if (how == END_LOCK_TRY && flock(k->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return false;
	if (how == END_LOCK_WAIT)
		while (flock(k->lock_fd, LOCK_EX) < 0 && errno == EINTR)
			;
	remove_entry(k);
	if (k->p->lifetime == JAIL_LIFETIME_SESSION && k->locks_fd >= 0) {
		/* a per-session key is never used again: don't let lock
		 * files pile up, one per session ever opened */
		char lockname[JAIL_LOCK_NAME_MAX];
		if (jail_lock_name(k->key, lockname) == 0)
			unlinkat(k->locks_fd, lockname, 0);
	}
	jail_closep(&k->lock_fd); /* releases the lock: the next login makes a new jail */
	k->lock_fd = -1;
	keeper_syslog_stop(&k->slog); /* forwards what the jail sent before the end */
	kill_init(k);
	keeper_utmp_end(&k->utmp); /* no ghost of this jail in `who` */
	jail_net_bridge_teardown(&k->bnet);
	syslog(LOG_NOTICE, "jail ended: user=%s profile=%s id=%s init=%d reason=%s", k->p->user,
	       k->p->profile, k->id, (int)k->init_pid, reason);
	while (k->n_conns > 0)
		conn_drop(k, k->n_conns - 1);
	jail_closep(&k->reserve_fd);
	k->reserve_fd = -1;
	keeper_watch_stop(&k->watch);
	keeper_stats_jail_end(k->state_fd, &k->cg, k->p, k->id); /* before the group goes */
	keeper_cgroup_end(&k->cg, k->p, k->id);
	if (k->stop_fd >= 0) {
		jail_msg_send_str(k->stop_fd, "OK stopped", NULL, 0);
		jail_closep(&k->stop_fd);
	}
	return true;
}

static void check_deadlines(struct keeper *k)
{
	int64_t now = jail_mono_ms();

	if (k->end_reason)
		return;
	if (!k->ever_joined && k->first_join_deadline && now >= k->first_join_deadline)
		k->end_reason = "no session joined";
	else if (k->sessions == 0 && k->idle_deadline && now >= k->idle_deadline)
		k->end_reason = "idle timeout";
}

static int poll_timeout(const struct keeper *k)
{
	int64_t next = 0, now = jail_mono_ms();

	if (k->end_reason)
		return TEARDOWN_RETRY_MS;
	if (!k->ever_joined)
		next = k->first_join_deadline;
	if (k->sessions == 0 && k->idle_deadline && (!next || k->idle_deadline < next))
		next = k->idle_deadline;
	if (k->listen_paused_until && (!next || k->listen_paused_until < next))
		next = k->listen_paused_until;
	if (!next)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

static void serve(struct keeper *k)
{
	/* listen + init + (conn + session) per connection + the watch + the
	 * login records + /dev/log */
	static struct pollfd pfds[2 + 2 * MAX_CONNS + JAIL_CG_WATCH_MAX_FDS + KEEPER_UTMP_MAX_FDS +
				  KEEPER_SYSLOG_MAX_FDS];

	for (;;) {
		size_t n = 0, watch_at, utmp_at, slog_at;
		int r;

		check_deadlines(k);
		if (k->end_reason && keeper_end(k, k->end_reason, END_LOCK_TRY))
			return;

		/* a negative fd is skipped by poll(): the listener paused */
		if (k->listen_paused_until && jail_mono_ms() >= k->listen_paused_until)
			k->listen_paused_until = 0;
		pfds[n++] = (struct pollfd){ .fd = k->listen_paused_until ? -1 : k->listen_fd,
					     .events = POLLIN };
		pfds[n++] = (struct pollfd){ .fd = k->init_pidfd, .events = POLLIN };
		for (size_t i = 0; i < k->n_conns; i++) {
			pfds[n++] = (struct pollfd){ .fd = k->conns[i].fd, .events = POLLIN };
			pfds[n++] = (struct pollfd){ .fd = k->conns[i].session_pidfd,
						     .events = POLLIN };
		}
		watch_at = n;
		n += keeper_watch_pollfds(&k->watch, pfds + n);
		utmp_at = n;
		n += keeper_utmp_pollfds(&k->utmp, pfds + n);
		slog_at = n;
		n += keeper_syslog_pollfds(&k->slog, pfds + n);
		r = poll(pfds, n,
			 keeper_syslog_timeout(
				 &k->slog,
				 keeper_utmp_timeout(&k->utmp,
						     keeper_watch_timeout(&k->watch,
									  poll_timeout(k)))));
		if (r < 0 && errno != EINTR) {
			/* cannot wait for anything: end the jail */
			syslog(LOG_ERR, "poll: user=%s profile=%s id=%s: %s", k->p->user,
			       k->p->profile, k->id, strerror(errno));
			keeper_end(k, "poll failed", END_LOCK_WAIT);
			return;
		}
		keeper_watch_handle(&k->watch, pfds + watch_at, r > 0 ? utmp_at - watch_at : 0);
		keeper_utmp_handle(&k->utmp, pfds + utmp_at, r > 0 ? slog_at - utmp_at : 0);
		/* before the requests: a CLOSE comes after the lines its
		 * session logged (pam_unix's "session closed") */
		keeper_syslog_handle(&k->slog, pfds + slog_at, r > 0 ? n - slog_at : 0);
		if (r <= 0)
			continue;
		if (pfds[1].revents) {
			k->end_reason = "the jail init died";
			k->end_final = true;
		}
		/* Connections first, from the end: conn_drop moves the last one
		 * into the freed slot, which we have already looked at. */
		for (size_t i = k->n_conns; i-- > 0;) {
			struct pollfd *cp = &pfds[2 + 2 * i], *sp = &pfds[3 + 2 * i];
			if (sp->fd >= 0 && sp->revents) /* the session's process exited */
				session_end(k, &k->conns[i], "session process exited");
			if (cp->revents)
				handle_request(k, i);
		}
		if (pfds[0].revents & POLLIN)
			accept_conns(k);
	}
}

int jail_keeper_run(int sock, int state_fd, const char *key, struct jail_policy *p)
{
	struct keeper *k;
	struct jail_error e = { 0 };
	char msg[JAIL_MSG_MAX];
	bool module_gone = false;
	int r;

	k = calloc(1, sizeof(*k));
	if (!k) {
		jail_msg_send_str(sock, "ERR jail-init: out of memory", NULL, 0);
		return 1;
	}
	k->p = p;
	k->key = key;
	k->state_fd = state_fd;
	k->jails_fd = k->locks_fd = k->keydir_fd = k->lock_fd = k->listen_fd = -1;
	k->init_pidfd = -1;
	k->userns_fd = -1;
	k->stop_fd = -1;
	k->reserve_fd = -1;
	k->bnet = (struct jail_bridge_net)JAIL_BRIDGE_NET_INIT;
	k->cg = (struct jail_cgroup)JAIL_CGROUP_INIT;
	k->slog = (struct keeper_syslog)KEEPER_SYSLOG_INIT;
	k->watch.w = (struct jail_cg_watch)JAIL_CG_WATCH_INIT; /* stopped until started */
	k->created = (int64_t)time(NULL);

	r = jail_proc_start_time(getpid(), &k->self_start);
	if (r < 0)
		jail_error_set(&e, -r, "reading own start time: %s", strerror(-r));
	if (r >= 0)
		k->ns_flags = ns_flags_for(p);
	if (r >= 0) {
		r = jail_policy_digest(p, k->policy_digest);
		if (r < 0)
			jail_error_set(&e, -r, "digesting the policy: %s", strerror(-r));
	}
	if (r >= 0 && make_id(k->id) < 0)
		r = jail_error_set(&e, EIO, "getrandom failed");
	if (r >= 0)
		r = make_entry(k, &e);
	if (r >= 0)
		r = keeper_cgroup_setup(&k->cg, p, key, k->id, &e);
	if (r >= 0)
		r = keeper_utmp_setup(&k->utmp, state_fd, p, k->id, &e);
	if (r >= 0 && (p->namespaces & JAIL_NS_USER))
		r = jail_userns_create(p->uid, p->gid, &k->userns_fd, &e);
	if (r >= 0)
		r = keeper_syslog_open(&k->slog, p, k->id, &e);
	if (r >= 0)
		r = start_init(k, &e);
	jail_closep(&k->userns_fd); /* PID 1 has bound it into the jail */
	k->userns_fd = -1;
	keeper_utmp_jail_built(&k->utmp); /* and these */
	if (r >= 0 && p->net.mode == JAIL_NET_BRIDGE)
		r = jail_net_bridge_setup(&k->bnet, k->state_fd, p, key, k->id, k->init_pid, &e);
	if (r >= 0)
		r = write_info(k, &e);
	if (r >= 0) {
		snprintf(msg, sizeof(msg), "READY id=%s init=%d keeper=%d", k->id, (int)k->init_pid,
			 (int)getpid());
		r = jail_msg_send_str(sock, msg, NULL, 0);
		if (r < 0) /* the module gave up on us: undo, say nothing */
			jail_error_set(&e, -r, "module went away");
		/* and with it went its hold on the key's lock */
		module_gone = r < 0;
	}
	if (r < 0) {
		/* Fail closed, nothing half-built, and undone *before* the
		 * answer: the module still holds the key's lock, so removing
		 * the entry races with no one, and when the login is refused
		 * nothing of this jail is left. */
		if (!e.message[0])
			snprintf(e.message, sizeof(e.message), "jail-init failed");
		keeper_end(k, "failure during setup", module_gone ? END_LOCK_WAIT : END_LOCK_HELD);
		jail_closep(&k->keydir_fd);
		jail_closep(&k->jails_fd);
		jail_closep(&k->locks_fd);
		jail_closep(&k->state_fd);
		snprintf(msg, sizeof(msg), "ERR %s", e.message);
		jail_msg_send_str(sock, msg, NULL, 0);
		close(sock);
		return 1;
	}
	close(sock);
	k->first_join_deadline = jail_mono_ms() + JAIL_REPLY_TIMEOUT_MS;
	/* after start_init: PID 1 must not inherit it */
	k->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	keeper_watch_start(&k->watch, &k->cg, p, k->id);
	serve(k); /* returns once keeper_end has ended the jail */
	return 0;
}
