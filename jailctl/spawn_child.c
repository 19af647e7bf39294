/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailctl spawn: the child that becomes the user (spawn.h).
 *
 * What sshd's session child does, in the same order (session.c:
 * do_setusercontext, do_child): a session of its own, the groups, the gid,
 * the uid (util-linux's order: setgroups, setresgid, setresuid), a check
 * that root cannot be taken back (OpenSSH's permanently_set_uid), a fresh
 * environment, the home as working directory, the login shell with -c.
 * It runs after pam_open_session, so it is already in the jail's mount,
 * network, UTS and IPC namespaces, and, being forked after the holder
 * joined the PID namespace for its children, in the jail's PID namespace.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"

/* sshd's _PATH_STDPATH for users: pam_env or the caller (--env) may set
 * another; jailsh replaces it with the profile's. */
#define SPAWN_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin:/usr/games"

/* Runs the command with its own argv, whatever the shell: "$0" is the
 * command, "$@" its arguments, so nothing is re-parsed or re-quoted. This
 * is the string jailsh(1) and every POSIX shell take after -c. */
static const char shell_exec_argv[] = "exec \"$0\" \"$@\"";

static const char *const reserved_names[] = { "HOME", "USER", "LOGNAME", "SHELL" };

int spawn_env_name_is_reserved(const char *name)
{
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(reserved_names); i++)
		if (strcmp(name, reserved_names[i]) == 0)
			return 1;
	return 0;
}

static void __attribute__((noreturn, format(printf, 2, 3))) die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("jailctl spawn: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(status);
}

/* Later entries win, as sshd's child_set_env does: the login identity,
 * then what PAM modules exported, then what the caller named. */
static int env_set(char **env, size_t *n, size_t cap, const char *entry)
{
	size_t name_len = strcspn(entry, "=");

	if (entry[name_len] != '=')
		return 0; /* pam_getenvlist gives NAME=VALUE only */
	for (size_t i = 0; i < *n; i++)
		if (strncmp(env[i], entry, name_len + 1) == 0) {
			env[i] = (char *)(uintptr_t)entry;
			return 0;
		}
	if (*n + 1 >= cap)
		return -E2BIG;
	env[(*n)++] = (char *)(uintptr_t)entry;
	env[*n] = NULL;
	return 0;
}

static char **build_env(const struct spawn_target *t)
{
	size_t cap = 9, n = 0;
	char **env;
	char *own[5];

	for (char **p = t->pam_env; p && *p; p++)
		cap++;
	for (char **p = t->kept_env; p && *p; p++)
		cap++;
	env = calloc(cap, sizeof(*env));
	if (!env)
		return NULL;
	if (asprintf(&own[0], "HOME=%s", t->home) < 0 ||
	    asprintf(&own[1], "USER=%s", t->user) < 0 ||
	    asprintf(&own[2], "LOGNAME=%s", t->user) < 0 ||
	    asprintf(&own[3], "SHELL=%s", t->shell) < 0 ||
	    asprintf(&own[4], "PATH=%s", SPAWN_DEFAULT_PATH) < 0)
		return NULL; /* the child exits: nothing to free */
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(own); i++)
		if (env_set(env, &n, cap, own[i]) < 0)
			return NULL;
	for (char **p = t->pam_env; p && *p; p++) {
		/* The identity is ours to set, not a module's. */
		size_t len = strcspn(*p, "=");
		char name[64];
		if (len < sizeof(name)) {
			memcpy(name, *p, len);
			name[len] = '\0';
			if (spawn_env_name_is_reserved(name))
				continue;
		}
		if (env_set(env, &n, cap, *p) < 0)
			return NULL;
	}
	for (char **p = t->kept_env; p && *p; p++)
		if (env_set(env, &n, cap, *p) < 0)
			return NULL;
	/* jailsh(1) builds its shell's environment afresh; this names the
	 * variables it is to let through (the caller's --env). */
	if (t->kept_env && t->kept_env[0]) {
		size_t len = strlen("JAILSH_KEEP_ENV=") + 1;
		char *keep;
		for (char **p = t->kept_env; *p; p++)
			len += strcspn(*p, "=") + 1;
		keep = malloc(len);
		if (!keep)
			return NULL;
		strcpy(keep, "JAILSH_KEEP_ENV=");
		for (char **p = t->kept_env; *p; p++) {
			if (p != t->kept_env)
				strcat(keep, ":");
			strncat(keep, *p, strcspn(*p, "="));
		}
		if (env_set(env, &n, cap, keep) < 0)
			return NULL;
	}
	return env;
}

