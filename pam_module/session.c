/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Create-or-join a jail (see session.h). */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "cgroup.h"
#include "jail_client.h"
#include "proc_text.h"
#include "jail_launch.h"
#include "jail_setns.h"
#include "session.h"
#include "timens.h"
#include "user_jails.h"

/* Launch a jail for `key` if the user has room for one more
 * (lifetime.max_jails): counted and launched under the user's lock, so
 * concurrent logins of one user (each under its own key's lock, with
 * lifetime "session") cannot all take the last place. */
static int launch_within_cap(const struct jail_state *st, const char *init_path, const char *key,
			     const struct jail_policy *p, struct jail_error *err)
{
	struct jail_launch_result launched;
	_cleanup_close_ int user_lock = -1;
	unsigned live;
	int r;

	user_lock = jail_user_lock(st, p->uid, err);
	if (user_lock < 0)
		return user_lock;
	if (p->max_jails > 0) {
		r = jail_user_live_jails(st, p->uid, &live, err);
		if (r < 0)
			return r;
		if (live >= p->max_jails)
			return jail_error_set(err, EUSERS,
					      "user '%s' already has %u live jails, as many as "
					      "lifetime.max_jails allows",
					      p->user, live);
	}
	return jail_launch(st, init_path ? init_path : JAIL_INIT_PATH, key, p, &launched, err);
}

/* How long a login waits for a stale keeper and its jail's PID 1 to be
 * gone once killed (PID 1 exits when its whole namespace is). */
#define STALE_EXIT_WAIT_MS 5000

