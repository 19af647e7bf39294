/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/systemd_unit: what the keeper tells systemd, without systemd (the
 * D-Bus calls themselves are proven on the VM tier's guest, tests/vm). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "systemd_unit.h"

static void test_scope_name(void **state)
{
	char name[JAIL_UNIT_NAME_MAX], small[16], key[300];

	(void)state;
	assert_int_equal(jail_systemd_scope_name(name, sizeof(name), "u1000", "0a1b"), 0);
	assert_string_equal(name, "pam_jail-u1000-0a1b.scope");
	assert_int_equal(jail_systemd_scope_name(name, sizeof(name), "u1000-s00112233aabbccdd",
						 "ff"),
			 0);
	assert_string_equal(name, "pam_jail-u1000-s00112233aabbccdd-ff.scope");
	/* nothing that systemd would need escaped, or that is a path */
	assert_int_equal(jail_systemd_scope_name(name, sizeof(name), "u1/x", "00"), -EINVAL);
	assert_int_equal(jail_systemd_scope_name(name, sizeof(name), "../u1", "00"), -EINVAL);
	assert_int_equal(jail_systemd_scope_name(name, sizeof(name), "u1", "0.0"), -EINVAL);
	assert_int_equal(jail_systemd_scope_name(name, sizeof(name), "u 1", "00"), -EINVAL);
	assert_int_equal(jail_systemd_scope_name(name, sizeof(name), "u\\x2d", "00"), -EINVAL);
	assert_int_equal(jail_systemd_scope_name(name, sizeof(name), "u@1", "00"), -EINVAL);
	assert_int_equal(jail_systemd_scope_name(name, sizeof(name), "", "00"), -EINVAL);
	assert_int_equal(jail_systemd_scope_name(name, sizeof(name), "u1", ""), -EINVAL);
	assert_int_equal(jail_systemd_scope_name(small, sizeof(small), "u1000", "0a1b"),
			 -ENAMETOOLONG);
	/* systemd's own bound, whatever the buffer */
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	{
		char big[400];
		assert_int_equal(jail_systemd_scope_name(big, sizeof(big), key, "00"),
				 -ENAMETOOLONG);
	}
}

static void test_user_slice(void **state)
{
	char name[32];

	(void)state;
	assert_int_equal(jail_systemd_user_slice(name, sizeof(name), 1000), 0);
	assert_string_equal(name, "user-1000.slice");
	assert_int_equal(jail_systemd_user_slice(name, 8, 1000), -ENAMETOOLONG);
}

static uint64_t prop(const struct jail_unit_prop *p, size_t n, const char *name, bool *found)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0) {
			*found = true;
			return p[i].value;
		}
	*found = false;
	return 0;
}

static void test_limit_props(void **state)
{
	struct jail_unit_prop p[JAIL_UNIT_PROPS_MAX];
	struct jail_limits l = { .swap_bytes = UINT64_MAX, .core_bytes = UINT64_MAX };
	bool found;
	size_t n;

	(void)state;
	/* no cgroup limit: nothing (rlimits are not unit properties here) */
	l.nofile = 100;
	assert_int_equal(jail_systemd_limit_props(&l, p), 0);

	l.memory_bytes = 64ull << 20;
	l.swap_bytes = 0;
	l.pids = 40;
	l.cpu_percent = 50;
	n = jail_systemd_limit_props(&l, p);
	assert_int_equal(n, 4);
	assert_int_equal(prop(p, n, "MemoryMax", &found), 64ull << 20);
	assert_true(found);
	/* swap 0 means no swap at all, not "no limit" */
	assert_int_equal(prop(p, n, "MemorySwapMax", &found), 0);
	assert_true(found);
	assert_int_equal(prop(p, n, "TasksMax", &found), 40);
	assert_true(found);
	/* 50 % of one CPU = 0.5 s per second */
	assert_int_equal(prop(p, n, "CPUQuotaPerSecUSec", &found), 500000);
	assert_true(found);

	/* swap unlimited: systemd's infinity */
	l.swap_bytes = UINT64_MAX;
	n = jail_systemd_limit_props(&l, p);
	assert_int_equal(prop(p, n, "MemorySwapMax", &found), JAIL_UNIT_INFINITY);
	assert_true(found);

	/* a limit left unset is not sent (the admin's or systemd's stays),
	 * and without a memory limit no swap limit either, as in v2 mode */
	l.memory_bytes = 0;
	l.cpu_percent = 0;
	l.swap_bytes = 0;
	n = jail_systemd_limit_props(&l, p);
	assert_int_equal(n, 1);
	assert_string_equal(p[0].name, "TasksMax");
	prop(p, n, "MemorySwapMax", &found);
	assert_false(found);
	l.cpu_percent = 250; /* more than one CPU */
	n = jail_systemd_limit_props(&l, p);
	assert_int_equal(prop(p, n, "CPUQuotaPerSecUSec", &found), 2500000);
}

