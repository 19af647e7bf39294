/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Walking paths by fd, one component at a time (see safepath.h). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "safepath.h"

bool jail_path_is_clean_absolute(const char *path)
{
	const char *p;

	if (!path || path[0] != '/' || strlen(path) >= PATH_MAX)
		return false;
	p = path;
	while (*p) {
		const char *start, *end;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		start = p;
		end = strchrnul(start, '/');
		len = (size_t)(end - start);
		if ((len == 1 && start[0] == '.') ||
		    (len == 2 && start[0] == '.' && start[1] == '.'))
			return false;
		/* "//" inside the path: refuse, it hides a missing component */
		if (*end == '/' && end[1] == '/')
			return false;
		p = end;
	}
	return true;
}

int jail_path_next(const char **p, char comp[NAME_MAX + 1])
{
	const char *s = *p;
	size_t len;

	while (*s == '/')
		s++;
	if (!*s) {
		*p = s;
		return 0;
	}
	len = strcspn(s, "/");
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(comp, s, len);
	comp[len] = '\0';
	s += len;
	while (*s == '/')
		s++;
	*p = s;
	return 1;
}

int jail_safe_check_stat(const struct stat *st, const char *what, uid_t trusted_uid,
			 struct jail_error *err)
{
	/* A symlink's own mode is always 0777: say what it is, not "writable". */
	if (S_ISLNK(st->st_mode))
		return jail_error_set(err, ELOOP, "'%s' is a symbolic link", what);
	if (st->st_uid != 0 && st->st_uid != trusted_uid)
		return jail_error_set(err, EPERM, "'%s' is owned by uid %u, not root", what,
				      (unsigned)st->st_uid);
	/* Name exactly what is wrong: an admin told "writable by group" about
	 * /tmp (mode 1777) looks for a group that is not the problem. */
	if ((st->st_mode & S_IWGRP) && (st->st_mode & S_IWOTH))
		return jail_error_set(err, EPERM, "'%s' is world-writable (mode %04o)", what,
				      (unsigned)(st->st_mode & 07777));
	if (st->st_mode & S_IWGRP)
		return jail_error_set(err, EPERM, "'%s' is writable by group (mode %04o)", what,
				      (unsigned)(st->st_mode & 07777));
	if (st->st_mode & S_IWOTH)
		return jail_error_set(err, EPERM, "'%s' is writable by others (mode %04o)", what,
				      (unsigned)(st->st_mode & 07777));
	return 0;
}

/* Check the final component's type. */
static int check_type(const struct stat *st, const char *what, unsigned safe_flags,
		      struct jail_error *err)
{
	if (S_ISLNK(st->st_mode))
		return jail_error_set(err, ELOOP, "'%s' is a symbolic link", what);
	if ((safe_flags & JAIL_SAFE_DIRECTORY) && !S_ISDIR(st->st_mode))
		return jail_error_set(err, ENOTDIR, "'%s' is not a directory", what);
	if ((safe_flags & JAIL_SAFE_REGULAR) && !S_ISREG(st->st_mode))
		return jail_error_set(err, EINVAL, "'%s' is not a regular file", what);
	return 0;
}

/* Make the missing `name` in `dirfd` as `w` says (JAIL_SAFE_CREATE): a
 * directory, or with `file` an empty regular file. 0 also when someone else
 * made it meanwhile: the walk opens and checks whatever is there. */
static int make_missing(int dirfd, const char *name, bool file, const struct jail_walk *w,
			const char *shown, struct jail_error *err)
{
	_cleanup_close_ int fd = -1;

	if (file) {
		fd = openat(dirfd, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    w->mode & 0666);
	} else if (mkdirat(dirfd, name, w->mode) == 0) {
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		return jail_error_set(err, errno, "'%s': cannot create: %s", shown,
				      strerror(errno));
	}
	/* Ours: its owner and exact mode, whatever the umask and a setgid
	 * parent would have made of them. */
	if (fchown(fd, w->uid, w->gid) < 0 || fchmod(fd, file ? w->mode & 0666 : w->mode) < 0)
		return jail_error_set(err, errno, "'%s': %s", shown, strerror(errno));
	return 0;
}

/* Why openat() of an existing `comp` failed, said plainly: O_NOFOLLOW on a
 * symlink gives ELOOP, O_DIRECTORY on anything else ENOTDIR. */
static int open_failed(int dirfd, const char *comp, int e, const char *shown,
		       struct jail_error *err)
{
	struct stat lst;

	if ((e == ELOOP || e == ENOTDIR) && fstatat(dirfd, comp, &lst, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(lst.st_mode))
			return jail_error_set(err, ELOOP, "'%s' is a symbolic link", shown);
		if (e == ENOTDIR)
			return jail_error_set(err, ENOTDIR, "'%s' is not a directory", shown);
	}
	return jail_error_set(err, e, "'%s': %s", shown, strerror(e));
}

