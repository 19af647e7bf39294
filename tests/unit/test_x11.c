/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/x11.c without root: DISPLAY parsing, the .Xauthority format (checked
 * against files written by the real xauth(1) when it is installed), the
 * PAM environment channel, and reading the user's file as the user. */
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

#include "x11.h"

static void test_local_display(void **state)
{
	unsigned n = 99;

	assert_int_equal(jail_x11_local_display(":0", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(jail_x11_local_display(":12.1", &n), 0);
	assert_int_equal(n, 12);
	assert_int_equal(jail_x11_local_display("unix:3", &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(jail_x11_local_display("unix:3.0", &n), 0);
	assert_int_equal(jail_x11_local_display("localhost:10.0", &n), -EINVAL);
	assert_int_equal(jail_x11_local_display("host:0", &n), -EINVAL);
	assert_int_equal(jail_x11_local_display(":", &n), -EINVAL);
	assert_int_equal(jail_x11_local_display(":x", &n), -EINVAL);
	assert_int_equal(jail_x11_local_display(":1x", &n), -EINVAL);
	assert_int_equal(jail_x11_local_display(":1.", &n), -EINVAL);
	assert_int_equal(jail_x11_local_display(":-1", &n), -EINVAL);
	assert_int_equal(jail_x11_local_display(":../../x", &n), -EINVAL);
	assert_int_equal(jail_x11_local_display(":65536", &n), -ERANGE);
	assert_int_equal(jail_x11_local_display("", &n), -EINVAL);
	assert_int_equal(jail_x11_local_display(NULL, &n), -EINVAL);
}

static struct jail_x11_cookie make_cookie(unsigned char fill)
{
	struct jail_x11_cookie c = { .name_len = 18, .data_len = 16 };

	memcpy(c.name, "MIT-MAGIC-COOKIE-1", 19);
	memset(c.data, fill, 16);
	return c;
}

static void test_xauth_set_find(void **state)
{
	struct jail_x11_cookie a = make_cookie(0xaa), b = make_cookie(0xbb), got;
	unsigned char *one = NULL, *two = NULL, *three = NULL;
	size_t one_len, two_len, three_len;

	assert_int_equal(jail_xauth_set(NULL, 0, "jail", 5, &a, &one, &one_len), 0);
	assert_int_equal(jail_xauth_find(one, one_len, "jail", 5, &got), 0);
	assert_string_equal(got.name, "MIT-MAGIC-COOKIE-1");
	assert_memory_equal(got.data, a.data, 16);
	assert_int_equal(jail_xauth_find(one, one_len, "jail", 6, &got), -ENOENT);
	assert_int_equal(jail_xauth_find(one, one_len, "other", 5, &got), -ENOENT);

	/* Another display kept; the same display replaced, not duplicated. */
	assert_int_equal(jail_xauth_set(one, one_len, "jail", 6, &b, &two, &two_len), 0);
	assert_int_equal(jail_xauth_set(two, two_len, "jail", 5, &b, &three, &three_len), 0);
	assert_int_equal(three_len, two_len);
	assert_int_equal(jail_xauth_find(three, three_len, "jail", 5, &got), 0);
	assert_memory_equal(got.data, b.data, 16);
	assert_int_equal(jail_xauth_find(three, three_len, "jail", 6, &got), 0);
	assert_memory_equal(got.data, b.data, 16);

	/* Truncated images are malformed, never read past the end. */
	for (size_t cut = 1; cut < three_len; cut++) {
		int r = jail_xauth_find(three, three_len - cut, "jail", 6, &got);
		assert_true(r == -EINVAL || r == 0 || r == -ENOENT);
	}
	assert_int_equal(jail_xauth_find(three, 3, "jail", 5, &got), -EINVAL);
	free(one);
	free(two);
	free(three);
}

/* The FamilyWild entries "xauth add" writes for "ffff" lines match any host. */
static void test_xauth_wild(void **state)
{
	static const unsigned char wild[] = {
		0xff, 0xff, 0,	 0,   0,   1,	'7', 0,	  18,  'M', 'I', 'T', '-', 'M',	 'A',  'G',
		'I',  'C',  '-', 'C', 'O', 'O', 'K', 'I', 'E', '-', '1', 0,   2,   0xde, 0xad,
	};
	struct jail_x11_cookie got;

	assert_int_equal(jail_xauth_find(wild, sizeof(wild), "anyhost", 7, &got), 0);
	assert_int_equal(got.data_len, 2);
	assert_int_equal(got.data[0], 0xde);
	assert_int_equal(jail_xauth_find(wild, sizeof(wild), "anyhost", 8, &got), -ENOENT);
}

/* Interoperability with the real xauth(1): it reads what we write, and we
 * read what it writes. */
static void test_xauth_real_tool(void **state)
{
	char dir[] = "/tmp/test_x11.XXXXXX", file[64], cmd[256], line[256];
	struct jail_x11_cookie c = make_cookie(0x5a), got;
	unsigned char *img = NULL, buf[4096];
	size_t len = 0;
	ssize_t n;
	FILE *p;
	int fd;

	if (system("command -v xauth >/dev/null 2>&1") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/xa", dir);

	assert_int_equal(jail_xauth_set(NULL, 0, "jailhost", 42, &c, &img, &len), 0);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, img, len), (ssize_t)len);
	close(fd);
	free(img);
	snprintf(cmd, sizeof(cmd), "xauth -f %s list 2>&1", file);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	pclose(p);
	assert_string_equal(line, "jailhost/unix:42  MIT-MAGIC-COOKIE-1  "
				  "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a\n");

	snprintf(cmd, sizeof(cmd),
		 "xauth -f %s add otherhost/unix:3 MIT-MAGIC-COOKIE-1 "
		 "0102030405060708090a0b0c0d0e0f10 2>/dev/null",
		 file);
	assert_int_equal(system(cmd), 0);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 0);
	assert_int_equal(jail_xauth_find(buf, (size_t)n, "otherhost", 3, &got), 0);
	assert_int_equal(got.data[15], 0x10);
	assert_int_equal(jail_xauth_find(buf, (size_t)n, "jailhost", 42, &got), 0);
	assert_int_equal(got.data[0], 0x5a);
	unlink(file);
	rmdir(dir);
}

static void test_env_round_trip(void **state)
{
	struct jail_x11_cookie c = make_cookie(0x01), got;
	unsigned n = 0;
	char *s = NULL;

	c.data[15] = 0xfe;
	assert_int_equal(jail_x11_env_format(7, &c, &s), 0);
	assert_string_equal(s, "7 MIT-MAGIC-COOKIE-1 010101010101010101010101010101fe");
	assert_int_equal(jail_x11_env_parse(s, &n, &got), 0);
	assert_int_equal(n, 7);
	assert_string_equal(got.name, "MIT-MAGIC-COOKIE-1");
	assert_int_equal(got.data_len, 16);
	assert_memory_equal(got.data, c.data, 16);
	free(s);
}

static void test_env_parse_strict(void **state)
{
	struct jail_x11_cookie got;
	unsigned n;

	assert_int_equal(jail_x11_env_parse("7 MIT 00ff", &n, &got), 0);
	assert_int_equal(jail_x11_env_parse("", &n, &got), -EINVAL);
	assert_int_equal(jail_x11_env_parse("7", &n, &got), -EINVAL);
	assert_int_equal(jail_x11_env_parse("7 MIT", &n, &got), -EINVAL);
	assert_int_equal(jail_x11_env_parse("7 MIT ", &n, &got), -EINVAL);
	assert_int_equal(jail_x11_env_parse("7 MIT 0", &n, &got), -EINVAL);   /* odd */
	assert_int_equal(jail_x11_env_parse("7 MIT 0G", &n, &got), -EINVAL);  /* not hex */
	assert_int_equal(jail_x11_env_parse("7 MIT 0A", &n, &got), -EINVAL);  /* lowercase only */
	assert_int_equal(jail_x11_env_parse("7  MIT 00", &n, &got), -EINVAL); /* empty name */
	assert_int_equal(jail_x11_env_parse("x MIT 00", &n, &got), -EINVAL);
	assert_int_equal(jail_x11_env_parse("70000 MIT 00", &n, &got), -ERANGE);
	assert_int_equal(jail_x11_env_parse("7 MIT 00 00", &n, &got), -EINVAL);
}

/* Read as the user: works for our own file, refuses a symlink, reports a
 * missing file as ENOENT. (As root the child drops to our uid; as a user
 * it "drops" to itself.) */
static void test_read_user_xauthority(void **state)
{
	char dir[] = "/tmp/test_x11h.XXXXXX", path[96];
	unsigned char *buf = NULL;
	struct jail_error err = { 0 };
	size_t len = 0;
	int fd;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(jail_x11_read_user_xauthority(dir, getuid(), getgid(), &buf, &len, &err),
			 -ENOENT);
	snprintf(path, sizeof(path), "%s/.Xauthority", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);
	assert_int_equal(jail_x11_read_user_xauthority(dir, getuid(), getgid(), &buf, &len, &err),
			 0);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "hello", 5);
	free(buf);
	buf = NULL;
	unlink(path);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_true(jail_x11_read_user_xauthority(dir, getuid(), getgid(), &buf, &len, &err) < 0);
	assert_null(buf);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_display),
		cmocka_unit_test(test_xauth_set_find),
		cmocka_unit_test(test_xauth_wild),
		cmocka_unit_test(test_xauth_real_tool),
		cmocka_unit_test(test_env_round_trip),
		cmocka_unit_test(test_env_parse_strict),
		cmocka_unit_test(test_read_user_xauthority),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
