/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The loader's file rules: what it refuses to read and how it says so
 * (the file named, the reason given). Every case is the escape that must
 * fail, next to the same setup made safe that must load.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "policy.h"
#include "policy_test.h"

struct env {
	char *dir, *main, *dropins;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	if (!e || !(e->dir = test_private_dir()))
		return -1;
	if (asprintf(&e->main, "%s/jail.conf", e->dir) < 0 ||
	    asprintf(&e->dropins, "%s/jail.d", e->dir) < 0)
		return -1;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	test_remove_tree(e->dir);
	free(e->dir);
	free(e->main);
	free(e->dropins);
	free(e);
	return 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static const char good_text[] = "profiles = { p = { }; };\n"
				"rules = ( { user = \"root\"; profile = \"p\"; } );\n";

/* Load; expect failure with exactly one problem, about `file`, whose message
 * contains `what`. */
static void expect_refused_n(const struct env *e, size_t want_n, const char *file, int line,
			     const char *what)
{
	struct jail_config *c = (struct jail_config *)1;
	struct jail_error *errs = NULL;
	size_t n = 0;
	int r = jail_config_load(e->main, e->dropins, getuid(), &c, &errs, &n);

	for (size_t i = 0; i < n; i++)
		print_message("  %s:%d: %s\n", errs[i].file, errs[i].line, errs[i].message);
	assert_true(r < 0);
	assert_null(c);
	assert_int_equal(n, want_n);
	assert_string_equal(errs[0].file, file);
	assert_int_equal(errs[0].line, line);
	if (!strstr(errs[0].message, what))
		fail_msg("'%s' not in '%s'", what, errs[0].message);
	free(errs);
}

static void expect_refused(const struct env *e, const char *file, int line, const char *what)
{
	expect_refused_n(e, 1, file, line, what);
}

static void expect_loads(const struct env *e)
{
	struct jail_config *c = NULL;
	struct jail_error *errs = NULL;
	size_t n = 0;
	int r = jail_config_load(e->main, e->dropins, getuid(), &c, &errs, &n);

	for (size_t i = 0; i < n; i++)
		print_message("  %s:%d: %s\n", errs[i].file, errs[i].line, errs[i].message);
	assert_int_equal(r, 0);
	assert_int_equal(n, 0);
	assert_non_null(c);
	jail_config_free(c);
	free(errs);
}

static void test_group_writable_main(void **state)
{
	struct env *e = *state;

	write_file(e->main, good_text, 0664);
	expect_refused(e, e->main, 0, "is writable by group");
	assert_int_equal(chmod(e->main, 0644), 0);
	expect_loads(e);
}

static void test_other_writable_main(void **state)
{
	struct env *e = *state;

	write_file(e->main, good_text, 0646);
	expect_refused(e, e->main, 0, "is writable by others");
}

static void test_unsafe_parent_dir(void **state)
{
	struct env *e = *state;
	char want[4200];

	write_file(e->main, good_text, 0644);
	assert_int_equal(chmod(e->dir, 0775), 0);
	snprintf(want, sizeof(want), "'%s' is writable by group", e->dir);
	/* both the main file and the drop-in directory are under it */
	expect_refused_n(e, 2, e->main, 0, want);
	assert_int_equal(chmod(e->dir, 0755), 0);
	expect_loads(e);
}

static void test_symlinked_main(void **state)
{
	struct env *e = *state;
	char *real = path_in(e->dir, "real.conf");

	write_file(real, good_text, 0644);
	assert_int_equal(symlink("real.conf", e->main), 0);
	expect_refused(e, e->main, 0, "is a symbolic link");
	free(real);
}

static void test_main_not_regular(void **state)
{
	struct env *e = *state;

	assert_int_equal(mkdir(e->main, 0755), 0);
	expect_refused(e, e->main, 0, "is not a regular file");
}

static void test_missing_main(void **state)
{
	struct env *e = *state;
	struct jail_config *c = NULL;
	struct jail_error *errs = NULL;
	size_t n = 0;

	/* the module refuses logins without a policy; jailctl check says why */
	assert_int_equal(jail_config_load(e->main, e->dropins, getuid(), &c, &errs, &n), -ENOENT);
	assert_null(c);
	assert_int_equal(n, 1);
	assert_string_equal(errs[0].message, "the policy file does not exist");
	free(errs);
}

static void test_missing_dropin_dir_is_fine(void **state)
{
	struct env *e = *state;

	write_file(e->main, good_text, 0644);
	expect_loads(e); /* e->dropins does not exist */
}

static void test_unsafe_dropin_dir(void **state)
{
	struct env *e = *state;
	char want[4200];

	write_file(e->main, good_text, 0644);
	assert_int_equal(mkdir(e->dropins, 0755), 0);
	assert_int_equal(chmod(e->dropins, 0777), 0);
	snprintf(want, sizeof(want), "'%s' is world-writable (mode 0777)", e->dropins);
	expect_refused(e, e->dropins, 0, want);
	assert_int_equal(chmod(e->dropins, 0755), 0);
	expect_loads(e);
}

static void test_symlinked_dropin_dir(void **state)
{
	struct env *e = *state;
	char *real = path_in(e->dir, "real.d");

	write_file(e->main, good_text, 0644);
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink("real.d", e->dropins), 0);
	expect_refused(e, e->dropins, 0, "is a symbolic link");
	free(real);
}

