/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Resolving and explaining for users of a test NSS database
 * (tests/fixtures/nss through nss_wrapper): matched by name, by a
 * supplementary group, by no rule; the fields of the resolved policy; what
 * `jailctl explain` prints about origins and losing rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <pwd.h>

#include "policy_internal.h"
#include "policy_test.h"

/* How often the library asked NSS for a user: this definition of
 * getpwnam_r is the one libjailcore's calls reach (it is linked into this
 * program); it counts, then asks the real one (nss_wrapper's, preloaded). */
static unsigned user_lookups;

int getpwnam_r(const char *name, struct passwd *pwd, char *buf, size_t len, struct passwd **result)
{
	int (*real)(const char *, struct passwd *, char *, size_t, struct passwd **);

	*(void **)&real = dlsym(RTLD_NEXT, "getpwnam_r");
	if (!real)
		return ENOSYS;
	user_lookups++;
	return real(name, pwd, buf, len, result);
}

static const char policy_text[] =
	"version = 1;\n"						   /* 1 */
	"profiles = {\n"						   /* 2 */
	"  base = {\n"							   /* 3 */
	"    hostname = \"jail-%u\";\n"					   /* 4 */
	"    limits = { memory = \"1G\"; pids = 200; };\n"		   /* 5 */
	"  };\n"							   /* 6 */
	"  students = { extends = \"base\"; limits = { pids = 50; }; };\n" /* 7 */
	"};\n"								   /* 8 */
	"rules = (\n"							   /* 9 */
	"  { group = \"students\"; profile = \"students\"; },\n"	   /* 10 */
	"  { user = \"alice\"; profile = \"base\"; },\n"		   /* 11 */
	"  { uid = \"2000-2999\"; profile = \"base\"; },\n"		   /* 12 */
	"  { user = \"bob\"; exempt = true; },\n"			   /* 13 */
	"  { group = \"staff\"; profile = \"students\"; }\n"		   /* 14 */
	");\n";

struct env {
	char *dir, *main;
	struct jail_config *c;
};

static int setup_text(void **state, const char *text)
{
	struct env *e = calloc(1, sizeof(*e));
	FILE *f;

	if (!e || !(e->dir = test_private_dir()) || asprintf(&e->main, "%s/jail.conf", e->dir) < 0)
		return -1;
	f = fopen(e->main, "we");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0 || chmod(e->main, 0644) < 0)
		return -1;
	if (jail_config_load(e->main, NULL, getuid(), &e->c, NULL, NULL) < 0)
		return -1;
	*state = e;
	return 0;
}

static int setup(void **state)
{
	return setup_text(state, policy_text);
}

/* Two profiles between them make every key relevant to explain: a tree root,
 * a bridge, a kept jail (alice); the host's root with its hide list (erin). */
static const char every_key_text[] =
	"version = 1;\n"
	"profiles = {\n"
	"  a = { root = { type = \"tree\"; path = \"/srv/t\"; };\n"
	"        network = { mode = \"bridge\"; bridge = \"br0\"; pool4 = \"10.0.0.0/24\"; };\n"
	"        lifetime = { mode = \"keep\"; }; };\n"
	"  b = { };\n"
	"};\n"
	"rules = ( { user = \"alice\"; profile = \"a\"; },\n"
	"          { user = \"erin\"; profile = \"b\"; } );\n";

static int setup_every_key(void **state)
{
	return setup_text(state, every_key_text);
}

static int teardown(void **state)
{
	struct env *e = *state;
	jail_config_free(e->c);
	test_remove_tree(e->dir);
	free(e->dir);
	free(e->main);
	free(e);
	return 0;
}

/* explain USER into a string, with the private directory shortened to "DIR". */
static char *explain(const struct env *e, const char *user, int want_r)
{
	char *buf = NULL, *out, *at;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jail_error err = { 0 };
	int r;

	assert_non_null(f);
	r = jail_config_explain(e->c, user, f, &err);
	assert_int_equal(fclose(f), 0);
	if (r != want_r)
		fail_msg("explain %s: r=%d (%s)", user, r, err.message);
	out = calloc(1, len + 1);
	assert_non_null(out);
	/* copy, replacing every "<dir>/" by "" */
	for (const char *p = buf; *p;) {
		at = strstr(p, e->dir);
		if (!at) {
			strcat(out, p);
			break;
		}
		strncat(out, p, (size_t)(at - p));
		p = at + strlen(e->dir) + 1;
	}
	free(buf);
	print_message("%s", out);
	return out;
}

static void has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("missing: '%s'", needle);
}

static void lacks(const char *text, const char *needle)
{
	if (strstr(text, needle))
		fail_msg("unexpected: '%s'", needle);
}

