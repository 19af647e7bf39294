/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * After every file is read: `extends`, the effective value of every key of
 * every profile (with where it came from), the checks that need the whole
 * profile (conflicting settings), and the link from rules to profiles.
 *
 * Inheritance, as docs/jail.conf.5 states it: a profile starts from its
 * parent's effective values (or the built-in defaults) and overrides key by
 * key, inside groups too (`limits = { pids = 50; }` keeps the parent's
 * memory limit). Lists are replaced, not appended. Setting a group's mode
 * (root.type, network.mode, home.mode, lifetime.mode) starts that group
 * afresh from the defaults, so a child switching root.type to "tree" does not
 * inherit the parent's hide list, nor a "loopback" child the parent's bridge.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy_load.h"

/* The key whose value starts its group afresh, per group. */
static const struct {
	enum pfield mode;
	enum pfield first, last; /* the group's keys */
} mode_groups[] = {
	{ PF_ROOT_TYPE, PF_ROOT_TYPE, PF_ROOT_HIDE },
	{ PF_NET_MODE, PF_NET_MODE, PF_NET_ISOLATE },
	{ PF_HOME_MODE, PF_HOME_MODE, PF_HOME_PERSIST },
	{ PF_LIFETIME, PF_LIFETIME, PF_IDLE },
};

struct eff {
	struct jail_policy *v;
	struct jail_origin *o;
	int level[PF_COUNT]; /* 0: set by the profile itself, 1: by its parent..., INT_MAX: default */
};

#define LEVEL_DEFAULT 0x7fffffff

static int reset_to_default(struct jail_policy *v, struct jail_origin *o, int *level,
			    const struct jail_policy *defaults, enum pfield f)
{
	o[f].file = NULL;
	o[f].line = 0;
	level[f] = LEVEL_DEFAULT;
	return jail_pfield_copy(v, defaults, f);
}

static void verr(struct jail_loader *L, const struct jail_profile *p, struct jail_origin at,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void verr(struct jail_loader *L, const struct jail_profile *p, struct jail_origin at,
		 const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!at.file)
		at = p->origin; /* both sides are defaults: point at the profile */
	jail_loader_error(L, EINVAL, at.file, at.line, "profile '%s': %s", p->name, msg);
}

/* Of two keys that conflict, the one set closest to this profile is where
 * the admin made the change that broke it. */
static struct jail_origin blame(const struct jail_profile *p, const int *level, enum pfield a,
				enum pfield b)
{
	return level[b] < level[a] ? p->eff_origin[b] : p->eff_origin[a];
}

static bool ipv4_in_pool(const char *ip, const char *pool)
{
	char net[64];
	const char *slash = strchr(pool, '/');
	struct in_addr a, n;
	unsigned prefix;
	uint32_t mask;

	if (!slash || (size_t)(slash - pool) >= sizeof(net))
		return false;
	memcpy(net, pool, (size_t)(slash - pool));
	net[slash - pool] = '\0';
	prefix = (unsigned)atoi(slash + 1);
	if (inet_pton(AF_INET, ip, &a) != 1 || inet_pton(AF_INET, net, &n) != 1 || prefix > 32)
		return false;
	mask = prefix ? htonl(~0u << (32 - prefix)) : 0;
	return (a.s_addr & mask) == (n.s_addr & mask);
}

