/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/policy_codec.c: the policy's trip from the module to jail-init. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

static char **strv(const char *a, const char *b)
{
	char **v = calloc(3, sizeof(char *));
	assert_non_null(v);
	v[0] = strdup(a);
	v[1] = b ? strdup(b) : NULL;
	return v;
}

static struct jail_policy *sample(void)
{
	struct jail_policy *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->user = strdup("alice");
	p->uid = 1001;
	p->gid = 1002;
	p->home = strdup("/home/alice with\nnewline\tand\\slash");
	p->profile = strdup("student");
	p->matched_rule = strdup("jail.d/10.conf:4: group students");
	p->namespaces = JAIL_NS_MOUNT | JAIL_NS_PID | JAIL_NS_NET | JAIL_NS_UTS;
	p->hostname = strdup("jail-alice");
	p->root_kind = JAIL_ROOT_TREE;
	p->root_path = strdup("/srv/jail");
	p->hide = strv("/home", "/root");
	p->net.mode = JAIL_NET_LOOPBACK;
	p->net.dns = strv("192.0.2.1", NULL);
	p->net.isolate = true;
	p->home_mode = JAIL_HOME_TMPFS;
	p->home_size_bytes = 1ull << 30;
	p->skeleton = strdup("/etc/skel");
	p->tmp_size_bytes = 64ull << 20;
	p->run_size_bytes = UINT64_MAX;
	p->binds = calloc(2, sizeof(*p->binds));
	p->n_binds = 2;
	p->binds[0] = (struct jail_bind){ strdup("/srv/a"), strdup("/a"), true, false };
	p->binds[1] = (struct jail_bind){ strdup("/srv/b"), strdup("/b"), false, true };
	p->limits.memory_bytes = 123;
	p->limits.swap_bytes = UINT64_MAX;
	p->limits.cpu_percent = 250;
	p->no_new_privs = true;
	p->seccomp = true;
	p->seccomp_deny = strv("ptrace", "bpf");
	p->seccomp_allow_families = strv("vsock", "alg");
	p->shell = strdup("/bin/bash");
	p->path = strdup("/usr/bin:/bin");
	p->lifetime = JAIL_LIFETIME_KEEP;
	p->idle_timeout_sec = 600;
	p->syslog.forward = true;
	p->syslog.rate = 77;
	p->nss_sockets = true; /* decode starts from false: true proves it travels */
	return p;
}

static void assert_strv_equal(char **a, char **b)
{
	for (; a && *a; a++, b++) {
		assert_non_null(b);
		assert_non_null(*b);
		assert_string_equal(*a, *b);
	}
	assert_true(!b || !*b);
}

static void test_roundtrip(void **state)
{
	struct jail_policy *p = sample(), *q = NULL;
	struct jail_error e = { 0 };
	char *buf = NULL;
	size_t len = 0;

	assert_int_equal(jail_policy_encode(p, &buf, &len), 0);
	assert_null(memchr(buf, '\0', len)); /* jail_msg_recv refuses NULs */
	assert_int_equal(jail_policy_decode(buf, len, &q, &e), 0);
	assert_string_equal(q->user, p->user);
	assert_int_equal(q->uid, 1001);
	assert_int_equal(q->gid, 1002);
	assert_string_equal(q->home, p->home);
	assert_string_equal(q->profile, "student");
	assert_string_equal(q->matched_rule, p->matched_rule);
	assert_int_equal(q->namespaces, p->namespaces);
	assert_string_equal(q->hostname, "jail-alice");
	assert_int_equal(q->root_kind, JAIL_ROOT_TREE);
	assert_string_equal(q->root_path, "/srv/jail");
	assert_strv_equal(p->hide, q->hide);
	assert_strv_equal(p->net.dns, q->net.dns);
	assert_true(q->net.isolate);
	assert_int_equal(q->home_size_bytes, 1ull << 30);
	assert_true(q->run_size_bytes == UINT64_MAX);
	assert_int_equal(q->n_binds, 2);
	assert_string_equal(q->binds[1].source, "/srv/b");
	assert_string_equal(q->binds[1].target, "/b");
	assert_true(q->binds[0].writable && !q->binds[0].optional);
	assert_true(!q->binds[1].writable && q->binds[1].optional);
	assert_true(q->limits.swap_bytes == UINT64_MAX);
	assert_int_equal(q->limits.cpu_percent, 250);
	assert_strv_equal(p->seccomp_deny, q->seccomp_deny);
	assert_strv_equal(p->seccomp_allow_families, q->seccomp_allow_families);
	assert_null(q->capabilities);
	assert_null(q->persist);
	assert_int_equal(q->lifetime, JAIL_LIFETIME_KEEP);
	assert_int_equal(q->idle_timeout_sec, 600);
	assert_true(q->syslog.forward);
	assert_int_equal(q->syslog.rate, 77);
	assert_true(q->nss_sockets);
	free(buf);
	jail_policy_free(p);
	jail_policy_free(q);
}

/* Decode `text` (a valid encoding with `from` replaced by `to`): must fail. */
static void expect_refused(const char *from, const char *to, const char *why)
{
	struct jail_policy *p = sample(), *q = NULL;
	struct jail_error e = { 0 };
	char *buf = NULL, *bad;
	size_t len = 0;

	assert_int_equal(jail_policy_encode(p, &buf, &len), 0);
	char *at = strstr(buf, from);
	assert_non_null(at);
	bad = calloc(1, len + strlen(to) + 1);
	assert_non_null(bad);
	memcpy(bad, buf, (size_t)(at - buf));
	strcat(bad, to);
	strcat(bad, at + strlen(from));
	assert_true(jail_policy_decode(bad, strlen(bad), &q, &e) < 0);
	assert_null(q);
	if (!strstr(e.message, why))
		fail_msg("'%s' does not say '%s'", e.message, why);
	free(bad);
	free(buf);
	jail_policy_free(p);
}

static void test_refuses_unknown_key(void **state)
{
	expect_refused("x11=", "frobnicate=1\nx11=", "unknown key 'frobnicate'");
}

static void test_refuses_repeated_scalar(void **state)
{
	expect_refused("uid=1001\n", "uid=1001\nuid=0\n", "repeated key 'uid'");
}

static void test_refuses_junk_number(void **state)
{
	expect_refused("uid=1001\n", "uid=10x1\n", "'uid' is not a number");
	expect_refused("uid=1001\n", "uid=-1\n", "'uid' is not a number");
	expect_refused("idle_timeout=600\n", "idle_timeout=99999999999\n", "out of range");
}

static void test_refuses_enum_out_of_range(void **state)
{
	expect_refused("lifetime=1\n", "lifetime=3\n", "'lifetime' out of range");
	expect_refused("namespaces=", "namespaces=256\nx=", "out of range");
}

static void test_refuses_truncated_and_bad_escape(void **state)
{
	expect_refused("end\n", "", "truncated");
	expect_refused("bind.target=/b\n", "", "bind without target");
	expect_refused("home=/home/alice", "home=\\q", "bad escape");
	expect_refused("pam_jail-policy 1", "pam_jail-policy 2", "not a pam_jail policy");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_refuses_unknown_key),
		cmocka_unit_test(test_refuses_repeated_scalar),
		cmocka_unit_test(test_refuses_junk_number),
		cmocka_unit_test(test_refuses_enum_out_of_range),
		cmocka_unit_test(test_refuses_truncated_and_bad_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
