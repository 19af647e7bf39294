/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A jail's logins copied to the host's utmp, wtmp and lastlog (keeper_utmp.h). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "clock.h"
#include "keeper_utmp.h"
#include "utmp_record.h"

#define ID_ATTEMPTS	   16
#define LOCK_TRIES	   50	     /* x 1 ms: how long a writer may hold its lock */
#define LASTLOG_SCAN_BYTES (1 << 20) /* of foreign lastlog data looked at, per read */

static const char *const file_names[JAIL_RECORDS_N] = {
	[JAIL_RECORD_UTMP] = "utmp",
	[JAIL_RECORD_WTMP] = "wtmp",
	[JAIL_RECORD_LASTLOG] = "lastlog",
};

static struct jail_utmp_owner owner_of(const struct keeper_utmp *u)
{
	return (struct jail_utmp_owner){ .user = u->p->user, .uid = u->p->uid, .jail_id = u->id };
}

static void watch_by_timer(struct keeper_utmp *u, const char *what, int e)
{
	jail_closep(&u->inotify_fd);
	u->inotify_fd = -1;
	u->next_look_ms = jail_mono_ms() + KEEPER_UTMP_LOOK_MS;
	syslog(LOG_INFO,
	       "login records: user=%s profile=%s id=%s: %s: %s: looked at every %d ms instead",
	       u->p->user, u->p->profile, u->id, what, strerror(e), KEEPER_UTMP_LOOK_MS);
}

