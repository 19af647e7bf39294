/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resolved policy on its trip from the module to jail-init (over the
 * JAIL_INIT_FD socketpair, jail_proto.h) and nowhere else: a private format
 * of one version of pam_jail, so not part of the public policy.h.
 * lib/policy_codec.c describes the format.
 */
#ifndef PAM_JAIL_POLICY_WIRE_H
#define PAM_JAIL_POLICY_WIRE_H

#include <stddef.h>

#include "policy.h"

/* Every field is sent; fails with -EINVAL when user, home or profile is
 * missing, as decode would refuse it. */
int jail_policy_encode(const struct jail_policy *p, char **ret_buf, size_t *ret_len);

/* Strict: a message of another version, or with a missing, unknown or
 * repeated key or a value out of range, is refused (EBADMSG), never
 * defaulted (EBADMSG); a policy that jail_policy_validate() finds wrong is
 * refused too (EINVAL), as the loader would have refused it. */
int jail_policy_decode(const char *buf, size_t len, struct jail_policy **ret,
		       struct jail_error *err);

#endif
