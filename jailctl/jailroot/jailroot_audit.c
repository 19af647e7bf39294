/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Auditing a jail tree (jailctl audit): everything in it is looked at by fd,
 * nothing in it is run or followed out of it.
 */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "jailroot_internal.h"
#include "safepath.h"
#include "tree_trust.h"

#define AUDIT_MAX_DEPTH 128

struct auditor {
	int treefd;
	int hostfd;
	dev_t dev;
	struct ld_cache cache;
	struct elf_search search;
	jailroot_note_fn note;
	void *opaque;
	int findings;
};

static void finding(struct auditor *a, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void finding(struct auditor *a, const char *path, const char *fmt, ...)
{
	char what[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	a->findings++;
	if (a->note)
		a->note(a->opaque, path, what);
}

const char *jailroot_mode_problem(const struct stat *st)
{
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return "device node";
	if (S_ISLNK(st->st_mode))
		return NULL;
	if (S_ISREG(st->st_mode) && (st->st_mode & S_ISUID))
		return "setuid file";
	if (S_ISREG(st->st_mode) && (st->st_mode & S_ISGID))
		return "setgid file";
	/* The writability rule is the one jail-init refuses a tree for:
	 * one definition, so audit and login cannot disagree. */
	return jail_tree_write_problem(st);
}

/* The tree's own directory: the same rule as any directory in it, plus
 * no group write at all (jail-init's check). */
static const char *why_root(const struct stat *st)
{
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return "the tree's top directory is writable by group or others";
	return NULL;
}

/* Open `path` in the tree without following any symlink. */
static int open_nofollow(int treefd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV,
	};
	long r;

	if (path[0] != '/')
		return -EINVAL;
	r = syscall(SYS_openat2, treefd, path + 1, &how, sizeof(how));
	return r < 0 ? -errno : (int)r;
}

/* Runtime mounts of a jail: a link into them resolves only in a live jail. */
static bool is_runtime_path(const char *abs)
{
	static const char *const dirs[] = { "/proc", "/dev", "/run", "/sys", "/tmp" };
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(dirs); i++) {
		size_t n = strlen(dirs[i]);
		if (strncmp(abs, dirs[i], n) == 0 && (abs[n] == '\0' || abs[n] == '/'))
			return true;
	}
	return false;
}

/* Resolve `target` of the link in `dir` lexically. Returns false if a
 * relative target climbs above the tree's root; `out` gets the result. */
static bool normalize(const char *dir, const char *target, char *out, size_t size)
{
	char buf[PATH_MAX * 2];
	char *save = NULL, *tok;
	bool escaped = false;

	if (target[0] == '/')
		snprintf(buf, sizeof(buf), "%s", target);
	else
		snprintf(buf, sizeof(buf), "%s/%s", dir, target);
	out[0] = '\0';
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			char *slash = strrchr(out, '/');
			if (slash)
				*slash = '\0';
			else if (target[0] != '/')
				escaped = true;
			continue;
		}
		size_t used = strlen(out);
		snprintf(out + used, size - used, "/%s", tok);
	}
	if (!out[0])
		snprintf(out, size, "/");
	return !escaped;
}

static void check_link(struct auditor *a, int dfd, const char *name, const char *dir,
		       const char *path)
{
	char target[PATH_MAX], abs[PATH_MAX];
	ssize_t n;
	int fd;

	n = readlinkat(dfd, name, target, sizeof(target) - 1);
	if (n < 0) {
		finding(a, path, "unreadable symlink: %s", strerror(errno));
		return;
	}
	target[n] = '\0';
	if (!normalize(dir, target, abs, sizeof(abs))) {
		finding(a, path, "symlink to '%s' climbs out of the tree", target);
		return;
	}
	if (is_runtime_path(abs))
		return;
	fd = elf_open_in_root(a->treefd, path, O_PATH);
	if (fd >= 0) {
		close(fd);
		return;
	}
	if (fd == -ELOOP)
		finding(a, path, "symlink to '%s' loops", target);
	else
		finding(a, path, "symlink to '%s' points out of the tree (nothing there in it)",
			target);
}

