/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client side of the keeper protocol (jail_proto.h): the registry (state
 * dir, per-key locks, entries), launching a keeper, the requests, and
 * joining a jail. Used by the module (through session.h) and by jailctl.
 *
 * Everything is done by fd relative to the state dir, which is opened once
 * and checked (root-owned, 0700, no symlink on its path).
 */
#ifndef PAM_JAIL_CLIENT_H
#define PAM_JAIL_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "jail_proto.h"
#include "policy.h"
#include "policy_digest.h"
#include "util.h"

struct jail_state {
	int dir_fd;   /* the state dir itself */
	int locks_fd; /* JAIL_STATE_LOCKS */
	int jails_fd; /* JAIL_STATE_JAILS */
};
#define JAIL_STATE_INIT                                                                            \
	{                                                                                          \
		.dir_fd = -1, .locks_fd = -1, .jails_fd = -1                                       \
	}

/*
 * Open the state dir `path` (NULL: JAIL_STATE_DIR). With `create`, a missing
 * dir (and its locks/ and jails/ subdirs) is made root-owned 0700. The dir
 * must be a real directory (no symlink anywhere on its path), owned by root,
 * with no group/other access; else refused with a message naming it.
 */
int jail_state_open(const char *path, bool create, struct jail_state *ret, struct jail_error *err);
void jail_state_close(struct jail_state *st);

/* The registry key of a policy: "u<uid>" or, for lifetime=session, a fresh
 * "u<uid>-s<16 hex>". */
int jail_key_for_policy(const struct jail_policy *p, char *buf, size_t cap);

/* A registry key as jail_key_for_policy makes them (nothing else is accepted). */
bool jail_key_is_valid(const char *key);

/* Take the per-key lock (flock on locks/<key>.lock, waiting at most
 * JAIL_LOCK_TIMEOUT_MS: -ETIMEDOUT). Returns the lock fd (O_CLOEXEC;
 * closing it releases the lock). */
int jail_lock_key(const struct jail_state *st, const char *key, struct jail_error *err);

/* Remove locks/<key>.lock (call while holding it, only for a key nobody
 * will use again: a per-session key). */
void jail_lock_remove(const struct jail_state *st, const char *key);

/*
 * Connect to jails/<key>/control. Returns the connected socket, or:
 *   -ENOENT        no entry for the key (no jail);
 *   -ECONNREFUSED  an entry whose keeper does not listen (stale);
 *   -ETIMEDOUT    a keeper that accepts no connection within
 *                 JAIL_CONNECT_TIMEOUT_MS (its backlog full: it is stuck).
 * The socket's sends time out after JAIL_REPLY_TIMEOUT_MS (-EAGAIN), its
 * replies are waited for as long.
 */
int jail_connect(const struct jail_state *st, const char *key, struct jail_error *err);

/* What <key>/info says. */
struct jail_info {
	char id[JAIL_ID_HEX_LEN + 1];
	char key[JAIL_KEY_MAX];
	char user[256];
	char profile[256];
	char lifetime[16];
	uid_t uid;
	pid_t init_pid, keeper_pid;
	uint64_t init_start, keeper_start; /* field 22 of /proc/PID/stat */
	int64_t created;		   /* unix time */
};

int jail_info_read(const struct jail_state *st, const char *key, struct jail_info *ret,
		   struct jail_error *err);

/* Every key in the registry (NULL-terminated, free with jail_strv_free). */
int jail_list_keys(const struct jail_state *st, char ***ret_keys, struct jail_error *err);

/*
 * Remove a stale entry (call with the key's lock held). Leftover processes
 * named in `info` are killed only through a pidfd whose process has the
 * recorded start time, never by a bare PID.
 */
int jail_remove_stale(const struct jail_state *st, const char *key, struct jail_error *err);

/* Start time (field 22 of /proc/PID/stat) of a process. */
int jail_proc_start_time(pid_t pid, uint64_t *ret);

struct jail_launch_result {
	char id[JAIL_ID_HEX_LEN + 1];
	pid_t init_pid, keeper_pid;
};

/*
 * Start a keeper for `key` (call with the key's lock held, after making sure
 * no entry exists): fork, fork again, close every fd but the socketpair end,
 * exec `init_path` with an empty environment (DESIGN.md fact 11); hand it
 * the state dir and the policy; wait for READY. On "ERR ..." the keeper's
 * text is the error message.
 */
int jail_launch(const struct jail_state *st, const char *init_path, const char *key,
		const struct jail_policy *p, struct jail_launch_result *ret,
		struct jail_error *err);

/* A JOIN/ENTER reply. */
struct jail_join_result {
	char id[JAIL_ID_HEX_LEN + 1];
	char profile[256];
	pid_t init_pid;
	unsigned sessions;
	unsigned long ns_flags; /* CLONE_NEW* flags of the jail: what to setns() */
	int init_pidfd;		/* pidfd of jail PID 1; the caller closes it */
	/* the digest of the jail's policy ("": the keeper did not say) */
	char policy[JAIL_POLICY_DIGEST_HEX];
};

/* "JOIN": the connection now stands for a session of the calling process
 * (the process that connected: the keeper takes its pidfd from the socket).
 * `policy_digest` is the digest of the policy resolved for this login; a
 * jail built from another one refuses with -ESTALE and ret->policy set to
 * its own digest. A jail that is ending for good refuses with -ESHUTDOWN. */
int jail_join(int sock, const char *policy_digest, struct jail_join_result *ret,
	      struct jail_error *err);

/* "ENTER": the same answer, without counting a session (jailctl enter). */
int jail_enter(int sock, struct jail_join_result *ret, struct jail_error *err);

/* "CLOSE": the session on this connection ends; *ret_sessions = left. */
int jail_close(int sock, unsigned *ret_sessions, struct jail_error *err);

/* "STATUS": the raw "OK ..." reply (key=value words, see jail_proto.h). */
int jail_status(int sock, char *reply, size_t cap, struct jail_error *err);

/* "STOP": returns once the jail has ended and its entry is gone. */
int jail_stop(int sock, struct jail_error *err);

/*
 * Move the calling process into the jail of `init_pidfd`: one setns() with
 * `ns_flags` (never CLONE_NEWUSER: DESIGN.md fact 8), then chdir("/").
 * Refuses a multithreaded caller (fact 9). CLONE_NEWTIME switches the
 * caller's own clocks too: a session leaves it out (lib/timens.h).
 */
int jail_setns(int init_pidfd, unsigned long ns_flags, struct jail_error *err);

/* Number of threads of the calling process (from /proc/self/status). */
int jail_thread_count(void);

#endif
