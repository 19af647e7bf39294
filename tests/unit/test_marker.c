/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The jail marker: format/parse round trip, strict parsing, and every
 * refusal of verify() that can be provoked without root. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "marker.h"

static const char *const test_id = "0123456789abcdef0123456789abcdef";

static struct jail_policy *make_policy(void)
{
	struct jail_policy *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->user = strdup("alice");
	p->uid = 1234;
	p->gid = 1235;
	p->home = strdup("/home/alice");
	p->profile = strdup("students");
	p->home_mode = JAIL_HOME_TMPFS;
	p->skeleton = strdup("/etc/skel");
	p->persist = calloc(3, sizeof(char *));
	p->persist[0] = strdup("work");
	p->persist[1] = strdup(".ssh");
	p->shell = strdup("/bin/bash");
	p->path = strdup("/usr/local/bin:/usr/bin:/bin");
	p->hostname = strdup("jail");
	p->x11 = true;
	return p;
}

static void test_round_trip(void **state)
{
	struct jail_policy *p = make_policy();
	struct jail_marker *m = NULL, *back = NULL;
	struct jail_error err = { 0 };
	char *buf = NULL;
	size_t len = 0;

	assert_int_equal(jail_marker_from_policy(p, test_id, 42, 4026531840ull, &m), 0);
	assert_int_equal(jail_marker_format(m, &buf, &len), 0);
	assert_int_equal(strlen(buf), len);
	assert_int_equal(jail_marker_parse(buf, len, &back, &err), 0);

	assert_string_equal(back->id, test_id);
	assert_string_equal(back->user, "alice");
	assert_int_equal(back->uid, 1234);
	assert_int_equal(back->gid, 1235);
	assert_string_equal(back->profile, "students");
	assert_int_equal(back->mntns_dev, 42);
	assert_int_equal(back->mntns_ino, 4026531840ull);
	assert_string_equal(back->home, "/home/alice");
	assert_int_equal(back->home_mode, JAIL_HOME_TMPFS);
	assert_string_equal(back->skeleton, "/etc/skel");
	assert_string_equal(back->persist[0], "work");
	assert_string_equal(back->persist[1], ".ssh");
	assert_null(back->persist[2]);
	assert_string_equal(back->shell, "/bin/bash");
	assert_string_equal(back->path, "/usr/local/bin:/usr/bin:/bin");
	assert_string_equal(back->hostname, "jail");
	assert_true(back->x11);

	free(buf);
	jail_marker_free(m);
	jail_marker_free(back);
	jail_policy_free(p);
}

/* Optional fields left out come back as NULL / empty, and a bind home
 * drops the skeleton and persistent dirs (they only apply to tmpfs). */
static void test_round_trip_minimal(void **state)
{
	struct jail_policy *p = make_policy();
	struct jail_marker *m = NULL, *back = NULL;
	char *buf = NULL;
	size_t len = 0;

	free(p->hostname);
	p->hostname = NULL;
	p->home_mode = JAIL_HOME_BIND;
	p->x11 = false;
	assert_int_equal(jail_marker_from_policy(p, test_id, 1, 2, &m), 0);
	assert_null(m->skeleton);
	assert_int_equal(jail_marker_format(m, &buf, &len), 0);
	assert_null(strstr(buf, "hostname="));
	assert_null(strstr(buf, "skeleton="));
	assert_int_equal(jail_marker_parse(buf, len, &back, NULL), 0);
	assert_null(back->hostname);
	assert_null(back->skeleton);
	assert_non_null(back->persist);
	assert_null(back->persist[0]);
	assert_int_equal(back->home_mode, JAIL_HOME_BIND);
	assert_false(back->x11);
	free(buf);
	jail_marker_free(m);
	jail_marker_free(back);
	jail_policy_free(p);
}

/* The writer refuses what the reader would refuse. */
static void test_from_policy_refuses_bad_values(void **state)
{
	struct jail_policy *p = make_policy();
	struct jail_marker *m = NULL;

	assert_int_equal(jail_marker_from_policy(p, "not-hex", 1, 2, &m), -EINVAL);
	free(p->shell);
	p->shell = strdup("bin/bash");
	assert_int_equal(jail_marker_from_policy(p, test_id, 1, 2, &m), -EINVAL);
	free(p->shell);
	p->shell = strdup("/bin/bash");
	free(p->persist[0]);
	p->persist[0] = strdup("a:b");
	assert_int_equal(jail_marker_from_policy(p, test_id, 1, 2, &m), -EINVAL);
	free(p->persist[0]);
	p->persist[0] = strdup("../etc");
	assert_int_equal(jail_marker_from_policy(p, test_id, 1, 2, &m), -EINVAL);
	free(p->persist[0]);
	p->persist[0] = strdup("work");
	free(p->user);
	p->user = strdup("al\nice");
	assert_int_equal(jail_marker_from_policy(p, test_id, 1, 2, &m), -EINVAL);
	assert_null(m);
	jail_policy_free(p);
}

