/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The profile keys: one table that the loader (parsing, checking), the
 * merge of `extends` (copying), jail_policy_validate (checking), the codec
 * to jail-init (its keys) and `jailctl explain` (printing) all walk, so a
 * key added here is parsed, inherited, checked, sent and explained alike.
 * The built-in defaults are in it too; docs/jail.conf.5 lists the same
 * values.
 */
#include <stdio.h>
#include <string.h>

#include "policy_internal.h"

static const char *const root_types[] = { "host", "tree", NULL };
static const char *const net_modes[] = { "loopback", "host", "bridge", NULL };
static const char *const home_modes[] = { "tmpfs", "bind", NULL };
static const char *const lifetimes[] = { "shared", "keep", "session", NULL };

/* The default jail is the safe one (DESIGN.md): every namespace that costs
 * nothing to the user, the host's tree read-only with the other users' data
 * hidden, only loopback, a throwaway home.
 *
 * Hidden too: the daemon sockets a shared host keeps outside /run. connect()
 * on a pathname unix socket ignores read-only mounts and network namespaces
 * (issue 17, item 7), and these daemons hand root to whoever reaches them
 * (their group's members: LXD's and Incus's instance managers). Docker,
 * containerd, podman, CRI-O, libvirt, D-Bus and systemd live in /run (and
 * /var/run, Debian's link to it): the jail's own /run covers them. */
static const char *const default_hide[] = { "/home",	      "/root",
					    "/var/mail",      "/run",
					    "/var/lib/lxd",   "/var/snap/lxd",
					    "/var/lib/incus", NULL };
#define DEFAULT_NAMESPACES                                                                         \
	(JAIL_NS_MOUNT | JAIL_NS_PID | JAIL_NS_NET | JAIL_NS_IPC | JAIL_NS_UTS | JAIL_NS_CGROUP)

#define OFF(m)	     offsetof(struct jail_policy, m)
#define NEEDS(k, v)  .needs = { true, k, v }
#define WITH_TREE    NEEDS(PF_ROOT_TYPE, JAIL_ROOT_TREE)
#define WITH_HOST    NEEDS(PF_ROOT_TYPE, JAIL_ROOT_HOST)
#define WITH_BRIDGE  NEEDS(PF_NET_MODE, JAIL_NET_BRIDGE)
#define WITH_TMPFS   NEEDS(PF_HOME_MODE, JAIL_HOME_TMPFS)
#define WITH_KEEP    NEEDS(PF_LIFETIME, JAIL_LIFETIME_KEEP)
#define WITH_SECCOMP NEEDS(PF_SECCOMP, true)

