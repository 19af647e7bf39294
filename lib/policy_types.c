/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names of namespaces and freeing a resolved policy (see policy.h). */
#include <string.h>

#include "policy_internal.h"

static const struct {
	unsigned bit;
	const char *name;
} ns_names[] = {
	{ JAIL_NS_MOUNT, "mount" },   { JAIL_NS_PID, "pid" },	{ JAIL_NS_NET, "net" },
	{ JAIL_NS_IPC, "ipc" },	      { JAIL_NS_UTS, "uts" },	{ JAIL_NS_USER, "user" },
	{ JAIL_NS_CGROUP, "cgroup" }, { JAIL_NS_TIME, "time" },
};

const char *jail_ns_name(unsigned ns_bit)
{
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(ns_names); i++)
		if (ns_names[i].bit == ns_bit)
			return ns_names[i].name;
	return NULL;
}

unsigned jail_ns_from_name(const char *name)
{
	for (size_t i = 0; name && i < JAIL_ARRAY_SIZE(ns_names); i++)
		if (strcmp(ns_names[i].name, name) == 0)
			return ns_names[i].bit;
	return 0;
}

void jail_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int jail_strv_copy(const char *const *src, char ***ret)
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

void jail_binds_free(struct jail_bind *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(b[i].source);
		free(b[i].target);
	}
	free(b);
}

void jail_policy_free(struct jail_policy *p)
{
	if (!p)
		return;
	free(p->user);
	free(p->home);
	free(p->profile);
	free(p->matched_rule);
	for (int f = 0; f < PF_COUNT; f++)
		jail_pfield_clear(p, (enum pfield)f);
	free(p);
}
