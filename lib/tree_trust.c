/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checking a jail tree's owners and modes before a login uses it.
 *
 * Why a walk of every entry, and why it is enough to do it once per jail
 * build: only root can give a file to someone else or open up a mode that
 * root set, so a tree in which every entry is root's and closed to writers
 * stays that way against every other host user after the check; a later
 * change needs root. Checking directories only would not do: a file owned by
 * a user can be rewritten in place by that user without touching its
 * directory. Measured (docs/pam_jail.8): ~1 us an entry with warm caches.
 *
 * Two exceptions make that rule one no host user can trip. A directory every
 * jail covers with a mount of its own (tmp/, var/tmp/, run/, dev/, proc/)
 * is not walked: what it holds never reaches a session, and a debootstrap
 * tree's tmp/ is sticky and world-writable, so any user's file in it used
 * to refuse every login of the tree (issue 17, item 2). Any other sticky
 * directory that others may write to is refused for what it is, before
 * anyone put anything in it: refusing it only once a user's file appears
 * would be that same trigger.
 *
 * Not jailctl audit's walker: that one sorts names, reads every ELF header
 * and keeps going to list every finding; a login needs the first refusal,
 * fast, and nothing that reads file contents.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "tree_trust.h"

const char *jail_tree_write_problem(const struct stat *st)
{
	bool dir = S_ISDIR(st->st_mode), sticky = dir && (st->st_mode & S_ISVTX);

	if (S_ISLNK(st->st_mode))
		return NULL; /* a link's mode is meaningless; its owner is checked */
	if (dir && (st->st_mode & S_IWOTH) && !sticky)
		return "world-writable directory without the sticky bit";
	if (!dir && (st->st_mode & S_IWOTH))
		return "writable by others";
	if ((st->st_mode & S_IWGRP) && st->st_gid != 0 && !sticky)
		return dir ? "directory writable by a group other than root"
			   : "writable by a group other than root";
	return NULL;
}

bool jail_tree_is_shared_dir(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) &&
	       ((st->st_mode & S_IWOTH) || ((st->st_mode & S_IWGRP) && st->st_gid != 0));
}

/* `path` is `dir` or below it. */
static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool jail_tree_is_covered(const char *path)
{
	/* What jail_root_build() mounts on every jail's root, whatever the
	 * profile (/var/tmp when the tree has it as a directory, which is
	 * all the walk can see there; a symlink there refuses the login). */
	static const char *const runtime[] = { "/proc", "/dev", "/tmp", "/var/tmp", "/run" };

	for (size_t i = 0; i < JAIL_ARRAY_SIZE(runtime); i++)
		if (path_under(path, runtime[i]))
			return true;
	return false;
}

struct tree_walk {
	char path[PATH_MAX];
	size_t top_len; /* w->path + top_len: the entry's path inside the tree */
	size_t max_entries;
	long seen;
	struct jail_error *err;
};

static int check_entry(struct tree_walk *w, int dfd, const char *name, int depth);

/* `dfd` is the directory w->path names; its entries are checked. */
static int walk_dir(struct tree_walk *w, int dfd, int depth)
{
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return jail_error_set(w->err, errno, "'%s': %s", w->path, strerror(errno));
	d = fdopendir(fd);
	if (!d) {
		r = jail_error_set(w->err, errno, "'%s': %s", w->path, strerror(errno));
		close(fd);
		return r;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				r = jail_error_set(w->err, errno, "reading '%s': %s", w->path,
						   strerror(errno));
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = check_entry(w, dirfd(d), de->d_name, depth);
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

static int check_entry(struct tree_walk *w, int dfd, const char *name, int depth)
{
	size_t len = strlen(w->path), add = strlen(name);
	const char *why;
	struct stat st;
	int r;

	if (++w->seen > (long)w->max_entries)
		return jail_error_set(w->err, E2BIG,
				      "more than %zu entries below it: too large to check "
				      "at login",
				      w->max_entries);
	if (len + 1 + add >= sizeof(w->path))
		return jail_error_set(w->err, ENAMETOOLONG, "'%s/%s': name too long to check",
				      w->path, name);
	w->path[len] = '/';
	memcpy(w->path + len + 1, name, add + 1);

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		r = jail_error_set(w->err, errno, "'%s': %s", w->path, strerror(errno));
		goto out;
	}
	if (st.st_uid != 0) {
		r = jail_error_set(w->err, EPERM, "'%s' is owned by uid %u, not root", w->path,
				   (unsigned)st.st_uid);
		goto out;
	}
	why = jail_tree_write_problem(&st);
	if (why) {
		r = jail_error_set(w->err, EPERM, "'%s': %s (mode %04o)", w->path, why,
				   (unsigned)(st.st_mode & 07777));
		goto out;
	}
	r = 0;
	if (S_ISDIR(st.st_mode) && jail_tree_is_covered(w->path + w->top_len))
		goto out; /* a leaf: a fresh mount of the jail's own goes on it */
	if (jail_tree_is_shared_dir(&st)) {
		/* Refused for what it is, never for what it holds: anyone may
		 * put anything in it, and a jail would show it all. */
		r = jail_error_set(w->err, EPERM,
				   "'%s': a sticky directory others may write to (mode %04o) that "
				   "the jail does not cover with a mount of its own; make it "
				   "root's only or take it out of the tree",
				   w->path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		/* Another filesystem mounted in the tree comes into the jail
		 * too (the root is cloned recursively): walked like the rest. */
		_cleanup_close_ int sub = -1;
		if (depth + 1 >= JAIL_TREE_MAX_DEPTH) {
			r = jail_error_set(w->err, ELOOP,
					   "'%s': more than %d levels deep: too deep to check",
					   w->path, JAIL_TREE_MAX_DEPTH);
			goto out;
		}
		sub = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			r = jail_error_set(w->err, errno, "'%s': %s", w->path, strerror(errno));
			goto out;
		}
		/* Swapped for something else between the stat and the open? */
		struct stat again;
		if (fstat(sub, &again) < 0 || again.st_dev != st.st_dev ||
		    again.st_ino != st.st_ino) {
			r = jail_error_set(w->err, ESTALE, "'%s' changed while it was checked",
					   w->path);
			goto out;
		}
		r = walk_dir(w, sub, depth + 1);
	}
out:
	if (r >= 0)
		w->path[len] = '\0';
	return r;
}

long jail_tree_check_trusted(int top, const char *top_path, size_t max_entries,
			     struct jail_error *err)
{
	struct tree_walk w = {
		.max_entries = max_entries ? max_entries : JAIL_TREE_MAX_ENTRIES,
		.err = err,
	};
	int r;

	if (strlen(top_path) >= sizeof(w.path))
		return jail_error_set(err, ENAMETOOLONG, "'%s': name too long", top_path);
	strcpy(w.path, top_path);
	/* "/" as the top: entries are "/usr", not "//usr". */
	if (strcmp(w.path, "/") == 0)
		w.path[0] = '\0';
	w.top_len = strlen(w.path);
	r = walk_dir(&w, top, 0);
	return r < 0 ? r : w.seen;
}