/* Checks that need the whole (merged) profile. */
static void validate(struct jail_loader *L, struct jail_profile *p, const int *level)
{
	const struct jail_policy *v = p->eff;
	const struct jail_origin *o = p->eff_origin;
	unsigned ns = v->namespaces;
	char name[64];

	if ((ns & (JAIL_NS_MOUNT | JAIL_NS_PID)) != (JAIL_NS_MOUNT | JAIL_NS_PID))
		/* the jail is a mount namespace around a pivot_root, ended by
		 * ending its own PID 1: neither can be left out */
		verr(L, p, o[PF_NAMESPACES], "namespaces must include \"mount\" and \"pid\"");
	if (v->hostname && !(ns & JAIL_NS_UTS))
		verr(L, p, blame(p, level, PF_HOSTNAME, PF_NAMESPACES),
		     "hostname needs the \"uts\" namespace");
	if (v->net.mode == JAIL_NET_HOST && (ns & JAIL_NS_NET))
		verr(L, p, blame(p, level, PF_NET_MODE, PF_NAMESPACES),
		     "network mode \"host\" shares the host's network: remove \"net\" from "
		     "namespaces");
	if (v->net.mode != JAIL_NET_HOST && !(ns & JAIL_NS_NET))
		verr(L, p, blame(p, level, PF_NET_MODE, PF_NAMESPACES),
		     "network mode \"%s\" needs the \"net\" namespace",
		     v->net.mode == JAIL_NET_BRIDGE ? "bridge" : "loopback");
	if (v->net.mode == JAIL_NET_BRIDGE) {
		if (!v->net.bridge)
			verr(L, p, o[PF_NET_MODE], "network mode \"bridge\" needs network.bridge");
		if (!v->net.pool4)
			verr(L, p, o[PF_NET_MODE], "network mode \"bridge\" needs network.pool4");
		if (v->net.gateway4 && v->net.pool4 && !ipv4_in_pool(v->net.gateway4, v->net.pool4))
			verr(L, p, blame(p, level, PF_NET_GATEWAY4, PF_NET_POOL4),
			     "network.gateway4 '%s' is not inside network.pool4 '%s'",
			     v->net.gateway4, v->net.pool4);
	} else {
		for (enum pfield f = PF_NET_BRIDGE; f <= PF_NET_ISOLATE; f++)
			if (o[f].file)
				verr(L, p, o[f], "%s is only valid with network mode \"bridge\"",
				     jail_pfield_name(f, name, sizeof(name)));
	}
	if (v->root_kind == JAIL_ROOT_TREE) {
		if (!v->root_path)
			verr(L, p, o[PF_ROOT_TYPE], "root type \"tree\" needs root.path");
		if (o[PF_ROOT_HIDE].file)
			verr(L, p, o[PF_ROOT_HIDE],
			     "root.hide is only valid with root type \"host\" (leave the paths "
			     "out of the tree instead)");
	} else if (o[PF_ROOT_PATH].file) {
		verr(L, p, o[PF_ROOT_PATH], "root.path is only valid with root type \"tree\"");
	}
	if (v->home_mode == JAIL_HOME_BIND) {
		for (enum pfield f = PF_HOME_SIZE; f <= PF_HOME_PERSIST; f++)
			if (o[f].file)
				verr(L, p, o[f], "%s is only valid with home mode \"tmpfs\"",
				     jail_pfield_name(f, name, sizeof(name)));
	}
	if (!v->seccomp && v->seccomp_deny)
		verr(L, p, blame(p, level, PF_SECCOMP_DENY, PF_SECCOMP),
		     "seccomp.deny has no effect with seccomp disabled");
	if (!v->syslog.forward && o[PF_SYSLOG_RATE].file)
		verr(L, p, blame(p, level, PF_SYSLOG_RATE, PF_SYSLOG_FORWARD),
		     "syslog.rate has no effect with syslog.forward = false");
	if (!v->seccomp && v->seccomp_allow_families)
		verr(L, p, blame(p, level, PF_SECCOMP_FAMILIES, PF_SECCOMP),
		     "seccomp.allow_families has no effect with seccomp disabled");
	if (v->lifetime != JAIL_LIFETIME_KEEP && o[PF_IDLE].file)
		verr(L, p, o[PF_IDLE], "lifetime.idle is only valid with lifetime mode \"keep\"");
	if (v->limits.swap_bytes != UINT64_MAX && v->limits.memory_bytes == 0)
		verr(L, p, blame(p, level, PF_LIM_SWAP, PF_LIM_MEMORY),
		     "limits.swap needs limits.memory (swap is limited on top of memory)");
}

/* Effective values of p from its parent's (already computed) or defaults. */
static int compute(struct jail_loader *L, struct jail_profile *p, const struct jail_profile *parent,
		   const struct jail_policy *defaults)
{
	int level[PF_COUNT];
	size_t errs_before = L->total;

	p->eff = calloc(1, sizeof(*p->eff));
	if (!p->eff)
		return -ENOMEM;
	for (int f = 0; f < PF_COUNT; f++) {
		int r = jail_pfield_copy(p->eff, parent ? parent->eff : defaults, (enum pfield)f);
		if (r < 0)
			return r;
		p->eff_origin[f] = parent ? parent->eff_origin[f] : (struct jail_origin){ 0 };
		level[f] = parent && parent->eff_origin[f].file ? 1 : LEVEL_DEFAULT;
	}
	/* Levels beyond the parent only matter for blame(); 1 is enough. */
	for (size_t g = 0; g < JAIL_ARRAY_SIZE(mode_groups); g++) {
		if (!p->set_origin[mode_groups[g].mode].line)
			continue;
		for (enum pfield f = mode_groups[g].first; f <= mode_groups[g].last; f++) {
			int r = reset_to_default(p->eff, p->eff_origin, level, defaults, f);
			if (r < 0)
				return r;
		}
	}
	for (int f = 0; f < PF_COUNT; f++) {
		if (!p->set_origin[f].line)
			continue;
		int r = jail_pfield_copy(p->eff, p->set, (enum pfield)f);
		if (r < 0)
			return r;
		p->eff_origin[f] = p->set_origin[f];
		level[f] = 0;
	}
	/* Defaults that depend on another key. */
	if (p->eff->root_kind == JAIL_ROOT_TREE && !p->eff_origin[PF_ROOT_HIDE].file) {
		jail_strv_free(p->eff->hide);
		p->eff->hide = NULL; /* the tree is prepared: nothing to hide */
	}
	if (!p->eff_origin[PF_IDLE].file)
		p->eff->idle_timeout_sec = p->eff->lifetime == JAIL_LIFETIME_KEEP ? 3600 : 0;

	validate(L, p, level);
	if (L->total != errs_before) {
		jail_policy_free(p->eff);
		p->eff = NULL;
		p->bad = true;
	}
	return 0;
}

