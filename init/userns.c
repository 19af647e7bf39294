/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The jail's user namespace (profile option "user").
 *
 * DESIGN.md fact 8: a session's process (sshd's root monitor) cannot join a
 * user namespace without losing its host privileges for good, so only the
 * jail's own processes enter it, and jailsh is the one that moves them in.
 * The namespace is made here, by the keeper, and handed to the jail's PID 1,
 * which puts it where jailsh finds it and nothing outside the jail does:
 *
 *  1. A child of the keeper drops to the user's uid and gid, keeping only
 *     CAP_SYS_ADMIN, and unshare()s CLONE_NEWUSER. So the namespace is
 *     owned by the user (NS_GET_OWNER_UID), and the host's switches for
 *     unprivileged user namespaces (Debian's unprivileged_userns_clone,
 *     AppArmor's restriction) cannot refuse it: they let CAP_SYS_ADMIN by.
 *  2. The keeper (root) writes "deny" to its setgroups, so nobody inside
 *     can drop a supplementary group that denies access to something, and
 *     maps the user's own uid and primary gid to themselves, nothing else:
 *     root and every other user and group show as the overflow ids
 *     (65534, "nobody"), and no id inside means anything else outside.
 *  3. The child, which holds every capability in the new namespace, sets
 *     its user.max_user_namespaces to 0 (the limit is per user namespace
 *     and counted up the chain): nothing inside can make a nested user
 *     namespace, even where the profile turns the seccomp filter off.
 *  4. The keeper keeps an fd of the namespace; the child exits.
 *  5. The jail's PID 1 bind-mounts that fd onto JAIL_USERNS_PATH, a
 *     root-owned file on the jail's own /run: visible only in the jail's
 *     mount namespace, unremovable by the user (jailsh, see shell/userns.c).
 *
 * The keeper and PID 1 themselves never enter it: they keep their host
 * privileges.
 */
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/nsfs.h>

#include "jail_init.h"
#include "marker.h"

/* What the child reports on its pipe: the step that failed and errno, or
 * step 0 (the namespace exists). */
enum userns_step {
	STEP_DONE = 0,
	STEP_KEEPCAPS,
	STEP_IDS,
	STEP_CAPS,
	STEP_UNSHARE,
	STEP_WAIT,
	STEP_NESTING,
};

static const char *const step_names[] = {
	[STEP_DONE] = "done",
	[STEP_KEEPCAPS] = "PR_SET_KEEPCAPS",
	[STEP_IDS] = "dropping to the user's ids",
	[STEP_CAPS] = "keeping CAP_SYS_ADMIN",
	[STEP_UNSHARE] = "unshare(CLONE_NEWUSER)",
	[STEP_WAIT] = "waiting for the id maps",
	[STEP_NESTING] = "setting user.max_user_namespaces to 0 inside",
};

struct userns_report {
	int step;
	int error;
};

static void tell(int fd, enum userns_step step, int error)
{
	struct userns_report rep = { .step = step, .error = error };

	while (write(fd, &rep, sizeof(rep)) < 0 && errno == EINTR)
		;
}

static int keep_only_sys_admin(void)
{
	cap_value_t admin = CAP_SYS_ADMIN;
	cap_t caps = cap_init();
	int r;

	if (!caps)
		return -1;
	r = cap_set_flag(caps, CAP_PERMITTED, 1, &admin, CAP_SET);
	if (r == 0)
		r = cap_set_flag(caps, CAP_EFFECTIVE, 1, &admin, CAP_SET);
	if (r == 0)
		r = cap_set_proc(caps);
	cap_free(caps);
	return r;
}

static int forbid_nesting(void)
{
	_cleanup_close_ int fd = -1;
	char back[16];
	ssize_t n;

	fd = open("/proc/sys/user/max_user_namespaces", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, "0\n", 2) != 2)
		return -1;
	/* read it back: the limit is what stops nesting, so make sure */
	n = pread(fd, back, sizeof(back) - 1, 0);
	if (n <= 0)
		return -1;
	back[n] = '\0';
	if (strcmp(back, "0\n") != 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* The child: becomes the user (with CAP_SYS_ADMIN), makes the namespace,
 * waits until the keeper has written the maps, forbids nesting. It is a
 * fork of the keeper but runs no code of the user's and execs nothing. */
static void __attribute__((noreturn)) userns_child(uid_t uid, gid_t gid, int report_fd, int go_fd)
{
	char go;
	ssize_t n;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || prctl(PR_SET_KEEPCAPS, 1) < 0) {
		tell(report_fd, STEP_KEEPCAPS, errno);
		_exit(1);
	}
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		tell(report_fd, STEP_IDS, errno);
		_exit(1);
	}
	if (keep_only_sys_admin() < 0) {
		tell(report_fd, STEP_CAPS, errno);
		_exit(1);
	}
	if (unshare(CLONE_NEWUSER) < 0) {
		tell(report_fd, STEP_UNSHARE, errno);
		_exit(1);
	}
	tell(report_fd, STEP_DONE, 0);
	do
		n = read(go_fd, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		tell(report_fd, STEP_WAIT, n < 0 ? errno : EPIPE);
		_exit(1);
	}
	if (forbid_nesting() < 0) {
		tell(report_fd, STEP_NESTING, errno);
		_exit(1);
	}
	tell(report_fd, STEP_DONE, 0);
	_exit(0);
}

