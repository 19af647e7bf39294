/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sizes ("256M") and durations ("10m") as the policy spells them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "policy.h"

static void size_ok(const char *s, uint64_t want)
{
	uint64_t v = 12345;
	int r = jail_parse_size(s, &v);
	if (r != 0 || v != want)
		fail_msg("'%s': expected %llu, got r=%d v=%llu", s, (unsigned long long)want, r,
			 (unsigned long long)v);
}

static void size_bad(const char *s, int want)
{
	uint64_t v = 12345;
	int r = jail_parse_size(s, &v);
	if (r != want)
		fail_msg("'%s': expected %d, got %d", s, want, r);
	assert_int_equal(v, 12345); /* untouched on failure */
}

static void test_sizes(void **state)
{
	(void)state;
	size_ok("0", 0);
	size_ok("1024", 1024);
	size_ok("512k", 512 * 1024);
	size_ok("512K", 512 * 1024);
	size_ok("256M", 256ull << 20);
	size_ok("256MB", 256ull << 20);
	size_ok("256MiB", 256ull << 20);
	size_ok("1G", 1ull << 30);
	size_ok("1gib", 1ull << 30);
	size_ok("2T", 2ull << 40);
	size_ok("16777215T", 16777215ull << 40);
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("007", 7);
}

static void test_bad_sizes(void **state)
{
	(void)state;
	size_bad("", -EINVAL);
	size_bad("-1", -EINVAL);
	size_bad("+1", -EINVAL);
	size_bad(" 1", -EINVAL);
	size_bad("1 ", -EINVAL);
	size_bad("1X", -EINVAL);
	size_bad("1MX", -EINVAL);
	size_bad("1Mi", -EINVAL);
	size_bad("1.5G", -EINVAL);
	size_bad("G", -EINVAL);
	size_bad("0x10", -EINVAL);
	size_bad("1P", -EINVAL);
	size_bad("18446744073709551616", -ERANGE);
	size_bad("99999999999999999999", -ERANGE);
	size_bad("16777216T", -ERANGE);
	size_bad(NULL, -EINVAL);
}

static void dur_ok(const char *s, uint32_t want)
{
	uint32_t v = 777;
	int r = jail_parse_duration(s, &v);
	if (r != 0 || v != want)
		fail_msg("'%s': expected %u, got r=%d v=%u", s, want, r, v);
}

static void dur_bad(const char *s, int want)
{
	uint32_t v = 777;
	int r = jail_parse_duration(s, &v);
	if (r != want)
		fail_msg("'%s': expected %d, got %d", s, want, r);
	assert_int_equal(v, 777);
}

static void test_durations(void **state)
{
	(void)state;
	dur_ok("45", 45);
	dur_ok("30s", 30);
	dur_ok("10m", 600);
	dur_ok("2h", 7200);
	dur_ok("1d", 86400);
	dur_ok("0", 0);
	dur_ok("4294967295", UINT32_MAX);
	dur_bad("", -EINVAL);
	dur_bad("-1", -EINVAL);
	dur_bad("10 m", -EINVAL);
	dur_bad("10M", -EINVAL); /* months or minutes? refuse to guess */
	dur_bad("10ms", -EINVAL);
	dur_bad("1w", -EINVAL);
	dur_bad("m", -EINVAL);
	dur_bad("4294967296", -ERANGE);
	dur_bad("49711d", -ERANGE);
	dur_bad(NULL, -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
