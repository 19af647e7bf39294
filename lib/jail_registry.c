/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The registry: state dir, locks, entries and their `info` (jail_registry.h). */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "bounded.h"
#include "jail_registry.h"
#include "proc_text.h"
#include "safepath.h"

/* ------------------------------------------------------------ state dir */

static int open_subdir(int dirfd, const char *name, bool create, const char *shown,
		       struct jail_error *err)
{
	struct stat st;
	int fd;

	if (create && mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
		return jail_error_set(err, errno, "cannot create '%s/%s': %s", shown, name,
				      strerror(errno));
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return jail_error_set(err, errno, "'%s/%s': %s", shown, name, strerror(errno));
	/* The registry decides who gets which jail: only root may touch it. */
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 077) != 0) {
		close(fd);
		return jail_error_set(err, EPERM, "'%s/%s' must be owned by root, mode 0700", shown,
				      name);
	}
	return fd;
}

int jail_state_open(const char *path, bool create, struct jail_state *ret, struct jail_error *err)
{
	_cleanup_close_ int parent = -1, dir = -1, locks = -1, jails = -1;
	_cleanup_free_ char *copy = NULL;
	char *slash;
	mode_t old_umask;

	*ret = (struct jail_state)JAIL_STATE_INIT;
	if (!path)
		path = JAIL_STATE_DIR;
	if (!jail_path_is_clean_absolute(path) || strcmp(path, "/") == 0)
		return jail_error_set(err, EINVAL, "state dir '%s' is not a clean absolute path",
				      path);
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	/* strip a trailing slash, then split parent / name */
	size_t n = strlen(copy);
	if (n > 1 && copy[n - 1] == '/')
		copy[n - 1] = '\0';
	slash = strrchr(copy, '/');
	*slash = '\0';
	const char *name = slash + 1;
	/* No symlink on the way: the dir we create and trust is the one named. */
	parent = jail_safe_open(copy[0] ? copy : "/", O_PATH | O_DIRECTORY, JAIL_SAFE_DIRECTORY, 0,
				NULL, err);
	if (parent < 0)
		return parent;
	old_umask = umask(077);
	dir = open_subdir(parent, name, create, copy[0] ? copy : "", err);
	if (dir >= 0)
		locks = open_subdir(dir, JAIL_STATE_LOCKS, create, path, err);
	if (locks >= 0)
		jails = open_subdir(dir, JAIL_STATE_JAILS, create, path, err);
	umask(old_umask);
	if (dir < 0)
		return dir;
	if (locks < 0)
		return locks;
	if (jails < 0)
		return jails;
	ret->dir_fd = steal_fd(&dir);
	ret->locks_fd = steal_fd(&locks);
	ret->jails_fd = steal_fd(&jails);
	return 0;
}

void jail_state_close(struct jail_state *st)
{
	jail_closep(&st->dir_fd);
	jail_closep(&st->locks_fd);
	jail_closep(&st->jails_fd);
	*st = (struct jail_state)JAIL_STATE_INIT;
}

int jail_key_for_policy(const struct jail_policy *p, char *buf, size_t cap)
{
	int n;

	if (p->lifetime == JAIL_LIFETIME_SESSION) {
		uint64_t rnd;
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -EIO;
		n = snprintf(buf, cap, "u%u-s%016" PRIx64, (unsigned)p->uid, rnd);
	} else {
		n = snprintf(buf, cap, "u%u", (unsigned)p->uid);
	}
	return (n < 0 || (size_t)n >= cap) ? -ENAMETOOLONG : 0;
}

bool jail_key_is_valid(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n >= JAIL_KEY_MAX || key[0] != 'u')
		return false;
	return strspn(key, "u0123456789-sabcdef") == n;
}

int jail_lock_name(const char *key, char buf[JAIL_LOCK_NAME_MAX])
{
	if (!jail_key_is_valid(key))
		return -EINVAL;
	snprintf(buf, JAIL_LOCK_NAME_MAX, "%s.lock", key);
	return 0;
}

