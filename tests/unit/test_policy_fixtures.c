/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One test per policy fixture (tests/fixtures/policy/{good,bad}/).
 *
 * A fixture is a file (copied to DIR/jail.conf) or a directory NAME.d/
 * holding jail.conf and jail.d/ (copied as is). Its jail.conf says what must
 * happen, in comment lines:
 *   # expect: LINE: MESSAGE            a problem in jail.conf
 *   # expect: jail.d/F.conf:LINE: MESSAGE
 *   # resolve: USER -> PROFILE | none | refuse | error: FILE:LINE: MESSAGE
 * A bad fixture must produce exactly its `expect` lines, in order; a good
 * one must load and resolve each user as stated (users and groups come
 * from tests/fixtures/nss through nss_wrapper).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "policy.h"
#include "policy_test.h"

struct fixture {
	char *name;
	char *path;
	bool good;
	bool is_dir;
};

struct lines {
	char **v;
	size_t n;
};

static void lines_add(struct lines *l, const char *s)
{
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	assert_non_null(l->v);
	l->v[l->n] = strdup(s);
	assert_non_null(l->v[l->n]);
	l->n++;
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Read the `# expect:` and `# resolve:` lines of the fixture's main file. */
static void read_expectations(const char *main, struct lines *expect, struct lines *resolve)
{
	FILE *f = fopen(main, "re");
	char line[4096];

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "# expect: ", 10) == 0) {
			const char *e = line + 10;
			char buf[4200];
			/* a bare "LINE: msg" is about jail.conf itself */
			if (*e >= '0' && *e <= '9')
				snprintf(buf, sizeof(buf), "jail.conf:%s", e);
			else
				snprintf(buf, sizeof(buf), "%s", e);
			lines_add(expect, buf);
		} else if (strncmp(line, "# resolve: ", 11) == 0) {
			lines_add(resolve, line + 11);
		}
	}
	fclose(f);
}

/* "file:line: message" with the private directory's prefix removed. */
static void render_error(const struct jail_error *e, const char *dir, char *buf, size_t len)
{
	const char *file = e->file;
	size_t dl = strlen(dir);

	if (strncmp(file, dir, dl) == 0 && file[dl] == '/')
		file += dl + 1;
	char msg[sizeof(e->message)], *at;

	snprintf(msg, sizeof(msg), "%s", e->message);
	/* messages may name another file ("already defined at DIR/jail.conf:2") */
	while ((at = strstr(msg, dir)) && at[dl] == '/')
		memmove(at, at + dl + 1, strlen(at + dl + 1) + 1);
	if (e->line > 0)
		snprintf(buf, len, "%s:%d: %s", file, e->line, msg);
	else
		snprintf(buf, len, "%s: %s", file, msg);
}

static void check_resolve(const struct jail_config *c, const char *spec, const char *dir)
{
	char user[128], want[4096], got[4200];
	const char *arrow = strstr(spec, " -> ");
	enum jail_verdict v;
	struct jail_policy *p = NULL;
	struct jail_error err = { 0 };
	int r;

	assert_non_null(arrow);
	snprintf(user, sizeof(user), "%.*s", (int)(arrow - spec), spec);
	snprintf(want, sizeof(want), "%s", arrow + 4);
	r = jail_config_resolve(c, user, &v, &p, &err);
	if (r < 0) {
		char rendered[4096];
		render_error(&err, dir, rendered, sizeof(rendered));
		snprintf(got, sizeof(got), "error: %s", rendered);
	} else if (v == JAIL_VERDICT_NONE) {
		snprintf(got, sizeof(got), "none");
	} else if (v == JAIL_VERDICT_REFUSE) {
		snprintf(got, sizeof(got), "refuse");
	} else {
		assert_non_null(p);
		snprintf(got, sizeof(got), "%s", p->profile);
		assert_string_equal(p->user, user);
	}
	if (strcmp(want, got) != 0)
		fail_msg("resolve %s: expected '%s', got '%s'", user, want, got);
	if (v == JAIL_VERDICT_JAIL)
		assert_non_null(p);
	else
		assert_null(p);
	jail_policy_free(p);
}

