/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seeding the tmpfs home from the profile's skeleton.
 *
 * jailsh runs as the user, so everything it creates is the user's, and the
 * kernel applies the user's permissions to the skeleton: no root process
 * ever walks a user-writable tree. Still, nothing is followed by name: the
 * copy walks both trees by fd with O_NOFOLLOW, copies a symlink as a
 * symlink, and skips devices, fifos and sockets (with a note).
 *
 * "First session of the jail" is "the home is empty", ignoring what the
 * module or sshd may already have put there: the mount points of the
 * persistent directories and ~/.Xauthority (sshd's xauth for ssh -X runs
 * before the shell). That needs no state of its own and two sessions that
 * start together are serialised by an flock() on the home directory. A user
 * who empties the home gets a fresh copy of the skeleton next time, which is
 * what an empty home would want anyway. Existing entries are never touched.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "jailsh.h"
#include "safepath.h"

#define SEED_MAX_DEPTH 32

struct seed {
	const struct jail_marker *m;
	char **ignore; /* top-level names that are not the skeleton's business */
	int problems;
	bool full; /* ENOSPC/EDQUOT: stop copying, keep the login */
};

/* Top-level names of the persistent directories: "work", "src/lab" -> "src". */
static char **persist_top_names(const struct jail_marker *m)
{
	size_t n = 0, home_len = strlen(m->home);
	char **v;

	while (m->persist && m->persist[n])
		n++;
	v = calloc(n + 2, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *p = m->persist[i];
		if (p[0] == '/') {
			/* absolute: only what lies under the home matters here */
			if (strncmp(p, m->home, home_len) != 0 || p[home_len] != '/')
				p = "";
			else
				p += home_len + 1;
		}
		v[i] = strndup(p, strcspn(p, "/"));
		if (!v[i]) {
			jail_strv_free(v);
			return NULL;
		}
	}
	v[n] = strdup(".Xauthority");
	if (!v[n]) {
		jail_strv_free(v);
		return NULL;
	}
	return v;
}

static bool is_ignored(const struct seed *s, const char *name)
{
	for (char **p = s->ignore; p && *p; p++)
		if (**p && strcmp(*p, name) == 0)
			return true;
	return false;
}

static void problem(struct seed *s, int e, const char *what, const char *path)
{
	if (e == ENOSPC || e == EDQUOT) {
		if (!s->full)
			jailsh_note("the home is full (%s) while copying the skeleton: "
				    "'%s' and what follows were not copied",
				    strerror(e), path);
		s->full = true;
	} else {
		jailsh_note("skeleton: %s '%s': %s", what, path, strerror(e));
	}
	s->problems++;
}

/* Whether the home is still empty (see the top of the file). */
static int home_is_empty(struct seed *s, int home_fd)
{
	_cleanup_close_ int fd = openat(home_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	bool empty = true;
	DIR *d;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d)
		return -errno;
	fd = -1;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!is_ignored(s, de->d_name)) {
			empty = false;
			break;
		}
	}
	closedir(d);
	return empty;
}

static mode_t seed_mode(mode_t m)
{
	/* Modes come over as they are, but never setuid/setgid: the copy is
	 * the user's, and the jail has no_new_privs anyway. */
	return m & (S_IRWXU | S_IRWXG | S_IRWXO | S_ISVTX);
}

/* Best effort: a skeleton file's age is cosmetic. */
static void copy_times_fd(int fd, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	(void)futimens(fd, ts);
}

static void copy_times_link(int dir, const char *name, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	(void)utimensat(dir, name, ts, AT_SYMLINK_NOFOLLOW);
}

static int copy_regular(struct seed *s, int src_dir, int dst_dir, const char *name,
			const struct stat *st, const char *path)
{
	_cleanup_close_ int in = -1, out = -1;
	struct stat in_st;
	char buf[65536];

	in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0) {
		problem(s, errno, "cannot read", path);
		return 0;
	}
	/* The entry we listed is the file we opened (not swapped meanwhile). */
	if (fstat(in, &in_st) < 0 || !S_ISREG(in_st.st_mode) || in_st.st_ino != st->st_ino ||
	    in_st.st_dev != st->st_dev) {
		problem(s, EAGAIN, "changed while copying", path);
		return 0;
	}
	out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		if (errno != EEXIST)
			problem(s, errno, "cannot create", path);
		return 0;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			problem(s, errno, "cannot read", path);
			return 0;
		}
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				problem(s, errno, "cannot write", path);
				return 0;
			}
			off += w;
		}
	}
	if (fchmod(out, seed_mode(in_st.st_mode)) < 0)
		problem(s, errno, "cannot chmod", path);
	copy_times_fd(out, &in_st);
	return 0;
}

