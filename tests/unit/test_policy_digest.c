/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/policy_digest.c: what a jail was built from, for the join check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_digest.h"
#include "policy_internal.h"
#include "policy_wire.h"

static struct jail_policy *sample(void)
{
	struct jail_policy *p = calloc(1, sizeof(*p));

	/* a whole policy, as the resolver makes one: the codec refuses
	 * anything less (a home of 0 bytes, say) */
	assert_non_null(p);
	assert_int_equal(jail_policy_set_defaults(p), 0);
	p->user = strdup("alice");
	p->uid = 1001;
	p->gid = 1002;
	p->home = strdup("/home/alice");
	p->profile = strdup("student");
	p->matched_rule = strdup("jail.d/10.conf:4: group students");
	p->namespaces = JAIL_NS_MOUNT | JAIL_NS_PID | JAIL_NS_NET | JAIL_NS_UTS;
	free(p->hostname);
	p->hostname = strdup("jail-alice");
	p->tmp_size_bytes = 64ull << 20;
	free(p->shell);
	p->shell = strdup("/bin/bash");
	free(p->path);
	p->path = strdup("/usr/bin:/bin");
	p->lifetime = JAIL_LIFETIME_KEEP;
	p->idle_timeout_sec = 600;
	return p;
}

static void digest_of(const struct jail_policy *p, char out[JAIL_POLICY_DIGEST_HEX])
{
	assert_int_equal(jail_policy_digest(p, out), 0);
	assert_int_equal(strlen(out), 64);
	assert_int_equal(strspn(out, "0123456789abcdef"), 64);
}

static void replace(char **field, const char *v)
{
	free(*field);
	*field = strdup(v);
	assert_non_null(*field);
}

/* The same policy: the same digest, also after a trip through the codec
 * (the keeper digests the policy it decoded, the module the one it
 * resolved: they must agree) and wherever the rule stood. */
static void test_stable(void **state)
{
	struct jail_policy *p = sample(), *q = NULL;
	char a[JAIL_POLICY_DIGEST_HEX], b[JAIL_POLICY_DIGEST_HEX];
	struct jail_error e = { 0 };
	char *enc = NULL;
	size_t len;

	(void)state;
	digest_of(p, a);
	digest_of(p, b);
	assert_string_equal(a, b);
	assert_int_equal(jail_policy_encode(p, &enc, &len), 0);
	if (jail_policy_decode(enc, len, &q, &e) < 0)
		fail_msg("decode: %s", e.message);
	digest_of(q, b);
	assert_string_equal(a, b);
	replace(&q->matched_rule, "jail.d/10.conf:5: group students");
	digest_of(q, b);
	assert_string_equal(a, b);
	free(enc);
	jail_policy_free(p);
	jail_policy_free(q);
}

/* Anything that builds another jail, or names another user: another digest. */
static void test_changes(void **state)
{
	char a[JAIL_POLICY_DIGEST_HEX], b[JAIL_POLICY_DIGEST_HEX];
	struct jail_policy *p = sample();

	(void)state;
	digest_of(p, a);
	replace(&p->hostname, "exam-alice");
	digest_of(p, b);
	assert_string_not_equal(a, b);
	jail_policy_free(p);

	p = sample();
	p->limits.pids = 200;
	digest_of(p, b);
	assert_string_not_equal(a, b);
	jail_policy_free(p);

	p = sample();
	replace(&p->profile, "exam");
	digest_of(p, b);
	assert_string_not_equal(a, b);
	jail_policy_free(p);

	p = sample(); /* a reused uid: same uid, another name */
	replace(&p->user, "mallory");
	digest_of(p, b);
	assert_string_not_equal(a, b);
	jail_policy_free(p);

	p = sample();
	p->uid = 1003;
	digest_of(p, b);
	assert_string_not_equal(a, b);
	jail_policy_free(p);
}

static void test_refuses_no_user(void **state)
{
	char a[JAIL_POLICY_DIGEST_HEX];
	struct jail_policy *p = sample();

	(void)state;
	free(p->user);
	p->user = NULL;
	assert_int_equal(jail_policy_digest(p, a), -EINVAL);
	jail_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stable),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_refuses_no_user),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