/* A pidfd of `pid` if it is still the process that started at `start`. */
static int pidfd_if_same(pid_t pid, uint64_t start)
{
	uint64_t now;
	int fd;

	if (pid <= 1 || start == 0)
		return -1;
	fd = pidfd_open(pid, 0);
	if (fd >= 0 && (jail_proc_start_time(pid, &now) < 0 || now != start)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void wait_exited(int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	if (pidfd < 0)
		return;
	/* readable once the process has exited; bounded, EINTR restarts */
	for (int i = 0; i < STALE_EXIT_WAIT_MS / 100; i++)
		if (poll(&pfd, 1, 100) > 0)
			return;
}

/* The key's keeper is alive but does not answer in time (it accepts no
 * connection, or lets a request go unanswered): it is stale. Kill it and
 * its jail (through pidfds, jail_remove_stale) and say so in `ret`, for
 * the log line; the caller then builds a new jail. Waiting for it instead
 * cost every login of the user the whole timeout, and hung them for good
 * once its backlog was full (issue 17, item 3). */
static int end_unanswering_keeper(const struct jail_state *st, const char *key,
				  struct jail_session *ret, struct jail_error *err)
{
	_cleanup_close_ int keeper_fd = -1, init_fd = -1;
	struct jail_info info;
	int r;

	snprintf(ret->stale_why, sizeof(ret->stale_why), "%s",
		 err && err->message[0] ? err->message : "no answer");
	ret->stale_keeper = -1;
	ret->stale_id[0] = '\0';
	if (jail_info_read(st, key, &info, NULL) == 0) {
		ret->stale_keeper = info.keeper_pid;
		snprintf(ret->stale_id, sizeof(ret->stale_id), "%s", info.id);
		keeper_fd = pidfd_if_same(info.keeper_pid, info.keeper_start);
		init_fd = pidfd_if_same(info.init_pid, info.init_start);
	}
	if (err)
		*err = (struct jail_error){ 0 };
	r = jail_remove_stale(st, key, err);
	/* SIGKILL is sent, not done: let the old jail be gone (its lease,
	 * its cgroup) before the new one is built. */
	wait_exited(keeper_fd);
	wait_exited(init_fd);
	return r;
}

/* Under the key's lock: an answering jail, or a fresh one. */
static int connect_or_launch(const struct jail_state *st, const char *init_path, const char *key,
			     const struct jail_policy *p, struct jail_session *s, bool *ret_created,
			     struct jail_error *err)
{
	int sock, r;

	*ret_created = false;
	sock = jail_connect(st, key, err);
	if (sock >= 0)
		return sock;
	if (sock == -ECONNREFUSED) {
		/* The keeper is dead (a live one listens until it has removed
		 * its entry, which it does only under this same lock): clean
		 * up, never join (DESIGN.md "Races are designed out"). */
		r = jail_remove_stale(st, key, err);
		if (r < 0)
			return r;
	} else if (sock == -ETIMEDOUT) {
		r = end_unanswering_keeper(st, key, s, err);
		if (r < 0)
			return r;
	} else if (sock != -ENOENT) {
		return sock;
	}
	r = launch_within_cap(st, init_path, key, p, err);
	if (r < 0)
		return r;
	*ret_created = true;
	sock = jail_connect(st, key, err);
	if (sock < 0 && sock != -ENOENT && sock != -ECONNREFUSED)
		return sock;
	if (sock < 0)
		return jail_error_set(err, EPROTO, "the new jail's control socket does not answer");
	return sock;
}

static int open_once(const struct jail_session_params *params, struct jail_session *ret,
		     bool *ret_ending, struct jail_error *err)
{
	struct jail_state st = JAIL_STATE_INIT;
	struct jail_join_result joined = { .init_pidfd = -1 };
	_cleanup_close_ int lock = -1, sock = -1;
	const struct jail_policy *p = params->policy;
	bool created = false;
	int r;

	*ret_ending = false;
	r = jail_state_open(params->state_dir, true, &st, err);
	if (r < 0)
		return r;
	lock = jail_lock_key(&st, ret->key, err);
	if (lock < 0) {
		r = lock;
		goto out;
	}
	sock = connect_or_launch(&st, params->init_path, ret->key, p, ret, &created, err);
	if (sock < 0) {
		r = sock;
		goto out;
	}
	r = jail_join(sock, ret->policy_new, &joined, err);
	/* No answer in time (or a send that could not go out): a keeper that
	 * we did not just start is stale; end it and build anew, once. */
	if ((r == -ETIMEDOUT || r == -EAGAIN) && !created) {
		jail_closep(&sock);
		sock = -1;
		r = end_unanswering_keeper(&st, ret->key, ret, err);
		if (r >= 0)
			sock = connect_or_launch(&st, params->init_path, ret->key, p, ret, &created,
						 err);
		if (sock < 0) {
			r = r < 0 ? r : sock;
			goto out;
		}
		r = jail_join(sock, ret->policy_new, &joined, err);
	}
	/* -ESHUTDOWN: the keeper is ending for good (STOP, its init died)
	 * and needs the key's lock, which we hold, to finish. */
	if (r == -ESHUTDOWN)
		*ret_ending = true;
	if (r >= 0 && strcmp(joined.policy, ret->policy_new) != 0) {
		/* The keeper compares too; a jail that says OK to another
		 * policy is not joined either (our hang-up counts us out). */
		jail_closep(&joined.init_pidfd);
		r = jail_error_set(err, ESTALE, "the jail was built from another policy");
	}
	if (r == -ESTALE) {
		snprintf(ret->policy_old, sizeof(ret->policy_old), "%s", joined.policy);
		snprintf(ret->id, sizeof(ret->id), "%s", joined.id);
	}
	if (r < 0)
		goto out;
	memcpy(ret->id, joined.id, sizeof(ret->id));
	ret->init_pidfd = joined.init_pidfd;
	ret->ns_flags = joined.ns_flags;
	ret->init_pid = joined.init_pid;
	ret->sessions = joined.sessions;
	ret->created = created;
	ret->conn = steal_fd(&sock);
out:
	/* A per-session key is never used again: its lock file goes with a
	 * failed attempt (the keeper removes it when a started jail ends). */
	if (r < 0 && lock >= 0 && p->lifetime == JAIL_LIFETIME_SESSION)
		jail_lock_remove(&st, ret->key);
	/* Counted in (or not): the next login of this user may go ahead. The
	 * registry fds go too: nothing of the host stays open once we are in
	 * the jail (only the socket, which is not a path or a namespace). */
	jail_closep(&lock);
	jail_state_close(&st);
	return r;
}

/* Wait (bounded) for an ending jail's registry entry to go. */
static void wait_entry_gone(const struct jail_session_params *params, const char *key)
{
	struct jail_state st = JAIL_STATE_INIT;

	if (jail_state_open(params->state_dir, false, &st, NULL) < 0)
		return;
	for (int i = 0; i < JAIL_REPLY_TIMEOUT_MS / 10; i++) {
		if (faccessat(st.jails_fd, key, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			break;
		usleep(10 * 1000);
	}
	jail_state_close(&st);
}

int jail_session_open(const struct jail_session_params *params, struct jail_session *ret,
		      struct jail_error *err)
{
	bool ending;
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->conn = -1;
	ret->init_pidfd = -1;
	r = jail_key_for_policy(params->policy, ret->key, sizeof(ret->key));
	if (r < 0)
		return jail_error_set(err, -r, "cannot make a registry key: %s", strerror(-r));
	r = jail_policy_digest(params->policy, ret->policy_new);
	if (r < 0)
		return jail_error_set(err, -r, "cannot digest the policy: %s", strerror(-r));
	r = open_once(params, ret, &ending, err);
	if (r < 0 && ending) {
		/* A login that meets a jail being stopped gets the next jail,
		 * not an error: let the keeper finish (it needs the lock we
		 * just released), then try once more. */
		wait_entry_gone(params, ret->key);
		r = open_once(params, ret, &ending, err);
	}
	return r;
}

int jail_session_enter(struct jail_session *s, struct jail_error *err)
{
	struct jail_cgroup cg = JAIL_CGROUP_INIT;
	int r;

	if (s->init_pidfd < 0)
		return jail_error_set(err, EBADF, "no jail to enter");
	/* The jail's cgroup first (if its keeper made one): found by its
	 * host path, so before setns (see jail_cgroup_join). */
	r = jail_cgroup_join(&cg, s->key, s->id, err);
	/* The jail's clocks for the caller's children only, by a time
	 * namespace of their own with the jail's offsets: a setns() would
	 * switch the caller's own clocks too (timens.h), under the feet of
	 * sshd's monitor. Read through the host's /proc, so before setns. */
	if (r >= 0 && (s->ns_flags & CLONE_NEWTIME))
		r = jail_timens_copy_for_children(s->init_pid, s->init_pidfd, err);
	if (r >= 0) {
		r = jail_setns(s->init_pidfd, s->ns_flags & ~(unsigned long)CLONE_NEWTIME, err);
		/* refused: the caller goes on outside (sshd keeps the
		 * connection), so it must not hold the jail's group open
		 * nor live under the jail's limits, nor hand its children
		 * the jail's clocks */
		if (r < 0 && (s->ns_flags & CLONE_NEWTIME))
			jail_timens_children_to_own(NULL);
	}
	if (r < 0)
		jail_cgroup_leave(&cg, NULL);
	jail_cgroup_close(&cg);
	/* In or not, the pidfd goes: a jailed process keeps no handle on
	 * namespaces (it would let it back out). */
	jail_closep(&s->init_pidfd);
	s->init_pidfd = -1;
	return r;
}

int jail_session_close(struct jail_session *s, unsigned *ret_left, struct jail_error *err)
{
	int r;

	jail_closep(&s->init_pidfd);
	s->init_pidfd = -1;
	if (s->conn < 0)
		return 0;
	r = jail_close(s->conn, ret_left, err);
	jail_closep(&s->conn);
	s->conn = -1;
	return r;
}

void jail_session_drop(struct jail_session *s)
{
	jail_closep(&s->init_pidfd);
	s->init_pidfd = -1;
	jail_closep(&s->conn);
	s->conn = -1;
}