static int write_proc(pid_t pid, const char *file, const char *text, struct jail_error *err)
{
	_cleanup_close_ int fd = -1;
	char path[64];
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return jail_error_set(err, errno ? errno : EIO, "user namespace: %s: %s", file,
				      strerror(errno ? errno : EIO));
	return 0;
}

static int read_report(int fd, struct jail_error *err)
{
	struct userns_report rep;
	ssize_t n;

	do
		n = read(fd, &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(rep))
		return jail_error_set(err, ECHILD, "user namespace: the helper died");
	if (rep.step == STEP_DONE)
		return 0;
	if (rep.step < 0 || (size_t)rep.step >= JAIL_ARRAY_SIZE(step_names))
		return jail_error_set(err, EPROTO, "user namespace: bad report");
	return jail_error_set(err, rep.error, "user namespace: %s: %s", step_names[rep.step],
			      strerror(rep.error));
}

/* The maps and the fd, while the child waits in its new namespace. */
static int finish_in_parent(pid_t pid, uid_t uid, gid_t gid, int report_fd, int go_fd, int *ret_fd,
			    struct jail_error *err)
{
	_cleanup_close_ int ns = -1;
	char path[64], map[64];
	uid_t owner;
	int r;

	r = read_report(report_fd, err);
	if (r < 0)
		return r;
	/* Our own unreaped child: its PID cannot have been reused. (The
	 * ns entry is a magic link by nature: O_NOFOLLOW would refuse it.) */
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return jail_error_set(err, errno, "user namespace: %s: %s", path, strerror(errno));
	/* setgroups must be denied before the gid map is written. */
	r = write_proc(pid, "setgroups", "deny", err);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (r >= 0)
		r = write_proc(pid, "uid_map", map, err);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	if (r >= 0)
		r = write_proc(pid, "gid_map", map, err);
	if (r < 0)
		return r;
	if (write(go_fd, "m", 1) != 1)
		return jail_error_set(err, errno, "user namespace: %s", strerror(errno));
	r = read_report(report_fd, err);
	if (r < 0)
		return r;
	if (ioctl(ns, NS_GET_OWNER_UID, &owner) < 0 || owner != uid)
		return jail_error_set(err, EPROTO, "user namespace: not owned by uid %u",
				      (unsigned)uid);
	*ret_fd = steal_fd(&ns);
	return 0;
}

int jail_userns_create(uid_t uid, gid_t gid, int *ret_fd, struct jail_error *err)
{
	int report[2], go[2], status, r;
	pid_t pid;

	*ret_fd = -1;
	if (uid == 0 || gid == 0)
		/* root's namespace would map root: no protection, and the
		 * jail would show root as itself */
		return jail_error_set(err, EINVAL, "user namespace: not for uid or gid 0");
	if (pipe2(report, O_CLOEXEC) < 0)
		return jail_error_set(err, errno, "pipe: %s", strerror(errno));
	if (pipe2(go, O_CLOEXEC) < 0) {
		r = jail_error_set(err, errno, "pipe: %s", strerror(errno));
		close(report[0]);
		close(report[1]);
		return r;
	}
	pid = fork();
	if (pid == 0) {
		close(report[0]);
		close(go[1]);
		userns_child(uid, gid, report[1], go[0]);
	}
	close(report[1]);
	close(go[0]);
	if (pid < 0)
		r = jail_error_set(err, errno, "fork: %s", strerror(errno));
	else
		r = finish_in_parent(pid, uid, gid, report[0], go[1], ret_fd, err);
	close(report[0]);
	close(go[1]); /* a child still waiting reads EOF and exits */
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR) {
				status = -1;
				break;
			}
		if (r >= 0 && (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0))
			r = jail_error_set(err, ECHILD, "user namespace: the helper failed");
	}
	if (r < 0)
		jail_closep(ret_fd);
	if (r < 0)
		*ret_fd = -1;
	return r;
}

int jail_userns_publish(int userns_fd, struct jail_error *err)
{
	_cleanup_close_ int dir = -1, file = -1, tree = -1;
	const char *name = JAIL_USERNS_PATH + sizeof(JAIL_MARKER_DIR); /* "userns" */
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			    MOUNT_ATTR_NOEXEC,
	};

	/* PID 1 alone is in the jail yet: nothing can race these. */
	dir = open(JAIL_MARKER_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return jail_error_set(err, errno, "user namespace: %s: %s", JAIL_MARKER_DIR,
				      strerror(errno));
	file = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (file < 0)
		return jail_error_set(err, errno, "user namespace: %s: %s", JAIL_USERNS_PATH,
				      strerror(errno));
	tree = open_tree(userns_fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return jail_error_set(err, errno, "user namespace: open_tree: %s", strerror(errno));
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return jail_error_set(err, errno, "user namespace: mount_setattr: %s",
				      strerror(errno));
	if (move_mount(tree, "", dir, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return jail_error_set(err, errno, "user namespace: bind onto %s: %s",
				      JAIL_USERNS_PATH, strerror(errno));
	return 0;
}
