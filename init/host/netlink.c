/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtnetlink requests over libmnl (see netlink.h). libmnl rather than
 * libnl-route-3: we need a dozen fixed requests, and libmnl is only the
 * message builder/parser and the socket, a few hundred lines with no
 * caches or object model between us and the kernel's answer.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "netlink.h"

#define SETNS_BACK_TRIES 3

int jail_nl_open(struct jail_nl *nl, struct jail_error *err)
{
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		return jail_error_set(err, errno, "netlink: socket: %s", strerror(errno));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return jail_error_set(err, e, "netlink: bind: %s", strerror(e));
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

int jail_nl_open_in(struct jail_nl *nl, int netns_fd, int self_netns_fd, struct jail_error *err)
{
	int r;

	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return jail_error_set(err, errno, "netlink: entering the jail's network: %s",
				      strerror(errno));
	r = jail_nl_open(nl, err);
	/* Back home before anything else: a caller left in the jail's
	 * namespace would do its host-side work in the wrong place. There is
	 * no safe way on if that fails. A failure can be passing (ENOMEM), and
	 * abort() leaves the jail's host side to the next login's stale-entry
	 * cleanup: try a few times first. */
	for (int tries = 0; setns(self_netns_fd, CLONE_NEWNET) < 0; tries++)
		if (tries >= SETNS_BACK_TRIES)
			abort();
	return r;
}

void jail_nl_close(struct jail_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/* Answers carrying data (RTM_GETLINK) go to `cb`; the final ACK or error
 * ends the exchange. */
static int transact(struct jail_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		    const char *what, struct jail_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = ++nl->seq;
	ssize_t n;
	int r;

	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	/* EINTR: a signal is no reason to refuse a login; a netlink request
	 * is sent whole or not at all, so sending it again is safe. */
	do
		n = mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return jail_error_set(err, errno, "%s: netlink send: %s", what, strerror(errno));
	do {
		do
			n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return jail_error_set(err, errno, "%s: netlink receive: %s", what,
					      strerror(errno));
		r = mnl_cb_run(buf, (size_t)n, seq, nl->portid, cb, data);
	} while (r > 0);
	if (r < 0)
		return jail_error_set(err, errno, "%s: %s", what, strerror(errno));
	return 0;
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

static int link_index_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	*(int *)data = ifi->ifi_index;
	return MNL_CB_OK;
}

int jail_nl_link_index(struct jail_nl *nl, const char *name, struct jail_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, 0);
	int index = 0, r;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	r = transact(nl, nlh, link_index_cb, &index, name, err);
	if (r == -ENODEV)
		return r; /* not an error for callers that create it next */
	if (r < 0)
		return r;
	return index > 0 ? index : jail_error_set(err, ENODEV, "%s: no such link", name);
}

int jail_nl_bridge_add(struct jail_nl *nl, const char *name, struct jail_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	struct nlattr *info;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	return transact(nl, nlh, NULL, NULL, name, err);
}

int jail_nl_veth_add(struct jail_nl *nl, const char *name, const char *peer_name, int peer_netns_fd,
		     struct jail_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	struct nlattr *info, *data, *peer;
	struct ifinfomsg *pifi;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* VETH_INFO_PEER carries a whole ifinfomsg, then the peer's attrs */
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
	pifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return transact(nl, nlh, NULL, NULL, name, err);
}

int jail_nl_link_up(struct jail_nl *nl, int ifindex, struct jail_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return transact(nl, nlh, NULL, NULL, "link up", err);
}

int jail_nl_link_master(struct jail_nl *nl, int ifindex, int master, struct jail_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return transact(nl, nlh, NULL, NULL, "joining the bridge", err);
}

int jail_nl_brport_isolate(struct jail_nl *nl, int ifindex, bool isolated, struct jail_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);
	struct nlattr *info, *data;

	/* The port's options go in IFLA_LINKINFO/IFLA_INFO_SLAVE_DATA with
	 * slave kind "bridge" (what `ip link set X type bridge_slave` sends). */
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_SLAVE_DATA);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_ISOLATED, isolated ? 1 : 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return transact(nl, nlh, NULL, NULL, "bridge port isolation", err);
}

int jail_nl_link_del(struct jail_nl *nl, int ifindex, struct jail_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_DELLINK, 0, ifindex);

	return transact(nl, nlh, NULL, NULL, "deleting a link", err);
}

int jail_nl_addr4_add(struct jail_nl *nl, int ifindex, struct in_addr addr, unsigned prefix,
		      struct jail_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	if (prefix < 31) {
		struct in_addr brd = addr;
		brd.s_addr |= htonl(prefix == 0 ? ~0U : ~0U >> prefix);
		mnl_attr_put(nlh, IFA_BROADCAST, sizeof(brd), &brd);
	}
	return transact(nl, nlh, NULL, NULL, "adding an address", err);
}

int jail_nl_route4_default(struct jail_nl *nl, struct in_addr gw, struct jail_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(gw), &gw);
	return transact(nl, nlh, NULL, NULL, "the default route", err);
}