static const char good[] = "id=0123456789abcdef0123456789abcdef\n"
			   "user=alice\n"
			   "uid=1234\n"
			   "gid=1235\n"
			   "profile=students\n"
			   "mntns_dev=4\n"
			   "mntns_ino=4026532000\n"
			   "home=/home/alice\n"
			   "home_mode=tmpfs\n"
			   "persist=\n"
			   "shell=/bin/bash\n"
			   "path=/usr/bin:/bin\n"
			   "x11=no\n";

/* Parse `good` with `from` replaced by `to`; return the result code. */
static int parse_edited(const char *from, const char *to, struct jail_error *err)
{
	char buf[2048];
	const char *at = strstr(good, from);
	struct jail_marker *m = NULL;
	int r;

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
	r = jail_marker_parse(buf, strlen(buf), &m, err);
	if (r == 0)
		assert_non_null(m);
	else
		assert_null(m);
	jail_marker_free(m);
	return r;
}

static void test_parse_good(void **state)
{
	struct jail_error err = { 0 };

	assert_int_equal(parse_edited("x11=no\n", "x11=no\n", &err), 0);
}

static void test_parse_strict(void **state)
{
	struct jail_error err = { 0 };

	assert_int_equal(parse_edited("x11=no\n", "x11=no\ncolour=blue\n", &err), -EINVAL);
	assert_non_null(strstr(err.message, "unknown key 'colour'"));
	assert_int_equal(parse_edited("user=alice\n", "user=alice\nuser=bob\n", &err), -EINVAL);
	assert_non_null(strstr(err.message, "duplicate key 'user'"));
	assert_int_equal(parse_edited("uid=1234\n", "", &err), -EINVAL);
	assert_non_null(strstr(err.message, "missing key 'uid'"));
	assert_int_equal(parse_edited("mntns_ino=4026532000\n", "", &err), -EINVAL);
	assert_non_null(strstr(err.message, "missing key 'mntns_ino'"));
	assert_int_equal(parse_edited("x11=no\n", "x11=no", &err), -EINVAL);	 /* no newline */
	assert_int_equal(parse_edited("x11=no\n", "x11=no\n\n", &err), -EINVAL); /* empty line */
	assert_int_equal(parse_edited("x11=no\n", "x11=no\n# comment\n", &err), -EINVAL);
	assert_int_equal(parse_edited("x11=no\n", "x11=maybe\n", &err), -EINVAL);
	assert_int_equal(parse_edited("home_mode=tmpfs\n", "home_mode=overlay\n", &err), -EINVAL);
}

static void test_parse_numbers(void **state)
{
	struct jail_error err = { 0 };

	assert_int_equal(parse_edited("uid=1234\n", "uid=-1\n", &err), -EINVAL);
	assert_int_equal(parse_edited("uid=1234\n", "uid=+5\n", &err), -EINVAL);
	assert_int_equal(parse_edited("uid=1234\n", "uid=12a\n", &err), -EINVAL);
	assert_int_equal(parse_edited("uid=1234\n", "uid=\n", &err), -EINVAL);
	assert_int_equal(parse_edited("uid=1234\n", "uid= 1\n", &err), -EINVAL);
	assert_int_equal(parse_edited("uid=1234\n", "uid=01\n", &err), -EINVAL);
	assert_int_equal(parse_edited("uid=1234\n", "uid=4294967295\n", &err), -ERANGE);
	assert_int_equal(parse_edited("uid=1234\n", "uid=4294967294\n", &err), 0);
	assert_int_equal(parse_edited("uid=1234\n", "uid=0\n", &err), 0);
	assert_int_equal(parse_edited("mntns_dev=4\n", "mntns_dev=18446744073709551615\n", &err),
			 0);
	assert_int_equal(parse_edited("mntns_dev=4\n", "mntns_dev=18446744073709551616\n", &err),
			 -ERANGE);
}

