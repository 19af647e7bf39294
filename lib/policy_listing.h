/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names a loaded policy mentions, for shell completion and scripts
 * (`jailctl names`): its profiles, and the users its rules name (by name,
 * or as members of a group a rule names, as NSS lists them).
 *
 * Never for deciding a login: a user of a uid-range rule, or one whose
 * primary group alone is named, is not listed (enumerating every account
 * of a directory to complete a word is not worth its cost).
 */
#ifndef PAM_JAIL_POLICY_LISTING_H
#define PAM_JAIL_POLICY_LISTING_H

#include "policy.h"

/* Every profile name, in the order the files define them. NULL-terminated,
 * free with jail_strv_free. Returns the count or -ENOMEM. */
int jail_config_profile_names(const struct jail_config *c, char ***ret);

/* The users of user rules and the listed members of group rules' groups
 * (exempt rules included: they are users an admin asks about), sorted,
 * without repeats. Returns the count or -ENOMEM. */
int jail_config_rule_users(const struct jail_config *c, char ***ret);

#endif
