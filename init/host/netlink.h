/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The few rtnetlink requests a bridged jail needs, over libmnl (message
 * building and parsing only; no caches, no object model). Every call sends
 * one request with NLM_F_ACK and waits for the kernel's answer, so an error
 * is the kernel's errno for exactly that request.
 *
 * A socket acts in the network namespace it was created in, whatever
 * namespace its owner moves to later: jail_nl_open_in() uses that to talk
 * to a jail's namespace without a helper process.
 *
 * All functions return 0 (or an ifindex) or a negative errno and fill `err`.
 */
#ifndef PAM_JAIL_NETLINK_H
#define PAM_JAIL_NETLINK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

struct jail_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
};

/* A NETLINK_ROUTE socket in the caller's network namespace. */
int jail_nl_open(struct jail_nl *nl, struct jail_error *err);
/* ... in the namespace of `netns_fd`; the caller's namespace is restored
 * (`self_netns_fd` is an fd of it) before returning, also on failure. */
int jail_nl_open_in(struct jail_nl *nl, int netns_fd, int self_netns_fd, struct jail_error *err);
void jail_nl_close(struct jail_nl *nl);

/* The ifindex of `name`, or -ENODEV. */
int jail_nl_link_index(struct jail_nl *nl, const char *name, struct jail_error *err);
/* A new bridge `name` (down, no addresses); -EEXIST if there is one. */
int jail_nl_bridge_add(struct jail_nl *nl, const char *name, struct jail_error *err);
/* A veth pair: `name` here, `peer_name` created directly in the namespace
 * of `peer_netns_fd` (no moment where both ends are in one namespace). */
int jail_nl_veth_add(struct jail_nl *nl, const char *name, const char *peer_name, int peer_netns_fd,
		     struct jail_error *err);
int jail_nl_link_up(struct jail_nl *nl, int ifindex, struct jail_error *err);
/* Enslave `ifindex` to the bridge `master`. */
int jail_nl_link_master(struct jail_nl *nl, int ifindex, int master, struct jail_error *err);
/* IFLA_BRPORT_ISOLATED on a bridge port: isolated ports don't exchange
 * frames with each other, only with non-isolated ports and the bridge. */
int jail_nl_brport_isolate(struct jail_nl *nl, int ifindex, bool isolated, struct jail_error *err);
int jail_nl_link_del(struct jail_nl *nl, int ifindex, struct jail_error *err);
int jail_nl_addr4_add(struct jail_nl *nl, int ifindex, struct in_addr addr, unsigned prefix,
		      struct jail_error *err);
/* The IPv4 default route via `gw` (which must be on-link). */
int jail_nl_route4_default(struct jail_nl *nl, struct in_addr gw, struct jail_error *err);

#endif
