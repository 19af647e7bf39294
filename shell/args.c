/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailsh's command line: what login, su and sshd pass to a login shell.
 *
 *   -jailsh                  login(1), su -, sshd with a terminal: login shell
 *   jailsh -c COMMAND [ARG]  sshd for `ssh host cmd`, scp, rsync, sftp-server
 *   -jailsh -c COMMAND       su - USER -c COMMAND
 *   -l, --login, -i          as in sh(1); anything else is refused, as is a
 *                            script file name: jailsh is not a script runner.
 */
#include <stdio.h>
#include <string.h>

#include "jailsh.h"

int jailsh_parse_args(int argc, char **argv, struct jailsh_args *ret, char *msg, size_t msg_len)
{
	int i;

	memset(ret, 0, sizeof(*ret));
	ret->login = argc > 0 && argv[0] && argv[0][0] == '-';
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool want_command = false;

		if (strcmp(a, "--login") == 0) {
			ret->login = true;
			continue;
		}
		if (strcmp(a, "--") == 0 || a[0] != '-' || a[1] == '\0') {
			snprintf(msg, msg_len, "'%s': jailsh runs no script files (use -c COMMAND)",
				 a);
			return -EINVAL;
		}
		/* A cluster of single-letter options, as in "-lc". */
		for (const char *o = a + 1; *o; o++) {
			switch (*o) {
			case 'l':
				ret->login = true;
				break;
			case 'i':
				ret->interactive = true;
				break;
			case 'c':
				want_command = true;
				break;
			default:
				snprintf(msg, msg_len,
					 "unsupported option '%s' (jailsh accepts -c COMMAND, "
					 "-l, --login and -i)",
					 a);
				return -EINVAL;
			}
		}
		if (want_command) {
			if (i + 1 >= argc) {
				snprintf(msg, msg_len, "-c: option requires an argument");
				return -EINVAL;
			}
			ret->command = argv[i + 1];
			ret->command_args = argv + i + 2;
			ret->n_command_args = argc - (i + 2);
			return 0;
		}
	}
	return 0;
}

char **jailsh_shell_argv(const struct jailsh_args *a, const char *shell)
{
	const char *base = strrchr(shell, '/');
	char **v;
	size_t n = 0;

	base = base ? base + 1 : shell;
	v = calloc((size_t)a->n_command_args + 5, sizeof(*v));
	if (!v)
		return NULL;
	/* "-bash": the dash is how a shell learns it is a login shell and
	 * reads /etc/profile and ~/.profile. */
	if (asprintf(&v[n++], "%s%s", a->login ? "-" : "", base) < 0) {
		free(v);
		return NULL;
	}
	if (a->interactive)
		v[n++] = strdup("-i");
	if (a->command) {
		v[n++] = strdup("-c");
		v[n++] = strdup(a->command);
		for (int i = 0; i < a->n_command_args; i++)
			v[n++] = strdup(a->command_args[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (!v[i]) {
			for (size_t j = 0; j < n; j++)
				free(v[j]);
			free(v);
			return NULL;
		}
	return v;
}
