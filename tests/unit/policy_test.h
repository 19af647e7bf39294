/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the policy unit tests: where the sources and the build are,
 * private copies of fixtures (the loader insists on safe ownership and
 * modes, which a checkout does not guarantee: umask 002 makes files group
 * writable), and a test NSS database through nss_wrapper so group
 * membership is tested without real users.
 */
#ifndef PAM_JAIL_TEST_POLICY_H
#define PAM_JAIL_TEST_POLICY_H

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safepath.h"

static inline const char *test_src_dir(void)
{
	const char *s = getenv("SRC");
	return s && *s ? s : ".";
}

static inline const char *test_build_dir(void)
{
	const char *s = getenv("BUILD");
	return s && *s ? s : "build";
}

/* An absolute path: the loader wants clean absolute paths. */
static inline char *test_abspath(const char *p)
{
	char cwd[PATH_MAX], *out = NULL;

	if (p[0] == '/')
		return strdup(p);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	if (strcmp(p, ".") == 0)
		return strdup(cwd);
	if (asprintf(&out, "%s/%s", cwd, p) < 0)
		return NULL;
	return out;
}

/* Where test_private_dir() makes its directories: set by main() to one
 * directory it removes at the end, so a failed test (cmocka longjmps out
 * of it) leaves nothing behind. */
static char *test_root;

/* A directory the loader would trust (every component from / owned by
 * root or us, none writable by group or others) to make test directories
 * in: $BUILD, else $HOME, else the runtime directory. Not /tmp: a sticky
 * world-writable parent is exactly what the loader refuses. A checkout
 * made with umask 002 has a group-writable $BUILD; then $HOME serves.
 * Exits 77 (skip) if there is none: the tests cannot run here. */
static inline char *test_safe_base(void)
{
	char runtime[64];
	const char *candidates[4];
	size_t n = 0;

	candidates[n++] = test_build_dir();
	if (getenv("HOME"))
		candidates[n++] = getenv("HOME");
	if (getenv("XDG_RUNTIME_DIR"))
		candidates[n++] = getenv("XDG_RUNTIME_DIR");
	snprintf(runtime, sizeof(runtime), "/run/user/%u", (unsigned)getuid());
	candidates[n++] = runtime;
	for (size_t i = 0; i < n; i++) {
		struct jail_error err = { 0 };
		char *abs = test_abspath(candidates[i]);
		int fd;

		if (!abs)
			continue;
		fd = jail_safe_open(abs, O_PATH, JAIL_SAFE_TRUSTED | JAIL_SAFE_DIRECTORY, getuid(),
				    NULL, &err);
		if (fd >= 0 && access(abs, W_OK) == 0) {
			close(fd);
			return abs;
		}
		if (fd >= 0)
			close(fd);
		fprintf(stderr, "not a safe place for test files: %s (%s)\n", abs,
			fd < 0 ? err.message : "not writable");
		free(abs);
	}
	printf("skip: no directory the policy loader would trust to hold test files\n");
	exit(77);
}

/* A fresh 0755 directory under test_root, or else under test_safe_base(). */
static inline char *test_private_dir(void)
{
	char *base = test_root ? test_abspath(test_root) : test_safe_base(), *tmpl = NULL;

	if (!base)
		return NULL;
	if (asprintf(&tmpl, "%s/policy-test-XXXXXX", base) < 0) {
		free(base);
		return NULL;
	}
	free(base);
	if (!mkdtemp(tmpl) || chmod(tmpl, 0755) < 0) {
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

static inline int test_copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	/* fchmod, not the umask's idea of the mode */
	if (n < 0 || fchmod(out, mode) < 0) {
		close(in);
		close(out);
		return -1;
	}
	close(in);
	return close(out);
}

/* Copy a fixture (a file -> dir/jail.conf; a directory -> its tree) with
 * directories 0755 and files 0644. */
static inline int test_copy_tree(const char *from, const char *to)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (stat(from, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return test_copy_file(from, to, 0644);
	if (mkdir(to, 0755) < 0 && errno != EEXIST)
		return -1;
	if (chmod(to, 0755) < 0)
		return -1;
	d = opendir(from);
	if (!d)
		return -1;
	while (r == 0 && (de = readdir(d))) {
		char *a = NULL, *b = NULL;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&a, "%s/%s", from, de->d_name) < 0 ||
		    asprintf(&b, "%s/%s", to, de->d_name) < 0)
			r = -1;
		else
			r = test_copy_tree(a, b);
		free(a);
		free(b);
	}
	closedir(d);
	return r;
}

static inline int test_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static inline void test_remove_tree(const char *path)
{
	if (path)
		nftw(path, test_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Re-run this test binary with nss_wrapper preloaded and pointed at
 * tests/fixtures/nss/{passwd,group}. Under ASan the sanitizer runtime must
 * stay first in the library list, so it is put first in LD_PRELOAD.
 * Returns only if already wrapped; exits 77 (skip) if nss_wrapper is missing.
 */
static inline void test_nss_wrapper_reexec(char **argv)
{
	char *passwd = NULL, *group = NULL, *preload = NULL;
	char asan[PATH_MAX] = "";
	char line[PATH_MAX + 256];
	const char *nsswrap = NULL;
	static const char *const candidates[] = {
		"/usr/lib/x86_64-linux-gnu/libnss_wrapper.so",
		"/usr/lib/aarch64-linux-gnu/libnss_wrapper.so",
		"/usr/lib64/libnss_wrapper.so",
		"/usr/lib/libnss_wrapper.so",
	};
	FILE *maps;

	if (getenv("PAM_JAIL_TEST_NSS_WRAPPED"))
		return;
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (access(candidates[i], R_OK) == 0) {
			nsswrap = candidates[i];
			break;
		}
	if (!nsswrap) {
		printf("skip: nss_wrapper (libnss-wrapper) is not installed\n");
		exit(77);
	}
	maps = fopen("/proc/self/maps", "re");
	while (maps && fgets(line, sizeof(line), maps)) {
		char *p = strchr(line, '/');
		if (p && strstr(p, "/libasan.so")) {
			p[strcspn(p, "\n")] = '\0';
			snprintf(asan, sizeof(asan), "%s", p);
			break;
		}
	}
	if (maps)
		fclose(maps);
	if (asprintf(&passwd, "%s/tests/fixtures/nss/passwd", test_src_dir()) < 0 ||
	    asprintf(&group, "%s/tests/fixtures/nss/group", test_src_dir()) < 0 ||
	    asprintf(&preload, "%s%s%s", asan, asan[0] ? ":" : "", nsswrap) < 0) {
		perror("asprintf");
		exit(1);
	}
	setenv("NSS_WRAPPER_PASSWD", passwd, 1);
	setenv("NSS_WRAPPER_GROUP", group, 1);
	setenv("LD_PRELOAD", preload, 1);
	setenv("PAM_JAIL_TEST_NSS_WRAPPED", "1", 1);
	execv("/proc/self/exe", argv);
	perror("re-exec with nss_wrapper");
	exit(1);
}

/* libconfig 1.5 leaks the token it is scanning when a syntax error follows
 * (an upstream bug, see tests/fuzz/fuzz_policy_load.c); bad fixtures have
 * syntax errors on purpose. Only the scanner's frames are suppressed. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

#endif
