/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building the jail's root, in the jail's own mount namespace, from fds.
 *
 * The recipe (jail_root_build at the end reads as the list):
 *   1. make every mount private, so nothing we do propagates to the host;
 *   2. open what we need from the host while it is still reachable: device
 *      nodes, bind sources (each walked by fd, no symlink followed);
 *   3. clone the root (host / or a prepared tree, every path component
 *      root-owned and not group/other writable) recursively and make the
 *      whole clone read-only, nosuid, nodev;
 *   4. put fresh mounts on it: hidden paths, /proc, /dev, /tmp, /var/tmp,
 *      /run with the marker, the name-service sockets (jail_nss.c), home,
 *      extra binds; every mount point is reached component by component
 *      with O_NOFOLLOW from the new root's fd, so a symlink (a user's home
 *      replaced by a link to /etc, say) is refused rather than followed
 *      (the CVE-2025-6020 class of path races);
 *   5. pivot_root into it and detach the old root. pivot_root, not chroot:
 *      a chroot leaves the old root reachable (chroot("x"); chdir("../..")
 *      escapes), a detached old root is gone from the namespace entirely.
 *
 * The new mount API (open_tree, fsopen/fsmount, mount_setattr, move_mount)
 * works on mount fds, so nothing is looked up by path twice.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include "jail_init.h"
#include "jail_net.h"
#include "marker.h"
#include "safepath.h"
#include "tree_trust.h"

#define DEV_SIZE  (64 * 1024)
#define HIDE_SIZE (64 * 1024)
#define MAX_HIDES 256

static int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/* mount_setattr on the mount (tree) behind `fd`. */
static int set_attrs(int fd, uint64_t set, uint64_t clr, bool recursive, const char *what,
		     struct jail_error *err)
{
	struct mount_attr a = { .attr_set = set, .attr_clr = clr, .propagation = MS_PRIVATE };

	if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a)) <
	    0)
		return jail_error_set(err, errno, "%s: mount_setattr: %s", what, strerror(errno));
	return 0;
}

/* A detached clone of the tree at `fd` (AT_EMPTY_PATH) or of `path`. */
static int clone_tree(int fd, const char *path, bool recursive, const char *what,
		      struct jail_error *err)
{
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW;
	int m;

	if (recursive)
		flags |= AT_RECURSIVE;
	if (!path || !*path)
		flags |= AT_EMPTY_PATH;
	m = open_tree(fd, path ? path : "", flags);
	if (m < 0)
		return jail_error_set(err, errno, "%s: open_tree: %s", what, strerror(errno));
	return m;
}

/* A new, detached filesystem instance: "tmpfs", "proc", "devpts". `opts` are
 * key=value pairs, NULL-terminated; a key without '=' is a flag. */
static int new_fs(const char *type, const char *const *opts, uint64_t attrs, const char *what,
		  struct jail_error *err)
{
	_cleanup_close_ int fs = -1;
	int m;

	fs = fsopen(type, FSOPEN_CLOEXEC);
	if (fs < 0)
		return jail_error_set(err, errno, "%s: fsopen %s: %s", what, type, strerror(errno));
	for (size_t i = 0; opts && opts[i]; i++) {
		char key[64];
		const char *eq = strchr(opts[i], '=');
		int r;
		if (!eq) {
			r = fsconfig(fs, FSCONFIG_SET_FLAG, opts[i], NULL, 0);
		} else {
			snprintf(key, sizeof(key), "%.*s", (int)(eq - opts[i]), opts[i]);
			r = fsconfig(fs, FSCONFIG_SET_STRING, key, eq + 1, 0);
		}
		if (r < 0)
			return jail_error_set(err, errno, "%s: %s option '%s': %s", what, type,
					      opts[i], strerror(errno));
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return jail_error_set(err, errno, "%s: creating %s: %s", what, type,
				      strerror(errno));
	m = fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attrs);
	if (m < 0)
		return jail_error_set(err, errno, "%s: fsmount %s: %s", what, type,
				      strerror(errno));
	return m;
}

static int new_tmpfs(uint64_t size, mode_t mode, uid_t uid, gid_t gid, uint64_t attrs,
		     const char *what, struct jail_error *err)
{
	char o_size[40], o_mode[16], o_uid[24], o_gid[24];
	const char *opts[5] = { o_mode, o_uid, o_gid, NULL, NULL };

	snprintf(o_mode, sizeof(o_mode), "mode=%04o", (unsigned)mode);
	snprintf(o_uid, sizeof(o_uid), "uid=%u", (unsigned)uid);
	snprintf(o_gid, sizeof(o_gid), "gid=%u", (unsigned)gid);
	if (size > 0) {
		snprintf(o_size, sizeof(o_size), "size=%" PRIu64, size);
		opts[3] = o_size;
	}
	return new_fs("tmpfs", opts, attrs, what, err);
}

enum mountpoint_kind { MP_EXISTING, MP_DIR, MP_FILE };

/*
 * Open the mount point `path` (absolute, inside the jail) below `root`, one
 * component at a time, never following a symlink. Missing components are
 * created (directories 0755, a last-component file 0644) unless
 * MP_EXISTING; on the read-only clone that fails with EROFS, which is the
 * right answer: the tree must have the mount point. Returns an O_PATH fd,
 * or -ENOENT (MP_EXISTING, path missing) with err set.
 */
