/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * X11 display passthrough into a jail, PAM-free (see docs/jailsh.1, X11).
 *
 * A local display (DISPLAY=:N) is reached through the path socket
 * /tmp/.X11-unix/XN; a jail has its own /tmp and its own network namespace
 * (so the abstract socket is out of reach too). The module, as root, binds
 * the host's socket into the jail's /tmp/.X11-unix/XN:
 *
 *   before setns (host mount namespace):
 *     jail_x11_clone_socket()  - checks /tmp, /tmp/.X11-unix and XN by fd
 *                                and makes a detached bind mount of XN;
 *   after setns (jail mount namespace):
 *     jail_x11_attach_socket() - attaches it at /tmp/.X11-unix/XN.
 *
 * The cookie: from PAM_XAUTHDATA, or the matching entry of the user's own
 * host ~/.Xauthority, read by a child that runs as the user (the file is the
 * user's: root never opens it). The module hands it to jailsh in the PAM
 * environment variable JAIL_X11_ENV ("<N> <name> <hex data>"); jailsh writes
 * it into the jail's $HOME/.Xauthority and exports DISPLAY and XAUTHORITY.
 * The cookie never grants more than the user already had: it is theirs.
 *
 * The .Xauthority format is read and written here (five length-prefixed
 * fields per entry) so that no X library is loaded into sshd's monitor.
 */
#ifndef PAM_JAIL_X11_H
#define PAM_JAIL_X11_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util.h"

#define JAIL_X11_ENV	     "PAM_JAIL_X11"
#define JAIL_X11_SOCKET_DIR  "/tmp/.X11-unix"
#define JAIL_X11_MAX_DISPLAY 65535u
#define JAIL_XAUTH_MAX_SIZE  (1024 * 1024) /* a bigger .Xauthority is refused */

/* Xauthority address families (Xauth.h). */
#define JAIL_XAUTH_FAMILY_LOCAL 256u
#define JAIL_XAUTH_FAMILY_WILD	65535u

struct jail_x11_cookie {
	char name[64]; /* "MIT-MAGIC-COOKIE-1" */
	size_t name_len;
	unsigned char data[256];
	size_t data_len;
};

/* ":N", ":N.S", "unix:N", "unix:N.S" -> N. A display with a host part
 * ("localhost:10.0", ssh -X) is not local: -EINVAL. */
int jail_x11_local_display(const char *display, unsigned *ret_number);

/* Find the cookie for local display `number` on host `hostname` in an
 * .Xauthority image: a FamilyLocal entry for `hostname` or a FamilyWild one,
 * as Xlib would pick it. -ENOENT when none, -EINVAL on a malformed file. */
int jail_xauth_find(const unsigned char *buf, size_t len, const char *hostname, unsigned number,
		    struct jail_x11_cookie *ret);

/* Replace (or add) the FamilyLocal entry for (`hostname`, `number`) in an
 * .Xauthority image; the other entries are kept. *ret_buf is malloc()ed. */
int jail_xauth_set(const unsigned char *buf, size_t len, const char *hostname, unsigned number,
		   const struct jail_x11_cookie *cookie, unsigned char **ret_buf, size_t *ret_len);

/* The JAIL_X11_ENV value: "<number> <name> <lowercase hex data>". */
int jail_x11_env_format(unsigned number, const struct jail_x11_cookie *cookie, char **ret);
int jail_x11_env_parse(const char *value, unsigned *ret_number, struct jail_x11_cookie *ret);

/*
 * Read the user's host .Xauthority (`home`/.Xauthority) as the user: a child
 * process drops to (uid, gid) with no supplementary groups and opens the file
 * with O_NOFOLLOW on every component, so the kernel applies the user's own
 * permissions and no symlink is followed. Returns -ENOENT if there is none.
 * Must be called by root (or by `uid` itself).
 */
int jail_x11_read_user_xauthority(const char *home, uid_t uid, gid_t gid, unsigned char **ret_buf,
				  size_t *ret_len, struct jail_error *err);

/*
 * In the host mount namespace, as root: open JAIL_X11_SOCKET_DIR/X<number>
 * by fd. /tmp and /tmp/.X11-unix must be root-owned directories that are
 * sticky if writable by others; X<number> must be a socket owned by
 * `user_uid`, or by root if `root_ok` (the PAM application named the
 * display and handed over its cookie: a display manager's own server). A
 * display of another user is never handed out, nor a root-owned one on
 * the word of anything the user controls. Returns a detached clone of it
 * (open_tree(OPEN_TREE_CLONE)) and its stat.
 */
int jail_x11_clone_socket(unsigned number, uid_t user_uid, bool root_ok, int *ret_tree_fd,
			  struct stat *ret_sock_st, struct jail_error *err);

/*
 * In the jail's mount namespace, as root: make JAIL_X11_SOCKET_DIR (root,
 * 1777) if missing, refuse it if it is anything else, and attach `tree_fd`
 * on X<number> (created empty if missing). An X<number> that already is the
 * same socket (an earlier session bound it) is success; a user's own socket
 * or a non-regular file there is refused. A bind of an earlier server at
 * X<number> (the display was restarted) is replaced.
 */
int jail_x11_attach_socket(int tree_fd, const struct stat *sock_st, unsigned number,
			   struct jail_error *err);

#endif
