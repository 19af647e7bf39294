/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The jail's /dev/log, served by the keeper (keeper_syslog.c).
 *
 * Without it, whatever runs in the jail after the join logs into a void:
 * pam_unix's "session closed" from sshd's monitor, sshd's own lines after a
 * pty session, internal-sftp's per-file lines (`-l INFO`, the usual SFTP
 * audit). With it, each line reaches the host's log marked with who sent it:
 *   pam_jail(jail-log)[KEEPER]: user=U id=ID uid=UID pid=PID: TAG[N]: text
 * uid and pid are the kernel's (SCM_CREDENTIALS), not the sender's words;
 * a forged "sshd[1]: Accepted ..." from a jailed user reads as theirs.
 *
 * How the socket gets into the jail without a host path reaching it: the
 * keeper makes an unbound SOCK_DGRAM socket (SO_PASSCRED) before it clones
 * PID 1; PID 1 inherits it and binds it at "log" in the jail's fresh /dev
 * (jail_mounts.c), then closes its copy. The socket's only name is that
 * inode in the jail's own tmpfs, and the keeper reads from its copy.
 *
 * The keeper never blocks on it: the jail's socket and the host's are
 * non-blocking, a line the host's log cannot take now waits in a bounded
 * queue (KEEPER_SYSLOG_QUEUE lines, KEEPER_SYSLOG_QUEUE_BYTES), enough for
 * a burst to reach a slow syslog daemon, and is counted as lost when that
 * is full. The jail's senders are never held up by the host's log.
 * Rate-limited per jail and per kind of sender (root, everyone else), so
 * a flood by the user neither fills the host's log nor crowds out the
 * monitor's lines (syslog_line.h). `syslog.forward = false` turns it off:
 * no socket, no /dev/log in the jail.
 *
 * The hook in the keeper's poll loop, as keeper_watch.h's:
 *   n += keeper_syslog_pollfds(&s, pfds + n);            before poll()
 *   timeout = keeper_syslog_timeout(&s, timeout);
 *   keeper_syslog_handle(&s, pfds + first, n - first);   after poll()
 */
#ifndef PAM_JAIL_KEEPER_SYSLOG_H
#define PAM_JAIL_KEEPER_SYSLOG_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "syslog_line.h"

#define KEEPER_SYSLOG_MAX_FDS	  2
#define KEEPER_SYSLOG_QUEUE	  512 /* lines waiting for the host's log, at most */
#define KEEPER_SYSLOG_QUEUE_BYTES (128 * 1024)
#define KEEPER_SYSLOG_SUMMARY_MS  10000
#define KEEPER_SYSLOG_BURST_SEC	  10 /* the bucket holds this many seconds' worth */

struct keeper_syslog {
	int fd;	     /* the jail's /dev/log; -1: off */
	int host_fd; /* connected to the host's /dev/log; -1: not (yet) */
	int64_t next_connect_ms;
	const struct jail_policy *p;
	const char *id;
	struct jail_ratelimit rl[2];	  /* [0] root's lines, [1] everyone else's */
	uint64_t lost;			  /* lines the host's log did not take */
	char *queue[KEEPER_SYSLOG_QUEUE]; /* each malloc'd to its length */
	size_t queue_len[KEEPER_SYSLOG_QUEUE];
	size_t head, count, queued_bytes;
};

#define KEEPER_SYSLOG_INIT                                                                         \
	{                                                                                          \
		.fd = -1, .host_fd = -1                                                            \
	}

/* Make the socket PID 1 binds as the jail's /dev/log, if the policy wants
 * one (before PID 1 is cloned). Fails closed: a jail the policy gives a
 * /dev/log does not start without one. */
int keeper_syslog_open(struct keeper_syslog *ks, const struct jail_policy *p, const char *id,
		       struct jail_error *err);

/* The fd PID 1 binds (jail_root_build), or -1. */
int keeper_syslog_jail_fd(const struct keeper_syslog *ks);

size_t keeper_syslog_pollfds(const struct keeper_syslog *ks, struct pollfd *out);
int keeper_syslog_timeout(const struct keeper_syslog *ks, int timeout);
void keeper_syslog_handle(struct keeper_syslog *ks, const struct pollfd *pfds, size_t n);

/* The jail ends: forward what is queued in the socket, report what was
 * suppressed, close. Safe to call twice. */
void keeper_syslog_stop(struct keeper_syslog *ks);

#endif