static size_t find_index(const struct jail_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_profiles; i++)
		if (strcmp(c->profiles[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

/* Link parents; report unknown ones and cycles. Returns per-profile state:
 * 2 = usable chain, 3 = broken (unknown parent, cycle, or leads to one). */
static void link_parents(struct jail_loader *L, unsigned char *state)
{
	struct jail_config *c = L->c;

	for (size_t i = 0; i < c->n_profiles; i++) {
		struct jail_profile *p = &c->profiles[i];
		if (!p->extends)
			continue;
		p->parent = find_index(c, p->extends);
		if (p->parent == SIZE_MAX) {
			jail_loader_error(L, ENOENT, p->extends_origin.file, p->extends_origin.line,
					  "profile '%s' extends unknown profile '%s'", p->name,
					  p->extends);
			state[i] = 3;
		}
	}
	/* Walk each chain, marking 1 = on the current walk. Reaching a 1
	 * again is a cycle: report each member once. */
	for (size_t i = 0; i < c->n_profiles; i++) {
		size_t j = i;
		unsigned char end;

		if (state[i])
			continue;
		for (;;) {
			if (state[j] != 0) {
				end = state[j];
				break;
			}
			state[j] = 1;
			if (c->profiles[j].parent == SIZE_MAX) {
				end = 2;
				break;
			}
			j = c->profiles[j].parent;
		}
		if (end == 1) {
			/* j is on a cycle: name it, then report each member */
			char chain[512];
			size_t k = j;
			size_t used = (size_t)snprintf(chain, sizeof(chain), "%s",
						       c->profiles[j].name);
			do {
				k = c->profiles[k].parent;
				if (used < sizeof(chain))
					used += (size_t)snprintf(chain + used, sizeof(chain) - used,
								 " -> %s", c->profiles[k].name);
			} while (k != j);
			k = j;
			do {
				struct jail_profile *q = &c->profiles[k];
				jail_loader_error(L, ELOOP, q->extends_origin.file,
						  q->extends_origin.line,
						  "profile '%s': 'extends' forms a cycle (%s)",
						  q->name, chain);
				state[k] = 3;
				k = q->parent;
			} while (k != j);
			end = 3;
		}
		for (size_t k = i; k != SIZE_MAX && state[k] == 1; k = c->profiles[k].parent)
			state[k] = end;
	}
}

void jail_config_finalize(struct jail_loader *L)
{
	struct jail_config *c = L->c;
	_cleanup_free_ unsigned char *state = calloc(c->n_profiles + 1, 1);
	_cleanup_free_ size_t *chain = calloc(c->n_profiles + 1, sizeof(size_t));
	struct jail_policy *defaults = calloc(1, sizeof(*defaults));

	if (!state || !chain || !defaults || jail_policy_set_defaults(defaults) < 0) {
		jail_policy_free(defaults);
		L->oom = true;
		return;
	}
	link_parents(L, state);

	/* Compute parents before children, iteratively (no recursion on an
	 * admin-controlled depth). */
	for (size_t i = 0; i < c->n_profiles && !L->oom; i++) {
		size_t n = 0, j = i;
		if (state[i] != 2)
			continue;
		while (j != SIZE_MAX && state[j] == 2 && !c->profiles[j].eff &&
		       !c->profiles[j].bad) {
			chain[n++] = j;
			j = c->profiles[j].parent;
		}
		/* j: computed (eff set), broken, or SIZE_MAX (root reached) */
		bool parent_ok = j == SIZE_MAX || c->profiles[j].eff;
		while (n > 0) {
			struct jail_profile *p = &c->profiles[chain[--n]];
			if (!parent_ok || p->bad) {
				p->bad = true; /* a child of a broken profile: said already */
				parent_ok = false;
				continue;
			}
			if (compute(L, p, p->parent == SIZE_MAX ? NULL : &c->profiles[p->parent],
				    defaults) < 0) {
				L->oom = true;
				break;
			}
			parent_ok = p->eff != NULL;
		}
	}
	jail_policy_free(defaults);

	for (size_t i = 0; i < c->n_rules; i++) {
		struct jail_rule *r = &c->rules[i];
		if (r->exempt)
			continue;
		r->profile_idx = find_index(c, r->profile);
		if (r->profile_idx == SIZE_MAX)
			jail_loader_error(L, ENOENT, r->origin.file, r->profile_line,
					  "rule: unknown profile '%s'", r->profile);
	}
}