const struct pfield_desc jail_pfields[PF_COUNT] = {
	[PF_ROOT_TYPE] = { "root", "type", PK_ENUM, PS_ENUM, OFF(root_kind), .names = root_types,
			   .def_num = JAIL_ROOT_HOST, .mode_label = "root type" },
	[PF_ROOT_PATH] = { "root", "path", PK_PATH, PS_STR, OFF(root_path), PX_ALL, WITH_TREE },
	[PF_ROOT_HIDE] = { "root", "hide", PK_PATHV, PS_STRV, OFF(hide), PX_ALL,
			   .def_strv = default_hide, WITH_HOST, .zero_unless_needed = true,
			   .hint = " (leave the paths out of the tree instead)" },
	[PF_NAMESPACES] = { NULL, "namespaces", PK_NSLIST, PS_NSMASK, OFF(namespaces),
			    .def_num = DEFAULT_NAMESPACES },
	[PF_HOSTNAME] = { NULL, "hostname", PK_HOSTNAME, PS_STR, OFF(hostname), PX_USER_GROUP },
	[PF_NET_MODE] = { "network", "mode", PK_ENUM, PS_ENUM, OFF(net.mode), .names = net_modes,
			  .def_num = JAIL_NET_LOOPBACK, .mode_label = "network mode" },
	[PF_NET_BRIDGE] = { "network", "bridge", PK_IFNAME, PS_STR, OFF(net.bridge), WITH_BRIDGE },
	[PF_NET_POOL4] = { "network", "pool4", PK_CIDR4, PS_STR, OFF(net.pool4), WITH_BRIDGE },
	[PF_NET_GATEWAY4] = { "network", "gateway4", PK_IP4, PS_STR, OFF(net.gateway4),
			      WITH_BRIDGE },
	[PF_NET_POOL6] = { "network", "pool6", PK_CIDR6, PS_STR, OFF(net.pool6), WITH_BRIDGE },
	[PF_NET_DNS] = { "network", "dns", PK_IPLIST, PS_STRV, OFF(net.dns), WITH_BRIDGE },
	[PF_NET_ISOLATE] = { "network", "isolate", PK_BOOL, PS_BOOL, OFF(net.isolate),
			     .def_num = true, WITH_BRIDGE },
	[PF_HOME_MODE] = { "home", "mode", PK_ENUM, PS_ENUM, OFF(home_mode), .names = home_modes,
			   .def_num = JAIL_HOME_TMPFS, .mode_label = "home mode" },
	[PF_HOME_SIZE] = { "home", "size", PK_SIZE, PS_U64, OFF(home_size_bytes),
			   .def_num = 256ull << 20, WITH_TMPFS },
	[PF_HOME_SKELETON] = { "home", "skeleton", PK_PATH, PS_STR, OFF(skeleton), PX_ALL,
			       .def_str = "/etc/skel", WITH_TMPFS },
	[PF_HOME_PERSIST] = { "home", "persist", PK_RELPATHV, PS_STRV, OFF(persist), PX_ALL,
			      WITH_TMPFS },
	[PF_TMP_SIZE] = { "tmp", "size", PK_SIZE, PS_U64, OFF(tmp_size_bytes),
			  .def_num = 128ull << 20 },
	[PF_RUN_SIZE] = { "run", "size", PK_SIZE, PS_U64, OFF(run_size_bytes),
			  .def_num = 16ull << 20 },
	[PF_BINDS] = { NULL, "binds", PK_BINDS, PS_BINDS, OFF(binds), PX_ALL },
	[PF_X11] = { NULL, "x11", PK_BOOL, PS_BOOL, OFF(x11), .def_num = false },
	/* the jail's /dev/log (init/keeper_syslog.c) */
	[PF_SYSLOG_FORWARD] = { "syslog", "forward", PK_BOOL, PS_BOOL, OFF(syslog.forward),
				.def_num = true },
	[PF_SYSLOG_RATE] = { "syslog", "rate", PK_LIMIT, PS_U32, OFF(syslog.rate),
			     .keyword = "unlimited", .keyword_value = 0, .max = 100000,
			     .def_num = 20, NEEDS(PF_SYSLOG_FORWARD, true) },
	[PF_LIM_MEMORY] = { "limits", "memory", PK_LIMIT, PS_U64, OFF(limits.memory_bytes),
			    .is_size = true, .keyword = "unlimited", .keyword_value = 0,
			    .def_num = 0 },
	[PF_LIM_SWAP] = { "limits", "swap", PK_LIMIT, PS_U64, OFF(limits.swap_bytes),
			  .is_size = true, .keyword = "unlimited", .keyword_value = UINT64_MAX,
			  .zero_ok = true, .def_num = UINT64_MAX },
	[PF_LIM_PIDS] = { "limits", "pids", PK_LIMIT, PS_U64, OFF(limits.pids),
			  .keyword = "unlimited", .keyword_value = 0, .max = 4194304,
			  .def_num = 1024 },
	[PF_LIM_CPU] = { "limits", "cpu", PK_LIMIT, PS_U32, OFF(limits.cpu_percent),
			 .keyword = "unlimited", .keyword_value = 0, .max = 102400, .def_num = 0 },
	[PF_LIM_NOFILE] = { "limits", "nofile", PK_LIMIT, PS_U64, OFF(limits.nofile),
			    .keyword = "inherit", .keyword_value = 0, .max = 1073741816,
			    .def_num = 0 },
	[PF_LIM_NPROC] = { "limits", "nproc", PK_LIMIT, PS_U64, OFF(limits.nproc),
			   .keyword = "inherit", .keyword_value = 0, .max = 4194304, .def_num = 0 },
	/* no core files by default: they would fill the tmpfs home */
	[PF_LIM_CORE] = { "limits", "core", PK_LIMIT, PS_U64, OFF(limits.core_bytes),
			  .is_size = true, .keyword = "inherit", .keyword_value = UINT64_MAX,
			  .zero_ok = true, .def_num = 0 },
	[PF_LIM_FSIZE] = { "limits", "fsize", PK_LIMIT, PS_U64, OFF(limits.fsize_bytes),
			   .is_size = true, .keyword = "inherit", .keyword_value = 0,
			   .def_num = 0 },
	[PF_CAPS] = { NULL, "capabilities", PK_CAPS, PS_STRV, OFF(capabilities) },
	[PF_NNP] = { NULL, "no_new_privs", PK_BOOL, PS_BOOL, OFF(no_new_privs), .def_num = true },
	[PF_SECCOMP] = { "seccomp", "enabled", PK_BOOL, PS_BOOL, OFF(seccomp), .def_num = true },
	[PF_SECCOMP_DENY] = { "seccomp", "deny", PK_SYSCALLS, PS_STRV, OFF(seccomp_deny),
			      WITH_SECCOMP },
	/* socket families beyond unix, inet, inet6, netlink (lib/seccomp_socket.c) */
	[PF_SECCOMP_FAMILIES] = { "seccomp", "allow_families", PK_FAMILIES, PS_STRV,
				  OFF(seccomp_allow_families), WITH_SECCOMP },
	[PF_SHELL] = { NULL, "shell", PK_PATH, PS_STR, OFF(shell), .def_str = "/bin/bash" },
	[PF_PATH] = { NULL, "path", PK_SEARCHPATH, PS_STR, OFF(path),
		      .def_str = "/usr/local/bin:/usr/bin:/bin" },
	[PF_LIFETIME] = { "lifetime", "mode", PK_ENUM, PS_ENUM, OFF(lifetime), .names = lifetimes,
			  .def_num = JAIL_LIFETIME_SHARED, .mode_label = "lifetime mode" },
	/* idle_timeout_sec is 0 unless the jail is kept (policy.h) */
	[PF_IDLE] = { "lifetime", "idle", PK_DURATION, PS_U32, OFF(idle_timeout_sec),
		      .def_num = 3600, WITH_KEEP, .zero_unless_needed = true },
	/* live jails of one user at a time, 0 = unlimited (pam_module/session.c):
	 * with lifetime "session" every login is a jail, and a bridge lease */
	[PF_MAX_JAILS] = { "lifetime", "max_jails", PK_LIMIT, PS_U32, OFF(max_jails),
			   .keyword = "unlimited", .keyword_value = 0, .max = 65536,
			   .def_num = 16 },
	/* directory users keep their groups inside (init/jail_nss.c) */
	[PF_NSS_SOCKETS] = { NULL, "nss_sockets", PK_BOOL, PS_BOOL, OFF(nss_sockets),
			     .def_num = true },
};

