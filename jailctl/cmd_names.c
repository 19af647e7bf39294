/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailctl names WHAT: one name a line, for shell completion
 * (contrib/bash-completion/jailctl) and scripts. Quiet by design: a policy
 * that does not load, or a registry a non-root caller cannot read, gives
 * fewer names, not an error on the admin's terminal in mid-word.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "jailctl.h"
#include "policy_listing.h"

static void print_strv(char **v)
{
	for (char **p = v; p && *p; p++)
		puts(*p);
}

static void policy_names(const char *config, bool profiles)
{
	struct jailctl_policy_source src;
	struct jail_config *c = NULL;
	char **names = NULL;
	FILE *devnull;

	if (jailctl_policy_source(config, &src) < 0)
		return;
	devnull = fopen("/dev/null", "we");
	if (!devnull) {
		jailctl_policy_source_clear(&src);
		return;
	}
	if (jailctl_load_policy(&src, devnull, &c) == 0) {
		if ((profiles ? jail_config_profile_names(c, &names)
			      : jail_config_rule_users(c, &names)) >= 0)
			print_strv(names);
		jail_strv_free(names);
		jail_config_free(c);
	}
	fclose(devnull);
	jailctl_policy_source_clear(&src);
}

/* The users of the running jails, as their registry entries name them:
 * only root can see them (jailctl_open_registry says so otherwise). */
static void running_users(const char *state_dir)
{
	struct jail_state st = JAIL_STATE_INIT;
	char **keys = NULL;

	if (geteuid() != 0 || jailctl_open_registry(state_dir, &st) < 0)
		return;
	if (jail_list_keys(&st, &keys, NULL) >= 0) {
		for (char **k = keys; *k; k++) {
			struct jail_info info;

			if (jail_info_read(&st, *k, &info, NULL) == 0)
				puts(info.user);
		}
	}
	jail_strv_free(keys);
	jail_state_close(&st);
}

static int run_names(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "statedir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *config = NULL, *state_dir = NULL, *what;
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'h':
			printf("usage: jailctl names %s\n\n%s", jailctl_verb_names.synopsis,
			       jailctl_verb_names.help);
			return JAILCTL_EXIT_OK;
		default:
			return jailctl_usage_error(&jailctl_verb_names, "bad option");
		}
	}
	if (optind + 1 != argc)
		return jailctl_usage_error(&jailctl_verb_names, "which names?");
	what = argv[optind];
	fflush(stdout);
	if (strcmp(what, "profiles") == 0) {
		policy_names(config, true);
	} else if (strcmp(what, "users") == 0) {
		policy_names(config, false);
		running_users(state_dir);
	} else if (strcmp(what, "running") == 0) {
		running_users(state_dir);
	} else {
		return jailctl_usage_error(&jailctl_verb_names,
					   "'%s': expected users, running or profiles", what);
	}
	return JAILCTL_EXIT_OK;
}

const struct jailctl_verb jailctl_verb_names = {
	.name = "names",
	.synopsis = "users|running|profiles [--config PATH] [--statedir DIR]",
	.summary = "names for completion: users, profiles",
	.help = "Prints names, one a line, for shell completion and scripts:\n"
		"  users      users the policy's rules name (user rules, and the members\n"
		"             of the groups group rules name, as NSS lists them), then\n"
		"             the users of the running jails (root only)\n"
		"  running    the users of the running jails (root only)\n"
		"  profiles   the policy's profiles\n"
		"A name may appear twice. A policy that does not load gives no names\n"
		"(jailctl check says why).\n"
		"  --config PATH    read this policy (and jail.d/ beside it)\n"
		"  --statedir DIR   read this registry (the module's statedir=)\n",
	.run = run_names,
};
