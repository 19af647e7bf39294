/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening paths as root without being fooled by the filesystem.
 *
 * A path string checked and then used again by name loses a race every time
 * (pam_namespace, CVE-2025-6020). These functions walk an absolute path one
 * component at a time with openat(O_PATH|O_NOFOLLOW), fstat() each component
 * through its fd, and hand back an fd to the last one. A symlink anywhere is
 * refused. With JAIL_SAFE_TRUSTED, every component (from "/" down) must be
 * owned by root (or `trusted_uid`) and not writable by group or others:
 * OpenSSH's rule for ChrootDirectory and its config files.
 */
#ifndef PAM_JAIL_SAFEPATH_H
#define PAM_JAIL_SAFEPATH_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util.h"

#define JAIL_PATH_MAX_COMPONENTS 64

enum jail_safe_flags {
	/* every component owned by root or trusted_uid, not group/other writable */
	JAIL_SAFE_TRUSTED = 1u << 0,
	/* the last component must be a directory / a regular file */
	JAIL_SAFE_DIRECTORY = 1u << 1,
	JAIL_SAFE_REGULAR = 1u << 2,
	/* jail_safe_walk only: a missing component is made, a directory (the
	 * last one, with CREATE_FILE, an empty regular file) */
	JAIL_SAFE_CREATE = 1u << 3,
	JAIL_SAFE_CREATE_FILE = 1u << 4,
};
#define JAIL_SAFE_CREATE_MASK (JAIL_SAFE_CREATE | JAIL_SAFE_CREATE_FILE)

/* How jail_safe_walk goes. */
struct jail_walk {
	/* the last component's open flags (O_PATH, O_RDONLY | O_DIRECTORY,
	 * ...); O_NOFOLLOW | O_CLOEXEC are always added */
	int open_flags;
	unsigned flags;	   /* JAIL_SAFE_* */
	uid_t trusted_uid; /* JAIL_SAFE_TRUSTED: the one owner allowed besides root */
	/* JAIL_SAFE_CREATE: what is made gets exactly this mode (a file
	 * without the execute bits; the umask does not apply) and owner */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	/* how messages name `dirfd`: "" when it is a root ("/usr": messages
	 * name absolute paths), NULL for "." ("./keep") */
	const char *shown;
};

/*
 * Open absolute `path`. `open_flags` applies to the last component (e.g.
 * O_RDONLY, O_PATH, O_DIRECTORY); O_NOFOLLOW|O_CLOEXEC are always added.
 * Returns the fd, or a negative errno with `err` naming the offending
 * component and why ("'/srv/jail' is writable by group").
 * If `ret_st` is not NULL it receives the last component's stat.
 */
int jail_safe_open(const char *path, int open_flags, unsigned safe_flags, uid_t trusted_uid,
		   struct stat *ret_st, struct jail_error *err);

/*
 * The same, starting at directory fd `dirfd` with a relative `path`
 * (components may not be "..", "." is skipped). Only the components below
 * `dirfd` are checked.
 */
int jail_safe_openat(int dirfd, const char *path, int open_flags, unsigned safe_flags,
		     uid_t trusted_uid, struct stat *ret_st, struct jail_error *err);

/*
 * The one walk all of the above and every other walk by fd use: `path`
 * below the directory `dirfd` (leading slashes name `dirfd` itself, so a
 * path inside a jail root or a tree reads as it does inside), one component
 * at a time with openat(O_NOFOLLOW), each fstat()ed through its fd. Every
 * component but the last must be a directory; a symlink anywhere and ".."
 * are refused, "." is skipped. With JAIL_SAFE_TRUSTED every component below
 * `dirfd` must pass jail_safe_check_stat(). With JAIL_SAFE_CREATE, what is
 * missing is made (by whoever calls: root in a root's tree, a user's
 * directory in that user's home) and then opened and checked like the rest:
 * a name swapped for a symlink meanwhile makes the walk fail, not follow.
 */
int jail_safe_walk(int dirfd, const char *path, const struct jail_walk *w, struct stat *ret_st,
		   struct jail_error *err);

/* Check one already-open component by its stat (the rule above). */
int jail_safe_check_stat(const struct stat *st, const char *what, uid_t trusted_uid,
			 struct jail_error *err);

/*
 * Take the next component of a path, for the walks that go one component at
 * a time: skips the slashes before it, copies it into `comp`, and moves *p
 * past it and the slashes after it, so that **p == '\0' afterwards means it
 * was the last. Returns 1 with a component, 0 at the end of the path, and
 * -ENAMETOOLONG (consuming nothing) for one longer than NAME_MAX.
 */
int jail_path_next(const char **p, char comp[NAME_MAX + 1]);

/* A path is absolute, has no "." or ".." component, no empty component
 * except a trailing slash, and is shorter than PATH_MAX. */
bool jail_path_is_clean_absolute(const char *path);

#endif
