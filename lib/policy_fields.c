/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The profile keys: one table that the loader (parsing, checking), the
 * merge of `extends` (copying) and `jailctl explain` (printing) all walk, so
 * a key added here is parsed, inherited and explained alike. The built-in
 * defaults live here too; docs/jail.conf.5 lists the same values.
 */
#include <stdio.h>
#include <string.h>

#include "policy_internal.h"

static const char *const root_types[] = { "host", "tree", NULL };
static const char *const net_modes[] = { "loopback", "host", "bridge", NULL };
static const char *const home_modes[] = { "tmpfs", "bind", NULL };
static const char *const lifetimes[] = { "shared", "keep", "session", NULL };

#define OFF(m) offsetof(struct jail_policy, m)

const struct pfield_desc jail_pfields[PF_COUNT] = {
	[PF_ROOT_TYPE] = { "root", "type", PK_ENUM, PS_ENUM, OFF(root_kind), .names = root_types },
	[PF_ROOT_PATH] = { "root", "path", PK_PATH, PS_STR, OFF(root_path), PX_ALL },
	[PF_ROOT_HIDE] = { "root", "hide", PK_PATHV, PS_STRV, OFF(hide), PX_ALL },
	[PF_NAMESPACES] = { NULL, "namespaces", PK_NSLIST, PS_NSMASK, OFF(namespaces) },
	[PF_HOSTNAME] = { NULL, "hostname", PK_HOSTNAME, PS_STR, OFF(hostname), PX_USER_GROUP },
	[PF_NET_MODE] = { "network", "mode", PK_ENUM, PS_ENUM, OFF(net.mode), .names = net_modes },
	[PF_NET_BRIDGE] = { "network", "bridge", PK_IFNAME, PS_STR, OFF(net.bridge) },
	[PF_NET_POOL4] = { "network", "pool4", PK_CIDR4, PS_STR, OFF(net.pool4) },
	[PF_NET_GATEWAY4] = { "network", "gateway4", PK_IP4, PS_STR, OFF(net.gateway4) },
	[PF_NET_POOL6] = { "network", "pool6", PK_CIDR6, PS_STR, OFF(net.pool6) },
	[PF_NET_DNS] = { "network", "dns", PK_IPLIST, PS_STRV, OFF(net.dns) },
	[PF_NET_ISOLATE] = { "network", "isolate", PK_BOOL, PS_BOOL, OFF(net.isolate) },
	[PF_HOME_MODE] = { "home", "mode", PK_ENUM, PS_ENUM, OFF(home_mode), .names = home_modes },
	[PF_HOME_SIZE] = { "home", "size", PK_SIZE, PS_U64, OFF(home_size_bytes) },
	[PF_HOME_SKELETON] = { "home", "skeleton", PK_PATH, PS_STR, OFF(skeleton), PX_ALL },
	[PF_HOME_PERSIST] = { "home", "persist", PK_RELPATHV, PS_STRV, OFF(persist), PX_ALL },
	[PF_TMP_SIZE] = { "tmp", "size", PK_SIZE, PS_U64, OFF(tmp_size_bytes) },
	[PF_RUN_SIZE] = { "run", "size", PK_SIZE, PS_U64, OFF(run_size_bytes) },
	[PF_BINDS] = { NULL, "binds", PK_BINDS, PS_BINDS, OFF(binds), PX_ALL },
	[PF_X11] = { NULL, "x11", PK_BOOL, PS_BOOL, OFF(x11) },
	[PF_SYSLOG_FORWARD] = { "syslog", "forward", PK_BOOL, PS_BOOL, OFF(syslog.forward) },
	[PF_SYSLOG_RATE] = { "syslog", "rate", PK_LIMIT, PS_U32, OFF(syslog.rate),
			     .keyword = "unlimited", .keyword_value = 0, .max = 100000 },
	[PF_LIM_MEMORY] = { "limits", "memory", PK_LIMIT, PS_U64, OFF(limits.memory_bytes),
			    .is_size = true, .keyword = "unlimited", .keyword_value = 0 },
	[PF_LIM_SWAP] = { "limits", "swap", PK_LIMIT, PS_U64, OFF(limits.swap_bytes),
			  .is_size = true, .keyword = "unlimited", .keyword_value = UINT64_MAX,
			  .zero_ok = true },
	[PF_LIM_PIDS] = { "limits", "pids", PK_LIMIT, PS_U64, OFF(limits.pids),
			  .keyword = "unlimited", .keyword_value = 0, .max = 4194304 },
	[PF_LIM_CPU] = { "limits", "cpu", PK_LIMIT, PS_U32, OFF(limits.cpu_percent),
			 .keyword = "unlimited", .keyword_value = 0, .max = 102400 },
	[PF_LIM_NOFILE] = { "limits", "nofile", PK_LIMIT, PS_U64, OFF(limits.nofile),
			    .keyword = "inherit", .keyword_value = 0, .max = 1073741816 },
	[PF_LIM_NPROC] = { "limits", "nproc", PK_LIMIT, PS_U64, OFF(limits.nproc),
			   .keyword = "inherit", .keyword_value = 0, .max = 4194304 },
	[PF_LIM_CORE] = { "limits", "core", PK_LIMIT, PS_U64, OFF(limits.core_bytes),
			  .is_size = true, .keyword = "inherit", .keyword_value = UINT64_MAX,
			  .zero_ok = true },
	[PF_LIM_FSIZE] = { "limits", "fsize", PK_LIMIT, PS_U64, OFF(limits.fsize_bytes),
			   .is_size = true, .keyword = "inherit", .keyword_value = 0 },
	[PF_CAPS] = { NULL, "capabilities", PK_CAPS, PS_STRV, OFF(capabilities) },
	[PF_NNP] = { NULL, "no_new_privs", PK_BOOL, PS_BOOL, OFF(no_new_privs) },
	[PF_SECCOMP] = { "seccomp", "enabled", PK_BOOL, PS_BOOL, OFF(seccomp) },
	[PF_SECCOMP_DENY] = { "seccomp", "deny", PK_SYSCALLS, PS_STRV, OFF(seccomp_deny) },
	[PF_SECCOMP_FAMILIES] = { "seccomp", "allow_families", PK_FAMILIES, PS_STRV,
				  OFF(seccomp_allow_families) },
	[PF_SHELL] = { NULL, "shell", PK_PATH, PS_STR, OFF(shell) },
	[PF_PATH] = { NULL, "path", PK_SEARCHPATH, PS_STR, OFF(path) },
	[PF_LIFETIME] = { "lifetime", "mode", PK_ENUM, PS_ENUM, OFF(lifetime), .names = lifetimes },
	[PF_IDLE] = { "lifetime", "idle", PK_DURATION, PS_U32, OFF(idle_timeout_sec) },
	[PF_NSS_SOCKETS] = { NULL, "nss_sockets", PK_BOOL, PS_BOOL, OFF(nss_sockets) },
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

static int strv_dup(char *const *src, char ***ret)
{
	size_t n = 0;
	char **v;

	*ret = NULL;
	if (!src)
		return 0;
	while (src[n])
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = strdup(src[i]);
		if (!v[i]) {
			jail_strv_free(v);
			return -ENOMEM;
		}
	}
	*ret = v;
	return 0;
}

