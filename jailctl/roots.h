/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the jail-root verbs (mkroot, update, audit) share. */
#ifndef PAM_JAIL_JAILCTL_ROOTS_H
#define PAM_JAIL_JAILCTL_ROOTS_H

#include <stdbool.h>

#include "jailroot.h"

#ifndef JAIL_SETS_DIR
#define JAIL_SETS_DIR "/usr/share/pam_jail/sets"
#endif

/* A tree named on the command line: its parent (trusted, by fd) and name. */
struct roots_target {
	char *path;   /* clean absolute */
	char *name;   /* last component */
	int parentfd; /* O_RDONLY|O_DIRECTORY */
	int treefd;   /* -1 if it does not exist */
};

/* Open DIR's parent (every component root-owned, not group/other writable:
 * pam_jail refuses a root below anything else) and DIR if it exists (a
 * directory, not a symlink). Prints why not and returns -1. */
int roots_open_target(const char *verb, const char *dir, struct roots_target *ret);
void roots_target_clear(struct roots_target *t);

/* Print a note as "  PATH: WHAT" (opaque: the verb name, unused). */
void roots_print_note(void *opaque, const char *path, const char *what);

/* Add the members of set NAME (SETS_DIR/NAME.list) to m's programs. A
 * member marked '?' is optional: left out (and said so) when the host
 * lacks it. Prints the problem and returns -1. */
int roots_add_set(const char *sets_dir, const char *name, struct jailroot_manifest *m);

bool roots_need_root(const char *verb);

#endif
