/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/policy_codec.c: the policy's trip from the module to jail-init. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "policy_internal.h"
#include "policy_wire.h"

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
	/* a bare line is a whole (empty) list: no entries beside it */
	expect_refused("seccomp.deny=ptrace\n", "seccomp.deny=ptrace\nseccomp.deny\n",
		       "repeated key 'seccomp.deny'");
	expect_refused("capabilities\n", "capabilities\ncapabilities=cap_chown\n",
		       "repeated key 'capabilities'");
	expect_refused("network.bridge\n", "network.bridge\nnetwork.bridge=br0\n",
		       "repeated key 'network.bridge'");
}

static void test_refuses_junk_number(void **state)
{
	expect_refused("uid=1001\n", "uid=10x1\n", "'uid' is not a number");
	expect_refused("uid=1001\n", "uid=-1\n", "'uid' is not a number");
	expect_refused("uid=1001\n", "uid=4294967295\n", "'uid' out of range");
	expect_refused("lifetime.idle=600\n", "lifetime.idle=99999999999\n", "out of range");
	expect_refused("home.size=1073741824\n", "home.size=\n", "'home.size' is empty");
	expect_refused("home.size=1073741824\n", "home.size\n", "'home.size' has no value");
}

static void test_refuses_enum_out_of_range(void **state)
{
	expect_refused("lifetime.mode=1\n", "lifetime.mode=3\n", "'lifetime.mode' out of range");
	expect_refused("namespaces=", "namespaces=256\nx=", "out of range");
	expect_refused("x11=0\n", "x11=2\n", "'x11' out of range");
}

static void test_refuses_truncated_and_bad_escape(void **state)
{
	expect_refused("end\n", "", "truncated");
	expect_refused("binds.target=/b\n", "", "out of place");
	expect_refused("binds=2\n", "binds=3\n", "incomplete binds");
	expect_refused("binds=2\n", "binds=1\n", "more binds than announced");
	expect_refused("home=/home/alice", "home=\\q", "bad escape");
	expect_refused("pam_jail-policy 3", "pam_jail-policy 2", "not a pam_jail policy");
	expect_refused("pam_jail-policy 3", "pam_jail-policy 4", "not a pam_jail policy");
}

/* jail-init checks what it receives as the loader checks a profile. */
static void test_refuses_invalid_policy(void **state)
{
	expect_refused("home.size=1073741824\n", "home.size=0\n", "home.size: 0 is out of range");
	expect_refused("limits.pids=0\n", "limits.pids=4194305\n", "limits.pids: 4194305 is out");
	expect_refused("namespaces=23\n", "namespaces=21\n", "must include \"mount\" and \"pid\"");
	expect_refused("network.mode=0\n", "network.mode=2\n", "needs network.bridge");
	expect_refused("root.path=/srv/jail\n", "root.path\n",
		       "root type \"tree\" needs root.path");
	expect_refused("root.path=/srv/jail\n", "root.path=/srv/../etc\n", "not a clean absolute");
	expect_refused("home.persist\n", "home.persist=../x\n", "not a clean relative");
}

/* The key of one line of an encoded message ("home.size", or the bare key). */
static size_t line_key(const char *line, const char *nl)
{
	const char *eq = memchr(line, '=', (size_t)(nl - line));
	return (size_t)((eq ? eq : nl) - line);
}

/*
 * A module and a jail-init of different versions (a package upgrade caught
 * half way) send and expect different keys: a key missing from the message
 * must refuse the session, never be read as 0 (home.size = 0 is a tmpfs of
 * half the host's RAM). Every key of a real message is taken out in turn.
 */
