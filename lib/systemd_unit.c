/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names, limits and cgroup lines for the systemd way (systemd_unit.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroup.h"
#include "systemd_unit.h"

/* Characters that need no escaping in a unit name and mean nothing to
 * systemd there ("-" in a scope name is not a slice separator). */
static bool plain_name(const char *s)
{
	if (!s[0])
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '_' && *s != '-')
			return false;
	return true;
}

int jail_systemd_scope_name(char *out, size_t size, const char *key, const char *id)
{
	int n;

	if (!plain_name(key) || !plain_name(id))
		return -EINVAL;
	n = snprintf(out, size, JAIL_SYSTEMD_SCOPE_PREFIX "%s-%s.scope", key, id);
	if (n < 0 || (size_t)n >= size || (size_t)n >= JAIL_UNIT_NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int jail_systemd_user_slice(char *out, size_t size, uid_t uid)
{
	int n = snprintf(out, size, "user-%u.slice", (unsigned)uid);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

size_t jail_systemd_limit_props(const struct jail_limits *l,
				struct jail_unit_prop ret[JAIL_UNIT_PROPS_MAX])
{
	size_t n = 0;

	if (l->memory_bytes > 0) {
		ret[n++] = (struct jail_unit_prop){ "MemoryMax", l->memory_bytes };
		/* swap_bytes: 0 = no swap at all, UINT64_MAX = no limit,
		 * which is systemd's infinity as well */
		ret[n++] = (struct jail_unit_prop){ "MemorySwapMax", l->swap_bytes };
	}
	if (l->pids > 0)
		ret[n++] = (struct jail_unit_prop){ "TasksMax", l->pids };
	if (l->cpu_percent > 0)
		/* per second of wall time: 100 % = one CPU = 1 s per s */
		ret[n++] = (struct jail_unit_prop){ "CPUQuotaPerSecUSec",
						    (uint64_t)l->cpu_percent * 10000 };
	return n;
}

int jail_systemd_cgroup_path(const char *proc_cgroup, char *out, size_t size)
{
	for (const char *line = proc_cgroup; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len >= 3 && memcmp(line, "0::", 3) == 0) {
			len -= 3;
			if (len == 0 || line[3] != '/' || memchr(line + 3, '\0', len))
				return -EINVAL;
			if (len >= size)
				return -ENAMETOOLONG;
			memcpy(out, line + 3, len);
			out[len] = '\0';
			return 0;
		}
		line = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

bool jail_systemd_in_user_slice(const char *path, uid_t uid, char *ret_slice, size_t size)
{
	char slice[64];
	size_t sl;
	int n = snprintf(slice, sizeof(slice), "/user.slice/user-%u.slice", (unsigned)uid);

	if (n < 0 || (size_t)n >= sizeof(slice))
		return false;
	sl = (size_t)n;
	/* a whole component: user-1000.slice is not user-10000.slice */
	if (strncmp(path, slice, sl) != 0 || (path[sl] != '\0' && path[sl] != '/'))
		return false;
	/* below it, no ".." (the kernel never writes one; refuse anyway) */
	if (strstr(path + sl, "/..") || strstr(path + sl, "//"))
		return false;
	if (ret_slice) {
		if (sl >= size)
			return false;
		memcpy(ret_slice, slice, sl + 1);
	}
	return true;
}