static void binds_free(struct jail_bind *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(b[i].source);
		free(b[i].target);
	}
	free(b);
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
		int r = strv_dup(*s_v, &copy);
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
					binds_free(b, i + 1);
					return -ENOMEM;
				}
			}
		}
		binds_free(dst->binds, dst->n_binds);
		dst->binds = b;
		dst->n_binds = src->n_binds;
		return 0;
	}
	}
	return -EINVAL;
}

static int strv_from(char ***ret, const char *const *items)
{
	size_t n = 0;
	char **v;

	while (items[n])
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = strdup(items[i]))) {
			jail_strv_free(v);
			return -ENOMEM;
		}
	*ret = v;
	return 0;
}

int jail_policy_set_defaults(struct jail_policy *p)
{
	/* The default jail is the safe one (DESIGN.md): every namespace that
	 * costs nothing to the user, the host's tree read-only with the other
	 * users' data hidden, only loopback, a throwaway home. */
	static const char *const hide[] = { "/home", "/root", "/var/mail", "/run", NULL };

	p->namespaces = JAIL_NS_MOUNT | JAIL_NS_PID | JAIL_NS_NET | JAIL_NS_IPC | JAIL_NS_UTS |
			JAIL_NS_CGROUP;
	p->hostname = NULL;
	p->root_kind = JAIL_ROOT_HOST;
	p->net.mode = JAIL_NET_LOOPBACK;
	p->net.isolate = true;
	p->home_mode = JAIL_HOME_TMPFS;
	p->home_size_bytes = 256ull << 20;
	p->tmp_size_bytes = 128ull << 20;
	p->run_size_bytes = 16ull << 20;
	p->x11 = false;
	p->syslog.forward = true;
	p->syslog.rate = 20;
	p->limits.memory_bytes = 0;
	p->limits.swap_bytes = UINT64_MAX;
	p->limits.pids = 1024;
	p->limits.cpu_percent = 0;
	p->limits.nofile = 0;
	p->limits.nproc = 0;
	p->limits.core_bytes = 0; /* no core files: they would fill the tmpfs home */
	p->limits.fsize_bytes = 0;
	p->no_new_privs = true;
	p->seccomp = true;
	p->lifetime = JAIL_LIFETIME_SHARED;
	p->idle_timeout_sec = 0;
	/* Directory users keep their groups inside (init/jail_nss.c) */
	p->nss_sockets = true;
	if (strv_from(&p->hide, hide) < 0)
		return -ENOMEM;
	p->skeleton = strdup("/etc/skel");
	p->shell = strdup("/bin/bash");
	p->path = strdup("/usr/local/bin:/usr/bin:/bin");
	if (!p->skeleton || !p->shell || !p->path)
		return -ENOMEM;
	return 0;
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
