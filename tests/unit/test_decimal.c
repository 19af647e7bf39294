/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/decimal.c: the one hand-written decimal parser (sizes, the policy's
 * wire values, marker fields, X11 display numbers): digits only, no sign,
 * no blanks, the bound checked without overflowing, the length honoured. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decimal.h"

static ssize_t parse(const char *s, uint64_t max, uint64_t *ret)
{
	return jail_parse_decimal(s, strlen(s), max, ret);
}

static void test_digits(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(parse("0", UINT64_MAX, &v), 1);
	assert_true(v == 0);
	assert_int_equal(parse("4096M", UINT64_MAX, &v), 4);
	assert_true(v == 4096);
	assert_int_equal(parse("18446744073709551615", UINT64_MAX, &v), 20);
	assert_true(v == UINT64_MAX);
	/* only the first `len` characters */
	assert_int_equal(jail_parse_decimal("12345", 2, UINT64_MAX, &v), 2);
	assert_true(v == 12);
}

static void test_refusals(void **state)
{
	uint64_t v = 7;

	(void)state;
	/* nothing that strtoull() would take: no digits at all, *ret untouched */
	assert_int_equal(parse("", UINT64_MAX, &v), 0);
	assert_int_equal(parse("-1", UINT64_MAX, &v), 0);
	assert_int_equal(parse("+1", UINT64_MAX, &v), 0);
	assert_int_equal(parse(" 1", UINT64_MAX, &v), 0);
	assert_int_equal(parse("x1", UINT64_MAX, &v), 0);
	assert_true(v == 7);
	/* one past the bound, wherever the bound is */
	assert_int_equal(parse("18446744073709551616", UINT64_MAX, &v), -ERANGE);
	assert_int_equal(parse("99999999999999999999999", UINT64_MAX, &v), -ERANGE);
	assert_int_equal(parse("63", 63, &v), 2);
	assert_int_equal(parse("64", 63, &v), -ERANGE);
	assert_int_equal(parse("630", 63, &v), -ERANGE);
	/* a bound below one digit: no wrap-around in the check */
	assert_int_equal(parse("0", 0, &v), 1);
	assert_int_equal(parse("5", 0, &v), -ERANGE);
	assert_int_equal(parse("5", 3, &v), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
