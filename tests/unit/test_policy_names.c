/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Any user name works: every %u/%g expansion for the odd names of the test
 * NSS database (tests/fixtures/nss: '_', '@', '.', upper case, a digit
 * first, 32 characters, longer than a hostname, nothing a hostname can
 * hold, UTF-8), the path tricks that stay refused ("..", "a/b"), and the
 * hostname rule (lib/policy_hostname.c) over many generated names: it
 * always gives a valid hostname, the same one for the same name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "policy_internal.h"
#include "policy_test.h"

static const char policy_text[] =
	"version = 1;\n"							     /* 1 */
	"profiles = {\n"							     /* 2 */
	"  host = {\n"								     /* 3 */
	"    hostname = \"lab-%u\";\n"						     /* 4 */
	"    root = { hide = [\"/srv/hidden/%u\", \"/srv/%g/hidden\"]; };\n"	     /* 5 */
	"    home = { skeleton = \"/srv/skel/%g/%u\"; persist = [\"work/%u\"]; };\n" /* 6 */
	"    binds = ( { source = \"/srv/data/%u\"; target = \"/srv/%u@%g\"; } );\n" /* 7 */
	"  };\n"								     /* 8 */
	"  tree = {\n"								     /* 9 */
	"    hostname = \"%u.%g\";\n"						     /* 10 */
	"    root = { type = \"tree\"; path = \"/srv/jails/%g/%u\"; };\n"	     /* 11 */
	"  };\n"								     /* 12 */
	"};\n"									     /* 13 */
	"rules = ( { uid = \"1010-1030\"; profile = \"host\"; } );\n";		     /* 14 */

struct env {
	char *dir, *main;
	struct jail_config *host, *tree;
};

static struct jail_config *load(struct env *e, const char *text)
{
	struct jail_config *c = NULL;
	struct jail_error *errs = NULL;
	size_t n = 0;
	FILE *f = fopen(e->main, "we");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0 || chmod(e->main, 0644) < 0)
		return NULL;
	if (jail_config_load(e->main, NULL, getuid(), &c, &errs, &n) < 0)
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "load: line %d: %s\n", errs[i].line, errs[i].message);
	free(errs);
	return c;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char *tree_text = NULL;

	if (!e || !(e->dir = test_private_dir()) || asprintf(&e->main, "%s/jail.conf", e->dir) < 0)
		return -1;
	e->host = load(e, policy_text);
	/* the same file, the uid range sent to the other profile */
	tree_text = strdup(policy_text);
	if (!tree_text)
		return -1;
	memcpy(strstr(tree_text, "profile = \"host\""), "profile = \"tree\"", 16);
	e->tree = load(e, tree_text);
	free(tree_text);
	if (!e->host || !e->tree)
		return -1;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	jail_config_free(e->host);
	jail_config_free(e->tree);
	test_remove_tree(e->dir);
	free(e->dir);
	free(e->main);
	free(e);
	return 0;
}

static struct jail_policy *resolve(const struct jail_config *c, const char *user)
{
	enum jail_verdict v;
	struct jail_policy *p = NULL;
	struct jail_error err = { 0 };

	if (jail_config_resolve(c, user, &v, &p, &err) < 0)
		fail_msg("resolve '%s': %s:%d: %s", user, err.file, err.line, err.message);
	assert_int_equal(v, JAIL_VERDICT_JAIL);
	assert_non_null(p);
	assert_string_equal(p->user, user);
	return p;
}

struct odd_name {
	const char *user, *group;
	const char *host_hostname; /* "lab-%u" */
	const char *tree_hostname; /* "%u.%g" */
};

static const struct odd_name odd_names[] = {
	{ "john_doe", "john_doe", "lab-john-doe", "john-doe.john-doe" },
	{ "alice@example.edu", "domain users@example.edu", "lab-alice-example-edu",
	  "alice-example-edu.domain-users-example-edu" },
	{ "first.last", "first.last", "lab-first-last", "first-last.first-last" },
	{ "UpperCase", "UpperCase", "lab-uppercase", "uppercase.uppercase" },
	{ "1student", "1student", "lab-1student", "1student.1student" },
	{ "student_2026_computer_science_01", "student_2026_computer_science_01",
	  "lab-student-2026-computer-science-01",
	  /* 65 characters: cut, and a hash of the unmapped name ends it */
	  "student-2026-computer-science-01.student-2026-computer-a7003dd7" },
	{ "Margaret.Hamilton-Smith@students.computer-science.example.edu",
	  "domain users@example.edu",
	  "lab-margaret-hamilton-smith-students-computer-science-c0766bd9",
	  "margaret-hamilton-smith-students-computer-science-exam-1609b89b" },
	/* nothing a hostname can hold: the label falls back to 'x' and a hash */
	{ "_", "_", "lab", "xef8b8f3f.xef8b8f3f" },
	{ "jörg", "jörg", "lab-j--rg", "j--rg.j--rg" },
};

