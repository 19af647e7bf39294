/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The module's side of the X11 passthrough (see pam_x11.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "pam_x11.h"

/* The display the session is for: PAM_XDISPLAY only, which the PAM
 * application itself sets (a display manager, for the server it started
 * for this login). Never DISPLAY from the PAM environment (pam_env with
 * user_readenv copies the user's ~/.pam_environment there; Debian's sshd
 * stack has it) nor the application's own environment (su's and sudo's
 * are their caller's): with those, a user could name any session's
 * display (issue 17, item 4). ssh -X needs nothing from us: sshd's
 * listener is on the jail's own loopback (DESIGN.md fact 5). */
static const char *session_display(pam_handle_t *pamh, const struct jail_policy *p)
{
	const void *item = NULL;
	const char *env = pam_getenv(pamh, "DISPLAY");
	unsigned n;

	if (pam_get_item(pamh, PAM_XDISPLAY, &item) == PAM_SUCCESS && item && *(const char *)item)
		return item;
	if (!env || !*env)
		env = getenv("DISPLAY");
	/* Said once per login, so that an administrator who relied on
	 * `DISPLAY=:0 su - user` learns why the display stayed outside. */
	if (env && jail_x11_local_display(env, &n) == 0)
		pam_syslog(pamh, LOG_NOTICE,
			   "user=%s profile=%s: X11: DISPLAY=:%u of the environment is not "
			   "passed into the jail (only a display the PAM application names in "
			   "PAM_XDISPLAY is)",
			   p->user, p->profile, n);
	return NULL;
}

/* The cookie: PAM_XAUTHDATA when the application gave one (*ret_from_app
 * then says so), else the user's own host ~/.Xauthority, read by a child
 * running as the user. Never a file named by the caller's XAUTHORITY: that
 * is someone else's. */
static int session_cookie(pam_handle_t *pamh, const struct jail_policy *p, unsigned number,
			  struct jail_x11_cookie *ret, bool *ret_from_app)
{
	const void *item = NULL;
	unsigned char *buf = NULL;
	struct jail_error err = { 0 };
	char host[HOST_NAME_MAX + 1];
	size_t len = 0;
	int r;

	if (pam_get_item(pamh, PAM_XAUTHDATA, &item) == PAM_SUCCESS && item) {
		const struct pam_xauth_data *xd = item;
		if (xd->namelen > 0 && (size_t)xd->namelen < sizeof(ret->name) && xd->name &&
		    xd->datalen > 0 && (size_t)xd->datalen <= sizeof(ret->data) && xd->data) {
			memcpy(ret->name, xd->name, (size_t)xd->namelen);
			ret->name[xd->namelen] = '\0';
			ret->name_len = (size_t)xd->namelen;
			memcpy(ret->data, xd->data, (size_t)xd->datalen);
			ret->data_len = (size_t)xd->datalen;
			*ret_from_app = true;
			return 0;
		}
	}
	*ret_from_app = false;
	if (gethostname(host, sizeof(host)) < 0)
		return -errno;
	host[sizeof(host) - 1] = '\0';
	r = jail_x11_read_user_xauthority(p->home, p->uid, p->gid, &buf, &len, &err);
	if (r < 0) {
		if (r != -ENOENT)
			pam_syslog(pamh, LOG_WARNING, "user=%s: X11: %s", p->user, err.message);
		return r;
	}
	r = jail_xauth_find(buf, len, host, number, ret);
	free(buf);
	return r;
}

void pam_jail_x11_prepare(pam_handle_t *pamh, const struct jail_policy *p, struct pam_jail_x11 *x)
{
	struct jail_error err = { 0 };
	const char *display;
	bool cookie_from_app = false;
	int r;

	x->active = false;
	x->tree_fd = -1;
	if (!p->x11)
		return;
	display = session_display(pamh, p);
	if (!display || jail_x11_local_display(display, &x->number) < 0)
		return;
	/* Without the user's cookie the socket would be no use to them:
	 * nothing is bound then. */
	r = session_cookie(pamh, p, x->number, &x->cookie, &cookie_from_app);
	if (r < 0) {
		pam_syslog(pamh, LOG_WARNING,
			   "user=%s profile=%s: X11: no cookie for display :%u of this user "
			   "(%s); the display is not passed into the jail",
			   p->user, p->profile, x->number, strerror(-r));
		return;
	}
	/* A root-owned socket (a display manager's Xorg) only for the session
	 * that carries its cookie: the application named the display and
	 * vouched for it with PAM_XAUTHDATA. A cookie the user keeps in their
	 * own ~/.Xauthority proves nothing about whose display it is. */
	r = jail_x11_clone_socket(x->number, p->uid, cookie_from_app, &x->tree_fd, &x->sock_st,
				  &err);
	if (r < 0) {
		pam_syslog(pamh, LOG_WARNING,
			   "user=%s profile=%s: X11: display :%u is not passed into the jail: %s",
			   p->user, p->profile, x->number, err.message);
		return;
	}
	x->active = true;
}

void pam_jail_x11_finish(pam_handle_t *pamh, const struct jail_policy *p, struct pam_jail_x11 *x)
{
	struct jail_error err = { 0 };
	char *value = NULL, *entry = NULL;

	if (!x->active)
		return;
	if (jail_x11_attach_socket(x->tree_fd, &x->sock_st, x->number, &err) < 0) {
		pam_syslog(pamh, LOG_WARNING,
			   "user=%s profile=%s: X11: display :%u is not passed into the jail: %s",
			   p->user, p->profile, x->number, err.message);
		goto out;
	}
	if (jail_x11_env_format(x->number, &x->cookie, &value) < 0 ||
	    asprintf(&entry, "%s=%s", JAIL_X11_ENV, value) < 0) {
		entry = NULL;
		pam_syslog(pamh, LOG_WARNING, "user=%s: X11: out of memory", p->user);
		goto out;
	}
	if (pam_putenv(pamh, entry) != PAM_SUCCESS)
		pam_syslog(pamh, LOG_WARNING, "user=%s: X11: cannot set %s", p->user, JAIL_X11_ENV);
out:
	if (entry)
		explicit_bzero(entry, strlen(entry));
	if (value)
		explicit_bzero(value, strlen(value));
	free(entry);
	free(value);
	pam_jail_x11_release(x);
}

void pam_jail_x11_release(struct pam_jail_x11 *x)
{
	if (x->tree_fd >= 0)
		close(x->tree_fd);
	x->tree_fd = -1;
	x->active = false;
	explicit_bzero(&x->cookie, sizeof(x->cookie));
}
