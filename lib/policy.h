/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy: what a jail looks like (a profile) and who gets which (rules).
 *
 * This header is the contract between the policy loader (config files ->
 * struct jail_config), the resolver (user -> struct jail_policy), the module
 * and jail-init (struct jail_policy -> a jail), jailsh and jailctl.
 * docs/jail.conf.5 documents every field; keep the two in step.
 *
 * Everything here is PAM-free and never logs.
 */
#ifndef PAM_JAIL_POLICY_H
#define PAM_JAIL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "util.h"

#define JAIL_CONFIG_PATH     "/etc/security/jail.conf"
#define JAIL_CONFIG_DIR	     "/etc/security/jail.d"
#define JAIL_CONFIG_MAX_SIZE (1024 * 1024) /* a bigger policy file is refused */

/* Namespaces a profile can ask for (bit set). */
enum jail_ns {
	JAIL_NS_MOUNT = 1u << 0,
	JAIL_NS_PID = 1u << 1,
	JAIL_NS_NET = 1u << 2,
	JAIL_NS_IPC = 1u << 3,
	JAIL_NS_UTS = 1u << 4,
	JAIL_NS_USER = 1u << 5,
	JAIL_NS_CGROUP = 1u << 6,
	JAIL_NS_TIME = 1u << 7,
};
#define JAIL_NS_ALL 0xffu

/* "mount" <-> JAIL_NS_MOUNT, ...; NULL / 0 when unknown. */
const char *jail_ns_name(unsigned ns_bit);
unsigned jail_ns_from_name(const char *name);

enum jail_root_kind {
	JAIL_ROOT_HOST = 0, /* the host's / bound read-only, `hide` paths covered */
	JAIL_ROOT_TREE,	    /* a prepared tree (root.path), bound read-only */
};

enum jail_net_mode {
	JAIL_NET_LOOPBACK = 0, /* own namespace with only lo, up */
	JAIL_NET_HOST,	       /* no network namespace */
	JAIL_NET_BRIDGE,       /* veth pair on a host bridge (issue: network modes) */
};

enum jail_home_mode {
	JAIL_HOME_TMPFS = 0, /* fresh tmpfs, seeded by jailsh from the skeleton */
	JAIL_HOME_BIND,	     /* the user's real home, bound read-write */
};

enum jail_lifetime {
	JAIL_LIFETIME_SHARED = 0, /* one per user, ends with its last session */
	JAIL_LIFETIME_KEEP,	  /* one per user, kept after logout until idle_timeout */
	JAIL_LIFETIME_SESSION,	  /* a fresh jail for every session */
};

enum jail_unmatched {
	JAIL_UNMATCHED_ALLOW = 0, /* a user no rule names is not jailed (PAM_IGNORE) */
	JAIL_UNMATCHED_DENY,	  /* ... or refused (PAM_SESSION_ERR) */
};

/* Where a value came from: a file and line, or the built-in default
 * (file == NULL). Used by `jailctl explain`. */
struct jail_origin {
	const char *file; /* points into the owning jail_config / jail_policy */
	int line;
};

struct jail_bind {
	char *source; /* absolute host path */
	char *target; /* absolute path inside the jail */
	bool writable;
	bool optional; /* a missing source is skipped instead of refusing the login */
};

struct jail_limits {
	uint64_t memory_bytes; /* 0 = no limit */
	uint64_t swap_bytes;   /* 0 = no swap; UINT64_MAX = no limit */
	uint64_t pids;	       /* 0 = no limit */
	uint32_t cpu_percent;  /* 100 = one full core; 0 = no limit */
	uint64_t nofile;       /* RLIMIT_NOFILE; 0 = leave as is */
	uint64_t nproc;	       /* RLIMIT_NPROC;  0 = leave as is */
	uint64_t core_bytes;   /* RLIMIT_CORE;   UINT64_MAX = leave as is */
	uint64_t fsize_bytes;  /* RLIMIT_FSIZE;  0 = leave as is */
};

