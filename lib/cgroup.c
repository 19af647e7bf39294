/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-jail cgroups, v1 and v2, and what the systemd mode reads (see cgroup.h). */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include "cgroup.h"
#include "clock.h"
#include "proc_text.h"
#include "safepath.h"
#include "systemd_unit.h"

#define DESTROY_RETRY_MS 20

/* v1 hierarchy directory names (the usual mount points; cpu is often a
 * symlink to "cpu,cpuacct", which is why the root itself is opened with
 * the symlink followed: /sys/fs/cgroup is a root-owned tmpfs or cgroup2). */
static const char *const ctl_name[JAIL_CG_NCTL] = {
	[JAIL_CG_MEMORY] = "memory",
	[JAIL_CG_PIDS] = "pids",
	[JAIL_CG_CPU] = "cpu",
};

bool jail_cgroup_wanted(const struct jail_limits *l)
{
	return l->memory_bytes > 0 || l->pids > 0 || l->cpu_percent > 0;
}

static void needed_ctls(const struct jail_limits *l, bool need[JAIL_CG_NCTL])
{
	need[JAIL_CG_MEMORY] = l->memory_bytes > 0;
	need[JAIL_CG_PIDS] = l->pids > 0;
	need[JAIL_CG_CPU] = l->cpu_percent > 0;
}

/* Open a hierarchy root if it is a cgroup file system of the wanted kind. */
static int open_root(const char *path, bool v2)
{
	struct statfs sfs;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sfs) < 0 ||
	    sfs.f_type != (v2 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC)) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

static int open_v2_root(void)
{
	int fd = open_root(JAIL_CGROUP_ROOT, true);

	if (fd == -ENOENT)
		fd = open_root(JAIL_CGROUP_ROOT "/unified", true);
	return fd;
}

static int open_v1_root(enum jail_cgroup_ctl c)
{
	char path[64];

	snprintf(path, sizeof(path), JAIL_CGROUP_ROOT "/%s", ctl_name[c]);
	return open_root(path, false);
}

/* Read a small cgroup file into buf (NUL-terminated). */
static int read_at(int dirfd, const char *name, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int write_at(int dirfd, const char *name, const char *value)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return -errno;
	/* A signal while the kernel moves a process (cgroup.procs) or sets
	 * a limit is no reason to refuse the login: write again. */
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* Is `word` one of the space-separated words of `list`? */
static bool has_word(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += wl)
		if ((p == list || isspace((unsigned char)p[-1])) &&
		    (p[wl] == '\0' || isspace((unsigned char)p[wl])))
			return true;
	return false;
}

/* Is controller `name` in the comma-separated list `ctls` (v1 lines of
 * /proc/self/cgroup: "4:cpu,cpuacct:/path")? */
static bool has_ctl(const char *ctls, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *p = ctls, *end = ctls + len;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t wl = comma ? (size_t)(comma - p) : (size_t)(end - p);

		if (wl == nl && memcmp(p, name, nl) == 0)
			return true;
		p += wl + 1;
	}
	return false;
}

/* The calling process's cgroup path (from /proc/self/cgroup) in the v1
 * hierarchy of controller `name`, or in v2 when name is NULL. */
static int own_cgroup_path(const char *name, char *out, size_t size)
{
	char line[4096];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int r = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		size_t pl;

		if (!c2)
			continue;
		if (name ? !has_ctl(c1 + 1, (size_t)(c2 - c1 - 1), name)
			 : (c2 != c1 + 1 || strncmp(line, "0:", 2) != 0))
			continue;
		pl = strcspn(c2 + 1, "\n");
		if (pl == 0 || c2[1] != '/' || pl >= size) {
			r = -EINVAL;
			break;
		}
		memcpy(out, c2 + 1, pl);
		out[pl] = '\0';
		r = 0;
		break;
	}
	fclose(f);
	return r;
}

