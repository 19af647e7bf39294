/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/tree_trust.c: the rule a jail tree's entries must meet, and the walk
 * jail-init refuses a tree with. The walk needs root (the rule wants uid 0
 * owners); without root those cases are skipped, the rule is still tested.
 * A user's file in a directory the jail covers (a debootstrap tree's sticky
 * tmp/, var/tmp/, run/lock) must not refuse the tree; a sticky directory the
 * jail does not cover is refused empty, not once a user's file appears. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree_trust.h"

static struct stat st_of(mode_t mode, gid_t gid)
{
	struct stat st = { .st_mode = mode, .st_uid = 0, .st_gid = gid };
	return st;
}

static void test_rule(void **state)
{
	struct stat st;

	st = st_of(S_IFDIR | 0755, 0);
	assert_null(jail_tree_write_problem(&st));
	st = st_of(S_IFDIR | 01777, 0); /* a /tmp */
	assert_null(jail_tree_write_problem(&st));
	st = st_of(S_IFDIR | 0777, 0);
	assert_string_equal(jail_tree_write_problem(&st),
			    "world-writable directory without the sticky bit");
	st = st_of(S_IFREG | 0646, 0);
	assert_string_equal(jail_tree_write_problem(&st), "writable by others");
	st = st_of(S_IFREG | 0664, 100);
	assert_string_equal(jail_tree_write_problem(&st), "writable by a group other than root");
	st = st_of(S_IFDIR | 0775, 100);
	assert_string_equal(jail_tree_write_problem(&st),
			    "directory writable by a group other than root");
	st = st_of(S_IFREG | 0664, 0); /* root's own group: audit accepts it too */
	assert_null(jail_tree_write_problem(&st));
	st = st_of(S_IFLNK | 0777, 0);
	assert_null(jail_tree_write_problem(&st));
}

static void test_shared_and_covered(void **state)
{
	struct stat st;

	st = st_of(S_IFDIR | 01777, 0); /* tmp/ */
	assert_true(jail_tree_is_shared_dir(&st));
	st = st_of(S_IFDIR | 01770, 100); /* a group's drop box */
	assert_true(jail_tree_is_shared_dir(&st));
	st = st_of(S_IFDIR | 01775, 0); /* root's group only */
	assert_false(jail_tree_is_shared_dir(&st));
	st = st_of(S_IFDIR | 0755, 0);
	assert_false(jail_tree_is_shared_dir(&st));
	st = st_of(S_IFREG | 01777, 0); /* not a directory */
	assert_false(jail_tree_is_shared_dir(&st));

	assert_true(jail_tree_is_covered("/tmp"));
	assert_true(jail_tree_is_covered("/tmp/.X11-unix"));
	assert_true(jail_tree_is_covered("/var/tmp"));
	assert_true(jail_tree_is_covered("/run/lock"));
	assert_true(jail_tree_is_covered("/dev/shm"));
	assert_true(jail_tree_is_covered("/proc"));
	assert_false(jail_tree_is_covered("/var"));
	assert_false(jail_tree_is_covered("/tmpx"));
	assert_false(jail_tree_is_covered("/var/tmpx"));
	assert_false(jail_tree_is_covered("/srv/tmp"));
	assert_false(jail_tree_is_covered("/"));
	assert_false(jail_tree_is_covered(""));
}

static char base[64];
static int topfd = -1;

static void at(char *out, const char *rel)
{
	snprintf(out, PATH_MAX, "%s/%s", base, rel);
}

static int setup(void **state)
{
	char p[PATH_MAX];

	if (geteuid() != 0)
		return 0;
	snprintf(base, sizeof(base), "/tmp/pj-treetrust-XXXXXX");
	if (!mkdtemp(base) || chmod(base, 0755) < 0)
		return -1;
	at(p, "usr");
	mkdir(p, 0755);
	at(p, "usr/bin");
	mkdir(p, 0755);
	at(p, "usr/bin/prog");
	close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0755));
	/* The shared directories of a debootstrap tree, each with a file and
	 * a directory that a host user put there. */
	for (size_t i = 0; i < 3; i++) {
		static const char *const shared[] = { "tmp", "var/tmp", "run/lock" };
		if (i == 1) {
			at(p, "var");
			mkdir(p, 0755);
		} else if (i == 2) {
			at(p, "run");
			mkdir(p, 0755);
		}
		at(p, shared[i]);
		if (mkdir(p, 01777) < 0 || chmod(p, 01777) < 0)
			return -1;
		snprintf(p + strlen(p), 16, "/a");
		close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0666));
		if (chown(p, 4242, 4242) < 0)
			return -1;
		snprintf(p + strlen(p) - 1, 16, "d");
		if (mkdir(p, 0777) < 0 || chmod(p, 0777) < 0 || chown(p, 4242, 4242) < 0)
			return -1;
	}
	at(p, "outside");
	mkdir(p, 0777);
	chmod(p, 0777);
	if (chown(p, 4242, 4242) < 0)
		return -1;
	at(p, "usr/link");
	/* A link to a directory that breaks every rule: never followed. */
	if (symlink("/tmp", p) < 0)
		return -1;
	topfd = -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	if (geteuid() != 0)
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

