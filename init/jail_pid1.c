/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The jail's PID 1: builds the jail from the inside (it is the first process
 * of the new namespaces), reports to the keeper, then only reaps orphans.
 *
 * A PID namespace needs an init of its own (DESIGN.md fact 3: a session
 * process's first child as PID 1 breaks later modules and multiplexed
 * sessions). The kernel kills every process of the namespace when PID 1
 * dies, which is how the keeper ends a jail.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "jail_init.h"
#include "poll_now.h"

static void report(int fd, const char *msg)
{
	ssize_t n;

	do
		n = write(fd, msg, strlen(msg));
	while (n < 0 && errno == EINTR);
}

static void __attribute__((noreturn)) fail(int report_fd, const struct jail_error *e)
{
	char msg[JAIL_MSG_MAX];

	snprintf(msg, sizeof(msg), "ERR %s", e->message[0] ? e->message : "unknown error");
	report(report_fd, msg);
	_exit(1);
}

/* Everything but reaping is done: keep no privilege a compromise of this
 * process could use (it never execs, so the bounding set is moot). */
static int drop_privileges(struct jail_error *err)
{
	cap_t none = cap_init();
	int r;

	if (!none)
		return jail_error_set(err, errno, "cap_init: %s", strerror(errno));
	r = cap_set_proc(none);
	cap_free(none);
	if (r < 0)
		return jail_error_set(err, errno, "dropping capabilities: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return jail_error_set(err, errno, "no_new_privs: %s", strerror(errno));
	return 0;
}

static void __attribute__((noreturn)) reap_forever(void)
{
	sigset_t all;

	/* Every signal blocked: the kernel already refuses signals from inside
	 * the namespace to its init unless handled; SIGKILL from the keeper
	 * (an ancestor namespace) still ends us. SIGCHLD is blocked, so it is
	 * queued and sigwaitinfo() sees it. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (;;) {
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		sigset_t chld;
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigwaitinfo(&chld, NULL);
	}
}

void jail_pid1_run(const struct jail_policy *p, const char *id, int report_fd, int keeper_pidfd,
		   int userns_fd, const int *records, int log_fd)
{
	struct jail_error e = { 0 };
	int gone;

	/* If the keeper dies the jail must die with it: nobody would be left
	 * to end it or clean the registry (fail closed). Armed first, then
	 * checked, as the keeper may have died before it was armed. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		jail_error_set(&e, errno, "PR_SET_PDEATHSIG: %s", strerror(errno));
		fail(report_fd, &e);
	}
	gone = jail_poll_now(keeper_pidfd);
	if (gone > 0) /* nobody left to report to */
		_exit(1);
	if (gone < 0) {
		jail_error_set(&e, -gone, "watching the keeper: %s", strerror(-gone));
		fail(report_fd, &e);
	}
	close(keeper_pidfd);
	umask(022);

	if (jail_root_build(p, id, records, log_fd, &e) < 0)
		fail(report_fd, &e);
	/* Bound now; the fds name files in the host's state dir. */
	for (int i = 0; i < JAIL_RECORDS_N; i++)
		if (records[i] >= 0)
			close(records[i]);
	if (log_fd >= 0)
		close(log_fd); /* bound; the keeper reads its own copy */
	if (userns_fd >= 0) {
		if (jail_userns_publish(userns_fd, &e) < 0)
			fail(report_fd, &e);
		close(userns_fd); /* PID 1 stays out of it (DESIGN.md fact 8) */
	}
	if ((p->namespaces & JAIL_NS_UTS) && p->hostname &&
	    sethostname(p->hostname, strlen(p->hostname)) < 0) {
		jail_error_set(&e, errno, "sethostname '%s': %s", p->hostname, strerror(errno));
		fail(report_fd, &e);
	}
	if ((p->namespaces & JAIL_NS_NET) && p->net.mode != JAIL_NET_HOST && jail_net_lo_up(&e) < 0)
		fail(report_fd, &e);
	if (drop_privileges(&e) < 0)
		fail(report_fd, &e);
	report(report_fd, "READY");
	/* stdin/out/err are the host's /dev/null, report_fd is the keeper's
	 * pipe: no fd of the host stays in the jail. */
	close_range(0, ~0U, 0);
	reap_forever();
}
