/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A jail's login records as the host gets them (init/host/utmp_record.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "utmp_record.h"

#define ID "0123456789abcdef0123456789abcdef"

static const struct jail_utmp_owner owner = { .user = "alice", .uid = 1000, .jail_id = ID };

static struct utmpx rec(short type, const char *line, const char *id, const char *user,
			const char *host)
{
	struct utmpx u;

	memset(&u, 0, sizeof(u));
	u.ut_type = type;
	u.ut_pid = 4242;
	strncpy(u.ut_line, line, sizeof(u.ut_line));
	strncpy(u.ut_id, id, sizeof(u.ut_id));
	strncpy(u.ut_user, user, sizeof(u.ut_user));
	strncpy(u.ut_host, host, sizeof(u.ut_host));
	u.ut_tv.tv_sec = 1700000000;
	u.ut_addr_v6[0] = 0x0100007f;
	return u;
}

static void test_login_copied(void **state)
{
	struct utmpx in = rec(USER_PROCESS, "pts/3", "ts/3", "alice", "192.0.2.7"), out;
	struct jail_error e = { 0 };

	(void)state;
	assert_int_equal(jail_utmp_record_for_host(&in, &owner, &out, &e), 1);
	assert_int_equal(out.ut_type, USER_PROCESS);
	assert_string_equal(out.ut_line, "j01234/pts/3");
	assert_string_equal(out.ut_user, "alice");
	assert_string_equal(out.ut_host, "192.0.2.7 [jail " ID "]");
	assert_int_equal(out.ut_pid, 4242);
	assert_int_equal(out.ut_tv.tv_sec, 1700000000);
	assert_int_equal(out.ut_addr_v6[0], 0x0100007f);
	assert_int_equal(out.ut_id[0], 'J'); /* never the host's "ts/3" */
	assert_memory_not_equal(out.ut_id, "ts/3", 4);
}

static void test_logout_copied(void **state)
{
	struct utmpx in = rec(DEAD_PROCESS, "pts/3", "ts/3", "", ""), out, login;
	struct utmpx in_login = rec(USER_PROCESS, "pts/3", "ts/3", "alice", "h");
	struct jail_error e = { 0 };

	(void)state;
	assert_int_equal(jail_utmp_record_for_host(&in, &owner, &out, &e), 1);
	assert_int_equal(out.ut_type, DEAD_PROCESS);
	assert_string_equal(out.ut_line, "j01234/pts/3");
	assert_string_equal(out.ut_host, "");
	/* the same session, the same line and first id candidate */
	assert_int_equal(jail_utmp_record_for_host(&in_login, &owner, &login, &e), 1);
	assert_memory_equal(out.ut_id, login.ut_id, 4);
	/* sshd's logout names the user: fine too */
	in = rec(DEAD_PROCESS, "pts/3", "ts/3", "alice", "");
	assert_int_equal(jail_utmp_record_for_host(&in, &owner, &out, &e), 1);
}

static void test_other_user_dropped(void **state)
{
	struct utmpx in = rec(USER_PROCESS, "pts/3", "ts/3", "root", "h"), out;
	struct jail_error e = { 0 };

	(void)state;
	assert_int_equal(jail_utmp_record_for_host(&in, &owner, &out, &e), -EPERM);
	assert_non_null(strstr(e.message, "naming user 'root'"));
	/* a prefix or an extension of the name is someone else too */
	in = rec(USER_PROCESS, "pts/3", "ts/3", "alic", "h");
	assert_int_equal(jail_utmp_record_for_host(&in, &owner, &out, &e), -EPERM);
	in = rec(USER_PROCESS, "pts/3", "ts/3", "alicex", "h");
	assert_int_equal(jail_utmp_record_for_host(&in, &owner, &out, &e), -EPERM);
	/* a login must name the user; only a logout may name no one */
	in = rec(USER_PROCESS, "pts/3", "ts/3", "", "h");
	assert_int_equal(jail_utmp_record_for_host(&in, &owner, &out, &e), -EPERM);
	in = rec(DEAD_PROCESS, "pts/3", "ts/3", "bob", "");
	assert_int_equal(jail_utmp_record_for_host(&in, &owner, &out, &e), -EPERM);
}

static void test_long_user_name(void **state)
{
	/* 40 characters: utmp holds the first 32, as sshd writes them */
	const char *name = "a234567890123456789012345678901234567890";
	struct jail_utmp_owner o = { .user = name, .uid = 7, .jail_id = ID };
	struct utmpx in = rec(USER_PROCESS, "pts/1", "ts/1", name, "h"), out;
	struct jail_error e = { 0 };

	(void)state;
	assert_int_equal(jail_utmp_record_for_host(&in, &o, &out, &e), 1);
	assert_memory_equal(out.ut_user, name, sizeof(out.ut_user));
}

