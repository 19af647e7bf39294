/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/jail_registry.c: both sides of the registry's formats in one place.
 * What the keeper writes into <key>/info is what the module and jailctl
 * read back; an entry is made and removed by the same code; a lock is named
 * only for a valid key; an entry holding a name no keeper makes, or an info
 * file not owned by root, is refused. Root-only cases skip without root
 * (info must be root's).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "jail_registry.h"

/* A private state dir (root 0700 when we are root) with its subdirs. */
static char *make_state(struct jail_state *st)
{
	char tmpl[] = "/tmp/pj-registry-XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct jail_error e = { 0 };

	assert_non_null(dir);
	dir = strdup(dir);
	assert_non_null(dir);
	assert_int_equal(jail_state_open(dir, true, st, &e), 0);
	return dir;
}

static void drop_state(struct jail_state *st, char *dir)
{
	char cmd[256];

	jail_state_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

static void test_info_round_trip(void **state)
{
	struct jail_state st = JAIL_STATE_INIT;
	struct jail_error e = { 0 };
	struct jail_info in = {
		.id = "0123456789abcdef0123456789abcdef",
		.key = "u1234",
		.user = "alice",
		.profile = "students",
		.lifetime = "keep",
		.uid = 1234,
		.init_pid = 4321,
		.keeper_pid = 4320,
		.init_start = 123456789012ULL,
		.keeper_start = 123456789000ULL,
		.created = 1765000000,
		.net4 = "10.213.0.2/24",
		.veth = "pj1a2b3c",
	};
	struct jail_info out;
	char *dir;
	int keydir;

	(void)state;
	if (geteuid() != 0)
		skip(); /* the state dir and info must be root's */
	dir = make_state(&st);
	keydir = jail_entry_create(st.jails_fd, in.key, &e);
	assert_true(keydir >= 0);
	assert_int_equal(jail_info_write(keydir, &in, &e), 0);
	/* written once: a second writer (a second keeper) is refused */
	assert_int_equal(jail_info_write(keydir, &in, &e), -EEXIST);
	assert_int_equal(jail_info_read(&st, in.key, &out, &e), 0);
	assert_string_equal(out.id, in.id);
	assert_string_equal(out.key, in.key);
	assert_string_equal(out.user, in.user);
	assert_string_equal(out.profile, in.profile);
	assert_string_equal(out.lifetime, in.lifetime);
	assert_int_equal(out.uid, in.uid);
	assert_int_equal(out.init_pid, in.init_pid);
	assert_int_equal(out.keeper_pid, in.keeper_pid);
	assert_true(out.init_start == in.init_start);
	assert_true(out.keeper_start == in.keeper_start);
	assert_true(out.created == in.created);
	assert_string_equal(out.net4, in.net4);
	assert_string_equal(out.veth, in.veth);

	/* a jail without a bridge: no network lines, read back as "" */
	close(keydir);
	assert_int_equal(jail_entry_remove(st.jails_fd, in.key, &e), 0);
	in.net4[0] = in.veth[0] = '\0';
	keydir = jail_entry_create(st.jails_fd, in.key, &e);
	assert_true(keydir >= 0);
	assert_int_equal(jail_info_write(keydir, &in, &e), 0);
	assert_int_equal(jail_info_read(&st, in.key, &out, &e), 0);
	assert_string_equal(out.net4, "");
	assert_string_equal(out.veth, "");
	assert_string_equal(out.user, "alice");
	close(keydir);
	drop_state(&st, dir);
}

static void test_info_refused(void **state)
{
	struct jail_state st = JAIL_STATE_INIT;
	struct jail_error e = { 0 };
	struct jail_info out;
	char *dir;
	int keydir, fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	dir = make_state(&st);
	keydir = jail_entry_create(st.jails_fd, "u7", &e);
	assert_true(keydir >= 0);
	/* a number that is not one */
	fd = openat(keydir, JAIL_STATE_INFO, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "id=x\ninit=12x\n", 14), 14);
	assert_int_equal(jail_info_read(&st, "u7", &out, &e), -EINVAL);
	assert_non_null(strstr(e.message, "init"));
	/* not root's: anyone who could write it could name a PID to kill */
	assert_int_equal(fchown(fd, 1, 0), 0);
	close(fd);
	assert_int_equal(jail_info_read(&st, "u7", &out, &e), -EPERM);
	/* a key that is not one is refused before any file is opened */
	assert_int_equal(jail_info_read(&st, "../x", &out, &e), -EINVAL);
	close(keydir);
	drop_state(&st, dir);
}

static void test_entry(void **state)
{
	struct jail_state st = JAIL_STATE_INIT;
	struct jail_error e = { 0 };
	struct sockaddr_un sa;
	char **keys = NULL;
	char *dir;
	int keydir, lsock, fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	dir = make_state(&st);
	keydir = jail_entry_create(st.jails_fd, "u9-s0123456789abcdef", &e);
	assert_true(keydir >= 0);
	/* one entry per key: a second keeper of the key is refused */
	assert_int_equal(jail_entry_create(st.jails_fd, "u9-s0123456789abcdef", &e), -EEXIST);
	assert_int_equal(jail_entry_create(st.jails_fd, "x/../u9", &e), -EINVAL);
	lsock = jail_entry_listen(keydir, &e);
	assert_true(lsock >= 0);
	assert_int_equal(jail_entry_control_addr(keydir, &sa), 0);
	assert_non_null(strstr(sa.sun_path, "/" JAIL_STATE_CONTROL));
	assert_int_equal(jail_list_keys(&st, &keys, &e), 0);
	assert_non_null(keys[0]);
	assert_string_equal(keys[0], "u9-s0123456789abcdef");
	assert_null(keys[1]);
	jail_strv_free(keys);

	/* a name no keeper makes: the entry is not removed */
	fd = openat(keydir, "stray", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_true(jail_entry_remove(st.jails_fd, "u9-s0123456789abcdef", &e) < 0);
	assert_int_equal(faccessat(st.jails_fd, "u9-s0123456789abcdef", F_OK, 0), 0);
	assert_int_equal(unlinkat(keydir, "stray", 0), 0);
	/* control (and info, were there one) go, then the directory */
	assert_int_equal(jail_entry_remove(st.jails_fd, "u9-s0123456789abcdef", &e), 0);
	assert_int_equal(faccessat(st.jails_fd, "u9-s0123456789abcdef", F_OK, 0), -1);
	/* no entry is not an error */
	assert_int_equal(jail_entry_remove(st.jails_fd, "u9-s0123456789abcdef", &e), 0);
	close(lsock);
	close(keydir);
	drop_state(&st, dir);
}

static void test_lock_name(void **state)
{
	char name[JAIL_LOCK_NAME_MAX];

	(void)state;
	assert_int_equal(jail_lock_name("u1000", name), 0);
	assert_string_equal(name, "u1000.lock");
	assert_int_equal(jail_lock_name("u1000-s0123456789abcdef", name), 0);
	assert_string_equal(name, "u1000-s0123456789abcdef.lock");
	assert_int_equal(jail_lock_name("", name), -EINVAL);
	assert_int_equal(jail_lock_name("../u1", name), -EINVAL);
	assert_int_equal(jail_lock_name("u1/x", name), -EINVAL);
	assert_int_equal(jail_lock_name("1000", name), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_round_trip),
		cmocka_unit_test(test_info_refused),
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_lock_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
