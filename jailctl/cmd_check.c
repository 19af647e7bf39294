/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jailctl check: is the policy valid? Every problem as file:line: message. */
#include <getopt.h>
#include <stdio.h>

#include "jailctl.h"

static int run_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct jailctl_policy_source src;
	struct jail_config *c = NULL;
	const char *config = NULL;
	size_t files, profiles, rules;
	int opt, r;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'h':
			printf("usage: jailctl check %s\n\n%s", jailctl_verb_check.synopsis,
			       jailctl_verb_check.help);
			return JAILCTL_EXIT_OK;
		default:
			return jailctl_usage_error(&jailctl_verb_check, "bad option");
		}
	}
	if (optind != argc)
		return jailctl_usage_error(&jailctl_verb_check, "unexpected argument '%s'",
					   argv[optind]);
	if (jailctl_policy_source(config, &src) < 0)
		return JAILCTL_EXIT_USAGE;
	r = jailctl_load_policy(&src, stdout, &c);
	if (r < 0) {
		jailctl_policy_source_clear(&src);
		return JAILCTL_EXIT_FAIL;
	}
	jail_config_counts(c, &files, &profiles, &rules);
	printf("%s: valid (%zu file%s, %zu profile%s, %zu rule%s)\n", src.main_path, files,
	       files == 1 ? "" : "s", profiles, profiles == 1 ? "" : "s", rules,
	       rules == 1 ? "" : "s");
	jail_config_free(c);
	jailctl_policy_source_clear(&src);
	return JAILCTL_EXIT_OK;
}

const struct jailctl_verb jailctl_verb_check = {
	.name = "check",
	.synopsis = "[--config PATH]",
	.summary = "check the policy; list every problem as file:line: message",
	.help = "Load the policy (" JAIL_CONFIG_PATH " and " JAIL_CONFIG_DIR "/*.conf, or\n"
		"PATH and the jail.d directory next to it) exactly as pam_jail does and\n"
		"print each problem as 'file:line: message'.\n\n"
		"Exit status: 0 the policy is valid, 1 it is not, 2 usage error.\n",
	.run = run_check,
};
