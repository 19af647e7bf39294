/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4 addresses for bridged jails, leased from a profile's pool.
 *
 * A lease is a file `ip4-A.B.C.D` in a directory of the state dir, held
 * under flock(LOCK_EX) by the keeper for as long as its jail lives. The
 * kernel drops that lock when the keeper exits for any reason, so a
 * killed keeper frees its address without anyone cleaning up: a lease file
 * whose lock can be taken is free, whatever it says. Taking one happens
 * under one directory-wide lock (`pool.lock`), so concurrent logins never
 * get the same address. A lease is per address, not per pool: two pools
 * that overlap can't hand one address out twice.
 *
 * What a pool hands out: every address of the CIDR except the network
 * address, the broadcast address (prefixes up to /30) and the gateway.
 * A /29 with its gateway inside serves 5 jails; a /30 serves 1.
 */
#ifndef PAM_JAIL_ADDRPOOL_H
#define PAM_JAIL_ADDRPOOL_H

#include <netinet/in.h>
#include <stddef.h>

#include "cidr4.h"
#include "util.h"

struct jail_lease4 {
	int fd; /* the locked lease file; -1 when none */
	struct in_addr addr;
	unsigned prefix; /* the pool's */
	struct in_addr gateway;
};

/*
 * Lease a free address of `pool4` (gateway `gateway4`, or the pool's first
 * host when NULL) in `dir_fd`, writing `owner` (text lines) into the lease.
 * When the address taken was left by a keeper that died, the old lease's
 * text is copied into `ret_stale` (else it gets ""), so the caller can
 * remove what that keeper left. -EADDRNOTAVAIL when the pool is exhausted.
 */
int jail_lease4_take(int dir_fd, const char *pool4, const char *gateway4, const char *owner,
		     struct jail_lease4 *ret, char *ret_stale, size_t stale_size,
		     struct jail_error *err);

/* Give the address back: unlink the lease (under the pool lock), unlock. */
void jail_lease4_release(int dir_fd, struct jail_lease4 *lease);

#endif
