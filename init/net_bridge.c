/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * network.mode = "bridge": one veth pair per jail, the host end a port of
 * the profile's bridge, the jail end `eth0` with an address leased from the
 * profile's pool (init/host/addrpool.h) and the default route via the gateway.
 *
 * Who does what, and why this order:
 *  - the keeper does all of it, after the jail PID 1 reported READY and
 *    before the keeper answers READY to the module, so no session ever
 *    sees the jail without its network, and the PID 1 can drop every
 *    capability before it reports (it never holds CAP_NET_ADMIN while
 *    waiting for someone);
 *  - the keeper stays in the host namespace: the peer is created directly
 *    in the jail's namespace (IFLA_NET_NS_FD), and the jail side is set up
 *    through a netlink socket opened inside the jail's namespace (setns in,
 *    socket, setns back; a socket keeps the namespace it was created in).
 *    No helper process, and nothing of the jail runs with host privileges;
 *  - the keeper holds the address lease (a flock) for the jail's life, so
 *    the address is freed when the keeper ends, however it ends.
 *
 * Teardown deletes the host end, which deletes the pair; if the keeper was
 * killed, the PID 1 dies with it (PDEATHSIG) and the namespace's end
 * removes the pair, unless a session process still holds the namespace:
 * the next keeper that takes over that address deletes the link the stale
 * lease names.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail_net.h"
#include "netlink.h"

#define JAIL_IF "eth0"

/* The bridge as the profile names it; made (with the gateway address, up)
 * when missing. An existing bridge is the administrator's and is used as
 * it is. Returns its ifindex. */
static int ensure_bridge(struct jail_nl *nl, const struct jail_policy *p,
			 const struct jail_lease4 *lease, struct jail_error *err)
{
	int idx, r;

	idx = jail_nl_link_index(nl, p->net.bridge, err);
	if (idx != -ENODEV)
		return idx;
	r = jail_nl_bridge_add(nl, p->net.bridge, err);
	if (r == -EEXIST) /* another login made it just now */
		return jail_nl_link_index(nl, p->net.bridge, err);
	if (r < 0)
		return r;
	idx = jail_nl_link_index(nl, p->net.bridge, err);
	if (idx < 0)
		return idx;
	r = jail_nl_addr4_add(nl, idx, lease->gateway, lease->prefix, err);
	if (r < 0 && r != -EEXIST)
		return r;
	r = jail_nl_link_up(nl, idx, err);
	return r < 0 ? r : idx;
}

/* A link a dead keeper's lease names, if it is still there (see the top). */
static void remove_stale_link(struct jail_nl *nl, const char *stale)
{
	const char *v = strstr(stale, "\nveth=");
	char name[IF_NAMESIZE];
	size_t len;
	int idx;

	if (!v)
		return;
	v += strlen("\nveth=");
	len = strcspn(v, "\n");
	if (len == 0 || len >= sizeof(name) || strncmp(v, "pj", 2) != 0)
		return; /* only ever a name we made */
	memcpy(name, v, len);
	name[len] = '\0';
	idx = jail_nl_link_index(nl, name, NULL);
	if (idx > 0)
		jail_nl_link_del(nl, idx, NULL);
}

static int configure_jail_side(int jail_ns, const struct jail_lease4 *lease, struct jail_error *err)
{
	_cleanup_close_ int self_ns = -1;
	struct jail_nl nl = { 0 };
	int idx, r;

	self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self_ns < 0)
		return jail_error_set(err, errno, "own network namespace: %s", strerror(errno));
	r = jail_nl_open_in(&nl, jail_ns, self_ns, err);
	if (r < 0)
		return r;
	idx = r = jail_nl_link_index(&nl, JAIL_IF, err);
	if (r >= 0)
		r = jail_nl_addr4_add(&nl, idx, lease->addr, lease->prefix, err);
	if (r >= 0)
		r = jail_nl_link_up(&nl, idx, err);
	if (r >= 0)
		r = jail_nl_route4_default(&nl, lease->gateway, err);
	jail_nl_close(&nl);
	return r;
}

