/* SPDX-License-Identifier: GPL-2.0-or-later */
/* socket(2) families in the jail (seccomp_socket.h). */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "seccomp_bpf.h"
#include "seccomp_socket.h"

/* The kernel's address families by the names a profile uses (the AF_
 * constant without its prefix, in lower case). Unnamed numbers, and any
 * family a later kernel adds, can never be allowed. */
static const struct {
	const char *name;
	int family;
} families[] = {
	{ "unix", AF_UNIX },
	{ "inet", AF_INET },
	{ "ax25", AF_AX25 },
	{ "ipx", AF_IPX },
	{ "appletalk", AF_APPLETALK },
	{ "netrom", AF_NETROM },
	{ "bridge", AF_BRIDGE },
	{ "atmpvc", AF_ATMPVC },
	{ "x25", AF_X25 },
	{ "inet6", AF_INET6 },
	{ "rose", AF_ROSE },
	{ "decnet", AF_DECnet },
	{ "netbeui", AF_NETBEUI },
	{ "security", AF_SECURITY },
	{ "key", AF_KEY },
	{ "netlink", AF_NETLINK },
	{ "packet", AF_PACKET },
	{ "ash", AF_ASH },
	{ "econet", AF_ECONET },
	{ "atmsvc", AF_ATMSVC },
	{ "rds", AF_RDS },
	{ "sna", AF_SNA },
	{ "irda", AF_IRDA },
	{ "pppox", AF_PPPOX },
	{ "wanpipe", AF_WANPIPE },
	{ "llc", AF_LLC },
	{ "ib", AF_IB },
	{ "mpls", AF_MPLS },
	{ "can", AF_CAN },
	{ "tipc", AF_TIPC },
	{ "bluetooth", AF_BLUETOOTH },
	{ "iucv", AF_IUCV },
	{ "rxrpc", AF_RXRPC },
	{ "isdn", AF_ISDN },
	{ "phonet", AF_PHONET },
	{ "ieee802154", AF_IEEE802154 },
	{ "caif", AF_CAIF },
	{ "alg", AF_ALG },
	{ "nfc", AF_NFC },
	{ "vsock", AF_VSOCK },
	{ "kcm", AF_KCM },
	{ "qipcrtr", AF_QIPCRTR },
	{ "smc", AF_SMC },
	{ "xdp", AF_XDP },
	{ "mctp", AF_MCTP },
};
#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

/* What a login needs: local sockets (syslog, nscd, ssh-agent, X11), IPv4
 * and IPv6, and netlink (getifaddrs, iproute2; in the jail's own network
 * namespace). */
const char *const jail_socket_families_default[] = { "unix", "inet", "inet6", "netlink", NULL };

int jail_socket_family_number(const char *name)
{
	for (size_t i = 0; i < N_FAMILIES; i++)
		if (strcmp(families[i].name, name) == 0)
			return families[i].family;
	return -ENOENT;
}

static bool listed(int family, const char *const *names)
{
	for (const char *const *n = names; n && *n; n++)
		if (jail_socket_family_number(*n) == family)
			return true;
	return false;
}

bool jail_socket_family_allowed(int family, char *const *more)
{
	return listed(family, jail_socket_families_default) ||
	       listed(family, (const char *const *)more);
}

/* socket() and socketpair() take the family as an int: only the low 32
 * bits of the register count, so only those are compared. */
int jail_seccomp_socket_load(char *const *more, struct jail_error *err)
{
	const int nr_socket = SCMP_SYS(socket), nr_pair = SCMP_SYS(socketpair);
	int allowed[N_FAMILIES];
	struct sock_filter insns[JAIL_BPF_PROLOGUE_LEN + 4 + N_FAMILIES + 2];
	size_t n, n_allowed = 0;

	for (char *const *m = more; m && *m; m++)
		if (jail_socket_family_number(*m) < 0)
			return jail_error_set(
				err, EINVAL,
				"seccomp.allow_families: '%s' is not an address family", *m);
	/* Without direct socket calls (socketcall(2) only, whose arguments
	 * are in memory) the rule cannot be made: refuse, not skip. */
	if (nr_socket < 0 || nr_pair < 0)
		return jail_error_set(err, ENOSYS,
				      "seccomp: socket is not a system call of its own here");
	for (size_t i = 0; i < N_FAMILIES; i++)
		if (jail_socket_family_allowed(families[i].family, more))
			allowed[n_allowed++] = families[i].family;

	n = jail_bpf_native_prologue(insns);
	insns[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr_socket, 1,
						  0);
	/* neither call: jump over the family tests and the error to ALLOW */
	insns[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr_pair, 0,
						  (unsigned char)(n_allowed + 2));
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, JAIL_BPF_ARG0_LOW);
	/* each match jumps over the remaining tests and the error to ALLOW */
	for (size_t i = 0; i < n_allowed; i++)
		insns[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							  (unsigned)allowed[i],
							  (unsigned char)(n_allowed - i), 0);
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
						  SECCOMP_RET_ERRNO |
							  (EAFNOSUPPORT & SECCOMP_RET_DATA));
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

	return jail_bpf_load(insns, n, "socket family", err);
}
