/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Jail roots: trees that `root = { type = "tree"; }` binds read-only as a
 * jail's "/". Built from host files (jailctl mkroot), kept in step with the
 * host (jailctl update) and checked (jailctl audit).
 *
 * A tree is built by fd in a fresh directory: every directory created
 * root:root 0755, every file copied through its fd with setuid/setgid
 * stripped and no group/other write, every symlink met on the host path
 * recreated as it is (so the tree has Debian's merged-/usr layout when the
 * host has it). Host sources must be root-owned and not group/other
 * writable down their whole path: a user who can swap a file while we copy
 * it must not choose what every jailed login runs.
 *
 * The manifest (.pam_jail/manifest, root 0600 in a 0700 directory the jail's
 * users cannot enter) records the recipe and, for every file, where it came
 * from and its SHA-256. Its last line is "end": a tree whose manifest lacks
 * it is not a pam_jail tree (mkroot refuses to reuse it, audit reports it).
 */
#ifndef PAM_JAIL_JAILROOT_H
#define PAM_JAIL_JAILROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sha256.h"
#include "util.h"

#define JAILROOT_META_DIR     ".pam_jail"
#define JAILROOT_MANIFEST     ".pam_jail/manifest"
#define JAILROOT_MAX_ENTRIES  200000
#define JAILROOT_MAX_SYMLINKS 40 /* as the kernel's MAXSYMLINKS */
#define JAILROOT_LDCONFIG     "/sbin/ldconfig"

/* ------------------------------------------------------------ manifest */
enum jailroot_kind {
	JAILROOT_FILE = 'F', /* copied from the host file `source` */
	JAILROOT_LINK = 'L', /* a symlink, as found on the host path */
	JAILROOT_GEN = 'G',  /* written by mkroot (/etc/passwd, ...); no host original */
};

struct jailroot_entry {
	char kind;
	char *path;   /* absolute, inside the tree */
	char *source; /* FILE: the host path it was copied from */
	char *target; /* LINK: the link's text */
	char sha256[JAILROOT_SHA256_HEX];
	mode_t mode; /* FILE/GEN: the mode given in the tree */
};

struct jailroot_manifest {
	char **programs; /* the recipe: host paths asked for (set members expanded) */
	size_t n_programs;
	char **sets; /* set names, for the record */
	size_t n_sets;
	char **users; /* users given a passwd line and a /home mount point */
	size_t n_users;
	char **dirs; /* extra empty directories: mount points of the policy's binds */
	size_t n_dirs;
	char **groups; /* groups whose members are users too (expanded at build and update) */
	size_t n_groups;
	char *debootstrap; /* the suite, for a debootstrap tree; else NULL */
	struct jailroot_entry *entries;
	size_t n, cap;
};

int jailroot_strv_add(char ***v, size_t *n, const char *s);
void jailroot_manifest_clear(struct jailroot_manifest *m);
/* Add or replace the entry for `path` (the strings are copied). */
int jailroot_manifest_put(struct jailroot_manifest *m, char kind, const char *path,
			  const char *source, const char *target, const char *sha256, mode_t mode);
struct jailroot_entry *jailroot_manifest_find(const struct jailroot_manifest *m, const char *path);
/* Read the tree's manifest: -ENOENT if there is none, -EBADMSG if it is
 * incomplete or malformed (err says where). */
int jailroot_manifest_read(int treefd, struct jailroot_manifest *ret, struct jail_error *err);
/* Write it (temp file, fsync, rename), the "end" line last. */
int jailroot_manifest_write(int treefd, const struct jailroot_manifest *m, struct jail_error *err);

/* ------------------------------------------------------------ building */

/* What happened, for the caller to print: `path` (in the tree or on the
 * host) and a short phrase ("copied from /usr/bin/ls", "setuid bit"). */
typedef void (*jailroot_note_fn)(void *opaque, const char *path, const char *what);

/*
 * Build the tree at `treefd` (an empty directory) from m's recipe
 * (programs, users): the merged-/usr layout, the programs and everything
 * they need by ELF, mount points (/proc /dev /tmp /run /home/USER), a
 * minimal /etc. Fills m's entries; does not write the manifest and does not
 * run ldconfig (jailroot_run_ldconfig does, on the finished tree).
 */
int jailroot_build(int treefd, struct jailroot_manifest *m, jailroot_note_fn note, void *opaque,
		   struct jail_error *err);

/* Add every member of m's groups (listed in the group, or by primary group)
 * to m's users. An unknown group is an error. */
int jailroot_expand_groups(struct jailroot_manifest *m, struct jail_error *err);

/*
 * The tree's ld.so.cache, made by the host's own ldconfig run as
 * `ldconfig -X -r TREE`: a root-owned host binary, not one from the tree;
 * -r makes it chroot() into the tree, so it reads only the copies we made
 * and writes only TREE/etc/ld.so.cache; -X keeps it from creating soname
 * links in the tree. `tree_path` must be the path of `treefd`.
 */
int jailroot_run_ldconfig(int treefd, const char *tree_path, struct jail_error *err);

/*
 * `jailctl update`: re-copy every FILE entry whose host original changed
 * (content or mode) or whose symlink text changed on the host, add libraries
 * a changed program now needs, and report each change. Returns the number
 * of changes (ldconfig is run again by the caller when > 0).
 */
int jailroot_update(int treefd, struct jailroot_manifest *m, jailroot_note_fn note, void *opaque,
		    struct jail_error *err);

/*
 * The hardening pass of a debootstrap tree: strip setuid/setgid, remove
 * device nodes, FIFOs and sockets, give every file and directory to root,
 * take group/other write away (sticky directories become 0755: the jail
 * mounts its own /tmp), create the mount points. Each change is noted.
 */
int jailroot_harden(int treefd, struct jailroot_manifest *m, jailroot_note_fn note, void *opaque,
		    struct jail_error *err);

/*
 * `jailctl audit`: every problem a jail root can have, each noted with its
 * path and reason. `tree_path` is checked as pam_jail checks a root (every
 * component root-owned, not group/other writable). `m` may be NULL (no
 * manifest: no comparison with the host). Returns the number of findings.
 */
int jailroot_audit(int treefd, const char *tree_path, const struct jailroot_manifest *m,
		   jailroot_note_fn note, void *opaque, struct jail_error *err);

/* ------------------------------------------------------------ file system helpers */

/* Remove `name` below `dirfd` and everything under it, by fd, never
 * following a symlink and never leaving `dirfd`'s filesystem. */
int jailroot_remove_tree(int dirfd, const char *name, struct jail_error *err);

/* Is the directory empty (only "." and "..")? 1 yes, 0 no, negative errno. */
int jailroot_dir_is_empty(int dirfd);

/* Make a directory path below `treefd` (root:root 0755), returning an
 * O_PATH|O_DIRECTORY fd to the last one; a symlink on the way is refused. */
int jailroot_mkdirs(int treefd, const char *path, struct jail_error *err);

/* Write `data` as the file `path` in the tree (root:root, `mode`), by a
 * temp file and rename; record it as a GEN entry. */
int jailroot_write_file(int treefd, struct jailroot_manifest *m, const char *path, const char *data,
			size_t len, mode_t mode, struct jail_error *err);

#endif
