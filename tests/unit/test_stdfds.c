/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/stdfds.c: 0..2 end on /dev/null and stay open across exec, also when
 * they were closed (the launcher of jail-init once left fd 0 close-on-exec
 * when /dev/null landed on 0 itself). Each case runs in a child.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "stdfds.h"

static bool is_devnull(int fd)
{
	struct stat st, null;

	return fstat(fd, &st) == 0 && stat("/dev/null", &null) == 0 && S_ISCHR(st.st_mode) &&
	       st.st_rdev == null.st_rdev;
}

/* 0: fd is /dev/null and not close-on-exec */
static int null_and_inherited(int fd)
{
	return is_devnull(fd) && fcntl(fd, F_GETFD) == 0 ? 0 : 1;
}

/* Close `closed` (a bit per fd 0..2), keep a pipe on the others, call the
 * function, report (exit status: 0 good, else the first failing check). */
static int run_case(unsigned closed, bool replace_open)
{
	int status, p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		for (int fd = 0; fd < 3; fd++)
			if (dup2(p[1], fd) < 0)
				_exit(20);
		close(p[0]);
		close(p[1]);
		for (int fd = 0; fd < 3; fd++)
			if (closed & (1U << fd))
				close(fd);
		if (jail_stdfds_devnull(replace_open) < 0)
			_exit(21);
		for (int fd = 0; fd < 3; fd++) {
			if ((closed & (1U << fd)) || replace_open) {
				if (null_and_inherited(fd))
					_exit(1 + fd);
			} else if (is_devnull(fd) || fcntl(fd, F_GETFD) < 0) {
				_exit(4 + fd); /* an open one was replaced */
			}
		}
		_exit(0);
	}
	close(p[0]);
	close(p[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_closed_fds_filled(void **state)
{
	(void)state;
	for (unsigned closed = 0; closed < 8; closed++) {
		int r = run_case(closed, false);
		if (r != 0)
			fail_msg("closed mask %u, fill only: check %d failed", closed, r);
	}
}

static void test_all_replaced(void **state)
{
	(void)state;
	for (unsigned closed = 0; closed < 8; closed++) {
		int r = run_case(closed, true);
		if (r != 0)
			fail_msg("closed mask %u, replace all: check %d failed", closed, r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closed_fds_filled),
		cmocka_unit_test(test_all_replaced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