/* Every expansion, for every odd name: the hostname derived, the paths
 * with the name exactly as NSS gave it. */
static void test_odd_names_expand(void **state)
{
	struct env *e = *state;

	for (size_t i = 0; i < JAIL_ARRAY_SIZE(odd_names); i++) {
		const struct odd_name *n = &odd_names[i];
		struct jail_policy *p = resolve(e->host, n->user);
		char want[512];

		print_message("%s: %s\n", n->user, p->hostname);
		assert_string_equal(p->hostname, n->host_hostname);
		assert_true(jail_hostname_is_valid(p->hostname));
		snprintf(want, sizeof(want), "/srv/hidden/%s", n->user);
		assert_string_equal(p->hide[0], want);
		snprintf(want, sizeof(want), "/srv/%s/hidden", n->group);
		assert_string_equal(p->hide[1], want);
		snprintf(want, sizeof(want), "/srv/skel/%s/%s", n->group, n->user);
		assert_string_equal(p->skeleton, want);
		snprintf(want, sizeof(want), "work/%s", n->user);
		assert_string_equal(p->persist[0], want);
		assert_null(p->persist[1]);
		assert_int_equal(p->n_binds, 1);
		snprintf(want, sizeof(want), "/srv/data/%s", n->user);
		assert_string_equal(p->binds[0].source, want);
		snprintf(want, sizeof(want), "/srv/%s@%s", n->user, n->group);
		assert_string_equal(p->binds[0].target, want);
		jail_policy_free(p);

		p = resolve(e->tree, n->user);
		print_message("%s: %s\n", n->user, p->hostname);
		assert_string_equal(p->hostname, n->tree_hostname);
		assert_true(jail_hostname_is_valid(p->hostname));
		snprintf(want, sizeof(want), "/srv/jails/%s/%s", n->group, n->user);
		assert_string_equal(p->root_path, want);
		jail_policy_free(p);
	}
}

/* `jailctl explain` shows the hostname the user gets. */
static void test_explain_shows_derived_hostname(void **state)
{
	struct env *e = *state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jail_error err = { 0 };

	assert_non_null(f);
	assert_int_equal(jail_config_explain(e->host, "alice@example.edu", f, &err), 0);
	assert_int_equal(fclose(f), 0);
	print_message("%s", buf);
	if (!strstr(buf, "hostname = \"lab-alice-example-edu\";"))
		fail_msg("explain does not show the derived hostname");
	free(buf);
}

/* `in` with every '@' replaced by `x`. */
static void subst(const char *in, const char *x, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + strlen(x) + 1 < len; in++)
		if (*in == '@')
			o += (size_t)snprintf(out + o, len - o, "%s", x);
		else
			out[o++] = *in;
	out[o] = '\0';
}

/* Names that would be path tricks are still refused, in every path that
 * expands %u or %g, with the reason. */
