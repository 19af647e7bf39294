/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by jailctl mkroot, update and audit (roots.h). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "roots.h"
#include "safepath.h"

bool roots_need_root(const char *verb)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "jailctl %s: must run as root (the tree is root's)\n", verb);
	return false;
}

void roots_target_clear(struct roots_target *t)
{
	free(t->path);
	free(t->name);
	jail_closep(&t->parentfd);
	jail_closep(&t->treefd);
	t->path = t->name = NULL;
}

int roots_open_target(const char *verb, const char *dir, struct roots_target *t)
{
	struct jail_error err = { 0 };
	char parent[PATH_MAX];
	const char *slash;
	struct stat st;
	size_t len;

	t->parentfd = t->treefd = -1;
	t->path = t->name = NULL;
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	t->path = strndup(dir, len);
	if (!t->path)
		return -1;
	if (!jail_path_is_clean_absolute(t->path) || strcmp(t->path, "/") == 0) {
		fprintf(stderr, "jailctl %s: '%s' is not a clean absolute path below /\n", verb,
			dir);
		return -1;
	}
	slash = strrchr(t->path, '/');
	t->name = strdup(slash + 1);
	if (!t->name)
		return -1;
	snprintf(parent, sizeof(parent), "%.*s", slash == t->path ? 1 : (int)(slash - t->path),
		 t->path);
	t->parentfd = jail_safe_open(parent, O_RDONLY | O_DIRECTORY,
				     JAIL_SAFE_TRUSTED | JAIL_SAFE_DIRECTORY, 0, NULL, &err);
	if (t->parentfd < 0) {
		fprintf(stderr, "jailctl %s: %s (pam_jail would refuse a root below it)\n", verb,
			err.message);
		return -1;
	}
	if (fstatat(t->parentfd, t->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "jailctl %s: '%s': %s\n", verb, t->path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "jailctl %s: '%s' exists and is not a directory\n", verb, t->path);
		return -1;
	}
	t->treefd = openat(t->parentfd, t->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (t->treefd < 0) {
		fprintf(stderr, "jailctl %s: '%s': %s\n", verb, t->path, strerror(errno));
		return -1;
	}
	return 0;
}

void roots_print_note(void *opaque, const char *path, const char *what)
{
	(void)opaque;
	printf("  %s: %s\n", path, what);
}

static bool set_name_ok(const char *name)
{
	return *name && strlen(name) < 64 &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(name);
}

int roots_add_set(const char *sets_dir, const char *name, struct jailroot_manifest *m)
{
	struct jail_error err = { 0 };
	char path[PATH_MAX], line[PATH_MAX + 2];
	int fd, lineno = 0, r = 0;
	FILE *f;

	if (!set_name_ok(name)) {
		fprintf(stderr, "jailctl mkroot: '%s' is not a set name\n", name);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s.list", sets_dir, name);
	fd = jail_safe_open(path, O_RDONLY, JAIL_SAFE_TRUSTED | JAIL_SAFE_REGULAR, 0, NULL, &err);
	if (fd < 0) {
		fprintf(stderr, "jailctl mkroot: set '%s': %s\n", name, err.message);
		return -1;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		bool optional = false;
		struct stat st;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "jailctl mkroot: %s:%d: line too long\n", path, lineno);
			r = -1;
			break;
		}
		p += strspn(p, " \t");
		end = p + strcspn(p, "#\n");
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		if (!*p)
			continue;
		if (*p == '?') {
			optional = true;
			p++;
		}
		if (!jail_path_is_clean_absolute(p)) {
			fprintf(stderr,
				"jailctl mkroot: %s:%d: '%s' is not a clean absolute path\n", path,
				lineno, p);
			r = -1;
			break;
		}
		if (stat(p, &st) < 0) {
			if (optional) {
				printf("  %s: not on this host (optional in set '%s')\n", p, name);
				continue;
			}
			fprintf(stderr, "jailctl mkroot: set '%s' (%s:%d): '%s': %s\n", name, path,
				lineno, p, strerror(errno));
			r = -1;
			break;
		}
		if (jailroot_strv_add(&m->programs, &m->n_programs, p) < 0) {
			r = -1;
			break;
		}
	}
	fclose(f);
	if (r == 0 && jailroot_strv_add(&m->sets, &m->n_sets, name) < 0)
		r = -1;
	return r;
}
