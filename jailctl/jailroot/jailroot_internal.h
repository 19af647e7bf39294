/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by jailroot_*.c only: copying host paths into a tree. */
#ifndef PAM_JAIL_JAILROOT_INTERNAL_H
#define PAM_JAIL_JAILROOT_INTERNAL_H

#include "elf_deps.h"
#include "jailroot.h"

/* A set of strings (paths already handled in this run). */
struct jailroot_strset {
	char **slots;
	size_t cap, n;
};
/* 1 if added, 0 if it was there, negative errno. */
int jailroot_strset_add(struct jailroot_strset *s, const char *str);
bool jailroot_strset_has(const struct jailroot_strset *s, const char *str);
void jailroot_strset_clear(struct jailroot_strset *s);

struct jailroot_copier;
/* Called for every regular file put into the tree (`tree_path` absolute). */
typedef int (*jailroot_file_fn)(struct jailroot_copier *c, const char *tree_path,
				struct jail_error *err);

struct jailroot_copier {
	int hostfd; /* the host's "/" */
	int treefd;
	struct jailroot_manifest *m;
	jailroot_note_fn note;
	void *opaque;
	/* update: a tree file or link that differs from the host is replaced
	 * (and noted); build: the first copy made in this run stands. */
	bool replace;
	int changes;
	struct jailroot_strset done; /* host paths handled in this run */
	jailroot_file_fn on_file;
	void *ctx;
};

void jailroot_copier_clear(struct jailroot_copier *c);

/*
 * Put host path `path` (absolute) into the tree: every directory on the way
 * as a root-owned 0755 directory, every symlink on the way as the same
 * symlink, then the file (or, for a directory, everything below it). Host
 * components must be root-owned and not group/other writable. *ret_resolved
 * (may be NULL) gets the path with every symlink resolved.
 */
int jailroot_install_host_path(struct jailroot_copier *c, const char *path, char **ret_resolved,
			       struct jail_error *err);

/* Make the symlink `dir/name` -> `target` in the tree (dir: a tree path,
 * "" for the top), as it is on the host; recorded in the manifest. */
int jailroot_tree_link(struct jailroot_copier *c, const char *dir, const char *name,
		       const char *target, struct jail_error *err);

/* The tree-side checks audit and build share: is `mode`/`uid` acceptable in
 * a jail root? Returns a reason, or NULL. */
const char *jailroot_mode_problem(const struct stat *st);

#endif
