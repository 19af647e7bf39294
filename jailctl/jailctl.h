/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailctl: the administrator's tool. One verb per file (cmd_<verb>.c); the
 * table in main.c lists them. To add a verb: write cmd_<verb>.c with a
 * `const struct jailctl_verb jailctl_verb_<verb>`, declare it below and add
 * it to the table in main.c.
 */
#ifndef PAM_JAIL_JAILCTL_H
#define PAM_JAIL_JAILCTL_H

#include <stdbool.h>
#include <sys/types.h>

#include "jail_client.h"
#include "policy.h"

/* Exit codes shared by every verb. */
enum {
	JAILCTL_EXIT_OK = 0,
	JAILCTL_EXIT_FAIL = 1,	/* the verb ran and the answer is "no" / an error */
	JAILCTL_EXIT_USAGE = 2, /* bad command line */
};

struct jailctl_verb {
	const char *name;
	const char *synopsis; /* arguments, for `jailctl --help` */
	const char *summary;  /* one line */
	const char *help;     /* `jailctl help VERB`: the full text */
	/* argv[0] is the verb's name; returns an exit code */
	int (*run)(int argc, char **argv);
};

extern const struct jailctl_verb jailctl_verb_check;
extern const struct jailctl_verb jailctl_verb_explain;
extern const struct jailctl_verb jailctl_verb_list;
extern const struct jailctl_verb jailctl_verb_enter;
extern const struct jailctl_verb jailctl_verb_stop;
extern const struct jailctl_verb jailctl_verb_mkroot;
extern const struct jailctl_verb jailctl_verb_update;
extern const struct jailctl_verb jailctl_verb_audit;
extern const struct jailctl_verb jailctl_verb_user_manager;
extern const struct jailctl_verb jailctl_verb_names;
extern const struct jailctl_verb jailctl_verb_metrics;

/* Print "jailctl VERB: usage: ..." to stderr; returns JAILCTL_EXIT_USAGE. */
int jailctl_usage_error(const struct jailctl_verb *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Where the policy is read from: the installed files, or with --config PATH
 * that file and the `jail.d` directory next to it. Not root: files owned by
 * the caller are trusted too (so an admin can check a draft they own); a
 * note on stderr says so.
 */
struct jailctl_policy_source {
	char *main_path;
	char *dropin_dir;
	uid_t trusted_uid;
};

/* Fill `src` from an optional --config argument (NULL: the installed
 * policy). Returns 0, or prints the problem and returns -1. */
int jailctl_policy_source(const char *config_arg, struct jailctl_policy_source *src);
void jailctl_policy_source_clear(struct jailctl_policy_source *src);

/* Load the policy; on failure print every problem as `file:line: message`
 * to `out` and return the negative errno. */
/* One loader problem as "file:line: message" (or "file: message"). */
void jailctl_print_error(FILE *out, const struct jail_error *e);

int jailctl_load_policy(const struct jailctl_policy_source *src, FILE *out,
			struct jail_config **ret);

/* The running-jail verbs (running.c). Open the registry read-only (NULL:
 * JAIL_STATE_DIR); prints why it can't and returns a negative errno
 * (-ENOENT: there is none, so no jail runs). */
int jailctl_open_registry(const char *state_dir, struct jail_state *ret);

/* The registry keys of USER's jails (by the user name or uid recorded in
 * each entry). Returns their number; *ret_keys is NULL-terminated. */
int jailctl_user_keys(const struct jail_state *st, const char *user, char ***ret_keys);

#endif
