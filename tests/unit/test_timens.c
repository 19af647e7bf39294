/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/PID/timens_offsets as the module reads it to copy a jail's clocks
 * (lib/timens.h): both clocks, by name or by number, nothing else. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "timens.h"

static void test_parse_names(void **state)
{
	struct jail_timens_offsets o = { 0 };

	(void)state;
	assert_int_equal(jail_timens_parse_offsets("monotonic -10356 830000000\n"
						   "boottime -10400 5\n",
						   &o),
			 0);
	assert_int_equal(o.mono_sec, -10356);
	assert_int_equal(o.mono_nsec, 830000000);
	assert_int_equal(o.boot_sec, -10400);
	assert_int_equal(o.boot_nsec, 5);
}

static void test_parse_numbers(void **state)
{
	struct jail_timens_offsets o = { 0 };

	(void)state;
	/* kernels that print the clock ids (1: monotonic, 7: boottime) */
	assert_int_equal(jail_timens_parse_offsets("1 0 0\n7 -3 999999999\n", &o), 0);
	assert_int_equal(o.mono_sec, 0);
	assert_int_equal(o.boot_sec, -3);
	assert_int_equal(o.boot_nsec, 999999999);
}

static void test_parse_refusals(void **state)
{
	struct jail_timens_offsets o;

	(void)state;
	/* one clock missing: the session would get the host's other clock */
	assert_int_equal(jail_timens_parse_offsets("monotonic -1 0\n", &o), -EINVAL);
	assert_int_equal(jail_timens_parse_offsets("", &o), -EINVAL);
	/* nanoseconds out of range, an unknown clock, junk */
	assert_int_equal(jail_timens_parse_offsets("monotonic -1 1000000000\nboottime 0 0\n", &o),
			 -EINVAL);
	assert_int_equal(jail_timens_parse_offsets("monotonic -1 -1\nboottime 0 0\n", &o), -EINVAL);
	assert_int_equal(jail_timens_parse_offsets("realtime 5 0\nmonotonic 0 0\nboottime 0 0\n",
						   &o),
			 -EINVAL);
	assert_int_equal(jail_timens_parse_offsets("monotonic x 0\nboottime 0 0\n", &o), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_parse_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
