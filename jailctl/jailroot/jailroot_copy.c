/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copying host paths into a jail tree, one component at a time.
 *
 * The host path is resolved by hand, the way the kernel would, so that
 * every symlink met on the way can be recreated in the tree as it is: the
 * tree gets /lib -> usr/lib, libfoo.so.1 -> libfoo.so.1.2.3 and the other
 * links a Debian system has, and a program asked for as /bin/ls works in
 * the jail by the same name. Each host directory is opened with
 * O_NOFOLLOW from its parent's fd and must be root-owned and not
 * group/other writable (OpenSSH's rule), each file is opened O_NOFOLLOW and
 * checked through its fd, so nobody but root can choose what we copy.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "jailroot_internal.h"
#include "safepath.h"

/* ------------------------------------------------------------ string set */

static size_t str_hash(const char *s)
{
	size_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

bool jailroot_strset_has(const struct jailroot_strset *s, const char *str)
{
	if (!s->cap)
		return false;
	for (size_t i = str_hash(str) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (!s->slots[i])
			return false;
		if (strcmp(s->slots[i], str) == 0)
			return true;
	}
}

int jailroot_strset_add(struct jailroot_strset *s, const char *str)
{
	size_t i;

	if (jailroot_strset_has(s, str))
		return 0;
	if ((s->n + 1) * 2 > s->cap) {
		struct jailroot_strset g = { .cap = s->cap ? s->cap * 2 : 1024 };
		g.slots = calloc(g.cap, sizeof(char *));
		if (!g.slots)
			return -ENOMEM;
		for (size_t j = 0; j < s->cap; j++) {
			if (!s->slots[j])
				continue;
			for (i = str_hash(s->slots[j]) & (g.cap - 1); g.slots[i];
			     i = (i + 1) & (g.cap - 1))
				;
			g.slots[i] = s->slots[j];
		}
		g.n = s->n;
		free(s->slots);
		*s = g;
	}
	for (i = str_hash(str) & (s->cap - 1); s->slots[i]; i = (i + 1) & (s->cap - 1))
		;
	s->slots[i] = strdup(str);
	if (!s->slots[i])
		return -ENOMEM;
	s->n++;
	return 1;
}

void jailroot_strset_clear(struct jailroot_strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

void jailroot_copier_clear(struct jailroot_copier *c)
{
	jailroot_strset_clear(&c->done);
}

static void note(struct jailroot_copier *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct jailroot_copier *c, const char *path, const char *fmt, ...)
{
	char what[PATH_MAX + 128];
	va_list ap;

	if (!c->note)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	c->note(c->opaque, path, what);
}

/* ------------------------------------------------------------ host side */

static int check_host(const struct stat *st, const char *path, struct jail_error *err)
{
	if (st->st_uid != 0)
		return jail_error_set(err, EPERM, "host '%s' is owned by uid %u, not root", path,
				      (unsigned)st->st_uid);
	if (!S_ISLNK(st->st_mode) && (st->st_mode & (S_IWGRP | S_IWOTH)))
		return jail_error_set(err, EPERM, "host '%s' is writable by %s", path,
				      (st->st_mode & S_IWOTH) ? "others" : "group");
	return 0;
}

/* Open the host directory `path` (symlink-free, absolute; "" is "/"),
 * checking every component. */
static int open_host_dir(struct jailroot_copier *c, const char *path, struct jail_error *err)
{
	const struct jail_walk w = {
		.open_flags = O_RDONLY | O_DIRECTORY,
		.flags = JAIL_SAFE_TRUSTED | JAIL_SAFE_DIRECTORY,
		.shown = "",
	};
	struct jail_error e = { 0 };
	struct stat st;
	int fd;

	if (fstat(c->hostfd, &st) < 0)
		return jail_error_set(err, errno, "host /: %s", strerror(errno));
	if (check_host(&st, "/", err) < 0)
		return -EPERM;
	fd = jail_safe_walk(c->hostfd, path, &w, NULL, &e);
	if (fd < 0)
		return jail_error_set(err, -fd, "host %s", e.message);
	return fd;
}

/* ------------------------------------------------------------ tree side */

static int tree_dir(struct jailroot_copier *c, const char *path, struct jail_error *err)
{
	_cleanup_close_ int p = -1;
	int fd;

	p = jailroot_mkdirs(c->treefd, path, err);
	if (p < 0)
		return p;
	fd = openat(p, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return jail_error_set(err, errno, "tree '%s': %s", path, strerror(errno));
	return fd;
}

/* The symlink `dir/name` -> target, as on the host. */
int jailroot_tree_link(struct jailroot_copier *c, const char *dir, const char *name,
		       const char *target, struct jail_error *err)
{
	char path[PATH_MAX], cur[PATH_MAX];
	_cleanup_close_ int d = -1;
	struct stat st;
	ssize_t n;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return jail_error_set(err, ENAMETOOLONG, "'%s/%s': too long", dir, name);
	d = tree_dir(c, dir, err);
	if (d < 0)
		return d;
	if (symlinkat(target, d, name) == 0)
		goto created;
	if (errno != EEXIST)
		return jail_error_set(err, errno, "tree '%s': symlink: %s", path, strerror(errno));
	if (fstatat(d, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return jail_error_set(err, errno, "tree '%s': %s", path, strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(d, name, cur, sizeof(cur) - 1);
		if (n < 0)
			return jail_error_set(err, errno, "tree '%s': %s", path, strerror(errno));
		cur[n] = '\0';
		if (strcmp(cur, target) == 0)
			goto record;
	}
	if (!c->replace)
		return jail_error_set(err, EEXIST,
				      "tree '%s' exists and is not the host's symlink to '%s'",
				      path, target);
	{
		/* update: the host's link changed; swap ours atomically. */
		char tmp[64];
		snprintf(tmp, sizeof(tmp), ".pj-link.%d", (int)getpid());
		unlinkat(d, tmp, 0);
		if (symlinkat(target, d, tmp) < 0 || renameat(d, tmp, d, name) < 0) {
			r = -errno;
			unlinkat(d, tmp, 0);
			return jail_error_set(err, -r, "tree '%s': %s", path, strerror(-r));
		}
		c->changes++;
		note(c, path, "symlink now points to '%s'", target);
	}
	goto record;
created:
	/* symlinkat ignores ownership rules; the link is root's like the rest. */
	if (fchownat(d, name, 0, 0, AT_SYMLINK_NOFOLLOW) < 0)
		return jail_error_set(err, errno, "tree '%s': %s", path, strerror(errno));
record:
	r = jailroot_manifest_put(c->m, JAILROOT_LINK, path, NULL, target, NULL, 0);
	if (r < 0)
		return jail_error_set(err, -r, "manifest '%s': %s", path, strerror(-r));
	return 0;
}

/* Copy the open host file `in` (stat `st`) to the tree as `dir/name`. */
static int copy_file(struct jailroot_copier *c, int in, const struct stat *st, const char *dir,
		     const char *name, const char *host_path, struct jail_error *err)
{
	char path[PATH_MAX], tmp[64], hex[JAILROOT_SHA256_HEX];
	uint8_t digest[JAILROOT_SHA256_LEN], buf[65536];
	_cleanup_close_ int d = -1, out = -1;
	struct jailroot_sha256 s;
	/* No setuid/setgid/sticky, no group/other write: inside the jail
	 * no_new_privs makes setuid useless anyway, but a tree is also
	 * readable from the host, where a setuid copy would be a gift. */
	mode_t mode = st->st_mode & 0755;
	const struct jailroot_entry *old;
	off_t off = 0;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return jail_error_set(err, ENAMETOOLONG, "'%s/%s': too long", dir, name);
	old = jailroot_manifest_find(c->m, path);
	if (c->replace && old && old->kind == JAILROOT_FILE && old->mode == mode) {
		r = jailroot_sha256_fd(in, hex);
		if (r < 0)
			return jail_error_set(err, -r, "host '%s': %s", host_path, strerror(-r));
		if (strcmp(hex, old->sha256) == 0)
			return 0; /* unchanged on the host */
	}
	d = tree_dir(c, dir, err);
	if (d < 0)
		return d;
	snprintf(tmp, sizeof(tmp), ".pj-new.%d", (int)getpid());
	unlinkat(d, tmp, 0);
	out = openat(d, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return jail_error_set(err, errno, "tree '%s': %s", path, strerror(errno));
	jailroot_sha256_init(&s);
	for (;;) {
		ssize_t n = pread(in, buf, sizeof(buf), off), w = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = jail_error_set(err, errno, "reading host '%s': %s", host_path,
					   strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		jailroot_sha256_update(&s, buf, (size_t)n);
		while (w < n) {
			ssize_t k = write(out, buf + w, (size_t)(n - w));
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				r = jail_error_set(err, errno, "writing tree '%s': %s", path,
						   strerror(errno));
				goto fail;
			}
			w += k;
		}
		off += n;
	}
	jailroot_sha256_final(&s, digest);
	jailroot_sha256_hex(digest, hex);
	if (fchown(out, 0, 0) < 0 || fchmod(out, mode) < 0) {
		r = jail_error_set(err, errno, "tree '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (renameat(d, tmp, d, name) < 0) {
		r = jail_error_set(err, errno, "tree '%s': rename: %s", path, strerror(errno));
		goto fail;
	}
	if (c->replace) {
		c->changes++;
		note(c, path, old ? "updated from host '%s'" : "added from host '%s'", host_path);
	}
	if (st->st_mode & (S_ISUID | S_ISGID))
		note(c, path, "setuid/setgid bit stripped");
	r = jailroot_manifest_put(c->m, JAILROOT_FILE, path, host_path, NULL, hex, mode);
	if (r < 0)
		return jail_error_set(err, -r, "manifest '%s': %s", path, strerror(-r));
	return 0;
fail:
	unlinkat(d, tmp, 0);
	return r;
}

/* ------------------------------------------------------------ the walk */

static int install_dir_contents(struct jailroot_copier *c, int hostdir, const char *path,
				struct jail_error *err);

/* Append component `comp` to the resolved path `res`. */
static int push(char *res, size_t size, const char *comp)
{
	size_t used = strlen(res);
	int n = snprintf(res + used, size - used, "/%s", comp);
	return n < 0 || (size_t)n >= size - used ? -ENAMETOOLONG : 0;
}

int jailroot_install_host_path(struct jailroot_copier *c, const char *path, char **ret_resolved,
			       struct jail_error *err)
{
	/* `rest` is what is left to resolve; a symlink's target is put in
	 * front of it. `res` is the symlink-free path resolved so far. */
	_cleanup_free_ char *rest = NULL;
	char res[PATH_MAX] = "";
	const char *p;
	int links = 0, r;

	if (!path || path[0] != '/' || strpbrk(path, "\t\n"))
		return jail_error_set(err, EINVAL, "'%s' is not an absolute path", path);
	rest = strdup(path);
	if (!rest)
		return jail_error_set(err, ENOMEM, "out of memory");
	p = rest;
	for (;;) {
		_cleanup_close_ int hostdir = -1, fd = -1;
		char comp[NAME_MAX + 1], target[PATH_MAX], shown[PATH_MAX];
		struct stat st, fst;
		bool last;
		ssize_t n;

		n = jail_path_next(&p, comp);
		if (n == 0)
			break;
		if (n < 0)
			return jail_error_set(err, ENAMETOOLONG, "'%s': name too long", path);
		last = !*p;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *slash = strrchr(res, '/');
			if (slash)
				*slash = '\0';
			continue;
		}
		hostdir = open_host_dir(c, res, err);
		if (hostdir < 0)
			return hostdir;
		if (snprintf(shown, sizeof(shown), "%s/%s", res, comp) >= (int)sizeof(shown))
			return jail_error_set(err, ENAMETOOLONG, "'%s': too long", path);
		if (fstatat(hostdir, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return jail_error_set(err, errno, "host '%s': %s", shown, strerror(errno));
		if (S_ISLNK(st.st_mode)) {
			_cleanup_free_ char *joined = NULL;
			if (++links > JAILROOT_MAX_SYMLINKS)
				return jail_error_set(err, ELOOP, "'%s': too many symlinks", path);
			r = check_host(&st, shown, err);
			if (r < 0)
				return r;
			n = readlinkat(hostdir, comp, target, sizeof(target) - 1);
			if (n <= 0)
				return jail_error_set(err, n < 0 ? errno : EINVAL,
						      "host '%s': readlink", shown);
			target[n] = '\0';
			if (strpbrk(target, "\t\n"))
				return jail_error_set(err, EINVAL, "host '%s': odd link", shown);
			r = jailroot_tree_link(c, res, comp, target, err);
			if (r < 0)
				return r;
			if (asprintf(&joined, "%s/%s", target, p) < 0)
				return jail_error_set(err, ENOMEM, "out of memory");
			if (target[0] == '/')
				res[0] = '\0';
			free(rest);
			rest = steal_pointer(&joined);
			p = rest;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int tdir = -1;
			r = check_host(&st, shown, err);
			if (r < 0)
				return r;
			if (push(res, sizeof(res), comp) < 0)
				return jail_error_set(err, ENAMETOOLONG, "'%s': too long", path);
			tdir = jailroot_mkdirs(c->treefd, res, err);
			if (tdir < 0)
				return tdir;
			if (last) {
				_cleanup_close_ int hd = open_host_dir(c, res, err);
				if (hd < 0)
					return hd;
				r = jailroot_strset_add(&c->done, res);
				if (r < 0)
					return jail_error_set(err, -r, "out of memory");
				if (r > 0) {
					r = install_dir_contents(c, hd, res, err);
					if (r < 0)
						return r;
				}
			}
			continue;
		}
		if (!last)
			return jail_error_set(err, ENOTDIR, "host '%s' is not a directory", shown);
		if (!S_ISREG(st.st_mode))
			return jail_error_set(err, EINVAL,
					      "host '%s' is not a regular file, directory or "
					      "symlink",
					      shown);
		fd = openat(hostdir, comp,
			    O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			return jail_error_set(err, errno, "host '%s': %s", shown, strerror(errno));
		/* The file we opened is the one we checked. */
		if (fstat(fd, &fst) < 0 || fst.st_dev != st.st_dev || fst.st_ino != st.st_ino ||
		    !S_ISREG(fst.st_mode))
			return jail_error_set(err, EAGAIN, "host '%s' changed while we looked",
					      shown);
		r = check_host(&fst, shown, err);
		if (r < 0)
			return r;
		r = jailroot_strset_add(&c->done, shown);
		if (r < 0)
			return jail_error_set(err, -r, "out of memory");
		if (r > 0) {
			r = copy_file(c, fd, &fst, res, comp, shown, err);
			if (r < 0)
				return r;
			if (c->on_file) {
				r = c->on_file(c, shown, err);
				if (r < 0)
					return r;
			}
		}
		if (push(res, sizeof(res), comp) < 0)
			return jail_error_set(err, ENAMETOOLONG, "'%s': too long", path);
		break;
	}
	if (ret_resolved) {
		*ret_resolved = strdup(res[0] ? res : "/");
		if (!*ret_resolved)
			return jail_error_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

static bool is_tree(struct jailroot_copier *c, const struct stat *st)
{
	struct stat t;
	return fstat(c->treefd, &t) == 0 && t.st_dev == st->st_dev && t.st_ino == st->st_ino;
}

/* Everything below the host directory `path` (already made in the tree). */
static int install_dir_contents(struct jailroot_copier *c, int hostdir, const char *path,
				struct jail_error *err)
{
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	fd = openat(hostdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return jail_error_set(err, errno, "host '%s': %s", path, strerror(errno));
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return jail_error_set(err, errno, "host '%s': %s", path, strerror(errno));
	}
	while ((de = readdir(d))) {
		char child[PATH_MAX];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(child, sizeof(child), "%s/%s", path, de->d_name) >=
		    (int)sizeof(child)) {
			r = jail_error_set(err, ENAMETOOLONG, "'%s/%s': too long", path,
					   de->d_name);
			break;
		}
		/* Sockets, FIFOs and device nodes are no part of a program. */
		if (fstatat(hostdir, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
			continue;
		/* The tree being built, met inside a directory it copies (a
		 * tree under /srv with /srv named as a program): copying it
		 * into itself would never end. */
		if (S_ISDIR(st.st_mode) && is_tree(c, &st))
			continue;
		/* A symlink comes with what it points to (an alternatives
		 * entry, a header directory elsewhere): otherwise it would
		 * dangle in the tree. One that dangles on the host too is
		 * left as it is, and said so. */
		r = jailroot_install_host_path(c, child, NULL, err);
		if (r == -ENOENT && S_ISLNK(st.st_mode)) {
			note(c, child, "symlink dangles on the host too");
			r = 0;
		}
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}