static int v2_has_ctls(const bool need[JAIL_CG_NCTL])
{
	_cleanup_close_ int root = open_v2_root();
	char buf[512];

	if (root < 0)
		return 0;
	if (read_at(root, "cgroup.controllers", buf, sizeof(buf)) < 0)
		return 0;
	for (int c = 0; c < JAIL_CG_NCTL; c++)
		if (need[c] && !has_word(buf, ctl_name[c]))
			return 0;
	return 1;
}

bool jail_cgroup_systemd_booted(void)
{
	/* systemd's own test for "booted with systemd" (sd_booted()). */
	return access("/run/systemd/system", F_OK) == 0;
}

int jail_cgroup_detect(const struct jail_limits *l, enum jail_cgroup_mode *ret,
		       struct jail_error *err)
{
	bool need[JAIL_CG_NCTL];

	*ret = JAIL_CGROUP_NONE;
	if (!jail_cgroup_wanted(l))
		return 0;
	if (jail_cgroup_systemd_booted()) {
		*ret = JAIL_CGROUP_SYSTEMD;
		return 0;
	}
	needed_ctls(l, need);
	if (v2_has_ctls(need)) {
		*ret = JAIL_CGROUP_V2;
		return 0;
	}
	for (int c = 0; c < JAIL_CG_NCTL; c++) {
		char path[16];
		int fd;

		if (!need[c])
			continue;
		/* bound to a v1 hierarchy that this process is a member of,
		 * and mounted where we look for it */
		if (own_cgroup_path(ctl_name[c], path, sizeof(path)) == -ENOENT)
			return jail_error_set(err, ENOENT,
					      "cgroup controller '%s' is on no hierarchy "
					      "(neither v2 nor v1)",
					      ctl_name[c]);
		fd = open_v1_root((enum jail_cgroup_ctl)c);
		if (fd < 0)
			return jail_error_set(
				err, ENOENT,
				"cgroup v1 controller '%s' is not mounted at " JAIL_CGROUP_ROOT
				"/%s",
				ctl_name[c], ctl_name[c]);
		close(fd);
	}
	*ret = JAIL_CGROUP_V1;
	return 0;
}

/* Leaf names come from the registry key and the jail id (both made by
 * pam_jail), but a name that is a path would escape pam_jail/: check. */
