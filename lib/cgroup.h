/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-jail cgroups: memory, swap, pids and CPU limits for all of a jail's
 * processes together (every session of the jail, and the jail's PID 1).
 *
 * Where they live: a group "pam_jail/<key>.<id>" at the root of the
 * hierarchy that carries each controller:
 *   cgroup v2 (controllers on the unified hierarchy, /sys/fs/cgroup or
 *     /sys/fs/cgroup/unified): one group; the parent pam_jail/ enables the
 *     controllers in its cgroup.subtree_control and never holds a process.
 *   cgroup v1 (hybrid hosts): one group per controller hierarchy,
 *     /sys/fs/cgroup/{memory,pids,cpu}/pam_jail/<key>.<id>.
 * The jail id in the name makes every jail's group new: a jail's group may
 * still be draining (exiting tasks) when the next jail of the same key starts.
 *
 * Who does what:
 *   keeper  jail_cgroup_create (limits written), jail_cgroup_enter around the
 *           clone of the jail's PID 1 (so PID 1 is born in the group and its
 *           CLONE_NEWCGROUP namespace is rooted there), jail_cgroup_leave,
 *           and at the end jail_cgroup_report + jail_cgroup_destroy.
 *   module  jail_cgroup_join before setns(): the session process (sshd's
 *           monitor, su) moves itself in while it still sees the host's
 *           /sys/fs/cgroup and its host cgroup namespace (see cgroup.c).
 *
 * On a host whose PID 1 is systemd (JAIL_CGROUP_SYSTEMD) the cgroup tree
 * belongs to systemd: nothing here writes into it, and moving a session's
 * process out of its logind session scope would break logind's session
 * tracking. The keeper asks systemd instead, over D-Bus
 * (init/keeper_cgroup.c, init/keeper_systemd.c, lib/systemd_unit.h):
 *   - before it clones the jail's PID 1 it puts itself into a new
 *     transient scope, pam_jail.slice/pam_jail-<key>-<id>.scope, carrying
 *     the profile's limits, so PID 1 is born there (and the jail's cgroup
 *     namespace is rooted there), and logind ending the session that
 *     made the jail does not end the jail other sessions use;
 *   - a session of the jailed user's own (its process in
 *     user.slice/user-<uid>.slice) stays in its logind scope, and the same
 *     limits are set, as runtime properties, on user-<uid>.slice: all of
 *     the user's sessions together, like one jail's group elsewhere;
 *   - any other session process (`su - user` from root's session, cron)
 *     is moved into the jail's scope, so it never limits someone else's
 *     slice and its processes get the scope's limits.
 * The scope's cgroup is kept in dir_fd[] like a v2 group (for
 * jail_cgroup_read_events), with no parent_fd: systemd removes it.
 *
 * Library code: returns negative errno and fills struct jail_error.
 */
#ifndef PAM_JAIL_CGROUP_H
#define PAM_JAIL_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "jail_proto.h"
#include "policy.h"
#include "util.h"

/* The hierarchy root everything is found under (tests may not change it:
 * the module and the keeper must agree without being told). */
#define JAIL_CGROUP_ROOT   "/sys/fs/cgroup"
#define JAIL_CGROUP_PARENT "pam_jail"
/* CPU quota period (µs): cpu_percent 100 = one full period per period. */
#define JAIL_CGROUP_CPU_PERIOD_US 100000
/* Session scopes whose counters the keeper follows (systemd mode). */
#define JAIL_CGROUP_SESSIONS_MAX 64
/* How long jail_cgroup_destroy retries an rmdir that meets exiting tasks. */
#define JAIL_CGROUP_DESTROY_MS 10000

enum jail_cgroup_mode {
	JAIL_CGROUP_NONE,    /* the profile asks for no cgroup limit */
	JAIL_CGROUP_V1,	     /* hybrid: per-controller v1 hierarchies */
	JAIL_CGROUP_V2,	     /* controllers on the unified hierarchy */
	JAIL_CGROUP_SYSTEMD, /* systemd owns the tree: the keeper asks it */
};

enum jail_cgroup_ctl {
	JAIL_CG_MEMORY,
	JAIL_CG_PIDS,
	JAIL_CG_CPU,
	JAIL_CG_NCTL,
};

/* What the limits did (read at the end of a jail, for the log). */
struct jail_cgroup_events {
	uint64_t pids_max;    /* forks refused at pids.max */
	uint64_t memory_max;  /* times usage hit the memory limit (v1: failcnt,
			       * which recent kernels no longer count: 0) */
	uint64_t oom_kill;    /* processes the OOM killer ended in the jail */
	uint64_t memory_peak; /* bytes, 0 when the kernel does not tell */
};

