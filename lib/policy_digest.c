/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The digest of a resolved policy (see policy_digest.h). */
#include <stdio.h>
#include <string.h>

#include "sha256.h"
#include "policy_digest.h"
#include "policy_wire.h"

_Static_assert(JAIL_POLICY_DIGEST_HEX == JAILROOT_SHA256_HEX, "a digest is a SHA-256 in hex");

int jail_policy_digest(const struct jail_policy *p, char ret_hex[JAIL_POLICY_DIGEST_HEX])
{
	struct jail_policy copy = *p; /* shallow: only matched_rule differs */
	struct jailroot_sha256 s;
	uint8_t d[JAILROOT_SHA256_LEN];
	_cleanup_free_ char *enc = NULL;
	char who[64];
	size_t len;
	int n, r;

	if (!p->user)
		return -EINVAL;
	copy.matched_rule = NULL;
	r = jail_policy_encode(&copy, &enc, &len);
	if (r < 0)
		return r;
	/* The encoding names the user and the uid too; they are hashed
	 * first, on their own, so that no change of the encoding can ever
	 * let a reused uid with another name match (jail_proto.h). */
	n = snprintf(who, sizeof(who), "pam_jail policy v1 uid=%u user=", (unsigned)p->uid);
	if (n < 0 || (size_t)n >= sizeof(who))
		return -EINVAL;
	jailroot_sha256_init(&s);
	jailroot_sha256_update(&s, who, (size_t)n);
	jailroot_sha256_update(&s, p->user, strlen(p->user) + 1); /* with its NUL */
	jailroot_sha256_update(&s, enc, len);
	jailroot_sha256_final(&s, d);
	jailroot_sha256_hex(d, ret_hex);
	return 0;
}
