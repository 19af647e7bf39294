/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The jail root manifest: the recipe and, per entry, where it came from.
 *
 * One record a line, fields separated by tabs (names holding a tab or a
 * newline are refused when added, so no quoting is needed):
 *   pam_jail-root 1                      first line, the format version
 *   program<TAB>PATH / set<TAB>NAME / user<TAB>NAME / group<TAB>NAME / dir<TAB>PATH /
 *   debootstrap<TAB>SUITE
 *   F<TAB>PATH<TAB>MODE<TAB>SHA256<TAB>SOURCE   a file copied from the host
 *   L<TAB>PATH<TAB>TARGET                       a symlink
 *   G<TAB>PATH<TAB>MODE<TAB>SHA256              a file mkroot wrote
 *   end                                         last line: the manifest is whole
 * Written to a temp file, fsync'ed and renamed, so a reader sees the old
 * manifest or the new one, never half of one.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "jailroot.h"

#define MANIFEST_HEADER	   "pam_jail-root 1"
#define MANIFEST_MAX_BYTES (256u << 20)

static bool field_ok(const char *s)
{
	return s && !strpbrk(s, "\t\n");
}

int jailroot_strv_add(char ***v, size_t *n, const char *s)
{
	char **grown;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return 0;
	grown = realloc(*v, (*n + 2) * sizeof(char *));
	if (!grown)
		return -ENOMEM;
	*v = grown;
	grown[*n] = strdup(s);
	if (!grown[*n])
		return -ENOMEM;
	(*n)++;
	grown[*n] = NULL;
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void entry_free(struct jailroot_entry *e)
{
	free(e->path);
	free(e->source);
	free(e->target);
}

void jailroot_manifest_clear(struct jailroot_manifest *m)
{
	if (!m)
		return;
	strv_free(m->programs, m->n_programs);
	strv_free(m->sets, m->n_sets);
	strv_free(m->users, m->n_users);
	strv_free(m->dirs, m->n_dirs);
	strv_free(m->groups, m->n_groups);
	free(m->debootstrap);
	for (size_t i = 0; i < m->n; i++)
		entry_free(&m->entries[i]);
	free(m->entries);
	memset(m, 0, sizeof(*m));
}

struct jailroot_entry *jailroot_manifest_find(const struct jailroot_manifest *m, const char *path)
{
	/* Linear: a manifest of a few thousand entries is searched a few
	 * thousand times at most, once per file. */
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->entries[i].path, path) == 0)
			return &m->entries[i];
	return NULL;
}

int jailroot_manifest_put(struct jailroot_manifest *m, char kind, const char *path,
			  const char *source, const char *target, const char *sha256, mode_t mode)
{
	struct jailroot_entry e = { .kind = kind, .mode = mode }, *old;

	if (!field_ok(path) || path[0] != '/' || (source && !field_ok(source)) ||
	    (target && !field_ok(target)))
		return -EINVAL;
	e.path = strdup(path);
	e.source = source ? strdup(source) : NULL;
	e.target = target ? strdup(target) : NULL;
	if (!e.path || (source && !e.source) || (target && !e.target)) {
		entry_free(&e);
		return -ENOMEM;
	}
	if (sha256)
		snprintf(e.sha256, sizeof(e.sha256), "%s", sha256);
	old = jailroot_manifest_find(m, path);
	if (old) {
		entry_free(old);
		*old = e;
		return 0;
	}
	if (m->n >= JAILROOT_MAX_ENTRIES) {
		entry_free(&e);
		return -E2BIG;
	}
	if (m->n == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 256;
		struct jailroot_entry *grown = realloc(m->entries, ncap * sizeof(*grown));
		if (!grown) {
			entry_free(&e);
			return -ENOMEM;
		}
		m->entries = grown;
		m->cap = ncap;
	}
	m->entries[m->n++] = e;
	return 0;
}

/* Split `line` at tabs into at most `max` fields; returns the count. */
static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return line ? max + 1 : n;
}

static bool is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static int parse_line(struct jailroot_manifest *m, char *line)
{
	char *f[6];
	size_t n = split_tabs(line, f, 5);
	char *end;
	unsigned long mode;

	if (n == 2 && strcmp(f[0], "program") == 0)
		return jailroot_strv_add(&m->programs, &m->n_programs, f[1]);
	if (n == 2 && strcmp(f[0], "set") == 0)
		return jailroot_strv_add(&m->sets, &m->n_sets, f[1]);
	if (n == 2 && strcmp(f[0], "user") == 0)
		return jailroot_strv_add(&m->users, &m->n_users, f[1]);
	if (n == 2 && strcmp(f[0], "group") == 0)
		return jailroot_strv_add(&m->groups, &m->n_groups, f[1]);
	if (n == 2 && strcmp(f[0], "dir") == 0 && f[1][0] == '/')
		return jailroot_strv_add(&m->dirs, &m->n_dirs, f[1]);
	if (n == 2 && strcmp(f[0], "debootstrap") == 0 && !m->debootstrap) {
		m->debootstrap = strdup(f[1]);
		return m->debootstrap ? 0 : -ENOMEM;
	}
	if (n == 3 && strcmp(f[0], "L") == 0 && f[1][0] == '/' && f[2][0])
		return jailroot_manifest_put(m, JAILROOT_LINK, f[1], NULL, f[2], NULL, 0);
	if ((n == 5 && strcmp(f[0], "F") == 0) || (n == 4 && strcmp(f[0], "G") == 0)) {
		errno = 0;
		mode = strtoul(f[2], &end, 8);
		if (errno || *end || mode > 07777 || f[1][0] != '/' || !is_hex64(f[3]) ||
		    (n == 5 && f[4][0] != '/'))
			return -EBADMSG;
		return jailroot_manifest_put(m, f[0][0], f[1], n == 5 ? f[4] : NULL, NULL, f[3],
					     (mode_t)mode);
	}
	return -EBADMSG;
}