/* A dynamic ELF program or library: can the tree's loader satisfy it? */
static void check_elf(struct auditor *a, int fd, const char *path)
{
	_cleanup_free_ char *origin = NULL, *rpath = NULL, *runpath = NULL;
	struct elf_deps d = { 0 };
	struct jail_error e = { 0 };
	char *slash;

	if (elf_deps_read_fd(fd, &d, &e) < 0)
		return;
	if (d.machine != a->search.machine || !d.dynamic)
		goto out;
	if (d.interp) {
		int ifd = elf_open_in_root(a->treefd, d.interp, O_PATH);
		if (ifd < 0)
			finding(a, path, "its loader '%s' is missing in the tree", d.interp);
		else
			close(ifd);
	}
	origin = strdup(path);
	if (!origin)
		goto out;
	slash = strrchr(origin, '/');
	if (slash == origin)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (d.rpath && elf_expand_search_list(d.rpath, origin, &rpath, &e) < 0)
		goto out;
	if (d.runpath && elf_expand_search_list(d.runpath, origin, &runpath, &e) < 0)
		goto out;
	for (size_t i = 0; i < d.n_needed; i++) {
		_cleanup_free_ char *found = NULL;
		/* Only the object's own RPATH: what its loaders add is not
		 * known here, so a library that relies on it is reported. */
		if (elf_find_library(&a->search, d.needed[i], rpath, runpath, &found, &e) < 0)
			finding(a, path, "needs '%s', which the tree does not have", d.needed[i]);
	}
out:
	elf_deps_clear(&d);
}

static void audit_dir(struct auditor *a, int dfd, const char *dir, int depth);

static void audit_entry(struct auditor *a, int dfd, const char *dir, const char *name, int depth)
{
	char path[PATH_MAX];
	const char *why;
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", name) >=
	    (int)sizeof(path)) {
		finding(a, dir, "a name in it is too long to check");
		return;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		finding(a, path, "cannot stat: %s", strerror(errno));
		return;
	}
	if (st.st_uid != 0)
		finding(a, path, "owned by uid %u, not root", (unsigned)st.st_uid);
	why = jailroot_mode_problem(&st);
	if (why)
		finding(a, path, "%s (mode %04o)", why, (unsigned)(st.st_mode & 07777));
	if (S_ISLNK(st.st_mode)) {
		check_link(a, dfd, name, dir, path);
	} else if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int sub = -1;
		/* pam_jail's rule (tree_trust.h): a shared directory's entries
		 * are any user's; in tmp/, var/tmp/, run/ the jail's own mounts
		 * cover them, anywhere else the directory refuses the tree. */
		if (jail_tree_is_shared_dir(&st)) {
			if (!jail_tree_is_covered(path))
				finding(a, path,
					"sticky directory others may write to (mode %04o), not "
					"covered by the jail's own /tmp, /var/tmp, /run or /dev: "
					"pam_jail refuses the tree",
					(unsigned)(st.st_mode & 07777));
			return;
		}
		if (st.st_dev != a->dev) {
			finding(a, path, "another filesystem is mounted here");
			return;
		}
		if (depth >= AUDIT_MAX_DEPTH) {
			finding(a, path, "too deep to check");
			return;
		}
		sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			finding(a, path, "cannot open: %s", strerror(errno));
			return;
		}
		audit_dir(a, sub, path, depth + 1);
	} else if (S_ISREG(st.st_mode) && st.st_size >= (off_t)sizeof(Elf64_Ehdr)) {
		_cleanup_close_ int fd = -1;
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			check_elf(a, fd, path);
	}
}

static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void audit_dir(struct auditor *a, int dfd, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int fd;

	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	/* Names first, sorted: findings come out in a stable order. */
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **g = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof(char *));
			if (!g)
				break;
			names = g;
		}
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(char *), cmp_names);
	for (size_t i = 0; i < n; i++) {
		audit_entry(a, dfd, dir, names[i], depth);
		free(names[i]);
	}
	free(names);
}

