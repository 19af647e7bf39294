/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jailctl enter USER [-- CMD...]: a root shell inside a running jail. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "jail_setns.h"
#include "jailctl.h"

/* A small fixed environment: nothing of the administrator's session (their
 * HOME, XAUTHORITY, SSH_AUTH_SOCK name host paths) is carried in. */
static char **enter_environment(void)
{
	static char path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	static char home[] = "HOME=/";
	static char ps1[] = "PS1=[jail:\\u@\\h \\W]# ";
	static char term[128];
	static char *env[] = { path, home, ps1, term, NULL };
	const char *t = getenv("TERM");

	snprintf(term, sizeof(term), "TERM=%s", t && strlen(t) < 100 ? t : "dumb");
	return env;
}

static int enter_and_run(const struct jail_state *st, const char *key, char **cmd)
{
	static char bash[] = "/bin/bash", sh[] = "/bin/sh", interactive[] = "-i";
	static char *const default_bash[] = { bash, interactive, NULL };
	static char *const default_sh[] = { sh, interactive, NULL };
	struct jail_error err = { 0 };
	struct jail_join_result jr = { .init_pidfd = -1 };
	_cleanup_close_ int sock = -1;
	_cleanup_close_ int pidfd = -1;
	char *const *argv;
	int status, r;
	pid_t child;

	sock = jail_connect(st, key, &err);
	if (sock < 0) {
		fprintf(stderr, "jailctl enter: %s: %s\n", key,
			sock == -ECONNREFUSED ? "the jail's keeper is gone (stale entry)"
					      : err.message);
		return JAILCTL_EXIT_FAIL;
	}
	r = jail_enter(sock, &jr, &err);
	if (r < 0) {
		fprintf(stderr, "jailctl enter: %s: %s\n", key, err.message);
		return JAILCTL_EXIT_FAIL;
	}
	pidfd = jr.init_pidfd;
	jail_closep(&sock); /* ENTER is not a session: nothing to keep open */

	r = jail_setns(pidfd, jr.ns_flags, &err);
	if (r < 0) {
		fprintf(stderr, "jailctl enter: %s\n", err.message);
		return JAILCTL_EXIT_FAIL;
	}
	jail_closep(&pidfd);

	/* setns(CLONE_NEWPID) moves only our children into the jail's PID
	 * namespace, so the command runs in a child. */
	child = fork();
	if (child < 0) {
		perror("jailctl enter: fork");
		return JAILCTL_EXIT_FAIL;
	}
	if (child == 0) {
		argv = cmd ? cmd : (access("/bin/bash", X_OK) == 0 ? default_bash : default_sh);
		execve(argv[0], argv, enter_environment());
		fprintf(stderr, "jailctl enter: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR) {
			perror("jailctl enter: waitpid");
			return JAILCTL_EXIT_FAIL;
		}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static int run_enter(int argc, char **argv)
{
	static const struct option own[] = {
		{ "key", required_argument, NULL, 'k' },
		{ 0 },
	};
	struct jailctl_options o = { .verb = &jailctl_verb_enter, .own = own, .own_short = "k:" };
	struct jail_state st = JAIL_STATE_INIT;
	const char *key = NULL, *user;
	char **keys = NULL, **cmd = NULL;
	int opt, r, n;

	/* GNU getopt permutes, so options may come before or after USER, and
	 * stops at "--": what follows it (the command and its own options)
	 * is left alone. */
	while ((opt = jailctl_option(&o, argc, argv)) > 0)
		key = optarg; /* 'k', the only one */
	if (opt < 0)
		return o.exit_code;
	if (optind >= argc)
		return jailctl_usage_error(&jailctl_verb_enter, "whose jail?");
	user = argv[optind++];
	if (optind < argc) {
		if (argv[optind][0] != '/')
			return jailctl_usage_error(&jailctl_verb_enter,
						   "the command needs an absolute path");
		cmd = argv + optind;
	}
	if (key && !jail_key_is_valid(key))
		return jailctl_usage_error(&jailctl_verb_enter, "'%s' is not a registry key", key);

	r = jailctl_open_registry(o.statedir, &st);
	if (r == -ENOENT) {
		fprintf(stderr, "jailctl enter: %s has no running jail\n", user);
		return JAILCTL_EXIT_FAIL;
	}
	if (r < 0)
		return JAILCTL_EXIT_FAIL;
	n = jailctl_user_keys(&st, user, &keys);
	if (n <= 0) {
		if (n == 0)
			fprintf(stderr, "jailctl enter: %s has no running jail\n", user);
		jail_state_close(&st);
		return JAILCTL_EXIT_FAIL;
	}
	if (!key && n > 1) {
		fprintf(stderr, "jailctl enter: %s has %d jails; name one with --key:\n", user, n);
		for (char **k = keys; *k; k++)
			fprintf(stderr, "  %s\n", *k);
		r = JAILCTL_EXIT_FAIL;
	} else {
		bool found = !key;
		for (char **k = keys; key && *k; k++)
			found = found || strcmp(*k, key) == 0;
		if (!found) {
			fprintf(stderr, "jailctl enter: %s is not a jail of %s\n", key, user);
			r = JAILCTL_EXIT_FAIL;
		} else {
			r = enter_and_run(&st, key ? key : keys[0], cmd);
		}
	}
	jail_strv_free(keys);
	jail_state_close(&st);
	return r;
}

const struct jailctl_verb jailctl_verb_enter = {
	.name = "enter",
	.synopsis = "USER [--statedir DIR] [--key KEY] [-- /PATH/CMD ARGS...]",
	.summary = "a root shell (or CMD) inside USER's jail",
	.help = "Joins the namespaces of USER's running jail (mount, PID, network, IPC,\n"
		"UTS, cgroup, time, as the jail has them) and runs an interactive root\n"
		"shell there (/bin/bash, else /bin/sh), or CMD given by absolute path.\n"
		"The shell is root with all of the administrator's privileges (never in\n"
		"the jail's user namespace): it is for looking, not a jail of its own.\n"
		"It is not counted as a session. The environment is fixed (PATH,\n"
		"HOME=/, TERM). Exit status: the command's.\n"
		"  --key KEY        which jail, when USER has several (lifetime \"session\")\n"
		"  --statedir DIR   use this registry instead (the module's statedir=)\n",
	.options = JAILCTL_OPT_STATEDIR,
	.run = run_enter,
};
