/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The jail marker (see marker.h): building it from a policy, the on-disk
 * format, the strict parser and the proof that a process runs in the jail
 * the marker describes.
 *
 * The writer (jail-init, root) and the reader (jailsh, the user) share one
 * validator, so the writer can never produce a file the reader refuses, and
 * the reader never accepts a value the writer could not have written.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "decimal.h"
#include "jail_proto.h"
#include "marker.h"
#include "safepath.h"

/* The namespace link whose nsfs (st_dev, st_ino) identifies a mount ns. */
#define SELF_MNTNS "/proc/self/ns/mnt"

void jail_marker_free(struct jail_marker *m)
{
	if (!m)
		return;
	free(m->user);
	free(m->profile);
	free(m->home);
	free(m->skeleton);
	jail_strv_free(m->persist);
	free(m->shell);
	free(m->path);
	free(m->hostname);
	free(m);
}

static void marker_freep(struct jail_marker **m)
{
	jail_marker_free(*m);
}
#define _cleanup_marker_ __attribute__((cleanup(marker_freep)))

/* ------------------------------------------------------------------------ */
/* Value rules, shared by format and parse                                    */

static bool is_hex_id(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == JAIL_ID_HEX_LEN;
}

/* A value must fit on its line: no newline and no other control byte (a
 * terminal escape in a login name would reach the user's screen in jailsh's
 * messages). */
static bool is_printable_value(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A persistent subdirectory: relative to the home ("work", "src/lab") or an
 * absolute path (the resolver may have expanded %h). No "." or "..", no
 * ':' (the list separator), no empty component. */
static bool is_persist_entry(const char *s)
{
	const char *p = s;

	if (!*s || strchr(s, ':') || !is_printable_value(s))
		return false;
	if (*p == '/')
		return jail_path_is_clean_absolute(s) && strcmp(s, "/") != 0;
	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);

		if (len == 0 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return false; /* trailing slash */
	}
	return true;
}

