/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/syslog_line.c: what the keeper makes of a line from the jail's /dev/log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "syslog_line.h"

static void parse(const char *dgram, int want_pri, const char *want_body)
{
	struct jail_syslog_in in;

	jail_syslog_parse(dgram, strlen(dgram), &in);
	if (in.pri != want_pri || in.body_len != strlen(want_body) ||
	    memcmp(in.body, want_body, in.body_len) != 0)
		fail_msg("'%s': expected pri %d body '%s', got %d '%.*s'", dgram, want_pri,
			 want_body, in.pri, (int)in.body_len, in.body);
}

static void test_parse(void **state)
{
	(void)state;
	/* glibc's syslog() and logger(1) */
	parse("<86>Dec  7 21:58:11 sshd[42]: session closed", 86, "sshd[42]: session closed");
	parse("<13>Jan 31 01:02:03 tag: text", 13, "tag: text");
	/* no timestamp, no priority, trailing newlines and NULs */
	parse("<38>sshd: x", 38, "sshd: x");
	parse("plain text\n\n", JAIL_SYSLOG_DEFAULT_PRI, "plain text");
	parse("<0>x\0", 0, "x");
	parse("<191>x", 191, "x");
	/* not a priority: all of it is text, at the default */
	parse("<192>x", JAIL_SYSLOG_DEFAULT_PRI, "<192>x");
	parse("<1234>x", JAIL_SYSLOG_DEFAULT_PRI, "<1234>x");
	parse("<>x", JAIL_SYSLOG_DEFAULT_PRI, "<>x");
	parse("<-1>x", JAIL_SYSLOG_DEFAULT_PRI, "<-1>x");
	parse("<13", JAIL_SYSLOG_DEFAULT_PRI, "<13");
	parse("", JAIL_SYSLOG_DEFAULT_PRI, "");
	/* something like a timestamp but not one stays */
	parse("<13>Dec 7 21:58:11 x", 13, "Dec 7 21:58:11 x");
	parse("<13>dec  7 21:58:11 x", 13, "dec  7 21:58:11 x");
	parse("<13>Dec  7 21:58:11", 13, "Dec  7 21:58:11");
	/* only one timestamp is taken off */
	parse("<13>Dec  7 21:58:11 Dec  7 21:58:11 x", 13, "Dec  7 21:58:11 x");
}

static void test_allowed_pri(void **state)
{
	(void)state;
	/* root keeps its facility and severity, but not "kern" */
	assert_int_equal(jail_syslog_allowed_pri(LOG_AUTHPRIV | LOG_INFO, 0),
			 LOG_AUTHPRIV | LOG_INFO);
	assert_int_equal(jail_syslog_allowed_pri(LOG_AUTH | LOG_EMERG, 0), LOG_AUTH | LOG_EMERG);
	assert_int_equal(jail_syslog_allowed_pri(LOG_KERN | LOG_CRIT, 0), LOG_USER | LOG_CRIT);
	/* anyone else: facility user, at most err */
	assert_int_equal(jail_syslog_allowed_pri(LOG_AUTHPRIV | LOG_NOTICE, 1001),
			 LOG_USER | LOG_NOTICE);
	assert_int_equal(jail_syslog_allowed_pri(LOG_AUTH | LOG_EMERG, 1001), LOG_USER | LOG_ERR);
	assert_int_equal(jail_syslog_allowed_pri(LOG_LOCAL7 | LOG_ALERT, 1), LOG_USER | LOG_ERR);
	assert_int_equal(jail_syslog_allowed_pri(LOG_KERN | LOG_CRIT, 65534), LOG_USER | LOG_ERR);
	assert_int_equal(jail_syslog_allowed_pri(LOG_DAEMON | LOG_DEBUG, 1001),
			 LOG_USER | LOG_DEBUG);
}

static void test_timestamp(void **state)
{
	char buf[32];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	jail_syslog_timestamp(0, buf, sizeof(buf));
	assert_string_equal(buf, "Jan  1 00:00:00");
	jail_syslog_timestamp(1796680691, buf, sizeof(buf)); /* 2026-12-07 21:58:11 UTC */
	assert_string_equal(buf, "Dec  7 21:58:11");
}

static size_t fmt(char *out, size_t cap, const char *body)
{
	return jail_syslog_format(out, cap, 14, "Dec  7 21:58:11", "id", 7, "p", body,
				  strlen(body));
}

