/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/safepath.c: walking paths by fd refuses symlinks, "..", and untrusted
 * owners or modes; the creating walk makes what is missing with exactly the
 * mode and owner asked for, and never through a symlink or a non-directory.
 * Runs without root: the "trusted" uid is our own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safepath.h"

static char base[64];

static void path_of(char *out, const char *rel)
{
	snprintf(out, PATH_MAX, "%s/%s", base, rel);
}

static int setup(void **state)
{
	char p[PATH_MAX];

	snprintf(base, sizeof(base), "/tmp/pj-safepath-XXXXXX");
	if (!mkdtemp(base))
		return -1;
	chmod(base, 0755);
	path_of(p, "dir");
	mkdir(p, 0755);
	path_of(p, "dir/file");
	close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	path_of(p, "gw");
	mkdir(p, 0775);
	chmod(p, 0775);
	path_of(p, "gw/file");
	close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	path_of(p, "link");
	if (symlink("dir", p) < 0)
		return -1;
	path_of(p, "dangling");
	if (symlink("nowhere", p) < 0)
		return -1;
	return 0;
}

static bool exists(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	path_of(p, rel);
	return lstat(p, &st) == 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_clean_absolute(void **state)
{
	assert_true(jail_path_is_clean_absolute("/"));
	assert_true(jail_path_is_clean_absolute("/etc/security/jail.conf"));
	assert_true(jail_path_is_clean_absolute("/srv/jail/"));
	assert_false(jail_path_is_clean_absolute("etc/passwd"));
	assert_false(jail_path_is_clean_absolute("/etc/../root"));
	assert_false(jail_path_is_clean_absolute("/etc/./passwd"));
	assert_false(jail_path_is_clean_absolute("/etc//passwd"));
	assert_false(jail_path_is_clean_absolute(""));
	assert_false(jail_path_is_clean_absolute(NULL));
}

/* /tmp is world-writable (sticky), so the trusted walk must refuse it:
 * that is exactly OpenSSH's rule, and why test trees live elsewhere in the
 * trusted cases below (we check relative to an fd of our own base). */
static void test_trusted_refuses_world_writable_parent(void **state)
{
	char p[PATH_MAX];
	struct jail_error err = { 0 };
	int fd;

	path_of(p, "dir/file");
	fd = jail_safe_open(p, O_RDONLY, JAIL_SAFE_TRUSTED, getuid(), NULL, &err);
	assert_true(fd < 0);
	assert_string_equal(err.message, "'/tmp' is world-writable (mode 1777)");
}

static void test_untrusted_walk_opens(void **state)
{
	char p[PATH_MAX];
	struct jail_error err = { 0 };
	struct stat st;
	int fd;

	path_of(p, "dir/file");
	fd = jail_safe_open(p, O_RDONLY, JAIL_SAFE_REGULAR, getuid(), &st, &err);
	assert_true(fd >= 0);
	assert_true(S_ISREG(st.st_mode));
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

static void test_symlink_component_refused(void **state)
{
	char p[PATH_MAX];
	struct jail_error err = { 0 };
	int fd;

	path_of(p, "link/file");
	fd = jail_safe_open(p, O_RDONLY, 0, getuid(), NULL, &err);
	assert_int_equal(fd, -ELOOP);
	assert_non_null(strstr(err.message, "is a symbolic link"));

	path_of(p, "link");
	fd = jail_safe_open(p, O_PATH, 0, getuid(), NULL, &err);
	assert_int_equal(fd, -ELOOP);
}

static void test_openat_trusted_rules(void **state)
{
	struct jail_error err = { 0 };
	int dfd, fd;

	dfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);

	fd = jail_safe_openat(dfd, "dir/file", O_RDONLY, JAIL_SAFE_TRUSTED | JAIL_SAFE_REGULAR,
			      getuid(), NULL, &err);
	assert_true(fd >= 0);
	close(fd);

	fd = jail_safe_openat(dfd, "gw/file", O_RDONLY, JAIL_SAFE_TRUSTED, getuid(), NULL, &err);
	assert_int_equal(fd, -EPERM);
	assert_non_null(strstr(err.message, "gw' is writable by group"));

	fd = jail_safe_openat(dfd, "dir/../gw", O_PATH, 0, getuid(), NULL, &err);
	assert_int_equal(fd, -EINVAL);

	fd = jail_safe_openat(dfd, "dir", O_PATH, JAIL_SAFE_REGULAR, getuid(), NULL, &err);
	assert_int_equal(fd, -EINVAL);
	fd = jail_safe_openat(dfd, "dir/file", O_PATH, JAIL_SAFE_DIRECTORY, getuid(), NULL, &err);
	assert_int_equal(fd, -ENOTDIR);

	/* another owner than root or the trusted uid is refused */
	if (getuid() != 0) {
		fd = jail_safe_openat(dfd, "dir", O_PATH, JAIL_SAFE_TRUSTED, getuid() + 1, NULL,
				      &err);
		assert_int_equal(fd, -EPERM);
		assert_non_null(strstr(err.message, "not root"));
	}
	close(dfd);
}

/* The creating walk: every missing directory made with exactly the mode and
 * owner asked for (not what the umask makes of it); existing ones opened;
 * a leading "/" names the directory the walk starts from. */
static void test_walk_creates(void **state)
{
	const struct jail_walk w = {
		.open_flags = O_PATH | O_DIRECTORY,
		.flags = JAIL_SAFE_DIRECTORY | JAIL_SAFE_CREATE,
		.mode = 0750,
		.uid = getuid(),
		.gid = getgid(),
		.shown = "",
	};
	struct jail_error err = { 0 };
	char p[PATH_MAX];
	struct stat st;
	mode_t old = umask(077);
	int dfd, fd;

	dfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	fd = jail_safe_walk(dfd, "/made/a/b", &w, &st, &err);
	umask(old);
	assert_true(fd >= 0);
	assert_true(S_ISDIR(st.st_mode));
	close(fd);
	for (const char *const *rel = (const char *const[]){ "made", "made/a", "made/a/b", NULL };
	     *rel; rel++) {
		path_of(p, *rel);
		assert_int_equal(lstat(p, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0750);
		assert_int_equal(st.st_uid, getuid());
	}
	/* again: everything is there, nothing changes */
	fd = jail_safe_walk(dfd, "made/a/b", &w, NULL, &err);
	assert_true(fd >= 0);
	close(fd);

	/* a last component made as a file: the mode without execute bits */
	const struct jail_walk wf = {
		.open_flags = O_PATH,
		.flags = JAIL_SAFE_CREATE | JAIL_SAFE_CREATE_FILE,
		.mode = 0755,
		.uid = getuid(),
		.gid = getgid(),
	};
	fd = jail_safe_walk(dfd, "made/f/leaf", &wf, &st, &err);
	assert_true(fd >= 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	close(fd);
	path_of(p, "made/f");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	close(dfd);
}

/* What the walk must refuse, creating or not, and that a refused walk made
 * nothing beyond the refusal. */
static void test_walk_refuses(void **state)
{
	struct jail_walk w = {
		.open_flags = O_PATH | O_DIRECTORY,
		.flags = JAIL_SAFE_DIRECTORY | JAIL_SAFE_CREATE,
		.mode = 0755,
		.uid = getuid(),
		.gid = getgid(),
	};
	struct jail_error err = { 0 };
	int dfd, fd;

	dfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);

	/* a symlink on the way: never followed, nothing made where it points */
	fd = jail_safe_walk(dfd, "link/x", &w, NULL, &err);
	assert_int_equal(fd, -ELOOP);
	assert_string_equal(err.message, "'./link' is a symbolic link");
	assert_false(exists("dir/x"));
	/* a dangling one is not "missing": its target is not made */
	fd = jail_safe_walk(dfd, "dangling/x", &w, NULL, &err);
	assert_int_equal(fd, -ELOOP);
	assert_false(exists("nowhere"));
	/* a symlink as the last component */
	fd = jail_safe_walk(dfd, "link", &w, NULL, &err);
	assert_int_equal(fd, -ELOOP);

	/* ".." is refused before anything is made */
	fd = jail_safe_walk(dfd, "../x", &w, NULL, &err);
	assert_int_equal(fd, -EINVAL);
	assert_non_null(strstr(err.message, "'..' is not allowed"));

	/* a file where a directory must be */
	fd = jail_safe_walk(dfd, "dir/file/x", &w, NULL, &err);
	assert_int_equal(fd, -ENOTDIR);
	assert_string_equal(err.message, "'./dir/file' is not a directory");
	fd = jail_safe_walk(dfd, "dir/file", &w, NULL, &err);
	assert_int_equal(fd, -ENOTDIR);

	/* trusted: a group-writable directory on the way stops the walk
	 * before anything is made below it */
	w.flags |= JAIL_SAFE_TRUSTED;
	w.trusted_uid = getuid();
	fd = jail_safe_walk(dfd, "gw/sub", &w, NULL, &err);
	assert_int_equal(fd, -EPERM);
	assert_string_equal(err.message, "'./gw' is writable by group (mode 0775)");
	assert_false(exists("gw/sub"));
	/* ... and another owner than root or the trusted uid */
	if (getuid() == 0) {
		char p[PATH_MAX];
		path_of(p, "theirs");
		assert_int_equal(mkdir(p, 0755), 0);
		assert_int_equal(chown(p, 4242, 4242), 0);
		w.trusted_uid = 0;
		fd = jail_safe_walk(dfd, "theirs/sub", &w, NULL, &err);
		assert_int_equal(fd, -EPERM);
		assert_string_equal(err.message, "'./theirs' is owned by uid 4242, not root");
		assert_false(exists("theirs/sub"));
	}

	/* not creating: a missing component is an error, nothing is made */
	w.flags = JAIL_SAFE_DIRECTORY;
	fd = jail_safe_walk(dfd, "absent/x", &w, NULL, &err);
	assert_int_equal(fd, -ENOENT);
	assert_false(exists("absent"));
	close(dfd);
}

static void test_path_next(void **state)
{
	char comp[NAME_MAX + 1], big[NAME_MAX + 8];
	const char *p = "//usr///bin/ls/";

	assert_int_equal(jail_path_next(&p, comp), 1);
	assert_string_equal(comp, "usr");
	assert_string_equal(p, "bin/ls/");
	assert_int_equal(jail_path_next(&p, comp), 1);
	assert_string_equal(comp, "bin");
	assert_int_equal(jail_path_next(&p, comp), 1);
	assert_string_equal(comp, "ls");
	assert_string_equal(p, ""); /* the trailing slash is eaten: it was the last */
	assert_int_equal(jail_path_next(&p, comp), 0);

	p = "";
	assert_int_equal(jail_path_next(&p, comp), 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	p = big;
	assert_int_equal(jail_path_next(&p, comp), -ENAMETOOLONG);
	assert_ptr_equal(p, big); /* nothing consumed */
}

static void test_check_stat(void **state)
{
	struct jail_error err = { 0 };
	struct stat st = { .st_uid = 0, .st_mode = S_IFDIR | 0755 };

	assert_int_equal(jail_safe_check_stat(&st, "/x", 1000, &err), 0);
	st.st_mode = S_IFDIR | 0757;
	assert_int_equal(jail_safe_check_stat(&st, "/x", 1000, &err), -EPERM);
	assert_string_equal(err.message, "'/x' is writable by others (mode 0757)");
	st.st_mode = S_IFDIR | 0775;
	assert_int_equal(jail_safe_check_stat(&st, "/x", 1000, &err), -EPERM);
	assert_string_equal(err.message, "'/x' is writable by group (mode 0775)");
	st.st_mode = S_IFDIR | 0777;
	assert_int_equal(jail_safe_check_stat(&st, "/x", 1000, &err), -EPERM);
	assert_string_equal(err.message, "'/x' is world-writable (mode 0777)");
	st.st_mode = S_IFDIR | 0755;
	st.st_uid = 1001;
	assert_int_equal(jail_safe_check_stat(&st, "/x", 1000, &err), -EPERM);
	st.st_uid = 1000;
	assert_int_equal(jail_safe_check_stat(&st, "/x", 1000, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_absolute),
		cmocka_unit_test(test_trusted_refuses_world_writable_parent),
		cmocka_unit_test(test_untrusted_walk_opens),
		cmocka_unit_test(test_symlink_component_refused),
		cmocka_unit_test(test_openat_trusted_rules),
		cmocka_unit_test(test_walk_creates),
		cmocka_unit_test(test_walk_refuses),
		cmocka_unit_test(test_path_next),
		cmocka_unit_test(test_check_stat),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