static int check_marker(const struct jail_marker *m, struct jail_error *err)
{
	if (!is_hex_id(m->id))
		return jail_error_set(err, EINVAL, "jail id '%s' is not %d hex digits", m->id,
				      JAIL_ID_HEX_LEN);
	if (!m->user || !*m->user || !is_printable_value(m->user))
		return jail_error_set(err, EINVAL, "bad user name");
	if (m->uid == (uid_t)-1 || m->gid == (gid_t)-1)
		return jail_error_set(err, EINVAL, "uid/gid -1 is not a user");
	if (!m->profile || !*m->profile || !is_printable_value(m->profile))
		return jail_error_set(err, EINVAL, "bad profile name");
	if (!jail_path_is_clean_absolute(m->home))
		return jail_error_set(err, EINVAL, "home '%s' is not a clean absolute path",
				      m->home ? m->home : "(null)");
	if (m->home_mode != JAIL_HOME_TMPFS && m->home_mode != JAIL_HOME_BIND)
		return jail_error_set(err, EINVAL, "unknown home mode %d", (int)m->home_mode);
	if (m->skeleton && !jail_path_is_clean_absolute(m->skeleton))
		return jail_error_set(err, EINVAL, "skeleton '%s' is not a clean absolute path",
				      m->skeleton);
	for (char **p = m->persist; p && *p; p++)
		if (!is_persist_entry(*p))
			return jail_error_set(err, EINVAL, "bad persistent directory '%s'", *p);
	if (!jail_path_is_clean_absolute(m->shell))
		return jail_error_set(err, EINVAL, "shell '%s' is not a clean absolute path",
				      m->shell ? m->shell : "(null)");
	if (!m->path || !*m->path || !is_printable_value(m->path))
		return jail_error_set(err, EINVAL, "bad PATH");
	if (m->hostname && (!*m->hostname || !is_printable_value(m->hostname)))
		return jail_error_set(err, EINVAL, "bad hostname");
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Building                                                                   */

static int strdup_or_null(const char *s, char **ret)
{
	*ret = NULL;
	if (!s)
		return 0;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

/* What a marker without persistent directories carries: an empty list, as
 * jail_marker_parse() makes of "persist=". */
static const char *const no_persist[] = { NULL };

int jail_marker_from_policy(const struct jail_policy *p, const char *id, uint64_t mntns_dev,
			    uint64_t mntns_ino, struct jail_marker **ret)
{
	_cleanup_marker_ struct jail_marker *m = NULL;
	int r;

	if (!p || !id || !ret)
		return -EINVAL;
	if (strlen(id) >= sizeof(m->id))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	snprintf(m->id, sizeof(m->id), "%s", id);
	m->uid = p->uid;
	m->gid = p->gid;
	m->mntns_dev = mntns_dev;
	m->mntns_ino = mntns_ino;
	m->home_mode = p->home_mode;
	m->x11 = p->x11;
	/* Seeding and persistent dirs only mean something for a tmpfs home. */
	r = strdup_or_null(p->user, &m->user);
	if (r == 0)
		r = strdup_or_null(p->profile, &m->profile);
	if (r == 0)
		r = strdup_or_null(p->home, &m->home);
	if (r == 0 && p->home_mode == JAIL_HOME_TMPFS)
		r = strdup_or_null(p->skeleton, &m->skeleton);
	if (r == 0)
		r = jail_strv_copy(p->home_mode == JAIL_HOME_TMPFS && p->persist
					   ? (const char *const *)p->persist
					   : no_persist,
				   &m->persist);
	if (r == 0)
		r = strdup_or_null(p->shell, &m->shell);
	if (r == 0)
		r = strdup_or_null(p->path, &m->path);
	if (r == 0)
		r = strdup_or_null(p->hostname, &m->hostname);
	if (r < 0)
		return r;
	r = check_marker(m, NULL);
	if (r < 0)
		return r;
	*ret = steal_pointer(&m);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Format                                                                     */

int jail_marker_format(const struct jail_marker *m, char **ret_buf, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if (!m || !ret_buf)
		return -EINVAL;
	r = check_marker(m, NULL);
	if (r < 0)
		return r;

	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "id=%s\n", m->id);
	fprintf(f, "user=%s\n", m->user);
	fprintf(f, "uid=%u\n", (unsigned)m->uid);
	fprintf(f, "gid=%u\n", (unsigned)m->gid);
	fprintf(f, "profile=%s\n", m->profile);
	fprintf(f, "mntns_dev=%" PRIu64 "\n", m->mntns_dev);
	fprintf(f, "mntns_ino=%" PRIu64 "\n", m->mntns_ino);
	fprintf(f, "home=%s\n", m->home);
	fprintf(f, "home_mode=%s\n", m->home_mode == JAIL_HOME_TMPFS ? "tmpfs" : "bind");
	if (m->skeleton)
		fprintf(f, "skeleton=%s\n", m->skeleton);
	fputs("persist=", f);
	for (char **p = m->persist; p && *p; p++)
		fprintf(f, "%s%s", p == m->persist ? "" : ":", *p);
	fputc('\n', f);
	fprintf(f, "shell=%s\n", m->shell);
	fprintf(f, "path=%s\n", m->path);
	if (m->hostname)
		fprintf(f, "hostname=%s\n", m->hostname);
	fprintf(f, "x11=%s\n", m->x11 ? "yes" : "no");
	if (ferror(f)) {
		fclose(f);
		return -ENOMEM;
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	if (len > JAIL_MARKER_MAX_SIZE)
		return -E2BIG;
	*ret_buf = steal_pointer(&buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Parse                                                                      */

enum marker_key {
	K_ID,
	K_USER,
	K_UID,
	K_GID,
	K_PROFILE,
	K_MNTNS_DEV,
	K_MNTNS_INO,
	K_HOME,
	K_HOME_MODE,
	K_SKELETON,
	K_PERSIST,
	K_SHELL,
	K_PATH,
	K_HOSTNAME,
	K_X11,
	K__MAX,
};

static const struct {
	const char *name;
	bool required;
} marker_keys[K__MAX] = {
	[K_ID] = { "id", true },
	[K_USER] = { "user", true },
	[K_UID] = { "uid", true },
	[K_GID] = { "gid", true },
	[K_PROFILE] = { "profile", true },
	[K_MNTNS_DEV] = { "mntns_dev", true },
	[K_MNTNS_INO] = { "mntns_ino", true },
	[K_HOME] = { "home", true },
	[K_HOME_MODE] = { "home_mode", true },
	[K_SKELETON] = { "skeleton", false },
	[K_PERSIST] = { "persist", false },
	[K_SHELL] = { "shell", true },
	[K_PATH] = { "path", true },
	[K_HOSTNAME] = { "hostname", false },
	[K_X11] = { "x11", true },
};

/* Strict unsigned decimal: digits only, no sign, no leading zero (but "0"),
 * no overflow beyond `max`. */
static int parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	size_t len = strlen(s);
	uint64_t v;
	ssize_t n;

	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	n = jail_parse_decimal(s, len, max, &v);
	if (n < 0)
		return -ERANGE;
	if ((size_t)n != len)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int split_persist(const char *s, char ***ret)
{
	_cleanup_free_ char *copy = NULL;
	size_t n = 1, i = 0;
	char **v;

	if (!*s) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		*ret = v;
		return 0;
	}
	for (const char *p = s; *p; p++)
		if (*p == ':')
			n++;
	copy = strdup(s);
	v = calloc(n + 1, sizeof(*v));
	if (!copy || !v) {
		free(v);
		return -ENOMEM;
	}
	/* strsep, not strtok: strtok would merge "a::b" into two entries, and an
	 * empty entry must reach the validator and fail. */
	for (char *cur = copy; cur;) {
		char *tok = strsep(&cur, ":");
		v[i] = strdup(tok);
		if (!v[i]) {
			jail_strv_free(v);
			return -ENOMEM;
		}
		i++;
	}
	*ret = v;
	return 0;
}

int jail_marker_parse(const char *buf, size_t len, struct jail_marker **ret, struct jail_error *err)
{
	_cleanup_marker_ struct jail_marker *m = NULL;
	bool seen[K__MAX] = { false };
	size_t pos = 0;
	int lineno = 0, r;

	if (!buf || !ret)
		return jail_error_set(err, EINVAL, "no marker");
	if (len == 0)
		return jail_error_set(err, EINVAL, "the jail marker is empty");
	if (len > JAIL_MARKER_MAX_SIZE)
		return jail_error_set(err, E2BIG, "the jail marker is larger than %d bytes",
				      JAIL_MARKER_MAX_SIZE);
	if (memchr(buf, '\0', len))
		return jail_error_set(err, EINVAL, "the jail marker contains a NUL byte");
	if (buf[len - 1] != '\n')
		return jail_error_set(err, EINVAL, "the jail marker does not end with a newline");

	m = calloc(1, sizeof(*m));
	if (!m)
		return jail_error_set(err, ENOMEM, "out of memory");
	m->uid = (uid_t)-1;
	m->gid = (gid_t)-1;

	while (pos < len) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = (size_t)(nl - line);
		_cleanup_free_ char *key = NULL;
		const char *eq, *value;
		uint64_t num;
		int k;

		pos += llen + 1;
		lineno++;
		eq = memchr(line, '=', llen);
		if (!eq)
			return jail_error_set(err, EINVAL, "jail marker line %d: no '='", lineno);
		key = strndup(line, (size_t)(eq - line));
		if (!key)
			return jail_error_set(err, ENOMEM, "out of memory");
		_cleanup_free_ char *val = strndup(eq + 1, (size_t)(nl - eq - 1));
		if (!val)
			return jail_error_set(err, ENOMEM, "out of memory");
		value = val;
		if (!is_printable_value(value))
			return jail_error_set(err, EINVAL,
					      "jail marker line %d: control character in value",
					      lineno);

		for (k = 0; k < K__MAX; k++)
			if (strcmp(marker_keys[k].name, key) == 0)
				break;
		if (k == K__MAX)
			return jail_error_set(err, EINVAL, "jail marker line %d: unknown key '%s'",
					      lineno, is_printable_value(key) ? key : "?");
		if (seen[k])
			return jail_error_set(err, EINVAL,
					      "jail marker line %d: duplicate key '%s'", lineno,
					      key);
		seen[k] = true;

		switch ((enum marker_key)k) {
		case K_ID:
			if (!is_hex_id(value))
				return jail_error_set(err, EINVAL,
						      "jail marker line %d: bad jail id", lineno);
			snprintf(m->id, sizeof(m->id), "%s", value);
			break;
		case K_UID:
		case K_GID:
			r = parse_u64(value, UINT32_MAX - 1, &num);
			if (r < 0)
				return jail_error_set(err, -r, "jail marker line %d: bad %s '%s'",
						      lineno, key, value);
			if (k == K_UID)
				m->uid = (uid_t)num;
			else
				m->gid = (gid_t)num;
			break;
		case K_MNTNS_DEV:
		case K_MNTNS_INO:
			r = parse_u64(value, UINT64_MAX, &num);
			if (r < 0)
				return jail_error_set(err, -r, "jail marker line %d: bad %s '%s'",
						      lineno, key, value);
			if (k == K_MNTNS_DEV)
				m->mntns_dev = num;
			else
				m->mntns_ino = num;
			break;
		case K_HOME_MODE:
			if (strcmp(value, "tmpfs") == 0)
				m->home_mode = JAIL_HOME_TMPFS;
			else if (strcmp(value, "bind") == 0)
				m->home_mode = JAIL_HOME_BIND;
			else
				return jail_error_set(err, EINVAL,
						      "jail marker line %d: bad home_mode '%s'",
						      lineno, value);
			break;
		case K_X11:
			if (strcmp(value, "yes") == 0)
				m->x11 = true;
			else if (strcmp(value, "no") == 0)
				m->x11 = false;
			else
				return jail_error_set(err, EINVAL,
						      "jail marker line %d: bad x11 '%s'", lineno,
						      value);
			break;
		case K_PERSIST:
			r = split_persist(value, &m->persist);
			if (r < 0)
				return jail_error_set(err, -r, "out of memory");
			break;
		case K_USER:
			m->user = steal_pointer(&val);
			break;
		case K_PROFILE:
			m->profile = steal_pointer(&val);
			break;
		case K_HOME:
			m->home = steal_pointer(&val);
			break;
		case K_SKELETON:
			m->skeleton = steal_pointer(&val);
			break;
		case K_SHELL:
			m->shell = steal_pointer(&val);
			break;
		case K_PATH:
			m->path = steal_pointer(&val);
			break;
		case K_HOSTNAME:
			m->hostname = steal_pointer(&val);
			break;
		case K__MAX:
			break;
		}
	}

	for (int k = 0; k < K__MAX; k++)
		if (marker_keys[k].required && !seen[k])
			return jail_error_set(err, EINVAL, "jail marker: missing key '%s'",
					      marker_keys[k].name);
	if (!m->persist) {
		m->persist = calloc(1, sizeof(*m->persist));
		if (!m->persist)
			return jail_error_set(err, ENOMEM, "out of memory");
	}
	r = check_marker(m, err);
	if (r < 0)
		return r;
	*ret = steal_pointer(&m);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Verify                                                                     */

static int read_marker_fd(int fd, char **ret_buf, size_t *ret_len, struct jail_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	/* One byte more than allowed, to tell "too big" from "exactly full". */
	buf = malloc(JAIL_MARKER_MAX_SIZE + 1);
	if (!buf)
		return jail_error_set(err, ENOMEM, "out of memory");
	for (;;) {
		ssize_t n = read(fd, buf + len, JAIL_MARKER_MAX_SIZE + 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return jail_error_set(err, errno, "cannot read the jail marker: %s",
					      strerror(errno));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > JAIL_MARKER_MAX_SIZE)
			return jail_error_set(err, E2BIG, "the jail marker is larger than %d bytes",
					      JAIL_MARKER_MAX_SIZE);
	}
	*ret_buf = steal_pointer(&buf);
	*ret_len = len;
	return 0;
}

int jail_marker_current_mntns(uint64_t *ret_dev, uint64_t *ret_ino, struct jail_error *err)
{
	struct stat st;

	/* stat() follows the magic link to the nsfs inode: its (dev, ino) is the
	 * namespace's identity while the namespace lives. */
	if (stat(SELF_MNTNS, &st) < 0)
		return jail_error_set(err, errno,
				      "cannot identify this mount namespace (" SELF_MNTNS "): %s",
				      strerror(errno));
	*ret_dev = (uint64_t)st.st_dev;
	*ret_ino = (uint64_t)st.st_ino;
	return 0;
}

int jail_marker_verify_at(int dirfd, const char *path, uid_t trusted_uid, struct jail_marker **ret,
			  struct jail_error *err)
{
	_cleanup_marker_ struct jail_marker *m = NULL;
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	struct jail_error sub = { 0 };
	uint64_t dev, ino;
	size_t len = 0;
	int r;

	if (!path || !ret)
		return jail_error_set(err, EINVAL, "no marker path");
	/* O_NONBLOCK: a FIFO planted as the marker must be refused (it is not
	 * a regular file), not hang the login in open(). */
	if (path[0] == '/')
		fd = jail_safe_open(path, O_RDONLY | O_NONBLOCK,
				    JAIL_SAFE_TRUSTED | JAIL_SAFE_REGULAR, trusted_uid, NULL, &sub);
	else
		fd = jail_safe_openat(dirfd, path, O_RDONLY | O_NONBLOCK,
				      JAIL_SAFE_TRUSTED | JAIL_SAFE_REGULAR, trusted_uid, NULL,
				      &sub);
	/* On the host, JAIL_MARKER_DIR is pam_jail's own 0700 state dir:
	 * EACCES there means "not in a jail" just as ENOENT does. */
	if (fd == -ENOENT || fd == -EACCES)
		return jail_error_set(err, -fd,
				      "no jail marker (%s): this session is not inside a "
				      "pam_jail jail",
				      sub.message);
	if (fd < 0)
		return jail_error_set(err, -fd, "untrusted jail marker: %s", sub.message);

	r = read_marker_fd(fd, &buf, &len, err);
	if (r < 0)
		return r;
	r = jail_marker_parse(buf, len, &m, &sub);
	if (r < 0)
		return jail_error_set(err, -r, "bad jail marker: %s", sub.message);

	r = jail_marker_current_mntns(&dev, &ino, err);
	if (r < 0)
		return r;
	if (m->mntns_dev != dev || m->mntns_ino != ino)
		return jail_error_set(err, EPERM,
				      "the jail marker belongs to another mount namespace "
				      "(jail %s), not to this one",
				      m->id);
	if (m->uid != getuid())
		return jail_error_set(err, EPERM,
				      "the jail marker is for uid %u, this process runs as uid %u",
				      (unsigned)m->uid, (unsigned)getuid());
	*ret = steal_pointer(&m);
	return 0;
}

int jail_marker_verify(struct jail_marker **ret, struct jail_error *err)
{
	return jail_marker_verify_at(AT_FDCWD, JAIL_MARKER_PATH, 0, ret, err);
}