int jailroot_manifest_read(int treefd, struct jailroot_manifest *ret, struct jail_error *err)
{
	struct jailroot_manifest m = { 0 };
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t done = 0;
	char *line, *next;
	int lineno = 0, r;
	bool ended = false;

	fd = openat(treefd, JAILROOT_MANIFEST, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		return jail_error_set(err, errno, "manifest: %s", strerror(errno));
	}
	if (fstat(fd, &st) < 0)
		return jail_error_set(err, errno, "manifest: %s", strerror(errno));
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > MANIFEST_MAX_BYTES)
		return jail_error_set(err, EBADMSG, "manifest: not a regular file of sane size");
	/* Only root may have written what decides what `update` copies. */
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return jail_error_set(err, EPERM,
				      "manifest: not owned by root or writable by others");
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return jail_error_set(err, ENOMEM, "out of memory");
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return jail_error_set(err, errno, "manifest: %s", strerror(errno));
		if (n == 0)
			break;
		done += (size_t)n;
	}
	buf[done] = '\0';
	if (strlen(buf) != done)
		return jail_error_set(err, EBADMSG, "manifest: holds a NUL byte");

	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (!next) {
			r = -EBADMSG; /* the last line was cut short */
			goto bad;
		}
		*next++ = '\0';
		lineno++;
		if (ended) {
			r = -EBADMSG;
			goto bad;
		}
		if (lineno == 1) {
			if (strcmp(line, MANIFEST_HEADER) != 0) {
				r = -EBADMSG;
				goto bad;
			}
			continue;
		}
		if (strcmp(line, "end") == 0) {
			ended = true;
			continue;
		}
		r = parse_line(&m, line);
		if (r < 0)
			goto bad;
	}
	if (!ended) {
		jailroot_manifest_clear(&m);
		return jail_error_set(err, EBADMSG, "manifest: incomplete (no \"end\" line)");
	}
	*ret = m;
	return 0;
bad:
	jailroot_manifest_clear(&m);
	return jail_error_set(err, -r, "manifest line %d: %s", lineno,
			      r == -EBADMSG ? "malformed" : strerror(-r));
}

int jailroot_manifest_write(int treefd, const struct jailroot_manifest *m, struct jail_error *err)
{
	_cleanup_close_ int meta = -1, fd = -1;
	FILE *f;
	char tmp[64];
	int r = 0;

	if (mkdirat(treefd, JAILROOT_META_DIR, 0700) < 0 && errno != EEXIST)
		return jail_error_set(err, errno, "manifest dir: %s", strerror(errno));
	meta = openat(treefd, JAILROOT_META_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (meta < 0)
		return jail_error_set(err, errno, "manifest dir: %s", strerror(errno));
	/* Not for the jail's users: it names host paths and hashes. */
	if (fchown(meta, 0, 0) < 0 || fchmod(meta, 0700) < 0)
		return jail_error_set(err, errno, "manifest dir: %s", strerror(errno));
	snprintf(tmp, sizeof(tmp), ".manifest.%d", (int)getpid());
	fd = openat(meta, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return jail_error_set(err, errno, "manifest: %s", strerror(errno));
	f = fdopen(fd, "w");
	if (!f)
		return jail_error_set(err, errno, "manifest: %s", strerror(errno));
	fd = -1; /* the FILE owns it now */
	fprintf(f, "%s\n", MANIFEST_HEADER);
	if (m->debootstrap)
		fprintf(f, "debootstrap\t%s\n", m->debootstrap);
	for (size_t i = 0; i < m->n_sets; i++)
		fprintf(f, "set\t%s\n", m->sets[i]);
	for (size_t i = 0; i < m->n_programs; i++)
		fprintf(f, "program\t%s\n", m->programs[i]);
	for (size_t i = 0; i < m->n_users; i++)
		fprintf(f, "user\t%s\n", m->users[i]);
	for (size_t i = 0; i < m->n_dirs; i++)
		fprintf(f, "dir\t%s\n", m->dirs[i]);
	for (size_t i = 0; i < m->n_groups; i++)
		fprintf(f, "group\t%s\n", m->groups[i]);
	for (size_t i = 0; i < m->n; i++) {
		const struct jailroot_entry *e = &m->entries[i];
		if (e->kind == JAILROOT_LINK)
			fprintf(f, "L\t%s\t%s\n", e->path, e->target);
		else if (e->kind == JAILROOT_FILE)
			fprintf(f, "F\t%s\t%04o\t%s\t%s\n", e->path, (unsigned)e->mode, e->sha256,
				e->source);
		else
			fprintf(f, "G\t%s\t%04o\t%s\n", e->path, (unsigned)e->mode, e->sha256);
	}
	fputs("end\n", f);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0)
		r = -errno;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(meta, tmp, meta, "manifest") < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(meta, tmp, 0);
		return jail_error_set(err, -r, "writing the manifest: %s", strerror(-r));
	}
	if (fsync(meta) < 0)
		return jail_error_set(err, errno, "manifest dir: fsync: %s", strerror(errno));
	return 0;
}