static void test_fixture(void **state)
{
	const struct fixture *fx = *state;
	char *dir = test_private_dir(), *main = NULL, *dropins = NULL;
	struct lines expect = { 0 }, resolve = { 0 };
	struct jail_config *c = NULL;
	struct jail_error *errs = NULL;
	size_t n = 0;
	int r;

	assert_non_null(dir);
	assert_true(asprintf(&main, "%s/jail.conf", dir) > 0);
	assert_true(asprintf(&dropins, "%s/jail.d", dir) > 0);
	assert_int_equal(test_copy_tree(fx->path, fx->is_dir ? dir : main), 0);
	read_expectations(main, &expect, &resolve);

	r = jail_config_load(main, dropins, getuid(), &c, &errs, &n);
	for (size_t i = 0; i < n; i++) {
		char buf[4096];
		render_error(&errs[i], dir, buf, sizeof(buf));
		print_message("  reported: %s\n", buf);
	}
	if (fx->good) {
		if (resolve.n == 0)
			fail_msg("good fixture %s has no '# resolve:' line", fx->name);
		assert_int_equal(n, 0);
		assert_int_equal(r, 0);
		assert_non_null(c);
		for (size_t i = 0; i < resolve.n; i++)
			check_resolve(c, resolve.v[i], dir);
	} else {
		if (expect.n == 0)
			fail_msg("bad fixture %s has no '# expect:' line", fx->name);
		assert_true(r < 0);
		assert_null(c);
		for (size_t i = 0; i < expect.n || i < n; i++) {
			char buf[4096] = "(nothing)";
			if (i < n)
				render_error(&errs[i], dir, buf, sizeof(buf));
			if (i >= expect.n || strcmp(expect.v[i], buf) != 0)
				fail_msg("problem %zu: expected '%s', got '%s'", i + 1,
					 i < expect.n ? expect.v[i] : "(nothing)", buf);
		}
	}
	jail_config_free(c);
	free(errs);
	lines_free(&expect);
	lines_free(&resolve);
	test_remove_tree(dir);
	free(dir);
	free(main);
	free(dropins);
}

static int cmp_fixture(const void *a, const void *b)
{
	const struct fixture *x = a, *y = b;
	if (x->good != y->good)
		return x->good ? -1 : 1;
	return strcmp(x->name, y->name);
}

static size_t scan(const char *kind, bool good, struct fixture **fx, size_t n)
{
	char *dirpath = NULL;
	DIR *d;
	struct dirent *de;

	assert_true(asprintf(&dirpath, "%s/tests/fixtures/policy/%s", test_src_dir(), kind) > 0);
	d = opendir(dirpath);
	if (!d) {
		fprintf(stderr, "cannot open %s: %m\n", dirpath);
		exit(1);
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		bool is_dir = len > 2 && strcmp(de->d_name + len - 2, ".d") == 0;
		if (de->d_name[0] == '.' ||
		    (!is_dir && (len < 6 || strcmp(de->d_name + len - 5, ".conf"))))
			continue;
		*fx = realloc(*fx, (n + 1) * sizeof(**fx));
		assert_non_null(*fx);
		(*fx)[n].good = good;
		(*fx)[n].is_dir = is_dir;
		assert_true(asprintf(&(*fx)[n].name, "%s/%s", kind, de->d_name) > 0);
		assert_true(asprintf(&(*fx)[n].path, "%s/%s", dirpath, de->d_name) > 0);
		n++;
	}
	closedir(d);
	free(dirpath);
	return n;
}

int main(int argc, char **argv)
{
	struct fixture *fx = NULL;
	struct CMUnitTest *tests;
	size_t n = 0;
	int r;

	(void)argc;
	test_nss_wrapper_reexec(argv);
	n = scan("good", true, &fx, n);
	n = scan("bad", false, &fx, n);
	if (n < 10) {
		fprintf(stderr, "only %zu fixtures found: is SRC right?\n", n);
		return 1;
	}
	qsort(fx, n, sizeof(*fx), cmp_fixture);
	tests = calloc(n, sizeof(*tests));
	assert_non_null(tests);
	for (size_t i = 0; i < n; i++) {
		tests[i].name = fx[i].name;
		tests[i].test_func = test_fixture;
		tests[i].initial_state = &fx[i];
	}
	test_root = test_private_dir();
	if (!test_root) {
		fprintf(stderr, "cannot make a private directory under %s: %m\n", test_build_dir());
		return 1;
	}
	r = _cmocka_run_group_tests("policy fixtures", tests, n, NULL, NULL);
	test_remove_tree(test_root);
	free(test_root);
	for (size_t i = 0; i < n; i++) {
		free(fx[i].name);
		free(fx[i].path);
	}
	free(fx);
	free(tests);
	return r;
}
