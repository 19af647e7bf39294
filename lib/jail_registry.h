/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry (jail_proto.h, "Host-side state"): the state dir, its
 * per-key locks and its entries. Both sides of each of its formats are
 * here: the keeper makes an entry (its directory, its control socket, its
 * `info`) and removes it when the jail ends; the module and jailctl find,
 * read, list and remove stale entries with the same code.
 *
 *   <state>/locks/<key>.lock   flock()ed around create-or-join
 *   <state>/jails/<key>/       one per live jail, made by its keeper
 *                    control   the keeper's SOCK_SEQPACKET socket
 *                    info      key=value lines (struct jail_info)
 *
 * Everything is done by fd relative to the state dir, which is opened once
 * and checked (root-owned, 0700, no symlink on its path).
 */
#ifndef PAM_JAIL_REGISTRY_H
#define PAM_JAIL_REGISTRY_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "jail_proto.h"
#include "policy.h"
#include "util.h"

struct jail_state {
	int dir_fd;   /* the state dir itself */
	int locks_fd; /* JAIL_STATE_LOCKS */
	int jails_fd; /* JAIL_STATE_JAILS */
};
#define JAIL_STATE_INIT                                                                            \
	{                                                                                          \
		.dir_fd = -1, .locks_fd = -1, .jails_fd = -1                                       \
	}

/*
 * Open the state dir `path` (NULL: JAIL_STATE_DIR). With `create`, a missing
 * dir (and its locks/ and jails/ subdirs) is made root-owned 0700. The dir
 * must be a real directory (no symlink anywhere on its path), owned by root,
 * with no group/other access; else refused with a message naming it.
 */
int jail_state_open(const char *path, bool create, struct jail_state *ret, struct jail_error *err);
void jail_state_close(struct jail_state *st);

/* ------------------------------------------------------------ keys and locks */

/* The registry key of a policy: "u<uid>" or, for lifetime=session, a fresh
 * "u<uid>-s<16 hex>". */
int jail_key_for_policy(const struct jail_policy *p, char *buf, size_t cap);

/* A registry key as jail_key_for_policy makes them (nothing else is accepted). */
bool jail_key_is_valid(const char *key);

/* The name of a key's lock file in locks/: "<key>.lock". */
#define JAIL_LOCK_NAME_MAX (JAIL_KEY_MAX + 8)
int jail_lock_name(const char *key, char buf[JAIL_LOCK_NAME_MAX]);

/* Take the per-key lock (flock on locks/<key>.lock, waiting at most
 * JAIL_LOCK_TIMEOUT_MS: -ETIMEDOUT). Returns the lock fd (O_CLOEXEC;
 * closing it releases the lock). */
int jail_lock_key(const struct jail_state *st, const char *key, struct jail_error *err);

/* Remove locks/<key>.lock (call while holding it, only for a key nobody
 * will use again: a per-session key). */
void jail_lock_remove(const struct jail_state *st, const char *key);

/* ------------------------------------------------------------ entries */

/*
 * The keeper's side. Make jails/<key>/ (0700; it must not exist: the
 * caller holds the key's lock and found no entry) and return an
 * O_DIRECTORY fd of it; on failure nothing is left.
 */
int jail_entry_create(int jails_fd, const char *key, struct jail_error *err);

/* Bind and listen on <key>/control (SOCK_SEQPACKET, non-blocking, close
 * on exec); returns the listening socket. */
int jail_entry_listen(int keydir_fd, struct jail_error *err);

/* The address of <key>/control, through the entry's fd: the registry path
 * is never looked up by name again (and it stays short). */
int jail_entry_control_addr(int keydir_fd, struct sockaddr_un *ret);

/*
 * Remove jails/<key>/: only the names a keeper makes (control, info);
 * anything else makes the rmdir fail, and with it the caller: an entry we
 * do not understand is not removed. No entry is not an error.
 */
int jail_entry_remove(int jails_fd, const char *key, struct jail_error *err);

/* What <key>/info says. */
struct jail_info {
	char id[JAIL_ID_HEX_LEN + 1];
	char key[JAIL_KEY_MAX];
	char user[256];
	char profile[256];
	char lifetime[16];
	uid_t uid;
	pid_t init_pid, keeper_pid;
	uint64_t init_start, keeper_start; /* field 22 of /proc/PID/stat */
	int64_t created;		   /* unix time */
	/* network.mode = "bridge": the leased address "A.B.C.D/prefix" and the
	 * host's end of the veth; "" otherwise */
	char net4[INET_ADDRSTRLEN + 4];
	char veth[IF_NAMESIZE];
};

/* Write <key>/info (0600, created: it must not exist yet). The keeper does,
 * before it answers READY. */
int jail_info_write(int keydir_fd, const struct jail_info *info, struct jail_error *err);

int jail_info_read(const struct jail_state *st, const char *key, struct jail_info *ret,
		   struct jail_error *err);

/* Every key in the registry (NULL-terminated, free with jail_strv_free). */
int jail_list_keys(const struct jail_state *st, char ***ret_keys, struct jail_error *err);

/*
 * Remove a stale entry (call with the key's lock held). Leftover processes
 * named in `info` are killed only through a pidfd whose process has the
 * recorded start time, never by a bare PID.
 */
int jail_remove_stale(const struct jail_state *st, const char *key, struct jail_error *err);

#endif
