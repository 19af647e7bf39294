/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A live jail's cgroup, for `jailctl metrics` (metrics.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "metrics.h"
#include "proc_text.h"

/* v1 reports "no limit" as the largest page-aligned counter value. */
#define V1_UNLIMITED (UINT64_C(1) << 62)

/* The first word of a one-value cgroup file ("max": no limit). */
static int read_value(int dirfd, const char *file, uint64_t *ret)
{
	char buf[64], *end;
	ssize_t n;
	int fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	if (strncmp(buf, "max", 3) == 0) {
		*ret = JAILCTL_NO_LIMIT;
		return 0;
	}
	errno = 0;
	*ret = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end != '\n' && *end != '\0'))
		return -EINVAL;
	return 0;
}

/* Is `path` ("/pam_jail/u1000.<id>") a clean absolute cgroup path whose
 * last component names the jail `id`? */
static bool is_jail_group(const char *path, const char *id)
{
	const char *last = strrchr(path, '/');

	if (path[0] != '/' || strstr(path, "/../") || strstr(path, "//") ||
	    strcmp(last, "/..") == 0 || strcmp(last, "/.") == 0)
		return false;
	return id[0] && strstr(last, id) != NULL;
}

/* Open <root>/<path> as a directory. */
static int open_group(const char *root, const char *path)
{
	int rootfd, fd;

	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	fd = openat(rootfd, path + 1, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	close(rootfd);
	return fd;
}

static bool has_controller(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

static bool same_process(const struct jail_info *info)
{
	uint64_t start;

	return jail_proc_start_time(info->init_pid, &start) == 0 && start == info->init_start;
}

int jailctl_jail_cgroup_usage(const struct jail_info *info, struct jailctl_cg_usage *ret)
{
	struct jail_cgroup cg = JAIL_CGROUP_INIT;
	char path[64], line[4096];
	struct statfs sfs;
	const char *v2root;
	int v2 = -1;
	FILE *f;

	memset(ret, 0, sizeof(*ret));
	if (!same_process(info))
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)info->init_pid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	/* The unified hierarchy is /sys/fs/cgroup itself on a v2 host, its
	 * "unified" subdir on a hybrid one (cgroup.h). */
	v2root = statfs(JAIL_CGROUP_ROOT, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC
			 ? JAIL_CGROUP_ROOT
			 : JAIL_CGROUP_ROOT "/unified";
	while (fgets(line, sizeof(line), f)) {
		char *ctrls, *grp, *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		ctrls = strchr(line, ':');
		grp = ctrls ? strchr(ctrls + 1, ':') : NULL;
		if (!grp)
			continue;
		*ctrls++ = '\0';
		*grp++ = '\0';
		if (!is_jail_group(grp, info->id))
			continue;
		if (strcmp(line, "0") == 0 && !*ctrls) {
			if (v2 < 0)
				v2 = open_group(v2root, grp);
		} else if (has_controller(ctrls, "memory") && cg.dir_fd[JAIL_CG_MEMORY] < 0) {
			cg.dir_fd[JAIL_CG_MEMORY] = open_group(JAIL_CGROUP_ROOT "/memory", grp);
		} else if (has_controller(ctrls, "pids") && cg.dir_fd[JAIL_CG_PIDS] < 0) {
			cg.dir_fd[JAIL_CG_PIDS] = open_group(JAIL_CGROUP_ROOT "/pids", grp);
		}
	}
	fclose(f);
	/* What was read belongs to the recorded process only if it still is. */
	if (!same_process(info)) {
		if (v2 >= 0)
			close(v2);
		jail_cgroup_close(&cg);
		return -ESRCH;
	}

	/* A v2 group that carries the controllers wins (a hybrid host's
	 * unified group has none of them). */
	if (v2 >= 0 && read_value(v2, "memory.current", &ret->memory_bytes) == 0) {
		ret->memory = read_value(v2, "memory.max", &ret->memory_limit) == 0;
		ret->pids = read_value(v2, "pids.current", &ret->pids_current) == 0 &&
			    read_value(v2, "pids.max", &ret->pids_limit) == 0;
		jail_cgroup_read_events_at(v2, &ret->ev, NULL);
		close(v2);
		jail_cgroup_close(&cg);
		return 0;
	}
	if (v2 >= 0)
		close(v2);
	for (int c = 0; c < JAIL_CG_NCTL; c++)
		if (cg.dir_fd[c] < 0)
			cg.dir_fd[c] = -1; /* not there, or an open that failed */
	if (cg.dir_fd[JAIL_CG_MEMORY] < 0 && cg.dir_fd[JAIL_CG_PIDS] < 0)
		return 0; /* no group of the jail's own: a profile without limits */
	cg.mode = JAIL_CGROUP_V1;
	if (cg.dir_fd[JAIL_CG_MEMORY] >= 0 &&
	    read_value(cg.dir_fd[JAIL_CG_MEMORY], "memory.usage_in_bytes", &ret->memory_bytes) ==
		    0 &&
	    read_value(cg.dir_fd[JAIL_CG_MEMORY], "memory.limit_in_bytes", &ret->memory_limit) ==
		    0) {
		ret->memory = true;
		if (ret->memory_limit >= V1_UNLIMITED)
			ret->memory_limit = JAILCTL_NO_LIMIT;
	}
	if (cg.dir_fd[JAIL_CG_PIDS] >= 0)
		ret->pids = read_value(cg.dir_fd[JAIL_CG_PIDS], "pids.current",
				       &ret->pids_current) == 0 &&
			    read_value(cg.dir_fd[JAIL_CG_PIDS], "pids.max", &ret->pids_limit) == 0;
	jail_cgroup_read_events(&cg, &ret->ev, NULL);
	jail_cgroup_close(&cg);
	return 0;
}
