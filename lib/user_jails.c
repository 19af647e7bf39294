/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The live jails of one user (see user_jails.h). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "bounded.h"
#include "proc_text.h"
#include "user_jails.h"

/* A user's lock waits for the holder's launch, itself bounded by the
 * launch handshake (JAIL_REPLY_TIMEOUT_MS). */
#define USER_LOCK_TIMEOUT_MS (3 * JAIL_REPLY_TIMEOUT_MS)

int jail_user_lock(const struct jail_state *st, uid_t uid, struct jail_error *err)
{
	char name[32];
	_cleanup_close_ int fd = -1;
	int r;

	/* not a key's name (a key never has "user"): no keeper takes it */
	snprintf(name, sizeof(name), "user-%u.lock", (unsigned)uid);
	fd = openat(st->locks_fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return jail_error_set(err, errno, "lock '%s': %s", name, strerror(errno));
	r = jail_flock_bounded(fd, USER_LOCK_TIMEOUT_MS);
	if (r == -ETIMEDOUT)
		return jail_error_set(err, ETIMEDOUT,
				      "lock '%s': another login has held it for over %d s", name,
				      USER_LOCK_TIMEOUT_MS / 1000);
	if (r < 0)
		return jail_error_set(err, -r, "lock '%s': %s", name, strerror(-r));
	return steal_fd(&fd);
}

/* "u<uid>" or "u<uid>-s..." */
static bool key_is_users(const char *key, uid_t uid)
{
	char prefix[16];
	size_t n;

	n = (size_t)snprintf(prefix, sizeof(prefix), "u%u", (unsigned)uid);
	return strncmp(key, prefix, n) == 0 && (key[n] == '\0' || strncmp(key + n, "-s", 2) == 0);
}

static bool keeper_alive(const struct jail_info *info)
{
	uint64_t start;

	return info->keeper_pid > 1 && info->keeper_start != 0 &&
	       jail_proc_start_time(info->keeper_pid, &start) == 0 && start == info->keeper_start;
}

int jail_user_live_jails(const struct jail_state *st, uid_t uid, unsigned *ret,
			 struct jail_error *err)
{
	char **keys = NULL;
	unsigned n = 0;
	int r;

	*ret = 0;
	r = jail_list_keys(st, &keys, err);
	if (r < 0)
		return r;
	for (char **k = keys; *k; k++) {
		struct jail_info info;

		if (!key_is_users(*k, uid))
			continue;
		/* an entry without a readable info has no keeper we can name:
		 * it is being removed, or stale */
		if (jail_info_read(st, *k, &info, NULL) == 0 && info.uid == uid &&
		    keeper_alive(&info))
			n++;
	}
	jail_strv_free(keys);
	*ret = n;
	return 0;
}
