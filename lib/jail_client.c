/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The client side of the keeper protocol (see jail_client.h, jail_proto.h). */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "bounded.h"
#include "jail_client.h"
#include "keeper_limits.h"
#include "msg.h"
#include "policy_wire.h"
#include "proc_text.h"
#include "safepath.h"
#include "stdfds.h"

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

int jail_lock_key(const struct jail_state *st, const char *key, struct jail_error *err)
{
	char name[JAIL_KEY_MAX + 8];
	_cleanup_close_ int fd = -1;
	int r;

	if (!jail_key_is_valid(key))
		return jail_error_set(err, EINVAL, "bad registry key '%s'", key);
	snprintf(name, sizeof(name), "%s.lock", key);
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
	char name[JAIL_KEY_MAX + 8];

	if (!jail_key_is_valid(key))
		return;
	snprintf(name, sizeof(name), "%s.lock", key);
	unlinkat(st->locks_fd, name, 0);
}

/* ------------------------------------------------------------ entries */

/* An AF_UNIX address for a socket inside a directory we hold by fd: the
 * /proc/self/fd/N/ magic link resolves to that very directory, so the
 * registry path is never looked up by name again (and it stays short). */
static int socket_addr_at(int dirfd, const char *name, struct sockaddr_un *sa)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", dirfd, name);
	return (n < 0 || (size_t)n >= sizeof(sa->sun_path)) ? -ENAMETOOLONG : 0;
}

