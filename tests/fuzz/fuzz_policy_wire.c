/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the policy wire decoder (lib/policy_codec.c), which
 * jail-init runs as root on the message the module sends it. Besides
 * memory safety: whatever decodes must encode, and the encoding must
 * decode to a policy that encodes to the same bytes (the encoder and the
 * strict decoder agree on every accepted value).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jail_policy *p = NULL, *back = NULL;
	char *enc = NULL, *enc2 = NULL;
	size_t len = 0, len2 = 0;

	if (jail_policy_decode((const char *)data, size, &p, NULL) != 0)
		return 0;
	if (jail_policy_encode(p, &enc, &len) != 0)
		abort();
	if (jail_policy_decode(enc, len, &back, NULL) != 0)
		abort();
	if (jail_policy_encode(back, &enc2, &len2) != 0 || len != len2 ||
	    memcmp(enc, enc2, len) != 0)
		abort();
	free(enc);
	free(enc2);
	jail_policy_free(p);
	jail_policy_free(back);
	return 0;
}
