/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jailctl check: is the policy valid? Every problem as file:line: message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jailctl.h"

static int run_check(int argc, char **argv)
{
	struct jailctl_policy_source src;
	struct jail_config *c = NULL;
	struct jail_error *errs = NULL, *refusals = NULL;
	size_t n_errs = 0, n_refusals = 0;
	size_t files, profiles, rules;
	struct jailctl_options o = { .verb = &jailctl_verb_check };
	int r;

	r = jailctl_options_parse(&o, argc, argv);
	if (r >= 0)
		return r;
	if (optind != argc)
		return jailctl_usage_error(&jailctl_verb_check, "unexpected argument '%s'",
					   argv[optind]);
	if (jailctl_policy_source(o.config, &src) < 0)
		return JAILCTL_EXIT_USAGE;
	/* The content first, wherever the file is: a draft in /tmp gets its
	 * syntax errors reported, not only "'/tmp' is world-writable". */
	r = jail_config_check_draft(src.main_path, src.dropin_dir, src.trusted_uid, &c, &errs,
				    &n_errs, &refusals, &n_refusals);
	for (size_t i = 0; i < n_errs; i++)
		jailctl_print_error(stdout, &errs[i]);
	if (r < 0 && n_errs == 0)
		printf("%s: %s\n", src.main_path, strerror(-r));
	for (size_t i = 0; i < n_refusals; i++)
		printf("%s: refused where it is: pam_jail would not read it: %s\n",
		       refusals[i].file, refusals[i].message);
	if (r == 0) {
		jail_config_counts(c, &files, &profiles, &rules);
		printf("%s: %s (%zu file%s, %zu profile%s, %zu rule%s)%s\n", src.main_path,
		       n_refusals ? "content valid" : "valid", files, files == 1 ? "" : "s",
		       profiles, profiles == 1 ? "" : "s", rules, rules == 1 ? "" : "s",
		       n_refusals ? ", but refused where it is (see above): policy files and "
				    "every directory above them must be owned by root and not "
				    "writable by group or others"
				  : "");
	}
	free(errs);
	free(refusals);
	jail_config_free(c);
	jailctl_policy_source_clear(&src);
	return r == 0 && n_refusals == 0 ? JAILCTL_EXIT_OK : JAILCTL_EXIT_FAIL;
}

const struct jailctl_verb jailctl_verb_check = {
	.name = "check",
	.synopsis = "[--config PATH]",
	.summary = "check the policy; list every problem as file:line: message",
	.help = "Load the policy (" JAIL_CONFIG_PATH " and " JAIL_CONFIG_DIR "/*.conf, or\n"
		"PATH and the jail.d directory next to it) exactly as pam_jail does and\n"
		"print each problem as 'file:line: message'. A file pam_jail would refuse\n"
		"for where it is (not root's, or writable by group or others, itself or a\n"
		"directory above it) is still checked, and the refusal is its own line,\n"
		"'file: refused where it is: ...': a draft can be checked anywhere.\n\n"
		"Exit status: 0 the policy is valid and would be read where it is, 1 it\n"
		"is not, 2 usage error.\n",
	.options = JAILCTL_OPT_CONFIG | JAILCTL_OPT_IN_ORDER,
	.run = run_check,
};