static void test_explain_by_name(void **state)
{
	struct env *e = *state;
	char *out = explain(e, "alice", 0);

	has(out, "user:      alice (uid 1001, gid 1001 'alice', home '/home/alice')");
	has(out, "groups:    alice students\n");
	/* the user rule wins although the group rule comes first in the file */
	has(out, "rule:      jail.conf:11: user alice\n");
	has(out, "verdict:   jailed with profile 'base'\n");
	has(out, "  jail.conf:10: group students -> profile 'students': a group rule ranks "
		 "below a user rule\n");
	has(out, "hostname = \"jail-alice\";");
	has(out, "# jail.conf:4\n");
	has(out, "limits.pids = 200;");
	has(out, "limits.memory = \"1G\";");
	has(out, "home.size = \"256M\";");
	has(out, "shell = \"/bin/bash\";");
	has(out, "syslog.forward = true;");
	has(out, "syslog.rate = 20;");
	has(out, "nss_sockets = true;");
	lacks(out, "staff");
	free(out);
}

static void test_explain_by_supplementary_group(void **state)
{
	struct env *e = *state;
	char *out = explain(e, "dave", 0);
	const char *line;

	has(out, "groups:    dave students\n");
	has(out, "rule:      jail.conf:10: group students\n");
	has(out, "verdict:   jailed with profile 'students'\n");
	has(out, "profile:   'students' (jail.conf:7) extends 'base' (jail.conf:3)\n");
	lacks(out, "also matched");
	/* pids from the child, memory inherited from the parent */
	line = strstr(out, "limits.pids = 50;");
	assert_non_null(line);
	assert_true(strncmp(strchr(line, '#'), "# jail.conf:7\n", 14) == 0);
	line = strstr(out, "limits.memory = \"1G\";");
	assert_non_null(line);
	assert_true(strncmp(strchr(line, '#'), "# jail.conf:5\n", 14) == 0);
	line = strstr(out, "home.size = \"256M\";");
	assert_non_null(line);
	assert_true(strncmp(strchr(line, '#'), "# default\n", 10) == 0);
	free(out);
}

static void test_explain_uid_range_loses_to_group(void **state)
{
	struct env *e = *state;
	char *out = explain(e, "gina", 0);

	has(out, "rule:      jail.conf:10: group students\n");
	has(out, "  jail.conf:12: uid 2000-2999 -> profile 'base': a uid-range rule ranks below "
		 "a group rule\n");
	free(out);
}

static void test_explain_no_rule(void **state)
{
	struct env *e = *state;
	char *out = explain(e, "carol", 0);

	/* carol is in the uid range: use someone no rule names */
	free(out);
	out = explain(e, "henry", 0);
	has(out, "user:      henry (uid 1009, gid 4242 '4242', home '/home/henry')");
	has(out, "rule:      none matches\n");
	has(out, "verdict:   not jailed: no rule names the user and unmatched = \"allow\" "
		 "(default)\n");
	lacks(out, "hostname =");
	free(out);
}

static void test_explain_exempt(void **state)
{
	struct env *e = *state;
	char *out = explain(e, "bob", 0);

	has(out, "rule:      jail.conf:13: user bob\n");
	has(out, "verdict:   not jailed: the rule exempts the user\n");
	has(out, "  jail.conf:14: group staff -> profile 'students': a group rule ranks below a "
		 "user rule\n");
	free(out);
}

static void test_explain_unknown_user(void **state)
{
	struct env *e = *state;
	struct jail_error err = { 0 };
	FILE *f = fopen("/dev/null", "we");

	assert_non_null(f);
	assert_int_equal(jail_config_explain(e->c, "nosuchuser", f, &err), -ENOENT);
	assert_string_equal(err.message, "unknown user 'nosuchuser'");
	fclose(f);
}

