/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DISPLAY and the X cookie inside the jail (lib/x11.h has the whole story).
 *
 *  - profile x11 off: no DISPLAY, no XAUTHORITY.
 *  - ssh -X/-Y: sshd set DISPLAY=localhost:N.0 and its xauth already wrote
 *    the cookie to ~/.Xauthority in the jail: DISPLAY is kept as is and
 *    XAUTHORITY stays unset (the default file is the right one).
 *  - a local display the module bound into the jail: the module passed
 *    "<N> <name> <hex>" in JAIL_X11_ENV; jailsh writes that cookie into
 *    $HOME/.Xauthority (for this jail's host name, as Xlib looks it up) and
 *    exports DISPLAY=:N and XAUTHORITY.
 * A caller's XAUTHORITY names a host file: it is never passed on.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "jailsh.h"
#include "safepath.h"
#include "x11.h"

void jailsh_x11_clear(struct jailsh_x11 *x)
{
	free(x->display);
	free(x->xauthority);
	x->display = x->xauthority = NULL;
}

static bool socket_in_jail(unsigned number)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/X%u", JAIL_X11_SOCKET_DIR, number);
	return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* Read ~/.Xauthority if there is one (ours, a regular file). */
static int read_xauthority(int home, unsigned char **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ unsigned char *buf = NULL;
	struct stat st;
	size_t len = 0;

	*ret_buf = NULL;
	*ret_len = 0;
	fd = openat(home, ".Xauthority", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != getuid())
		return -EPERM;
	if (st.st_size > JAIL_XAUTH_MAX_SIZE)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (len <= (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > (size_t)st.st_size)
		return -EAGAIN; /* grew while we read it */
	*ret_buf = steal_pointer(&buf);
	*ret_len = len;
	return 0;
}

/* Replace ~/.Xauthority atomically (a new file renamed over the old one),
 * so an X client never sees half a file. */
static int write_cookie(const struct jail_marker *m, unsigned number,
			const struct jail_x11_cookie *cookie)
{
	_cleanup_free_ unsigned char *old = NULL, *new = NULL;
	_cleanup_close_ int home = -1, fd = -1;
	char host[HOST_NAME_MAX + 1], tmp[64];
	size_t old_len = 0, new_len = 0, off = 0;
	int r;

	home = jail_safe_open(m->home, O_PATH | O_DIRECTORY, 0, 0, NULL, NULL);
	if (home < 0)
		return home;
	if (gethostname(host, sizeof(host)) < 0)
		return -errno;
	host[sizeof(host) - 1] = '\0';
	r = read_xauthority(home, &old, &old_len);
	if (r < 0)
		return r;
	r = jail_xauth_set(old, old_len, host, number, cookie, &new, &new_len);
	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), ".Xauthority.jailsh-%ld", (long)getpid());
	(void)unlinkat(home, tmp, 0);
	fd = openat(home, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (off < new_len) {
		ssize_t n = write(fd, new + off, new_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			(void)unlinkat(home, tmp, 0);
			return r;
		}
		off += (size_t)n;
	}
	if (renameat(home, tmp, home, ".Xauthority") < 0) {
		r = -errno;
		(void)unlinkat(home, tmp, 0);
		return r;
	}
	return 0;
}

void jailsh_setup_x11(const struct jail_marker *m, struct jailsh_x11 *ret)
{
	const char *incoming = getenv("DISPLAY");
	const char *passed = getenv(JAIL_X11_ENV);
	struct jail_x11_cookie cookie;
	unsigned number = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!m->x11)
		return;

	/* ssh -X: sshd's own forwarding inside the jail's network namespace. */
	if (incoming && *incoming && jail_x11_local_display(incoming, &number) < 0) {
		ret->display = strdup(incoming);
		return;
	}

	if (passed && *passed) {
		if (jail_x11_env_parse(passed, &number, &cookie) < 0) {
			jailsh_note("X11: ignoring a malformed %s", JAIL_X11_ENV);
		} else if (!socket_in_jail(number)) {
			jailsh_note("X11: display :%u is not available in this jail", number);
		} else {
			r = write_cookie(m, number, &cookie);
			if (r < 0)
				jailsh_note("X11: cannot write the cookie to %s/.Xauthority: %s",
					    m->home, strerror(-r));
			if (asprintf(&ret->display, ":%u", number) < 0)
				ret->display = NULL;
			if (r == 0 && asprintf(&ret->xauthority, "%s/.Xauthority", m->home) < 0)
				ret->xauthority = NULL;
		}
		return;
	}

	/* A local DISPLAY without a cookie from the module: keep it only if
	 * its socket is really here (the server may admit the user by uid). */
	if (incoming && *incoming && socket_in_jail(number))
		ret->display = strdup(incoming);
}