static void test_refuses_each_missing_key(void **state)
{
	struct jail_policy *p = sample();
	char *buf = NULL;
	size_t len = 0, keys = 0;

	assert_int_equal(jail_policy_encode(p, &buf, &len), 0);
	const char *first = strchr(buf, '\n') + 1; /* after the version line */
	for (const char *line = first; line < buf + len; line = strchr(line, '\n') + 1) {
		const char *nl = strchr(line, '\n');
		size_t klen = line_key(line, nl);
		char key[64];
		bool dup = false;

		if ((size_t)(nl - line) == 3 && memcmp(line, "end", 3) == 0)
			continue;
		/* each key once, however many lines (lists) it has */
		for (const char *l2 = first; l2 < line; l2 = strchr(l2, '\n') + 1)
			if (line_key(l2, strchr(l2, '\n')) == klen && memcmp(l2, line, klen) == 0)
				dup = true;
		if (dup)
			continue;
		assert_true(klen < sizeof(key));
		memcpy(key, line, klen);
		key[klen] = '\0';
		keys++;

		char *bad = calloc(1, len + 1);
		assert_non_null(bad);
		for (const char *l2 = buf; l2 < buf + len; l2 = strchr(l2, '\n') + 1) {
			const char *n2 = strchr(l2, '\n');
			if (l2 != buf && line_key(l2, n2) == klen && memcmp(l2, key, klen) == 0)
				continue;
			strncat(bad, l2, (size_t)(n2 - l2) + 1);
		}
		struct jail_policy *q = NULL;
		struct jail_error e = { 0 };
		if (jail_policy_decode(bad, strlen(bad), &q, &e) >= 0)
			fail_msg("decoded without '%s'", key);
		assert_null(q);
		/* the members of a bind group are refused as out of place */
		char want[96];
		snprintf(want, sizeof(want), "missing key '%s'", key);
		if (strncmp(key, "binds", 5) != 0 && !strstr(e.message, want))
			fail_msg("without '%s': '%s'", key, e.message);
		free(bad);
	}
	/* the identity, every profile key and the bind group's members */
	assert_int_equal(keys, 6 + PF_COUNT + 4);
	free(buf);
	jail_policy_free(p);
}

/* A value unlike the default for field `f`, whatever its storage. */
static void set_unusual(struct jail_policy *p, enum pfield f)
{
	const struct pfield_desc *d = &jail_pfields[f];
	char *field = (char *)p + d->offset;

	switch (d->store) {
	case PS_BOOL: {
		bool b;
		memcpy(&b, field, sizeof(b));
		b = !b;
		memcpy(field, &b, sizeof(b));
		break;
	}
	case PS_ENUM: {
		int e, n = 0;
		memcpy(&e, field, sizeof(e));
		while (d->names[n])
			n++;
		e = (e + 1) % n;
		memcpy(field, &e, sizeof(e));
		break;
	}
	case PS_U32:
	case PS_NSMASK: {
		uint32_t u;
		memcpy(&u, field, sizeof(u));
		u = d->store == PS_NSMASK ? u ^ JAIL_NS_TIME : u + 7;
		memcpy(field, &u, sizeof(u));
		break;
	}
	case PS_U64: {
		uint64_t u;
		memcpy(&u, field, sizeof(u));
		u = u == UINT64_MAX ? 12345 : u + (3ull << 20);
		memcpy(field, &u, sizeof(u));
		break;
	}
	case PS_STR: {
		char *s;
		memcpy(&s, field, sizeof(s));
		free(s);
		s = strdup("/srv/un\tusual");
		memcpy(field, &s, sizeof(s));
		break;
	}
	case PS_STRV: {
		char **v;
		memcpy(&v, field, sizeof(v));
		jail_strv_free(v);
		v = d->kind == PK_RELPATHV ? strv("one", "two\nlines")
					   : strv("/one", "/two\nlines");
		memcpy(field, &v, sizeof(v));
		break;
	}
	case PS_BINDS:
		p->binds = calloc(1, sizeof(*p->binds));
		assert_non_null(p->binds);
		p->binds[0] = (struct jail_bind){ strdup("/srv/x"), strdup("/x"), true, true };
		p->n_binds = 1;
		break;
	}
}

/* What the other keys must be for the value set_unusual() gave one key to
 * pass jail_policy_validate(), as the loader would have insisted. */