static void test_unsafe_dropin_file(void **state)
{
	struct env *e = *state;
	char want[4200];
	char *f;

	write_file(e->main, good_text, 0644);
	assert_int_equal(mkdir(e->dropins, 0755), 0);
	f = path_in(e->dropins, "50-x.conf");
	write_file(f, "profiles = { x = { }; };\n", 0620);
	snprintf(want, sizeof(want), "'%s' is writable by group", f);
	expect_refused(e, f, 0, want);
	assert_int_equal(chmod(f, 0644), 0);
	expect_loads(e);
	free(f);
}

static void test_symlinked_dropin_file(void **state)
{
	struct env *e = *state;
	char *f, *real;

	write_file(e->main, good_text, 0644);
	assert_int_equal(mkdir(e->dropins, 0755), 0);
	real = path_in(e->dir, "elsewhere.conf");
	write_file(real, "profiles = { x = { }; };\n", 0644);
	f = path_in(e->dropins, "50-x.conf");
	assert_int_equal(symlink(real, f), 0);
	expect_refused(e, f, 0, "is a symbolic link");
	free(f);
	free(real);
}

static void test_fifo_dropin(void **state)
{
	struct env *e = *state;
	char *f;

	write_file(e->main, good_text, 0644);
	assert_int_equal(mkdir(e->dropins, 0755), 0);
	f = path_in(e->dropins, "50-fifo.conf");
	assert_int_equal(mkfifo(f, 0644), 0);
	/* must not block in open() */
	expect_refused(e, f, 0, "is not a regular file");
	free(f);
}

static void test_foreign_owner(void **state)
{
	struct env *e = *state;
	struct jail_config *c = NULL;
	struct jail_error *errs = NULL;
	size_t n = 0;
	int r;

	write_file(e->main, good_text, 0644);
	if (getuid() == 0) {
		/* root: a file owned by someone else */
		assert_int_equal(chown(e->main, 12345, 0), 0);
		r = jail_config_load(e->main, NULL, 0, &c, &errs, &n);
	} else {
		/* not root: our own file, but only root is trusted */
		r = jail_config_load(e->main, NULL, 0, &c, &errs, &n);
	}
	assert_true(r < 0);
	assert_null(c);
	assert_true(n >= 1);
	assert_string_equal(errs[n - 1].file, getuid() == 0 ? e->main : errs[n - 1].file);
	if (!strstr(errs[n - 1].message, "not root"))
		fail_msg("unexpected: %s", errs[n - 1].message);
	free(errs);
}

