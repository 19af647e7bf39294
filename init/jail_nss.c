/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's name-service daemons, reachable inside the jail (policy key
 * nss_sockets, default on).
 *
 * NSS modules for directories do not read files: they ask a daemon over a
 * socket at a fixed path (libnss_ldap: nslcd's /run/nslcd/socket,
 * libnss_sss: SSSD's /var/lib/sss/pipes/nss, glibc's nscd client:
 * /run/nscd/socket, libnss_systemd: the sockets in /run/systemd/userdb).
 * The jail's /run is fresh, and a prepared tree has no live sockets at all,
 * so without these the jail resolves only the local files: sshd's
 * initgroups(3) for the session, which runs after the module joined the
 * jail (DESIGN fact 1), then drops every directory group, and files shared
 * by such a group become unreadable.
 *
 * What goes in is exactly the endpoint inodes, each a read-only bind
 * (connect(2) needs write permission on the socket inode, which a read-only
 * mount does not take away: unix_find_bsd checks the inode, not the mount),
 * made from an fd the host side opened with O_PATH|O_NOFOLLOW and checked:
 *
 *   - the directory holding it is owned by root or by the daemon's account
 *     and not writable by others (by its group only when that group is root's
 *     or the daemon's), and no component of its path is a symlink;
 *   - the endpoint is of the expected type (a socket; SSSD's memory caches
 *     are regular files) and owned by root or the daemon's account; a
 *     regular file also must not be writable by others, nor by its group
 *     unless that is root's or the daemon's (SSSD makes them 0664).
 *
 * Why it matters: whoever answers on these sockets decides, inside the jail,
 * which groups a user is in (sshd's monitor calls initgroups there as root).
 * A socket someone else could have put there would hand out groups; one
 * that fails the rule refuses the jail (with the path and the reason)
 * rather than being skipped, so the failure is seen.
 *
 * Directories: under /run the endpoint's directory is made in the jail's
 * fresh /run and holds only the binds. SSSD's directories (pipes, mc) are
 * covered by a fresh read-only tmpfs holding only the nss socket and the
 * memory caches, wherever the jail's root has them, key on or off: in the
 * host root they also hold SSSD's PAM sockets (pipes/pam, pipes/private),
 * which a jail never gets, and with the key off the caches would still
 * answer. SSSD's memory caches are bound file by file: when SSSD replaces
 * one (a restart, sss_cache -E) it marks the old one recycled, and
 * libnss_sss then falls back to the pipe, so a stale cache is never read.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "jail_init.h"
#include "safepath.h"

#define NSS_MAX_MOUNTS 64
#define NSS_TMPFS_SIZE "64k"

enum nss_kind { NSS_SOCKET, NSS_FILE };

struct nss_dir {
	const char *path;	  /* the same on the host and in the jail */
	const char *daemon;	  /* the account the daemon may run as, besides root */
	enum nss_kind kind;	  /* of the endpoints in it */
	const char *const *names; /* the endpoints; NULL: every socket in it */
};

static const char *const nslcd_names[] = { "socket", NULL };
static const char *const nscd_names[] = { "socket", NULL };
/* Not "pam" nor "private": SSSD's PAM responder is not name service. */
static const char *const sss_pipe_names[] = { "nss", NULL };
static const char *const sss_mc_names[] = { "passwd", "group", "initgroups", "sid", NULL };

static const struct nss_dir nss_dirs[] = {
	{ "/run/nslcd", "nslcd", NSS_SOCKET, nslcd_names },
	{ "/run/nscd", NULL, NSS_SOCKET, nscd_names },
	/* io.systemd.Multiplexer, io.systemd.DynamicUser, io.systemd.Home...:
	 * every service there answers user and group queries only. */
	{ "/run/systemd/userdb", NULL, NSS_SOCKET, NULL },
	{ "/var/lib/sss/pipes", "sssd", NSS_SOCKET, sss_pipe_names },
	{ "/var/lib/sss/mc", "sssd", NSS_FILE, sss_mc_names },
};

struct nss_mount {
	int mnt; /* detached read-only clone of the endpoint */
	size_t dir;
	char name[NAME_MAX + 1];
};

struct jail_nss {
	struct nss_mount m[NSS_MAX_MOUNTS];
	size_t n;
};

static bool on_run(const struct nss_dir *d)
{
	return strncmp(d->path, "/run/", 5) == 0;
}

/* The daemon's account, looked up only when an owner is not root: jail-init
 * asks NSS nothing (no module loaded, no daemon asked) on the usual host,
 * where every endpoint is root's. */
struct nss_owner {
	const char *name; /* NULL: root only */
	bool looked;
	uid_t uid;
	gid_t gid;
};

static void owner_lookup(struct nss_owner *o)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (o->looked)
		return;
	o->looked = true;
	o->uid = (uid_t)-1;
	o->gid = (gid_t)-1;
	if (o->name && getpwnam_r(o->name, &pw, buf, sizeof(buf), &res) == 0 && res) {
		o->uid = res->pw_uid;
		o->gid = res->pw_gid;
	}
}

static bool trusted_uid(struct nss_owner *o, uid_t uid)
{
	if (uid == 0)
		return true;
	owner_lookup(o);
	return uid == o->uid;
}

static bool trusted_gid(struct nss_owner *o, gid_t gid)
{
	if (gid == 0)
		return true;
	owner_lookup(o);
	return gid == o->gid;
}

static const char *kind_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFSOCK:
		return "socket";
	case S_IFREG:
		return "file";
	case S_IFDIR:
		return "directory";
	case S_IFLNK:
		return "symbolic link";
	default:
		return "special file";
	}
}