static void test_resolve_fields(void **state)
{
	struct env *e = *state;
	enum jail_verdict v;
	struct jail_policy *p = NULL;
	struct jail_error err = { 0 };

	assert_int_equal(jail_config_resolve(e->c, "dave", &v, &p, &err), 0);
	assert_int_equal(v, JAIL_VERDICT_JAIL);
	assert_non_null(p);
	assert_string_equal(p->user, "dave");
	assert_int_equal(p->uid, 1004);
	assert_int_equal(p->gid, 1004);
	assert_string_equal(p->home, "/home/dave");
	assert_string_equal(p->profile, "students");
	assert_non_null(strstr(p->matched_rule, "jail.conf:10: group students"));
	assert_string_equal(p->hostname, "jail-dave");
	assert_int_equal(p->limits.pids, 50);
	assert_int_equal(p->limits.memory_bytes, 1ull << 30);
	/* the defaults */
	assert_int_equal(p->namespaces, JAIL_NS_MOUNT | JAIL_NS_PID | JAIL_NS_NET | JAIL_NS_IPC |
						JAIL_NS_UTS | JAIL_NS_CGROUP);
	assert_int_equal(p->root_kind, JAIL_ROOT_HOST);
	assert_non_null(p->hide);
	assert_string_equal(p->hide[0], "/home");
	assert_string_equal(p->hide[1], "/root");
	assert_string_equal(p->hide[2], "/var/mail");
	assert_string_equal(p->hide[3], "/run");
	assert_string_equal(p->hide[4], "/var/lib/lxd");
	assert_string_equal(p->hide[5], "/var/snap/lxd");
	assert_string_equal(p->hide[6], "/var/lib/incus");
	assert_null(p->hide[7]);
	assert_int_equal(p->net.mode, JAIL_NET_LOOPBACK);
	assert_int_equal(p->home_mode, JAIL_HOME_TMPFS);
	assert_int_equal(p->home_size_bytes, 256ull << 20);
	assert_string_equal(p->skeleton, "/etc/skel");
	assert_null(p->persist);
	assert_int_equal(p->tmp_size_bytes, 128ull << 20);
	assert_int_equal(p->run_size_bytes, 16ull << 20);
	assert_int_equal(p->n_binds, 0);
	assert_false(p->x11);
	assert_true(p->syslog.forward);
	assert_int_equal(p->syslog.rate, 20);
	assert_true(p->no_new_privs);
	assert_true(p->seccomp);
	assert_null(p->capabilities);
	assert_string_equal(p->shell, "/bin/bash");
	assert_string_equal(p->path, "/usr/local/bin:/usr/bin:/bin");
	assert_int_equal(p->lifetime, JAIL_LIFETIME_SHARED);
	assert_int_equal(p->idle_timeout_sec, 0);
	assert_int_equal(p->limits.swap_bytes, UINT64_MAX);
	assert_int_equal(p->limits.core_bytes, 0);
	assert_true(p->nss_sockets);
	jail_policy_free(p);

	/* exempt and unmatched: no policy */
	assert_int_equal(jail_config_resolve(e->c, "bob", &v, &p, &err), 0);
	assert_int_equal(v, JAIL_VERDICT_NONE);
	assert_null(p);
	assert_int_equal(jail_config_resolve(e->c, "henry", &v, &p, &err), 0);
	assert_int_equal(v, JAIL_VERDICT_NONE);
	assert_null(p);

	/* unknown user: an error, never "not jailed" */
	v = JAIL_VERDICT_NONE;
	assert_int_equal(jail_config_resolve(e->c, "nosuchuser", &v, &p, &err), -ENOENT);
	assert_int_not_equal(v, JAIL_VERDICT_NONE);
	assert_null(p);
}

/* explain asks NSS about the user once: what it prints (groups, rules) and
 * the jail it resolves come from one answer, never two that could differ. */
static void test_explain_asks_nss_once(void **state)
{
	struct env *e = *state;

	user_lookups = 0;
	free(explain(e, "alice", 0));
	assert_int_equal(user_lookups, 1);
}

/* Every entry of the key table is printed by explain (where it means
 * something): a new key needs nothing in explain but its table entry. */
static void test_explain_walks_every_key(void **state)
{
	struct env *e = *state;
	char *a = explain(e, "alice", 0), *b = explain(e, "erin", 0);

	for (int f = 0; f < PF_COUNT; f++) {
		char name[64], line[80];
		snprintf(line, sizeof(line),
			 "\n%s = ", jail_pfield_name((enum pfield)f, name, sizeof(name)));
		if (!strstr(a, line) && !strstr(b, line))
			fail_msg("explain never prints '%s'", name);
	}
	has(a, "network.pool4 = \"10.0.0.0/24\";");
	has(a, "lifetime.idle = \"1h\";");
	has(b, "root.hide = [ \"/home\"");
	free(a);
	free(b);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_explain_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explain_by_supplementary_group, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_explain_uid_range_loses_to_group, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_explain_no_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explain_exempt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explain_unknown_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explain_walks_every_key, setup_every_key,
						teardown),
		cmocka_unit_test_setup_teardown(test_explain_asks_nss_once, setup, teardown),
	};
	int r;

	(void)argc;
	test_nss_wrapper_reexec(argv);
	test_root = test_private_dir();
	if (!test_root) {
		fprintf(stderr, "cannot make a private directory under %s\n", test_build_dir());
		return 1;
	}
	r = cmocka_run_group_tests(tests, NULL, NULL);
	test_remove_tree(test_root);
	free(test_root);
	return r;
}
