/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seccomp filter's personality(2) rule, loaded as a filter of its own
 * next to the main one (lib/privs.c).
 *
 * Why a separate, hand-written filter: the rule is "deny every persona but
 * a few", i.e. several not-equal comparisons of one argument ANDed, and
 * libseccomp (2.5) refuses two comparisons of the same argument in one
 * rule; spelling the complement as OR'ed ranges takes dozens of rules. The
 * kernel runs every filter a thread has and obeys the most restrictive
 * answer, so a small filter that only ever answers ALLOW or EPERM for this
 * one call adds to the main filter and cannot weaken it.
 *
 * Library code: returns negative errno and fills struct jail_error.
 */
#ifndef PAM_JAIL_SECCOMP_PERSONALITY_H
#define PAM_JAIL_SECCOMP_PERSONALITY_H

#include <stdbool.h>

#include "util.h"

/* Would personality(persona) pass the filter? (The same table the filter
 * is built from; for the documentation and the unit test.) */
bool jail_personality_allowed(unsigned int persona);

/* Load the filter into the calling thread. Needs no_new_privs or
 * CAP_SYS_ADMIN, like any seccomp filter. */
int jail_seccomp_personality_load(struct jail_error *err);

#endif
