/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `jailctl check` and `jailctl explain` as an administrator runs them: the
 * shipped default policy and every example must pass check; a broken file
 * must fail with its problems listed as file:line: message; explain must
 * answer for users matched by name, by supplementary group and by no rule
 * (users from tests/fixtures/nss through nss_wrapper, inherited by jailctl).
 * Each policy is first copied into a private 0755 directory with mode 0644,
 * since a checkout's modes depend on the umask it was made with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/wait.h>

#include "policy.h"
#include "policy_test.h"

static char *jailctl;
static const char *child_group_file; /* NSS_WRAPPER_GROUP for the next run */

static char *slurp_fd(int fd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char chunk[4096];
	ssize_t n;

	assert_non_null(f);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		fwrite(chunk, 1, (size_t)n, f);
	fclose(f);
	close(fd);
	return buf;
}

/* Run jailctl with `args` (NULL-terminated); returns the exit status. */
static int run(const char *const *args, char **ret_out, char **ret_err)
{
	int out[2], err[2], status;
	char *argv[16] = { jailctl };
	size_t n = 1;
	pid_t pid;

	/* execv() takes char *const[]; the strings are never written */
	for (; args[n - 1] && n < 15; n++)
		argv[n] = strdup(args[n - 1]);
	argv[n] = NULL;
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (child_group_file)
			setenv("NSS_WRAPPER_GROUP", child_group_file, 1);
		execv(jailctl, argv);
		_exit(127);
	}
	for (size_t i = 1; i < n; i++)
		free(argv[i]);
	close(out[1]);
	close(err[1]);
	/* small outputs: read stdout fully, then stderr (fits the pipe) */
	*ret_out = slurp_fd(out[0]);
	*ret_err = slurp_fd(err[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	print_message("$ jailctl %s ...: exit %d\n%s%s", args[0], WEXITSTATUS(status), *ret_out,
		      *ret_err);
	return WEXITSTATUS(status);
}

/* Copy SRC/rel to a private DIR/jail.conf; returns DIR/jail.conf. */
static char *install(const char *rel)
{
	char *dir = test_private_dir(), *from = NULL, *to = NULL;

	assert_non_null(dir);
	assert_true(asprintf(&from, "%s/%s", test_src_dir(), rel) > 0);
	assert_true(asprintf(&to, "%s/jail.conf", dir) > 0);
	assert_int_equal(test_copy_file(from, to, 0644), 0);
	free(from);
	free(dir);
	return to;
}

static void check_valid(const char *rel)
{
	char *conf = install(rel), *out, *err;
	const char *args[] = { "check", "--config", conf, NULL };

	if (run(args, &out, &err) != 0)
		fail_msg("%s: jailctl check failed:\n%s%s", rel, out, err);
	assert_non_null(strstr(out, ": valid ("));
	/* the non-root note appears exactly when not root */
	assert_int_equal(strstr(err, "note: not running as root") != NULL, getuid() != 0);
	free(out);
	free(err);
	free(conf);
}

static void test_shipped_default_is_valid(void **state)
{
	(void)state;
	check_valid("config/jail.conf");
}

static void test_examples_are_valid(void **state)
{
	char *dirpath = NULL;
	struct dirent *de;
	DIR *d;
	int n = 0;
	(void)state;

	assert_true(asprintf(&dirpath, "%s/config/examples", test_src_dir()) > 0);
	d = opendir(dirpath);
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char *rel = NULL;
		if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		assert_true(asprintf(&rel, "config/examples/%s", de->d_name) > 0);
		check_valid(rel);
		free(rel);
		n++;
	}
	closedir(d);
	free(dirpath);
	assert_true(n >= 3); /* teaching server, sftp drop box, shell host */
}

static void test_check_lists_every_problem(void **state)
{
	char *conf = install("tests/fixtures/policy/bad/many-errors.conf"), *out, *err, *want;
	const char *args[] = { "check", "--config", conf, NULL };
	(void)state;

	assert_int_equal(run(args, &out, &err), 1);
	assert_true(asprintf(&want,
			     "%1$s:6: profile 'a': unknown key 'colour'\n"
			     "%1$s:7: profile 'b': home.size: '1X' is not a size (a number with "
			     "an optional K, M, G or T)\n"
			     "%1$s:9: rule: unknown profile 'nope'\n",
			     conf) > 0);
	assert_string_equal(out, want);
	free(want);
	free(out);
	free(err);
	free(conf);
}

static void test_check_refuses_unsafe_file(void **state)
{
	char *conf = install("config/jail.conf"), *out, *err, *want;
	const char *args[] = { "check", "--config", conf, NULL };
	(void)state;

	assert_int_equal(chmod(conf, 0664), 0);
	assert_int_equal(run(args, &out, &err), 1);
	assert_true(asprintf(&want,
			     "%1$s: refused where it is: pam_jail would not read it: '%1$s' is "
			     "writable by group (mode 0664)\n"
			     "%1$s: content valid (1 file, 0 profiles, 0 rules), but refused "
			     "where it is (see above): policy files and every directory above "
			     "them must be owned by root and not writable by group or others\n",
			     conf) > 0);
	assert_string_equal(out, want);
	free(want);
	free(out);
	free(err);
	free(conf);
}

