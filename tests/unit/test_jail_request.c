/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/jail_request.c: what jail-init makes of a request (jail_proto.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "jail_request.h"

#define DIGEST "41acab5f5c7b7e47ecb388833e3d9b120b2f06b29788b23c8b1678c8f077f4b5"

static enum jail_request_kind kind(const char *msg, size_t n_fds)
{
	struct jail_request r;

	jail_request_parse(msg, n_fds, &r);
	return r.kind;
}

static void test_join(void **state)
{
	struct jail_request r;

	(void)state;
	jail_request_parse("JOIN policy=" DIGEST, 1, &r);
	assert_int_equal(r.kind, JAIL_REQ_JOIN);
	assert_true(r.has_digest);
	assert_string_equal(r.digest, DIGEST);
	/* without the sender's pidfd it is still a JOIN (the keeper takes
	 * SO_PEERPIDFD); two fds are not */
	assert_int_equal(kind("JOIN policy=" DIGEST, 0), JAIL_REQ_JOIN);
	assert_int_equal(kind("JOIN policy=" DIGEST, 2), JAIL_REQ_BADFD);
	/* no digest, or one too long for any digest: a JOIN naming no policy */
	jail_request_parse("JOIN", 1, &r);
	assert_int_equal(r.kind, JAIL_REQ_JOIN);
	assert_false(r.has_digest);
	jail_request_parse("JOIN policy=" DIGEST "0", 1, &r);
	assert_int_equal(r.kind, JAIL_REQ_JOIN);
	assert_false(r.has_digest);
	/* JOIN is a word of its own */
	assert_int_equal(kind("JOINED policy=" DIGEST, 0), JAIL_REQ_UNKNOWN);
	assert_int_equal(kind("JOINpolicy=" DIGEST, 1), JAIL_REQ_BADFD);
	assert_int_equal(kind("join policy=" DIGEST, 0), JAIL_REQ_UNKNOWN);
}

static void test_words(void **state)
{
	(void)state;
	assert_int_equal(kind("CLOSE", 0), JAIL_REQ_CLOSE);
	assert_int_equal(kind("STATUS", 0), JAIL_REQ_STATUS);
	assert_int_equal(kind("ENTER", 0), JAIL_REQ_ENTER);
	assert_int_equal(kind("STOP", 0), JAIL_REQ_STOP);
	/* exact words only, and never with an fd */
	assert_int_equal(kind("CLOSE ", 0), JAIL_REQ_UNKNOWN);
	assert_int_equal(kind("STOPPED", 0), JAIL_REQ_UNKNOWN);
	assert_int_equal(kind("", 0), JAIL_REQ_UNKNOWN);
	assert_int_equal(kind("CLOSE", 1), JAIL_REQ_BADFD);
	assert_int_equal(kind("STOP", 1), JAIL_REQ_BADFD);
}

static void test_create(void **state)
{
	char key[JAIL_KEY_MAX];

	(void)state;
	assert_int_equal(jail_create_request_parse("CREATE key=u1003", 1, key), 0);
	assert_string_equal(key, "u1003");
	assert_int_equal(jail_create_request_parse("CREATE key=u1003-s0123456789abcdef", 1, key),
			 0);
	/* the state directory's fd is required, and only it */
	assert_int_equal(jail_create_request_parse("CREATE key=u1003", 0, key), -EBADMSG);
	assert_int_equal(jail_create_request_parse("CREATE key=u1003", 2, key), -EBADMSG);
	assert_int_equal(jail_create_request_parse("CREATEkey=u1003", 1, key), -EBADMSG);
	assert_int_equal(jail_create_request_parse("JOIN key=u1003", 1, key), -EBADMSG);
	/* a key must be a registry key: no path, no other shape */
	assert_int_equal(jail_create_request_parse("CREATE key=../etc", 1, key), -EINVAL);
	assert_int_equal(jail_create_request_parse("CREATE key=", 1, key), -EINVAL);
	assert_int_equal(jail_create_request_parse("CREATE id=u1003", 1, key), -EINVAL);
	char long_key[JAIL_KEY_MAX + 16] = "CREATE key=u";
	memset(long_key + strlen(long_key), '1', JAIL_KEY_MAX);
	long_key[sizeof(long_key) - 1] = '\0';
	assert_int_equal(jail_create_request_parse(long_key, 1, key), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_create),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
