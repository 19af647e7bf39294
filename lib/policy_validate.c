/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether a profile's values can make a jail: one set of checks, run by the
 * loader on every profile's effective values (so `jailctl check` reports
 * whatever a login would refuse) and by jail_policy_decode on what reaches
 * jail-init (so the keeper builds only from values that passed them).
 *
 * Per key, the table's kind says what a value may be (a size is never 0, a
 * limit stays under its maximum); across keys, the rules below say which
 * settings go together.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cidr4.h"
#include "policy_internal.h"
#include "safepath.h"

struct vctx {
	jail_problem_fn fn;
	void *ctx;
	size_t n;
};

static void problem(struct vctx *V, enum pfield a, enum pfield b, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(struct vctx *V, enum pfield a, enum pfield b, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	V->n++;
	V->fn(V->ctx, a, b, msg);
}

/* A number the table's kind allows? */
static bool number_ok(const struct pfield_desc *d, uint64_t v)
{
	switch (d->kind) {
	case PK_SIZE:
		return v > 0; /* a tmpfs of size 0 is half the host's RAM */
	case PK_LIMIT:
		if (v == d->keyword_value)
			return true;
		if (v == 0 && !d->zero_ok)
			return false;
		return !d->max || v <= d->max;
	default:
		return true;
	}
}

static bool path_ok(const char *s, bool relative)
{
	char abs[PATH_MAX];

	if (strchr(s, ':'))
		return false;
	if (!relative)
		return jail_path_is_clean_absolute(s);
	if (!*s || s[0] == '/' || snprintf(abs, sizeof(abs), "/%s", s) >= (int)sizeof(abs))
		return false;
	return jail_path_is_clean_absolute(abs);
}

/* The per-key rules of the table, for every key. Paths are checked only once
 * expanded for a user (resolved): the loader's templates ("%h/skel") are
 * checked by the parser on a sample expansion instead. */
static void check_values(struct vctx *V, const struct jail_policy *p, bool resolved)
{
	char name[64];

	for (int f = 0; f < PF_COUNT; f++) {
		const struct pfield_desc *d = &jail_pfields[f];
		const char *field = (const char *)p + d->offset;
		uint64_t v = 0;

		jail_pfield_name((enum pfield)f, name, sizeof(name));
		if (d->store == PS_U64 || d->store == PS_U32) {
			uint32_t u32;
			if (d->store == PS_U32) {
				memcpy(&u32, field, sizeof(u32));
				v = u32;
			} else {
				memcpy(&v, field, sizeof(v));
			}
			if (!number_ok(d, v))
				problem(V, (enum pfield)f, (enum pfield)f,
					"%s: %" PRIu64 " is out of range", name, v);
		}
		if (!resolved)
			continue;
		if (d->kind == PK_PATH) {
			const char *s;
			memcpy(&s, field, sizeof(s));
			if (s && !path_ok(s, false))
				problem(V, (enum pfield)f, (enum pfield)f,
					"%s '%s' is not a clean absolute path without ':'", name,
					s);
		} else if (d->kind == PK_PATHV || d->kind == PK_RELPATHV) {
			char **sv;
			memcpy(&sv, field, sizeof(sv));
			for (size_t i = 0; sv && sv[i]; i++)
				if (!path_ok(sv[i], d->kind == PK_RELPATHV))
					problem(V, (enum pfield)f, (enum pfield)f,
						"%s '%s' is not a clean %s path without ':'", name,
						sv[i],
						d->kind == PK_RELPATHV ? "relative" : "absolute");
		}
	}
	for (size_t i = 0; resolved && i < p->n_binds; i++)
		if (!p->binds[i].source || !p->binds[i].target ||
		    !path_ok(p->binds[i].source, false) || !path_ok(p->binds[i].target, false))
			problem(V, PF_BINDS, PF_BINDS, "binds: a bind needs clean absolute paths");
}

/* A key written where its group's mode makes it mean nothing (the table's
 * `needs`): an error, so that an administrator does not believe it works.
 * (seccomp.deny without seccomp has its own message below.) */
static void check_needs(struct vctx *V, const struct jail_policy *p, const bool *set)
{
	char name[64];

	for (int f = 0; f < PF_COUNT; f++) {
		const struct pfield_desc *d = &jail_pfields[f];
		const struct pfield_desc *mode = &jail_pfields[d->needs.key];

		if (!d->needs.on || !mode->mode_label || !set[f] ||
		    jail_pfield_needed(p, (enum pfield)f))
			continue;
		problem(V, (enum pfield)f, (enum pfield)f, "%s is only valid with %s \"%s\"%s",
			jail_pfield_name((enum pfield)f, name, sizeof(name)), mode->mode_label,
			mode->names[d->needs.value], d->hint ? d->hint : "");
	}
}

/* network.pool4 and network.gateway4 as the address pool will take them
 * (init/host/addrpool.c): a network without host bits, the gateway one of its host
 * addresses (neither the network nor the broadcast address). */
static void check_pool4(struct vctx *V, const struct jail_policy *p)
{
	struct in_addr net, gw;
	unsigned prefix;
	struct jail_error e = { 0 };

	if (jail_cidr4_parse(p->net.pool4, &net, &prefix, &e) < 0) {
		problem(V, PF_NET_POOL4, PF_NET_POOL4, "network.pool4 %s", e.message);
		return;
	}
	if (prefix < JAIL_POOL_MIN_PREFIX || prefix > 30) {
		problem(V, PF_NET_POOL4, PF_NET_POOL4,
			"network.pool4 '%s': the prefix must be /%d to /30", p->net.pool4,
			JAIL_POOL_MIN_PREFIX);
		return;
	}
	if (!p->net.gateway4)
		return;
	uint32_t first = ntohl(net.s_addr) + 1, last = ntohl(net.s_addr) + (~0U >> prefix) - 1;
	if (inet_pton(AF_INET, p->net.gateway4, &gw) != 1)
		problem(V, PF_NET_GATEWAY4, PF_NET_GATEWAY4,
			"network.gateway4 '%s' is not an IPv4 address", p->net.gateway4);
	else if (ntohl(gw.s_addr) < first || ntohl(gw.s_addr) > last)
		problem(V, PF_NET_GATEWAY4, PF_NET_POOL4,
			"network.gateway4 '%s' is not a host address of network.pool4 '%s'",
			p->net.gateway4, p->net.pool4);
}

size_t jail_policy_validate(const struct jail_policy *v, const bool *set, jail_problem_fn fn,
			    void *ctx)
{
	struct vctx V = { .fn = fn, .ctx = ctx };
	unsigned ns = v->namespaces;

	check_values(&V, v, !set);
	if (set)
		check_needs(&V, v, set);
	if ((ns & (JAIL_NS_MOUNT | JAIL_NS_PID)) != (JAIL_NS_MOUNT | JAIL_NS_PID))
		/* the jail is a mount namespace around a pivot_root, ended by
		 * ending its own PID 1: neither can be left out */
		problem(&V, PF_NAMESPACES, PF_NAMESPACES,
			"namespaces must include \"mount\" and \"pid\"");
	if (v->hostname && !(ns & JAIL_NS_UTS))
		problem(&V, PF_HOSTNAME, PF_NAMESPACES, "hostname needs the \"uts\" namespace");
	if (v->net.mode == JAIL_NET_HOST && (ns & JAIL_NS_NET))
		problem(&V, PF_NET_MODE, PF_NAMESPACES,
			"network mode \"host\" shares the host's network: remove \"net\" from "
			"namespaces");
	if (v->net.mode != JAIL_NET_HOST && !(ns & JAIL_NS_NET))
		problem(&V, PF_NET_MODE, PF_NAMESPACES,
			"network mode \"%s\" needs the \"net\" namespace",
			v->net.mode == JAIL_NET_BRIDGE ? "bridge" : "loopback");
	if (v->net.mode == JAIL_NET_BRIDGE) {
		if (!v->net.bridge)
			problem(&V, PF_NET_MODE, PF_NET_MODE,
				"network mode \"bridge\" needs network.bridge");
		if (!v->net.pool4)
			problem(&V, PF_NET_MODE, PF_NET_MODE,
				"network mode \"bridge\" needs network.pool4");
		else
			check_pool4(&V, v);
		if (v->net.pool6)
			/* the keeper gives a jail no IPv6 address yet: a login
			 * would be refused, so the policy is */
			problem(&V, PF_NET_POOL6, PF_NET_POOL6,
				"network.pool6 (IPv6) is not supported yet");
	}
	if (v->root_kind == JAIL_ROOT_TREE && !v->root_path)
		problem(&V, PF_ROOT_TYPE, PF_ROOT_TYPE, "root type \"tree\" needs root.path");
	if (!v->seccomp && v->seccomp_deny)
		problem(&V, PF_SECCOMP_DENY, PF_SECCOMP,
			"seccomp.deny has no effect with seccomp disabled");
	if (!v->seccomp && v->seccomp_allow_families)
		problem(&V, PF_SECCOMP_FAMILIES, PF_SECCOMP,
			"seccomp.allow_families has no effect with seccomp disabled");
	if (set && set[PF_SYSLOG_RATE] && !v->syslog.forward)
		problem(&V, PF_SYSLOG_RATE, PF_SYSLOG_FORWARD,
			"syslog.rate has no effect with syslog.forward = false");
	if (v->lifetime == JAIL_LIFETIME_KEEP && v->idle_timeout_sec == 0)
		problem(&V, PF_IDLE, PF_IDLE,
			"lifetime.idle must be more than 0 with lifetime mode \"keep\"");
	if (v->limits.swap_bytes != UINT64_MAX && v->limits.memory_bytes == 0)
		problem(&V, PF_LIM_SWAP, PF_LIM_MEMORY,
			"limits.swap needs limits.memory (swap is limited on top of memory)");
	return V.n;
}