const char *jail_pfield_name(enum pfield f, char *buf, size_t len)
{
	const struct pfield_desc *d = &jail_pfields[f];

	if (d->group)
		snprintf(buf, len, "%s.%s", d->group, d->key);
	else
		snprintf(buf, len, "%s", d->key);
	return buf;
}

int jail_pfield_copy(struct jail_policy *dst, const struct jail_policy *src, enum pfield f)
{
	const struct pfield_desc *d = &jail_pfields[f];
	char *dp = (char *)dst + d->offset;
	const char *sp = (const char *)src + d->offset;

	switch (d->store) {
	case PS_BOOL:
		memcpy(dp, sp, sizeof(bool));
		return 0;
	case PS_ENUM:
		/* every policy enum is stored as an int-sized enum */
		memcpy(dp, sp, sizeof(enum jail_net_mode));
		return 0;
	case PS_U32:
		memcpy(dp, sp, sizeof(uint32_t));
		return 0;
	case PS_U64:
		memcpy(dp, sp, sizeof(uint64_t));
		return 0;
	case PS_NSMASK:
		memcpy(dp, sp, sizeof(unsigned));
		return 0;
	case PS_STR: {
		char **d_str = (char **)(void *)dp;
		char *const *s_str = (char *const *)(const void *)sp;
		char *copy = NULL;
		if (*s_str && !(copy = strdup(*s_str)))
			return -ENOMEM;
		free(*d_str);
		*d_str = copy;
		return 0;
	}
	case PS_STRV: {
		char ***d_v = (char ***)(void *)dp;
		char **const *s_v = (char **const *)(const void *)sp;
		char **copy;
		int r = jail_strv_copy((const char *const *)*s_v, &copy);
		if (r < 0)
			return r;
		jail_strv_free(*d_v);
		*d_v = copy;
		return 0;
	}
	case PS_BINDS: {
		struct jail_bind *b = NULL;
		if (src->n_binds) {
			b = calloc(src->n_binds, sizeof(*b));
			if (!b)
				return -ENOMEM;
			for (size_t i = 0; i < src->n_binds; i++) {
				b[i] = src->binds[i];
				b[i].source = strdup(src->binds[i].source);
				b[i].target = strdup(src->binds[i].target);
				if (!b[i].source || !b[i].target) {
					jail_binds_free(b, i + 1);
					return -ENOMEM;
				}
			}
		}
		jail_binds_free(dst->binds, dst->n_binds);
		dst->binds = b;
		dst->n_binds = src->n_binds;
		return 0;
	}
	}
	return -EINVAL;
}

uint64_t jail_pfield_get_number(const struct jail_policy *p, enum pfield f)
{
	const struct pfield_desc *d = &jail_pfields[f];
	const char *field = (const char *)p + d->offset;

	switch (d->store) {
	case PS_BOOL: {
		bool b;
		memcpy(&b, field, sizeof(b));
		return b;
	}
	case PS_ENUM: {
		int e; /* every policy enum is stored as an int-sized enum */
		memcpy(&e, field, sizeof(e));
		return e < 0 ? UINT64_MAX : (uint64_t)e;
	}
	case PS_U32:
	case PS_NSMASK: {
		uint32_t u;
		memcpy(&u, field, sizeof(u));
		return u;
	}
	case PS_U64: {
		uint64_t u;
		memcpy(&u, field, sizeof(u));
		return u;
	}
	default:
		return 0;
	}
}