static int check_dir(const struct nss_dir *d, const struct stat *st, struct nss_owner *o,
		     struct jail_error *err)
{
	if (!trusted_uid(o, st->st_uid))
		return jail_error_set(err, EPERM,
				      "name service: '%s' is owned by uid %u, not root%s%s",
				      d->path, (unsigned)st->st_uid, d->daemon ? " or " : "",
				      d->daemon ? d->daemon : "");
	if ((st->st_mode & S_IWOTH) || ((st->st_mode & S_IWGRP) && !trusted_gid(o, st->st_gid)))
		return jail_error_set(err, EPERM, "name service: '%s' is writable by %s", d->path,
				      (st->st_mode & S_IWOTH) ? "others" : "its group");
	return 0;
}

static int check_endpoint(const struct nss_dir *d, const char *name, const struct stat *st,
			  struct nss_owner *o, struct jail_error *err)
{
	mode_t want = d->kind == NSS_SOCKET ? S_IFSOCK : S_IFREG;

	if ((st->st_mode & S_IFMT) != want)
		return jail_error_set(err, EPERM, "name service: '%s/%s' is a %s, not a %s",
				      d->path, name, kind_name(st->st_mode),
				      d->kind == NSS_SOCKET ? "socket" : "file");
	if (!trusted_uid(o, st->st_uid))
		return jail_error_set(err, EPERM,
				      "name service: '%s/%s' is owned by uid %u, not root%s%s",
				      d->path, name, (unsigned)st->st_uid, d->daemon ? " or " : "",
				      d->daemon ? d->daemon : "");
	/* A socket's mode is how clients reach it (0666 is usual); a cache file
	 * someone else can write could say anything. SSSD makes its caches
	 * 0664: writable by its group, root's or its own, is the daemon's. */
	if (d->kind == NSS_FILE &&
	    ((st->st_mode & S_IWOTH) || ((st->st_mode & S_IWGRP) && !trusted_gid(o, st->st_gid))))
		return jail_error_set(err, EPERM, "name service: '%s/%s' is writable by %s",
				      d->path, name,
				      (st->st_mode & S_IWOTH) ? "others" : "its group");
	return 0;
}

/* Clone the endpoint `name` in `dir` (checked by its fd, never by name
 * again) into n->m. Missing: nothing to do. */
static int take_endpoint(struct jail_nss *n, size_t di, int dir, const char *name,
			 struct nss_owner *o, struct jail_error *err)
{
	const struct nss_dir *d = &nss_dirs[di];
	_cleanup_close_ int fd = -1, mnt = -1;
	struct stat st, cst;

	fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return jail_error_set(err, errno, "name service: '%s/%s': %s", d->path, name,
				      strerror(errno));
	int r = check_endpoint(d, name, &st, o, err);
	if (r < 0)
		return r;
	if (n->n >= NSS_MAX_MOUNTS)
		return jail_error_set(err, E2BIG, "name service: more than %d endpoints",
				      NSS_MAX_MOUNTS);
	mnt = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (mnt < 0)
		return jail_error_set(err, errno, "name service: '%s/%s': open_tree: %s", d->path,
				      name, strerror(errno));
	/* The clone is of the inode we checked: same device and inode. */
	if (fstat(mnt, &cst) < 0 || cst.st_ino != st.st_ino || cst.st_dev != st.st_dev)
		return jail_error_set(err, EIO, "name service: '%s/%s' changed while cloned",
				      d->path, name);
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
				.propagation = MS_PRIVATE };
	if (mount_setattr(mnt, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
		return jail_error_set(err, errno, "name service: '%s/%s': mount_setattr: %s",
				      d->path, name, strerror(errno));
	n->m[n->n].mnt = steal_fd(&mnt);
	n->m[n->n].dir = di;
	snprintf(n->m[n->n].name, sizeof(n->m[n->n].name), "%s", name);
	n->n++;
	return 0;
}

/* Every socket in `dir` (systemd's userdb directory). */
static int take_all_sockets(struct jail_nss *n, size_t di, int dir, struct nss_owner *o,
			    struct jail_error *err)
{
	DIR *ds;
	struct dirent *de;
	int fd, r = 0;

	fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(ds = fdopendir(fd))) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return jail_error_set(err, e, "name service: '%s': %s", nss_dirs[di].path,
				      strerror(e));
	}
	while (r == 0 && (de = readdir(ds))) {
		if (de->d_name[0] == '.' || (de->d_type != DT_SOCK && de->d_type != DT_UNKNOWN))
			continue;
		struct stat st;
		if (fstatat(dir, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISSOCK(st.st_mode))
			continue; /* only the sockets; take_endpoint checks again by fd */
		r = take_endpoint(n, di, dir, de->d_name, o, err);
	}
	closedir(ds);
	return r;
}

