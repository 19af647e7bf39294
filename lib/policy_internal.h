/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the policy loader, resolver and explainer share, and nobody else
 * needs: the table of profile keys and the in-memory form of a loaded
 * policy (struct jail_config, opaque in policy.h).
 */
#ifndef PAM_JAIL_POLICY_INTERNAL_H
#define PAM_JAIL_POLICY_INTERNAL_H

#include "policy.h"

/* Every key a profile can set. The order is the order `jailctl explain`
 * prints them in, and matches docs/jail.conf.5. */
enum pfield {
	PF_ROOT_TYPE,
	PF_ROOT_PATH,
	PF_ROOT_HIDE,
	PF_NAMESPACES,
	PF_HOSTNAME,
	PF_NET_MODE,
	PF_NET_BRIDGE,
	PF_NET_POOL4,
	PF_NET_GATEWAY4,
	PF_NET_POOL6,
	PF_NET_DNS,
	PF_NET_ISOLATE,
	PF_HOME_MODE,
	PF_HOME_SIZE,
	PF_HOME_SKELETON,
	PF_HOME_PERSIST,
	PF_TMP_SIZE,
	PF_RUN_SIZE,
	PF_BINDS,
	PF_X11,
	PF_SYSLOG_FORWARD,
	PF_SYSLOG_RATE,
	PF_LIM_MEMORY,
	PF_LIM_SWAP,
	PF_LIM_PIDS,
	PF_LIM_CPU,
	PF_LIM_NOFILE,
	PF_LIM_NPROC,
	PF_LIM_CORE,
	PF_LIM_FSIZE,
	PF_CAPS,
	PF_NNP,
	PF_SECCOMP,
	PF_SECCOMP_DENY,
	PF_SECCOMP_FAMILIES,
	PF_SHELL,
	PF_PATH,
	PF_LIFETIME,
	PF_IDLE,
	PF_MAX_JAILS,
	PF_NSS_SOCKETS,
	PF_COUNT
};

/* How a value is parsed and checked. */
enum pkind {
	PK_BOOL,
	PK_ENUM,       /* a string from pfield_desc.names */
	PK_PATH,       /* clean absolute path, no ':' */
	PK_PATHV,      /* list of PK_PATH */
	PK_RELPATHV,   /* list of clean relative paths (home.persist) */
	PK_HOSTNAME,   /* hostname template, "" = keep the host's */
	PK_SEARCHPATH, /* ':'-separated absolute directories (PATH) */
	PK_NSLIST,     /* list of namespace names -> bit set */
	PK_SIZE,       /* "256M" or an integer (bytes), > 0 */
	PK_DURATION,   /* "10m" or an integer (seconds), > 0 */
	PK_LIMIT,      /* size or count, or the keyword in pfield_desc.keyword */
	PK_IFNAME,     /* network interface name */
	PK_CIDR4,
	PK_CIDR6,
	PK_IP4,
	PK_IPLIST,   /* list of IPv4/IPv6 addresses */
	PK_CAPS,     /* list of capability names (libcap) */
	PK_SYSCALLS, /* list of system call names */
	PK_FAMILIES, /* list of socket address family names (seccomp_socket.h) */
	PK_BINDS,    /* list of bind groups */
};

/* How a value is stored in struct jail_policy (for copying and printing). */
enum pstore { PS_BOOL, PS_ENUM, PS_U32, PS_U64, PS_NSMASK, PS_STR, PS_STRV, PS_BINDS };

/* %-expansion allowed in a string field (resolved per user). */
enum pexpand { PX_NONE = 0, PX_USER_GROUP = 1, PX_ALL = 2 /* %u %g %h */ };

/* A key that means something only while another key (a group's mode) has
 * one value: `jailctl explain` leaves it out otherwise, and writing it
 * otherwise is an error (jail_policy_validate). */
struct pfield_needs {
	bool on;
	enum pfield key;
	int value;
};

/*
 * One key of a profile: the single schema every part walks. Its dotted name
 * ("home.size") is how an administrator writes it, how explain prints it and
 * its key on the wire (policy_codec.c); `offset` and `store` say where and
 * how it is kept, `kind` what a value may be (parser, jail_policy_validate),
 * `def_*` its built-in default (jail_policy_set_defaults).
 */
struct pfield_desc {
	const char *group; /* NULL: a key directly in the profile */
	const char *key;
	enum pkind kind;
	enum pstore store;
	size_t offset; /* into struct jail_policy */
	enum pexpand expand;
	const char *const *names;    /* PK_ENUM: index = enum value, NULL-terminated */
	bool is_size;		     /* PK_LIMIT: a size ("1G") rather than a count */
	const char *keyword;	     /* PK_LIMIT: "unlimited" / "inherit" */
	uint64_t keyword_value;	     /* ... stored as this */
	bool zero_ok;		     /* PK_LIMIT: 0 is a meaningful value */
	uint64_t max;		     /* PK_LIMIT counts: largest accepted value */
	uint64_t def_num;	     /* the default of a number, boolean, enum or bit set */
	const char *def_str;	     /* ... of a string (NULL: not set) */
	const char *const *def_strv; /* ... of a list (NULL: empty) */
	struct pfield_needs needs;   /* meaningful only with another key's value */
	bool zero_unless_needed;     /* not written and `needs` unmet: 0 / NULL, not def_* */
	const char *mode_label;	     /* a group's mode: how messages name it ("network mode") */
	const char *hint;	     /* added to the "only valid with" message */
};