static void copy_symlink(struct seed *s, int src_dir, int dst_dir, const char *name,
			 const struct stat *st, const char *path)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(src_dir, name, target, sizeof(target) - 1);

	if (n < 0) {
		problem(s, errno, "cannot read link", path);
		return;
	}
	target[n] = '\0';
	/* Copied as a link (its target is not looked at, let alone followed). */
	if (symlinkat(target, dst_dir, name) < 0) {
		if (errno != EEXIST)
			problem(s, errno, "cannot create link", path);
		return;
	}
	copy_times_link(dst_dir, name, st);
}

static void copy_dir(struct seed *s, int src_dir, int dst_dir, const char *path, int depth);

static void copy_subdir(struct seed *s, int src_dir, int dst_dir, const char *name,
			const struct stat *st, const char *path, int depth)
{
	_cleanup_close_ int in = -1, out = -1;

	if (depth >= SEED_MAX_DEPTH) {
		problem(s, ELOOP, "too deep, not copied", path);
		return;
	}
	in = openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		problem(s, errno, "cannot open", path);
		return;
	}
	/* 0700 while we fill it, its own mode once it is complete (a
	 * read-only skeleton dir must still receive its contents). */
	if (mkdirat(dst_dir, name, 0700) < 0) {
		if (errno != EEXIST)
			problem(s, errno, "cannot create", path);
		return;
	}
	out = openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (out < 0) {
		problem(s, errno, "cannot open", path);
		return;
	}
	copy_dir(s, in, out, path, depth + 1);
	if (fchmod(out, seed_mode(st->st_mode)) < 0)
		problem(s, errno, "cannot chmod", path);
	copy_times_fd(out, st);
}

static void copy_dir(struct seed *s, int src_dir, int dst_dir, const char *path, int depth)
{
	int fd = openat(src_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0) {
		problem(s, errno, "cannot open", path);
		return;
	}
	d = fdopendir(fd);
	if (!d) {
		problem(s, errno, "cannot list", path);
		close(fd);
		return;
	}
	while (!s->full && (de = readdir(d))) {
		char child[PATH_MAX];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (depth == 0 && is_ignored(s, de->d_name))
			continue; /* a persistent dir's mount point: the real one wins */
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		if (fstatat(src_dir, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			problem(s, errno, "cannot stat", child);
			continue;
		}
		if (S_ISREG(st.st_mode))
			copy_regular(s, src_dir, dst_dir, de->d_name, &st, child);
		else if (S_ISDIR(st.st_mode))
			copy_subdir(s, src_dir, dst_dir, de->d_name, &st, child, depth);
		else if (S_ISLNK(st.st_mode))
			copy_symlink(s, src_dir, dst_dir, de->d_name, &st, child);
		else
			jailsh_note("skeleton: '%s' is not a file, directory or link: skipped",
				    child);
	}
	closedir(d);
}

int jailsh_seed_home(const struct jail_marker *m)
{
	_cleanup_close_ int home = -1, skel = -1;
	struct jail_error err = { 0 };
	struct statfs sfs;
	struct seed s = { .m = m };
	int r;

	if (m->home_mode != JAIL_HOME_TMPFS || !m->skeleton)
		return 0;
	home = jail_safe_open(m->home, O_RDONLY | O_DIRECTORY, 0, 0, NULL, &err);
	if (home < 0) {
		jailsh_note("cannot open the home: %s", err.message);
		return 1;
	}
	/* Never pour a skeleton into a real home, whatever the marker says. */
	if (fstatfs(home, &sfs) < 0 || sfs.f_type != TMPFS_MAGIC)
		return 0;
	s.ignore = persist_top_names(m);
	if (!s.ignore) {
		jailsh_note("skeleton: out of memory");
		return 1;
	}
	/* Two sessions starting together: one seeds, the other then finds
	 * the home no longer empty. */
	if (flock(home, LOCK_EX) < 0) {
		jailsh_note("cannot lock the home: %s", strerror(errno));
		jail_strv_free(s.ignore);
		return 1;
	}
	r = home_is_empty(&s, home);
	if (r < 0) {
		jailsh_note("cannot list the home: %s", strerror(-r));
		s.problems++;
	} else if (r > 0) {
		skel = jail_safe_open(m->skeleton, O_RDONLY | O_DIRECTORY, 0, 0, NULL, &err);
		if (skel < 0) {
			jailsh_note("skeleton '%s': %s", m->skeleton, err.message);
			s.problems++;
		} else {
			copy_dir(&s, skel, home, m->skeleton, 0);
		}
	}
	flock(home, LOCK_UN);
	jail_strv_free(s.ignore);
	return s.problems;
}
