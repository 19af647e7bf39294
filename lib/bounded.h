/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Blocking calls with a deadline, for the waits of a login on something
 * another process holds: a keeper's control socket and a registry lock.
 *
 * Without one, a keeper that no longer accepts (its listen backlog full
 * while it cannot accept4: EMFILE, or SIGSTOPped) made connect() block
 * forever, under the key's flock, which has no timeout either: every
 * later login of that user hung for good (issue 17, item 3).
 *
 * Each returns 0, -ETIMEDOUT when the deadline passed, or another negative
 * errno. A signal does not cut a wait short (EINTR is retried).
 */
#ifndef PAM_JAIL_BOUNDED_H
#define PAM_JAIL_BOUNDED_H

#include <sys/un.h>

/* flock(fd, LOCK_EX), giving up after timeout_ms. */
int jail_flock_bounded(int fd, int timeout_ms);

/* connect() of a blocking AF_UNIX socket, giving up after timeout_ms; the
 * socket is blocking again afterwards. A full backlog makes a non-blocking
 * AF_UNIX connect fail with EAGAIN (there is no EINPROGRESS for unix
 * sockets), so it is retried until the deadline. */
int jail_connect_bounded(int sock, const struct sockaddr_un *sa, int timeout_ms);

/* Every send on `sock` fails (EAGAIN) instead of blocking for longer than
 * timeout_ms (SO_SNDTIMEO): a peer that does not read fills the queue. */
int jail_send_timeout_set(int sock, int timeout_ms);

#endif
