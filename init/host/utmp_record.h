/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What of a jail's login records (utmp, wtmp, lastlog) reaches the host's
 * files, and in what form (init/keeper_utmp.c does the copying).
 *
 * sshd's monitor writes a jailed pty session's records from inside the
 * jail (DESIGN.md fact 2), into per-jail files the keeper owns. Those
 * records are not trusted as they are:
 *  - only USER_PROCESS (a login) and DEAD_PROCESS (a logout) are copied;
 *  - the user must be the jail's own (a logout may name nobody);
 *  - strings are cut at their field's size and made printable;
 *  - the line is the jail's own devpts ("pts/0" of the jail, not of the
 *    host), so on the host it becomes "j<first 5 hex of the jail id>/pts/0"
 *    (12 characters, what `last` shows of a line): it never matches a host
 *    terminal's line, and another jail's only if their ids share 5 digits;
 *  - the remote host gets " [jail <id>]" appended, always whole (the host
 *    name is shortened to fit), with '[' and ']' in the name itself
 *    replaced, so a host name cannot fake the tag.
 * The ut_id under which the host's utmp keeps the record is chosen by the
 * keeper (it must be free on the host); jail_utmp_host_id gives candidates.
 */
#ifndef PAM_JAIL_UTMP_RECORD_H
#define PAM_JAIL_UTMP_RECORD_H

#include <sys/types.h>
#include <utmp.h> /* struct lastlog */
#include <utmpx.h>

#include "jail_proto.h"
#include "util.h"

/* Whose records these are: the jail's user and uid, and its id (32 hex). */
struct jail_utmp_owner {
	const char *user;
	uid_t uid;
	const char *jail_id;
};

/* The host's line for a line of the jail: "j" + 5 hex of the id + "/" +
 * the jail's line (made of [A-Za-z0-9/_-], anything else '_'), at most
 * sizeof(ut_line) - 1 characters, NUL-terminated. */
void jail_utmp_host_line(const char *jail_id, const char *line, size_t line_size,
			 char ret_line[__UT_LINESIZE]);

/* Candidate `attempt` (0, 1, ...) for the host's ut_id of `host_line`:
 * 'J' and three characters of [a-z0-9], a hash of the jail id, the line and the
 * attempt, so the same session gets the same id for its logout. */
void jail_utmp_host_id(const char *jail_id, const char host_line[__UT_LINESIZE], unsigned attempt,
		       char ret_id[4]);

/*
 * The host's copy of a record of the jail's utmp or wtmp.
 * Returns 1 and fills *ret_out (ut_id: candidate 0) when it is to be
 * copied; 0 for an EMPTY record (nothing to copy, nothing to say);
 * -EPERM when it names another user and -EINVAL for another type or a
 * record without a line, with `err` saying what was dropped.
 */
int jail_utmp_record_for_host(const struct utmpx *in, const struct jail_utmp_owner *o,
			      struct utmpx *ret_out, struct jail_error *err);

/* The host's copy of the jail user's lastlog entry: 1 and *ret_out, or 0
 * when the entry is empty (never logged in). Only the entry at the
 * owner's uid is ever read, so it names no one else by construction. */
int jail_lastlog_for_host(const struct lastlog *in, const struct jail_utmp_owner *o,
			  struct lastlog *ret_out);

#endif