int jail_net_bridge_setup(struct jail_bridge_net *bn, int state_fd, const struct jail_policy *p,
			  const char *key, const char *id, pid_t init_pid, struct jail_error *err)
{
	_cleanup_close_ int jail_ns = -1;
	struct jail_nl nl = { 0 };
	char owner[512], stale[512], nspath[64];
	int bridge, host, r;

	/* bridge and pool4 set, no pool6 (not supported yet): checked by
	 * jail_policy_decode(), as by the loader (lib/policy_validate.c) */
	/* pj + 13 hex digits of the random jail id: unique, and 15 bytes,
	 * the kernel's limit for an interface name. */
	snprintf(bn->host_if, sizeof(bn->host_if), "pj%.13s", id);

	if (mkdirat(state_fd, JAIL_STATE_NET, 0700) < 0 && errno != EEXIST)
		return jail_error_set(err, errno, "state dir: %s: %s", JAIL_STATE_NET,
				      strerror(errno));
	bn->dir_fd = openat(state_fd, JAIL_STATE_NET,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bn->dir_fd < 0)
		return jail_error_set(err, errno, "state dir: %s: %s", JAIL_STATE_NET,
				      strerror(errno));
	snprintf(owner, sizeof(owner), "key=%s\nid=%s\nveth=%s\nkeeper=%d\n", key, id, bn->host_if,
		 (int)getpid());
	r = jail_lease4_take(bn->dir_fd, p->net.pool4, p->net.gateway4, owner, &bn->lease, stale,
			     sizeof(stale), err);
	if (r < 0) /* an exhausted pool says so itself (the module logs the profile) */
		goto fail;

	r = jail_nl_open(&nl, err);
	if (r < 0)
		goto fail;
	if (stale[0]) {
		char with_nl[sizeof(stale) + 1];
		snprintf(with_nl, sizeof(with_nl), "\n%s", stale);
		remove_stale_link(&nl, with_nl);
	}
	bridge = r = ensure_bridge(&nl, p, &bn->lease, err);
	if (r < 0)
		goto fail;

	/* The init is our child and not reaped yet, so its PID names it. */
	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/net", (int)init_pid);
	jail_ns = open(nspath, O_RDONLY | O_CLOEXEC);
	if (jail_ns < 0) {
		r = jail_error_set(err, errno, "the jail's network namespace: %s", strerror(errno));
		goto fail;
	}
	r = jail_nl_veth_add(&nl, bn->host_if, JAIL_IF, jail_ns, err);
	if (r < 0) {
		bn->host_if[0] = '\0'; /* not ours to delete */
		goto fail;
	}
	host = r = jail_nl_link_index(&nl, bn->host_if, err);
	if (r >= 0)
		r = jail_nl_link_master(&nl, host, bridge, err);
	/* Isolated before it is up: no frame passes between jails first. */
	if (r >= 0 && p->net.isolate)
		r = jail_nl_brport_isolate(&nl, host, true, err);
	if (r >= 0)
		r = jail_nl_link_up(&nl, host, err);
	if (r < 0)
		goto fail;
	jail_nl_close(&nl);
	r = configure_jail_side(jail_ns, &bn->lease, err);
	if (r < 0)
		goto fail;
	return 0;
fail:
	jail_nl_close(&nl);
	jail_net_bridge_teardown(bn);
	return r;
}

void jail_net_bridge_teardown(struct jail_bridge_net *bn)
{
	if (bn->host_if[0]) {
		struct jail_nl nl = { 0 };
		if (jail_nl_open(&nl, NULL) == 0) {
			int idx = jail_nl_link_index(&nl, bn->host_if, NULL);
			if (idx > 0)
				jail_nl_link_del(&nl, idx, NULL);
			jail_nl_close(&nl);
		}
		bn->host_if[0] = '\0';
	}
	if (bn->dir_fd >= 0)
		jail_lease4_release(bn->dir_fd, &bn->lease);
	jail_closep(&bn->dir_fd);
	bn->dir_fd = -1;
}

void jail_net_bridge_info(const struct jail_bridge_net *bn, struct jail_info *info)
{
	char a[INET_ADDRSTRLEN];

	info->net4[0] = info->veth[0] = '\0';
	if (bn->lease.fd < 0 || !bn->host_if[0])
		return;
	inet_ntop(AF_INET, &bn->lease.addr, a, sizeof(a));
	snprintf(info->net4, sizeof(info->net4), "%s/%u", a, bn->lease.prefix);
	snprintf(info->veth, sizeof(info->veth), "%s", bn->host_if);
}
