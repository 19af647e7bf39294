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
#include <stdio.h>
#include <string.h>

#include "policy_load.h"

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

/* Of two keys that conflict, the one set closest to this profile is where
 * the admin made the change that broke it. */
static struct jail_origin blame(const struct jail_profile *p, const int *level, enum pfield a,
				enum pfield b)
{
	return level[b] < level[a] ? p->eff_origin[b] : p->eff_origin[a];
}

struct vreport {
	struct jail_loader *L;
	const struct jail_profile *p;
	const int *level;
};

/* A problem of jail_policy_validate(), at the line the admin last changed. */
static void report(void *ctx, enum pfield a, enum pfield b, const char *msg)
{
	struct vreport *R = ctx;
	struct jail_origin at = blame(R->p, R->level, a, b);

	if (!at.file)
		at = R->p->origin; /* both sides are defaults: point at the profile */
	jail_loader_error(R->L, EINVAL, at.file, at.line, "profile '%s': %s", R->p->name, msg);
}

/* Checks that need the whole (merged) profile. */
static void validate(struct jail_loader *L, struct jail_profile *p, const int *level)
{
	struct vreport R = { .L = L, .p = p, .level = level };
	bool set[PF_COUNT];

	for (int f = 0; f < PF_COUNT; f++)
		set[f] = p->eff_origin[f].file != NULL;
	jail_policy_validate(p->eff, set, report, &R);
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
	/* A group's mode (the table's mode_label) written here starts its
	 * group afresh from the defaults. */
	for (int m = 0; m < PF_COUNT; m++) {
		if (!jail_pfields[m].mode_label || !p->set_origin[m].line)
			continue;
		for (int f = 0; f < PF_COUNT; f++) {
			if (strcmp(jail_pfields[f].group ? jail_pfields[f].group : "",
				   jail_pfields[m].group) != 0)
				continue;
			int r = reset_to_default(p->eff, p->eff_origin, level, defaults,
						 (enum pfield)f);
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
	/* Defaults that depend on another key (the table's zero_unless_needed):
	 * a tree is prepared, nothing to hide; only a kept jail has an idle
	 * limit. */
	for (int f = 0; f < PF_COUNT; f++) {
		if (!jail_pfields[f].zero_unless_needed || p->eff_origin[f].file)
			continue;
		if (!jail_pfield_needed(p->eff, (enum pfield)f))
			jail_pfield_clear(p->eff, (enum pfield)f);
		else if (jail_pfield_set_default(p->eff, (enum pfield)f) < 0)
			return -ENOMEM;
	}

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
