/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Is every file of a prepared jail tree root's and closed to writers?
 *
 * safepath.h checks the path DOWN TO a jail root; this checks what is BELOW
 * it, before a login uses the tree. Whoever owns a file or directory in the
 * tree, or can write it, can change the programs and the /etc every jailed
 * user of that tree runs with (issue 8: pam_jail refuses a root that
 * `jailctl audit` would fail for ownership or writability).
 */
#ifndef PAM_JAIL_TREE_TRUST_H
#define PAM_JAIL_TREE_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "util.h"

/* Bounds of one walk: a tree larger or deeper than this is refused rather
 * than letting one login stat without end (a full Debian is ~30k entries). */
#define JAIL_TREE_MAX_ENTRIES 250000
#define JAIL_TREE_MAX_DEPTH   64

/*
 * The ownership and writability rule for one entry of a tree (shared with
 * jailctl audit): owned by root; a directory writable by others only with the
 * sticky bit; anything else never writable by others; writable by a group
 * other than root only for a sticky directory. Returns a reason, or NULL.
 */
const char *jail_tree_write_problem(const struct stat *st);

/*
 * A directory in which others than root may make entries of their own: the
 * sticky bit, and writable by others or by a group other than root (a
 * tree's tmp/, var/tmp/, run/lock). Its entries are whoever made them, by
 * design, so checking them would hand every host user a trigger that
 * refuses every login of the tree (issue 17, item 2).
 */
bool jail_tree_is_shared_dir(const struct stat *st);

/*
 * Is `path` (absolute inside the tree: "/var/tmp") one of the directories
 * every jail covers with a fresh mount of its own (init/jail_root.c, step
 * 4: /proc, /dev, /tmp, /var/tmp, /run), or at or below one of them?
 * Nothing the tree holds there reaches a session.
 */
bool jail_tree_is_covered(const char *path);

/*
 * Walk the tree below directory fd `top` (O_PATH is enough) by fd, never
 * following a symlink, and stop at the first entry that breaks the rule
 * above. `top_path` only names entries in the error ("'/srv/jail/usr/bin' is
 * owned by uid 1001, not root"). The top itself is not checked (the caller
 * opened it with JAIL_SAFE_TRUSTED).
 *
 * A directory every jail covers with a mount of its own
 * (jail_tree_is_covered) is checked itself but not walked. A shared
 * directory (jail_tree_is_shared_dir) anywhere else is refused as such,
 * whatever it holds, so that no user can decide whether a login works by
 * putting a file in it.
 *
 * `max_entries` 0 means JAIL_TREE_MAX_ENTRIES. Returns the number of
 * entries looked at, or a negative errno: -EPERM for a broken rule, -E2BIG /
 * -ELOOP for a tree over the bounds, or the error of a failed
 * open/stat/read.
 */
long jail_tree_check_trusted(int top, const char *top_path, size_t max_entries,
			     struct jail_error *err);

#endif