static void test_cgroup_path(void **state)
{
	char out[128];

	(void)state;
	assert_int_equal(
		jail_systemd_cgroup_path("0::/user.slice/user-1000.slice/session-4.scope\n", out,
					 sizeof(out)),
		0);
	assert_string_equal(out, "/user.slice/user-1000.slice/session-4.scope");
	/* hybrid hosts: v1 lines first, the unified one among them */
	assert_int_equal(jail_systemd_cgroup_path("12:pids:/user.slice\n"
						  "1:name=systemd:/user.slice/x.scope\n"
						  "0::/system.slice/cron.service\n",
						  out, sizeof(out)),
			 0);
	assert_string_equal(out, "/system.slice/cron.service");
	assert_int_equal(jail_systemd_cgroup_path("0::/\n", out, sizeof(out)), 0);
	assert_string_equal(out, "/");
	/* no unified line, an empty or relative one, a line too long */
	assert_int_equal(jail_systemd_cgroup_path("4:memory:/a\n", out, sizeof(out)), -ENOENT);
	assert_int_equal(jail_systemd_cgroup_path("", out, sizeof(out)), -ENOENT);
	assert_int_equal(jail_systemd_cgroup_path("0::\n", out, sizeof(out)), -EINVAL);
	assert_int_equal(jail_systemd_cgroup_path("0::user.slice\n", out, sizeof(out)), -EINVAL);
	assert_int_equal(jail_systemd_cgroup_path("0::/user.slice/user-1000.slice\n", out, 8),
			 -ENAMETOOLONG);
	/* "10::" is not "0::" */
	assert_int_equal(jail_systemd_cgroup_path("10::/x\n", out, sizeof(out)), -ENOENT);
}

static void test_in_user_slice(void **state)
{
	char slice[64];

	(void)state;
	assert_true(jail_systemd_in_user_slice("/user.slice/user-1000.slice/session-4.scope", 1000,
					       slice, sizeof(slice)));
	assert_string_equal(slice, "/user.slice/user-1000.slice");
	assert_true(jail_systemd_in_user_slice("/user.slice/user-1000.slice/session-c2.scope", 1000,
					       NULL, 0));
	/* the user's systemd --user counts as the user's too */
	assert_true(jail_systemd_in_user_slice(
		"/user.slice/user-1000.slice/user@1000.service/init.scope", 1000, NULL, 0));
	assert_true(jail_systemd_in_user_slice("/user.slice/user-1000.slice", 1000, NULL, 0));

	/* su from root's session: root's slice, never limited for the user */
	assert_false(jail_systemd_in_user_slice("/user.slice/user-0.slice/session-3.scope", 1000,
						NULL, 0));
	/* a longer uid with the same prefix, and the other way round */
	assert_false(jail_systemd_in_user_slice("/user.slice/user-10000.slice/session-1.scope",
						1000, NULL, 0));
	assert_false(jail_systemd_in_user_slice("/user.slice/user-100.slice/session-1.scope", 1000,
						NULL, 0));
	assert_false(jail_systemd_in_user_slice("/user.slice/user-1000.slicex", 1000, NULL, 0));
	/* services, the root, a jail's own scope, a nested lookalike */
	assert_false(jail_systemd_in_user_slice("/system.slice/cron.service", 1000, NULL, 0));
	assert_false(jail_systemd_in_user_slice("/", 1000, NULL, 0));
	assert_false(jail_systemd_in_user_slice("/pam_jail.slice/pam_jail-u1000-00.scope", 1000,
						NULL, 0));
	assert_false(jail_systemd_in_user_slice(
		"/system.slice/x/user.slice/user-1000.slice/session-1.scope", 1000, NULL, 0));
	/* no way back up out of it */
	assert_false(jail_systemd_in_user_slice("/user.slice/user-1000.slice/../user-0.slice", 1000,
						NULL, 0));
	/* a buffer too small for the slice's path: no answer rather than half of one */
	assert_false(jail_systemd_in_user_slice("/user.slice/user-1000.slice/session-4.scope", 1000,
						slice, 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scope_name),    cmocka_unit_test(test_user_slice),
		cmocka_unit_test(test_limit_props),   cmocka_unit_test(test_cgroup_path),
		cmocka_unit_test(test_in_user_slice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
