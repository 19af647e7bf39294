/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers every part of pam_jail uses: scope-bound cleanup, ownership
 * transfer and the error record that library code fills instead of logging.
 *
 * Conventions (see docs/HACKING.md):
 *  - library functions return 0 (or a non-negative value) on success and a
 *    negative errno on failure; they never print, log or exit;
 *  - where a caller needs to say *why* (a log line, a `file:line:` message),
 *    the function takes a `struct jail_error *` and fills it;
 *  - output parameters are named ret_*; every fd is opened O_CLOEXEC.
 */
#ifndef PAM_JAIL_UTIL_H
#define PAM_JAIL_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#define JAIL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Scope cleanup, as in systemd and bubblewrap: the variable is released when
 * it goes out of scope, so early returns cannot leak. */
static inline void jail_freep(void *p)
{
	free(*(void **)p);
}

static inline void jail_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

#define _cleanup_free_	__attribute__((cleanup(jail_freep)))
#define _cleanup_close_ __attribute__((cleanup(jail_closep)))

/* Hand ownership out of a cleanup-scoped variable. */
static inline void *jail_steal_ptr(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}
#define steal_pointer(pp) ((__typeof__(*(pp)))jail_steal_ptr(pp))

static inline int steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

/* Write a small buffer with one write(2), asked again after EINTR: a
 * signal is no reason to refuse a login. 0, or -errno (-EIO for a short
 * write: the files written this way are new and small, so a short write
 * means something is wrong). */
static inline int jail_write_once(int fd, const void *buf, size_t len)
{
	ssize_t w;

	do
		w = write(fd, buf, len);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	return (size_t)w == len ? 0 : -EIO;
}

/* Why something failed, in words a log line or `jailctl` can print as is.
 * `file` and `line` are set when the cause is a place in a policy file. */
struct jail_error {
	int code;	   /* positive errno-style code, 0 when unset */
	char file[256];	   /* "" when not about a file */
	int line;	   /* 0 when unknown */
	char message[512]; /* without trailing newline */
};

/* Record an error and return -code, so callers can write
 *   return jail_error_set(err, EINVAL, "bad size '%s'", s);
 * `err` may be NULL. */
int jail_error_set(struct jail_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same, with a file and line (line 0: the file as a whole). */
int jail_error_set_at(struct jail_error *err, int code, const char *file, int line, const char *fmt,
		      ...) __attribute__((format(printf, 5, 6)));

/* Copy an error (for bubbling a callee's error up unchanged). */
void jail_error_copy(struct jail_error *dst, const struct jail_error *src);

#endif