static void test_format(void **state)
{
	char out[JAIL_SYSLOG_LINE_MAX + 64], body[4 * JAIL_SYSLOG_LINE_MAX];
	size_t n;

	(void)state;
	n = fmt(out, sizeof(out), "sshd[1]: Accepted publickey for root");
	assert_string_equal(out,
			    "<14>Dec  7 21:58:11 id[7]: p: sshd[1]: Accepted publickey for root");
	assert_int_equal(n, strlen(out));

	/* control characters never reach the host's log as they are */
	fmt(out, sizeof(out), "a\nDec  7 00:00:00 host sshd[1]: b\r\t\x1b[2J\x7f");
	assert_string_equal(out, "<14>Dec  7 21:58:11 id[7]: p: a#012Dec  7 00:00:00 host "
				 "sshd[1]: b#015#011#033[2J#177");
	/* bytes above 0x7f (UTF-8) pass */
	fmt(out, sizeof(out), "gr\xc3\xbc\xc3\x9f");
	assert_string_equal(out, "<14>Dec  7 21:58:11 id[7]: p: gr\xc3\xbc\xc3\x9f");

	/* a long body is cut at JAIL_SYSLOG_LINE_MAX, ending in "..." */
	memset(body, 'x', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	n = fmt(out, sizeof(out), body);
	assert_int_equal(n, JAIL_SYSLOG_LINE_MAX);
	assert_int_equal(strlen(out), JAIL_SYSLOG_LINE_MAX);
	assert_string_equal(out + n - 4, "x...");

	/* ... and by a smaller buffer */
	n = fmt(out, 128, body);
	assert_int_equal(n, 127);
	assert_string_equal(out + n - 3, "...");

	/* escapes are never cut in half */
	memset(body, '\n', sizeof(body) - 1);
	n = fmt(out, sizeof(out), body);
	assert_true(n <= JAIL_SYSLOG_LINE_MAX);
	assert_string_equal(out + n - 7, "#012...");

	/* a body that just fits is not cut */
	{
		size_t head = strlen("<14>Dec  7 21:58:11 id[7]: p: ");
		memset(body, 'y', JAIL_SYSLOG_LINE_MAX - head);
		body[JAIL_SYSLOG_LINE_MAX - head] = '\0';
		n = fmt(out, sizeof(out), body);
		assert_int_equal(n, JAIL_SYSLOG_LINE_MAX);
		assert_int_equal(out[n - 1], 'y');
		body[JAIL_SYSLOG_LINE_MAX - head] = 'y';
		body[JAIL_SYSLOG_LINE_MAX - head + 1] = '\0';
		n = fmt(out, sizeof(out), body);
		assert_int_equal(n, JAIL_SYSLOG_LINE_MAX);
		assert_string_equal(out + n - 3, "...");
	}
}

static void test_ratelimit_burst_then_rate(void **state)
{
	struct jail_ratelimit rl;
	int64_t since = -1;
	int passed = 0;

	(void)state;
	jail_ratelimit_init(&rl, 2, 5, 10000, 1000);
	for (int i = 0; i < 20; i++)
		passed += jail_ratelimit_take(&rl, 1000);
	assert_int_equal(passed, 5); /* the burst */
	assert_int_equal(jail_ratelimit_due(&rl), 11000);
	assert_int_equal(jail_ratelimit_summary(&rl, 10999, false, &since), 0);
	/* half a second later one token (2 a second) is back */
	assert_true(jail_ratelimit_take(&rl, 1500));
	assert_false(jail_ratelimit_take(&rl, 1500));
	assert_false(jail_ratelimit_take(&rl, 1999));
	assert_true(jail_ratelimit_take(&rl, 2000));
	/* the summary: 15 refused at 1000, 2 more later, counted since 1000 */
	assert_int_equal(jail_ratelimit_summary(&rl, 11000, false, &since), 17);
	assert_int_equal(since, 1000);
	assert_int_equal(jail_ratelimit_due(&rl), 0);
	assert_int_equal(jail_ratelimit_summary(&rl, 20000, false, &since), 0);
	/* a long pause fills the bucket to the burst, no further */
	passed = 0;
	for (int i = 0; i < 20; i++)
		passed += jail_ratelimit_take(&rl, 1000000000);
	assert_int_equal(passed, 5);
	/* the next period starts at the next refusal */
	assert_int_equal(jail_ratelimit_due(&rl), 1000010000);
	assert_int_equal(jail_ratelimit_summary(&rl, 1000000001, true, &since), 15);
}

static void test_ratelimit_steady(void **state)
{
	struct jail_ratelimit rl;
	int passed = 0;

	(void)state;
	/* 100 lines a second for 10 s at 20 a second, burst 200: 200 + 20 * 10 */
	jail_ratelimit_init(&rl, 20, 200, 10000, 0);
	for (int64_t t = 0; t < 10000; t += 10)
		passed += jail_ratelimit_take(&rl, t);
	assert_true(passed >= 200 + 20 * 9 && passed <= 200 + 20 * 10);
	assert_int_equal(jail_ratelimit_summary(&rl, 10000, true, NULL), 1000 - (uint64_t)passed);
}

static void test_ratelimit_off_and_extremes(void **state)
{
	struct jail_ratelimit rl;

	(void)state;
	jail_ratelimit_init(&rl, 0, 0, 10000, 0); /* rate 0: no limit */
	for (int i = 0; i < 100000; i++)
		assert_true(jail_ratelimit_take(&rl, 0));
	assert_int_equal(jail_ratelimit_due(&rl), 0);
	/* the largest values the policy allows: no overflow after a long pause */
	jail_ratelimit_init(&rl, 100000, 1000000, 10000, 0);
	for (int i = 0; i < 1000000; i++)
		assert_true(jail_ratelimit_take(&rl, 0));
	assert_false(jail_ratelimit_take(&rl, 0));
	assert_true(jail_ratelimit_take(&rl, INT64_MAX / 2));
	assert_int_equal(rl.milli, 1000000ull * 1000 - 1000);
	/* a clock that goes back refills nothing */
	jail_ratelimit_init(&rl, 1, 1, 10000, 5000);
	assert_true(jail_ratelimit_take(&rl, 5000));
	assert_false(jail_ratelimit_take(&rl, 100));
	assert_false(jail_ratelimit_take(&rl, 5999));
	assert_true(jail_ratelimit_take(&rl, 6000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_allowed_pri),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_ratelimit_burst_then_rate),
		cmocka_unit_test(test_ratelimit_steady),
		cmocka_unit_test(test_ratelimit_off_and_extremes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
