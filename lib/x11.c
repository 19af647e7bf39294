/* SPDX-License-Identifier: GPL-2.0-or-later */
/* X11 display passthrough into a jail (see x11.h). */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "decimal.h"
#include "safepath.h"
#include "x11.h"

/* ------------------------------------------------------------------------ */
/* DISPLAY                                                                    */

static int parse_display_number(const char *s, const char **ret_end, unsigned *ret)
{
	uint64_t v;
	ssize_t n = jail_parse_decimal(s, strlen(s), JAIL_X11_MAX_DISPLAY, &v);

	if (n == 0)
		return -EINVAL;
	if (n < 0)
		return -ERANGE;
	*ret_end = s + n;
	*ret = (unsigned)v;
	return 0;
}

int jail_x11_local_display(const char *display, unsigned *ret_number)
{
	const char *p, *end;
	unsigned n, screen;
	int r;

	if (!display || !ret_number)
		return -EINVAL;
	if (strncmp(display, "unix:", 5) == 0)
		p = display + 5;
	else if (display[0] == ':')
		p = display + 1;
	else
		return -EINVAL; /* a host part: TCP (ssh -X's localhost:10.0) */
	r = parse_display_number(p, &end, &n);
	if (r < 0)
		return r;
	if (*end == '.') {
		r = parse_display_number(end + 1, &end, &screen);
		if (r < 0)
			return r;
	}
	if (*end)
		return -EINVAL;
	*ret_number = n;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* .Xauthority: entries of family(u16) address number name data, each a      */
/* big-endian u16 length followed by bytes.                                   */

struct xauth_entry {
	unsigned family;
	const unsigned char *address, *number, *name, *data;
	size_t address_len, number_len, name_len, data_len;
	size_t start, end; /* byte range in the image */
};

static int read_u16(const unsigned char *buf, size_t len, size_t *pos, unsigned *ret)
{
	if (len - *pos < 2)
		return -EINVAL;
	*ret = ((unsigned)buf[*pos] << 8) | buf[*pos + 1];
	*pos += 2;
	return 0;
}

static int read_field(const unsigned char *buf, size_t len, size_t *pos, const unsigned char **ret,
		      size_t *ret_len)
{
	unsigned n;
	int r = read_u16(buf, len, pos, &n);

	if (r < 0)
		return r;
	if (len - *pos < n)
		return -EINVAL;
	*ret = buf + *pos;
	*ret_len = n;
	*pos += n;
	return 0;
}

static int next_entry(const unsigned char *buf, size_t len, size_t *pos, struct xauth_entry *e)
{
	int r;

	e->start = *pos;
	r = read_u16(buf, len, pos, &e->family);
	if (r == 0)
		r = read_field(buf, len, pos, &e->address, &e->address_len);
	if (r == 0)
		r = read_field(buf, len, pos, &e->number, &e->number_len);
	if (r == 0)
		r = read_field(buf, len, pos, &e->name, &e->name_len);
	if (r == 0)
		r = read_field(buf, len, pos, &e->data, &e->data_len);
	e->end = *pos;
	return r;
}

static bool field_is(const unsigned char *f, size_t flen, const char *s)
{
	return flen == strlen(s) && memcmp(f, s, flen) == 0;
}

/* The entry names local display `number` of `hostname` exactly. */
static bool entry_is_local(const struct xauth_entry *e, const char *hostname, const char *num)
{
	return e->family == JAIL_XAUTH_FAMILY_LOCAL &&
	       field_is(e->address, e->address_len, hostname) &&
	       field_is(e->number, e->number_len, num);
}

int jail_xauth_find(const unsigned char *buf, size_t len, const char *hostname, unsigned number,
		    struct jail_x11_cookie *ret)
{
	char num[16];
	size_t pos = 0;

	if (!buf || !hostname || !ret || len > JAIL_XAUTH_MAX_SIZE)
		return -EINVAL;
	snprintf(num, sizeof(num), "%u", number);
	while (pos < len) {
		struct xauth_entry e;
		int r = next_entry(buf, len, &pos, &e);

		if (r < 0)
			return r;
		/* Xlib's rule: the first entry whose family/address match (or a
		 * wildcard) and whose number matches (or is empty). */
		if (!(entry_is_local(&e, hostname, num) ||
		      (e.family == JAIL_XAUTH_FAMILY_WILD &&
		       (e.number_len == 0 || field_is(e.number, e.number_len, num)))))
			continue;
		if (e.name_len == 0 || e.name_len >= sizeof(ret->name) ||
		    e.data_len > sizeof(ret->data))
			continue;
		memcpy(ret->name, e.name, e.name_len);
		ret->name[e.name_len] = '\0';
		ret->name_len = e.name_len;
		memcpy(ret->data, e.data, e.data_len);
		ret->data_len = e.data_len;
		return 0;
	}
	return -ENOENT;
}

static void put_field(unsigned char **p, const void *data, size_t len)
{
	(*p)[0] = (unsigned char)(len >> 8);
	(*p)[1] = (unsigned char)(len & 0xff);
	memcpy(*p + 2, data, len);
	*p += 2 + len;
}

int jail_xauth_set(const unsigned char *buf, size_t len, const char *hostname, unsigned number,
		   const struct jail_x11_cookie *cookie, unsigned char **ret_buf, size_t *ret_len)
{
	_cleanup_free_ unsigned char *out = NULL;
	unsigned char *p;
	size_t pos = 0, hlen, need;
	char num[16];

	if ((!buf && len) || !hostname || !cookie || !ret_buf || !ret_len ||
	    len > JAIL_XAUTH_MAX_SIZE)
		return -EINVAL;
	hlen = strlen(hostname);
	if (hlen > 255 || cookie->name_len == 0 || cookie->name_len >= sizeof(cookie->name) ||
	    cookie->data_len > sizeof(cookie->data))
		return -EINVAL;
	snprintf(num, sizeof(num), "%u", number);
	need = 2 + (2 + hlen) + (2 + strlen(num)) + (2 + cookie->name_len) + (2 + cookie->data_len);
	out = malloc(need + len);
	if (!out)
		return -ENOMEM;
	/* Ours first: Xlib takes the first matching entry. */
	p = out;
	p[0] = (unsigned char)(JAIL_XAUTH_FAMILY_LOCAL >> 8);
	p[1] = (unsigned char)(JAIL_XAUTH_FAMILY_LOCAL & 0xff);
	p += 2;
	put_field(&p, hostname, hlen);
	put_field(&p, num, strlen(num));
	put_field(&p, cookie->name, cookie->name_len);
	put_field(&p, cookie->data, cookie->data_len);
	while (pos < len) {
		struct xauth_entry e;
		int r = next_entry(buf, len, &pos, &e);

		if (r < 0)
			return r;
		if (entry_is_local(&e, hostname, num))
			continue; /* the stale cookie of the same display */
		memcpy(p, buf + e.start, e.end - e.start);
		p += e.end - e.start;
	}
	*ret_len = (size_t)(p - out);
	*ret_buf = steal_pointer(&out);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The PAM environment channel                                                */

static bool is_cookie_name(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

int jail_x11_env_format(unsigned number, const struct jail_x11_cookie *cookie, char **ret)
{
	static const char hex[] = "0123456789abcdef";
	char *s, *p;
	int n;

	if (!cookie || !ret || number > JAIL_X11_MAX_DISPLAY ||
	    cookie->name_len >= sizeof(cookie->name) ||
	    !is_cookie_name(cookie->name, cookie->name_len) || cookie->data_len == 0 ||
	    cookie->data_len > sizeof(cookie->data))
		return -EINVAL;
	s = malloc(16 + cookie->name_len + 2 * cookie->data_len + 2);
	if (!s)
		return -ENOMEM;
	n = sprintf(s, "%u %.*s ", number, (int)cookie->name_len, cookie->name);
	p = s + n;
	for (size_t i = 0; i < cookie->data_len; i++) {
		*p++ = hex[cookie->data[i] >> 4];
		*p++ = hex[cookie->data[i] & 0xf];
	}
	*p = '\0';
	*ret = s;
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int jail_x11_env_parse(const char *value, unsigned *ret_number, struct jail_x11_cookie *ret)
{
	const char *p, *name, *sp;
	unsigned n;
	size_t hlen;
	int r;

	if (!value || !ret_number || !ret)
		return -EINVAL;
	r = parse_display_number(value, &p, &n);
	if (r < 0)
		return r;
	if (*p != ' ')
		return -EINVAL;
	name = p + 1;
	sp = strchr(name, ' ');
	if (!sp || (size_t)(sp - name) >= sizeof(ret->name) ||
	    !is_cookie_name(name, (size_t)(sp - name)))
		return -EINVAL;
	hlen = strlen(sp + 1);
	if (hlen == 0 || hlen % 2 || hlen / 2 > sizeof(ret->data))
		return -EINVAL;
	for (size_t i = 0; i < hlen / 2; i++) {
		int hi = hex_value(sp[1 + 2 * i]), lo = hex_value(sp[2 + 2 * i]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		ret->data[i] = (unsigned char)(hi << 4 | lo);
	}
	ret->data_len = hlen / 2;
	memcpy(ret->name, name, (size_t)(sp - name));
	ret->name[sp - name] = '\0';
	ret->name_len = (size_t)(sp - name);
	*ret_number = n;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Reading the user's host .Xauthority as the user                            */

/* In the child: become the user for good, then open and send the file.
 * Writes one int (0 or a positive errno) and then the file's bytes. */
static void __attribute__((noreturn))
read_as_user_child(int out, const char *home, uid_t uid, gid_t gid)
{
	_cleanup_close_ int homefd = -1, fd = -1;
	static unsigned char buf[65536];
	struct stat st;
	int status = 0;
	size_t total = 0;

	/* Root drops to the user for good (groups first, uid last); a caller
	 * that is not root must already be the user. */
	if (geteuid() == 0 && uid != 0 &&
	    (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	     setresuid(uid, uid, uid) < 0)) {
		status = EPERM;
		goto send_status;
	}
	if (getuid() != uid || geteuid() != uid) {
		status = EPERM;
		goto send_status;
	}
	/* No symlink anywhere on the way, and the user's own permissions. */
	homefd = jail_safe_open(home, O_PATH | O_DIRECTORY, 0, 0, NULL, NULL);
	if (homefd < 0) {
		status = -homefd;
		goto send_status;
	}
	fd = openat(homefd, ".Xauthority", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		status = errno;
		goto send_status;
	}
	if (fstat(fd, &st) < 0) {
		status = errno;
		goto send_status;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != uid) {
		status = EPERM;
		goto send_status;
	}
	if (st.st_size > JAIL_XAUTH_MAX_SIZE) {
		status = EFBIG;
		goto send_status;
	}
send_status:
	if (write(out, &status, sizeof(status)) != (ssize_t)sizeof(status) || status)
		_exit(status ? 0 : 1);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			_exit(1);
		if (n == 0)
			break;
		total += (size_t)n;
		if (total > JAIL_XAUTH_MAX_SIZE)
			_exit(1);
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				_exit(1);
			off += w;
		}
	}
	_exit(0);
}

int jail_x11_read_user_xauthority(const char *home, uid_t uid, gid_t gid, unsigned char **ret_buf,
				  size_t *ret_len, struct jail_error *err)
{
	_cleanup_free_ unsigned char *buf = NULL;
	_cleanup_close_ int rd = -1;
	int pipefd[2], status = 0, child_status;
	size_t len = 0, cap = 0;
	bool got_status = false;
	pid_t pid;

	if (!home || !ret_buf || !ret_len)
		return jail_error_set(err, EINVAL, "bad arguments");
	if (!jail_path_is_clean_absolute(home))
		return jail_error_set(err, EINVAL, "home '%s' is not a clean absolute path", home);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return jail_error_set(err, errno, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return jail_error_set(err, e, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		close(pipefd[0]);
		read_as_user_child(pipefd[1], home, uid, gid);
	}
	close(pipefd[1]);
	rd = pipefd[0];

	for (;;) {
		ssize_t n;
		if (!got_status) {
			n = read(rd, &status, sizeof(status));
			if (n < 0 && errno == EINTR)
				continue;
			if (n != (ssize_t)sizeof(status)) {
				status = EIO;
				break;
			}
			got_status = true;
			if (status)
				break;
			continue;
		}
		if (len == cap) {
			unsigned char *nb;
			if (cap >= JAIL_XAUTH_MAX_SIZE) {
				status = EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				status = ENOMEM;
				break;
			}
			buf = nb;
		}
		n = read(rd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			status = errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	jail_closep(&rd);
	rd = -1;
	while (waitpid(pid, &child_status, 0) < 0) {
		if (errno != EINTR)
			return jail_error_set(err, errno, "waitpid: %s", strerror(errno));
	}
	if (status)
		return jail_error_set(err, status, "'%s/.Xauthority' (read as uid %u): %s", home,
				      (unsigned)uid, strerror(status));
	if (!WIFEXITED(child_status) || WEXITSTATUS(child_status) != 0)
		return jail_error_set(err, EIO, "reading '%s/.Xauthority' as uid %u failed", home,
				      (unsigned)uid);
	*ret_buf = steal_pointer(&buf);
	*ret_len = len;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The display socket                                                         */

/* A directory that holds sockets others may reach: root-owned, and if
 * anyone but root may write to it, sticky (so nobody can swap our entry). */
static int check_socket_dir(int fd, const char *what, struct jail_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return jail_error_set(err, errno, "'%s': %s", what, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return jail_error_set(err, ENOTDIR, "'%s' is not a directory", what);
	if (st.st_uid != 0)
		return jail_error_set(err, EPERM, "'%s' is owned by uid %u, not root", what,
				      (unsigned)st.st_uid);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return jail_error_set(err, EPERM, "'%s' is writable by others and not sticky",
				      what);
	return 0;
}

static int open_socket_dir(bool create, struct jail_error *err)
{
	_cleanup_close_ int root = -1, tmp = -1, dir = -1;
	int r;

	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return jail_error_set(err, errno, "'/': %s", strerror(errno));
	tmp = openat(root, "tmp", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tmp < 0)
		return jail_error_set(err, errno, "'/tmp': %s", strerror(errno));
	r = check_socket_dir(tmp, "/tmp", err);
	if (r < 0)
		return r;
	if (create) {
		/* Root creates it, so (sticky /tmp) no user can replace it; a
		 * user who got there first made something we refuse below. */
		if (mkdirat(tmp, ".X11-unix", 0700) == 0) {
			dir = openat(tmp, ".X11-unix",
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (dir < 0)
				return jail_error_set(err, errno, "'%s': %s", JAIL_X11_SOCKET_DIR,
						      strerror(errno));
			if (fchmod(dir, 01777) < 0)
				return jail_error_set(err, errno, "chmod '%s': %s",
						      JAIL_X11_SOCKET_DIR, strerror(errno));
		} else if (errno != EEXIST) {
			return jail_error_set(err, errno, "mkdir '%s': %s", JAIL_X11_SOCKET_DIR,
					      strerror(errno));
		}
	}
	if (dir < 0) {
		dir = openat(tmp, ".X11-unix", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dir < 0)
			return jail_error_set(err, errno, "'%s': %s", JAIL_X11_SOCKET_DIR,
					      strerror(errno));
	}
	r = check_socket_dir(dir, JAIL_X11_SOCKET_DIR, err);
	if (r < 0)
		return r;
	return steal_fd(&dir);
}

int jail_x11_clone_socket(unsigned number, uid_t user_uid, bool root_ok, int *ret_tree_fd,
			  struct stat *ret_sock_st, struct jail_error *err)
{
	_cleanup_close_ int dir = -1, sock = -1, tree = -1;
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
	};
	char name[16];
	struct stat st;

	if (!ret_tree_fd || !ret_sock_st || number > JAIL_X11_MAX_DISPLAY)
		return jail_error_set(err, EINVAL, "bad arguments");
	dir = open_socket_dir(false, err);
	if (dir < 0)
		return dir;
	snprintf(name, sizeof(name), "X%u", number);
	sock = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (sock < 0)
		return jail_error_set(err, errno, "'%s/%s': %s", JAIL_X11_SOCKET_DIR, name,
				      strerror(errno));
	if (fstat(sock, &st) < 0)
		return jail_error_set(err, errno, "'%s/%s': %s", JAIL_X11_SOCKET_DIR, name,
				      strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return jail_error_set(err, EPERM, "'%s/%s' is not a socket", JAIL_X11_SOCKET_DIR,
				      name);
	/* The user's own (rootless X, Xvfb, Xwayland): nothing they could not
	 * reach anyway. Root's (a display manager's Xorg) only when the caller
	 * vouches for it: root serves every session's display, so a root
	 * socket named by anything the user controls could be another
	 * session's (issue 17, item 4). Never a third user's display. */
	if (st.st_uid == 0 && !root_ok && user_uid != 0)
		return jail_error_set(err, EPERM,
				      "'%s/%s' belongs to root, and the session did not hand over "
				      "its cookie (PAM_XAUTHDATA): it may be another session's "
				      "display",
				      JAIL_X11_SOCKET_DIR, name);
	if (st.st_uid != 0 && st.st_uid != user_uid)
		return jail_error_set(err, EPERM, "'%s/%s' belongs to uid %u, not to uid %u",
				      JAIL_X11_SOCKET_DIR, name, (unsigned)st.st_uid,
				      (unsigned)user_uid);
	/* Cloned while we are still in the host namespace: a detached copy
	 * that can be attached in the jail after setns(). */
	tree = open_tree(sock, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return jail_error_set(err, errno, "open_tree '%s/%s': %s", JAIL_X11_SOCKET_DIR,
				      name, strerror(errno));
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return jail_error_set(err, errno, "mount_setattr '%s/%s': %s", JAIL_X11_SOCKET_DIR,
				      name, strerror(errno));
	*ret_sock_st = st;
	*ret_tree_fd = steal_fd(&tree);
	return 0;
}

/*
 * umount2() of `name` in the directory `dir`: by a name relative to a
 * directory we hold, not through /proc/self/fd. The caller has setns()ed
 * into the jail's mount namespace but is not in its PID namespace, so the
 * jail's /proc has no "self" for it (issue 17, item 5), and a host /proc fd
 * would bring the host into the jail. umount2() takes no directory fd, so
 * the working directory is moved to `dir` for the call and put back.
 */
static int umount_at(int dir, const char *name)
{
	_cleanup_close_ int cwd = -1;
	int r = 0;

	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return -errno;
	if (fchdir(dir) < 0)
		return -errno;
	if (umount2(name, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
		r = -errno;
	if (fchdir(cwd) < 0 && r == 0)
		r = -errno;
	return r;
}

/*
 * `target` is a socket at X<N> in the jail that is not the host's current
 * one. If it is the root of a mount, it is an earlier session's bind of a
 * display server that has since been restarted (only root mounts in the
 * jail's namespace: jailed processes have no CAP_SYS_ADMIN there): detach
 * it, so the placeholder under it can take the new socket. A plain socket
 * (a jailed user's own X server) is left alone. Returns the reopened
 * placeholder.
 */
static int detach_stale_bind(int dir, const char *name, int target, const char *shown,
			     struct jail_error *err)
{
	struct statx stx, now;
	int fd, r;

	if (statx(target, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO, &stx) <
	    0)
		return jail_error_set(err, errno, "'%s' in the jail: %s", shown, strerror(errno));
	if (!S_ISSOCK(stx.stx_mode) || !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
	    !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return jail_error_set(err, EEXIST,
				      "'%s' already exists in the jail and is not the "
				      "display's socket",
				      shown);
	/* The name still leads to the mount we inspected. Nobody but root can
	 * change that in between: `dir` is root's and sticky, the placeholder
	 * under the bind is root's, and only root can mount in the jail. */
	if (statx(dir, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO, &now) < 0)
		return jail_error_set(err, errno, "'%s' in the jail: %s", shown, strerror(errno));
	if (now.stx_dev_major != stx.stx_dev_major || now.stx_dev_minor != stx.stx_dev_minor ||
	    now.stx_ino != stx.stx_ino)
		return jail_error_set(err, EAGAIN, "'%s' in the jail changed while it was checked",
				      shown);
	r = umount_at(dir, name);
	if (r < 0)
		return jail_error_set(err, -r, "detach the old display socket at '%s': %s", shown,
				      strerror(-r));
	fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return jail_error_set(err, errno, "'%s' in the jail: %s", shown, strerror(errno));
	return fd;
}

int jail_x11_attach_socket(int tree_fd, const struct stat *sock_st, unsigned number,
			   struct jail_error *err)
{
	_cleanup_close_ int dir = -1, target = -1;
	char name[16], shown[64];
	struct stat st;

	if (tree_fd < 0 || !sock_st || number > JAIL_X11_MAX_DISPLAY)
		return jail_error_set(err, EINVAL, "bad arguments");
	dir = open_socket_dir(true, err);
	if (dir < 0)
		return dir;
	snprintf(name, sizeof(name), "X%u", number);
	snprintf(shown, sizeof(shown), "%s/%s", JAIL_X11_SOCKET_DIR, name);

	/* Created by root in the sticky dir: no user can swap it for a
	 * symlink before the mount lands on it. */
	target = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (target < 0 && errno != EEXIST)
		return jail_error_set(err, errno, "create '%s' in the jail: %s", shown,
				      strerror(errno));
	if (target < 0) {
		target = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (target < 0)
			return jail_error_set(err, errno, "'%s' in the jail: %s", shown,
					      strerror(errno));
		if (fstat(target, &st) < 0)
			return jail_error_set(err, errno, "'%s' in the jail: %s", shown,
					      strerror(errno));
		if (st.st_dev == sock_st->st_dev && st.st_ino == sock_st->st_ino)
			return 0; /* an earlier session of this jail bound it */
		if (S_ISSOCK(st.st_mode)) {
			int fd = detach_stale_bind(dir, name, target, shown, err);
			if (fd < 0)
				return fd;
			jail_closep(&target);
			target = fd;
			if (fstat(target, &st) < 0)
				return jail_error_set(err, errno, "'%s' in the jail: %s", shown,
						      strerror(errno));
		}
		/* Our own empty placeholder (under an old bind, or from an
		 * attempt that failed halfway);
		 * anything else (a jailed user's own X server) is not ours. */
		if (!S_ISREG(st.st_mode) || st.st_uid != 0 || st.st_size != 0)
			return jail_error_set(err, EEXIST,
					      "'%s' already exists in the jail and is not the "
					      "display's socket",
					      shown);
	}
	if (move_mount(tree_fd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return jail_error_set(err, errno, "bind the display socket onto '%s': %s", shown,
				      strerror(errno));
	return 0;
}