static void test_path_tricks_refused(void **state)
{
	static const struct {
		const char *profile, *field, *tmpl;
	} fields[] = {
		{ "root = { type = \"tree\"; path = \"/srv/@\"; };", "root.path", "/srv/@" },
		{ "root = { hide = [\"/srv/@\"]; };", "root.hide", "/srv/@" },
		{ "home = { skeleton = \"/srv/@\"; };", "home.skeleton", "/srv/@" },
		{ "home = { persist = [\"w/@\"]; };", "home.persist", "w/@" },
		{ "binds = ( { source = \"/srv/@\"; target = \"/m\"; } );", "binds", "/srv/@" },
		{ "binds = ( { source = \"/s\"; target = \"/srv/@\"; } );", "binds", "/srv/@" },
	};
	static const char *const users[] = { "..", "a/b" };
	struct env *e = *state;

	for (size_t i = 0; i < JAIL_ARRAY_SIZE(fields); i++)
		for (const char *x = "ug"; *x; x++) {
			char profile[256], text[512], expansion[3] = { '%', *x, 0 };
			struct jail_config *c;

			subst(fields[i].profile, expansion, profile, sizeof(profile));
			snprintf(text, sizeof(text),
				 "version = 1;\nprofiles = { p = { %s }; };\n"
				 "rules = ( { uid = \"1010-1030\"; profile = \"p\"; } );\n",
				 profile);
			c = load(e, text);
			assert_non_null(c);
			for (size_t u = 0; u < JAIL_ARRAY_SIZE(users); u++) {
				enum jail_verdict v = JAIL_VERDICT_JAIL;
				struct jail_policy *p = NULL;
				struct jail_error err = { 0 };
				char tmpl[64], want[512];

				subst(fields[i].tmpl, expansion, tmpl, sizeof(tmpl));
				if (u == 0)
					snprintf(want, sizeof(want),
						 "profile 'p': %s '%.*s..' for user '..' is not a "
						 "clean %s path without ':'",
						 fields[i].field, (int)strlen(tmpl) - 2, tmpl,
						 tmpl[0] == '/' ? "absolute" : "relative");
				else
					snprintf(want, sizeof(want),
						 "profile 'p': %s '%s' for user 'a/b' (group "
						 "'a/b'): "
						 "a name holding '/' cannot be part of a path",
						 fields[i].field, tmpl);
				assert_int_equal(jail_config_resolve(c, users[u], &v, &p, &err),
						 -EINVAL);
				assert_null(p);
				assert_int_equal(v, JAIL_VERDICT_REFUSE);
				print_message("%s: %s\n", users[u], err.message);
				assert_string_equal(err.message, want);
			}
			/* and the same field works for an odd but harmless name */
			jail_policy_free(resolve(c, "alice@example.edu"));
			jail_config_free(c);
		}
}

/* A name "%u" in a literal "%%u" is no expansion: "a/b" may use it. */
static void test_literal_percent_u_is_no_expansion(void **state)
{
	struct env *e = *state;
	struct jail_config *c = load(e, "version = 1;\n"
					"profiles = { p = { root = { hide = [\"/srv/100%%u\"]; }; "
					"}; };\n"
					"rules = ( { uid = \"1010-1030\"; profile = \"p\"; } );\n");
	struct jail_policy *p;

	assert_non_null(c);
	p = resolve(c, "a/b");
	assert_string_equal(p->hide[0], "/srv/100%u");
	jail_policy_free(p);
	jail_config_free(c);
}

