/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PAM-free half of the jail's /dev/log (init/keeper_syslog.h serves
 * it): reading what a jailed process sent, deciding what it may claim, the
 * line the host's log gets, and the rate limit.
 *
 * A jailed process writes "<PRI>Mmm dd hh:mm:ss TAG[PID]: text" as glibc's
 * syslog() and logger(1) do. The host's log gets
 *   <PRI'>Mmm dd hh:mm:ss IDENT[KEEPER]: PREFIX: TAG[PID]: text
 * where PREFIX names the jail and the sender as the kernel reported it, so
 * nothing in the sender's own text decides whom the line is attributed to.
 */
#ifndef PAM_JAIL_SYSLOG_LINE_H
#define PAM_JAIL_SYSLOG_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* The longest line sent to the host's log (RFC 3164's limit); a longer one
 * is cut and ends in "...". */
#define JAIL_SYSLOG_LINE_MAX 1024

/* A datagram with no (valid) "<PRI>": what syslog daemons assume. */
#define JAIL_SYSLOG_DEFAULT_PRI 13 /* LOG_USER | LOG_NOTICE */

struct jail_syslog_in {
	int pri;	  /* facility | severity as sent, or the default */
	const char *body; /* after "<PRI>" and a timestamp: "TAG[PID]: text" */
	size_t body_len;  /* trailing NULs and newlines not counted */
};

/* Split a received datagram (not NUL-terminated) into its priority and the
 * rest. Never fails: anything unparsable is body, at the default priority. */
void jail_syslog_parse(const char *buf, size_t len, struct jail_syslog_in *ret);

/*
 * The priority a line from `uid` goes out with. Root's (sshd's monitor,
 * pam_unix in the session process) keeps its facility, so auth lines still
 * reach auth.log, except "kern", which no process may claim. Anyone else
 * gets facility "user": a jailed user's line must not land in the logs an
 * administrator trusts (auth, authpriv, ...), marked or not; and at most
 * "err": emerg, alert and crit are broadcast to every terminal by common
 * syslog and journald setups.
 */
int jail_syslog_allowed_pri(int pri, uid_t uid);

/* "Mmm dd hh:mm:ss" (RFC 3164), local time, English month names. */
void jail_syslog_timestamp(time_t t, char *buf, size_t cap);

/*
 * The line for the host: "<pri>ts ident[ident_pid]: prefix: body" with every
 * control character of the body written as "#ooo" (octal, as rsyslog does),
 * so that no sender can start a line of its own in a log file; at most
 * JAIL_SYSLOG_LINE_MAX bytes and cap - 1, NUL-terminated. Returns its
 * length. `cap` must be at least 128.
 */
size_t jail_syslog_format(char *out, size_t cap, int pri, const char *ts, const char *ident,
			  int ident_pid, const char *prefix, const char *body, size_t body_len);

/*
 * A token bucket: `burst` lines at once, then `rate` lines per second.
 * rate 0 means no limit. Lines refused are counted; a summary of them is
 * due `period_ms` after the first one, so a flood costs the host's log at
 * most rate lines a second plus one summary a period. Times are monotonic
 * milliseconds.
 */
struct jail_ratelimit {
	uint32_t rate, burst;
	int64_t period_ms;
	uint64_t milli;	     /* tokens, in thousandths */
	int64_t last_ms;     /* of the last refill */
	uint64_t suppressed; /* since the last summary */
	int64_t first_suppressed_ms;
};

void jail_ratelimit_init(struct jail_ratelimit *rl, uint32_t rate, uint32_t burst,
			 int64_t period_ms, int64_t now_ms);

/* May a line go now? Takes a token if so; counts the line if not. */
bool jail_ratelimit_take(struct jail_ratelimit *rl, int64_t now_ms);

/* When the next summary is due (monotonic ms), or 0 when none is pending. */
int64_t jail_ratelimit_due(const struct jail_ratelimit *rl);

/* The number of lines to report now (0: nothing due), and since when they
 * were counted (ms, for "in the last S s"). `force`: report whatever is
 * pending, due or not (the jail ends). Resets the count. */
uint64_t jail_ratelimit_summary(struct jail_ratelimit *rl, int64_t now_ms, bool force,
				int64_t *ret_since_ms);

#endif
