/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keeper's own process attributes, set to known values before it is
 * exec'd (lib/jail_client.c, exec_keeper).
 *
 * The keeper is forked from the PAM application, after pam_limits and
 * friends may have set the *user's* limits on that process: a low
 * RLIMIT_NOFILE made the keeper fail accept4() with EMFILE around 500
 * sessions of one jail, RLIMIT_CPU would kill it after the user's CPU
 * budget, a nice of 19 would starve every login of the jail, and the
 * caller's cwd would pin a directory (an unmount target) for the jail's
 * life. None of that is the user's to decide for a root daemon that
 * outlives the session.
 *
 * Async-signal-safe (get/setrlimit, setpriority, sched_setscheduler,
 * chdir only): called between fork and exec in any PAM application. Returns 0 or
 * a negative errno (the first call that failed).
 */
#ifndef PAM_JAIL_KEEPER_LIMITS_H
#define PAM_JAIL_KEEPER_LIMITS_H

/* The keeper's RLIMIT_NOFILE, soft and hard: its connections (two fds
 * each, jail-init/keeper.c MAX_CONNS) and their poll() entries fit with
 * room to spare. */
#define JAIL_KEEPER_NOFILE 8192

int jail_keeper_limits_reset(void);

#endif
