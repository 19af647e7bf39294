/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bridged jail's /etc/resolv.conf: the profile's DNS servers, in a
 * file of its own bound read-only over the root's copy. The jail's / is
 * read-only and the host's resolv.conf names resolvers (127.0.0.53, say)
 * that are not reachable from the jail's network namespace.
 *
 * The file lives on a tiny private tmpfs that is never attached anywhere:
 * only a clone of the one file is (open_tree), so the jail sees a single
 * read-only file and no writable directory behind it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "jail_net.h"

#define RESOLV_MAX 4096

static int build_text(const struct jail_policy *p, char *buf, size_t size, struct jail_error *err)
{
	size_t used;
	int n;

	n = snprintf(buf, size, "# pam_jail: network.dns of profile '%s'\n", p->profile);
	if (n < 0 || (size_t)n >= size)
		return jail_error_set(err, ENAMETOOLONG, "resolv.conf: too long");
	used = (size_t)n;
	for (char **d = p->net.dns; *d; d++) {
		n = snprintf(buf + used, size - used, "nameserver %s\n", *d);
		if (n < 0 || (size_t)n >= size - used)
			return jail_error_set(err, ENAMETOOLONG, "resolv.conf: too many servers");
		used += (size_t)n;
	}
	return (int)used;
}

int jail_net_resolv_mount(const struct jail_policy *p, int *ret_mnt, struct jail_error *err)
{
	_cleanup_close_ int fs = -1, mnt = -1, file = -1, tree = -1;
	char text[RESOLV_MAX];
	int len, r;

	*ret_mnt = -1;
	if (p->net.mode != JAIL_NET_BRIDGE || !p->net.dns || !p->net.dns[0])
		return 0;
	len = build_text(p, text, sizeof(text), err);
	if (len < 0)
		return len;

	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "size", "16k", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return jail_error_set(err, errno, "resolv.conf: tmpfs: %s", strerror(errno));
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return jail_error_set(err, errno, "resolv.conf: fsmount: %s", strerror(errno));
	file = openat(mnt, "resolv.conf", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0644);
	if (file < 0)
		return jail_error_set(err, errno, "resolv.conf: %s", strerror(errno));
	r = jail_write_once(file, text, (size_t)len);
	if (r < 0)
		return jail_error_set(err, -r, "resolv.conf: write: %s", strerror(-r));
	tree = open_tree(mnt, "resolv.conf", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return jail_error_set(err, errno, "resolv.conf: open_tree: %s", strerror(errno));
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					       MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return jail_error_set(err, errno, "resolv.conf: read-only: %s", strerror(errno));
	*ret_mnt = steal_fd(&tree);
	return 0;
}
