/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jailctl: dispatch to a verb (see jailctl.h for adding one). */
#include <stdio.h>
#include <string.h>

#include "jailctl.h"

/* Every verb, in the order `jailctl --help` lists them. */
static const struct jailctl_verb *const verbs[] = {
	&jailctl_verb_check,  &jailctl_verb_explain, &jailctl_verb_list,
	&jailctl_verb_enter,  &jailctl_verb_spawn,   &jailctl_verb_stop,
	&jailctl_verb_mkroot, &jailctl_verb_update,  &jailctl_verb_audit,
	&jailctl_verb_user_manager, &jailctl_verb_names, &jailctl_verb_metrics,
};

static const struct jailctl_verb *find_verb(const char *name)
{
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(verbs); i++)
		if (strcmp(verbs[i]->name, name) == 0)
			return verbs[i];
	return NULL;
}

static void usage(FILE *out)
{
	fputs("usage: jailctl VERB [ARGS...]\n"
	      "       jailctl help VERB\n"
	      "       jailctl --version\n\n"
	      "verbs:\n",
	      out);
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(verbs); i++)
		fprintf(out, "  %-8s %-28s %s\n", verbs[i]->name, verbs[i]->synopsis,
			verbs[i]->summary);
	fputs("\nExit status: 0 success, 1 failure, 2 usage error. See jailctl(8).\n", out);
}

static int help(int argc, char **argv)
{
	const struct jailctl_verb *v;

	if (argc < 3) {
		usage(stdout);
		return JAILCTL_EXIT_OK;
	}
	v = find_verb(argv[2]);
	if (!v) {
		fprintf(stderr, "jailctl: unknown verb '%s'\n", argv[2]);
		usage(stderr);
		return JAILCTL_EXIT_USAGE;
	}
	jailctl_print_help(v);
	return JAILCTL_EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct jailctl_verb *v;

	if (argc < 2) {
		usage(stderr);
		return JAILCTL_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return JAILCTL_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("jailctl (pam_jail) " JAIL_VERSION);
		return JAILCTL_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argc, argv);
	v = find_verb(argv[1]);
	if (!v) {
		fprintf(stderr, "jailctl: unknown verb '%s'\n", argv[1]);
		usage(stderr);
		return JAILCTL_EXIT_USAGE;
	}
	return v->run(argc - 1, argv + 1);
}
