/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the running-jail verbs (list, enter, stop) share: the registry and
 * finding a user's jails in it. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jailctl.h"

int jailctl_open_registry(const char *state_dir, struct jail_state *ret)
{
	struct jail_error err = { 0 };
	int r;

	if (geteuid() != 0) {
		fprintf(stderr, "jailctl: running jails can only be seen by root\n");
		return -EPERM;
	}
	r = jail_state_open(state_dir, false, ret, &err);
	if (r == -ENOENT)
		return r; /* no registry yet: no jail has ever run */
	if (r < 0) {
		fprintf(stderr, "jailctl: %s\n", err.message);
		return r;
	}
	return 0;
}

int jailctl_user_keys(const struct jail_state *st, const char *user, char ***ret_keys)
{
	struct jail_error err = { 0 };
	struct passwd *pw;
	char **all = NULL, **mine;
	size_t n = 0;
	int r;

	pw = getpwnam(user);
	r = jail_list_keys(st, &all, &err);
	if (r < 0) {
		fprintf(stderr, "jailctl: %s\n", err.message);
		return r;
	}
	mine = calloc(1, sizeof(char *));
	if (!mine) {
		jail_strv_free(all);
		return -ENOMEM;
	}
	for (char **k = all; *k; k++) {
		struct jail_info info;
		char **nm;

		/* An entry is the user's when its info names the user; a user
		 * deleted from NSS since still matches by the recorded name. */
		if (jail_info_read(st, *k, &info, NULL) < 0)
			continue;
		if (strcmp(info.user, user) != 0 && !(pw && info.uid == pw->pw_uid))
			continue;
		nm = realloc(mine, (n + 2) * sizeof(char *));
		if (!nm)
			goto oom;
		mine = nm;
		mine[n] = strdup(*k);
		if (!mine[n])
			goto oom;
		mine[++n] = NULL;
	}
	jail_strv_free(all);
	*ret_keys = mine;
	return (int)n;
oom:
	jail_strv_free(all);
	jail_strv_free(mine);
	return -ENOMEM;
}
