/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A jail's logins in the host's utmp, wtmp and lastlog (keeper_utmp.c).
 *
 * sshd's monitor writes a jailed pty session's records from inside the
 * jail (DESIGN.md facts 2 and 7), where the host's files are out of reach.
 * So the keeper makes the jail files of its own, in a root-owned 0700
 * directory of the state dir:
 *     <state>/records/<jail id>/{utmp,wtmp,lastlog}   root 0644
 * which the jail's PID 1 binds at /run/utmp (and /var/run/utmp where that
 * is a directory of its own), /var/log/wtmp and /var/log/lastlog
 * (jail_root_build). The jail's user reads them (their own sessions only)
 * and cannot write them: they are root's, and the user is never root in
 * a jail (empty bounding set, no_new_privs).
 *
 * The keeper watches them (inotify, in its poll loop) and copies each new
 * login and logout to the host's own files, as root, in the host's mount
 * namespace, after init/host/utmp_record.h's filter: only USER_PROCESS and
 * DEAD_PROCESS, only the jail's own user (anything else is dropped and
 * logged), the line made the jail's ("j<id5>/pts/0"), the jail's id in
 * the remote host field. When the jail ends, every login of it still
 * open on the host gets its logout (a SIGKILLed sshd writes none), so
 * `who` shows no ghosts.
 *
 * The hook in the keeper:
 *   keeper_utmp_setup(&u, state_fd, p, id)    before the jail is made
 *   keeper_utmp_jail_fds(&u)                  the fds PID 1 binds (N of them)
 *   keeper_utmp_jail_built(&u)                and closes here, once it has
 *   n += keeper_utmp_pollfds(&u, pfds + n)    before poll()
 *   timeout = keeper_utmp_timeout(&u, timeout)
 *   keeper_utmp_handle(&u, pfds + at, n)      after poll() (n = 0 on a timeout)
 *   keeper_utmp_end(&u)                       when the jail has ended
 */
#ifndef PAM_JAIL_KEEPER_UTMP_H
#define PAM_JAIL_KEEPER_UTMP_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <utmp.h>
#include <utmpx.h>

#include "jail_init.h"
#include "policy.h"

#define KEEPER_UTMP_DIR	     "records"
#define KEEPER_UTMP_MAX_FDS  1
#define KEEPER_UTMP_SLOTS    256  /* utmp records of one jail looked at */
#define KEEPER_UTMP_SESSIONS 256  /* its logins tracked at once */
#define KEEPER_UTMP_LOOK_MS  1000 /* without inotify: how often the files are read */

/* The host's own files. Constants: tests run the keeper in a mount
 * namespace where these paths are their own files (tests/e2e/lib-sshd.sh). */
#define KEEPER_HOST_UTMP    "/var/run/utmp" /* glibc's _PATH_UTMPX */
#define KEEPER_HOST_WTMP    "/var/log/wtmp"
#define KEEPER_HOST_LASTLOG "/var/log/lastlog"

/* One login of the jail as the host knows it. */
struct keeper_utmp_session {
	char jail_id[4];	       /* the jail's ut_id */
	char jail_line[__UT_LINESIZE]; /* the jail's ut_line */
	char host_id[4];	       /* the host's ut_id (free when chosen) */
	char host_line[__UT_LINESIZE]; /* the host's ut_line */
	pid_t pid;		       /* ut_pid of the login */
	bool used, live;	       /* live: USER_PROCESS on the host */
};

struct keeper_utmp {
	bool on;
	const struct jail_policy *p;
	const char *id;
	int dir_fd;		     /* <state>/records/<id> */
	int parent_fd;		     /* <state>/records */
	int fd[JAIL_RECORDS_N];	     /* the jail's files, read-only */
	int jail_fd[JAIL_RECORDS_N]; /* detached mounts of them, for PID 1 */
	int inotify_fd;		     /* -1: no instance left, read on a timer */
	int64_t next_look_ms;	     /* then: when (monotonic) */
	struct utmpx *seen;	     /* the jail's utmp as last read */
	size_t n_seen;
	off_t wtmp_off; /* read up to here */
	struct lastlog lastlog_seen;
	struct keeper_utmp_session sessions[KEEPER_UTMP_SESSIONS];
	bool said_no_utmp, said_foreign_lastlog, said_full;
};

/* Make the jail's files. Fails closed: a jail whose logins would not be
 * seen on the host is not made (the admin's `who` must not lie). */
int keeper_utmp_setup(struct keeper_utmp *u, int state_fd, const struct jail_policy *p,
		      const char *id, struct jail_error *err);

/* The JAIL_RECORDS_N fds PID 1 binds into the jail (detached mounts). */
const int *keeper_utmp_jail_fds(const struct keeper_utmp *u);

/* The jail is built (or failed to be): close those. */
void keeper_utmp_jail_built(struct keeper_utmp *u);

size_t keeper_utmp_pollfds(const struct keeper_utmp *u, struct pollfd *out);
int keeper_utmp_timeout(const struct keeper_utmp *u, int timeout);
void keeper_utmp_handle(struct keeper_utmp *u, const struct pollfd *pfds, size_t n);

/* The jail is gone: copy what is left, log out its open logins on the
 * host, remove the files. Safe to call more than once. */
void keeper_utmp_end(struct keeper_utmp *u);

#endif
