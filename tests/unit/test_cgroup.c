/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/cgroup: what needs no root (which limits want a cgroup, names that
 * must never become paths, a jail without a group). The groups themselves
 * are tested as root in tests/root/limits_*.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <unistd.h>

#include "cgroup.h"

static void test_wanted(void **state)
{
	struct jail_limits l = { .swap_bytes = UINT64_MAX, .core_bytes = UINT64_MAX };
	enum jail_cgroup_mode mode = JAIL_CGROUP_V1;

	(void)state;
	assert_false(jail_cgroup_wanted(&l));
	/* rlimits are per process: no cgroup for them */
	l.nofile = 100;
	l.nproc = 10;
	l.fsize_bytes = 4096;
	assert_false(jail_cgroup_wanted(&l));
	assert_int_equal(jail_cgroup_detect(&l, &mode, NULL), 0);
	assert_int_equal(mode, JAIL_CGROUP_NONE);
	l.pids = 1;
	assert_true(jail_cgroup_wanted(&l));
	l.pids = 0;
	l.memory_bytes = 1 << 20;
	assert_true(jail_cgroup_wanted(&l));
	l.memory_bytes = 0;
	l.cpu_percent = 50;
	assert_true(jail_cgroup_wanted(&l));
}

static void join_bad(const char *key, const char *id)
{
	struct jail_cgroup cg = JAIL_CGROUP_INIT;
	struct jail_error e = { 0 };
	int r = jail_cgroup_join(&cg, key, id, &e);

	if (r >= 0)
		fail_msg("key '%s' id '%s' was accepted", key, id);
	assert_int_equal(cg.mode, JAIL_CGROUP_NONE);
	for (int c = 0; c < JAIL_CG_NCTL; c++)
		assert_int_equal(cg.dir_fd[c], -1);
}

static void test_names_never_paths(void **state)
{
	(void)state;
	join_bad("../../x", "00");
	join_bad("u1", "../x");
	join_bad("u1/x", "00");
	join_bad("", "00");
	join_bad("u1", "");
	join_bad("u 1", "00");
	join_bad("u1\n", "00");
}

static void test_join_without_group(void **state)
{
	struct jail_cgroup cg = JAIL_CGROUP_INIT;
	struct jail_error e = { 0 };

	(void)state;
	/* a jail whose keeper made no group: nothing to join, no error (as
	 * root; others may not even look into a root-only pam_jail/ group,
	 * which fails closed) */
	int r = jail_cgroup_join(&cg, "u4294967294", "00000000000000000000000000000000", &e);

	if (geteuid() == 0 || r != -EACCES)
		assert_int_equal(r, 0);
	assert_int_equal(cg.mode, JAIL_CGROUP_NONE);
	for (int c = 0; c < JAIL_CG_NCTL; c++) {
		assert_int_equal(cg.dir_fd[c], -1);
		assert_int_equal(cg.home_procs_fd[c], -1);
	}
	jail_cgroup_close(&cg);
	/* destroying an unused group touches nothing */
	assert_int_equal(jail_cgroup_destroy(&cg, 0, &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_names_never_paths),
		cmocka_unit_test(test_join_without_group),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