int jail_safe_walk(int dirfd, const char *path, const struct jail_walk *w, struct stat *ret_st,
		   struct jail_error *err)
{
	char sofar[PATH_MAX];
	_cleanup_close_ int cur = -1;
	const char *p = path;
	int depth = 0;
	struct stat st;

	snprintf(sofar, sizeof(sofar), "%s", w->shown ? w->shown : ".");
	cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return jail_error_set(err, errno, "dup: %s", strerror(errno));

	for (;;) {
		char comp[NAME_MAX + 1];
		bool last;
		int fd, flags, r;

		r = jail_path_next(&p, comp);
		if (r == 0)
			break; /* trailing slash or empty: `cur` is the answer */
		if (r < 0)
			return jail_error_set(err, ENAMETOOLONG, "'%s/%.*s': name too long", sofar,
					      (int)strcspn(p + strspn(p, "/"), "/"),
					      p + strspn(p, "/"));
		last = (*p == '\0');

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0)
			return jail_error_set(err, EINVAL, "'%s': '..' is not allowed in a path",
					      sofar);
		if (++depth > JAIL_PATH_MAX_COMPONENTS)
			return jail_error_set(err, ENAMETOOLONG, "'%s': too many components",
					      sofar);

		size_t used = strlen(sofar);
		snprintf(sofar + used, sizeof(sofar) - used, "%s%s",
			 (used > 0 && sofar[used - 1] == '/') ? "" : "/", comp);

		flags = last ? (w->open_flags | O_NOFOLLOW | O_CLOEXEC)
			     : (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		fd = openat(cur, comp, flags);
		if (fd < 0 && errno == ENOENT && (w->flags & JAIL_SAFE_CREATE)) {
			r = make_missing(cur, comp, last && (w->flags & JAIL_SAFE_CREATE_FILE), w,
					 sofar, err);
			if (r < 0)
				return r;
			fd = openat(cur, comp, flags);
		}
		if (fd < 0)
			return open_failed(cur, comp, errno, sofar, err);
		jail_closep(&cur);
		cur = fd;

		if (fstat(cur, &st) < 0)
			return jail_error_set(err, errno, "'%s': %s", sofar, strerror(errno));
		if ((w->flags & JAIL_SAFE_TRUSTED)) {
			r = jail_safe_check_stat(&st, sofar, w->trusted_uid, err);
			if (r < 0)
				return r;
		}
		if (last) {
			r = check_type(&st, sofar, w->flags, err);
			if (r < 0)
				return r;
			if (ret_st)
				*ret_st = st;
			return steal_fd(&cur);
		}
	}

	/* The path named `dirfd` itself (e.g. "/"): reopen it with the caller's flags. */
	if (fstat(cur, &st) < 0)
		return jail_error_set(err, errno, "'%s': %s", sofar, strerror(errno));
	{
		int r = check_type(&st, sofar, w->flags, err);
		if (r < 0)
			return r;
	}
	{
		int fd = openat(cur, ".", (w->open_flags & ~O_NOFOLLOW) | O_CLOEXEC);
		if (fd < 0)
			return jail_error_set(err, errno, "'%s': %s", sofar, strerror(errno));
		if (ret_st)
			*ret_st = st;
		return fd;
	}
}

int jail_safe_open(const char *path, int open_flags, unsigned safe_flags, uid_t trusted_uid,
		   struct stat *ret_st, struct jail_error *err)
{
	_cleanup_close_ int root = -1;
	struct stat st;

	if (!jail_path_is_clean_absolute(path))
		return jail_error_set(err, EINVAL, "'%s' is not a clean absolute path",
				      path ? path : "(null)");
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return jail_error_set(err, errno, "'/': %s", strerror(errno));
	if (safe_flags & JAIL_SAFE_TRUSTED) {
		int r;
		if (fstat(root, &st) < 0)
			return jail_error_set(err, errno, "'/': %s", strerror(errno));
		r = jail_safe_check_stat(&st, "/", trusted_uid, err);
		if (r < 0)
			return r;
	}
	return jail_safe_walk(root, path,
			      &(struct jail_walk){ .open_flags = open_flags,
						   .flags = safe_flags & ~JAIL_SAFE_CREATE_MASK,
						   .trusted_uid = trusted_uid,
						   .shown = "" },
			      ret_st, err);
}

int jail_safe_openat(int dirfd, const char *path, int open_flags, unsigned safe_flags,
		     uid_t trusted_uid, struct stat *ret_st, struct jail_error *err)
{
	if (!path || path[0] == '/')
		return jail_error_set(err, EINVAL, "'%s' must be a relative path",
				      path ? path : "(null)");
	return jail_safe_walk(dirfd, path,
			      &(struct jail_walk){ .open_flags = open_flags,
						   .flags = safe_flags & ~JAIL_SAFE_CREATE_MASK,
						   .trusted_uid = trusted_uid,
						   .shown = "." },
			      ret_st, err);
}