static int open_mountpoint(int root, const char *path, enum mountpoint_kind kind,
			   struct jail_error *err)
{
	const struct jail_walk w = {
		.open_flags = O_PATH,
		.flags = (kind == MP_DIR ? JAIL_SAFE_DIRECTORY : 0) |
			 (kind != MP_EXISTING ? JAIL_SAFE_CREATE : 0) |
			 (kind == MP_FILE ? JAIL_SAFE_CREATE_FILE : 0),
		.mode = 0755, /* a file: 0644 */
		.shown = "",
	};
	struct jail_error e = { 0 };
	struct stat st;
	int fd;

	if (!jail_path_is_clean_absolute(path))
		return jail_error_set(err, EINVAL, "mount point '%s' is not a clean absolute path",
				      path);
	/* Covering the jail's / (a home of "/", a bind onto "/") would replace
	 * the read-only root the policy asked for. */
	if (strspn(path, "/") == strlen(path))
		return jail_error_set(err, EINVAL, "cannot mount over the jail's /");
	fd = jail_safe_walk(root, path, &w, &st, &e);
	if (fd < 0)
		return jail_error_set(err, -fd, "mount point %s", e.message);
	if (kind == MP_FILE && S_ISDIR(st.st_mode)) {
		close(fd);
		return jail_error_set(err, EISDIR, "mount point '%s' is a directory", path);
	}
	return fd;
}

/* Attach the detached mount `mnt` at `path` below `root`. */
static int attach_at(int mnt, int root, const char *path, enum mountpoint_kind kind,
		     struct jail_error *err)
{
	_cleanup_close_ int target = -1;

