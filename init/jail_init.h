/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jail-init's internal interfaces: the keeper half (host namespaces) and the
 * jail PID 1 half (the jail's namespaces). See lib/jail_proto.h.
 */
#ifndef PAM_JAIL_INIT_H
#define PAM_JAIL_INIT_H

#include <stdint.h>
#include <sys/types.h>

#include "jail_proto.h"
#include "policy.h"
#include "util.h"

/* The jail's own login records, made by the keeper (keeper_utmp.h) and
 * bound into the jail by jail_root_build: an array of JAIL_RECORDS_N fds. */
enum jail_record_file { JAIL_RECORD_UTMP, JAIL_RECORD_WTMP, JAIL_RECORD_LASTLOG, JAIL_RECORDS_N };

/*
 * Build the jail's root in the calling process's (new) mount namespace and
 * pivot into it (jail_mounts.c). Afterwards nothing of the host filesystem is
 * reachable and no fd to it is open. `id` goes into the marker; `records`
 * (JAIL_RECORDS_N fds, -1 = none) are bound over the login record files;
 * `log_fd`, the keeper's unbound datagram socket or -1, is bound as the
 * jail's /dev/log (keeper_syslog.h). On failure `err` says which step
 * failed and why.
 */
int jail_root_build(const struct jail_policy *p, const char *id, const int *records, int log_fd,
		    struct jail_error *err);

/*
 * The host's name-service daemon sockets for the jail (jail_nss.c: which,
 * and the rule a socket must pass). jail_nss_open runs while the host is
 * reachable and clones each endpoint the host has (none when the policy's
 * nss_sockets is false); jail_nss_attach places them in the new root: in
 * its fresh /run (`run`, attached) and on fresh directories over SSSD's.
 */
struct jail_nss;
int jail_nss_open(const struct jail_policy *p, struct jail_nss **ret, struct jail_error *err);
int jail_nss_attach(struct jail_nss *n, int root, int run, struct jail_error *err);
void jail_nss_free(struct jail_nss *n);

/* Bring the loopback interface of the current network namespace up (net_lo.c). */
int jail_net_lo_up(struct jail_error *err);

/*
 * The jail PID 1 (jail_pid1.c), run in the child that clone() put into the new
 * namespaces. Reports "READY" or "ERR <why>" on `report_fd`, then reaps
 * orphans until the keeper kills it. `keeper_pidfd` is checked once after
 * PR_SET_PDEATHSIG is armed (the keeper may have died before). Never returns.
 */
void __attribute__((noreturn))
jail_pid1_run(const struct jail_policy *p, const char *id, int report_fd, int keeper_pidfd,
	      int userns_fd, const int *records, int log_fd);

/*
 * The jail's user namespace (userns.c). The keeper makes it, owned by
 * `uid`, mapping only `uid` and `gid` to themselves, setgroups denied and
 * nested user namespaces forbidden inside, and gets an fd of it (O_CLOEXEC).
 * PID 1 (`userns_fd` above, -1 without one) publishes it at JAIL_USERNS_PATH
 * for jailsh; neither ever enters it.
 */
int jail_userns_create(uid_t uid, gid_t gid, int *ret_fd, struct jail_error *err);
int jail_userns_publish(int userns_fd, struct jail_error *err);

/*
 * The keeper (keeper.c): given the state dir and the decoded policy from the
 * CREATE handshake on `sock`, create the registry entry and the jail, answer
 * READY/ERR on `sock`, then serve the control socket until the jail ends.
 * Returns the process exit status.
 */
int jail_keeper_run(int sock, int state_fd, const char *key, struct jail_policy *p);

#endif