int jail_nss_open(const struct jail_policy *p, struct jail_nss **ret, struct jail_error *err)
{
	struct jail_nss *n;
	int r = 0;

	n = calloc(1, sizeof(*n));
	if (!n)
		return jail_error_set(err, ENOMEM, "out of memory");
	*ret = n;
	if (!p->nss_sockets)
		return 0;
	for (size_t di = 0; r == 0 && di < JAIL_ARRAY_SIZE(nss_dirs); di++) {
		const struct nss_dir *d = &nss_dirs[di];
		_cleanup_close_ int dir = -1;
		struct jail_error e = { 0 };
		struct stat st;
		struct nss_owner o = { .name = d->daemon };

		/* No symlink anywhere on the path (safepath.h). */
		dir = jail_safe_open(d->path, O_PATH | O_DIRECTORY, JAIL_SAFE_DIRECTORY, 0, &st,
				     &e);
		if (dir == -ENOENT)
			continue; /* the host has no such daemon */
		if (dir < 0)
			return jail_error_set(err, -dir, "name service: %s", e.message);
		r = check_dir(d, &st, &o, err);
		if (r < 0)
			return r;
		if (d->names)
			for (size_t i = 0; r == 0 && d->names[i]; i++)
				r = take_endpoint(n, di, dir, d->names[i], &o, err);
		else
			r = take_all_sockets(n, di, dir, &o, err);
	}
	return r;
}

/* Make the directory `rel` (relative, below the fresh /run we own) and
 * return an O_PATH fd of it. */
static int make_run_dir(int run, const char *rel, struct jail_error *err)
{
	const struct jail_walk w = {
		.open_flags = O_PATH | O_DIRECTORY,
		.flags = JAIL_SAFE_DIRECTORY | JAIL_SAFE_CREATE,
		.mode = 0755,
		.shown = "/run",
	};

	return jail_safe_walk(run, rel, &w, NULL, err);
}

/* A fresh tmpfs over the root's directory `path`, or -ENOENT (no error set)
 * when the root has none (a prepared tree without SSSD, a hidden /var). */
static int cover_dir(int root, const char *path, struct jail_error *err)
{
	_cleanup_close_ int target = -1, fs = -1, mnt = -1;
	struct jail_error e = { 0 };

	target = jail_safe_openat(root, path + 1, O_PATH | O_DIRECTORY, JAIL_SAFE_DIRECTORY, 0,
				  NULL, &e);
	if (target == -ENOENT)
		return -ENOENT;
	if (target < 0)
		return jail_error_set(err, -target, "name service: jail's '%s': %s", path,
				      e.message);
	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "size", NSS_TMPFS_SIZE, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return jail_error_set(err, errno, "name service: %s: tmpfs: %s", path,
				      strerror(errno));
	mnt = fsmount(fs, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return jail_error_set(err, errno, "name service: %s: fsmount: %s", path,
				      strerror(errno));
	if (move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return jail_error_set(err, errno, "name service: mounting on '%s': %s", path,
				      strerror(errno));
	return steal_fd(&mnt);
}

int jail_nss_attach(struct jail_nss *n, int root, int run, struct jail_error *err)
{
	for (size_t di = 0; di < JAIL_ARRAY_SIZE(nss_dirs); di++) {
		const struct nss_dir *d = &nss_dirs[di];
		_cleanup_close_ int dir = -1;
		size_t count = 0;

		for (size_t i = 0; i < n->n; i++)
			count += n->m[i].dir == di;
		if (on_run(d)) {
			if (count == 0)
				continue; /* nothing to reach: no directory either */
			dir = make_run_dir(run, d->path + strlen("/run/"), err);
		} else {
			dir = cover_dir(root, d->path, err);
			if (dir == -ENOENT)
				continue;
		}
		if (dir < 0)
			return dir;
		for (size_t i = 0; i < n->n; i++) {
			struct nss_mount *m = &n->m[i];
			int f;

			if (m->dir != di)
				continue;
			/* `dir` is a directory only we have written to */
			f = openat(dir, m->name,
				   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (f < 0)
				return jail_error_set(err, errno, "name service: %s/%s: %s",
						      d->path, m->name, strerror(errno));
			close(f);
			if (move_mount(m->mnt, "", dir, m->name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
				return jail_error_set(err, errno, "name service: %s/%s: %s",
						      d->path, m->name, strerror(errno));
		}
		if (!on_run(d)) {
			struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
			if (mount_setattr(dir, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
				return jail_error_set(err, errno, "name service: %s: read-only: %s",
						      d->path, strerror(errno));
		}
	}
	return 0;
}

void jail_nss_free(struct jail_nss *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		jail_closep(&n->m[i].mnt);
	free(n);
}
