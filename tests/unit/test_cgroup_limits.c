/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/cgroup_limits: does a cgroup v2 group already hold a profile's
 * limits? A directory of plain files stands in for the group. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_limits.h"

struct group {
	char path[64];
	int fd;
};

static void put(struct group *g, const char *name, const char *text)
{
	int fd = openat(g->fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int setup(void **state)
{
	struct group *g = calloc(1, sizeof(*g));

	snprintf(g->path, sizeof(g->path), "/tmp/pj-cglim.XXXXXX");
	assert_non_null(mkdtemp(g->path));
	g->fd = open(g->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(g->fd >= 0);
	/* as systemd leaves a slice with MemoryMax=64M MemorySwapMax=0
	 * TasksMax=40 CPUQuotaPerSecUSec=500ms */
	put(g, "memory.max", "67108864\n");
	put(g, "memory.swap.max", "0\n");
	put(g, "pids.max", "40\n");
	put(g, "cpu.max", "50000 100000\n");
	*state = g;
	return 0;
}

static int teardown(void **state)
{
	struct group *g = *state;
	const char *files[] = { "memory.max", "memory.swap.max", "pids.max", "cpu.max" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlinkat(g->fd, files[i], 0);
	close(g->fd);
	rmdir(g->path);
	free(g);
	return 0;
}

static const struct jail_limits want = {
	.memory_bytes = 64 << 20, .swap_bytes = 0, .pids = 40, .cpu_percent = 50
};

static void test_hold(void **state)
{
	struct group *g = *state;
	struct jail_limits only_pids = { .pids = 40, .swap_bytes = UINT64_MAX };

	assert_true(jail_cgroup_v2_limits_hold(g->fd, &want));
	/* a limit the profile does not set is neither read nor required */
	put(g, "memory.max", "max\n");
	assert_true(jail_cgroup_v2_limits_hold(g->fd, &only_pids));
}

/* Every difference means "set them again": an admin who loosened one (or
 * a slice that was made anew) gets the profile's value back. */
static void test_differs(void **state)
{
	struct group *g = *state;
	struct jail_limits l = want;

	put(g, "pids.max", "max\n");
	assert_false(jail_cgroup_v2_limits_hold(g->fd, &want));
	put(g, "pids.max", "41\n");
	assert_false(jail_cgroup_v2_limits_hold(g->fd, &want));
	put(g, "pids.max", "40\n");
	put(g, "memory.max", "max\n");
	assert_false(jail_cgroup_v2_limits_hold(g->fd, &want));
	put(g, "memory.max", "67108864\n");
	put(g, "memory.swap.max", "max\n");
	assert_false(jail_cgroup_v2_limits_hold(g->fd, &want));
	l.swap_bytes = UINT64_MAX; /* "no swap limit" is "max" */
	assert_true(jail_cgroup_v2_limits_hold(g->fd, &l));
	put(g, "memory.swap.max", "0\n");
	put(g, "cpu.max", "max 100000\n");
	assert_false(jail_cgroup_v2_limits_hold(g->fd, &want));
	put(g, "cpu.max", "60000 100000\n");
	assert_false(jail_cgroup_v2_limits_hold(g->fd, &want));
	/* another period, the same share: it holds */
	put(g, "cpu.max", "25000 50000\n");
	assert_true(jail_cgroup_v2_limits_hold(g->fd, &want));
	/* garbage is not a match */
	put(g, "pids.max", "40x\n");
	assert_false(jail_cgroup_v2_limits_hold(g->fd, &want));
	put(g, "pids.max", "\n");
	assert_false(jail_cgroup_v2_limits_hold(g->fd, &want));
}

/* The kernel keeps byte limits in whole pages. */
static void test_page_rounding(void **state)
{
	struct group *g = *state;
	struct jail_limits l = want;
	long page = sysconf(_SC_PAGESIZE);
	char buf[32];

	l.memory_bytes = 1000000;
	snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)(1000000 - 1000000 % page));
	put(g, "memory.max", buf);
	assert_true(jail_cgroup_v2_limits_hold(g->fd, &l));
	put(g, "memory.max", "1000000\n");
	assert_false(jail_cgroup_v2_limits_hold(g->fd, &l));
}

/* A missing file (a controller not enabled there) or no group: set them. */
static void test_missing(void **state)
{
	struct group *g = *state;
	struct jail_limits none = { .swap_bytes = UINT64_MAX };

	assert_false(jail_cgroup_v2_limits_hold(-1, &want));
	assert_false(jail_cgroup_v2_limits_hold(g->fd, &none));
	unlinkat(g->fd, "pids.max", 0);
	assert_false(jail_cgroup_v2_limits_hold(g->fd, &want));
	put(g, "pids.max", "40\n");
	/* no memory.swap.max: no swap accounting, nothing to compare */
	unlinkat(g->fd, "memory.swap.max", 0);
	assert_true(jail_cgroup_v2_limits_hold(g->fd, &want));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_differs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_rounding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
