/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailctl user-manager USER|UID: may USER have a systemd --user?
 *
 * pam_jail refuses the PAM session of a jailed user's user manager
 * (pam_module/pam_usermgr.h): the unit then fails (224/PAM) and the host
 * reads "degraded". The drop-in contrib/systemd/user@.service.d/pam-jail.conf
 * asks this verb first, as user@.service's ExecCondition=, so that the
 * unit is skipped instead: exit 1 (1..254 means "skip" there) when the
 * policy jails the user or refuses them, 0 otherwise. It follows the
 * policy, not the PAM stacks: where pam_jail is in sshd's stack but not in
 * systemd-user's, a user manager on the host would be the jailed user's
 * way out, and skipping it is right; where pam_jail is off altogether, the
 * policy still names the users it is meant for.
 *
 * Only the "skip" answer is this verb's to give. When it cannot tell (no
 * such user, an unreadable policy, the directory down) it says why and
 * answers 0: the unit goes on to its PAM session, where pam_jail decides
 * and fails closed. So this verb can cost a user their user manager, never
 * give a jailed user one.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jailctl.h"

enum {
	USERMGR_MAY_RUN = 0, /* not jailed, or unknown here: PAM decides */
	USERMGR_SKIP = 1,    /* jailed or refused: no user manager */
};

/* "1000" (what user@1000.service passes as %i) or a name; the name NSS
 * reports, in `buf`. Returns 0, or -ENOENT with the reason printed. */
static int user_name(const char *arg, char *buf, size_t cap)
{
	struct passwd *pw;
	char *end;

	errno = 0;
	unsigned long uid = strtoul(arg, &end, 10);
	if (arg[0] >= '0' && arg[0] <= '9' && *end == '\0' && errno == 0 &&
	    uid == (unsigned long)(uid_t)uid)
		pw = getpwuid((uid_t)uid);
	else
		pw = getpwnam(arg);
	if (!pw || snprintf(buf, cap, "%s", pw->pw_name) >= (int)cap) {
		fprintf(stderr, "jailctl user-manager: no user '%s'; pam_jail decides at login\n",
			arg);
		return -ENOENT;
	}
	return 0;
}

static int run_user_manager(int argc, char **argv)
{
	struct jailctl_policy_source src;
	struct jail_config *c = NULL;
	struct jail_policy *p = NULL;
	struct jail_error err = { 0 };
	enum jail_verdict verdict;
	char user[256];
	struct jailctl_options o = { .verb = &jailctl_verb_user_manager };
	int r;

	r = jailctl_options_parse(&o, argc, argv);
	if (r >= 0)
		return r;
	if (optind + 1 != argc)
		return jailctl_usage_error(&jailctl_verb_user_manager,
					   optind == argc ? "which user?" : "one user at a time");
	if (user_name(argv[optind], user, sizeof(user)) < 0)
		return USERMGR_MAY_RUN;
	if (jailctl_policy_source(o.config, &src) < 0)
		return JAILCTL_EXIT_USAGE;
	r = jailctl_load_policy(&src, stderr, &c);
	jailctl_policy_source_clear(&src);
	if (r < 0) {
		fprintf(stderr,
			"jailctl user-manager: user=%s: the policy is not valid; pam_jail "
			"decides at login (and refuses)\n",
			user);
		return USERMGR_MAY_RUN;
	}
	r = jail_config_resolve(c, user, &verdict, &p, &err);
	jail_config_free(c);
	if (r < 0) {
		fprintf(stderr, "jailctl user-manager: user=%s: %s; pam_jail decides at login\n",
			user, err.message[0] ? err.message : strerror(-r));
		return USERMGR_MAY_RUN;
	}
	switch (verdict) {
	case JAIL_VERDICT_JAIL:
		printf("user=%s profile=%s: jailed, so no systemd --user (pam_jail(8), USER "
		       "MANAGER)\n",
		       user, p->profile);
		r = USERMGR_SKIP;
		break;
	case JAIL_VERDICT_REFUSE:
		printf("user=%s: no rule names this user and the policy refuses unmatched users, "
		       "so no systemd --user\n",
		       user);
		r = USERMGR_SKIP;
		break;
	case JAIL_VERDICT_NONE:
	default:
		printf("user=%s: not jailed; systemd --user may run\n", user);
		r = USERMGR_MAY_RUN;
		break;
	}
	jail_policy_free(p);
	return r;
}

const struct jailctl_verb jailctl_verb_user_manager = {
	.name = "user-manager",
	.synopsis = "USER|UID [--config PATH]",
	.summary = "may USER have a systemd --user? (user@.service's ExecCondition)",
	.help = "Resolve the policy for USER (a name, or the UID user@UID.service passes)\n"
		"and answer whether systemd's per-user service manager may run for them:\n"
		"pam_jail refuses it for every user the policy jails (pam_jail(8), USER\n"
		"MANAGER). The drop-in user@.service.d/pam-jail.conf runs this as\n"
		"ExecCondition=, so user@UID.service of a jailed user is skipped rather\n"
		"than failed.\n\n"
		"Exit status: 1 the policy jails or refuses USER: no user manager; 0 it\n"
		"does not, or this cannot tell (unknown user, invalid policy, directory\n"
		"down: the message says why, and pam_jail decides at login, failing\n"
		"closed); 2 usage error.\n",
	.options = JAILCTL_OPT_CONFIG,
	.run = run_user_manager,
};
