/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4 address leases for bridged jails (see addrpool.h for the scheme). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "addrpool.h"

#define POOL_LOCK "pool.lock"

static int lock_pool(int dir_fd, struct jail_error *err)
{
	int fd = openat(dir_fd, POOL_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return jail_error_set(err, errno, "address pool lock: %s", strerror(errno));
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return jail_error_set(err, e, "address pool lock: %s", strerror(e));
		}
	}
	return fd;
}

static void lease_name(char *buf, size_t size, struct in_addr a)
{
	char s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, s, sizeof(s));
	snprintf(buf, size, "ip4-%s", s);
}

/* Try to take the lease of `a`: 1 taken (fd in *ret_fd), 0 in use, <0 error. */
static int try_take(int dir_fd, struct in_addr a, int *ret_fd, struct jail_error *err)
{
	char name[32];
	int fd;

	lease_name(name, sizeof(name), a);
	fd = openat(dir_fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return jail_error_set(err, errno, "lease '%s': %s", name, strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		if (e == EINTR)
			continue;
		close(fd);
		if (e == EWOULDBLOCK)
			return 0;
		return jail_error_set(err, e, "lease '%s': lock: %s", name, strerror(e));
	}
	*ret_fd = fd;
	return 1;
}

static int claim(int fd, const char *owner, char *ret_stale, size_t stale_size,
		 struct jail_error *err)
{
	size_t len = strlen(owner);
	ssize_t n;

	n = pread(fd, ret_stale, stale_size - 1, 0);
	ret_stale[n > 0 ? n : 0] = '\0';
	if (ftruncate(fd, 0) < 0 || pwrite(fd, owner, len, 0) != (ssize_t)len)
		return jail_error_set(err, errno ? errno : EIO, "writing the lease: %s",
				      strerror(errno ? errno : EIO));
	return 0;
}

int jail_lease4_take(int dir_fd, const char *pool4, const char *gateway4, const char *owner,
		     struct jail_lease4 *ret, char *ret_stale, size_t stale_size,
		     struct jail_error *err)
{
	_cleanup_close_ int lock = -1;
	struct in_addr net, gw;
	unsigned prefix;
	uint32_t first, last, hosts;
	int r;

	ret->fd = -1;
	r = jail_cidr4_parse(pool4, &net, &prefix, err);
	if (r < 0)
		return r;
	if (prefix < JAIL_POOL_MIN_PREFIX || prefix > 30)
		return jail_error_set(err, EINVAL,
				      "address pool '%s': the prefix must be /%d to /30", pool4,
				      JAIL_POOL_MIN_PREFIX);
	first = ntohl(net.s_addr) + 1;			/* not the network address */
	last = ntohl(net.s_addr) + (~0U >> prefix) - 1; /* not the broadcast address */
	if (gateway4) {
		if (inet_pton(AF_INET, gateway4, &gw) != 1)
			return jail_error_set(err, EINVAL, "gateway '%s' is not an IPv4 address",
					      gateway4);
		if (ntohl(gw.s_addr) < first || ntohl(gw.s_addr) > last)
			return jail_error_set(err, EINVAL,
					      "gateway %s is not a host address of pool %s",
					      gateway4, pool4);
	} else {
		gw.s_addr = htonl(first);
	}
	hosts = last - first; /* usable, the gateway taken out */

	lock = lock_pool(dir_fd, err);
	if (lock < 0)
		return lock;
	for (uint32_t h = first; h <= last; h++) {
		struct in_addr a = { .s_addr = htonl(h) };
		int fd = -1;

		if (a.s_addr == gw.s_addr)
			continue;
		r = try_take(dir_fd, a, &fd, err);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		r = claim(fd, owner, ret_stale, stale_size, err);
		if (r < 0) {
			char name[32];
			lease_name(name, sizeof(name), a);
			unlinkat(dir_fd, name, 0);
			close(fd);
			return r;
		}
		*ret = (struct jail_lease4){ .fd = fd, .addr = a, .prefix = prefix, .gateway = gw };
		return 0;
	}
	return jail_error_set(err, EADDRNOTAVAIL,
			      "address pool %s is exhausted: all %u addresses are in use", pool4,
			      (unsigned)hosts);
}

void jail_lease4_release(int dir_fd, struct jail_lease4 *lease)
{
	char name[32];
	int lock;

	if (lease->fd < 0)
		return;
	/* Unlinked while we still hold its lock and the pool's: no one can
	 * have it open and locked, so no one loses a lease to the unlink. If
	 * the pool lock fails the file stays, unlocked, which means free. */
	lock = lock_pool(dir_fd, NULL);
	if (lock >= 0) {
		lease_name(name, sizeof(name), lease->addr);
		unlinkat(dir_fd, name, 0);
	}
	jail_closep(&lease->fd);
	lease->fd = -1;
	jail_closep(&lock);
}
