/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The module's own connection to the host's syslog socket, for the lines it
 * logs from inside the jail (close_session).
 *
 * Why not just pam_syslog() there: the process's syslog connection is
 * glibc's, shared with the application, and sshd closes it after every line
 * it logs (openlog/syslog/closelog per message). The next line then
 * reconnects to /dev/log by path, in the jail's mount namespace, where there
 * is none: after a pty session, whose logout makes sshd log, pam_jail's
 * "session closed" line was lost (seen on a stock Debian 12 host).
 *
 * So open_session, still in the host's namespaces, connects a datagram
 * socket of its own to /dev/log (O_CLOEXEC, like glibc's) and keeps it with
 * the session; close_session writes through it what pam_syslog() would have
 * written. Jailed users get no /dev/log: the socket lives only in the
 * session process (and its forks before exec, as glibc's does).
 */
#ifndef PAM_JAIL_PAM_LOG_H
#define PAM_JAIL_PAM_LOG_H

#include <security/pam_modules.h>

/* A datagram socket connected to the host's /dev/log, or -errno (then the
 * lines go through pam_syslog, as before). */
int pam_jail_log_connect(void);

/* Log through `fd` as pam_syslog(pamh, priority, ...) would (facility
 * LOG_AUTHPRIV, "pam_jail(SERVICE:session): " before the text); through
 * pam_syslog when fd < 0 or the send fails. */
void pam_jail_log(pam_handle_t *pamh, int fd, int priority, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
