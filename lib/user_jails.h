/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live jails of one user, for the per-user cap (lifetime.max_jails).
 *
 * With lifetime "session" every login is a jail of its own, and with
 * network "bridge" each takes an address of a pool that other users share:
 * one user holding a few hundred ssh connections refused every other user
 * of the pool (issue 17, item 1). The module counts a user's live jails
 * before it launches one, under a per-user lock, so two concurrent logins
 * of the same user cannot both see room for one more.
 */
#ifndef PAM_JAIL_USER_JAILS_H
#define PAM_JAIL_USER_JAILS_H

#include <sys/types.h>

#include "jail_registry.h"

/* Take locks/user-<uid>.lock (bounded wait, bounded.h). Returns the lock fd
 * (O_CLOEXEC; closing it releases the lock). */
int jail_user_lock(const struct jail_state *st, uid_t uid, struct jail_error *err);

/* The registry entries of `uid` ("u<uid>", "u<uid>-s<hex>") whose keeper is
 * alive: its PID names a process with the start time the entry recorded.
 * An entry of a killed keeper (not cleaned yet) does not count. */
int jail_user_live_jails(const struct jail_state *st, uid_t uid, unsigned *ret,
			 struct jail_error *err);

#endif
