/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The module's side of the X11 passthrough (lib/x11.h, docs/jailsh.1):
 *
 *   pam_jail_x11_prepare()  before joining, in the host namespaces: find the
 *                           local display and the user's cookie, clone the
 *                           display socket;
 *   pam_jail_x11_finish()   after joining, in the jail: attach the socket,
 *                           hand the cookie to jailsh (PAM environment).
 *
 * X11 is a convenience, not part of the jail's walls: a display that cannot
 * be passed is logged (LOG_WARNING) and the session goes on without it.
 */
#ifndef PAM_JAIL_PAM_X11_H
#define PAM_JAIL_PAM_X11_H

#include <stdbool.h>
#include <sys/stat.h>

#include <security/pam_modules.h>

#include "policy.h"
#include "x11.h"

struct pam_jail_x11 {
	bool active; /* a socket was cloned and a cookie found */
	unsigned number;
	int tree_fd;
	struct stat sock_st;
	struct jail_x11_cookie cookie;
};
#define PAM_JAIL_X11_INIT                                                                          \
	{                                                                                          \
		.tree_fd = -1                                                                      \
	}

void pam_jail_x11_prepare(pam_handle_t *pamh, const struct jail_policy *p, struct pam_jail_x11 *x);
void pam_jail_x11_finish(pam_handle_t *pamh, const struct jail_policy *p, struct pam_jail_x11 *x);
/* Release what prepare took (safe after finish, and if prepare did nothing). */
void pam_jail_x11_release(struct pam_jail_x11 *x);

#endif
