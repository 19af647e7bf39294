/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The keeper's limits, nice and cwd, reset at launch (see keeper_limits.h). */
#include <errno.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include "keeper_limits.h"

/* The values the kernel gives the first process of a boot (what a daemon
 * started by init would have), except where the keeper needs another:
 * RLIMIT_NOFILE (its connections), and fixed values where the kernel's
 * depend on the machine's memory (NPROC, SIGPENDING: the keeper runs as
 * root, which NPROC does not limit; SIGPENDING only needs to be far from
 * any value that would make a signal fail). */
static const struct {
	int resource;
	struct rlimit value;
} keeper_rlimits[] = {
	{ RLIMIT_CPU, { RLIM_INFINITY, RLIM_INFINITY } },
	{ RLIMIT_FSIZE, { RLIM_INFINITY, RLIM_INFINITY } },
	{ RLIMIT_DATA, { RLIM_INFINITY, RLIM_INFINITY } },
	{ RLIMIT_STACK, { 8 << 20, RLIM_INFINITY } },
	{ RLIMIT_CORE, { 0, RLIM_INFINITY } }, /* a root daemon's memory */
	{ RLIMIT_RSS, { RLIM_INFINITY, RLIM_INFINITY } },
	{ RLIMIT_NPROC, { RLIM_INFINITY, RLIM_INFINITY } },
	{ RLIMIT_NOFILE, { JAIL_KEEPER_NOFILE, JAIL_KEEPER_NOFILE } },
	{ RLIMIT_MEMLOCK, { 8 << 20, 8 << 20 } },
	{ RLIMIT_AS, { RLIM_INFINITY, RLIM_INFINITY } },
	{ RLIMIT_LOCKS, { RLIM_INFINITY, RLIM_INFINITY } },
	{ RLIMIT_SIGPENDING, { 65536, 65536 } },
	{ RLIMIT_MSGQUEUE, { 819200, 819200 } },
	{ RLIMIT_NICE, { 0, 0 } },
	{ RLIMIT_RTPRIO, { 0, 0 } },
	{ RLIMIT_RTTIME, { RLIM_INFINITY, RLIM_INFINITY } },
};

static rlim_t at_most(rlim_t v, rlim_t max)
{
	return v > max ? max : v;
}

int jail_keeper_limits_reset(void)
{
	struct sched_param sp = { .sched_priority = 0 };

	for (size_t i = 0; i < sizeof(keeper_rlimits) / sizeof(keeper_rlimits[0]); i++) {
		int res = keeper_rlimits[i].resource;
		struct rlimit want = keeper_rlimits[i].value, cur;

		if (setrlimit(res, &want) == 0)
			continue;
		/* Raising a hard limit takes CAP_SYS_RESOURCE, which root in
		 * sshd has but a container's root may lack: then the soft
		 * limit goes as far as the hard one allows. The keeper copes
		 * with a low RLIMIT_NOFILE (it refuses connections, logged,
		 * init/keeper.c); what must not happen is no keeper at all. */
		if (errno != EPERM || getrlimit(res, &cur) < 0)
			return -errno;
		want.rlim_cur = at_most(want.rlim_cur, cur.rlim_max);
		want.rlim_max = at_most(want.rlim_max, cur.rlim_max);
		/* Still refused (valgrind refuses some it virtualises, and a
		 * kernel may cap one, e.g. nofile above fs.nr_open): the
		 * caller's value stays for that one limit, as it did before
		 * the reset existed. */
		if (setrlimit(res, &want) < 0 && errno != EPERM)
			return -errno;
	}
	/* Nice 0 and the normal scheduler, whatever the caller ran with.
	 * Lowering the nice value takes CAP_SYS_NICE; without it the
	 * caller's stays (no worse than failing the login). */
	if (setpriority(PRIO_PROCESS, 0, 0) < 0 && errno != EACCES && errno != EPERM)
		return -errno;
	if (sched_setscheduler(0, SCHED_OTHER, &sp) < 0 && errno != EPERM)
		return -errno;
	/* No directory of the caller's stays busy for the life of the jail. */
	if (chdir("/") < 0)
		return -errno;
	return 0;
}
