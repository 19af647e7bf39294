/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Create-or-join a jail (see session.h). */
#include <string.h>

#include "jail_client.h"
#include "session.h"

/* Under the key's lock: an answering jail, or a fresh one. */
static int connect_or_launch(const struct jail_state *st, const char *init_path, const char *key,
			     const struct jail_policy *p, bool *ret_created,
			     struct jail_error *err)
{
	struct jail_launch_result launched;
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
	} else if (sock != -ENOENT) {
		return sock;
	}
	r = jail_launch(st, init_path ? init_path : JAIL_INIT_PATH, key, p, &launched, err);
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

int jail_session_open(const struct jail_session_params *params, struct jail_session *ret,
		      struct jail_error *err)
{
	struct jail_state st = JAIL_STATE_INIT;
	struct jail_join_result joined = { .init_pidfd = -1 };
	_cleanup_close_ int lock = -1, sock = -1;
	const struct jail_policy *p = params->policy;
	bool created = false;
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->conn = -1;
	ret->init_pidfd = -1;
	r = jail_key_for_policy(p, ret->key, sizeof(ret->key));
	if (r < 0)
		return jail_error_set(err, -r, "cannot make a registry key: %s", strerror(-r));

	r = jail_state_open(params->state_dir, true, &st, err);
	if (r < 0)
		return r;
	lock = jail_lock_key(&st, ret->key, err);
	if (lock < 0) {
		r = lock;
		goto out;
	}
	sock = connect_or_launch(&st, params->init_path, ret->key, p, &created, err);
	if (sock < 0) {
		r = sock;
		goto out;
	}
	r = jail_join(sock, &joined, err);
	/* Counted in (or not): the next login of this user may go ahead. The
	 * registry fds go too: nothing of the host stays open once we are in
	 * the jail (only the socket, which is not a path or a namespace). */
	jail_closep(&lock);
	jail_state_close(&st);
	if (r < 0)
		goto out;
	memcpy(ret->id, joined.id, sizeof(ret->id));
	ret->init_pidfd = joined.init_pidfd;
	ret->ns_flags = joined.ns_flags;
	ret->init_pid = joined.init_pid;
	ret->sessions = joined.sessions;
	ret->created = created;
	ret->conn = steal_fd(&sock);
	r = 0;
out:
	jail_state_close(&st);
	return r;
}

int jail_session_enter(struct jail_session *s, struct jail_error *err)
{
	int r;

	if (s->init_pidfd < 0)
		return jail_error_set(err, EBADF, "no jail to enter");
	r = jail_setns(s->init_pidfd, s->ns_flags, err);
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