	target = open_mountpoint(root, path, kind, err);
	if (target < 0)
		return target;
	if (move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return jail_error_set(err, errno, "mounting on '%s': %s", path, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------ /dev */

struct devnode {
	const char *name;
	unsigned major, minor;
};

static const struct devnode devnodes[] = {
	{ "null", 1, 3 },   { "zero", 1, 5 },	 { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

/* Clones of the host's device nodes, each checked to be the device it is
 * named after (a host /dev/null replaced by a file is refused). */
static int open_devnodes(int *ret, gid_t *ret_tty_gid, struct jail_error *err)
{
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(devnodes); i++) {
		char path[32], what[48];
		struct stat st;

		snprintf(path, sizeof(path), "/dev/%s", devnodes[i].name);
		snprintf(what, sizeof(what), "device %s", path);
		ret[i] = clone_tree(AT_FDCWD, path, false, what, err);
		if (ret[i] < 0)
			return ret[i];
		if (fstat(ret[i], &st) < 0 || !S_ISCHR(st.st_mode) ||
		    major(st.st_rdev) != devnodes[i].major ||
		    minor(st.st_rdev) != devnodes[i].minor)
			return jail_error_set(err, EPERM, "'%s' is not the expected device", path);
		if (strcmp(devnodes[i].name, "tty") == 0)
			*ret_tty_gid = st.st_gid; /* the tty group, for devpts */
		/* nodev would make them useless; nosuid/noexec cost nothing */
		int r = set_attrs(ret[i], MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, MOUNT_ATTR_NODEV,
				  false, what, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The keeper's socket gets its one name: "log" in this fresh /dev, which
 * only we write to (keeper_syslog.h). bind() takes a path, so the name is
 * made relative to a cwd set by fd (no host path is ever resolved), and the
 * cwd is put back after. 0666: every jailed process may log, as on the
 * host; the keeper learns who did from the kernel, not from the line. A
 * socket on the read-only /dev still takes connect() (only files,
 * directories and symlinks are refused writes on a read-only mount). */
static int bind_dev_log(int dev, int log_fd, struct jail_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "log" };
	_cleanup_close_ int cwd = -1;
	int r = 0;

	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return jail_error_set(err, errno, "/dev/log: %s", strerror(errno));
	if (fchdir(dev) < 0)
		return jail_error_set(err, errno, "/dev/log: fchdir: %s", strerror(errno));
	if (bind(log_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		r = jail_error_set(err, errno, "/dev/log: bind: %s", strerror(errno));
	if (fchdir(cwd) < 0 && r == 0)
		r = jail_error_set(err, errno, "/dev/log: fchdir back: %s", strerror(errno));
	if (r == 0 && fchmodat(dev, "log", 0666, 0) < 0)
		r = jail_error_set(err, errno, "/dev/log: chmod: %s", strerror(errno));
	return r;
}

static int build_dev(int root, const int *nodes, gid_t tty_gid, uint64_t shm_size, int log_fd,
		     struct jail_error *err)
{
	static const char *const links[][2] = {
		{ "pts/ptmx", "ptmx" },		 { "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" },	 { "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" },
	};
	_cleanup_close_ int dev = -1, pts = -1, shm = -1;
	char o_gid[24];
	const char *pts_opts[] = { "newinstance", "ptmxmode=0666", "mode=0620", o_gid, NULL };
	int r;

	/* Only the nodes below: no host device is reachable (the host's /dev
	 * would give disks to anyone who got root inside). */
	dev = new_tmpfs(DEV_SIZE, 0755, 0, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, "/dev", err);
	if (dev < 0)
		return dev;
	r = attach_at(dev, root, "/dev", MP_DIR, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(devnodes); i++) {
		const char *name = devnodes[i].name;
		int f = openat(dev, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       0666);
		if (f < 0)
			return jail_error_set(err, errno, "/dev/%s: %s", name, strerror(errno));
		close(f);
		/* `dev` is a fresh tmpfs only we write to: the name is safe */
		if (move_mount(nodes[i], "", dev, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return jail_error_set(err, errno, "/dev/%s: move_mount: %s", name,
					      strerror(errno));
	}
	/* A devpts instance of our own: the jail sees only its own ptys, and
	 * sshd's monitor (inside, fact 2) allocates them here. */
	snprintf(o_gid, sizeof(o_gid), "gid=%u", (unsigned)tty_gid);
	pts = new_fs("devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, "/dev/pts", err);
	if (pts < 0)
		return pts;
	if (mkdirat(dev, "pts", 0755) < 0)
		return jail_error_set(err, errno, "/dev/pts: %s", strerror(errno));
	if (move_mount(pts, "", dev, "pts", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return jail_error_set(err, errno, "/dev/pts: move_mount: %s", strerror(errno));
	shm = new_tmpfs(shm_size, 01777, 0, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, "/dev/shm",
			err);
	if (shm < 0)
		return shm;
	if (mkdirat(dev, "shm", 0755) < 0)
		return jail_error_set(err, errno, "/dev/shm: %s", strerror(errno));
	if (move_mount(shm, "", dev, "shm", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return jail_error_set(err, errno, "/dev/shm: move_mount: %s", strerror(errno));
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][0], dev, links[i][1]) < 0)
			return jail_error_set(err, errno, "/dev/%s: %s", links[i][1],
					      strerror(errno));
	if (log_fd >= 0) {
		r = bind_dev_log(dev, log_fd, err);
		if (r < 0)
			return r;
	}
	/* Done: nobody, not even root inside, adds device nodes later. */
	return set_attrs(dev, MOUNT_ATTR_RDONLY, 0, false, "/dev", err);
}

/* ------------------------------------------------------------ /run + marker */

static int write_marker(int run, const struct jail_policy *p, const char *id,
			const struct stat *mntns, struct jail_error *err)
{
	struct jail_marker *m = NULL;
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int dir = -1, f = -1;
	size_t len = 0;
	const char *name = JAIL_MARKER_PATH + sizeof(JAIL_MARKER_DIR); /* "jail" */
	int r;

	r = jail_marker_from_policy(p, id, (uint64_t)mntns->st_dev, (uint64_t)mntns->st_ino, &m);
	if (r < 0)
		return jail_error_set(err, -r, "marker: %s", strerror(-r));
	r = jail_marker_format(m, &buf, &len);
	jail_marker_free(m);
	if (r < 0)
		return jail_error_set(err, -r, "marker: %s", strerror(-r));
	/* JAIL_MARKER_DIR is "/run/<dir>": made in the fresh /run tmpfs. */
	const char *dirname = JAIL_MARKER_DIR + strlen("/run/");
	if (mkdirat(run, dirname, 0755) < 0)
		return jail_error_set(err, errno, "marker dir: %s", strerror(errno));
	dir = openat(run, dirname, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return jail_error_set(err, errno, "marker dir: %s", strerror(errno));
	f = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (f < 0)
		return jail_error_set(err, errno, "marker: %s", strerror(errno));
	for (size_t off = 0; off < len;) {
		ssize_t n = write(f, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return jail_error_set(err, n < 0 ? errno : EIO, "marker: write: %s",
					      strerror(n < 0 ? errno : EIO));
		off += (size_t)n;
	}
	if (fchmod(f, 0444) < 0)
		return jail_error_set(err, errno, "marker: %s", strerror(errno));
	return 0;
}

/* The user's runtime directory, /run/user/UID (XDG_RUNTIME_DIR, which
 * pam_systemd sets), made in the jail's fresh /run: the user's, 0700, empty.
 * Private, not a bind of the host's: logind's /run/user/UID holds the
 * sockets of the user's systemd --user and D-Bus, which live on the host
 * (pam_jail declines the user manager of a jailed user, but a by-hand
 * stack may not), and one connect() to them runs commands outside the jail.
 * The jail's sessions share it, as a user's sessions share logind's. */
static int make_runtime_dir(int run, const struct jail_policy *p, struct jail_error *err)
{
	_cleanup_close_ int user = -1, dir = -1;
	char name[16];

	snprintf(name, sizeof(name), "%u", (unsigned)p->uid);
	if (mkdirat(run, "user", 0755) < 0 ||
	    (user = openat(run, "user", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return jail_error_set(err, errno, "/run/user: %s", strerror(errno));
	if (mkdirat(user, name, 0700) < 0 ||
	    (dir = openat(user, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fchown(dir, p->uid, p->gid) < 0 || fchmod(dir, 0700) < 0)
		return jail_error_set(err, errno, "/run/user/%s: %s", name, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------ binds */

struct prepared_bind {
	int mnt; /* detached clone, -1: skipped (optional and missing) */
	bool is_dir;
	const char *target;
};

/* Open a bind source on the host. No symlink anywhere on the path is
 * followed (jail_safe_open refuses them), so a user who can write a
 * directory on the way cannot redirect the mount to a file of their choice. */
static int prepare_bind(const char *source, bool writable, bool optional, struct prepared_bind *ret,
			struct jail_error *err)
{
	_cleanup_close_ int src = -1;
	struct jail_error e = { 0 };
	struct stat st;
	char what[PATH_MAX + 16];
	int r;

	ret->mnt = -1;
	snprintf(what, sizeof(what), "bind '%s'", source);
	src = jail_safe_open(source, O_PATH, 0, 0, &st, &e);
	if (src < 0) {
		if (src == -ENOENT && optional)
			return 0;
		return jail_error_set(err, -src, "bind source: %s", e.message);
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return jail_error_set(err, EINVAL, "bind source '%s' is not a file or directory",
				      source);
	ret->is_dir = S_ISDIR(st.st_mode);
	ret->mnt = clone_tree(src, "", true, what, err);
	if (ret->mnt < 0)
		return ret->mnt;
	r = set_attrs(ret->mnt,
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (writable ? 0 : MOUNT_ATTR_RDONLY), 0,
		      true, what, err);
	return r;
}

/* ------------------------------------------------------------ login records */

/*
 * The keeper's files for the jail's utmp, wtmp and lastlog (keeper_utmp.h),
 * over the paths glibc and sshd write. sshd's monitor (root, inside) writes
 * them, the keeper copies what they say to the host's files, and the jail
 * sees its own logins only: the host's wtmp and lastlog (readable by all
 * on the host) are covered, the host's utmp never was in the fresh /run.
 * /var/run/utmp is bound too where it is not the same file (a tree whose
 * /var/run is a directory; the usual symlink to /run is refused by the
 * walk, as any symlink is, and skipped). A tree without /var/log/wtmp or
 * /var/log/lastlog gets none (its root is read-only): that jail's logins
 * reach only the host's utmp, which is said in pam_jail(8).
 */
static int bind_records(int root, const int *records, struct jail_error *err)
{
	static const struct {
		enum jail_record_file file;
		const char *path;
		bool make; /* in the jail's own /run: made; elsewhere: if there */
	} where[] = {
		{ JAIL_RECORD_UTMP, "/run/utmp", true },
		{ JAIL_RECORD_UTMP, "/var/run/utmp", false },
		{ JAIL_RECORD_WTMP, "/var/log/wtmp", false },
		{ JAIL_RECORD_LASTLOG, "/var/log/lastlog", false },
	};
	int attached[JAIL_RECORDS_N] = { -1, -1, -1 };
	int r = 0;

	for (size_t i = 0; i < JAIL_ARRAY_SIZE(where) && r >= 0; i++) {
		enum jail_record_file f = where[i].file;
		struct jail_error e = { 0 };
		int m;

		if (!records || records[f] < 0)
			continue;
		/* The keeper's detached mount the first time; a second path of
		 * the same file gets a clone of the first, now attached here. */
		if (attached[f] < 0)
			m = fcntl(records[f], F_DUPFD_CLOEXEC, 3);
		else
			m = clone_tree(attached[f], "", false, where[i].path, err);
		if (m < 0) {
			r = attached[f] < 0 ? jail_error_set(err, errno, "%s: dup: %s",
							     where[i].path, strerror(errno))
					    : m;
			break;
		}
		r = set_attrs(m, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0, false,
			      where[i].path, err);
		if (r >= 0)
			r = attach_at(m, root, where[i].path, where[i].make ? MP_FILE : MP_EXISTING,
				      &e);
		if (r < 0 && !where[i].make && (r == -ENOENT || r == -ELOOP || r == -ENOTDIR)) {
			close(m);
			r = 0;
			continue;
		}
		if (r < 0) {
			if (e.message[0])
				jail_error_set(err, -r, "login records: %s", e.message);
			close(m);
			break;
		}
		if (attached[f] < 0)
			attached[f] = m;
		else
			close(m);
	}
	for (int f = 0; f < JAIL_RECORDS_N; f++)
		jail_closep(&attached[f]);
	return r;
}

/* ------------------------------------------------------------ the recipe */

struct root_build {
	int devnodes[JAIL_ARRAY_SIZE(devnodes)];
	struct prepared_bind *binds;
	size_t n_binds;
	struct prepared_bind home;
	struct prepared_bind *persist; /* tmpfs home: one per p->persist entry */
	size_t n_persist;
	int hides[MAX_HIDES];
	size_t n_hides;
	int root;
};

static void root_build_free(struct root_build *b)
{
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(b->devnodes); i++)
		jail_closep(&b->devnodes[i]);
	for (size_t i = 0; i < b->n_binds; i++)
		jail_closep(&b->binds[i].mnt);
	free(b->binds);
	jail_closep(&b->home.mnt);
	for (size_t i = 0; i < b->n_persist; i++)
		jail_closep(&b->persist[i].mnt);
	free(b->persist);
	for (size_t i = 0; i < b->n_hides; i++)
		jail_closep(&b->hides[i]);
	jail_closep(&b->root);
}

static int open_root(const struct jail_policy *p, struct jail_error *err)
{
	_cleanup_close_ int dir = -1;
	int m, r;

	if (p->root_kind == JAIL_ROOT_TREE) {
		struct jail_error e = { 0 };
		if (!p->root_path)
			return jail_error_set(err, EINVAL, "jail root: no path");
		/* OpenSSH's ChrootDirectory rule: whoever can write a component
		 * of the root can replace the jail's /etc or its binaries. */
		dir = jail_safe_open(p->root_path, O_PATH, JAIL_SAFE_TRUSTED | JAIL_SAFE_DIRECTORY,
				     0, NULL, &e);
		if (dir < 0)
			return jail_error_set(err, -dir, "jail root: %s", e.message);
		/* And everything below it (issue 8): a user owning the tree's
		 * /usr/bin, or a file in it, swaps what other jailed users
		 * run. One walk per jail build (tree_trust.c: why it is
		 * sound and what it costs); the host root is the host's own
		 * and is not walked. What step 4 covers (tmp/, run/, ...)
		 * is not walked either: a user's file in the tree's tmp/
		 * must not refuse logins. */
		long seen = jail_tree_check_trusted(dir, p->root_path, 0, &e);
		if (seen < 0)
			return jail_error_set(err, (int)-seen, "jail root: %s", e.message);
		m = clone_tree(dir, "", true, "jail root", err);
	} else {
		m = clone_tree(AT_FDCWD, "/", true, "host root", err);
	}
	if (m < 0)
		return m;
	/* Every submount too: a writable or suid submount of the host
	 * (/home, /var, removable media) must not come in as it is. */
	r = set_attrs(m, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, true,
		      "jail root", err);
	if (r < 0) {
		close(m);
		return r;
	}
	return m;
}

/* Is `path` strictly below the directory `dir` ("/a/b" is below "/a")? */
static bool path_is_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 0 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

/*
 * Does the build make a mount point below the hidden directory `dir`? Then
 * the directory needs a writable tmpfs of its own while the root is built
 * (the mount points are made in it; it goes read-only in finish_hides).
 * Conservative: every place a later step may attach something, whether or
 * not it will (a wrong "no" only fails the build with EROFS; it never
 * exposes anything).
 */
static bool hide_needs_own_tmpfs(const struct jail_policy *p, const char *dir)
{
	static const char *const fixed[] = {
		"/proc",
		"/dev",
		"/tmp",
		"/var/tmp",
		"/run",
		"/etc/resolv.conf",
		/* login records (bind_records) and NSS (jail_nss.c; "/x": it
		 * makes entries inside these directories) */
		"/var/run/utmp",
		"/var/log/wtmp",
		"/var/log/lastlog",
		"/var/lib/sss/pipes/x",
		"/var/lib/sss/mc/x",
	};

	for (size_t i = 0; i < JAIL_ARRAY_SIZE(fixed); i++)
		if (path_is_below(fixed[i], dir))
			return true;
	if (p->home && path_is_below(p->home, dir))
		return true;
	for (size_t i = 0; i < p->n_binds; i++)
		if (p->binds[i].target && path_is_below(p->binds[i].target, dir))
			return true;
	return false;
}

/*
 * Cover each hidden path. A directory that nothing is mounted below gets a
 * clone of one empty read-only tmpfs made for this jail (one open_tree
 * each, instead of a tmpfs with its own superblock: fsopen, four
 * fsconfig, fsmount); the clones share that superblock, which is empty,
 * read-only, root's, and this jail's alone. A directory with later mount
 * points below it gets a writable tmpfs of its own (hide_needs_own_tmpfs).
 *
 * Cloning a detached mount (the empty tmpfs is one, and so is the root
 * being built) is refused with EINVAL before Linux 6.15: Debian 12's 6.1
 * and Debian 13's 6.12 refuse it. There each such directory gets an empty
 * read-only tmpfs of its own, as before the sharing: the same cover, one
 * superblock more each.
 */
static int hide_empty_dir(int *empty, bool *clones_refused, const char *path,
			  struct jail_error *err)
{
	const uint64_t attrs =
		MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	int m;

	if (!*clones_refused) {
		if (*empty < 0) {
			*empty = new_tmpfs(HIDE_SIZE, 0755, 0, 0, attrs, "hidden paths", err);
			if (*empty < 0)
				return *empty;
		}
		m = clone_tree(*empty, "", false, path, err);
		if (m != -EINVAL)
			return m;
		*err = (struct jail_error){ 0 }; /* answered below instead */
		*clones_refused = true;
	}
	return new_tmpfs(HIDE_SIZE, 0755, 0, 0, attrs, path, err);
}

static int hide_paths(struct root_build *b, const struct jail_policy *p, struct jail_error *err)
{
	_cleanup_close_ int empty = -1;
	bool clones_refused = false;

	for (size_t i = 0; p->hide && p->hide[i]; i++) {
		const char *path = p->hide[i];
		struct jail_error e = { 0 };
		_cleanup_close_ int target = -1;
		struct stat st;
		int m;

		if (b->n_hides >= MAX_HIDES)
			return jail_error_set(err, E2BIG, "too many hidden paths");
		target = open_mountpoint(b->root, path, MP_EXISTING, &e);
		if (target == -ENOENT)
			continue; /* nothing there to hide */
		if (target < 0)
			return jail_error_set(err, -target, "hide: %s", e.message);
		if (fstat(target, &st) < 0)
			return jail_error_set(err, errno, "hide '%s': %s", path, strerror(errno));
		if (S_ISDIR(st.st_mode) && hide_needs_own_tmpfs(p, path)) {
			/* Writable for now: mount points of later mounts (a home
			 * under a hidden /home) are made in it, then it goes
			 * read-only (finish_hides). */
			m = new_tmpfs(HIDE_SIZE, 0755, 0, 0,
				      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
				      path, err);
		} else if (S_ISDIR(st.st_mode)) {
			m = hide_empty_dir(&empty, &clones_refused, path, err);
		} else {
			/* A file is covered by /dev/null on a nodev mount:
			 * neither its content nor the device is reachable. */
			m = clone_tree(AT_FDCWD, "/dev/null", false, path, err);
			if (m >= 0 && set_attrs(m,
						MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
							MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
						0, false, path, err) < 0) {
				close(m);
				m = -EPERM;
			}
		}
		if (m < 0)
			return m;
		b->hides[b->n_hides++] = m;
		if (move_mount(m, "", target, "",
			       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return jail_error_set(err, errno, "hide '%s': %s", path, strerror(errno));
	}
	return 0;
}

/* Read-only, each hide (the clones of the empty tmpfs already are: setting
 * it again is one cheap call, and keeps this the one place that makes sure). */
static int finish_hides(struct root_build *b, struct jail_error *err)
{
	for (size_t i = 0; i < b->n_hides; i++) {
		int r = set_attrs(b->hides[i], MOUNT_ATTR_RDONLY, 0, false, "hidden path", err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int mount_proc(int root, struct jail_error *err)
{
	_cleanup_close_ int m = -1;

	/* A proc of the jail's PID namespace (fsopen takes the caller's):
	 * only the jail's processes are visible. */
	static const char *const kernel_knobs[] = { "sys", "sysrq-trigger", "irq", "bus" };
	int r;

	m = new_fs("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "/proc",
		   err);
	if (m < 0)
		return m;
	r = attach_at(m, root, "/proc", MP_DIR, err);
	if (r < 0)
		return r;
	/* These are the whole machine's, not the jail's: read-only (as
	 * bubblewrap does), so not even root inside (sshd's monitor) can turn
	 * a kernel knob. `m` names the proc root we just mounted. */
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(kernel_knobs); i++) {
		_cleanup_close_ int knob = -1;
		char what[48];

		snprintf(what, sizeof(what), "/proc/%s", kernel_knobs[i]);
		knob = open_tree(m, kernel_knobs[i],
				 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
		if (knob < 0 && errno == ENOENT)
			continue;
		if (knob < 0)
			return jail_error_set(err, errno, "%s: open_tree: %s", what,
					      strerror(errno));
		r = set_attrs(knob,
			      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				      MOUNT_ATTR_NOEXEC,
			      0, false, what, err);
		if (r < 0)
			return r;
		if (move_mount(knob, "", m, kernel_knobs[i], MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return jail_error_set(err, errno, "%s: move_mount: %s", what,
					      strerror(errno));
	}
	return 0;
}

/* The jail's own /var/tmp, a fresh tmpfs like /tmp (01777, tmp.size): the
 * host's is readable in the cloned root and holds what every other user left
 * there, and programs expect to write to it. Its own instance, as /tmp and
 * /dev/shm are, rather than a directory of /tmp bound here: that needs a
 * clone of a subdirectory of the new tmpfs, which older kernels (Debian 12's
 * 6.1) refuse while the tmpfs is detached, so /tmp's root would have to be
 * attached first and then covered.
 *
 * The mount point is reached like every other, with no symlink followed: a
 * link there (the tree's or the host's) is refused, since what it names
 * after the pivot may be a directory all jails share. A root with no
 * /var/tmp (a tree without one, /var in root.hide) gets none: nothing of the
 * host's is there to cover, and the read-only root takes no new mount point. */
static int mount_var_tmp(int root, uint64_t size, struct jail_error *err)
{
	_cleanup_close_ int target = -1, m = -1;
	struct jail_error e = { 0 };
	struct stat st;

	target = open_mountpoint(root, "/var/tmp", MP_EXISTING, &e);
	if (target == -ENOENT)
		return 0;
	if (target < 0)
		return jail_error_set(err, -target, "private /var/tmp: %s", e.message);
	if (fstat(target, &st) < 0)
		return jail_error_set(err, errno, "private /var/tmp: %s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return jail_error_set(err, ENOTDIR, "private /var/tmp: not a directory");
	m = new_tmpfs(size, 01777, 0, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, "/var/tmp", err);
	if (m < 0)
		return m;
	if (move_mount(m, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return jail_error_set(err, errno, "mounting on '/var/tmp': %s", strerror(errno));
	return 0;
}

/* Open (making it if missing) the directory `sub` below the home `home`
 * (the user's real home, for a persistent bind's source, or the fresh
 * tmpfs home, for its mount point). The home and everything in it belong
 * to the user, so the walk follows no symlink (O_NOFOLLOW on every
 * component, through jail_safe_walk), and a directory we have to make is
 * made, opened without following anything and only then given to the user:
 * swapping a name for a symlink meanwhile makes the open fail, not follow.
 * `what` starts the error message. */
static int open_user_dir(int home, const char *sub, uid_t uid, gid_t gid, const char *what,
			 struct jail_error *err)
{
	const struct jail_walk w = {
		.open_flags = O_PATH | O_DIRECTORY,
		.flags = JAIL_SAFE_DIRECTORY | JAIL_SAFE_CREATE,
		.mode = 0700,
		.uid = uid,
		.gid = gid,
	};
	struct jail_error e = { 0 };
	int fd;

	fd = jail_safe_walk(home, sub, &w, NULL, &e);
	if (fd < 0)
		return jail_error_set(err, -fd, "%s '%s': %s", what, sub, e.message);
	return fd;
}

/* Step 2 for persistent directories: clone each from the real home while
 * the host is reachable. A jail that asks for persistence and cannot have it
 * is refused: the user's work would silently land in a tmpfs and be lost. */
static int prepare_persist(struct root_build *b, const struct jail_policy *p,
			   struct jail_error *err)
{
	_cleanup_close_ int home = -1;
	struct jail_error e = { 0 };
	size_t n = 0;

	while (p->persist && p->persist[n])
		n++;
	if (n == 0 || p->home_mode != JAIL_HOME_TMPFS)
		return 0;
	b->persist = calloc(n, sizeof(*b->persist));
	if (!b->persist)
		return jail_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		b->persist[i].mnt = -1;
	b->n_persist = n;
	home = jail_safe_open(p->home, O_PATH | O_DIRECTORY, JAIL_SAFE_DIRECTORY, 0, NULL, &e);
	if (home < 0)
		return jail_error_set(err, -home, "persistent directories: real home: %s",
				      e.message);
	for (size_t i = 0; i < n; i++) {
		_cleanup_close_ int src = -1;
		char what[PATH_MAX + 32];
		int r;

		src = open_user_dir(home, p->persist[i], p->uid, p->gid, "persistent directory",
				    err);
		if (src < 0)
			return src;
		snprintf(what, sizeof(what), "persistent directory '%s'", p->persist[i]);
		b->persist[i].mnt = clone_tree(src, "", false, what, err);
		if (b->persist[i].mnt < 0)
			return b->persist[i].mnt;
		b->persist[i].is_dir = true;
		b->persist[i].target = p->persist[i];
		r = set_attrs(b->persist[i].mnt, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, false,
			      what, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* In the fresh tmpfs home (its mount fd), the directories the persistent
 * binds go on, owned by the user so the home stays theirs to arrange. */
static int make_persist_mountpoints(int home, const struct root_build *b, uid_t uid, gid_t gid,
				    struct jail_error *err)
{
	for (size_t i = 0; i < b->n_persist; i++) {
		int fd = open_user_dir(home, b->persist[i].target, uid, gid,
				       "home: persistent directory", err);
		if (fd < 0)
			return fd;
		close(fd);
	}
	return 0;
}

static int mount_home(struct root_build *b, const struct jail_policy *p, struct jail_error *err)
{
	_cleanup_close_ int m = -1;
	int r;

	if (p->home_mode == JAIL_HOME_BIND) {
		if (b->home.mnt < 0)
			return jail_error_set(err, ENOENT, "home '%s' does not exist", p->home);
		return attach_at(b->home.mnt, b->root, p->home, MP_DIR, err);
	}
	m = new_tmpfs(p->home_size_bytes, 0700, p->uid, p->gid,
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, "home", err);
	if (m < 0)
		return m;
	r = make_persist_mountpoints(m, b, p->uid, p->gid, err);
	if (r < 0)
		return r;
	r = attach_at(m, b->root, p->home, MP_DIR, err);
	for (size_t i = 0; r >= 0 && i < b->n_persist; i++) {
		char target[PATH_MAX];

		if (snprintf(target, sizeof(target), "%s/%s", p->home, b->persist[i].target) >=
		    (int)sizeof(target))
			return jail_error_set(err, ENAMETOOLONG, "persistent directory '%s'",
					      b->persist[i].target);
		r = attach_at(b->persist[i].mnt, b->root, target, MP_EXISTING, err);
	}
	return r;
}

/* The fd-anchored pivot (bubblewrap's): the new root is named by our cwd,
 * never by a path, and the old root is detached, not just hidden. */
static int pivot(int root, struct jail_error *err)
{
	if (fchdir(root) < 0)
		return jail_error_set(err, errno, "pivot: fchdir: %s", strerror(errno));
	if (sys_pivot_root(".", ".") < 0)
		return jail_error_set(err, errno, "pivot_root: %s", strerror(errno));
	/* The old root is now stacked on "."; detach it and everything below. */
	if (umount2(".", MNT_DETACH) < 0)
		return jail_error_set(err, errno, "detaching the old root: %s", strerror(errno));
	if (chdir("/") < 0)
		return jail_error_set(err, errno, "pivot: chdir /: %s", strerror(errno));
	return 0;
}

int jail_root_build(const struct jail_policy *p, const char *id, const int *records, int log_fd,
		    struct jail_error *err)
{
	struct root_build b = { .root = -1, .home = { .mnt = -1 } };
	_cleanup_close_ int ns = -1, run = -1, tmp = -1, resolv = -1;
	struct jail_nss *nss = NULL;
	gid_t tty_gid = 0;
	struct stat mntns;
	int r;

	for (size_t i = 0; i < JAIL_ARRAY_SIZE(b.devnodes); i++)
		b.devnodes[i] = -1;

	/* The identity the marker binds to (marker.h). */
	ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (ns < 0 || fstat(ns, &mntns) < 0) {
		r = jail_error_set(err, errno, "mount namespace: %s", strerror(errno));
		goto out;
	}
	/* 1. The copy of the host's mounts we got from clone(CLONE_NEWNS) still
	 * propagates both ways where the host's are shared. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		r = jail_error_set(err, errno, "making mounts private: %s", strerror(errno));
		goto out;
	}

	/* 2. Everything from the host, while it is reachable. */
	r = open_devnodes(b.devnodes, &tty_gid, err);
	if (r < 0)
		goto out;
	if (p->n_binds > 0) {
		b.binds = calloc(p->n_binds, sizeof(*b.binds));
		if (!b.binds) {
			r = jail_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < p->n_binds; i++)
			b.binds[i].mnt = -1;
		b.n_binds = p->n_binds;
		for (size_t i = 0; i < p->n_binds; i++) {
			b.binds[i].target = p->binds[i].target;
			r = prepare_bind(p->binds[i].source, p->binds[i].writable,
					 p->binds[i].optional, &b.binds[i], err);
			if (r < 0)
				goto out;
		}
	}
	r = prepare_persist(&b, p, err);
	if (r < 0)
		goto out;
	r = jail_nss_open(p, &nss, err);
	if (r < 0)
		goto out;
	if (p->home_mode == JAIL_HOME_BIND) {
		r = prepare_bind(p->home, true, false, &b.home, err);
		if (r < 0)
			goto out;
		if (b.home.mnt >= 0 && !b.home.is_dir) {
			r = jail_error_set(err, ENOTDIR, "home '%s' is not a directory", p->home);
			goto out;
		}
	}

	/* 3. The root, read-only. Attached over "/" of our namespace (a
	 * detached tree cannot be pivoted into); the process root still
	 * points below it until pivot_root. */
	b.root = open_root(p, err);
	if (b.root < 0) {
		r = b.root;
		goto out;
	}
	if (move_mount(b.root, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		r = jail_error_set(err, errno, "attaching the jail root: %s", strerror(errno));
		goto out;
	}

	/* 4. Fresh mounts. Hidden paths first: later mounts may sit in them. */
	r = hide_paths(&b, p, err);
	if (r < 0)
		goto out;
	r = mount_proc(b.root, err);
	if (r < 0)
		goto out;
	r = build_dev(b.root, b.devnodes, tty_gid, p->tmp_size_bytes, log_fd, err);
	if (r < 0)
		goto out;
	tmp = new_tmpfs(p->tmp_size_bytes, 01777, 0, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
			"/tmp", err);
	if (tmp < 0) {
		r = tmp;
		goto out;
	}
	r = attach_at(tmp, b.root, "/tmp", MP_DIR, err);
	if (r < 0)
		goto out;
	r = mount_var_tmp(b.root, p->tmp_size_bytes, err);
	if (r < 0)
		goto out;
	run = new_tmpfs(p->run_size_bytes, 0755, 0, 0,
			MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "/run", err);
	if (run < 0) {
		r = run;
		goto out;
	}
	r = write_marker(run, p, id, &mntns, err);
	if (r == 0)
		r = make_runtime_dir(run, p, err);
	if (r < 0)
		goto out;
	r = attach_at(run, b.root, "/run", MP_DIR, err);
	if (r < 0)
		goto out;
	/* After the hides (SSSD's directories may sit in one), before the
	 * profile's binds (an explicit bind of /run/nslcd still wins). */
	r = jail_nss_attach(nss, b.root, run, err);
	if (r < 0)
		goto out;
	r = mount_home(&b, p, err);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < b.n_binds; i++) {
		if (b.binds[i].mnt < 0)
			continue;
		r = attach_at(b.binds[i].mnt, b.root, b.binds[i].target,
			      b.binds[i].is_dir ? MP_DIR : MP_FILE, err);
		if (r < 0)
			goto out;
	}
	r = jail_net_resolv_mount(p, &resolv, err);
	if (r >= 0 && resolv >= 0)
		r = attach_at(resolv, b.root, "/etc/resolv.conf", MP_FILE, err);
	if (r >= 0)
		r = bind_records(b.root, records, err);
	if (r < 0)
		goto out;
	r = finish_hides(&b, err);
	if (r < 0)
		goto out;

	/* 5. In, and the host gone. */
	r = pivot(b.root, err);
out:
	jail_nss_free(nss);
	root_build_free(&b);
	return r;
}
