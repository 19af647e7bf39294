/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailctl: the administrator's tool. One verb per file (cmd_<verb>.c); the
 * table in main.c lists them. To add a verb: write cmd_<verb>.c with a
 * `const struct jailctl_verb jailctl_verb_<verb>`, declare it below and add
 * it to the table in main.c. Its command line goes through jailctl_option()
 * (options.c): --help and the shared options it names in `options` are
 * parsed there, the same way for every verb.
 */
#ifndef PAM_JAIL_JAILCTL_H
#define PAM_JAIL_JAILCTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "jail_client.h"
#include "policy.h"

/* Exit codes shared by every verb. */
enum {
	JAILCTL_EXIT_OK = 0,
	JAILCTL_EXIT_FAIL = 1,	/* the verb ran and the answer is "no" / an error */
	JAILCTL_EXIT_USAGE = 2, /* bad command line */
};

/* The options several verbs share (jailctl_option() parses them). */
enum {
	JAILCTL_OPT_CONFIG = 1u << 0,	/* -c, --config PATH: the policy to read */
	JAILCTL_OPT_STATEDIR = 1u << 1, /* -s, --statedir DIR: the registry */
	/* options end at the first operand (else they may come after it) */
	JAILCTL_OPT_IN_ORDER = 1u << 2,
};

struct jailctl_verb {
	const char *name;
	const char *synopsis; /* arguments, for `jailctl --help` */
	const char *summary;  /* one line */
	const char *help;     /* `jailctl help VERB`: the full text */
	unsigned options;     /* JAILCTL_OPT_*: the shared options it takes */
	/* argv[0] is the verb's name; returns an exit code */
	int (*run)(int argc, char **argv);
};

extern const struct jailctl_verb jailctl_verb_check;
extern const struct jailctl_verb jailctl_verb_explain;
extern const struct jailctl_verb jailctl_verb_list;
extern const struct jailctl_verb jailctl_verb_enter;
extern const struct jailctl_verb jailctl_verb_spawn;
extern const struct jailctl_verb jailctl_verb_stop;
extern const struct jailctl_verb jailctl_verb_mkroot;
extern const struct jailctl_verb jailctl_verb_update;
extern const struct jailctl_verb jailctl_verb_audit;
extern const struct jailctl_verb jailctl_verb_user_manager;
extern const struct jailctl_verb jailctl_verb_names;
extern const struct jailctl_verb jailctl_verb_metrics;

/*
 * A verb's command line. Every verb takes -h/--help (its help on stdout,
 * exit 0) and the shared options its `options` name; `own` and `own_short`
 * are its other options (getopt_long() tables, either may be NULL).
 *
 *	struct jailctl_options o = { .verb = &jailctl_verb_x };
 *	int r = jailctl_options_parse(&o, argc, argv);
 *	if (r >= 0)
 *		return r;
 *	... o.config, o.statedir, argv[optind] ...
 */
struct jailctl_options {
	const struct jailctl_verb *verb;
	const struct option *own;
	const char *own_short;
	/* what the shared options gave; NULL when not given */
	const char *config;
	const char *statedir;
	/* after jailctl_option() returned -1: what the verb returns */
	int exit_code;
	/* private */
	bool started;
	struct option longopts[16];
	char shortopts[48];
};

/* The next of the verb's own options (its getopt value, optarg set), 0 when
 * the options end (optind at the first operand), or -1 when the verb must
 * return o->exit_code: help was printed, or a usage error. */
int jailctl_option(struct jailctl_options *o, int argc, char **argv);

/* For a verb without options of its own: -1 to go on (optind at the first
 * operand), else the exit code to return. */
int jailctl_options_parse(struct jailctl_options *o, int argc, char **argv);

/* "usage: jailctl VERB SYNOPSIS" and the verb's help, on stdout. */
void jailctl_print_help(const struct jailctl_verb *v);

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