static void test_parse_values(void **state)
{
	struct jail_error err = { 0 };

	assert_int_equal(parse_edited("id=0123456789abcdef0123456789abcdef\n",
				      "id=0123456789ABCDEF0123456789abcdef\n", &err),
			 -EINVAL);
	assert_int_equal(parse_edited("id=0123456789abcdef0123456789abcdef\n", "id=01\n", &err),
			 -EINVAL);
	assert_int_equal(parse_edited("shell=/bin/bash\n", "shell=bash\n", &err), -EINVAL);
	assert_int_equal(parse_edited("shell=/bin/bash\n", "shell=/bin/../bin/sh\n", &err),
			 -EINVAL);
	assert_int_equal(parse_edited("home=/home/alice\n", "home=\n", &err), -EINVAL);
	assert_int_equal(parse_edited("user=alice\n", "user=al\x1b[2Jice\n", &err), -EINVAL);
	assert_int_equal(parse_edited("persist=\n", "persist=work::src\n", &err), -EINVAL);
	assert_int_equal(parse_edited("persist=\n", "persist=../x\n", &err), -EINVAL);
	assert_int_equal(parse_edited("persist=\n", "persist=a/./b\n", &err), -EINVAL);
	assert_int_equal(parse_edited("persist=\n", "persist=work/\n", &err), -EINVAL);
	assert_int_equal(parse_edited("persist=\n", "persist=work:src/lab:/home/alice/x\n", &err),
			 0);
	assert_int_equal(parse_edited("path=/usr/bin:/bin\n", "path=\n", &err), -EINVAL);
}

static void test_parse_limits(void **state)
{
	struct jail_marker *m = NULL;
	struct jail_error err = { 0 };
	char withnul[] = "id=0\0\n";
	size_t big = JAIL_MARKER_MAX_SIZE + 1;
	char *huge = malloc(big);

	assert_int_equal(jail_marker_parse(good, 0, &m, &err), -EINVAL);
	assert_int_equal(jail_marker_parse(withnul, sizeof(withnul) - 1, &m, &err), -EINVAL);
	assert_non_null(strstr(err.message, "NUL"));
	assert_non_null(huge);
	memset(huge, '\n', big);
	assert_int_equal(jail_marker_parse(huge, big, &m, &err), -E2BIG);
	assert_null(m);
	free(huge);
}

/* ------------------------------------------------------------------------ */
/* verify_at: a marker in a temporary directory, trusted_uid = our own uid.    */

struct verify_env {
	char dir[64];
	int dirfd;
};