static void make_consistent(struct jail_policy *p)
{
	if (p->root_kind == JAIL_ROOT_TREE && !p->root_path)
		p->root_path = strdup("/srv/tree");
	if (p->net.mode == JAIL_NET_HOST)
		p->namespaces &= ~(unsigned)JAIL_NS_NET;
	if (p->net.mode == JAIL_NET_BRIDGE) {
		p->net.bridge = strdup("br0");
		p->net.pool4 = strdup("10.0.0.0/24");
	}
	if (p->lifetime == JAIL_LIFETIME_KEEP && !p->idle_timeout_sec)
		p->idle_timeout_sec = 3600;
	if (p->limits.swap_bytes != UINT64_MAX && !p->limits.memory_bytes)
		p->limits.memory_bytes = 1ull << 30;
}

/* Field `f` of a and b alike? */
static bool field_equal(const struct jail_policy *a, const struct jail_policy *b, enum pfield f)
{
	const struct pfield_desc *d = &jail_pfields[f];
	const char *fa = (const char *)a + d->offset, *fb = (const char *)b + d->offset;

	switch (d->store) {
	case PS_BOOL:
		return memcmp(fa, fb, sizeof(bool)) == 0;
	case PS_ENUM:
		return memcmp(fa, fb, sizeof(int)) == 0;
	case PS_U32:
	case PS_NSMASK:
		return memcmp(fa, fb, sizeof(uint32_t)) == 0;
	case PS_U64:
		return memcmp(fa, fb, sizeof(uint64_t)) == 0;
	case PS_STR: {
		const char *sa, *sb;
		memcpy(&sa, fa, sizeof(sa));
		memcpy(&sb, fb, sizeof(sb));
		return (!sa && !sb) || (sa && sb && strcmp(sa, sb) == 0);
	}
	case PS_STRV: {
		char **va, **vb;
		size_t i = 0;
		memcpy(&va, fa, sizeof(va));
		memcpy(&vb, fb, sizeof(vb));
		for (; va && va[i]; i++)
			if (!vb || !vb[i] || strcmp(va[i], vb[i]) != 0)
				return false;
		return !vb || !vb[i];
	}
	case PS_BINDS:
		if (a->n_binds != b->n_binds)
			return false;
		for (size_t i = 0; i < a->n_binds; i++)
			if (strcmp(a->binds[i].source, b->binds[i].source) != 0 ||
			    strcmp(a->binds[i].target, b->binds[i].target) != 0 ||
			    a->binds[i].writable != b->binds[i].writable ||
			    a->binds[i].optional != b->binds[i].optional)
				return false;
		return true;
	}
	return false;
}

/* Every entry of the table travels: a new key needs nothing in the codec. */
static void test_every_table_entry_roundtrips(void **state)
{
	for (int f = 0; f < PF_COUNT; f++) {
		struct jail_policy *p = calloc(1, sizeof(*p)), *dflt = calloc(1, sizeof(*dflt));
		struct jail_policy *q = NULL;
		struct jail_error e = { 0 };
		char name[64], *buf = NULL;
		size_t len = 0;

		assert_non_null(p);
		assert_non_null(dflt);
		assert_int_equal(jail_policy_set_defaults(p), 0);
		assert_int_equal(jail_policy_set_defaults(dflt), 0);
		p->user = strdup("bob");
		p->home = strdup("/home/bob");
		p->profile = strdup("p");
		p->uid = p->gid = 2000;
		set_unusual(p, (enum pfield)f);
		make_consistent(p);
		jail_pfield_name((enum pfield)f, name, sizeof(name));
		if (field_equal(p, dflt, (enum pfield)f))
			fail_msg("%s: the test value is the default", name);
		assert_int_equal(jail_policy_encode(p, &buf, &len), 0);
		if (jail_policy_decode(buf, len, &q, &e) < 0)
			fail_msg("%s: %s", name, e.message);
		for (int g = 0; g < PF_COUNT; g++)
			if (!field_equal(p, q, (enum pfield)g))
				fail_msg("%s changed on the way (%s set)",
					 jail_pfield_name((enum pfield)g, name, sizeof(name)),
					 jail_pfield_name((enum pfield)f, (char[64]){ 0 }, 64));
		free(buf);
		jail_policy_free(p);
		jail_policy_free(dflt);
		jail_policy_free(q);
	}
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
		cmocka_unit_test(test_refuses_invalid_policy),
		cmocka_unit_test(test_refuses_each_missing_key),
		cmocka_unit_test(test_every_table_entry_roundtrips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
