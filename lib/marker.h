/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The jail marker: how jailsh proves it runs inside a pam_jail jail, and how
 * it learns the settings it applies there (shell, PATH, skeleton, ...), so it
 * never has to read the policy files (which the jail may not even contain).
 *
 * jail-init writes it while it builds the root, before pivot_root, at
 * JAIL_MARKER_PATH inside the jail: a regular file, owned by root, mode 0444,
 * in a root-owned 0755 directory on the jail's own /run tmpfs, which the
 * jailed user cannot write. It is bound to the jail's identity by recording
 * the (st_dev, st_ino) of the jail's mount namespace: jailsh compares that
 * with its own /proc/self/ns/mnt. A live namespace's identity is unique at
 * any moment, and a marker is only readable from inside the namespace it was
 * written in, so a copied marker (owned by the user) or one from another
 * jail is refused.
 *
 * Format: "key=value\n" lines, keys unique, values without newlines; lists
 * are ':'-separated (paths in a list cannot contain ':'; the loader refuses
 * such paths). Unknown keys are refused, so both sides must be one version.
 */
#ifndef PAM_JAIL_MARKER_H
#define PAM_JAIL_MARKER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"
#include "util.h"

#define JAIL_MARKER_DIR	     "/run/pam_jail"
#define JAIL_MARKER_PATH     "/run/pam_jail/jail"
#define JAIL_MARKER_MAX_SIZE 16384

/* Next to the marker, only when the profile asks for a user namespace: the
 * jail's user namespace, bound over a root-owned file (init/userns.c), for
 * jailsh to enter (shell/userns.c). Its presence is the request: it is made
 * by PID 1 before the jail reports READY, or the jail is not made. */
#define JAIL_USERNS_PATH "/run/pam_jail/userns"

struct jail_marker {
	char id[33]; /* the jail identity (jail_proto.h) */
	char *user;
	uid_t uid;
	gid_t gid;
	char *profile;
	uint64_t mntns_dev; /* of the jail's mount namespace */
	uint64_t mntns_ino;
	char *home;
	enum jail_home_mode home_mode;
	char *skeleton; /* NULL: no seeding */
	char **persist; /* NULL-terminated */
	char *shell;
	char *path;
	char *hostname; /* may be NULL */
	bool x11;
};

void jail_marker_free(struct jail_marker *m);

/* Fill a marker from a resolved policy and the identity of the namespace. */
int jail_marker_from_policy(const struct jail_policy *p, const char *id, uint64_t mntns_dev,
			    uint64_t mntns_ino, struct jail_marker **ret);

/* Serialise to the on-disk format. */
int jail_marker_format(const struct jail_marker *m, char **ret_buf, size_t *ret_len);

/* Parse the on-disk format (strict: unknown or duplicate keys are errors). */
int jail_marker_parse(const char *buf, size_t len, struct jail_marker **ret,
		      struct jail_error *err);

/*
 * Open JAIL_MARKER_PATH component by component without following symlinks,
 * check that the file and its directories are root-owned and not writable
 * by group or others, parse it, and check that it belongs to the caller's
 * mount namespace and to the caller's uid. Any failure is an error with a
 * message jailsh prints as is.
 */
int jail_marker_verify(struct jail_marker **ret, struct jail_error *err);

/*
 * The same for a marker at `path` (absolute, or relative to `dirfd`) whose
 * file and directories must be owned by root or `trusted_uid`. Production
 * code calls jail_marker_verify(); this form exists so unit tests can check
 * every refusal without root (a marker in a temporary directory).
 */
int jail_marker_verify_at(int dirfd, const char *path, uid_t trusted_uid, struct jail_marker **ret,
			  struct jail_error *err);

/* The (st_dev, st_ino) of the caller's mount namespace, as the marker
 * records it: jail-init calls this after entering the jail's namespace. */
int jail_marker_current_mntns(uint64_t *ret_dev, uint64_t *ret_ino, struct jail_error *err);

#endif