static void check_derived(const char *tmpl, const char *user, const char *group)
{
	struct jail_match m = { .user = (char *)(uintptr_t)user,
				.group = (char *)(uintptr_t)group };
	struct jail_error err = { 0 };
	char *a = NULL, *b = NULL;

	if (jail_hostname_expand(tmpl, &m, &a, &err) < 0)
		fail_msg("'%s' for '%s'/'%s': %s", tmpl, user, group, err.message);
	if (!jail_hostname_is_valid(a) || strlen(a) > 63)
		fail_msg("'%s' for '%s'/'%s' gave '%s'", tmpl, user, group, a);
	/* the same name, the same hostname */
	assert_int_equal(jail_hostname_expand(tmpl, &m, &b, &err), 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* Templates the loader accepts, in every shape the label rules care about. */
static const char *const templates[] = {
	"%u",
	"lab-%u",
	"%u-lab",
	"%u.%g",
	"a.%u-%g.b",
	"%u%g",
	"X%uY",
	"%u.lab.example",
	"lab.%u",
	"a-%u-b.c-%g-d",
	"%g",
	"abcdefghijklmnopqrstuvwxyz-abcdefghijklmnopqrstuvwxyz-012345678",
	"abcdefghijklmnopqrstuvwxyz-abcdefghijklmnopqrstuvwxyz-0123456-%u",
	"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.%u",
};

/* The loop the issue asks for: every template over names of every byte
 * 0x01-0xff alone, repeated, next to letters, and random strings of
 * printable ASCII and UTF-8 up to 300 bytes. */
static void test_hostname_any_name(void **state)
{
	char name[512];
	unsigned seed = 12345;
	size_t checked = 0;

	(void)state;
	for (size_t t = 0; t < JAIL_ARRAY_SIZE(templates); t++) {
		check_derived(templates[t], "", "");
		for (int c = 1; c < 256; c++) {
			for (size_t len = 1; len < 80; len += 13) {
				memset(name, c, len);
				name[len] = '\0';
				check_derived(templates[t], name, "students");
				check_derived(templates[t], "alice", name);
			}
			snprintf(name, sizeof(name), "a%cb", c);
			check_derived(templates[t], name, name);
			snprintf(name, sizeof(name), "%cz%c", c, c);
			check_derived(templates[t], name, "x");
			checked += 14;
		}
		for (int i = 0; i < 2000; i++) {
			static const char *const utf8[] = { "ö", "é", "ß", "名", "😀", "\xcc\x81" };
			size_t len = (size_t)(rand_r(&seed) % 300), o = 0;
			while (o < len) {
				if (rand_r(&seed) % 5 == 0) {
					const char *u = utf8[rand_r(&seed) % JAIL_ARRAY_SIZE(utf8)];
					o += (size_t)snprintf(name + o, sizeof(name) - o, "%s", u);
				} else {
					name[o++] = (char)(0x21 + rand_r(&seed) % (0x7f - 0x21));
				}
			}
			name[o] = '\0';
			check_derived(templates[t], name, name + o / 2);
			checked++;
		}
	}
	print_message("%zu names checked\n", checked);
}

/* Long names that differ only past the cut get different hostnames; the
 * hash is of the name before mapping, so "a_b" and "a.b" long names too. */
static void test_long_names_stay_apart(void **state)
{
	static const char *const names[] = {
		"student.of.the.department.of.computer.science.number.00001@example.edu",
		"student.of.the.department.of.computer.science.number.00002@example.edu",
		"student_of_the_department_of_computer_science_number_00001@example.edu",
	};
	char *h[JAIL_ARRAY_SIZE(names)];
	struct jail_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(names); i++) {
		struct jail_match m = { .user = (char *)(uintptr_t)names[i],
					.group = (char *)(uintptr_t) "g" };
		assert_int_equal(jail_hostname_expand("lab-%u", &m, &h[i], &err), 0);
		print_message("%s -> %s\n", names[i], h[i]);
		assert_int_equal(strlen(h[i]), 63);
		assert_true(jail_hostname_is_valid(h[i]));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(h[i], h[j]);
	}
	/* the part before the hash is the mapped name, cut */
	assert_memory_equal(h[0], "lab-student-of-the-department-of-computer-science-numb-", 55);
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(names); i++)
		free(h[i]);
}

static void test_hostname_validity(void **state)
{
	static const char *const good[] = {
		"a",	    "lab-alice",
		"a.b",	    "A-1.b-2",
		"1student", "abcdefghijklmnopqrstuvwxyz-abcdefghijklmnopqrstuvwxyz-012345678",
	};
	static const char *const bad[] = {
		"",	"-a",	"a-",
		"a.-b", "a-.b", ".a",
		"a.",	"a..b", "a_b",
		"a b",	"ä",	"abcdefghijklmnopqrstuvwxyz-abcdefghijklmnopqrstuvwxyz-0123456789",
	};

	(void)state;
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(good); i++)
		if (!jail_hostname_is_valid(good[i]))
			fail_msg("'%s' should be valid", good[i]);
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(bad); i++)
		if (jail_hostname_is_valid(bad[i]))
			fail_msg("'%s' should be invalid", bad[i]);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odd_names_expand),
		cmocka_unit_test(test_explain_shows_derived_hostname),
		cmocka_unit_test(test_path_tricks_refused),
		cmocka_unit_test(test_literal_percent_u_is_no_expansion),
		cmocka_unit_test(test_hostname_any_name),
		cmocka_unit_test(test_long_names_stay_apart),
		cmocka_unit_test(test_hostname_validity),
	};
	int r;

	(void)argc;
	test_nss_wrapper_reexec(argv);
	test_root = test_private_dir();
	if (!test_root) {
		fprintf(stderr, "cannot make a private directory under %s: %m\n", test_build_dir());
		return 1;
	}
	r = cmocka_run_group_tests_name("odd user names", tests, setup, teardown);
	test_remove_tree(test_root);
	free(test_root);
	return r;
}
