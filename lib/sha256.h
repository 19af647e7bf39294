/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SHA-256 (FIPS 180-4): the jail root manifest's file hashes (jailctl) and
 * the policy digest and hostname tags of the core (policy_digest.c,
 * policy_hostname.c).
 */
#ifndef PAM_JAIL_SHA256_H
#define PAM_JAIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define JAILROOT_SHA256_LEN 32
#define JAILROOT_SHA256_HEX 65 /* 64 hex digits and a NUL */

struct jailroot_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t fill;
};
void jailroot_sha256_init(struct jailroot_sha256 *s);
void jailroot_sha256_update(struct jailroot_sha256 *s, const void *data, size_t n);
void jailroot_sha256_final(struct jailroot_sha256 *s, uint8_t out[JAILROOT_SHA256_LEN]);
void jailroot_sha256_hex(const uint8_t d[JAILROOT_SHA256_LEN], char out[JAILROOT_SHA256_HEX]);
/* Hash the whole file behind `fd` (pread from offset 0). */
int jailroot_sha256_fd(int fd, char ret_hex[JAILROOT_SHA256_HEX]);

#endif