static int verify_setup(void **state)
{
	struct verify_env *e = calloc(1, sizeof(*e));

	snprintf(e->dir, sizeof(e->dir), "/tmp/test_marker.XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	/* mkdtemp makes 0700: not writable by group or others, like the jail's
	 * root-owned 0755 /run/pam_jail. */
	e->dirfd = open(e->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (e->dirfd < 0)
		return -1;
	*state = e;
	return 0;
}

static int verify_teardown(void **state)
{
	struct verify_env *e = *state;

	unlinkat(e->dirfd, "m", 0);
	unlinkat(e->dirfd, "sub/m", 0);
	unlinkat(e->dirfd, "sub", AT_REMOVEDIR);
	unlinkat(e->dirfd, "link", 0);
	close(e->dirfd);
	rmdir(e->dir);
	free(e);
	return 0;
}

/* Write a marker for this process (our uid, our mount namespace) with
 * optional overrides, mode `mode`, at `name`. */
static void write_marker(struct verify_env *e, const char *name, mode_t mode, uid_t uid,
			 uint64_t ino_delta)
{
	struct jail_policy *p = make_policy();
	struct jail_marker *m = NULL;
	uint64_t dev, ino;
	char *buf = NULL;
	size_t len = 0;
	int fd;

	assert_int_equal(jail_marker_current_mntns(&dev, &ino, NULL), 0);
	p->uid = uid;
	assert_int_equal(jail_marker_from_policy(p, test_id, dev, ino + ino_delta, &m), 0);
	assert_int_equal(jail_marker_format(m, &buf, &len), 0);
	unlinkat(e->dirfd, name, 0);
	fd = openat(e->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	free(buf);
	jail_marker_free(m);
	jail_policy_free(p);
}

static int verify(struct verify_env *e, const char *name, struct jail_error *err)
{
	struct jail_marker *m = NULL;
	int r = jail_marker_verify_at(e->dirfd, name, getuid(), &m, err);

	if (r == 0) {
		assert_non_null(m);
		assert_int_equal(m->uid, getuid());
	} else {
		assert_null(m);
	}
	jail_marker_free(m);
	return r;
}

static void test_verify_ok(void **state)
{
	struct verify_env *e = *state;

	write_marker(e, "m", 0444, getuid(), 0);
	assert_int_equal(verify(e, "m", NULL), 0);
}

static void test_verify_missing(void **state)
{
	struct verify_env *e = *state;
	struct jail_error err = { 0 };

	assert_int_equal(verify(e, "m", &err), -ENOENT);
	assert_non_null(strstr(err.message, "not inside a pam_jail jail"));
}

static void test_verify_writable(void **state)
{
	struct verify_env *e = *state;
	struct jail_error err = { 0 };

	write_marker(e, "m", 0464, getuid(), 0);
	assert_int_equal(verify(e, "m", &err), -EPERM);
	assert_non_null(strstr(err.message, "writable by group"));
	write_marker(e, "m", 0446, getuid(), 0);
	assert_int_equal(verify(e, "m", &err), -EPERM);
	assert_non_null(strstr(err.message, "writable by others"));
}

/* A writable directory on the way lets anyone swap the file: refused. */
static void test_verify_writable_dir(void **state)
{
	struct verify_env *e = *state;
	struct jail_error err = { 0 };

	assert_int_equal(mkdirat(e->dirfd, "sub", 0755), 0);
	write_marker(e, "sub/m", 0444, getuid(), 0);
	assert_int_equal(verify(e, "sub/m", NULL), 0);
	assert_int_equal(fchmodat(e->dirfd, "sub", 0777, 0), 0);
	assert_int_equal(verify(e, "sub/m", &err), -EPERM);
	assert_non_null(strstr(err.message, "sub' is world-writable (mode 0777)"));
}

static void test_verify_symlink(void **state)
{
	struct verify_env *e = *state;
	struct jail_error err = { 0 };

	write_marker(e, "m", 0444, getuid(), 0);
	assert_int_equal(symlinkat("m", e->dirfd, "link"), 0);
	assert_int_equal(verify(e, "link", &err), -ELOOP);
	assert_non_null(strstr(err.message, "symbolic link"));
}

static void test_verify_not_regular(void **state)
{
	struct verify_env *e = *state;
	struct jail_error err = { 0 };

	assert_int_equal(mkdirat(e->dirfd, "sub", 0755), 0);
	assert_true(verify(e, "sub", &err) < 0);
	assert_non_null(strstr(err.message, "not a regular file"));
}

/* A FIFO as the marker: refused at once, not waited on. */
static void test_verify_fifo(void **state)
{
	struct verify_env *e = *state;
	struct jail_error err = { 0 };

	assert_int_equal(mkfifoat(e->dirfd, "m", 0444), 0);
	assert_true(verify(e, "m", &err) < 0);
	assert_non_null(strstr(err.message, "not a regular file"));
}

/* A marker from another mount namespace (another jail). */
static void test_verify_other_mntns(void **state)
{
	struct verify_env *e = *state;
	struct jail_error err = { 0 };

	write_marker(e, "m", 0444, getuid(), 1);
	assert_int_equal(verify(e, "m", &err), -EPERM);
	assert_non_null(strstr(err.message, "another mount namespace"));
}

static void test_verify_other_uid(void **state)
{
	struct verify_env *e = *state;
	struct jail_error err = { 0 };

	write_marker(e, "m", 0444, getuid() + 1, 0);
	assert_int_equal(verify(e, "m", &err), -EPERM);
	assert_non_null(strstr(err.message, "is for uid"));
}

static void test_verify_garbage(void **state)
{
	struct verify_env *e = *state;
	struct jail_error err = { 0 };
	int fd = openat(e->dirfd, "m", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello\n", 6), 6);
	close(fd);
	assert_int_equal(verify(e, "m", &err), -EINVAL);
	assert_non_null(strstr(err.message, "bad jail marker"));
}

/* The production entry point, outside any jail: refuses. */
static void test_verify_here_refuses(void **state)
{
	struct jail_marker *m = NULL;
	struct jail_error err = { 0 };

	if (access(JAIL_MARKER_PATH, F_OK) == 0)
		skip();
	assert_true(jail_marker_verify(&m, &err) < 0);
	assert_null(m);
	assert_true(err.message[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_minimal),
		cmocka_unit_test(test_from_policy_refuses_bad_values),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_strict),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_parse_values),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test_setup_teardown(test_verify_ok, verify_setup, verify_teardown),
		cmocka_unit_test_setup_teardown(test_verify_missing, verify_setup, verify_teardown),
		cmocka_unit_test_setup_teardown(test_verify_writable, verify_setup,
						verify_teardown),
		cmocka_unit_test_setup_teardown(test_verify_writable_dir, verify_setup,
						verify_teardown),
		cmocka_unit_test_setup_teardown(test_verify_symlink, verify_setup, verify_teardown),
		cmocka_unit_test_setup_teardown(test_verify_not_regular, verify_setup,
						verify_teardown),
		cmocka_unit_test_setup_teardown(test_verify_fifo, verify_setup, verify_teardown),
		cmocka_unit_test_setup_teardown(test_verify_other_mntns, verify_setup,
						verify_teardown),
		cmocka_unit_test_setup_teardown(test_verify_other_uid, verify_setup,
						verify_teardown),
		cmocka_unit_test_setup_teardown(test_verify_garbage, verify_setup, verify_teardown),
		cmocka_unit_test(test_verify_here_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
