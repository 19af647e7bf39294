/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailsh: the login shell of jailed users (docs/jailsh.1). It runs as the
 * user inside the jail, proves that it is in the jail (the marker), does the
 * user-side setup and then becomes the profile's real shell.
 *
 * One concern per file: args.c (the login-shell command line), home_seed.c
 * (the tmpfs home from the skeleton), x11.c (DISPLAY and the cookie),
 * env.c (the clean environment), main.c (the recipe and the refusal).
 */
#ifndef JAILSH_H
#define JAILSH_H

#include <stdbool.h>

#include "marker.h"

/* Exit status when jailsh refuses to run (nothing was run). */
#define JAILSH_EXIT_REFUSED 1
/* Exit statuses of a shell that could not run a command (as sh does). */
#define JAILSH_EXIT_USAGE     2
#define JAILSH_EXIT_NOT_FOUND 127
#define JAILSH_EXIT_NOEXEC    126

/* Print "jailsh: <message>" to stderr (notes and warnings; never fatal). */
void jailsh_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------------------ */
/* args.c */

struct jailsh_args {
	bool login;	     /* argv[0] starts with '-', or -l / --login */
	bool interactive;    /* -i: passed on to the real shell */
	const char *command; /* -c COMMAND, or NULL */
	char **command_args; /* what follows COMMAND ($0 $1 ... of the command) */
	int n_command_args;
};

/* Parse jailsh's own command line. Returns 0, or -EINVAL with a message
 * in `msg` (for "jailsh: <msg>"). */
int jailsh_parse_args(int argc, char **argv, struct jailsh_args *ret, char *msg, size_t msg_len);

/* The argv for the real shell: argv[0] "-bash" for a login shell, then
 * -i / -c COMMAND ARGS... as given. NULL on out of memory. */
char **jailsh_shell_argv(const struct jailsh_args *a, const char *shell);

/* ------------------------------------------------------------------------ */
/* home_seed.c */

/* On a tmpfs home that is still empty (the first session of this jail),
 * copy the skeleton in. Problems are reported with jailsh_note() and never
 * stop the login; returns the number of problems (0: all fine or nothing
 * to do). */
int jailsh_seed_home(const struct jail_marker *m);

/* ------------------------------------------------------------------------ */
/* x11.c */

struct jailsh_x11 {
	char *display;	  /* DISPLAY to export, or NULL */
	char *xauthority; /* XAUTHORITY to export, or NULL (the default ~/.Xauthority) */
};

/* Decide DISPLAY/XAUTHORITY from the profile, the incoming environment and
 * the cookie the module passed, and write that cookie into
 * $HOME/.Xauthority. Never fatal. */
void jailsh_setup_x11(const struct jail_marker *m, struct jailsh_x11 *ret);
void jailsh_x11_clear(struct jailsh_x11 *x);

/* ------------------------------------------------------------------------ */
/* userns.c */

/* If the jail has a user namespace (JAIL_USERNS_PATH), check it and move
 * the caller into it, with its bounding set and securebits as before and
 * no capability. Returns 1 (entered), 0 (the jail has none), or a negative
 * errno with the reason in `msg`: the caller must refuse to run. Call it
 * only after jail_marker_verify() succeeded. */
int jailsh_enter_userns(char *msg, size_t msg_len);

/* ------------------------------------------------------------------------ */
/* env.c */

/* The environment the real shell gets (a NULL-terminated, malloc()ed
 * vector; NULL on out of memory). `in` is jailsh's own environment. */
char **jailsh_build_env(const struct jail_marker *m, const struct jailsh_x11 *x11, char *const *in);

#endif