int jail_connect(const struct jail_state *st, const char *key, struct jail_error *err)
{
	_cleanup_close_ int keydir = -1, sock = -1;
	struct sockaddr_un sa;
	int r;

	if (!jail_key_is_valid(key))
		return jail_error_set(err, EINVAL, "bad registry key '%s'", key);
	keydir = openat(st->jails_fd, key, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (keydir < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		return jail_error_set(err, errno, "registry entry '%s': %s", key, strerror(errno));
	}
	r = socket_addr_at(keydir, JAIL_STATE_CONTROL, &sa);
	if (r < 0)
		return jail_error_set(err, -r, "registry path too long");
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return jail_error_set(err, errno, "socket: %s", strerror(errno));
	r = jail_connect_bounded(sock, &sa, JAIL_CONNECT_TIMEOUT_MS);
	if (r == -ECONNREFUSED || r == -ENOENT) /* no socket file, or nobody listening */
		return jail_error_set(err, ECONNREFUSED, "jail '%s' does not answer", key);
	if (r == -ETIMEDOUT) /* a keeper alive but not accepting (bounded.h) */
		return jail_error_set(err, ETIMEDOUT, "jail '%s' accepts no connection in %d s",
				      key, JAIL_CONNECT_TIMEOUT_MS / 1000);
	if (r < 0)
		return jail_error_set(err, -r, "connect to jail '%s': %s", key, strerror(-r));
	r = jail_send_timeout_set(sock, JAIL_REPLY_TIMEOUT_MS);
	if (r < 0)
		return jail_error_set(err, -r, "connect to jail '%s': %s", key, strerror(-r));
	return steal_fd(&sock);
}

int jail_proc_start_time(pid_t pid, uint64_t *ret)
{
	char path[64], buf[1024];
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = jail_read_proc_text(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	/* comm may contain anything, even ")": fields restart after the last ")" */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	p++;
	for (int field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -EIO;
		if (field == 22) {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(p, &end, 10);
			if (errno || end == p)
				return -EIO;
			*ret = v;
			return 0;
		}
		p = strchr(p, ' ');
		if (!p)
			return -EIO;
	}
	return -EIO;
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
	_cleanup_close_ int keydir = -1;
	struct jail_info info;

	if (!jail_key_is_valid(key))
		return jail_error_set(err, EINVAL, "bad registry key '%s'", key);
	if (jail_info_read(st, key, &info, NULL) == 0) {
		kill_if_same(info.keeper_pid, info.keeper_start);
		kill_if_same(info.init_pid, info.init_start);
	}
	keydir = openat(st->jails_fd, key, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
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
	if (unlinkat(st->jails_fd, key, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return jail_error_set(err, errno, "stale entry '%s': %s", key, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------ requests */

static int wait_readable(int sock, int timeout_ms)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct timespec start, now;
	int left = timeout_ms;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int r = poll(&pfd, 1, left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long spent = (now.tv_sec - start.tv_sec) * 1000 +
			     (now.tv_nsec - start.tv_nsec) / 1000000;
		left = timeout_ms - (int)spent;
		if (left <= 0)
			return -ETIMEDOUT;
	}
}

/* Send one request and read one reply (with up to one fd). A reply of
 * "ERR text" becomes an error whose message is the text. */
static int request(int sock, const char *req, const int *fds, size_t n_fds, char *reply, size_t cap,
		   int *ret_fd, struct jail_error *err)
{
	int got[1] = { -1 };
	size_t n_got = 0;
	ssize_t n;
	int r;

	if (ret_fd)
		*ret_fd = -1;
	r = jail_msg_send_str(sock, req, fds, n_fds);
	if (r < 0)
		return jail_error_set(err, -r, "sending %s to the jail keeper: %s", req,
				      strerror(-r));
	r = wait_readable(sock, JAIL_REPLY_TIMEOUT_MS);
	if (r < 0)
		return jail_error_set(err, -r, "no answer to %s from the jail keeper: %s", req,
				      strerror(-r));
	n = jail_msg_recv(sock, reply, cap, got, 1, &n_got);
	if (n < 0)
		return jail_error_set(err, (int)-n, "reading the keeper's answer to %s: %s", req,
				      strerror((int)-n));
	if (n == 0)
		return jail_error_set(err, ECONNRESET, "the jail keeper hung up on %s", req);
	if (strncmp(reply, "ERR ", 4) == 0) {
		/* "ERR <CODE> <text>" (jail_proto.h): the code says what it
		 * is, the text is only shown. The reply stays in `reply`. */
		const char *code = reply + 4, *text = strchr(code, ' ');
		size_t code_len = text ? (size_t)(text - code) : strlen(code);
		int e = EPROTO;

		jail_closep(&got[0]);
		if (code_len == strlen(JAIL_ERR_ENDING) &&
		    !strncmp(code, JAIL_ERR_ENDING, code_len))
			e = ESHUTDOWN;
		else if (code_len == strlen(JAIL_ERR_POLICY) &&
			 !strncmp(code, JAIL_ERR_POLICY, code_len))
			e = ESTALE;
		return jail_error_set(err, e, "%s", text ? text + 1 : code);
	}
	if (strncmp(reply, "OK", 2) != 0 || (reply[2] != '\0' && reply[2] != ' ')) {
		jail_closep(&got[0]);
		return jail_error_set(err, EPROTO, "unexpected answer to %s from the keeper", req);
	}
	if (ret_fd)
		*ret_fd = got[0];
	else
		jail_closep(&got[0]);
	return 0;
}

static int get_num(const char *msg, const char *key, long long *ret)
{
	char v[32], *end;

	if (jail_msg_get(msg, key, v, sizeof(v)) < 0)
		return -EPROTO;
	errno = 0;
	*ret = strtoll(v, &end, 10);
	if (errno || end == v || *end)
		return -EPROTO;
	return 0;
}

static int parse_join_reply(const char *reply, int pidfd, struct jail_join_result *ret,
			    struct jail_error *err)
{
	long long init, sessions, ns;

	memset(ret, 0, sizeof(*ret));
	ret->init_pidfd = -1;
	if (pidfd < 0)
		return jail_error_set(err, EPROTO, "the keeper sent no pidfd of the jail init");
	/* absent (jailctl enter on a keeper of an older version): empty,
	 * which matches no digest */
	if (jail_msg_get(reply, "policy", ret->policy, sizeof(ret->policy)) < 0)
		ret->policy[0] = '\0';
	if (jail_msg_get(reply, "id", ret->id, sizeof(ret->id)) < 0 ||
	    jail_msg_get(reply, "profile", ret->profile, sizeof(ret->profile)) < 0 ||
	    get_num(reply, "init", &init) < 0 || get_num(reply, "sessions", &sessions) < 0 ||
	    get_num(reply, "ns", &ns) < 0 || init <= 0 || sessions < 0 || ns < 0) {
		close(pidfd);
		return jail_error_set(err, EPROTO, "malformed answer from the keeper: '%s'", reply);
	}
	ret->init_pid = (pid_t)init;
	ret->sessions = (unsigned)sessions;
	ret->ns_flags = (unsigned long)ns;
	ret->init_pidfd = pidfd;
	return 0;
}

int jail_join(int sock, const char *policy_digest, struct jail_join_result *ret,
	      struct jail_error *err)
{
	char reply[JAIL_MSG_MAX], req[32 + JAIL_POLICY_DIGEST_HEX];
	int pidfd, r;

	_cleanup_close_ int self = -1;

	/* The keeper counts the session out when we exit, so even a killed
	 * sshd ends its session (DESIGN.md "The shape we expect"). It takes a
	 * pidfd of us from the connection itself (SO_PEERPIDFD, Linux 6.5);
	 * on older kernels (Debian 12 runs 6.1) it uses the one we send,
	 * after checking that it names the process that connected.
	 * If we can't make one (valgrind does not know pidfd_open), we send
	 * none and a keeper without SO_PEERPIDFD refuses the session. */
	memset(ret, 0, sizeof(*ret));
	ret->init_pidfd = -1;
	snprintf(req, sizeof(req), "JOIN policy=%s", policy_digest);
	self = (int)syscall(SYS_pidfd_open, getpid(), 0);
	r = request(sock, req, &self, self >= 0 ? 1 : 0, reply, sizeof(reply), &pidfd, err);
	if (r == -ESTALE && (jail_msg_get(reply, "policy", ret->policy, sizeof(ret->policy)) < 0 ||
			     jail_msg_get(reply, "id", ret->id, sizeof(ret->id)) < 0)) {
		ret->policy[0] = '\0';
		ret->id[0] = '\0';
	}
	if (r < 0)
		return r;
	return parse_join_reply(reply, pidfd, ret, err);
}

int jail_enter(int sock, struct jail_join_result *ret, struct jail_error *err)
{
	char reply[JAIL_MSG_MAX];
	int pidfd, r;

	r = request(sock, "ENTER", NULL, 0, reply, sizeof(reply), &pidfd, err);
	if (r < 0)
		return r;
	return parse_join_reply(reply, pidfd, ret, err);
}

int jail_close(int sock, unsigned *ret_sessions, struct jail_error *err)
{
	char reply[JAIL_MSG_MAX];
	long long n;
	int r;

	r = request(sock, "CLOSE", NULL, 0, reply, sizeof(reply), NULL, err);
	if (r < 0)
		return r;
	if (get_num(reply, "sessions", &n) < 0 || n < 0)
		return jail_error_set(err, EPROTO, "malformed answer to CLOSE: '%s'", reply);
	if (ret_sessions)
		*ret_sessions = (unsigned)n;
	return 0;
}

int jail_status(int sock, char *reply, size_t cap, struct jail_error *err)
{
	return request(sock, "STATUS", NULL, 0, reply, cap, NULL, err);
}

int jail_stop(int sock, struct jail_error *err)
{
	char reply[JAIL_MSG_MAX];

	return request(sock, "STOP", NULL, 0, reply, sizeof(reply), NULL, err);
}

/* ------------------------------------------------------------ launch */

/* The grandchild: becomes jail-init. Only async-signal-safe calls: the
 * caller may be any PAM application. Never returns. */
static void __attribute__((noreturn)) exec_keeper(int sock, int init_fd)
{
	static char arg0[] = "jail-init";
	static char env0[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	char *const argv[] = { arg0, NULL };
	char *const envp[] = { env0, NULL };
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t all;
	int high, exe;

	/* Move the socket and the binary out of the way of 0..4, then
	 * 0,1,2 = /dev/null, 3 = the socket, 4 = the binary (close-on-exec). */
	high = fcntl(sock, F_DUPFD_CLOEXEC, 10);
	exe = fcntl(init_fd, F_DUPFD_CLOEXEC, 10);
	if (high < 0 || exe < 0)
		_exit(127);
	/* (a caller with 0..2 closed: stdfds.h) */
	if (jail_stdfds_devnull(true) < 0)
		_exit(127);
	if (dup2(high, JAIL_INIT_FD) < 0) /* dup2 clears FD_CLOEXEC on the copy */
		_exit(127);
	if (dup3(exe, JAIL_INIT_FD + 1, O_CLOEXEC) < 0)
		_exit(127);
	/* Every other fd of the application (sshd: the client socket, host
	 * keys) must not reach jail-init (DESIGN.md fact 11). */
	if (close_range(JAIL_INIT_FD + 2, ~0U, 0) < 0)
		_exit(127);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL); /* fails harmlessly for KILL, STOP, RT gaps */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (setsid() < 0)
		_exit(127);
	umask(077);
	/* The user's limits, nice and cwd are not the keeper's (keeper_limits.h). */
	if (jail_keeper_limits_reset() < 0)
		_exit(127);
	/* The binary checked in jail_launch, by fd: no path is resolved again. */
	execveat(JAIL_INIT_FD + 1, "", argv, envp, AT_EMPTY_PATH);
	_exit(127);
}

int jail_launch(const struct jail_state *st, const char *init_path, const char *key,
		const struct jail_policy *p, struct jail_launch_result *ret, struct jail_error *err)
{
	_cleanup_close_ int sock = -1, peer = -1, exe = -1;
	_cleanup_free_ char *enc = NULL;
	struct jail_error e = { 0 };
	char msg[JAIL_MSG_MAX], reply[JAIL_MSG_MAX];
	size_t enc_len;
	int sp[2], r, status;
	long long num;
	pid_t child;
	ssize_t n;

	memset(ret, 0, sizeof(*ret));
	if (!jail_key_is_valid(key))
		return jail_error_set(err, EINVAL, "bad registry key '%s'", key);
	r = jail_policy_encode(p, &enc, &enc_len);
	if (r < 0)
		return jail_error_set(err, -r, "encoding the policy: %s", strerror(-r));
	if (enc_len > JAIL_POLICY_MSG_MAX)
		return jail_error_set(err, E2BIG, "the policy is too big to send to jail-init");
	/* We run it as root: it must be a root-owned file nobody else can
	 * change, on a path nobody else can change (OpenSSH's rule). */
	exe = jail_safe_open(init_path, O_PATH, JAIL_SAFE_TRUSTED | JAIL_SAFE_REGULAR, 0, NULL, &e);
	if (exe < 0)
		return jail_error_set(err, -exe, "jail-init: %s", e.message);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return jail_error_set(err, errno, "socketpair: %s", strerror(errno));
	sock = sp[0];
	peer = sp[1];
	if (jail_send_timeout_set(sock, JAIL_REPLY_TIMEOUT_MS) < 0)
		return jail_error_set(err, errno, "socketpair: %s", strerror(errno));

	/* Double fork: the keeper must not be our child (we would have to reap
	 * it, and the application may reap it behind our back), and it must
	 * not be a bare fork of the application (fact 11), hence the exec. */
	child = fork();
	if (child < 0)
		return jail_error_set(err, errno, "fork: %s", strerror(errno));
	if (child == 0) {
		pid_t k = fork();
		if (k == 0)
			exec_keeper(peer, exe);
		_exit(k < 0 ? 1 : 0);
	}
	jail_closep(&peer);
	while (waitpid(child, &status, 0) < 0) {
		if (errno == EINTR)
			continue;
		/* ECHILD: the application reaps children itself (SIGCHLD
		 * handler / SIG_IGN). The keeper still answers on `sock`. */
		status = 0;
		break;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return jail_error_set(err, EAGAIN, "could not fork jail-init");

	snprintf(msg, sizeof(msg), "CREATE key=%s", key);
	r = jail_msg_send_str(sock, msg, &st->dir_fd, 1);
	if (r == 0)
		r = jail_msg_send(sock, enc, enc_len, NULL, 0);
	if (r < 0) {
		/* EPIPE here mostly means exec failed: say which binary. */
		return jail_error_set(err, -r, "cannot start jail-init '%s' (%s)", init_path,
				      strerror(-r));
	}
	r = wait_readable(sock, JAIL_REPLY_TIMEOUT_MS);
	if (r < 0)
		return jail_error_set(err, -r, "jail-init did not answer: %s", strerror(-r));
	n = jail_msg_recv(sock, reply, sizeof(reply), NULL, 0, NULL);
	if (n == 0 || n == -ECONNRESET)
		return jail_error_set(err, ECHILD, "jail-init '%s' exited without an answer",
				      init_path);
	if (n < 0)
		return jail_error_set(err, (int)-n, "reading jail-init's answer: %s",
				      strerror((int)-n));
	if (strncmp(reply, "ERR ", 4) == 0)
		return jail_error_set(err, EPROTO, "%s", reply + 4);
	if (strncmp(reply, "READY ", 6) != 0 ||
	    jail_msg_get(reply, "id", ret->id, sizeof(ret->id)) ||
	    get_num(reply, "init", &num) < 0 || num <= 0)
		return jail_error_set(err, EPROTO, "unexpected answer from jail-init: '%s'", reply);
	ret->init_pid = (pid_t)num;
	if (get_num(reply, "keeper", &num) < 0 || num <= 0)
		return jail_error_set(err, EPROTO, "unexpected answer from jail-init: '%s'", reply);
	ret->keeper_pid = (pid_t)num;
	return 0;
}

/* ------------------------------------------------------------ setns */

int jail_thread_count(void)
{
	char buf[4096];
	ssize_t n = jail_read_proc_text("/proc/self/status", buf, sizeof(buf));
	char *p;

	if (n < 0)
		return (int)n;
	p = strstr(buf, "\nThreads:");
	if (!p)
		return -EIO;
	return atoi(p + 9);
}

int jail_setns(int init_pidfd, unsigned long ns_flags, struct jail_error *err)
{
	int threads;

	/* A user namespace would take the caller's host privileges for good
	 * (DESIGN.md fact 8); the keeper never reports one, refuse anyway. */
	ns_flags &= ~(unsigned long)CLONE_NEWUSER;
	if (ns_flags == 0)
		return jail_error_set(err, EINVAL, "the jail has no namespaces to join");
	/* setns(CLONE_NEWNS) fails with EINVAL in a multithreaded process
	 * (fact 9); say so plainly instead of a bare EINVAL. */
	threads = jail_thread_count();
	if (threads < 0)
		return jail_error_set(err, -threads, "cannot count threads: %s",
				      strerror(-threads));
	if (threads != 1)
		return jail_error_set(err, EBUSY,
				      "the calling process has %d threads; a multithreaded "
				      "process cannot join a jail",
				      threads);
	/* One call with all the flags: the kernel joins them atomically or not
	 * at all (setns by pidfd, Linux 5.8). */
	if (setns(init_pidfd, (int)ns_flags) < 0)
		return jail_error_set(err, errno, "setns into the jail: %s", strerror(errno));
	if (chdir("/") < 0)
		return jail_error_set(err, errno, "chdir / in the jail: %s", strerror(errno));
	return 0;
}
