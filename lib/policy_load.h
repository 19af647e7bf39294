/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the policy loader: the state of one load, shared by the file
 * handling (policy_load.c), the profile schema (policy_parse.c) and the
 * checks across profiles (policy_inherit.c). Nothing outside lib/policy_*.c
 * includes this.
 */
#ifndef PAM_JAIL_POLICY_LOAD_H
#define PAM_JAIL_POLICY_LOAD_H

#include <libconfig.h>

#include "policy_internal.h"

struct jail_loader {
	struct jail_config *c;
	struct jail_error *errs; /* every problem found, for jailctl check */
	size_t n_errs, cap;
	size_t total;	/* problems found, including those past the cap */
	int first_code; /* errno-style code of the first problem */
	bool truncated; /* more problems than the cap */
	bool closing;	/* adding the final "too many errors" line */
	bool oom;
	uid_t trusted_uid;
	const char *file; /* the file being parsed (interned in c->files) */
	/* jailctl check on a draft: a file pam_jail would refuse for where it
	 * is (owner, mode, of it or a directory above) is still read, and the
	 * refusal is kept apart from the problems of its content. */
	bool draft;
	struct jail_error *refusals;
	size_t n_refusals;
};

/* Record a problem at file:line (line 0: the file as a whole). */
void jail_loader_error(struct jail_loader *L, int code, const char *file, int line, const char *fmt,
		       ...) __attribute__((format(printf, 5, 6)));

/* A setting's line number (libconfig numbers from 1). */
int jail_setting_line(const config_setting_t *s);

/* Parse one `name = { ... }` profile group into p->set / p->set_origin. */
void jail_parse_profile(struct jail_loader *L, config_setting_t *group, struct jail_profile *p);

/* After every file: resolve `extends`, build each profile's effective
 * values, check what can only be checked on them, and link rules. */
void jail_config_finalize(struct jail_loader *L);

#endif