/* A symlink the manifest records: still there, still pointing where it did. */
static void audit_manifest_link(struct auditor *a, const struct jailroot_entry *e)
{
	char parent[PATH_MAX], target[PATH_MAX];
	const char *slash = strrchr(e->path, '/');
	_cleanup_close_ int dir = -1;
	ssize_t n;

	if (!slash || (size_t)(slash - e->path) >= sizeof(parent))
		return;
	memcpy(parent, e->path, (size_t)(slash - e->path));
	parent[slash - e->path] = '\0';
	dir = parent[0] ? open_nofollow(a->treefd, parent, O_PATH | O_DIRECTORY)
			: fcntl(a->treefd, F_DUPFD_CLOEXEC, 3);
	n = dir < 0 ? -1 : readlinkat(dir, slash + 1, target, sizeof(target) - 1);
	if (n < 0) {
		finding(a, e->path, "a symlink in the manifest, missing from the tree");
		return;
	}
	target[n] = '\0';
	if (strcmp(target, e->target) != 0)
		finding(a, e->path, "symlink changed since it was built: '%s', was '%s'", target,
			e->target);
}

/* Files that differ from what the manifest says they are. */
static void audit_manifest(struct auditor *a, const struct jailroot_manifest *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct jailroot_entry *e = &m->entries[i];
		_cleanup_close_ int fd = -1, host = -1;
		char hex[JAILROOT_SHA256_HEX], host_hex[JAILROOT_SHA256_HEX];

		if (e->kind == JAILROOT_LINK) {
			audit_manifest_link(a, e);
			continue;
		}
		fd = open_nofollow(a->treefd, e->path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			finding(a, e->path, "in the manifest but not in the tree: %s",
				strerror(-fd));
			continue;
		}
		if (jailroot_sha256_fd(fd, hex) < 0) {
			finding(a, e->path, "unreadable in the tree");
			continue;
		}
		if (strcmp(hex, e->sha256) != 0) {
			finding(a, e->path, "changed in the tree since it was built");
			continue;
		}
		if (e->kind != JAILROOT_FILE)
			continue;
		host = elf_open_in_root(a->hostfd, e->source, O_RDONLY | O_NOCTTY | O_NONBLOCK);
		if (host < 0) {
			finding(a, e->path, "its host original '%s' is gone", e->source);
			continue;
		}
		if (jailroot_sha256_fd(host, host_hex) < 0 || strcmp(host_hex, hex) != 0)
			finding(a, e->path,
				"differs from its host original '%s' (jailctl update copies it)",
				e->source);
	}
}

int jailroot_audit(int treefd, const char *tree_path, const struct jailroot_manifest *m,
		   jailroot_note_fn note, void *opaque, struct jail_error *err)
{
	struct auditor a = { .treefd = treefd, .hostfd = -1, .note = note, .opaque = opaque };
	struct jail_error e = { 0 };
	_cleanup_close_ int safe = -1;
	struct stat st;
	int r;

	if (fstat(treefd, &st) < 0)
		return jail_error_set(err, errno, "'%s': %s", tree_path, strerror(errno));
	a.dev = st.st_dev;
	/* The rule pam_jail applies to a root before it uses it. */
	safe = jail_safe_open(tree_path, O_PATH, JAIL_SAFE_TRUSTED | JAIL_SAFE_DIRECTORY, 0, NULL,
			      &e);
	if (safe < 0)
		finding(&a, tree_path, "pam_jail refuses this root: %s", e.message);
	if (st.st_uid != 0)
		finding(&a, tree_path, "owned by uid %u, not root", (unsigned)st.st_uid);
	if ((why_root(&st)))
		finding(&a, tree_path, "%s (mode %04o)", why_root(&st),
			(unsigned)(st.st_mode & 07777));

	a.hostfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (a.hostfd < 0)
		return jail_error_set(err, errno, "opening /: %s", strerror(errno));
	a.search.rootfd = treefd;
	a.search.machine = elf_host_machine();
	a.search.cache = &a.cache;
	r = ld_cache_load(treefd, "/etc/ld.so.cache", a.search.machine, &a.cache, &e);
	if (r < 0)
		finding(&a, "/etc/ld.so.cache", "%s", e.message);

	audit_dir(&a, treefd, "/", 0);
	if (m)
		audit_manifest(&a, m);
	ld_cache_clear(&a.cache);
	close(a.hostfd);
	return a.findings;
}
