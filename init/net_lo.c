/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loopback up in the jail's network namespace. Without it ssh -X, -L and -R
 * fail inside the jail (DESIGN.md fact 5). An ioctl is enough for lo, which
 * exists in every new namespace with its addresses already assigned.
 */
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "jail_init.h"

int jail_net_lo_up(struct jail_error *err)
{
	_cleanup_close_ int s = -1;
	struct ifreq ifr;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return jail_error_set(err, errno, "lo: socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return jail_error_set(err, errno, "lo: get flags: %s", strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return jail_error_set(err, errno, "lo: set up: %s", strerror(errno));
	return 0;
}