/* Is key `f` meaningful in `p` (its `needs` met)? */
bool jail_pfield_needed(const struct jail_policy *p, enum pfield f);

/* A number field (bool, enum, u32, namespace mask, u64) as a uint64_t, and
 * stored back as wide as its storage. A negative enum reads UINT64_MAX. */
uint64_t jail_pfield_get_number(const struct jail_policy *p, enum pfield f);
void jail_pfield_set_number(struct jail_policy *p, enum pfield f, uint64_t v);

extern const struct pfield_desc jail_pfields[PF_COUNT];

/* "home.size", "x11": the key as an administrator writes it. */
const char *jail_pfield_name(enum pfield f, char *buf, size_t len);

/* One profile as written, and as it comes out after `extends` and the
 * built-in defaults. An origin with line 0 is "not set here" in `set_origin`
 * and "built-in default" (file NULL) in `eff_origin`. */
struct jail_profile {
	char *name;
	struct jail_origin origin;
	char *extends;
	struct jail_origin extends_origin;
	struct jail_policy *set;
	struct jail_origin set_origin[PF_COUNT];
	struct jail_policy *eff; /* NULL unless the profile is valid */
	struct jail_origin eff_origin[PF_COUNT];
	size_t parent; /* index, or SIZE_MAX */
	bool bad;      /* had errors: no effective values, rules to it fail */
};

enum jail_rule_kind { JAIL_RULE_USER, JAIL_RULE_GROUP, JAIL_RULE_UID };

struct jail_rule {
	enum jail_rule_kind kind;
	char *name; /* user or group */
	uid_t uid_lo, uid_hi;
	bool exempt;
	char *profile;
	size_t profile_idx;
	int profile_line; /* the line of `profile = ...` */
	struct jail_origin origin;
};

struct jail_config {
	char **files; /* every jail_origin.file points into one of these */
	size_t n_files;
	struct jail_profile *profiles;
	size_t n_profiles;
	struct jail_rule *rules;
	size_t n_rules;
	enum jail_unmatched unmatched;
	struct jail_origin unmatched_origin;
};

const struct jail_profile *jail_config_find_profile(const struct jail_config *c, const char *name);

/* Deep-copy field `f` from `src` into `dst` (replacing what was there). */
int jail_pfield_copy(struct jail_policy *dst, const struct jail_policy *src, enum pfield f);

/* The built-in default of every field (of field `f`), from the table. */
int jail_policy_set_defaults(struct jail_policy *p);
int jail_pfield_set_default(struct jail_policy *p, enum pfield f);

/* Field `f` to 0 / NULL / empty. */
void jail_pfield_clear(struct jail_policy *p, enum pfield f);

/* A problem jail_policy_validate() found: `msg` is about key `a` and, where
 * two keys conflict, `b` (else b == a). */
typedef void (*jail_problem_fn)(void *ctx, enum pfield a, enum pfield b, const char *msg);

/*
 * Every check of a profile's values that a login makes: the loader runs it on
 * each profile's effective values (so `jailctl check` reports it) and
 * jail_policy_decode on what jail-init receives. `set` (PF_COUNT entries)
 * says which keys the administrator wrote, for the checks of a key written
 * where it means nothing (network.pool4 in a loopback profile); NULL for a
 * resolved policy, whose paths are then checked too. Calls `fn` per problem
 * and returns how many there were.
 */
size_t jail_policy_validate(const struct jail_policy *p, const bool *set, jail_problem_fn fn,
			    void *ctx);

/* "jail.conf:12: group students" */
char *jail_rule_describe(const struct jail_rule *r);

/* Who a user is, as NSS says, and which rules name them. */
struct jail_match {
	char *user;
	uid_t uid;
	gid_t gid;
	char *home;
	char *group;   /* primary group name (or the number) */
	char **groups; /* every group name, primary first */
	gid_t *gids;   /* every group id getgrouplist() reported */
	size_t n_gids;
	ssize_t winner;	 /* rule index, -1: none */
	size_t *matched; /* every matching rule, in precedence order */
	size_t n_matched;
};

int jail_match_user(const struct jail_config *c, const char *user, struct jail_match *ret,
		    struct jail_error *err);
void jail_match_clear(struct jail_match *m);

/* jail_config_resolve() for a user NSS was asked about already (`jailctl
 * explain` asks once, and prints what it resolves from that answer). */
int jail_config_resolve_match(const struct jail_config *c, const struct jail_match *m,
			      enum jail_verdict *ret_verdict, struct jail_policy **ret_policy,
			      struct jail_error *err);

/* Expand %u %g %h %% in `tmpl` for `m`. */
int jail_expand(const char *tmpl, const struct jail_match *m, char **ret, struct jail_error *err);

/* Expand a hostname template for `m`: %u and %g mapped to what a hostname
 * can hold, shortened with a hash when too long (policy_hostname.c has the
 * rule). Never fails for a template the loader accepted, whatever the names. */
int jail_hostname_expand(const char *tmpl, const struct jail_match *m, char **ret,
			 struct jail_error *err);
/* Letters, digits, '-' and '.'; 1 to 63 characters; no label empty or
 * starting or ending with '-'. */
bool jail_hostname_is_valid(const char *s);

/* Free `n` binds and their array (the parser's and the table's). */
void jail_binds_free(struct jail_bind *b, size_t n);

#endif
