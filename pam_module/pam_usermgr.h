/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one PAM session pam_jail declines for a jailed user instead of
 * jailing it: systemd's per-user service manager (user@UID.service, whose
 * PAM service is "systemd-user"; docs/pam_jail.8, USER MANAGER).
 *
 * Why it cannot be jailed: systemd opens that session in the very process
 * that then execs "systemd --user", and a process never enters a PID
 * namespace itself (setns only moves its future children). So the manager
 * would sit in the jail's mount namespace but outside its PID namespace,
 * where the jail's /proc has no /proc/self: systemd's own exec path fails
 * to check the binary through /proc/self/fd (203/EXEC), and the manager
 * could not find its cgroup either. Its services would also run in
 * user@UID.service's cgroup, outside the jail's limits. Running it
 * unjailed instead would hand the user a host-side service manager
 * (systemd-run --user). So it is refused: one log line, no jail touched.
 */
#ifndef PAM_JAIL_PAM_USERMGR_H
#define PAM_JAIL_PAM_USERMGR_H

#include <stdbool.h>

#include <security/pam_modules.h>

/* The PAM service systemd's user@.service opens (PAMName=systemd-user);
 * pam_systemd tells a user manager from a login by the same name. */
#define PAM_JAIL_USER_MANAGER_SERVICE "systemd-user"

/* Is this PAM handle the session of systemd's user manager? */
bool pam_jail_is_user_manager(pam_handle_t *pamh);

#endif