static void test_too_big(void **state)
{
	struct env *e = *state;
	FILE *f = fopen(e->main, "we");
	char line[128];

	assert_non_null(f);
	memset(line, '#', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	for (size_t done = 0; done <= JAIL_CONFIG_MAX_SIZE; done += strlen(line))
		fputs(line, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(e->main, 0644), 0);
	expect_refused(e, e->main, 0, "is larger than");
}

static void test_include_refused(void **state)
{
	struct env *e = *state;
	char *secret = path_in(e->dir, "secret.conf");
	char text[4300];

	/* a perfectly safe file to include: it is still refused, because
	 * libconfig would open it by name, past every check */
	write_file(secret, "profiles = { x = { }; };\n", 0644);
	snprintf(text, sizeof(text), "version = 1;\n@include \"%s\"\n", secret);
	write_file(e->main, text, 0644);
	expect_refused(e, e->main, 2, "'@include'");
	free(secret);
}

static void load_buffer_expect(const char *text, size_t len, int line, const char *what)
{
	struct jail_config *c = NULL;
	struct jail_error *errs = NULL;
	size_t n = 0;
	int r = jail_config_load_buffer("buf.conf", text, len, &c, &errs, &n);

	for (size_t i = 0; i < n; i++)
		print_message("  %s:%d: %s\n", errs[i].file, errs[i].line, errs[i].message);
	if (!what) {
		assert_int_equal(r, 0);
		assert_non_null(c);
		assert_int_equal(n, 0);
	} else {
		assert_true(r < 0);
		assert_null(c);
		assert_true(n >= 1);
		assert_string_equal(errs[0].file, "buf.conf");
		assert_int_equal(errs[0].line, line);
		if (!strstr(errs[0].message, what))
			fail_msg("'%s' not in '%s'", what, errs[0].message);
	}
	jail_config_free(c);
	free(errs);
}

static void test_buffer_rules(void **state)
{
	static const char nul[] = "version = 1;\n\0@include \"/etc/shadow\"\n";
	(void)state;

	load_buffer_expect("", 0, 0, NULL);
	load_buffer_expect(good_text, strlen(good_text), 0, NULL);
	/* libconfig would stop at the NUL and never see the rest */
	load_buffer_expect(nul, sizeof(nul) - 1, 2, "NUL byte");
	load_buffer_expect("\t  @include \"x\"\n", 16, 1, "'@include'");
	/* errors are optional for callers that only want yes/no */
	{
		struct jail_config *c = NULL;
		assert_true(jail_config_load_buffer("b", "x = 1;", 6, &c, NULL, NULL) < 0);
		assert_null(c);
	}
}

/* Problems come out in file order, then line order, whichever check found
 * them (a rule's unknown profile is only found after every file is read). */
static void test_errors_in_file_order(void **state)
{
	const char *names[] = { "main.conf", "jail.d/10-a.conf" };
	const char *bufs[] = { "rules = ( { user = \"a\"; profile = \"nope\"; } );\n"
			       "profiles = { a = { x11 = 1; }; };\n",
			       "profiles = { b = { colour = 1; }; };\n" };
	size_t lens[] = { strlen(bufs[0]), strlen(bufs[1]) };
	struct jail_config *c = NULL;
	struct jail_error *errs = NULL;
	size_t n = 0;
	(void)state;

	assert_true(jail_config_load_buffers(2, names, bufs, lens, &c, &errs, &n) < 0);
	assert_null(c);
	assert_int_equal(n, 3);
	assert_string_equal(errs[0].file, "main.conf");
	assert_int_equal(errs[0].line, 1);
	assert_string_equal(errs[0].message, "rule: unknown profile 'nope'");
	assert_string_equal(errs[1].file, "main.conf");
	assert_int_equal(errs[1].line, 2);
	assert_string_equal(errs[2].file, "jail.d/10-a.conf");
	assert_int_equal(errs[2].line, 1);
	assert_string_equal(errs[2].message, "profile 'b': unknown key 'colour'");
	free(errs);
}

static void test_too_many_lines(void **state)
{
	size_t len = 70000;
	char *text = malloc(len);
	(void)state;

	assert_non_null(text);
	memset(text, '\n', len);
	/* libconfig counts lines in 16 bits: past that, line numbers lie */
	load_buffer_expect(text, len, 65536, "more than 65535 lines");
	free(text);
}

static void test_errors_capped(void **state)
{
	size_t cap = 300 * 32, len = 0;
	char *text = malloc(cap);
	struct jail_config *c = NULL;
	struct jail_error *errs = NULL;
	size_t n = 0;
	(void)state;

	assert_non_null(text);
	for (int i = 0; i < 300; i++)
		len += (size_t)snprintf(text + len, cap - len, "unknown%d = 1;\n", i);
	assert_true(jail_config_load_buffer("b.conf", text, len, &c, &errs, &n) < 0);
	assert_int_equal(n, 201);
	assert_int_equal(errs[0].line, 1);
	assert_string_equal(errs[200].message, "too many errors, stopped after 200");
	free(errs);
	free(text);
}

/* jailctl check on a draft (jail_config_check_draft): the content's problems
 * come out as file:line wherever the file is; a refusal for where it is comes
 * apart, with the right words; what does not exist is no refusal. */
static void test_draft_world_writable_dir(void **state)
{
	struct env *e = *state;
	struct jail_config *c = (struct jail_config *)1;
	struct jail_error *errs = NULL, *refusals = NULL;
	size_t n = 0, n_refusals = 0;
	char want[4200];
	int r;

	write_file(e->main, "profiles = { p = { tmp = { size = \"lots\"; }; }; };\n", 0644);
	assert_int_equal(chmod(e->dir, 01777), 0);
	r = jail_config_check_draft(e->main, e->dropins, getuid(), &c, &errs, &n, &refusals,
				    &n_refusals);
	assert_true(r < 0);
	assert_null(c);
	/* the content: its one problem, at its line */
	assert_int_equal(n, 1);
	assert_string_equal(errs[0].file, e->main);
	assert_int_equal(errs[0].line, 1);
	assert_non_null(strstr(errs[0].message, "'lots' is not a size"));
	/* where it is: the directory named, world-writable (not "by group");
	 * the missing jail.d next to it is not refused */
	assert_int_equal(n_refusals, 1);
	assert_string_equal(refusals[0].file, e->main);
	snprintf(want, sizeof(want), "'%s' is world-writable (mode 1777)", e->dir);
	assert_string_equal(refusals[0].message, want);
	free(errs);
	free(refusals);
	/* the real loader: refused, for the file and the drop-in directory
	 * alike (both are under the same directory), and nothing more */
	expect_refused_n(e, 2, e->main, 0, want);
	assert_int_equal(chmod(e->dir, 0755), 0);
}

static void test_draft_valid_content_refused_file(void **state)
{
	struct env *e = *state;
	struct jail_config *c = NULL;
	struct jail_error *errs = NULL, *refusals = NULL;
	size_t n = 0, n_refusals = 0;
	char *bad;
	int r;

	write_file(e->main, good_text, 0664);
	assert_int_equal(mkdir(e->dropins, 0755), 0);
	bad = path_in(e->dropins, "x.conf");
	write_file(bad, "rules = ( { user = \"root\"; profile = \"nope\"; } );\n", 0646);
	r = jail_config_check_draft(e->main, e->dropins, getuid(), &c, &errs, &n, &refusals,
				    &n_refusals);
	assert_true(r < 0); /* the drop-in names a profile that does not exist */
	assert_int_equal(n, 1);
	assert_string_equal(errs[0].file, bad);
	assert_int_equal(errs[0].line, 1);
	assert_int_equal(n_refusals, 2);
	assert_string_equal(refusals[0].file, e->main);
	assert_non_null(strstr(refusals[0].message, "is writable by group (mode 0664)"));
	assert_string_equal(refusals[1].file, bad);
	assert_non_null(strstr(refusals[1].message, "x.conf' is writable by others (mode 0646)"));
	free(errs);
	free(refusals);
	/* valid content at a refused place: loaded, and the refusal still said */
	assert_int_equal(unlink(bad), 0);
	free(bad);
	r = jail_config_check_draft(e->main, e->dropins, getuid(), &c, &errs, &n, &refusals,
				    &n_refusals);
	assert_int_equal(r, 0);
	assert_non_null(c);
	assert_int_equal(n, 0);
	assert_int_equal(n_refusals, 1);
	jail_config_free(c);
	free(errs);
	free(refusals);
	/* made safe: nothing to say */
	assert_int_equal(chmod(e->main, 0644), 0);
	r = jail_config_check_draft(e->main, e->dropins, getuid(), &c, &errs, &n, &refusals,
				    &n_refusals);
	assert_int_equal(r, 0);
	assert_int_equal(n_refusals, 0);
	assert_null(refusals);
	jail_config_free(c);
	free(errs);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_writable_main, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_writable_main, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_parent_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_main, setup, teardown),
		cmocka_unit_test_setup_teardown(test_main_not_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_main, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_dropin_dir_is_fine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_dropin_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_dropin_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_dropin_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_dropin_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_dropin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_draft_world_writable_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_draft_valid_content_refused_file, setup,
						teardown),
		cmocka_unit_test(test_buffer_rules),
		cmocka_unit_test(test_errors_in_file_order),
		cmocka_unit_test(test_too_many_lines),
		cmocka_unit_test(test_errors_capped),
	};
	int r;

	(void)argc;
	(void)argv;
	umask(022);
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