static void test_types(void **state)
{
	static const short dropped[] = { BOOT_TIME,    RUN_LVL,	      NEW_TIME,	  OLD_TIME,
					 INIT_PROCESS, LOGIN_PROCESS, ACCOUNTING, 99 };
	struct utmpx in = rec(EMPTY, "", "", "", ""), out;
	struct jail_error e = { 0 };

	(void)state;
	assert_int_equal(jail_utmp_record_for_host(&in, &owner, &out, &e), 0);
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(dropped); i++) {
		in = rec(dropped[i], "pts/1", "ts/1", "alice", "h");
		assert_int_equal(jail_utmp_record_for_host(&in, &owner, &out, &e), -EINVAL);
	}
	in = rec(USER_PROCESS, "", "ts/1", "alice", "h");
	assert_int_equal(jail_utmp_record_for_host(&in, &owner, &out, &e), -EINVAL);
}

static void test_strings_sanitized(void **state)
{
	struct utmpx in = rec(USER_PROCESS, "../../etc/x\n", "ts/1", "alice",
			      "evil\x1b[31m [jail ffff]\n"),
		     out;
	struct jail_error e = { 0 };

	(void)state;
	assert_int_equal(jail_utmp_record_for_host(&in, &owner, &out, &e), 1);
	assert_string_equal(out.ut_line, "j01234/__/__/etc/x_");
	/* ut_line is declared nonstring (glibc 2.41): gcc 14 refuses strstr
	 * on it, so search a NUL-terminated copy */
	char line[sizeof(out.ut_line) + 1] = { 0 };
	memcpy(line, out.ut_line, sizeof(out.ut_line));
	assert_null(strstr(line, ".."));
	/* no escape, no blank, no bracket of the name's own: one tag only */
	assert_string_equal(out.ut_host, "evil??31m??jail?ffff?? [jail " ID "]");
}

static void test_full_fields(void **state)
{
	struct utmpx in, out;
	struct jail_error e = { 0 };

	(void)state;
	memset(&in, 0, sizeof(in));
	in.ut_type = USER_PROCESS;
	memset(in.ut_line, 'p', sizeof(in.ut_line)); /* not NUL-terminated */
	memcpy(in.ut_user, "alice", 5);
	memset(in.ut_host, 'h', sizeof(in.ut_host)); /* not NUL-terminated */
	assert_int_equal(jail_utmp_record_for_host(&in, &owner, &out, &e), 1);
	assert_int_equal(strnlen(out.ut_line, sizeof(out.ut_line)), sizeof(out.ut_line) - 1);
	assert_int_equal(strnlen(out.ut_host, sizeof(out.ut_host)), sizeof(out.ut_host) - 1);
	/* the tag is whole, the name gave way */
	const char *tag = " [jail " ID "]";
	assert_string_equal(out.ut_host + sizeof(out.ut_host) - 1 - strlen(tag), tag);
}

static void test_host_ids(void **state)
{
	char line[__UT_LINESIZE] = "j01234/pts/0", a[4], b[4], c[4];

	(void)state;
	jail_utmp_host_id(ID, line, 0, a);
	jail_utmp_host_id(ID, line, 0, b);
	assert_memory_equal(a, b, 4); /* stable: the logout finds the login */
	jail_utmp_host_id(ID, line, 1, c);
	assert_memory_not_equal(a, c, 4); /* another attempt, another id */
	line[11] = '1';
	jail_utmp_host_id(ID, line, 0, b);
	assert_memory_not_equal(a, b, 4);
	for (int i = 1; i < 4; i++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz0123456789", a[i]));
}

static void test_lastlog(void **state)
{
	struct lastlog in, out;

	(void)state;
	memset(&in, 0, sizeof(in));
	assert_int_equal(jail_lastlog_for_host(&in, &owner, &out), 0);
	in.ll_time = 1700000000;
	strncpy(in.ll_line, "pts/2", sizeof(in.ll_line));
	strncpy(in.ll_host, "198.51.100.1", sizeof(in.ll_host));
	assert_int_equal(jail_lastlog_for_host(&in, &owner, &out), 1);
	assert_int_equal(out.ll_time, 1700000000);
	assert_string_equal(out.ll_line, "j01234/pts/2");
	assert_string_equal(out.ll_host, "198.51.100.1 [jail " ID "]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_copied),
		cmocka_unit_test(test_logout_copied),
		cmocka_unit_test(test_other_user_dropped),
		cmocka_unit_test(test_long_user_name),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_strings_sanitized),
		cmocka_unit_test(test_full_fields),
		cmocka_unit_test(test_host_ids),
		cmocka_unit_test(test_lastlog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
