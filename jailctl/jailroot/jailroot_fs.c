/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File system helpers for jail trees, all by fd (see jailroot.h). */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "jailroot.h"
#include "safepath.h"

#define REMOVE_MAX_DEPTH 256

static int remove_contents(int dfd, dev_t dev, int depth, struct jail_error *err);

static int remove_entry(int dfd, const char *name, dev_t dev, int depth, struct jail_error *err)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return jail_error_set(err, errno, "'%s': %s", name, strerror(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int sub = -1;
		int r;
		/* Another filesystem mounted in the tree is not ours to empty. */
		if (st.st_dev != dev)
			return jail_error_set(err, EXDEV, "'%s' is a mount point", name);
		if (depth >= REMOVE_MAX_DEPTH)
			return jail_error_set(err, ELOOP, "'%s': too deep", name);
		sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return jail_error_set(err, errno, "'%s': %s", name, strerror(errno));
		r = remove_contents(sub, dev, depth + 1, err);
		if (r < 0)
			return r;
		if (unlinkat(dfd, name, AT_REMOVEDIR) < 0)
			return jail_error_set(err, errno, "removing '%s': %s", name,
					      strerror(errno));
		return 0;
	}
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return jail_error_set(err, errno, "removing '%s': %s", name, strerror(errno));
	return 0;
}

static int remove_contents(int dfd, dev_t dev, int depth, struct jail_error *err)
{
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return jail_error_set(err, errno, "dup: %s", strerror(errno));
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return jail_error_set(err, errno, "opendir: %s", strerror(errno));
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = remove_entry(dfd, de->d_name, dev, depth, err);
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

int jailroot_remove_tree(int dirfd, const char *name, struct jail_error *err)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT
			       ? 0
			       : jail_error_set(err, errno, "'%s': %s", name, strerror(errno));
	return remove_entry(dirfd, name, st.st_dev, 0, err);
}

int jailroot_dir_is_empty(int dirfd)
{
	DIR *d;
	struct dirent *de;
	int fd, empty = 1;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

int jailroot_mkdirs(int treefd, const char *path, struct jail_error *err)
{
	/* What is made is root's 0755, whatever our umask and the directory's
	 * group inheritance say. */
	const struct jail_walk w = {
		.open_flags = O_PATH | O_DIRECTORY,
		.flags = JAIL_SAFE_DIRECTORY | JAIL_SAFE_CREATE,
		.mode = 0755,
		.shown = "",
	};

	return jail_safe_walk(treefd, path, &w, NULL, err);
}

/* Split "/a/b/c" into the parent "/a/b" and "c". */
static int split_path(const char *path, char *parent, size_t plen, const char **ret_name)
{
	const char *slash = strrchr(path, '/');

	if (!slash || !slash[1] || path[0] != '/' || (size_t)(slash - path) >= plen)
		return -EINVAL;
	memcpy(parent, path, (size_t)(slash - path));
	parent[slash - path] = '\0';
	*ret_name = slash + 1;
	return 0;
}

int jailroot_write_file(int treefd, struct jailroot_manifest *m, const char *path, const char *data,
			size_t len, mode_t mode, struct jail_error *err)
{
	char parent[PATH_MAX], tmp[64], hex[JAILROOT_SHA256_HEX];
	uint8_t digest[JAILROOT_SHA256_LEN];
	struct jailroot_sha256 s;
	_cleanup_close_ int dir = -1, fd = -1, real_dir = -1;
	const char *name;
	size_t done = 0;
	int r;

	if (split_path(path, parent, sizeof(parent), &name) < 0)
		return jail_error_set(err, EINVAL, "'%s': not a file path", path);
	dir = jailroot_mkdirs(treefd, parent, err);
	if (dir < 0)
		return dir;
	/* O_PATH fds cannot be written through; reopen the directory. */
	real_dir = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (real_dir < 0)
		return jail_error_set(err, errno, "'%s': %s", parent, strerror(errno));
	snprintf(tmp, sizeof(tmp), ".pj-new.%d", (int)getpid());
	unlinkat(real_dir, tmp, 0);
	fd = openat(real_dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return jail_error_set(err, errno, "'%s': %s", path, strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto fail;
		}
		done += (size_t)n;
	}
	if (fchown(fd, 0, 0) < 0 || fchmod(fd, mode) < 0) {
		r = -errno;
		goto fail;
	}
	if (renameat(real_dir, tmp, real_dir, name) < 0) {
		r = -errno;
		goto fail;
	}
	jailroot_sha256_init(&s);
	jailroot_sha256_update(&s, data, len);
	jailroot_sha256_final(&s, digest);
	jailroot_sha256_hex(digest, hex);
	r = jailroot_manifest_put(m, JAILROOT_GEN, path, NULL, NULL, hex, mode);
	if (r < 0)
		return jail_error_set(err, -r, "manifest: %s", strerror(-r));
	return 0;
fail:
	unlinkat(real_dir, tmp, 0);
	return jail_error_set(err, -r, "writing '%s': %s", path, strerror(-r));
}
