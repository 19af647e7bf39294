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

/* Walk `rel` below `dirfd`. `shown` is the path prefix used in messages. */
static int walk(int dirfd, const char *shown, const char *rel, int open_flags, unsigned safe_flags,
		uid_t trusted_uid, struct stat *ret_st, struct jail_error *err)
{
	char sofar[PATH_MAX];
	_cleanup_close_ int cur = -1;
	const char *p = rel;
	int depth = 0;
	struct stat st;

	snprintf(sofar, sizeof(sofar), "%s", shown);
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

		flags = last ? (open_flags | O_NOFOLLOW | O_CLOEXEC)
			     : (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		fd = openat(cur, comp, flags);
		if (fd < 0) {
			int e = errno;
			if (e == ELOOP || e == ENOTDIR) {
				/* O_NOFOLLOW on a symlink gives ELOOP; tell the admin plainly */
				struct stat lst;
				if (fstatat(cur, comp, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
				    S_ISLNK(lst.st_mode))
					return jail_error_set(err, ELOOP, "'%s' is a symbolic link",
							      sofar);
			}
			return jail_error_set(err, e, "'%s': %s", sofar, strerror(e));
		}
		jail_closep(&cur);
		cur = fd;

		if (fstat(cur, &st) < 0)
			return jail_error_set(err, errno, "'%s': %s", sofar, strerror(errno));
		if ((safe_flags & JAIL_SAFE_TRUSTED)) {
			r = jail_safe_check_stat(&st, sofar, trusted_uid, err);
			if (r < 0)
				return r;
		}
		if (last) {
			r = check_type(&st, sofar, safe_flags, err);
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
		int r = check_type(&st, sofar, safe_flags, err);
		if (r < 0)
			return r;
	}
	{
		int fd = openat(cur, ".", (open_flags & ~O_NOFOLLOW) | O_CLOEXEC);
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
	return walk(root, "", path, open_flags, safe_flags, trusted_uid, ret_st, err);
}

int jail_safe_openat(int dirfd, const char *path, int open_flags, unsigned safe_flags,
		     uid_t trusted_uid, struct stat *ret_st, struct jail_error *err)
{
	if (!path || path[0] == '/')
		return jail_error_set(err, EINVAL, "'%s' must be a relative path",
				      path ? path : "(null)");
	return walk(dirfd, ".", path, open_flags, safe_flags, trusted_uid, ret_st, err);
}
