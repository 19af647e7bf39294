/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counters since boot, for monitoring (`jailctl metrics`): the sessions the
 * module refused and why, when it last did, and the limit events of the
 * jails that have ended (their keepers add them as the jail ends; a live
 * jail's are read from its cgroup).
 *
 * Where: <state dir>/stats/counters, one "name value" line each, beside a
 * lock file. The state dir (/run/pam_jail: a tmpfs, so "since boot") and
 * stats/ are root-owned 0700, the files root-owned 0600: no user can read,
 * forge or reset them; a file that is not so is refused, never trusted or
 * repaired. Every update is read-modify-write under an flock() of
 * stats/lock, written to a new file and renamed over the old one, all by
 * fd relative to stats/: a reader without the lock sees the old or the new
 * counters, never half of them, and two logins refused at once both count.
 * A counters file that does not parse is an error: counting stops rather
 * than starting again from zero (which would look like a reboot).
 *
 * Library code: returns negative errno and fills struct jail_error.
 */
#ifndef PAM_JAIL_STATS_H
#define PAM_JAIL_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define JAIL_STATE_STATS "stats"

/* Why a session was refused: a label value of the metrics, so these names
 * are an interface (docs/pam_jail.8, "MONITORING"); add, never rename. */
enum jail_refusal {
	JAIL_REFUSAL_MODULE_ARGS,    /* unknown module option */
	JAIL_REFUSAL_NO_USER,	     /* PAM gave no user name */
	JAIL_REFUSAL_POLICY_INVALID, /* the policy does not load */
	JAIL_REFUSAL_USER_UNKNOWN,   /* NSS does not know the user */
	JAIL_REFUSAL_LOOKUP_FAILED,  /* NSS failed (the directory is down) */
	JAIL_REFUSAL_UNMATCHED,	     /* no rule, and unmatched users are refused */
	JAIL_REFUSAL_USER_MANAGER,   /* systemd --user of a jailed user */
	JAIL_REFUSAL_MULTITHREADED,  /* the calling process has threads */
	JAIL_REFUSAL_POLICY_CHANGED, /* the live jail was built from another policy */
	JAIL_REFUSAL_JAIL_FAILED,    /* the jail could not be made or joined */
	JAIL_REFUSAL_ENTER_FAILED,   /* setns into the jail failed */
	JAIL_REFUSAL_PRIVILEGES,     /* dropping privileges failed */
	JAIL_REFUSAL_INTERNAL,	     /* out of memory, PAM errors, a second session */
	JAIL_REFUSAL_MAX_JAILS,	     /* the user has lifetime.max_jails live jails */
	JAIL_REFUSAL_COUNT,
};

/* What the cgroup limits did in the jails that ended (cgroup.h's
 * struct jail_cgroup_events, by the cgroup file that counts it). */
enum jail_limit_event {
	JAIL_LIMIT_PIDS_MAX,   /* forks refused at pids.max */
	JAIL_LIMIT_MEMORY_MAX, /* memory usage hit memory.max */
	JAIL_LIMIT_OOM_KILL,   /* processes the OOM killer ended */
	JAIL_LIMIT_EVENT_COUNT,
};

struct jail_stats {
	uint64_t refusals[JAIL_REFUSAL_COUNT];
	int64_t last_refusal_time; /* unix time; 0: none since boot */
	enum jail_refusal last_refusal_reason;
	uint64_t limit_events[JAIL_LIMIT_EVENT_COUNT];
	uint64_t jails_ended; /* jails whose limit events are counted */
};

const char *jail_refusal_name(enum jail_refusal r);
const char *jail_limit_event_name(enum jail_limit_event e);

/* Open <state_fd>/stats (with `create`, make it root-owned 0700 first).
 * Returns the directory fd (O_CLOEXEC). -ENOENT: none yet (nothing was
 * ever counted). */
int jail_stats_open(int state_fd, bool create, struct jail_error *err);

/* The counters (all zero when none was ever written). */
int jail_stats_read(int stats_fd, struct jail_stats *ret, struct jail_error *err);

/* Count one refused session at unix time `now`. */
int jail_stats_count_refusal(int stats_fd, enum jail_refusal why, int64_t now,
			     struct jail_error *err);

/* Add one ended jail's limit events. */
int jail_stats_add_limit_events(int stats_fd, const uint64_t events[JAIL_LIMIT_EVENT_COUNT],
				struct jail_error *err);

#endif
