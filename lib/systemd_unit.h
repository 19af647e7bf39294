/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What pam_jail tells systemd about a jail, without D-Bus: the name of the
 * jail's transient scope, the profile's limits as unit properties, and
 * where a session's process sits (from its /proc/PID/cgroup). The D-Bus
 * calls that use them are in init/keeper_systemd.c (jail-init only); this
 * part is kept apart so it is unit-tested on hosts without systemd.
 *
 * Library code: returns negative errno; never logs.
 */
#ifndef PAM_JAIL_SYSTEMD_UNIT_H
#define PAM_JAIL_SYSTEMD_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

/* The slice every jail's scope is put in: one place for all jails in
 * `systemd-cgls` and `systemctl status pam_jail.slice`, apart from the
 * users' own slices (which logind may stop while a kept jail lives on). */
#define JAIL_SYSTEMD_SLICE	  "pam_jail.slice"
#define JAIL_SYSTEMD_SCOPE_PREFIX "pam_jail-"
/* systemd's limit on unit names (UNIT_NAME_MAX), NUL included */
#define JAIL_UNIT_NAME_MAX 256
/* systemd's "no limit" for the uint64 limit properties */
#define JAIL_UNIT_INFINITY UINT64_MAX

/* "pam_jail-<key>-<id>.scope". Key and id are made by pam_jail, but a
 * character systemd would need escaped (or a path) is refused, not
 * escaped: -EINVAL, or -ENAMETOOLONG. */
int jail_systemd_scope_name(char *out, size_t size, const char *key, const char *id);

/* "user-<uid>.slice", logind's slice of a user's sessions. */
int jail_systemd_user_slice(char *out, size_t size, uid_t uid);

/* One limit as a unit property (every one of them has D-Bus type "t"). */
struct jail_unit_prop {
	const char *name;
	uint64_t value; /* JAIL_UNIT_INFINITY = no limit */
};
#define JAIL_UNIT_PROPS_MAX 4

/* The profile's cgroup limits as unit properties: MemoryMax with
 * MemorySwapMax (only when memory is limited, as the v2 mode writes
 * memory.swap.max), TasksMax, CPUQuotaPerSecUSec. A limit the profile
 * leaves unset is not in the list (so systemd's or the admin's own value
 * stays). Returns how many were filled. */
size_t jail_systemd_limit_props(const struct jail_limits *l,
				struct jail_unit_prop ret[JAIL_UNIT_PROPS_MAX]);

/* The unified-hierarchy path ("0::<path>" line) in the text of a
 * /proc/PID/cgroup file. -ENOENT without one, -EINVAL if malformed. */
int jail_systemd_cgroup_path(const char *proc_cgroup, char *out, size_t size);

/* Does cgroup `path` lie in logind's slice of `uid`, i.e. is it
 * /user.slice/user-<uid>.slice or below it (a session scope, the user's
 * user@<uid>.service)? On true, `ret_slice` (if not NULL) receives the
 * slice's own path. Anything else (another user's slice, a service, the
 * root) is false. */
bool jail_systemd_in_user_slice(const char *path, uid_t uid, char *ret_slice, size_t size);

#endif
