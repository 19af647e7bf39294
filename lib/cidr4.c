/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An IPv4 CIDR, as a profile's address pool gives it (see cidr4.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cidr4.h"

int jail_cidr4_parse(const char *cidr, struct in_addr *ret_net, unsigned *ret_prefix,
		     struct jail_error *err)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = cidr ? strchr(cidr, '/') : NULL;
	char *end;
	unsigned long prefix;
	uint32_t mask;

	if (!slash || (size_t)(slash - cidr) >= sizeof(addr))
		return jail_error_set(err, EINVAL, "'%s' is not an IPv4 CIDR", cidr ? cidr : "");
	memcpy(addr, cidr, (size_t)(slash - cidr));
	addr[slash - cidr] = '\0';
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	if (inet_pton(AF_INET, addr, ret_net) != 1 || errno || *end || end == slash + 1 ||
	    prefix > 32)
		return jail_error_set(err, EINVAL, "'%s' is not an IPv4 CIDR", cidr);
	mask = prefix == 0 ? 0 : ~0U << (32 - prefix);
	if (ntohl(ret_net->s_addr) & ~mask)
		return jail_error_set(err, EINVAL, "'%s': host bits are set", cidr);
	*ret_prefix = (unsigned)prefix;
	return 0;
}