int jail_lock_key(const struct jail_state *st, const char *key, struct jail_error *err)
{
	char name[JAIL_LOCK_NAME_MAX];
	_cleanup_close_ int fd = -1;
	int r;

	if (jail_lock_name(key, name) < 0)
		return jail_error_set(err, EINVAL, "bad registry key '%s'", key);
	fd = openat(st->locks_fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return jail_error_set(err, errno, "lock '%s': %s", name, strerror(errno));
	/* Bounded: every holder's own waits are (bounded.h). */
	r = jail_flock_bounded(fd, JAIL_LOCK_TIMEOUT_MS);
	if (r == -ETIMEDOUT)
		return jail_error_set(err, ETIMEDOUT,
				      "lock '%s': another login has held it for over %d s", name,
				      JAIL_LOCK_TIMEOUT_MS / 1000);
	if (r < 0)
		return jail_error_set(err, -r, "lock '%s': %s", name, strerror(-r));
	return steal_fd(&fd);
}

void jail_lock_remove(const struct jail_state *st, const char *key)
{
	char name[JAIL_LOCK_NAME_MAX];

	if (jail_lock_name(key, name) < 0)
		return;
	unlinkat(st->locks_fd, name, 0);
}

/* ------------------------------------------------------------ entries */

int jail_entry_create(int jails_fd, const char *key, struct jail_error *err)
{
	int fd;

	if (!jail_key_is_valid(key))
		return jail_error_set(err, EINVAL, "bad registry key '%s'", key);
	if (mkdirat(jails_fd, key, 0700) < 0)
		return jail_error_set(err, errno, "registry entry '%s': %s", key, strerror(errno));
	fd = openat(jails_fd, key, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		unlinkat(jails_fd, key, AT_REMOVEDIR);
		return jail_error_set(err, e, "registry entry '%s': %s", key, strerror(e));
	}
	return fd;
}

int jail_entry_control_addr(int keydir_fd, struct sockaddr_un *ret)
{
	int n;

	/* The /proc/self/fd/N/ magic link resolves to the very directory we
	 * hold, so a renamed or replaced registry path is never followed. */
	memset(ret, 0, sizeof(*ret));
	ret->sun_family = AF_UNIX;
	n = snprintf(ret->sun_path, sizeof(ret->sun_path), "/proc/self/fd/%d/%s", keydir_fd,
		     JAIL_STATE_CONTROL);
	return (n < 0 || (size_t)n >= sizeof(ret->sun_path)) ? -ENAMETOOLONG : 0;
}

int jail_entry_listen(int keydir_fd, struct jail_error *err)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa;

	if (jail_entry_control_addr(keydir_fd, &sa) < 0)
		return jail_error_set(err, ENAMETOOLONG, "control socket: path too long");
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return jail_error_set(err, errno, "control socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return jail_error_set(err, errno, "control socket: bind: %s", strerror(errno));
	if (listen(fd, 128) < 0)
		return jail_error_set(err, errno, "control socket: listen: %s", strerror(errno));
	return steal_fd(&fd);
}

int jail_entry_remove(int jails_fd, const char *key, struct jail_error *err)
{
	_cleanup_close_ int keydir = -1;

	if (!jail_key_is_valid(key))
		return jail_error_set(err, EINVAL, "bad registry key '%s'", key);
	keydir = openat(jails_fd, key, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (keydir < 0) {
		if (errno == ENOENT)
			return 0;
		return jail_error_set(err, errno, "stale entry '%s': %s", key, strerror(errno));
	}
	/* Only the names a keeper makes; anything else makes rmdir fail, and
	 * the login with it: an entry we do not understand is not removed. */
	if (unlinkat(keydir, JAIL_STATE_CONTROL, 0) < 0 && errno != ENOENT)
		return jail_error_set(err, errno, "stale entry '%s/control': %s", key,
				      strerror(errno));
	if (unlinkat(keydir, JAIL_STATE_INFO, 0) < 0 && errno != ENOENT)
		return jail_error_set(err, errno, "stale entry '%s/info': %s", key,
				      strerror(errno));
	if (unlinkat(jails_fd, key, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return jail_error_set(err, errno, "stale entry '%s': %s", key, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------ info */

int jail_info_write(int keydir_fd, const struct jail_info *info, struct jail_error *err)
{
	_cleanup_close_ int fd = -1;
	char buf[2048], net[128] = "";
	int w;
	int n;

	if (info->net4[0] && info->veth[0])
		snprintf(net, sizeof(net), "net4=%s\nveth=%s\n", info->net4, info->veth);
	n = snprintf(buf, sizeof(buf),
		     "%sid=%s\nkey=%s\nuser=%s\nuid=%u\nprofile=%s\ninit=%d\nkeeper=%d\n"
		     "created=%" PRId64 "\nlifetime=%s\ninit_start=%" PRIu64
		     "\nkeeper_start=%" PRIu64 "\n",
		     net, info->id, info->key, info->user, (unsigned)info->uid, info->profile,
		     (int)info->init_pid, (int)info->keeper_pid, info->created, info->lifetime,
		     info->init_start, info->keeper_start);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return jail_error_set(err, ENAMETOOLONG, "info: too long");
	fd = openat(keydir_fd, JAIL_STATE_INFO,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return jail_error_set(err, errno, "info: %s", strerror(errno));
	w = jail_write_once(fd, buf, (size_t)n);
	if (w < 0)
		return jail_error_set(err, -w, "info: %s", strerror(-w));
	return 0;
}

static int info_parse_line(struct jail_info *info, const char *k, const char *v)
{
	char *end;

#define STR(field)                                                                                 \
	do {                                                                                       \
		if (strlen(v) >= sizeof(info->field))                                              \
			return -ENAMETOOLONG;                                                      \
		strcpy(info->field, v);                                                            \
		return 0;                                                                          \
	} while (0)
#define NUM(field, type)                                                                           \
	do {                                                                                       \
		errno = 0;                                                                         \
		long long x = strtoll(v, &end, 10);                                                \
		if (errno || end == v || *end)                                                     \
			return -EINVAL;                                                            \
		info->field = (type)x;                                                             \
		return 0;                                                                          \
	} while (0)

	if (strcmp(k, "id") == 0)
		STR(id);
	if (strcmp(k, "key") == 0)
		STR(key);
	if (strcmp(k, "user") == 0)
		STR(user);
	if (strcmp(k, "profile") == 0)
		STR(profile);
	if (strcmp(k, "lifetime") == 0)
		STR(lifetime);
	if (strcmp(k, "uid") == 0)
		NUM(uid, uid_t);
	if (strcmp(k, "init") == 0)
		NUM(init_pid, pid_t);
	if (strcmp(k, "keeper") == 0)
		NUM(keeper_pid, pid_t);
	if (strcmp(k, "init_start") == 0)
		NUM(init_start, uint64_t);
	if (strcmp(k, "keeper_start") == 0)
		NUM(keeper_start, uint64_t);
	if (strcmp(k, "created") == 0)
		NUM(created, int64_t);
	if (strcmp(k, "net4") == 0)
		STR(net4);
	if (strcmp(k, "veth") == 0)
		STR(veth);
#undef STR
#undef NUM
	return 0; /* newer keys are ignored: info is informational */
}

int jail_info_read(const struct jail_state *st, const char *key, struct jail_info *ret,
		   struct jail_error *err)
{
	_cleanup_close_ int keydir = -1, fd = -1;
	char buf[4096];
	struct stat s;
	ssize_t n;

	memset(ret, 0, sizeof(*ret));
	if (!jail_key_is_valid(key))
		return jail_error_set(err, EINVAL, "bad registry key '%s'", key);
	keydir = openat(st->jails_fd, key, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (keydir < 0)
		return jail_error_set(err, errno, "registry entry '%s': %s", key, strerror(errno));
	fd = openat(keydir, JAIL_STATE_INFO, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return jail_error_set(err, errno, "'%s/info': %s", key, strerror(errno));
	if (fstat(fd, &s) < 0 || !S_ISREG(s.st_mode) || s.st_uid != 0)
		return jail_error_set(err, EPERM, "'%s/info' is not a root-owned file", key);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return jail_error_set(err, errno, "'%s/info': %s", key, strerror(errno));
	buf[n] = '\0';
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (info_parse_line(ret, line, eq + 1) < 0)
			return jail_error_set(err, EINVAL, "'%s/info': bad value for '%s'", key,
					      line);
	}
	return 0;
}

/* ------------------------------------------------------------ listing, stale entries */

int jail_list_keys(const struct jail_state *st, char ***ret_keys, struct jail_error *err)
{
	int fd = openat(st->jails_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char **keys = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return jail_error_set(err, errno, "registry: %s", strerror(errno));
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return jail_error_set(err, errno, "registry: %s", strerror(errno));
	}
	keys = calloc(1, sizeof(char *));
	if (!keys) {
		closedir(d);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		char **nk;
		if (!jail_key_is_valid(de->d_name))
			continue;
		nk = realloc(keys, (n + 2) * sizeof(char *));
		if (!nk)
			goto oom;
		keys = nk;
		keys[n] = strdup(de->d_name);
		if (!keys[n])
			goto oom;
		keys[++n] = NULL;
	}
	closedir(d);
	*ret_keys = keys;
	return 0;
oom:
	closedir(d);
	jail_strv_free(keys);
	return -ENOMEM;
}

/* SIGKILL `pid` only if it is still the process that started at `start`. */
static void kill_if_same(pid_t pid, uint64_t start)
{
	_cleanup_close_ int pidfd = -1;
	uint64_t now;

	if (pid <= 1 || start == 0)
		return;
	/* The pidfd pins one process; the start time read afterwards proves it
	 * is the recorded one (a reused PID has another start time). */
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0)
		return;
	if (jail_proc_start_time(pid, &now) < 0 || now != start)
		return;
	pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
}

int jail_remove_stale(const struct jail_state *st, const char *key, struct jail_error *err)
{
	struct jail_info info;

	if (!jail_key_is_valid(key))
		return jail_error_set(err, EINVAL, "bad registry key '%s'", key);
	if (jail_info_read(st, key, &info, NULL) == 0) {
		kill_if_same(info.keeper_pid, info.keeper_start);
		kill_if_same(info.init_pid, info.init_start);
	}
	return jail_entry_remove(st->jails_fd, key, err);
}
