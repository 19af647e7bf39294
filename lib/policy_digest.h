/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The digest of a resolved policy: what a jail was built from.
 *
 * A keeper answers JOIN with the digest of the policy it built its jail
 * from, and the module compares it with the digest of the policy it has
 * just resolved for the login: a jail is joined only by a login whose
 * policy would build the same jail, for the same user name and uid
 * (jail_proto.h, "policy=").
 */
#ifndef PAM_JAIL_POLICY_DIGEST_H
#define PAM_JAIL_POLICY_DIGEST_H

#include "policy.h"

#define JAIL_POLICY_DIGEST_HEX 65 /* SHA-256: 64 hex digits and a NUL */

/*
 * SHA-256 over the user name, the uid and the policy's canonical encoding
 * (jail_policy_encode), without `matched_rule`: that is a description of
 * where the rule stands (file and line), and moving a rule or adding a
 * comment above it changes no jail.
 */
int jail_policy_digest(const struct jail_policy *p, char ret_hex[JAIL_POLICY_DIGEST_HEX]);

#endif
