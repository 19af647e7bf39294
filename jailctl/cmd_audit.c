/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jailctl audit DIR: every problem a jail root has, one line each. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "jailctl.h"
#include "roots.h"

static void print_finding(void *opaque, const char *path, const char *what)
{
	(void)opaque;
	printf("%s: %s\n", path, what);
}

static int run_audit(int argc, char **argv)
{
	const struct jailctl_verb *v = &jailctl_verb_audit;
	struct roots_target t = { .parentfd = -1, .treefd = -1 };
	struct jailroot_manifest m = { 0 };
	struct jail_error err = { 0 };
	bool have_manifest = false;
	struct jailctl_options o = { .verb = &jailctl_verb_audit };
	int r, findings = 0, rc = JAILCTL_EXIT_FAIL;

	r = jailctl_options_parse(&o, argc, argv);
	if (r >= 0)
		return r;
	if (optind + 1 != argc)
		return jailctl_usage_error(v,
					   optind == argc ? "which tree?" : "one tree at a time");
	if (roots_open_target("audit", argv[optind], &t) < 0) {
		/* An untrusted parent is itself the finding. */
		goto out;
	}
	if (t.treefd < 0) {
		fprintf(stderr, "jailctl audit: '%s' does not exist\n", t.path);
		goto out;
	}
	r = jailroot_manifest_read(t.treefd, &m, &err);
	if (r == 0) {
		have_manifest = true;
	} else {
		findings++;
		print_finding(NULL, t.path,
			      r == -ENOENT ? "no manifest: not a tree jailctl mkroot made, files "
					     "cannot be compared with the host"
					   : err.message);
	}
	r = jailroot_audit(t.treefd, t.path, have_manifest ? &m : NULL, print_finding, NULL, &err);
	if (r < 0) {
		fprintf(stderr, "jailctl audit: %s\n", err.message);
		goto out;
	}
	findings += r;
	if (findings == 0) {
		printf("audit: '%s' is clean\n", t.path);
		rc = JAILCTL_EXIT_OK;
	} else {
		printf("audit: '%s': %d finding%s\n", t.path, findings, findings == 1 ? "" : "s");
	}
out:
	jailroot_manifest_clear(&m);
	roots_target_clear(&t);
	return rc;
}

const struct jailctl_verb jailctl_verb_audit = {
	.name = "audit",
	.synopsis = "DIR",
	.summary = "report every problem of a jail root",
	.help = "Check the jail root at DIR and print each problem as PATH: REASON:\n"
		"setuid/setgid files, device nodes, world-writable directories without the\n"
		"sticky bit, files writable by others, anything not owned by root, symlinks\n"
		"that point out of the tree (resolved inside it), programs and libraries\n"
		"whose loader or libraries the tree lacks, files that differ from what the\n"
		"manifest recorded or from their host originals, and a path pam_jail\n"
		"would refuse. Exit 0 when clean, 1 with findings.\n",
	.run = run_audit,
};