struct jail_network {
	enum jail_net_mode mode;
	char *bridge;	/* bridge: host bridge name */
	char *pool4;	/* bridge: IPv4 CIDR the jail addresses come from */
	char *gateway4; /* bridge: the bridge's own address (default: first of pool) */
	char *pool6;	/* bridge: optional IPv6 CIDR */
	char **dns;	/* bridge: NULL-terminated list, written to /etc/resolv.conf */
	bool isolate;	/* bridge: jails on the bridge cannot reach each other */
};

/* The jail's /dev/log, served by the keeper and forwarded to the host's. */
struct jail_syslog {
	bool forward;  /* false: the jail has no /dev/log */
	uint32_t rate; /* lines a second per kind of sender (10 s worth at once); 0: no limit */
};

/*
 * A resolved profile: everything needed to build one jail for one user.
 * Strings are owned (free with jail_policy_free); `%u`/`%g`/`%h` are already
 * expanded for the user in the resolved copy.
 *
 * As jail_config_resolve() fills it: an empty list is NULL (never an empty
 * vector); every path is clean, absolute (persist: relative to the home)
 * and free of ':'; `hide` is NULL for JAIL_ROOT_TREE; bridge-only network
 * fields are NULL unless net.mode is JAIL_NET_BRIDGE; idle_timeout_sec is
 * 0 unless lifetime is JAIL_LIFETIME_KEEP; capabilities are libcap names.
 */
struct jail_policy {
	/* Who and why. */
	char *user; /* login name */
	uid_t uid;
	gid_t gid;
	char *home;	    /* the user's home path from NSS */
	char *profile;	    /* the profile name */
	char *matched_rule; /* human description: "jail.d/10-students.conf:4: group students" */

	/* The jail. */
	unsigned namespaces; /* enum jail_ns bits */
	char *hostname;	     /* NULL: keep the host's (only meaningful with uts) */

	enum jail_root_kind root_kind;
	char *root_path; /* JAIL_ROOT_TREE: the prepared tree */
	char **hide;	 /* NULL-terminated paths covered by an empty read-only tmpfs */

	struct jail_network net;

	enum jail_home_mode home_mode;
	uint64_t home_size_bytes; /* tmpfs home size */
	char *skeleton;		  /* tmpfs home: seeded from this dir (path inside the jail) */
	char **persist;		  /* tmpfs home: subdirectories of the real home bound in */

	uint64_t tmp_size_bytes; /* /tmp (and /dev/shm) size */
	uint64_t run_size_bytes; /* /run size */

	struct jail_bind *binds; /* extra bind mounts */
	size_t n_binds;

	bool x11; /* pass the local X display / allow ssh -X */

	struct jail_syslog syslog; /* the jail's /dev/log (init/keeper_syslog.h) */

	struct jail_limits limits;

	char **capabilities; /* NULL-terminated: capabilities the profile keeps (dangerous) */
	bool no_new_privs;
	bool seccomp;
	char **seccomp_deny; /* NULL-terminated: syscalls added to the built-in deny list */
	char **seccomp_allow_families; /* NULL-terminated: socket families on top of the default */

	char *shell; /* what jailsh execs */
	char *path;  /* PATH inside the jail */

	enum jail_lifetime lifetime;
	uint32_t idle_timeout_sec; /* JAIL_LIFETIME_KEEP: end after this long with no session */
	uint32_t max_jails;	   /* live jails of the user at a time; 0 = unlimited */

	bool nss_sockets; /* the host's name-service daemon sockets are reachable inside */
};

void jail_policy_free(struct jail_policy *p);

/* Free a NULL-terminated string vector (NULL is fine). */
void jail_strv_free(char **v);

/* A deep copy of a NULL-terminated string vector into *ret (NULL for NULL,
 * an empty vector for an empty one); 0 or -ENOMEM, with nothing allocated. */
int jail_strv_copy(const char *const *src, char ***ret);

/* ------------------------------------------------------------------------ */
/* Loading: files -> struct jail_config                                       */

struct jail_config; /* opaque: all profiles and rules of all files */