static void test_usage_errors(void **state)
{
	static const char *const bad[][4] = {
		{ "check", "extra", NULL },    { "check", "--bogus", NULL }, { "explain", NULL },
		{ "explain", "a", "b", NULL }, { "frobnicate", NULL },
	};
	char *out, *err;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(run((const char *const *)bad[i], &out, &err), 2);
		assert_non_null(strstr(err, "usage: jailctl"));
		free(out);
		free(err);
	}
	{
		const char *args[] = { "--help", NULL };
		assert_int_equal(run(args, &out, &err), 0);
		assert_non_null(strstr(out, "check"));
		assert_non_null(strstr(out, "explain"));
		free(out);
		free(err);
	}
	{
		const char *args[] = { "help", "check", NULL };
		assert_int_equal(run(args, &out, &err), 0);
		assert_non_null(strstr(out, "usage: jailctl check [--config PATH]"));
		free(out);
		free(err);
	}
}

static void explain(const char *conf, const char *user, int want_exit, const char *want_out,
		    const char *want_err)
{
	const char *args[] = { "explain", user, "--config", conf, NULL };
	char *out, *err;

	assert_int_equal(run(args, &out, &err), want_exit);
	if (want_out && !strstr(out, want_out))
		fail_msg("explain %s: '%s' not in:\n%s", user, want_out, out);
	if (want_err && !strstr(err, want_err))
		fail_msg("explain %s: '%s' not in stderr:\n%s", user, want_err, err);
	free(out);
	free(err);
}

static void test_explain(void **state)
{
	char *teach = install("config/examples/teaching-server.conf");
	char *shipped = install("config/jail.conf");
	(void)state;

	/* by supplementary group: dave's primary group is his own */
	explain(teach, "dave", 0, "verdict:   jailed with profile 'student'\n", NULL);
	explain(teach, "dave", 0, "hostname = \"lab-dave\";", NULL);
	/* "lab-%u" for names a hostname cannot hold: mapped, never refused */
	explain(teach, "john_doe", 0, "hostname = \"lab-john-doe\";", NULL);
	explain(teach, "alice@example.edu", 0, "hostname = \"lab-alice-example-edu\";", NULL);
	/* by no rule */
	explain(teach, "frank", 0, "verdict:   not jailed: no rule names the user", NULL);
	/* the shipped default jails nobody */
	explain(shipped, "alice", 0, "rule:      none matches\n", NULL);
	explain(shipped, "alice", 0, "verdict:   not jailed", NULL);
	/* unmatched = "deny": refused, and explain says which setting did it */
	{
		char *dropbox = install("config/examples/sftp-dropbox.conf");
		explain(dropbox, "frank", 0,
			"verdict:   refused: no rule names the user and unmatched = \"deny\"",
			NULL);
		explain(dropbox, "root", 0, "verdict:   not jailed: the rule exempts the user\n",
			NULL);
		free(dropbox);
	}
	/* unknown user: a clear error, exit 1 */
	explain(teach, "nosuchuser", 1, NULL, "unknown user 'nosuchuser'");
	free(teach);
	free(shipped);
}

/* The group database is unreachable: getgrouplist() still answers (with
 * what it could find), but the user must not come out "not jailed". */
static void test_group_lookup_failure_is_an_error(void **state)
{
	char *teach = install("config/examples/teaching-server.conf");
	(void)state;

	child_group_file = "/nonexistent/group";
	explain(teach, "dave", 1, NULL, "looking up group 'teachers'");
	child_group_file = NULL;
	/* and with the database back, the same user is jailed */
	explain(teach, "dave", 0, "verdict:   jailed with profile 'student'\n", NULL);
	free(teach);
}

static void test_explain_by_name(void **state)
{
	char *conf = install("tests/fixtures/policy/good/precedence.conf");
	(void)state;

	explain(conf, "alice", 0, "verdict:   jailed with profile 'by_user'\n", NULL);
	explain(conf, "alice", 0, "also matched, but lost:\n", NULL);
	explain(conf, "alice", 0, "a group rule ranks below a user rule\n", NULL);
	free(conf);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_default_is_valid),
		cmocka_unit_test(test_examples_are_valid),
		cmocka_unit_test(test_check_lists_every_problem),
		cmocka_unit_test(test_check_refuses_unsafe_file),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_explain_by_name),
		cmocka_unit_test(test_group_lookup_failure_is_an_error),
	};
	int r;

	(void)argc;
	test_nss_wrapper_reexec(argv);
	if (asprintf(&jailctl, "%s/jailctl", test_build_dir()) < 0)
		return 1;
	if (access(jailctl, X_OK) != 0) {
		fprintf(stderr, "%s not built\n", jailctl);
		return 1;
	}
	test_root = test_private_dir();
	if (!test_root)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	test_remove_tree(test_root);
	free(test_root);
	free(jailctl);
	return r;
}
