/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailctl update DIR: copy again what changed on the host since the tree was
 * built (the manifest says what came from where, with its SHA-256), each
 * file replaced by a rename so a running jail sees the old or the new file,
 * never a half-written one; then the tree's ld.so.cache and manifest.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "jailctl.h"
#include "roots.h"

static int run_update(int argc, char **argv)
{
	const struct jailctl_verb *v = &jailctl_verb_update;
	struct roots_target t = { .parentfd = -1, .treefd = -1 };
	struct jailroot_manifest m = { 0 };
	struct jail_error err = { 0 };
	struct jailctl_options o = { .verb = &jailctl_verb_update };
	int r, rc = JAILCTL_EXIT_FAIL;

	r = jailctl_options_parse(&o, argc, argv);
	if (r >= 0)
		return r;
	if (optind + 1 != argc)
		return jailctl_usage_error(v,
					   optind == argc ? "which tree?" : "one tree at a time");
	if (!roots_need_root("update"))
		return JAILCTL_EXIT_FAIL;
	if (roots_open_target("update", argv[optind], &t) < 0)
		goto out;
	if (t.treefd < 0) {
		fprintf(stderr, "jailctl update: '%s' does not exist\n", t.path);
		goto out;
	}
	if (flock(t.parentfd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr,
			"jailctl update: another mkroot or update is working in the "
			"parent of '%s'\n",
			t.path);
		goto out;
	}
	r = jailroot_manifest_read(t.treefd, &m, &err);
	if (r < 0) {
		fprintf(stderr, "jailctl update: '%s': %s\n", t.path,
			r == -ENOENT ? "not a pam_jail tree (no manifest)" : err.message);
		goto out;
	}
	printf("update: '%s'\n", t.path);
	r = jailroot_update(t.treefd, &m, roots_print_note, NULL, &err);
	if (r < 0) {
		fprintf(stderr, "jailctl update: %s\n", err.message);
		goto out;
	}
	if (r > 0) {
		if (jailroot_run_ldconfig(t.treefd, t.path, &err) < 0 ||
		    jailroot_manifest_write(t.treefd, &m, &err) < 0) {
			fprintf(stderr, "jailctl update: %s\n", err.message);
			goto out;
		}
		if (syncfs(t.treefd) < 0) {
			fprintf(stderr, "jailctl update: sync: %s\n", strerror(errno));
			goto out;
		}
		printf("update: %d change%s\n", r, r == 1 ? "" : "s");
	} else {
		printf("update: nothing changed on the host\n");
	}
	rc = JAILCTL_EXIT_OK;
out:
	jailroot_manifest_clear(&m);
	roots_target_clear(&t);
	return rc;
}

const struct jailctl_verb jailctl_verb_update = {
	.name = "update",
	.synopsis = "DIR",
	.summary = "re-copy what changed on the host into a jail root",
	.help = "Compare every file of the tree at DIR with the host file it was copied\n"
		"from (the manifest records its SHA-256 and mode) and copy again what\n"
		"changed, along with any library a changed program now needs; symlinks\n"
		"that changed on the host change too. Each change is printed. A host file\n"
		"that is gone is reported and the tree keeps its copy.\n",
	.run = run_update,
};
