/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/msg.c: one message with fds over SOCK_SEQPACKET, and key=value lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"

static void make_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
}

static void test_roundtrip_with_fd(void **state)
{
	int sv[2], fds[2] = { -1, -1 }, devnull;
	char buf[64];
	size_t n_fds;
	struct stat a, b;

	make_pair(sv);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(devnull >= 0);
	assert_int_equal(jail_msg_send_str(sv[0], "JOIN", &devnull, 1), 0);
	assert_int_equal(jail_msg_recv(sv[1], buf, sizeof(buf), fds, 2, &n_fds), 4);
	assert_string_equal(buf, "JOIN");
	assert_int_equal(n_fds, 1);
	assert_true(fds[0] >= 0);
	assert_int_equal(fds[1], -1);
	assert_true(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	assert_int_equal(fstat(devnull, &a), 0);
	assert_int_equal(fstat(fds[0], &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fds[0]);
	close(devnull);
	close(sv[0]);
	close(sv[1]);
}

static void test_unexpected_fd_refused(void **state)
{
	int sv[2], fd = -1, devnull;
	char buf[64];

	make_pair(sv);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_int_equal(jail_msg_send_str(sv[0], "STATUS", &devnull, 1), 0);
	/* the receiver expects no fd: the message is refused, the fd not leaked */
	assert_int_equal(jail_msg_recv(sv[1], buf, sizeof(buf), &fd, 0, NULL), -EMSGSIZE);
	close(devnull);
	close(sv[0]);
	close(sv[1]);
}

static void test_truncation_and_eof(void **state)
{
	int sv[2];
	char buf[4];

	make_pair(sv);
	assert_int_equal(jail_msg_send_str(sv[0], "TOO LONG", NULL, 0), 0);
	assert_int_equal(jail_msg_recv(sv[1], buf, sizeof(buf), NULL, 0, NULL), -EMSGSIZE);
	close(sv[0]);
	assert_int_equal(jail_msg_recv(sv[1], buf, sizeof(buf), NULL, 0, NULL), 0);
	close(sv[1]);
}

static void test_embedded_nul_refused(void **state)
{
	int sv[2];
	char buf[16];

	make_pair(sv);
	assert_int_equal(jail_msg_send(sv[0], "OK\0x", 4, NULL, 0), 0);
	assert_int_equal(jail_msg_recv(sv[1], buf, sizeof(buf), NULL, 0, NULL), -EBADMSG);
	close(sv[0]);
	close(sv[1]);
}

static void test_get(void **state)
{
	char v[16];

	assert_int_equal(jail_msg_get("OK id=abc init=42 sessions=3", "init", v, sizeof(v)), 0);
	assert_string_equal(v, "42");
	assert_int_equal(jail_msg_get("OK id=abc init=42", "id", v, sizeof(v)), 0);
	assert_string_equal(v, "abc");
	/* a key is matched at a word start only */
	assert_int_equal(jail_msg_get("OK xinit=1", "init", v, sizeof(v)), -ENOENT);
	assert_int_equal(jail_msg_get("OK init=1", "sessions", v, sizeof(v)), -ENOENT);
	assert_int_equal(jail_msg_get("OK id=0123456789abcdef0", "id", v, sizeof(v)),
			 -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_with_fd),
		cmocka_unit_test(test_unexpected_fd_refused),
		cmocka_unit_test(test_truncation_and_eof),
		cmocka_unit_test(test_embedded_nul_refused),
		cmocka_unit_test(test_get),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
