/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hardening pass over a tree someone else filled (debootstrap): after
 * it, the tree holds nothing audit would report for ownership, mode or
 * device nodes. Everything is done by fd, never following a symlink.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "jailroot_internal.h"

#define HARDEN_MAX_DEPTH 128

struct hardener {
	dev_t dev;
	jailroot_note_fn note;
	void *opaque;
};

static void noted(struct hardener *h, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void noted(struct hardener *h, const char *path, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (!h->note)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	h->note(h->opaque, path, what);
}

static int harden_dir(struct hardener *h, int dfd, const char *dir, int depth,
		      struct jail_error *err);

static int harden_entry(struct hardener *h, int dfd, const char *dir, const char *name, int depth,
			struct jail_error *err)
{
	char path[PATH_MAX];
	struct stat st;
	mode_t mode;

	snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", name);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return jail_error_set(err, errno, "'%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
		/* debootstrap's /dev nodes and the like: the jail gets its
		 * own /dev, and a device node in a tree is a way around it. */
		if (unlinkat(dfd, name, 0) < 0)
			return jail_error_set(err, errno, "removing '%s': %s", path,
					      strerror(errno));
		noted(h, path, "removed (device node, FIFO or socket)");
		return 0;
	}
	if (st.st_uid != 0) {
		if (fchownat(dfd, name, 0, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return jail_error_set(err, errno, "'%s': chown: %s", path, strerror(errno));
		noted(h, path, "owner uid %u -> root", (unsigned)st.st_uid);
	}
	if (S_ISLNK(st.st_mode))
		return 0;
	/* chown() clears setuid/setgid on files; take the mode from before. */
	mode = st.st_mode & 07777;
	mode &= ~(mode_t)(S_ISUID | S_ISGID | S_IWOTH);
	if (st.st_gid != 0)
		mode &= ~(mode_t)S_IWGRP;
	if (S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) && (st.st_mode & S_IWOTH))
		mode &= ~(mode_t)S_ISVTX; /* /tmp, /var/tmp: the jail mounts its own */
	if (mode != (st.st_mode & 07777) || (st.st_uid != 0 && S_ISREG(st.st_mode))) {
		if (fchmodat(dfd, name, mode, 0) < 0)
			return jail_error_set(err, errno, "'%s': chmod: %s", path, strerror(errno));
		if (mode != (st.st_mode & 07777))
			noted(h, path, "mode %04o -> %04o", (unsigned)(st.st_mode & 07777),
			      (unsigned)mode);
	}
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int sub = -1;
		if (st.st_dev != h->dev)
			return jail_error_set(err, EXDEV, "'%s' is a mount point", path);
		if (depth >= HARDEN_MAX_DEPTH)
			return jail_error_set(err, ELOOP, "'%s': too deep", path);
		sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return jail_error_set(err, errno, "'%s': %s", path, strerror(errno));
		return harden_dir(h, sub, path, depth + 1, err);
	}
	return 0;
}

static int harden_dir(struct hardener *h, int dfd, const char *dir, int depth,
		      struct jail_error *err)
{
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return jail_error_set(err, errno, "'%s': %s", dir, strerror(errno));
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return jail_error_set(err, errno, "'%s': %s", dir, strerror(errno));
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = harden_entry(h, dfd, dir, de->d_name, depth, err);
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

int jailroot_harden(int treefd, struct jailroot_manifest *m, jailroot_note_fn note, void *opaque,
		    struct jail_error *err)
{
	struct hardener h = { .note = note, .opaque = opaque };
	struct stat st;

	(void)m;
	if (fstat(treefd, &st) < 0)
		return jail_error_set(err, errno, "tree: %s", strerror(errno));
	h.dev = st.st_dev;
	if (fchown(treefd, 0, 0) < 0 || fchmod(treefd, 0755) < 0)
		return jail_error_set(err, errno, "tree: %s", strerror(errno));
	return harden_dir(&h, treefd, "/", 0, err);
}
