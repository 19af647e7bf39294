/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bridged jail networking (network.mode = "bridge"): the keeper's half
 * (net_bridge.c) and the jail root's /etc/resolv.conf (net_resolv.c).
 */
#ifndef PAM_JAIL_INIT_NET_H
#define PAM_JAIL_INIT_NET_H

#include <net/if.h>
#include <sys/types.h>

#include "addrpool.h"
#include "jail_registry.h"
#include "policy.h"
#include "util.h"

#define JAIL_STATE_NET "net" /* in the state dir: address leases */

struct jail_bridge_net {
	int dir_fd; /* state dir's net/; -1 when unused */
	struct jail_lease4 lease;
	char host_if[IF_NAMESIZE]; /* the host end of the veth; "" when none */
};

#define JAIL_BRIDGE_NET_INIT                                                                       \
	{                                                                                          \
		.dir_fd = -1, .lease = {.fd = -1 }                                                 \
	}

/*
 * Called by the keeper (host network namespace, root) once the jail PID 1
 * (`init_pid`, the keeper's unreaped child) has reported READY: lease an
 * address, make sure the bridge exists, create the veth pair with `eth0`
 * directly in the jail's namespace and configure it. On failure everything
 * made so far is undone.
 */
int jail_net_bridge_setup(struct jail_bridge_net *bn, int state_fd, const struct jail_policy *p,
			  const char *key, const char *id, pid_t init_pid, struct jail_error *err);

/* Remove the veth (if still there) and give the address back. Idempotent. */
void jail_net_bridge_teardown(struct jail_bridge_net *bn);

/* The lease ("A.B.C.D/P") and the veth's host end for the registry's info
 * file; both "" when the jail has none. */
void jail_net_bridge_info(const struct jail_bridge_net *bn, struct jail_info *info);

/*
 * For the jail root (jail PID 1, before the pivot): a detached, read-only
 * mount of a generated resolv.conf listing the profile's DNS servers, to be
 * attached over /etc/resolv.conf; *ret_mnt = -1 when the profile has none
 * (not bridged, or no dns).
 */
int jail_net_resolv_mount(const struct jail_policy *p, int *ret_mnt, struct jail_error *err);

#endif
