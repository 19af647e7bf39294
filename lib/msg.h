/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One message, with file descriptors, over a SOCK_SEQPACKET socket: the
 * transport of the keeper protocol (jail_proto.h).
 */
#ifndef PAM_JAIL_MSG_H
#define PAM_JAIL_MSG_H

#include <stddef.h>
#include <sys/types.h>

#define JAIL_MSG_MAX_FDS 4

/* Send `len` bytes and `n_fds` fds (may be 0) as one message. Retries on
 * EINTR. Returns 0 or a negative errno. */
int jail_msg_send(int sock, const void *buf, size_t len, const int *fds, size_t n_fds);

/* Send a NUL-terminated string (without the NUL) and optional fds. */
int jail_msg_send_str(int sock, const char *s, const int *fds, size_t n_fds);

/*
 * Receive one message into `buf` (size `cap`; the message is NUL-terminated,
 * so at most cap-1 bytes) and up to `max_fds` fds into `ret_fds` (received
 * fds are O_CLOEXEC; unused slots are set to -1; surplus fds and a truncated
 * message are an error, with every received fd closed). Returns the message
 * length, 0 on orderly EOF, or a negative errno. `ret_n_fds` may be NULL when
 * max_fds is 0.
 */
ssize_t jail_msg_recv(int sock, char *buf, size_t cap, int *ret_fds, size_t max_fds,
		      size_t *ret_n_fds);

/* Find "key=" in a space-separated message; copy the value into `val`.
 * Returns 0, -ENOENT, or -ENAMETOOLONG when it does not fit. */
int jail_msg_get(const char *msg, const char *key, char *val, size_t cap);

/* "key=<decimal>" of a message as a number; -EPROTO when absent or not a
 * whole decimal number. */
int jail_msg_get_num(const char *msg, const char *key, long long *ret);

/* Wait up to `timeout_ms` for `sock` to be readable (EINTR does not restart
 * the wait from the beginning). 0, -ETIMEDOUT or a negative errno. */
int jail_msg_wait_readable(int sock, int timeout_ms);

#endif
