/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An IPv4 CIDR as a profile's address pool (network.pool4) gives it: the
 * policy checks it when it is loaded, jail-init's leases
 * (init/host/addrpool.h) hand out its addresses.
 */
#ifndef PAM_JAIL_CIDR4_H
#define PAM_JAIL_CIDR4_H

#include <netinet/in.h>

#include "util.h"

#define JAIL_POOL_MIN_PREFIX 16 /* bigger pools are refused: a scan stays short */

/* "10.0.0.0/24" -> network address (host bits must be 0) and prefix. */
int jail_cidr4_parse(const char *cidr, struct in_addr *ret_net, unsigned *ret_prefix,
		     struct jail_error *err);

#endif