void jail_pfield_set_number(struct jail_policy *p, enum pfield f, uint64_t v)
{
	const struct pfield_desc *d = &jail_pfields[f];
	char *field = (char *)p + d->offset;

	switch (d->store) {
	case PS_BOOL: {
		bool b = v != 0;
		memcpy(field, &b, sizeof(b));
		break;
	}
	case PS_ENUM: {
		int e = (int)v; /* every policy enum is stored as an int-sized enum */
		memcpy(field, &e, sizeof(e));
		break;
	}
	case PS_U32:
	case PS_NSMASK: {
		uint32_t u = (uint32_t)v;
		memcpy(field, &u, sizeof(u));
		break;
	}
	case PS_U64:
		memcpy(field, &v, sizeof(v));
		break;
	default:
		break;
	}
}

int jail_pfield_set_default(struct jail_policy *p, enum pfield f)
{
	const struct pfield_desc *d = &jail_pfields[f];
	char *field = (char *)p + d->offset;

	switch (d->store) {
	case PS_STR: {
		char *s = NULL;
		if (d->def_str && !(s = strdup(d->def_str)))
			return -ENOMEM;
		char *old;
		memcpy(&old, field, sizeof(old));
		free(old);
		memcpy(field, &s, sizeof(s));
		return 0;
	}
	case PS_STRV: {
		char **v, **old;
		/* an empty default is no list at all, as the parser leaves it */
		if (jail_strv_copy(d->def_strv && d->def_strv[0] ? d->def_strv : NULL, &v) < 0)
			return -ENOMEM;
		memcpy(&old, field, sizeof(old));
		jail_strv_free(old);
		memcpy(field, &v, sizeof(v));
		return 0;
	}
	case PS_BINDS:
		jail_binds_free(p->binds, p->n_binds);
		p->binds = NULL;
		p->n_binds = 0;
		return 0;
	default:
		jail_pfield_set_number(p, f, d->def_num);
		return 0;
	}
}

void jail_pfield_clear(struct jail_policy *p, enum pfield f)
{
	const struct pfield_desc *d = &jail_pfields[f];
	char *field = (char *)p + d->offset;
	void *null = NULL;

	switch (d->store) {
	case PS_STR:
	case PS_STRV: {
		char *old;
		memcpy(&old, field, sizeof(old));
		if (d->store == PS_STR)
			free(old);
		else
			jail_strv_free((char **)(void *)old);
		memcpy(field, &null, sizeof(null));
		break;
	}
	case PS_BINDS:
		jail_binds_free(p->binds, p->n_binds);
		p->binds = NULL;
		p->n_binds = 0;
		break;
	default:
		jail_pfield_set_number(p, f, 0);
	}
}

int jail_policy_set_defaults(struct jail_policy *p)
{
	for (int f = 0; f < PF_COUNT; f++) {
		int r = jail_pfield_set_default(p, (enum pfield)f);
		if (r < 0)
			return r;
	}
	/* the defaults are one consistent profile: lifetime.idle is 0 in a
	 * jail that is not kept (policy.h) */
	for (int f = 0; f < PF_COUNT; f++)
		if (jail_pfields[f].zero_unless_needed && !jail_pfield_needed(p, (enum pfield)f))
			jail_pfield_clear(p, (enum pfield)f);
	return 0;
}

bool jail_pfield_needed(const struct jail_policy *p, enum pfield f)
{
	const struct pfield_needs *n = &jail_pfields[f].needs;

	/* the mode key is a bool or an enum, its value one of them */
	return !n->on || jail_pfield_get_number(p, n->key) == (uint64_t)n->value;
}

char *jail_rule_describe(const struct jail_rule *r)
{
	char *s = NULL;
	int n;

	switch (r->kind) {
	case JAIL_RULE_USER:
		n = asprintf(&s, "%s:%d: user %s", r->origin.file, r->origin.line, r->name);
		break;
	case JAIL_RULE_GROUP:
		n = asprintf(&s, "%s:%d: group %s", r->origin.file, r->origin.line, r->name);
		break;
	default:
		if (r->uid_lo == r->uid_hi)
			n = asprintf(&s, "%s:%d: uid %u", r->origin.file, r->origin.line,
				     (unsigned)r->uid_lo);
		else
			n = asprintf(&s, "%s:%d: uid %u-%u", r->origin.file, r->origin.line,
				     (unsigned)r->uid_lo, (unsigned)r->uid_hi);
		break;
	}
	return n < 0 ? NULL : s;
}