static int make_leaf(char *out, size_t size, const char *key, const char *id)
{
	int n = snprintf(out, size, "%s.%s", key, id);

	if (n < 0 || (size_t)n >= size || !key[0] || !id[0])
		return -ENAMETOOLONG;
	for (const char *p = out; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' && *p != '_')
			return -EINVAL;
	return 0;
}

void jail_cgroup_close(struct jail_cgroup *cg)
{
	for (int c = 0; c < JAIL_CG_NCTL; c++) {
		jail_closep(&cg->dir_fd[c]);
		jail_closep(&cg->parent_fd[c]);
		jail_closep(&cg->home_procs_fd[c]);
		cg->dir_fd[c] = cg->parent_fd[c] = cg->home_procs_fd[c] = -1;
	}
	jail_closep(&cg->slice_fd);
	cg->slice_fd = -1;
	for (size_t i = 0; i < cg->n_session; i++)
		jail_closep(&cg->session_fd[i]);
	cg->n_session = 0;
}

/* pam_jail/ under a hierarchy root (made once, kept: other jails use it). */
static int open_parent(int root, bool v2, const bool need[JAIL_CG_NCTL], struct jail_error *err)
{
	int fd;

	if (mkdirat(root, JAIL_CGROUP_PARENT, 0755) < 0 && errno != EEXIST)
		return jail_error_set(err, errno, "cgroup: mkdir " JAIL_CGROUP_PARENT ": %s",
				      strerror(errno));
	fd = openat(root, JAIL_CGROUP_PARENT, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return jail_error_set(err, errno, "cgroup: open " JAIL_CGROUP_PARENT ": %s",
				      strerror(errno));
	if (!v2)
		return fd;
	/* v2: a controller reaches a group only when every ancestor enables
	 * it for its children; the root may hold processes, pam_jail/ never
	 * does (the no-internal-process rule), so both can delegate. */
	for (int c = 0; c < JAIL_CG_NCTL; c++) {
		char word[16];
		int r;

		if (!need[c])
			continue;
		snprintf(word, sizeof(word), "+%s", ctl_name[c]);
		r = write_at(root, "cgroup.subtree_control", word);
		if (r >= 0)
			r = write_at(fd, "cgroup.subtree_control", word);
		if (r < 0) {
			close(fd);
			return jail_error_set(err, -r,
					      "cgroup: enabling %s for " JAIL_CGROUP_PARENT "/: %s",
					      ctl_name[c], strerror(-r));
		}
	}
	return fd;
}

static int write_limit(int dirfd, const char *file, const char *value, struct jail_error *err)
{
	int r = write_at(dirfd, file, value);

	if (r < 0)
		return jail_error_set(err, -r, "cgroup: %s = %s: %s", file, value, strerror(-r));
	return 0;
}

static int write_u64(int dirfd, const char *file, uint64_t v, struct jail_error *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return write_limit(dirfd, file, buf, err);
}

static int file_exists(int dirfd, const char *name)
{
	return faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static int write_v2_limits(int dir, const struct jail_limits *l, struct jail_error *err)
{
	char buf[64];
	int r = 0;

	if (l->memory_bytes > 0) {
		r = write_u64(dir, "memory.max", l->memory_bytes, err);
		/* No memory.swap.max: the kernel does no swap accounting
		 * (swapaccount=0), so there is nothing to limit it with. */
		if (r >= 0 && file_exists(dir, "memory.swap.max")) {
			if (l->swap_bytes == UINT64_MAX)
				r = write_limit(dir, "memory.swap.max", "max", err);
			else
				r = write_u64(dir, "memory.swap.max", l->swap_bytes, err);
		}
	}
	if (r >= 0 && l->pids > 0)
		r = write_u64(dir, "pids.max", l->pids, err);
	if (r >= 0 && l->cpu_percent > 0) {
		snprintf(buf, sizeof(buf), "%" PRIu64 " %u",
			 (uint64_t)l->cpu_percent * JAIL_CGROUP_CPU_PERIOD_US / 100,
			 JAIL_CGROUP_CPU_PERIOD_US);
		r = write_limit(dir, "cpu.max", buf, err);
	}
	return r;
}

static int write_v1_limits(enum jail_cgroup_ctl c, int dir, const struct jail_limits *l,
			   struct jail_error *err)
{
	switch (c) {
	case JAIL_CG_MEMORY: {
		int r = write_u64(dir, "memory.limit_in_bytes", l->memory_bytes, err);

		/* memsw = memory + swap, and must not be below the memory
		 * limit (hence written second). Absent without swap accounting. */
		if (r >= 0 && l->swap_bytes != UINT64_MAX &&
		    file_exists(dir, "memory.memsw.limit_in_bytes")) {
			uint64_t sum = l->memory_bytes + l->swap_bytes;

			if (sum < l->memory_bytes) /* overflow: no swap limit */
				return 0;
			r = write_u64(dir, "memory.memsw.limit_in_bytes", sum, err);
		}
		return r;
	}
	case JAIL_CG_PIDS:
		return write_u64(dir, "pids.max", l->pids, err);
	case JAIL_CG_CPU: {
		int r = write_u64(dir, "cpu.cfs_period_us", JAIL_CGROUP_CPU_PERIOD_US, err);

		if (r >= 0)
			r = write_u64(dir, "cpu.cfs_quota_us",
				      (uint64_t)l->cpu_percent * JAIL_CGROUP_CPU_PERIOD_US / 100,
				      err);
		return r;
	}
	default:
		return jail_error_set(err, EINVAL, "cgroup: unknown controller");
	}
}

/*
 * Remove the groups an earlier jail of this key left behind: a keeper that
 * was SIGKILLed never reached its rmdir (its PID 1 died with it, so the
 * group is empty). Only this key's: the caller holds the key's lock, so no
 * other keeper of this key is between mkdir and placing its PID 1 (when a
 * group is empty yet alive). A group still in use (an ending jail's) is
 * populated and its rmdir fails with EBUSY: left to its own keeper.
 */
static void sweep_key(int parent, const char *key)
{
	size_t kl = strlen(key);
	struct dirent *de;
	DIR *d;
	int fd = fcntl(parent, F_DUPFD_CLOEXEC, 3);

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && strncmp(de->d_name, key, kl) == 0 &&
		    de->d_name[kl] == '.')
			unlinkat(parent, de->d_name, AT_REMOVEDIR);
	closedir(d);
}

/* Make <parent>/<leaf> and open it; the caller owns both fds. */
static int make_group(int parent, const char *leaf, struct jail_error *err)
{
	int fd;

	if (mkdirat(parent, leaf, 0755) < 0)
		return jail_error_set(err, errno, "cgroup: mkdir %s/%s: %s", JAIL_CGROUP_PARENT,
				      leaf, strerror(errno));
	fd = openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		unlinkat(parent, leaf, AT_REMOVEDIR);
		return jail_error_set(err, e, "cgroup: open %s/%s: %s", JAIL_CGROUP_PARENT, leaf,
				      strerror(e));
	}
	return fd;
}

int jail_cgroup_create(struct jail_cgroup *cg, const char *key, const char *id,
		       const struct jail_limits *l, struct jail_error *err)
{
	bool need[JAIL_CG_NCTL];
	int r;

	r = jail_cgroup_detect(l, &cg->mode, err);
	if (r < 0 || cg->mode == JAIL_CGROUP_NONE || cg->mode == JAIL_CGROUP_SYSTEMD)
		return r;
	r = make_leaf(cg->leaf, sizeof(cg->leaf), key, id);
	if (r < 0)
		return jail_error_set(err, -r, "cgroup: bad group name for key '%s'", key);
	needed_ctls(l, need);

	if (cg->mode == JAIL_CGROUP_V2) {
		_cleanup_close_ int root = open_v2_root();
		int parent, dir, first = -1;

		if (root < 0)
			return jail_error_set(err, -root, "cgroup v2: %s", strerror(-root));
		parent = open_parent(root, true, need, err);
		if (parent < 0)
			return parent;
		sweep_key(parent, key);
		dir = make_group(parent, cg->leaf, err);
		if (dir < 0) {
			close(parent);
			return dir;
		}
		/* one group: every used controller slot holds its own dup, so
		 * close/destroy treat both layouts alike */
		for (int c = 0; c < JAIL_CG_NCTL; c++) {
			if (!need[c])
				continue;
			cg->used[c] = true;
			if (first < 0) {
				cg->dir_fd[c] = dir;
				cg->parent_fd[c] = parent;
				first = c;
			}
		}
		r = write_v2_limits(dir, l, err);
	} else {
		for (int c = 0; c < JAIL_CG_NCTL && r >= 0; c++) {
			_cleanup_close_ int root = -1;

			if (!need[c])
				continue;
			root = open_v1_root((enum jail_cgroup_ctl)c);
			if (root < 0) {
				r = jail_error_set(err, -root, "cgroup v1 %s: %s", ctl_name[c],
						   strerror(-root));
				break;
			}
			r = cg->parent_fd[c] = open_parent(root, false, need, err);
			if (r < 0) {
				cg->parent_fd[c] = -1;
				break;
			}
			sweep_key(cg->parent_fd[c], key);
			r = cg->dir_fd[c] = make_group(cg->parent_fd[c], cg->leaf, err);
			if (r < 0) {
				cg->dir_fd[c] = -1;
				break;
			}
			cg->used[c] = true;
			r = write_v1_limits((enum jail_cgroup_ctl)c, cg->dir_fd[c], l, err);
		}
	}
	if (r < 0) {
		/* fail closed, nothing left: empty groups, rmdir succeeds */
		jail_cgroup_destroy(cg, 0, NULL);
		return r;
	}
	return 0;
}

/* Move the calling process into the group(s) behind `dirs` ("0" = self:
 * no PID is ever written, so there is nothing to race with). */
static int move_self(const int dirs[JAIL_CG_NCTL], const char *what, struct jail_error *err)
{
	for (int c = 0; c < JAIL_CG_NCTL; c++) {
		int r;

		if (dirs[c] < 0)
			continue;
		r = write_at(dirs[c], "cgroup.procs", "0");
		if (r < 0)
			return jail_error_set(err, -r, "cgroup: moving into %s (%s): %s", what,
					      ctl_name[c], strerror(-r));
	}
	return 0;
}

/* Remember where the caller is, as open cgroup.procs files of its own
 * groups (in each hierarchy `cg` uses): leave() must not depend on
 * resolving anything later (the caller may be in the jail's namespaces). */
static int save_home(struct jail_cgroup *cg, struct jail_error *err)
{
	for (int c = 0; c < JAIL_CG_NCTL; c++) {
		_cleanup_close_ int root = -1;
		char path[4096], rel[4096 + 16];
		int r;

		if (cg->dir_fd[c] < 0)
			continue;
		root = cg->mode == JAIL_CGROUP_V2 ? open_v2_root()
						  : open_v1_root((enum jail_cgroup_ctl)c);
		if (root < 0)
			return jail_error_set(err, -root, "cgroup: hierarchy root: %s",
					      strerror(-root));
		r = own_cgroup_path(cg->mode == JAIL_CGROUP_V2 ? NULL : ctl_name[c], path,
				    sizeof(path));
		if (r < 0)
			return jail_error_set(err, -r, "cgroup: own cgroup: %s", strerror(-r));
		snprintf(rel, sizeof(rel), "%s%scgroup.procs", path + 1, path[1] ? "/" : "");
		jail_closep(&cg->home_procs_fd[c]);
		cg->home_procs_fd[c] = openat(root, rel, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (cg->home_procs_fd[c] < 0)
			return jail_error_set(err, errno, "cgroup: own cgroup %s: %s", path,
					      strerror(errno));
	}
	return 0;
}

int jail_cgroup_enter(struct jail_cgroup *cg, struct jail_error *err)
{
	int r;

	if (cg->mode != JAIL_CGROUP_V1 && cg->mode != JAIL_CGROUP_V2)
		return 0;
	r = save_home(cg, err);
	if (r < 0)
		return r;
	r = move_self(cg->dir_fd, cg->leaf, err);
	/* Moved into some controllers' groups but not all: back out of them,
	 * or the caller (the keeper) would sit in the jail's group, which
	 * then could never be removed. */
	if (r < 0)
		jail_cgroup_leave(cg, NULL);
	return r;
}

/* How often jail_cgroup_leave writes to its own cgroup.procs before giving up. */
#define LEAVE_TRIES 3

int jail_cgroup_leave(struct jail_cgroup *cg, struct jail_error *err)
{
	for (int c = 0; c < JAIL_CG_NCTL; c++) {
		ssize_t n;

		if (cg->home_procs_fd[c] < 0)
			continue;
		/* Tried again after any failure, a few times: a keeper that
		 * cannot leave the jail's group keeps it busy, and the jail
		 * fails (found by tests/faults/sweep.sh: one EIO or EAGAIN). */
		for (int tries = 0; tries < LEAVE_TRIES; tries++) {
			n = write(cg->home_procs_fd[c], "0", 1);
			if (n == 1)
				break;
		}
		if (n != 1)
			return jail_error_set(err, n < 0 ? errno : EIO,
					      "cgroup: back to own %s cgroup: %s", ctl_name[c],
					      strerror(n < 0 ? errno : EIO));
		jail_closep(&cg->home_procs_fd[c]);
		cg->home_procs_fd[c] = -1;
	}
	return 0;
}

/*
 * The module's move. Why here and in this order: writing "0" to a
 * cgroup.procs moves the writer, race-free (no PID), and the file is found
 * by its host path, so it must happen while the caller still sees the
 * host's /sys/fs/cgroup, i.e. before setns(CLONE_NEWNS). It must also be
 * before setns(CLONE_NEWCGROUP): v2 allows a move only between groups
 * inside the writer's cgroup namespace, and the jail's namespace is rooted
 * at the jail's group, so from there the caller could not move in (it is
 * outside) — and once in, it sees that group as "/", like PID 1.
 */
int jail_cgroup_join(struct jail_cgroup *cg, const char *key, const char *id,
		     struct jail_error *err)
{
	char rel[sizeof(cg->leaf) + 16];
	bool joined = false;
	int r;

	r = make_leaf(cg->leaf, sizeof(cg->leaf), key, id);
	if (r < 0)
		return jail_error_set(err, -r, "cgroup: bad group name for key '%s'", key);
	snprintf(rel, sizeof(rel), JAIL_CGROUP_PARENT "/%s", cg->leaf);

	{
		_cleanup_close_ int root = open_v2_root();

		if (root >= 0) {
			cg->dir_fd[0] = openat(root, rel,
					       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cg->dir_fd[0] < 0 && errno != ENOENT)
				return jail_error_set(err, errno, "cgroup v2 %s: %s", rel,
						      strerror(errno));
			if (cg->dir_fd[0] >= 0)
				cg->mode = JAIL_CGROUP_V2;
		}
	}
	/* v1: every hierarchy the keeper made a group in (one per controller) */
	for (int c = 0; c < JAIL_CG_NCTL && cg->mode != JAIL_CGROUP_V2; c++) {
		_cleanup_close_ int root = open_v1_root((enum jail_cgroup_ctl)c);

		if (root < 0)
			continue;
		cg->dir_fd[c] = openat(root, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cg->dir_fd[c] < 0 && errno != ENOENT) {
			r = jail_error_set(err, errno, "cgroup v1 %s/%s: %s", ctl_name[c], rel,
					   strerror(errno));
			jail_cgroup_close(cg);
			return r;
		}
		if (cg->dir_fd[c] >= 0)
			cg->mode = JAIL_CGROUP_V1;
	}
	for (int c = 0; c < JAIL_CG_NCTL; c++)
		joined = joined || cg->dir_fd[c] >= 0;
	if (!joined)
		return 0;
	r = save_home(cg, err);
	if (r >= 0)
		r = move_self(cg->dir_fd, cg->leaf, err);
	if (r < 0) {
		jail_cgroup_leave(cg, NULL); /* a partial v1 move goes back */
		jail_cgroup_close(cg);
		cg->mode = JAIL_CGROUP_NONE;
	}
	return r;
}

int jail_cgroup_read_key(int dirfd, const char *file, const char *key, uint64_t *ret)
{
	char buf[4096];
	size_t kl = strlen(key);
	int r;

	*ret = 0;
	if (dirfd < 0)
		return -EBADF;
	r = read_at(dirfd, file, buf, sizeof(buf));
	if (r < 0)
		return r;
	for (char *line = buf; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
			*ret = strtoull(line + kl + 1, NULL, 10);
			break;
		}
	return 0;
}

/* "key value" lines: the value of `key`, 0 when absent. */
static uint64_t keyed_value(int dirfd, const char *file, const char *key)
{
	uint64_t v;

	return jail_cgroup_read_key(dirfd, file, key, &v) < 0 ? 0 : v;
}

static uint64_t single_value(int dirfd, const char *file)
{
	char buf[64];

	if (dirfd < 0 || read_at(dirfd, file, buf, sizeof(buf)) < 0)
		return 0;
	return strtoull(buf, NULL, 10);
}

int jail_cgroup_read_events_at(int dir, struct jail_cgroup_events *ev, struct jail_error *err)
{
	memset(ev, 0, sizeof(*ev));
	if (dir < 0)
		return jail_error_set(err, EBADF, "cgroup: not open");
	ev->pids_max = keyed_value(dir, "pids.events", "max");
	ev->memory_max = keyed_value(dir, "memory.events", "max");
	ev->oom_kill = keyed_value(dir, "memory.events", "oom_kill");
	ev->memory_peak = single_value(dir, "memory.peak");
	return 0;
}

int jail_cgroup_read_events(const struct jail_cgroup *cg, struct jail_cgroup_events *ev,
			    struct jail_error *err)
{
	int mem = cg->dir_fd[JAIL_CG_MEMORY], pids = cg->dir_fd[JAIL_CG_PIDS];

	memset(ev, 0, sizeof(*ev));
	if (cg->mode == JAIL_CGROUP_V2 || cg->mode == JAIL_CGROUP_SYSTEMD) {
		/* one group: whichever slot holds the fd */
		int dir = -1;

		for (int c = 0; c < JAIL_CG_NCTL && dir < 0; c++)
			dir = cg->dir_fd[c];
		return jail_cgroup_read_events_at(dir, ev, err);
	}
	if (cg->mode != JAIL_CGROUP_V1)
		return 0;
	ev->pids_max = keyed_value(pids, "pids.events", "max");
	ev->memory_max = single_value(mem, "memory.failcnt");
	/* with a swap limit, the memory+swap counter is the one that trips */
	if (single_value(mem, "memory.memsw.failcnt") > ev->memory_max)
		ev->memory_max = single_value(mem, "memory.memsw.failcnt");
	ev->oom_kill = keyed_value(mem, "memory.oom_control", "oom_kill");
	ev->memory_peak = single_value(mem, "memory.max_usage_in_bytes");
	return 0;
}

/* How often jail_cgroup_destroy tries again after an error other than EBUSY. */
#define DESTROY_OTHER_TRIES 3

int jail_cgroup_destroy(struct jail_cgroup *cg, int timeout_ms, struct jail_error *err)
{
	int64_t deadline = jail_mono_ms() + timeout_ms;
	int r = 0;

	for (int c = 0; c < JAIL_CG_NCTL; c++) {
		jail_closep(&cg->dir_fd[c]);
		cg->dir_fd[c] = -1;
		if (cg->parent_fd[c] < 0)
			continue;
		int other = 0;

		/* EBUSY: tasks still exiting (or a session process that has
		 * not exited yet after its close): they go on their own, until
		 * the deadline. Any other error is tried again a few times, so
		 * that one failed rmdir does not leave the group behind (found
		 * by tests/faults/sweep.sh: EIO on the rmdir). */
		while (unlinkat(cg->parent_fd[c], cg->leaf, AT_REMOVEDIR) < 0) {
			if (errno == ENOENT)
				break;
			if (errno == EBUSY ? jail_mono_ms() >= deadline
					   : ++other > DESTROY_OTHER_TRIES) {
				if (r >= 0)
					r = jail_error_set(err, errno,
							   "cgroup: rmdir %s/%s (%s): %s",
							   JAIL_CGROUP_PARENT, cg->leaf,
							   ctl_name[c], strerror(errno));
				break;
			}
			usleep(DESTROY_RETRY_MS * 1000);
		}
	}
	jail_cgroup_close(cg);
	return r;
}

int jail_cgroup_path_of(pid_t pid, char *out, size_t size, struct jail_error *err)
{
	char path[64], buf[8192];
	ssize_t n;
	int r;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/cgroup");
	n = jail_read_proc_text(path, buf, sizeof(buf));
	if (n < 0)
		return jail_error_set(err, (int)-n, "cgroup: %s: %s", path, strerror((int)-n));
	r = jail_systemd_cgroup_path(buf, out, size);
	if (r < 0)
		return jail_error_set(err, -r, "cgroup: %s has no usable unified-hierarchy line",
				      path);
	return 0;
}

int jail_cgroup_open_v2_path(const char *path, struct jail_error *err)
{
	_cleanup_close_ int root = open_v2_root();

	if (root < 0)
		return jail_error_set(err, -root, "cgroup v2: %s", strerror(-root));
	if (path[0] != '/')
		return jail_error_set(err, EINVAL, "cgroup: '%s' is not an absolute path", path);
	/* the root itself: a path of "/" only */
	if (!path[1])
		return steal_fd(&root);
	return jail_safe_openat(root, path + 1, O_RDONLY | O_DIRECTORY, JAIL_SAFE_DIRECTORY, 0,
				NULL, err);
}