int keeper_utmp_setup(struct keeper_utmp *u, int state_fd, const struct jail_policy *p,
		      const char *id, struct jail_error *err)
{
	struct stat st;

	memset(u, 0, sizeof(*u));
	u->p = p;
	u->id = id;
	u->dir_fd = u->parent_fd = u->inotify_fd = -1;
	for (int i = 0; i < JAIL_RECORDS_N; i++)
		u->fd[i] = u->jail_fd[i] = -1;
	u->on = true; /* from here on keeper_utmp_end undoes what is made */

	if (mkdirat(state_fd, KEEPER_UTMP_DIR, 0700) < 0 && errno != EEXIST)
		return jail_error_set(err, errno, "login records: mkdir: %s", strerror(errno));
	u->parent_fd = openat(state_fd, KEEPER_UTMP_DIR,
			      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (u->parent_fd < 0 || fstat(u->parent_fd, &st) < 0)
		return jail_error_set(err, errno, "login records: %s", strerror(errno));
	if (st.st_uid != 0 || (st.st_mode & 077))
		return jail_error_set(err, EPERM, "login records: '%s' is not root-owned 0700",
				      KEEPER_UTMP_DIR);
	if (mkdirat(u->parent_fd, id, 0700) < 0)
		return jail_error_set(err, errno, "login records: mkdir: %s", strerror(errno));
	u->dir_fd = openat(u->parent_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (u->dir_fd < 0)
		return jail_error_set(err, errno, "login records: %s", strerror(errno));

	/* One inotify instance per keeper, and root may have only
	 * fs.inotify.max_user_instances (128 by default) of them: the
	 * jails beyond look at their files on a timer instead. */
	u->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (u->inotify_fd < 0)
		watch_by_timer(u, "inotify", errno);
	for (int i = 0; i < JAIL_RECORDS_N; i++) {
		char self[64];

		/* Root's, not the user's: sshd's monitor (root, inside)
		 * writes them, the user only reads them. The keeper keeps a
		 * read-only fd: it never writes what the jail wrote. */
		u->fd[i] = openat(u->dir_fd, file_names[i],
				  O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (u->fd[i] < 0 || fchmod(u->fd[i], 0644) < 0)
			return jail_error_set(err, errno, "login records: %s: %s", file_names[i],
					      strerror(errno));
		/* Watched through the fd, not its name: the inode it is. */
		snprintf(self, sizeof(self), "/proc/self/fd/%d", u->fd[i]);
		if (u->inotify_fd >= 0 &&
		    inotify_add_watch(u->inotify_fd, self, IN_MODIFY | IN_CLOSE_WRITE) < 0)
			watch_by_timer(u, "inotify_add_watch", errno);
		/* What PID 1 binds: a detached clone made here, as the kernel
		 * clones a mount only in the namespace that has it (open_tree
		 * on this fd from the jail's new namespace is EINVAL). */
		u->jail_fd[i] = open_tree(u->fd[i], "",
					  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (u->jail_fd[i] < 0)
			return jail_error_set(err, errno, "login records: %s: open_tree: %s",
					      file_names[i], strerror(errno));
	}
	return 0;
}

const int *keeper_utmp_jail_fds(const struct keeper_utmp *u)
{
	return u->jail_fd;
}

void keeper_utmp_jail_built(struct keeper_utmp *u)
{
	for (int i = 0; i < JAIL_RECORDS_N; i++) {
		jail_closep(&u->jail_fd[i]);
		u->jail_fd[i] = -1;
	}
}

size_t keeper_utmp_pollfds(const struct keeper_utmp *u, struct pollfd *out)
{
	if (!u->on || u->inotify_fd < 0)
		return 0;
	out[0] = (struct pollfd){ .fd = u->inotify_fd, .events = POLLIN };
	return 1;
}

/* ------------------------------------------------------------ the host's files */

/* Whether the host's utmp holds a live record (a terminal someone is on)
 * under `id`. Any is someone else's: a login of ours on the same line has
 * been logged out before a new one comes (or another jail's line is the
 * same, when the ids share their first digits). */
static bool host_id_taken(const char id[4])
{
	struct utmpx *e;
	bool taken = false;

	if (utmpxname(KEEPER_HOST_UTMP) < 0)
		return false;
	setutxent();
	while (!taken && (e = getutxent()))
		taken = (e->ut_type == INIT_PROCESS || e->ut_type == LOGIN_PROCESS ||
			 e->ut_type == USER_PROCESS) &&
			memcmp(e->ut_id, id, 4) == 0;
	endutxent();
	return taken;
}

/* Write `rec` to the host's utmp. A logout only ends a login of ours that
 * is still there: if something else took the id since, it is left alone. */
static int host_utmp_write(struct keeper_utmp *u, const struct utmpx *rec)
{
	int r = 0;

	if (utmpxname(KEEPER_HOST_UTMP) < 0)
		return -ENOMEM;
	setutxent();
	if (rec->ut_type == DEAD_PROCESS) {
		struct utmpx key = { .ut_type = DEAD_PROCESS };
		struct utmpx *cur;

		memcpy(key.ut_id, rec->ut_id, sizeof(key.ut_id));
		cur = getutxid(&key);
		if (!cur || cur->ut_type != USER_PROCESS ||
		    strncmp(cur->ut_line, rec->ut_line, __UT_LINESIZE) != 0) {
			endutxent();
			return 0;
		}
	}
	errno = 0;
	if (!pututxline(rec))
		r = -(errno ? errno : EIO);
	endutxent();
	if (r < 0 && !u->said_no_utmp) {
		/* glibc never creates utmp (systemd-tmpfiles or the boot
		 * scripts do): without one there is nothing to keep. */
		u->said_no_utmp = true;
		syslog(r == -ENOENT ? LOG_DEBUG : LOG_WARNING,
		       "login records: user=%s profile=%s id=%s: host %s not written: %s",
		       u->p->user, u->p->profile, u->id, KEEPER_HOST_UTMP, strerror(-r));
	}
	return r;
}

/* Appended to the host's wtmp, which glibc opens without O_CREAT: a host
 * without one keeps none (as login and sshd do). */
static void host_wtmp_append(const struct utmpx *rec)
{
	updwtmpx(KEEPER_HOST_WTMP, rec);
}

static void host_lastlog_write(struct keeper_utmp *u, const struct lastlog *ll)
{
	_cleanup_close_ int fd = -1;
	off_t at = (off_t)u->p->uid * (off_t)sizeof(*ll);

	fd = open(KEEPER_HOST_LASTLOG, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return; /* none, or a directory of per-user files: not ours to make */
	if (pwrite(fd, ll, sizeof(*ll), at) != (ssize_t)sizeof(*ll))
		syslog(LOG_WARNING, "login records: user=%s profile=%s id=%s: host %s: %s",
		       u->p->user, u->p->profile, u->id, KEEPER_HOST_LASTLOG,
		       strerror(errno ? errno : EIO));
}

/* ------------------------------------------------------------ the jail's files */

/* A read lock on the jail's file, as glibc's readers take one, so a record
 * is not read half-written. Bounded: a writer that keeps its lock costs
 * the keeper LOCK_TRIES ms, then the file is read as it is. */
static bool lock_for_read(int fd)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };

	for (int i = 0; i < LOCK_TRIES; i++) {
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			return true;
		if (errno != EAGAIN && errno != EACCES)
			return false;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	return false;
}

static void unlock(int fd)
{
	struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

	fcntl(fd, F_OFD_SETLK, &fl);
}

static struct keeper_utmp_session *session_of(struct keeper_utmp *u, const struct utmpx *rec)
{
	/* glibc finds a login's slot by ut_id, or by the line without one. */
	bool by_id = rec->ut_id[0] != '\0';

	for (size_t i = 0; i < KEEPER_UTMP_SESSIONS; i++) {
		struct keeper_utmp_session *s = &u->sessions[i];

		if (!s->used)
			continue;
		if (by_id ? memcmp(s->jail_id, rec->ut_id, 4) == 0
			  : strncmp(s->jail_line, rec->ut_line, __UT_LINESIZE) == 0)
			return s;
	}
	return NULL;
}

static struct keeper_utmp_session *session_new(struct keeper_utmp *u, const struct utmpx *rec,
					       const char host_line[__UT_LINESIZE])
{
	struct keeper_utmp_session *s = NULL;
	unsigned attempt = 0;

	/* A free slot, else one whose login has ended on the host. */
	for (size_t i = 0; i < KEEPER_UTMP_SESSIONS && !s; i++)
		if (!u->sessions[i].used)
			s = &u->sessions[i];
	for (size_t i = 0; i < KEEPER_UTMP_SESSIONS && !s; i++)
		if (!u->sessions[i].live)
			s = &u->sessions[i];
	if (!s) {
		if (!u->said_full)
			syslog(LOG_WARNING,
			       "login records: user=%s profile=%s id=%s: more than %d open logins, "
			       "the rest are not copied to the host",
			       u->p->user, u->p->profile, u->id, KEEPER_UTMP_SESSIONS);
		u->said_full = true;
		return NULL;
	}
	memset(s, 0, sizeof(*s));
	s->used = true;
	memcpy(s->jail_id, rec->ut_id, 4);
	memcpy(s->jail_line, rec->ut_line, __UT_LINESIZE);
	memcpy(s->host_line, host_line, __UT_LINESIZE);
	/* A free id on the host: pututxline overwrites whatever record has
	 * the id, and the host's own terminals must keep theirs. */
	do
		jail_utmp_host_id(u->id, host_line, attempt, s->host_id);
	while (++attempt < ID_ATTEMPTS && host_id_taken(s->host_id));
	return s;
}

/* One record the jail wrote to its utmp (`in_wtmp` false) or wtmp. */
static void copy_record(struct keeper_utmp *u, const struct utmpx *in, bool in_wtmp)
{
	struct jail_utmp_owner o = owner_of(u);
	struct jail_error e = { 0 };
	struct keeper_utmp_session *s;
	struct utmpx out;
	int r;

	r = jail_utmp_record_for_host(in, &o, &out, &e);
	if (r < 0) {
		syslog(LOG_WARNING,
		       "login record dropped: user=%s profile=%s id=%s: the jail's %s holds %s",
		       u->p->user, u->p->profile, u->id, in_wtmp ? "wtmp" : "utmp", e.message);
		return;
	}
	if (r == 0)
		return;
	s = session_of(u, in);
	if (in->ut_type == USER_PROCESS) {
		if (!s)
			s = session_new(u, in, out.ut_line);
		if (!s)
			return;
		memcpy(out.ut_id, s->host_id, 4);
		if (!in_wtmp) {
			s->live = true;
			s->pid = in->ut_pid;
			host_utmp_write(u, &out);
		}
	} else {
		if (s)
			memcpy(out.ut_id, s->host_id, 4);
		else if (!in_wtmp)
			return; /* no login of ours to end */
		if (!in_wtmp && s) {
			host_utmp_write(u, &out);
			s->live = false;
		}
	}
	if (in_wtmp)
		host_wtmp_append(&out);
}

static void sync_utmp(struct keeper_utmp *u)
{
	int fd = u->fd[JAIL_RECORD_UTMP];
	_cleanup_free_ struct utmpx *now = NULL;
	struct stat st;
	size_t n;
	ssize_t got;
	bool locked;

	if (fstat(fd, &st) < 0)
		return;
	n = (size_t)st.st_size / sizeof(struct utmpx);
	if (n > KEEPER_UTMP_SLOTS)
		n = KEEPER_UTMP_SLOTS;
	now = calloc(n ? n : 1, sizeof(*now));
	if (!now)
		return;
	locked = lock_for_read(fd);
	got = pread(fd, now, n * sizeof(*now), 0);
	if (locked)
		unlock(fd);
	if (got < 0)
		return;
	n = (size_t)got / sizeof(*now);
	/* Each slot that changed since the last look: a login or logout. */
	for (size_t i = 0; i < n; i++)
		if (i >= u->n_seen || memcmp(&now[i], &u->seen[i], sizeof(now[i])) != 0)
			copy_record(u, &now[i], false);
	free(u->seen);
	u->seen = steal_pointer(&now);
	u->n_seen = n;
}

static void sync_wtmp(struct keeper_utmp *u)
{
	int fd = u->fd[JAIL_RECORD_WTMP];
	struct utmpx batch[16];
	struct stat st;

	if (fstat(fd, &st) < 0)
		return;
	if (st.st_size < u->wtmp_off) { /* truncated inside: go on from its end */
		u->wtmp_off = st.st_size - st.st_size % (off_t)sizeof(struct utmpx);
		return;
	}
	for (;;) {
		bool locked = lock_for_read(fd);
		ssize_t got = pread(fd, batch, sizeof(batch), u->wtmp_off);
		size_t n;

		if (locked)
			unlock(fd);
		if (got <= 0)
			return;
		n = (size_t)got / sizeof(batch[0]);
		if (n == 0)
			return; /* a record still being appended: its event comes */
		for (size_t i = 0; i < n; i++)
			copy_record(u, &batch[i], true);
		u->wtmp_off += (off_t)(n * sizeof(batch[0]));
	}
}

/* Entries of other uids in the jail's lastlog are never read as theirs:
 * only the jail user's slot is. Said once, as they are a forgery. */
static void check_foreign_lastlog(struct keeper_utmp *u)
{
	int fd = u->fd[JAIL_RECORD_LASTLOG];
	const off_t size = (off_t)sizeof(struct lastlog);
	off_t own = (off_t)u->p->uid * size, pos = 0;
	size_t scanned = 0;

	while (!u->said_foreign_lastlog && scanned < LASTLOG_SCAN_BYTES) {
		off_t data = lseek(fd, pos, SEEK_DATA), hole;

		if (data < 0)
			return;
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			return;
		for (off_t at = data - data % size; at < hole && scanned < LASTLOG_SCAN_BYTES;
		     at += size) {
			struct lastlog ll, zero = { 0 };

			if (at == own)
				continue;
			scanned += sizeof(ll);
			if (pread(fd, &ll, sizeof(ll), at) != (ssize_t)sizeof(ll) ||
			    memcmp(&ll, &zero, sizeof(ll)) == 0)
				continue;
			u->said_foreign_lastlog = true;
			syslog(LOG_WARNING,
			       "login record dropped: user=%s profile=%s id=%s: the jail's lastlog "
			       "holds an entry for uid %lld",
			       u->p->user, u->p->profile, u->id, (long long)(at / size));
			return;
		}
		pos = hole;
	}
}

static void sync_lastlog(struct keeper_utmp *u)
{
	struct jail_utmp_owner o = owner_of(u);
	struct lastlog ll, out;
	ssize_t got;

	check_foreign_lastlog(u);
	got = pread(u->fd[JAIL_RECORD_LASTLOG], &ll, sizeof(ll),
		    (off_t)u->p->uid * (off_t)sizeof(ll));
	if (got != (ssize_t)sizeof(ll) || memcmp(&ll, &u->lastlog_seen, sizeof(ll)) == 0)
		return;
	u->lastlog_seen = ll;
	if (jail_lastlog_for_host(&ll, &o, &out) > 0)
		host_lastlog_write(u, &out);
}

static void sync_all(struct keeper_utmp *u)
{
	sync_utmp(u);
	sync_wtmp(u);
	sync_lastlog(u);
}

int keeper_utmp_timeout(const struct keeper_utmp *u, int timeout)
{
	int64_t left;

	if (!u->on || u->inotify_fd >= 0)
		return timeout;
	left = u->next_look_ms - jail_mono_ms();
	if (left < 0)
		left = 0;
	return timeout < 0 || left < timeout ? (int)left : timeout;
}

void keeper_utmp_handle(struct keeper_utmp *u, const struct pollfd *pfds, size_t n)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (!u->on)
		return;
	if (u->inotify_fd < 0) {
		if (jail_mono_ms() < u->next_look_ms)
			return;
		u->next_look_ms = jail_mono_ms() + KEEPER_UTMP_LOOK_MS;
		sync_all(u);
		return;
	}
	if (n == 0 || !pfds[0].revents)
		return;
	/* What changed is read from the files themselves: the events only
	 * say "look", so they are drained, not parsed. */
	while (read(u->inotify_fd, buf, sizeof(buf)) > 0)
		;
	sync_all(u);
}

/* A login still open when the jail ends (sshd killed, the jail stopped):
 * its logout, now, as logout(3) and logwtmp(3) write one. */
static void close_session(struct keeper_utmp *u, struct keeper_utmp_session *s)
{
	struct utmpx rec = { .ut_type = DEAD_PROCESS };
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	rec.ut_pid = s->pid;
	memcpy(rec.ut_id, s->host_id, 4);
	memcpy(rec.ut_line, s->host_line, __UT_LINESIZE);
	rec.ut_tv.tv_sec = (int32_t)now.tv_sec;
	rec.ut_tv.tv_usec = (int32_t)(now.tv_nsec / 1000);
	host_utmp_write(u, &rec);
	host_wtmp_append(&rec);
	s->live = false;
}

void keeper_utmp_end(struct keeper_utmp *u)
{
	if (!u->on)
		return;
	u->on = false;
	keeper_utmp_jail_built(u);
	if (u->fd[JAIL_RECORDS_N - 1] >= 0)
		sync_all(u); /* what the jail wrote last, its logouts first */
	for (size_t i = 0; i < KEEPER_UTMP_SESSIONS; i++)
		if (u->sessions[i].used && u->sessions[i].live)
			close_session(u, &u->sessions[i]);
	jail_closep(&u->inotify_fd);
	u->inotify_fd = -1;
	for (int i = 0; i < JAIL_RECORDS_N; i++) {
		if (u->fd[i] >= 0 && u->dir_fd >= 0)
			unlinkat(u->dir_fd, file_names[i], 0);
		jail_closep(&u->fd[i]);
		u->fd[i] = -1;
	}
	if (u->dir_fd >= 0)
		unlinkat(u->parent_fd, u->id, AT_REMOVEDIR);
	jail_closep(&u->dir_fd);
	jail_closep(&u->parent_fd);
	u->dir_fd = u->parent_fd = -1;
	free(u->seen);
	u->seen = NULL;
	u->n_seen = 0;
}
