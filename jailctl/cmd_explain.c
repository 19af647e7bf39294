/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jailctl explain USER: what the policy does to USER, and why. */
#include <stdio.h>

#include "jailctl.h"

static int run_explain(int argc, char **argv)
{
	struct jailctl_policy_source src;
	struct jail_config *c = NULL;
	struct jail_error err = { 0 };
	struct jailctl_options o = { .verb = &jailctl_verb_explain };
	const char *user;
	int r;

	/* GNU getopt permutes: `explain alice --config x` works too */
	r = jailctl_options_parse(&o, argc, argv);
	if (r >= 0)
		return r;
	if (optind + 1 != argc)
		return jailctl_usage_error(&jailctl_verb_explain,
					   optind == argc ? "which user?" : "one user at a time");
	user = argv[optind];
	if (jailctl_policy_source(o.config, &src) < 0)
		return JAILCTL_EXIT_USAGE;
	r = jailctl_load_policy(&src, stderr, &c);
	jailctl_policy_source_clear(&src);
	if (r < 0) {
		fprintf(stderr, "jailctl explain: the policy is not valid: every login it governs "
				"is refused\n");
		return JAILCTL_EXIT_FAIL;
	}
	fflush(stdout);
	r = jail_config_explain(c, user, stdout, &err);
	jail_config_free(c);
	if (r < 0) {
		if (err.file[0])
			fprintf(stderr, "jailctl explain: %s:%d: %s\n", err.file, err.line,
				err.message);
		else
			fprintf(stderr, "jailctl explain: %s\n", err.message);
		return JAILCTL_EXIT_FAIL;
	}
	return JAILCTL_EXIT_OK;
}

const struct jailctl_verb jailctl_verb_explain = {
	.name = "explain",
	.synopsis = "USER [--config PATH]",
	.summary = "show the jail USER gets, each value with its origin",
	.help = "Resolve the policy for USER as pam_jail would at login: the user and\n"
		"groups NSS reports, the rule that decides, the rules that also match but\n"
		"lose (and why), and every key of the resulting jail with the file:line\n"
		"it comes from, or 'default'.\n\n"
		"Exit status: 0 explained, 1 unknown user / lookup failure / invalid\n"
		"policy, 2 usage error.\n",
	.options = JAILCTL_OPT_CONFIG,
	.run = run_explain,
};
