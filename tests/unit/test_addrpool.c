/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4 address leases (init/host/addrpool.h): CIDR parsing, what a pool hands
 * out, exhaustion, release, and a dead holder's lease taken over. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addrpool.h"

static int make_dir(char *path, size_t size)
{
	snprintf(path, size, "/tmp/pj-addrpool.XXXXXX");
	assert_non_null(mkdtemp(path));
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void remove_dir(const char *path, int fd)
{
	char cmd[128];

	close(fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static const char *addr_str(struct in_addr a)
{
	static char s[INET_ADDRSTRLEN];

	return inet_ntop(AF_INET, &a, s, sizeof(s));
}

static void test_cidr(void **state)
{
	struct jail_error e = { 0 };
	struct in_addr net;
	unsigned prefix;

	(void)state;
	assert_int_equal(jail_cidr4_parse("10.213.0.0/24", &net, &prefix, &e), 0);
	assert_string_equal(addr_str(net), "10.213.0.0");
	assert_int_equal(prefix, 24);
	assert_int_equal(jail_cidr4_parse("10.213.0.1/24", &net, &prefix, &e), -EINVAL);
	assert_non_null(strstr(e.message, "host bits"));
	assert_int_equal(jail_cidr4_parse("10.213.0.0", &net, &prefix, &e), -EINVAL);
	assert_int_equal(jail_cidr4_parse("10.213.0.0/33", &net, &prefix, &e), -EINVAL);
	assert_int_equal(jail_cidr4_parse("10.213.0.0/", &net, &prefix, &e), -EINVAL);
	assert_int_equal(jail_cidr4_parse("10.213.0.0/2x", &net, &prefix, &e), -EINVAL);
	assert_int_equal(jail_cidr4_parse("fd00::/64", &net, &prefix, &e), -EINVAL);
}

/* A /29 with its gateway inside: .2 to .6, then exhausted; a released
 * address is the next one handed out. */
static void test_pool_29(void **state)
{
	struct jail_error e = { 0 };
	struct jail_lease4 l[6];
	char dir[64], stale[256];
	int fd = make_dir(dir, sizeof(dir));

	(void)state;
	for (int i = 0; i < 5; i++) {
		char want[32];
		assert_int_equal(jail_lease4_take(fd, "10.213.4.0/29", NULL, "key=t\n", &l[i],
						  stale, sizeof(stale), &e),
				 0);
		snprintf(want, sizeof(want), "10.213.4.%d", i + 2);
		assert_string_equal(addr_str(l[i].addr), want);
		assert_string_equal(addr_str(l[i].gateway), "10.213.4.1");
		assert_int_equal(l[i].prefix, 29);
		assert_string_equal(stale, "");
	}
	assert_int_equal(jail_lease4_take(fd, "10.213.4.0/29", NULL, "key=t\n", &l[5], stale,
					  sizeof(stale), &e),
			 -EADDRNOTAVAIL);
	assert_non_null(strstr(e.message, "10.213.4.0/29 is exhausted: all 5 addresses"));
	assert_int_equal(l[5].fd, -1);

	jail_lease4_release(fd, &l[2]);
	assert_int_equal(l[2].fd, -1);
	assert_int_equal(faccessat(fd, "ip4-10.213.4.4", F_OK, 0), -1);
	assert_int_equal(jail_lease4_take(fd, "10.213.4.0/29", NULL, "key=t\n", &l[2], stale,
					  sizeof(stale), &e),
			 0);
	assert_string_equal(addr_str(l[2].addr), "10.213.4.4");
	for (int i = 0; i < 5; i++)
		jail_lease4_release(fd, &l[i]);
	remove_dir(dir, fd);
}

/* The gateway is skipped wherever it is; a gateway outside the pool, a
 * pool too big or too small are refused. */
static void test_gateway_and_limits(void **state)
{
	struct jail_error e = { 0 };
	struct jail_lease4 a, b;
	char dir[64], stale[256];
	int fd = make_dir(dir, sizeof(dir));

	(void)state;
	assert_int_equal(jail_lease4_take(fd, "10.213.6.0/30", "10.213.6.1", "x\n", &a, stale,
					  sizeof(stale), &e),
			 0);
	assert_string_equal(addr_str(a.addr), "10.213.6.2");
	assert_int_equal(jail_lease4_take(fd, "10.213.6.0/30", "10.213.6.1", "x\n", &b, stale,
					  sizeof(stale), &e),
			 -EADDRNOTAVAIL);
	jail_lease4_release(fd, &a);
	assert_int_equal(jail_lease4_take(fd, "10.213.6.0/30", "10.213.6.2", "x\n", &a, stale,
					  sizeof(stale), &e),
			 0);
	assert_string_equal(addr_str(a.addr), "10.213.6.1");
	jail_lease4_release(fd, &a);
	assert_int_equal(jail_lease4_take(fd, "10.213.6.0/30", "10.213.6.3", "x\n", &a, stale,
					  sizeof(stale), &e),
			 -EINVAL); /* the broadcast address */
	assert_int_equal(jail_lease4_take(fd, "10.213.6.0/24", "10.213.7.1", "x\n", &a, stale,
					  sizeof(stale), &e),
			 -EINVAL);
	assert_int_equal(jail_lease4_take(fd, "10.0.0.0/8", NULL, "x\n", &a, stale, sizeof(stale),
					  &e),
			 -EINVAL);
	assert_int_equal(jail_lease4_take(fd, "10.213.6.0/31", NULL, "x\n", &a, stale,
					  sizeof(stale), &e),
			 -EINVAL);
	remove_dir(dir, fd);
}

/* A lease whose holder died (killed, never released) is free: its lock
 * died with it. The taker gets the old owner's text to clean up after. */
static void test_dead_holder(void **state)
{
	struct jail_error e = { 0 };
	struct jail_lease4 l;
	char dir[64], stale[256];
	int fd = make_dir(dir, sizeof(dir)), pipefd[2], status;
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct jail_lease4 mine;
		if (jail_lease4_take(fd, "10.213.4.0/29", NULL, "key=dead\nveth=pjdead\n", &mine,
				     stale, sizeof(stale), NULL) != 0)
			_exit(1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	/* alive: its address is taken */
	assert_int_equal(jail_lease4_take(fd, "10.213.4.0/29", NULL, "key=live\n", &l, stale,
					  sizeof(stale), &e),
			 0);
	assert_string_equal(addr_str(l.addr), "10.213.4.3");
	jail_lease4_release(fd, &l);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* dead: the same address, with the dead one's text */
	assert_int_equal(jail_lease4_take(fd, "10.213.4.0/29", NULL, "key=new\n", &l, stale,
					  sizeof(stale), &e),
			 0);
	assert_string_equal(addr_str(l.addr), "10.213.4.2");
	assert_string_equal(stale, "key=dead\nveth=pjdead\n");
	jail_lease4_release(fd, &l);
	close(pipefd[0]);
	remove_dir(dir, fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_pool_29),
		cmocka_unit_test(test_gateway_and_limits),
		cmocka_unit_test(test_dead_holder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