/*
 * Load `main_path` (normally JAIL_CONFIG_PATH) and then every `*.conf` in
 * `dropin_dir` (normally JAIL_CONFIG_DIR; may be NULL or absent) in name order.
 *
 * Every file is opened by fd (O_NOFOLLOW, O_CLOEXEC) and must be a regular
 * file owned by root and not writable by group or others; so must every
 * directory on its path. `trusted_uid` is the owner required (0 in
 * production; tests running without root pass their own uid).
 *
 * On failure, returns a negative errno and fills `errs` with every problem
 * found (file, line, message) so `jailctl check` can list them all;
 * *ret_errs_n is the count. The caller frees *ret_errs with free().
 */
int jail_config_load(const char *main_path, const char *dropin_dir, uid_t trusted_uid,
		     struct jail_config **ret, struct jail_error **ret_errs, size_t *ret_errs_n);

/*
 * `jailctl check` on a file wherever it is (a draft in /tmp, a file of a
 * configuration management checkout): the same loader, but a file or drop-in
 * directory that pam_jail would refuse for where it is (not root-owned, or
 * writable by group or others, itself or a directory above it) is read all
 * the same, and each such refusal is returned apart, in *ret_refusals (file
 * and reason; the caller frees it), so the content's problems are not hidden
 * behind it. The return value and *ret, *ret_errs are those of
 * jail_config_load() for the content alone. Never for deciding a login.
 */
int jail_config_check_draft(const char *main_path, const char *dropin_dir, uid_t trusted_uid,
			    struct jail_config **ret, struct jail_error **ret_errs,
			    size_t *ret_errs_n, struct jail_error **ret_refusals,
			    size_t *ret_refusals_n);

void jail_config_free(struct jail_config *c);

/* How much a loaded policy holds (for `jailctl check`'s summary). */
void jail_config_counts(const struct jail_config *c, size_t *ret_files, size_t *ret_profiles,
			size_t *ret_rules);

/*
 * For tests and fuzzing only: the same loader on one in-memory file named
 * `name` (used in messages), with no file opened and no ownership check.
 * Production code must use jail_config_load().
 */
int jail_config_load_buffer(const char *name, const char *buf, size_t len, struct jail_config **ret,
			    struct jail_error **ret_errs, size_t *ret_errs_n);

/* The same with several in-memory files read in order, as the main file
 * and its drop-ins would be (tests and fuzzing only). */
int jail_config_load_buffers(size_t n, const char *const *names, const char *const *bufs,
			     const size_t *lens, struct jail_config **ret,
			     struct jail_error **ret_errs, size_t *ret_errs_n);

/* ------------------------------------------------------------------------ */
/* Resolving: (config, user) -> struct jail_policy                            */

enum jail_verdict {
	JAIL_VERDICT_JAIL = 0, /* jail the user: *ret_policy is set */
	JAIL_VERDICT_NONE,     /* no rule (or an exempt rule) names the user: not jailed */
	JAIL_VERDICT_REFUSE,   /* no rule names the user and unmatched = "deny" */
};

/*
 * Decide what happens to `user`. Looks the user and all their groups
 * (supplementary too) up through NSS, once. A lookup failure (the directory
 * is down) is an error, never JAIL_VERDICT_NONE.
 */
int jail_config_resolve(const struct jail_config *c, const char *user,
			enum jail_verdict *ret_verdict, struct jail_policy **ret_policy,
			struct jail_error *err);

/*
 * The same, with every field's origin and the losing rules, for
 * `jailctl explain`: writes a human-readable report to `out`.
 */
int jail_config_explain(const struct jail_config *c, const char *user, FILE *out,
			struct jail_error *err);

/* ------------------------------------------------------------------------ */
/* Values                                                                     */

/* "256M", "1G", "512k", "1024" (bytes) -> bytes. Suffixes K M G T (powers of
 * 1024), case-insensitive, optional trailing 'B' / "iB". Rejects negatives,
 * overflow, empty and junk. */
int jail_parse_size(const char *s, uint64_t *ret_bytes);

/* "30s", "10m", "2h", "1d", "45" (seconds) -> seconds. */
int jail_parse_duration(const char *s, uint32_t *ret_seconds);

#endif