struct jail_cgroup {
	enum jail_cgroup_mode mode;
	char leaf[JAIL_KEY_MAX + JAIL_ID_HEX_LEN + 2]; /* "<key>.<id>" */
	/* v1: per controller (-1 = not used); v2: all point at one group
	 * (dup'ed), so the callers never care which layout it is. */
	int dir_fd[JAIL_CG_NCTL];	 /* pam_jail/<leaf> */
	int parent_fd[JAIL_CG_NCTL];	 /* pam_jail (rmdir of the leaf is from here) */
	int home_procs_fd[JAIL_CG_NCTL]; /* enter/leave: the caller's own cgroup.procs */
	bool used[JAIL_CG_NCTL];

	/* JAIL_CGROUP_SYSTEMD (the keeper's; see above) */
	char unit[256]; /* the jail's scope, pam_jail-<key>-<id>.scope */
	int slice_fd;	/* user-<uid>.slice's cgroup, once limits are set there */
	struct jail_cgroup_events slice_base; /* its counters at that time */
	/* The user's session scopes seen at JOIN, and what their pids.events
	 * said: a kernel before 6.12 counts a refused fork in the forking
	 * task's own group, the session scope, not in the slice whose limit
	 * refused it; a scope that is gone leaves its last count behind. */
	int session_fd[JAIL_CGROUP_SESSIONS_MAX];
	uint64_t session_pids_max[JAIL_CGROUP_SESSIONS_MAX];
	size_t n_session;
	uint64_t gone_sessions_pids_max;
};

#define JAIL_CGROUP_INIT                                                                           \
	{                                                                                          \
		.mode = JAIL_CGROUP_NONE, .dir_fd = { -1, -1, -1 }, .parent_fd = { -1, -1, -1 },   \
		.home_procs_fd = { -1, -1, -1 }, .slice_fd = -1,                                   \
	}

/* Does the profile ask for any cgroup limit at all? */
bool jail_cgroup_wanted(const struct jail_limits *l);

/* Which layout this host has for the controllers `l` needs. JAIL_CGROUP_NONE
 * when `l` needs none; an error when a needed controller is nowhere. */
int jail_cgroup_detect(const struct jail_limits *l, enum jail_cgroup_mode *ret,
		       struct jail_error *err);

/* Make pam_jail/<key>.<id> in the detected layout and write the limits.
 * Fails closed: a limit that cannot be written undoes the group and errs.
 * With JAIL_CGROUP_NONE / _SYSTEMD nothing is made (cg->mode says which). */
int jail_cgroup_create(struct jail_cgroup *cg, const char *key, const char *id,
		       const struct jail_limits *l, struct jail_error *err);

/* Move the calling process into the group, remembering where it was, and
 * back (jail_cgroup_leave). For the keeper, around the clone of PID 1. */
int jail_cgroup_enter(struct jail_cgroup *cg, struct jail_error *err);
int jail_cgroup_leave(struct jail_cgroup *cg, struct jail_error *err);

/* Module side: move the calling process into jail <key>.<id>'s group(s)
 * if the jail has any (its keeper made them before PID 1 ran; a group
 * holding PID 1 cannot be removed, so "none found" means "no limits":
 * cg->mode stays JAIL_CGROUP_NONE). Must run before
 * setns(CLONE_NEWNS|CLONE_NEWCGROUP). `cg` (JAIL_CGROUP_INIT) also keeps
 * where the caller was, so jail_cgroup_leave can undo the move when
 * entering the jail fails; jail_cgroup_close it either way (no host fd
 * may stay open in a jailed process). */
int jail_cgroup_join(struct jail_cgroup *cg, const char *key, const char *id,
		     struct jail_error *err);

/* v2 and SYSTEMD: the one group's counters. */
int jail_cgroup_read_events(const struct jail_cgroup *cg, struct jail_cgroup_events *ev,
			    struct jail_error *err);
/* The counters of any v2 group, by its directory fd. */
int jail_cgroup_read_events_at(int dirfd, struct jail_cgroup_events *ev, struct jail_error *err);
/* One "key value" line of a cgroup file: -errno when the file cannot be
 * read (the group is gone), 0 with *ret = 0 when the key is absent. */
int jail_cgroup_read_key(int dirfd, const char *file, const char *key, uint64_t *ret);

/* Is PID 1 systemd (its own test, sd_booted(): /run/systemd/system)? */
bool jail_cgroup_systemd_booted(void);

/* The unified-hierarchy cgroup path of process `pid` (0: the caller), as
 * its /proc/PID/cgroup says it (relative to the caller's cgroup namespace). */
int jail_cgroup_path_of(pid_t pid, char *out, size_t size, struct jail_error *err);

/* Open the v2 group at `path` ("/user.slice/user-1000.slice"), one
 * component at a time, never following a symlink. */
int jail_cgroup_open_v2_path(const char *path, struct jail_error *err);

/* rmdir the group(s), retrying while tasks are still exiting (EBUSY), for
 * at most timeout_ms. Closes every fd of `cg`. Safe on an unused cg. */
int jail_cgroup_destroy(struct jail_cgroup *cg, int timeout_ms, struct jail_error *err);

/* Close fds without removing anything (a forked child, error paths). */
void jail_cgroup_close(struct jail_cgroup *cg);

#endif
