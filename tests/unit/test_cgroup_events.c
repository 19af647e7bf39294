/* SPDX-License-Identifier: GPL-2.0-or-later */
/* init/host/cgroup_events without root: the v2 layout's files stood in for by
 * plain files in a temporary directory (what is counted as new, what
 * pollfds and timer a layout needs, errors that leave nothing open). The
 * kernel's notifications are tested as root in tests/root/limits_live_log.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>

#include "cgroup_events.h"

struct tmp {
	char path[64];
	int dir;
};

static void put(const struct tmp *t, const char *name, const char *text)
{
	int fd = openat(t->dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	snprintf(t->path, sizeof(t->path), "/tmp/pj-cgev.XXXXXX");
	assert_non_null(mkdtemp(t->path));
	t->dir = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->dir >= 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;

	unlinkat(t->dir, "pids.events", 0);
	unlinkat(t->dir, "memory.events", 0);
	close(t->dir);
	rmdir(t->path);
	free(t);
	return 0;
}

static void test_v2_counts_only_new_events(void **state)
{
	struct tmp *t = *state;
	struct jail_cg_watch w;
	struct jail_error e = { 0 };
	struct pollfd pfds[JAIL_CG_WATCH_MAX_FDS];
	uint64_t fresh[JAIL_CG_EVENT_N];

	put(t, "pids.events", "max 7\n");
	put(t, "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
	assert_int_equal(jail_cg_watch_open(&w, true, t->dir, t->dir, &e), 0);
	/* both files are waited on for POLLPRI, no timer is needed */
	assert_int_equal(jail_cg_watch_pollfds(&w, pfds), 2);
	assert_int_equal(pfds[0].events, POLLPRI);
	assert_int_equal(pfds[1].events, POLLPRI);
	assert_int_equal(jail_cg_watch_timer_ms(&w), 0);

	/* what was there at open is not new */
	assert_int_equal(jail_cg_watch_read(&w, fresh, &e), 0);
	for (int i = 0; i < JAIL_CG_EVENT_N; i++)
		assert_int_equal(fresh[i], 0);

	put(t, "pids.events", "max 12\n");
	put(t, "memory.events", "low 0\nhigh 0\nmax 10\noom 2\noom_kill 3\n");
	assert_int_equal(jail_cg_watch_read(&w, fresh, &e), 0);
	assert_int_equal(fresh[JAIL_CG_EVENT_PIDS_MAX], 5);
	assert_int_equal(fresh[JAIL_CG_EVENT_MEMORY_MAX], 7);
	assert_int_equal(fresh[JAIL_CG_EVENT_OOM_KILL], 2);
	/* read again, nothing changed: nothing new */
	assert_int_equal(jail_cg_watch_read(&w, fresh, &e), 0);
	assert_int_equal(fresh[JAIL_CG_EVENT_PIDS_MAX], 0);
	/* a counter that went down (a different file?) is no event */
	put(t, "pids.events", "max 2\n");
	assert_int_equal(jail_cg_watch_read(&w, fresh, &e), 0);
	assert_int_equal(fresh[JAIL_CG_EVENT_PIDS_MAX], 0);
	put(t, "pids.events", "max 3\n");
	assert_int_equal(jail_cg_watch_read(&w, fresh, &e), 0);
	assert_int_equal(fresh[JAIL_CG_EVENT_PIDS_MAX], 1);
	jail_cg_watch_close(&w);
	assert_int_equal(w.pids_events_fd, -1);
	assert_int_equal(w.memory_events_fd, -1);
	jail_cg_watch_close(&w); /* twice is harmless */
}

static void test_pids_only(void **state)
{
	struct tmp *t = *state;
	struct jail_cg_watch w;
	struct pollfd pfds[JAIL_CG_WATCH_MAX_FDS];
	uint64_t fresh[JAIL_CG_EVENT_N];

	put(t, "pids.events", "max 0\n");
	assert_int_equal(jail_cg_watch_open(&w, true, t->dir, -1, NULL), 0);
	assert_int_equal(jail_cg_watch_pollfds(&w, pfds), 1);
	assert_int_equal(jail_cg_watch_read(&w, fresh, NULL), 0);
	jail_cg_watch_close(&w);
	/* v1 pids.events is never notified: no pollfd, a timer instead */
	assert_int_equal(jail_cg_watch_open(&w, false, t->dir, -1, NULL), 0);
	assert_int_equal(jail_cg_watch_pollfds(&w, pfds), 0);
	assert_int_equal(jail_cg_watch_timer_ms(&w), JAIL_CG_WATCH_TIMER_MS);
	jail_cg_watch_close(&w);
}

static void test_missing_file_fails_closed(void **state)
{
	struct tmp *t = *state;
	struct jail_cg_watch w;
	struct jail_error e = { 0 };

	put(t, "pids.events", "max 0\n");
	unlinkat(t->dir, "memory.events", 0);
	assert_true(jail_cg_watch_open(&w, true, t->dir, t->dir, &e) < 0);
	assert_non_null(strstr(e.message, "memory.events"));
	assert_int_equal(w.pids_events_fd, -1); /* nothing left open */
	/* a symlink is not followed */
	assert_int_equal(symlinkat("pids.events", t->dir, "memory.events"), 0);
	assert_true(jail_cg_watch_open(&w, true, t->dir, t->dir, &e) < 0);
	assert_int_equal(w.pids_events_fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v2_counts_only_new_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pids_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file_fails_closed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
