/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jailctl stop USER: end the user's jails and their sessions. */
#include <stdio.h>
#include <string.h>

#include "jailctl.h"

/* Stop one jail: ask its keeper (which answers once the jail has ended and
 * its entry is gone), or, when the keeper is gone or does not answer in
 * time (jail_proto.h), remove the stale entry under the key's lock as a
 * login would (killing the keeper and the jail's PID 1 through pidfds). */
static int stop_key(const struct jail_state *st, const char *key)
{
	struct jail_error err = { 0 };
	struct jail_info info = { 0 };
	_cleanup_close_ int lock = -1;
	_cleanup_close_ int sock = -1;
	int r;

	jail_info_read(st, key, &info, NULL);
	sock = jail_connect(st, key, &err);
	if (sock >= 0) {
		r = jail_stop(sock, &err);
		jail_closep(&sock);
		sock = -1;
		if (r >= 0) {
			printf("stopped %s (user %s, profile %s, id %s)\n", key, info.user,
			       info.profile, info.id);
			return 0;
		}
		if (r != -ETIMEDOUT && r != -EAGAIN) {
			fprintf(stderr, "jailctl stop: %s: %s\n", key, err.message);
			return r;
		}
		fprintf(stderr, "jailctl stop: %s: %s: killing its keeper\n", key, err.message);
		sock = -ETIMEDOUT;
	} else if (sock == -ETIMEDOUT) {
		fprintf(stderr, "jailctl stop: %s: %s: killing its keeper\n", key, err.message);
	}
	if (sock != -ECONNREFUSED && sock != -ETIMEDOUT) {
		if (sock == -ENOENT)
			return 0; /* ended by itself meanwhile */
		fprintf(stderr, "jailctl stop: %s: %s\n", key, err.message);
		return sock;
	}
	lock = jail_lock_key(st, key, &err);
	if (lock < 0) {
		fprintf(stderr, "jailctl stop: %s: %s\n", key, err.message);
		return lock;
	}
	r = jail_remove_stale(st, key, &err);
	if (r < 0) {
		fprintf(stderr, "jailctl stop: %s: %s\n", key, err.message);
		return r;
	}
	printf("removed stale %s (user %s)\n", key, info.user);
	return 0;
}

static int run_stop(int argc, char **argv)
{
	struct jail_state st = JAIL_STATE_INIT;
	struct jailctl_options o = { .verb = &jailctl_verb_stop };
	const char *user;
	char **keys = NULL;
	int r, failed = 0;

	r = jailctl_options_parse(&o, argc, argv);
	if (r >= 0)
		return r;
	if (optind + 1 != argc)
		return jailctl_usage_error(&jailctl_verb_stop,
					   optind == argc ? "whose jail?" : "one user at a time");
	user = argv[optind];

	r = jailctl_open_registry(o.statedir, &st);
	if (r == -ENOENT) {
		fprintf(stderr, "jailctl stop: %s has no running jail\n", user);
		return JAILCTL_EXIT_FAIL;
	}
	if (r < 0)
		return JAILCTL_EXIT_FAIL;
	r = jailctl_user_keys(&st, user, &keys);
	if (r <= 0) {
		if (r == 0)
			fprintf(stderr, "jailctl stop: %s has no running jail\n", user);
		jail_state_close(&st);
		return JAILCTL_EXIT_FAIL;
	}
	for (char **k = keys; *k; k++)
		if (stop_key(&st, *k) < 0)
			failed++;
	jail_strv_free(keys);
	jail_state_close(&st);
	return failed ? JAILCTL_EXIT_FAIL : JAILCTL_EXIT_OK;
}

const struct jailctl_verb jailctl_verb_stop = {
	.name = "stop",
	.synopsis = "USER [--statedir DIR]",
	.summary = "end USER's jails: every process in them is killed",
	.help = "Ends every jail of USER (one, or several with lifetime \"session\"): the\n"
		"jail's keeper kills every process in it, removes its mounts, namespaces\n"
		"and registry entry, and only then does jailctl return. The user's open\n"
		"sessions lose their processes; sshd closes the connections. A stale\n"
		"entry (keeper gone) is cleaned up instead. Root only.\n"
		"  --statedir DIR   use this registry instead (the module's statedir=)\n",
	.options = JAILCTL_OPT_STATEDIR,
	.run = run_stop,
};
