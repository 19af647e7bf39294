/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Create-or-join: what pam_sm_open_session does with a resolved policy, as a
 * PAM-free function the tests can call too.
 *
 *   jail_session_open:  lock the key -> connect -> (stale: remove) ->
 *                       (none: launch a keeper) -> JOIN -> unlock
 *   jail_session_enter: setns into the jail -> chdir /
 *
 * Two steps so the caller can log while it still sees the host: after
 * setns the process is in the jail's mount namespace, where there is no
 * /dev/log; a syslog connection opened before (by that first log line)
 * keeps working inside.
 *
 * Afterwards the calling process is in the jail's namespaces (its children
 * in the jail's PID namespace) and holds exactly one fd of pam_jail: the
 * control connection (a socket, O_CLOEXEC), which stands for the session.
 */
#ifndef PAM_JAIL_SESSION_H
#define PAM_JAIL_SESSION_H

#include <stdbool.h>
#include <sys/types.h>

#include "jail_client.h"
#include "policy.h"
#include "util.h"

struct jail_session_params {
	const char *state_dir; /* NULL: JAIL_STATE_DIR */
	const char *init_path; /* NULL: JAIL_INIT_PATH */
	const struct jail_policy *policy;
};

struct jail_session {
	int conn; /* the control connection (-1: none) */
	char key[JAIL_KEY_MAX];
	char id[JAIL_ID_HEX_LEN + 1];
	pid_t init_pid;		/* in the host PID namespace */
	unsigned sessions;	/* sessions of the jail, this one included */
	bool created;		/* this call launched the jail */
	int init_pidfd;		/* until jail_session_enter: jail PID 1 */
	unsigned long ns_flags; /* until jail_session_enter: what to join */
	/* The digest of the policy resolved for this login (policy_digest.h);
	 * when jail_session_open fails with -ESTALE, the live jail's id and
	 * digest: it was built from another policy and is not joined. */
	char policy_new[JAIL_POLICY_DIGEST_HEX];
	char policy_old[JAIL_POLICY_DIGEST_HEX];
	/* Set when a keeper of the key was alive but did not answer in time
	 * and was killed with its jail (stale_keeper > 0, or -1 when its
	 * info could not be read; 0: none): for the caller's log line. */
	pid_t stale_keeper;
	char stale_id[JAIL_ID_HEX_LEN + 1];
	char stale_why[512];
};

/* On failure nothing is left behind: no entry, no process, no fd. A live
 * jail of the key built from another policy (or for another user name) is
 * never joined: -ESTALE, with ret->id and ret->policy_old naming it. On
 * success the session is counted by the keeper; the caller is still in its
 * own namespaces until jail_session_enter. */
int jail_session_open(const struct jail_session_params *params, struct jail_session *ret,
		      struct jail_error *err);

/* Move the calling process into the jail (one setns; a failed setns changes
 * nothing). On failure the caller should jail_session_close(). */
int jail_session_enter(struct jail_session *s, struct jail_error *err);

/* Send CLOSE (when the connection is open) and close it. *ret_left: sessions
 * the jail still has. Safe to call twice. */
int jail_session_close(struct jail_session *s, unsigned *ret_left, struct jail_error *err);

/* Close the connection without CLOSE (the keeper counts the session out
 * when the session process exits or the last copy of the fd is closed). */
void jail_session_drop(struct jail_session *s);

#endif
