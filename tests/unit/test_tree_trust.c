/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/tree_trust.c: the rule a jail tree's entries must meet, and the walk
 * jail-init refuses a tree with. The walk needs root (the rule wants uid 0
 * owners); without root those cases are skipped, the rule is still tested. */
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
	at(p, "tmp");
	mkdir(p, 01777);
	chmod(p, 01777);
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
	char p[PATH_MAX], want[PATH_MAX + 64];

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

	/* The whole tree: a sticky 1777 /tmp passes, a user's 0777 dir does not. */
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
	assert_int_equal(chmod(p, 01777), 0);
	memset(&e, 0, sizeof(e));
	assert_int_equal(jail_tree_check_trusted(topfd, base, 0, &e), 6);
	close(topfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule),
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
