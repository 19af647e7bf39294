/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailctl spawn: the command's side (spawn_child.c). The verb (cmd_spawn.c)
 * opens the PAM session and stays its holder; what it forks becomes the
 * user the way sshd's session child does, then runs the command through
 * the user's login shell.
 */
#ifndef PAM_JAIL_JAILCTL_SPAWN_H
#define PAM_JAIL_JAILCTL_SPAWN_H

#include <sys/types.h>

struct spawn_target {
	const char *user;
	uid_t uid;
	gid_t gid;
	const char *home;  /* pw_dir */
	const char *shell; /* pw_shell, "/bin/sh" when empty (as login and sshd) */
	char **pam_env;	   /* pam_getenvlist() of the open session */
	char **kept_env;   /* NAME=VALUE taken from the caller with --env */
	char **cmd;	   /* absolute path first */
	int holder_pipe;   /* read end: EOF once the holder is gone */
};

/* In the forked child: become the user, build the login environment,
 * close every fd above 2, exec. Never returns: exit 126 (cannot become the
 * user) or 127 (cannot run the shell), with the reason on stderr. */
void spawn_child_exec(const struct spawn_target *t) __attribute__((noreturn));

/* The names the child sets itself, which --env cannot override. */
int spawn_env_name_is_reserved(const char *name);

#endif
