/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Counters since boot under the state dir (jail_stats.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail_stats.h"

#define COUNTERS     "counters"
#define COUNTERS_NEW "counters.new"
#define LOCK	     "lock"
/* The file is a few hundred bytes; anything much larger is not ours. */
#define COUNTERS_MAX 16384

static const char *const refusal_names[JAIL_REFUSAL_COUNT] = {
	[JAIL_REFUSAL_MODULE_ARGS] = "module_args",
	[JAIL_REFUSAL_NO_USER] = "no_user",
	[JAIL_REFUSAL_POLICY_INVALID] = "policy_invalid",
	[JAIL_REFUSAL_USER_UNKNOWN] = "user_unknown",
	[JAIL_REFUSAL_LOOKUP_FAILED] = "lookup_failed",
	[JAIL_REFUSAL_UNMATCHED] = "unmatched",
	[JAIL_REFUSAL_USER_MANAGER] = "user_manager",
	[JAIL_REFUSAL_MULTITHREADED] = "multithreaded",
	[JAIL_REFUSAL_POLICY_CHANGED] = "policy_changed",
	[JAIL_REFUSAL_JAIL_FAILED] = "jail_failed",
	[JAIL_REFUSAL_ENTER_FAILED] = "enter_failed",
	[JAIL_REFUSAL_PRIVILEGES] = "privileges",
	[JAIL_REFUSAL_INTERNAL] = "internal",
	[JAIL_REFUSAL_MAX_JAILS] = "max_jails",
};

static const char *const limit_event_names[JAIL_LIMIT_EVENT_COUNT] = {
	[JAIL_LIMIT_PIDS_MAX] = "pids.max",
	[JAIL_LIMIT_MEMORY_MAX] = "memory.max",
	[JAIL_LIMIT_OOM_KILL] = "memory.oom_kill",
};

const char *jail_refusal_name(enum jail_refusal r)
{
	return (unsigned)r < JAIL_REFUSAL_COUNT ? refusal_names[r] : "internal";
}

const char *jail_limit_event_name(enum jail_limit_event e)
{
	return (unsigned)e < JAIL_LIMIT_EVENT_COUNT ? limit_event_names[e] : "?";
}

/* What the file holds: the counters, and lines of names this version does
 * not know (a newer module's, during an upgrade), kept as they are. */
struct counters {
	struct jail_stats s;
	char unknown[COUNTERS_MAX];
	size_t unknown_len;
};

/* Root's, private, and a plain file or directory: the only files trusted. */
static int check_owned(int fd, mode_t type, const char *name, struct jail_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return jail_error_set(err, errno, "stats/%s: %s", name, strerror(errno));
	if ((st.st_mode & S_IFMT) != type || st.st_uid != 0 || (st.st_mode & 077) != 0 ||
	    (type == S_IFREG && st.st_nlink != 1))
		return jail_error_set(err, EPERM,
				      "stats/%s must be root's own %s (mode 0%s00, one link)", name,
				      type == S_IFDIR ? "directory" : "file",
				      type == S_IFDIR ? "7" : "6");
	return 0;
}

int jail_stats_open(int state_fd, bool create, struct jail_error *err)
{
	int fd, r;

	if (create && mkdirat(state_fd, JAIL_STATE_STATS, 0700) < 0 && errno != EEXIST)
		return jail_error_set(err, errno, "cannot create stats/: %s", strerror(errno));
	fd = openat(state_fd, JAIL_STATE_STATS, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT
				       : jail_error_set(err, errno, "stats/: %s", strerror(errno));
	r = check_owned(fd, S_IFDIR, "", err);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static int parse_u64(const char *s, uint64_t *ret)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*ret = strtoull(s, &end, 10);
	return (errno || *end) ? -EINVAL : 0;
}

static int find_name(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

/* One "name value" line. */
static int parse_line(struct counters *c, char *line)
{
	char *value = strchr(line, ' ');
	uint64_t v = 0;
	int i;

	if (!value || value == line)
		return -EINVAL;
	*value++ = '\0';
	if (strcmp(line, "refused.last_reason") == 0) {
		i = find_name(refusal_names, JAIL_REFUSAL_COUNT, value);
		c->s.last_refusal_reason = i >= 0 ? (enum jail_refusal)i : JAIL_REFUSAL_INTERNAL;
		return 0;
	}
	if (parse_u64(value, &v) < 0)
		return -EINVAL;
	if (strcmp(line, "refused.last_time") == 0) {
		c->s.last_refusal_time = v > INT64_MAX ? INT64_MAX : (int64_t)v;
	} else if (strcmp(line, "jails_ended") == 0) {
		c->s.jails_ended = v;
	} else if (strncmp(line, "refused.", 8) == 0 &&
		   (i = find_name(refusal_names, JAIL_REFUSAL_COUNT, line + 8)) >= 0) {
		c->s.refusals[i] = v;
	} else if (strncmp(line, "limit.", 6) == 0 &&
		   (i = find_name(limit_event_names, JAIL_LIMIT_EVENT_COUNT, line + 6)) >= 0) {
		c->s.limit_events[i] = v;
	} else {
		int n = snprintf(c->unknown + c->unknown_len, sizeof(c->unknown) - c->unknown_len,
				 "%s %s\n", line, value);
		if (n < 0 || (size_t)n >= sizeof(c->unknown) - c->unknown_len)
			return -EFBIG;
		c->unknown_len += (size_t)n;
	}
	return 0;
}

static int read_counters(int stats_fd, struct counters *c, struct jail_error *err)
{
	char buf[COUNTERS_MAX + 1], *line, *nl;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	memset(c, 0, sizeof(*c));
	fd = openat(stats_fd, COUNTERS, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0
				       : jail_error_set(err, errno, "stats/" COUNTERS ": %s",
							strerror(errno));
	r = check_owned(fd, S_IFREG, COUNTERS, err);
	while (r == 0 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = jail_error_set(err, errno, "stats/" COUNTERS ": %s", strerror(errno));
		else if ((len += (size_t)n) >= sizeof(buf) - 1)
			r = jail_error_set(err, EFBIG, "stats/" COUNTERS " is too large");
	}
	close(fd);
	if (r < 0)
		return r;
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] != '\n')
		return jail_error_set(err, EBADMSG, "stats/" COUNTERS ": the last line is cut");
	for (line = buf; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		if (parse_line(c, line) < 0)
			return jail_error_set(err, EBADMSG, "stats/" COUNTERS ": bad line '%.64s'",
					      line);
	}
	return 0;
}

int jail_stats_read(int stats_fd, struct jail_stats *ret, struct jail_error *err)
{
	struct counters *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = read_counters(stats_fd, c, err);
	if (r == 0)
		*ret = c->s;
	free(c);
	return r;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The new file, complete, then renamed over the old one (with the lock
 * held: nobody else writes COUNTERS_NEW meanwhile). */
static int write_counters(int stats_fd, const struct counters *c, struct jail_error *err)
{
	char buf[COUNTERS_MAX + 1024];
	size_t len = 0;
	int fd, r, n;

	for (int i = 0; i < JAIL_REFUSAL_COUNT; i++) {
		n = snprintf(buf + len, sizeof(buf) - len, "refused.%s %" PRIu64 "\n",
			     refusal_names[i], c->s.refusals[i]);
		len += (size_t)n;
	}
	if (c->s.last_refusal_time > 0) {
		n = snprintf(buf + len, sizeof(buf) - len,
			     "refused.last_time %" PRId64 "\nrefused.last_reason %s\n",
			     c->s.last_refusal_time, jail_refusal_name(c->s.last_refusal_reason));
		len += (size_t)n;
	}
	for (int i = 0; i < JAIL_LIMIT_EVENT_COUNT; i++) {
		n = snprintf(buf + len, sizeof(buf) - len, "limit.%s %" PRIu64 "\n",
			     limit_event_names[i], c->s.limit_events[i]);
		len += (size_t)n;
	}
	n = snprintf(buf + len, sizeof(buf) - len, "jails_ended %" PRIu64 "\n", c->s.jails_ended);
	len += (size_t)n;
	if (c->unknown_len > sizeof(buf) - len)
		return jail_error_set(err, EFBIG, "stats/" COUNTERS " is too large");
	memcpy(buf + len, c->unknown, c->unknown_len);
	len += c->unknown_len;

	/* A leftover of a writer that died between open and rename. */
	if (unlinkat(stats_fd, COUNTERS_NEW, 0) < 0 && errno != ENOENT)
		return jail_error_set(err, errno, "stats/" COUNTERS_NEW ": %s", strerror(errno));
	fd = openat(stats_fd, COUNTERS_NEW,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return jail_error_set(err, errno, "stats/" COUNTERS_NEW ": %s", strerror(errno));
	r = write_all(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && renameat(stats_fd, COUNTERS_NEW, stats_fd, COUNTERS) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(stats_fd, COUNTERS_NEW, 0);
		return jail_error_set(err, -r, "stats/" COUNTERS ": %s", strerror(-r));
	}
	return 0;
}

typedef void (*update_fn)(struct jail_stats *s, const void *arg);

static int update(int stats_fd, update_fn fn, const void *arg, struct jail_error *err)
{
	struct counters *c;
	int lock, r;

	lock = openat(stats_fd, LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (lock < 0)
		return jail_error_set(err, errno, "stats/" LOCK ": %s", strerror(errno));
	r = check_owned(lock, S_IFREG, LOCK, err);
	if (r == 0) {
		while ((r = flock(lock, LOCK_EX)) < 0 && errno == EINTR)
			;
		if (r < 0)
			r = jail_error_set(err, errno, "stats/" LOCK ": %s", strerror(errno));
	}
	c = r == 0 ? calloc(1, sizeof(*c)) : NULL;
	if (r == 0 && !c)
		r = -ENOMEM;
	if (r == 0)
		r = read_counters(stats_fd, c, err);
	if (r == 0) {
		fn(&c->s, arg);
		r = write_counters(stats_fd, c, err);
	}
	free(c);
	close(lock); /* releases the lock */
	return r;
}

struct refusal_arg {
	enum jail_refusal why;
	int64_t now;
};

static void add_refusal(struct jail_stats *s, const void *arg)
{
	const struct refusal_arg *a = arg;

	s->refusals[a->why]++;
	s->last_refusal_time = a->now;
	s->last_refusal_reason = a->why;
}

int jail_stats_count_refusal(int stats_fd, enum jail_refusal why, int64_t now,
			     struct jail_error *err)
{
	const struct refusal_arg a = { (unsigned)why < JAIL_REFUSAL_COUNT ? why
									  : JAIL_REFUSAL_INTERNAL,
				       now };

	return update(stats_fd, add_refusal, &a, err);
}

static void add_limit_events(struct jail_stats *s, const void *arg)
{
	const uint64_t *ev = arg;

	for (int i = 0; i < JAIL_LIMIT_EVENT_COUNT; i++)
		s->limit_events[i] += ev[i];
	s->jails_ended++;
}

int jail_stats_add_limit_events(int stats_fd, const uint64_t events[JAIL_LIMIT_EVENT_COUNT],
				struct jail_error *err)
{
	return update(stats_fd, add_limit_events, events, err);
}