static void become_user(const struct spawn_target *t)
{
	if (initgroups(t->user, t->gid) < 0)
		die(126, "initgroups(%s): %s", t->user, strerror(errno));
	if (setresgid(t->gid, t->gid, t->gid) < 0)
		die(126, "setresgid(%u): %s", (unsigned)t->gid, strerror(errno));
	if (setresuid(t->uid, t->uid, t->uid) < 0)
		die(126, "setresuid(%u): %s", (unsigned)t->uid, strerror(errno));
	/* OpenSSH's check: if root can be taken back, the drop did not
	 * happen, whatever the calls said. */
	if (t->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		die(126, "could take back root after becoming %s: refusing", t->user);
	if (getuid() != t->uid || geteuid() != t->uid || getgid() != t->gid || getegid() != t->gid)
		die(126, "the ids are not %u:%u after the drop", (unsigned)t->uid,
		    (unsigned)t->gid);
}

void spawn_child_exec(const struct spawn_target *t)
{
	static char dash_c[] = "-c";
	sigset_t none;
	size_t n = 0;
	char **argv, **env;
	const char *base;

	/* Its own session and process group: the caller's terminal signals
	 * reach the command only through the holder, which forwards them. */
	if (setsid() < 0)
		die(126, "setsid: %s", strerror(errno));
	/* The holder blocks the signals it forwards; a command starts with
	 * none blocked and every disposition at its default (the caller may
	 * have ignored SIGPIPE or SIGINT: execve keeps ignored signals). */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	become_user(t);
	/* If the holder is killed (SIGKILL: no pam_close_session), the
	 * keeper counts the session out, but a jail shared with other
	 * sessions goes on: the command must not outlive its session. Set
	 * after the uid change (which clears it), then make sure the holder
	 * did not die before it was set: its end of the pipe closes with it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		die(126, "PR_SET_PDEATHSIG: %s", strerror(errno));
	if (t->holder_pipe >= 0) {
		struct pollfd pfd = { .fd = t->holder_pipe, .events = POLLIN };
		if (poll(&pfd, 1, 0) != 0)
			die(126, "the session's holder is gone");
	}

	env = build_env(t);
	for (char **p = t->cmd; *p; p++)
		n++;
	argv = calloc(n + 4, sizeof(*argv));
	if (!env || !argv)
		die(126, "out of memory");
	base = strrchr(t->shell, '/');
	argv[0] = (char *)(uintptr_t)(base ? base + 1 : t->shell);
	argv[1] = dash_c;
	argv[2] = (char *)(uintptr_t)shell_exec_argv;
	for (size_t i = 0; i < n; i++)
		argv[3 + i] = t->cmd[i];

	if (chdir(t->home) < 0) {
		fprintf(stderr, "jailctl spawn: cannot enter the home '%s': %s; starting in /\n",
			t->home, strerror(errno));
		if (chdir("/") < 0)
			die(126, "chdir /: %s", strerror(errno));
	}
	/* Only stdin, stdout and stderr reach the command: the holder's PAM
	 * handle, its connection to the keeper and whatever the caller left
	 * open stay out of the jail. */
	if (close_range(3, ~0U, 0) < 0)
		die(126, "close_range: %s", strerror(errno));
	execve(t->shell, argv, env);
	die(127, "cannot run the login shell '%s': %s", t->shell, strerror(errno));
}
