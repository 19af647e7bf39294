/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Entering the jail's user namespace (profile option "user"; the namespace
 * is made by jail-init, init/userns.c).
 *
 * Only the jail's own processes may be in it (DESIGN.md fact 8), and jailsh
 * is the first of them, so it moves itself in, just before it becomes the
 * real shell. It trusts the file at JAIL_USERNS_PATH only because the
 * marker check, done before (as root shows as root only outside the
 * namespace), proved that its directory is root-owned and not writable in
 * this very mount namespace. Still, what it opens must be a user namespace,
 * a child of the one jailsh runs in, and owned by jailsh's own uid:
 * anything else is refused (a jail whose namespace is missing or forged is
 * no jail for this user).
 *
 * setns(CLONE_NEWUSER) gives jailsh every capability *inside* the new
 * namespace and resets its bounding set and securebits there; the execve of
 * the shell, as a uid that is not 0 inside, clears the capabilities, and the
 * bounding set and securebits the session had are put back here first, so
 * the shell carries the same restrictions as without the namespace.
 * no_new_privs and the seccomp filter are per task and stay as they were.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>

#include "jailsh.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static int same_inode(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return -errno;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Is `fd` a user namespace owned by us and a child of ours? */
static int check_namespace(int fd, char *msg, size_t msg_len)
{
	_cleanup_close_ int parent = -1, own = -1;
	struct statfs sfs;
	uid_t owner;
	int type, r;

	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC) {
		snprintf(msg, msg_len, "%s is not a namespace", JAIL_USERNS_PATH);
		return -EINVAL;
	}
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWUSER) {
		snprintf(msg, msg_len, "%s is not a user namespace", JAIL_USERNS_PATH);
		return -EINVAL;
	}
	if (ioctl(fd, NS_GET_OWNER_UID, &owner) < 0 || owner != getuid()) {
		snprintf(msg, msg_len, "the user namespace at %s is not owned by uid %u",
			 JAIL_USERNS_PATH, (unsigned)getuid());
		return -EPERM;
	}
	parent = ioctl(fd, NS_GET_PARENT);
	own = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	r = parent >= 0 && own >= 0 ? same_inode(parent, own) : -1;
	if (r != 1) {
		snprintf(msg, msg_len, "the user namespace at %s is not a child of ours",
			 JAIL_USERNS_PATH);
		return -EPERM;
	}
	return 0;
}

/* The bounding set and securebits as they are now, to put back inside. */
struct saved_privs {
	unsigned long long bounding; /* bit n: capability n */
	int n_caps;		     /* the kernel's, which may know more than our headers */
	int securebits;
};

static int save_privs(struct saved_privs *s)
{
	s->bounding = 0;
	s->n_caps = 0;
	for (int c = 0; c < 64; c++, s->n_caps++) {
		int in = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (in < 0 && errno == EINVAL)
			break; /* past the kernel's last capability */
		if (in < 0)
			return -errno;
		if (in)
			s->bounding |= 1ULL << c;
	}
	s->securebits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	return s->securebits < 0 ? -errno : 0;
}

static int restore_privs(const struct saved_privs *s)
{
	cap_t none;
	int r;

	for (int c = 0; c < s->n_caps; c++)
		if (!(s->bounding & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return -errno;
	if (prctl(PR_SET_SECUREBITS, s->securebits, 0, 0, 0) < 0)
		return -errno;
	/* and no capability until the exec, which would clear them anyway */
	none = cap_init();
	if (!none)
		return -errno;
	r = cap_set_proc(none);
	cap_free(none);
	return r < 0 ? -errno : 0;
}

int jailsh_enter_userns(char *msg, size_t msg_len)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_close_ int fd = -1;
	struct saved_privs saved = { 0 };
	int r;

	fd = (int)syscall(SYS_openat2, AT_FDCWD, JAIL_USERNS_PATH, &how, sizeof(how));
	if (fd < 0 && errno == ENOENT)
		return 0; /* the profile asks for none */
	if (fd < 0) {
		snprintf(msg, msg_len, "%s: %s", JAIL_USERNS_PATH, strerror(errno));
		return -errno;
	}
	r = check_namespace(fd, msg, msg_len);
	if (r < 0)
		return r;
	r = save_privs(&saved);
	if (r < 0) {
		snprintf(msg, msg_len, "reading the bounding set: %s", strerror(-r));
		return r;
	}
	if (setns(fd, CLONE_NEWUSER) < 0) {
		r = -errno;
		snprintf(msg, msg_len, "entering the user namespace: %s", strerror(errno));
		return r;
	}
	r = restore_privs(&saved);
	if (r < 0) {
		snprintf(msg, msg_len, "restoring the bounding set inside the user namespace: %s",
			 strerror(-r));
		return r;
	}
	return 1;
}
