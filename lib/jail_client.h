/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client side of the keeper protocol (jail_proto.h): connecting to a
 * jail's control socket and its requests. Used by the module (session.c)
 * and by jailctl. The registry that names the socket is jail_registry.h,
 * starting a keeper jail_launch.h, joining the jail jail_setns.h.
 */
#ifndef PAM_JAIL_CLIENT_H
#define PAM_JAIL_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "jail_proto.h"
#include "jail_registry.h"
#include "policy_digest.h"
#include "util.h"

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

#endif
