/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The names a policy mentions (policy_listing.h). */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"
#include "policy_listing.h"

struct strv {
	char **v;
	size_t n;
};

static int strv_add(struct strv *s, const char *name)
{
	char **nv;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return 0;
	nv = realloc(s->v, (s->n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	s->v = nv;
	s->v[s->n] = strdup(name);
	if (!s->v[s->n])
		return -ENOMEM;
	s->v[++s->n] = NULL;
	return 0;
}

/* Hand the list out, NULL-terminated even when empty. */
static int strv_finish(struct strv *s, int r, char ***ret)
{
	if (r == 0 && !s->v) {
		s->v = calloc(1, sizeof(char *));
		if (!s->v)
			r = -ENOMEM;
	}
	if (r < 0) {
		jail_strv_free(s->v);
		return r;
	}
	*ret = s->v;
	return (int)s->n;
}

int jail_config_profile_names(const struct jail_config *c, char ***ret)
{
	struct strv s = { 0 };
	int r = 0;

	for (size_t i = 0; i < c->n_profiles && r == 0; i++)
		r = strv_add(&s, c->profiles[i].name);
	return strv_finish(&s, r, ret);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int jail_config_rule_users(const struct jail_config *c, char ***ret)
{
	struct strv s = { 0 };
	int r = 0;

	for (size_t i = 0; i < c->n_rules && r == 0; i++) {
		const struct jail_rule *rule = &c->rules[i];
		struct group *gr;

		if (rule->kind == JAIL_RULE_USER) {
			r = strv_add(&s, rule->name);
		} else if (rule->kind == JAIL_RULE_GROUP) {
			/* A group NSS does not know names nobody: not an error
			 * here (jailctl check says what is wrong with a policy). */
			gr = getgrnam(rule->name);
			for (char **m = gr ? gr->gr_mem : NULL; m && *m && r == 0; m++)
				r = strv_add(&s, *m);
		}
	}
	if (r == 0 && s.n > 1)
		qsort(s.v, s.n, sizeof(char *), cmp_str);
	return strv_finish(&s, r, ret);
}