/* The walk of base/usr (base/outside is not below it). */
static long walk_usr(size_t max, struct jail_error *e)
{
	char p[PATH_MAX];
	int fd;
	long r;

	at(p, "usr");
	fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	memset(e, 0, sizeof(*e));
	r = jail_tree_check_trusted(fd, p, max, e);
	close(fd);
	return r;
}

static void test_walk(void **state)
{
	struct jail_error e;
	char p[PATH_MAX], want[PATH_MAX + 256];

	if (geteuid() != 0)
		skip();
	assert_int_equal(walk_usr(0, &e), 3); /* bin, bin/prog, link */

	at(p, "usr/bin");
	assert_int_equal(chown(p, 1001, 0), 0);
	assert_int_equal(walk_usr(0, &e), -EPERM);
	snprintf(want, sizeof(want), "'%s' is owned by uid 1001, not root", p);
	assert_string_equal(e.message, want);
	assert_int_equal(chown(p, 0, 0), 0);

	at(p, "usr/bin/prog");
	assert_int_equal(chown(p, 0, 4242), 0);
	assert_int_equal(chmod(p, 0775), 0);
	assert_int_equal(walk_usr(0, &e), -EPERM);
	snprintf(want, sizeof(want), "'%s': writable by a group other than root (mode 0775)", p);
	assert_string_equal(e.message, want);
	assert_int_equal(chmod(p, 0755), 0);

	/* The cap: refused, not walked without end. */
	assert_int_equal(walk_usr(2, &e), -E2BIG);
	assert_non_null(strstr(e.message, "more than 2 entries"));

	/* The whole tree: the users' files in tmp/, var/tmp/, run/lock pass
	 * (those are covered by the jail's own mounts and not walked); a
	 * user's 0777 dir does not, nor does it once root's, nor sticky. */
	topfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(topfd >= 0);
	memset(&e, 0, sizeof(e));
	assert_int_equal(jail_tree_check_trusted(topfd, base, 0, &e), -EPERM);
	at(p, "outside");
	snprintf(want, sizeof(want), "'%s' is owned by uid 4242, not root", p);
	assert_string_equal(e.message, want);
	assert_int_equal(chown(p, 0, 0), 0);
	memset(&e, 0, sizeof(e));
	assert_int_equal(jail_tree_check_trusted(topfd, base, 0, &e), -EPERM);
	assert_non_null(strstr(e.message, "world-writable directory without the sticky bit"));

	/* Sticky, empty, outside what the jail covers: refused as it is, so
	 * that no user decides by putting a file in it. */
	assert_int_equal(chmod(p, 01777), 0);
	memset(&e, 0, sizeof(e));
	assert_int_equal(jail_tree_check_trusted(topfd, base, 0, &e), -EPERM);
	snprintf(want, sizeof(want),
		 "'%s': a sticky directory others may write to (mode 1777) that the jail does "
		 "not cover with a mount of its own; make it root's only or take it out of the "
		 "tree",
		 p);
	assert_string_equal(e.message, want);

	/* Root's only: walked like the rest, and then the whole tree passes. */
	assert_int_equal(chmod(p, 0755), 0);
	memset(&e, 0, sizeof(e));
	/* usr usr/bin usr/bin/prog usr/link tmp var var/tmp run outside */
	assert_int_equal(jail_tree_check_trusted(topfd, base, 0, &e), 9);

	/* A user's file elsewhere is still refused. */
	at(p, "usr/bin/mine");
	close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	assert_int_equal(chown(p, 4242, 4242), 0);
	memset(&e, 0, sizeof(e));
	assert_int_equal(jail_tree_check_trusted(topfd, base, 0, &e), -EPERM);
	snprintf(want, sizeof(want), "'%s' is owned by uid 4242, not root", p);
	assert_string_equal(e.message, want);
	close(topfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_shared_and_covered),
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
