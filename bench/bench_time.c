/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_time: run several commands interleaved (A B C A B C ...) and print
 * the wall time of each run, so that drift of a shared machine (other
 * jobs, CPU frequency, page cache) hits every case alike.
 *
 *   bench_time -n ROUNDS [-w WARMUP] SPECFILE
 *
 * SPECFILE: one case a line, fields separated by TABs:
 *   NAME  [exe:PATH]  ARGV0  ARG1 ...
 * "exe:PATH" (optional): after each timed run, wait (untimed, 10 s at
 * most) until every process running the program PATH that the run started
 * has exited, and print how long that took. For pam_jail, PATH is its
 * jail-init (the keeper and the jail's PID 1): the next cold run must
 * build a new jail, and the wait is the teardown that happens off the
 * login's path (the kernel frees the network namespace later still).
 *
 * Output (stdout), one line a run:  NAME ROUND MS STATUS [GONE_MS]
 * The start case rotates each round, so no case always runs right after
 * the same other one. Children get /dev/null as stdin/stdout/stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CASES 32
#define MAX_ARGS  64

struct bench_case {
	char *name;
	char *exe; /* NULL: nothing to wait for */
	char *argv[MAX_ARGS + 1];
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int parse_spec(const char *path, struct bench_case *cases)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	int n = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		char *save = NULL, *tok;
		int argc = 0;
		struct bench_case *c;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (n == MAX_CASES) {
			fprintf(stderr, "bench_time: more than %d cases\n", MAX_CASES);
			return -1;
		}
		c = &cases[n];
		memset(c, 0, sizeof(*c));
		for (tok = strtok_r(line, "\t", &save); tok; tok = strtok_r(NULL, "\t", &save)) {
			char *dup = strdup(tok);
			if (!dup)
				return -1;
			if (!c->name)
				c->name = dup;
			else if (argc == 0 && !c->exe && strncmp(dup, "exe:", 4) == 0)
				c->exe = dup + 4;
			else if (argc < MAX_ARGS)
				c->argv[argc++] = dup;
			else {
				fprintf(stderr, "bench_time: %s: too many arguments\n", c->name);
				return -1;
			}
		}
		if (!c->name || argc == 0) {
			fprintf(stderr, "bench_time: a case needs a name and a command\n");
			return -1;
		}
		n++;
	}
	free(line);
	fclose(f);
	return n;
}

/* Run one case; returns its exit status (128+signal), or -1. */
static int run_once(const struct bench_case *c, double *ms)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, r;
	double t0;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	t0 = now_ms();
	r = posix_spawnp(&pid, c->argv[0], &fa, NULL, c->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		fprintf(stderr, "bench_time: %s: %s\n", c->argv[0], strerror(r));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	*ms = now_ms() - t0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Is PID (still) running the program EXE? Zombies have no exe link: a
 * process that has exited counts as gone even before it is reaped (PID 1
 * reaps orphans late here). */
static bool runs_exe(pid_t pid, const char *exe)
{
	char link[64], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, exe) == 0;
}

/* PIDs of every process running EXE now. */
static size_t scan_exe(const char *exe, pid_t *out, size_t cap)
{
	DIR *dir = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	if (!dir)
		return 0;
	while ((e = readdir(dir)) && n < cap) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end == '\0' && pid > 0 && runs_exe((pid_t)pid, exe))
			out[n++] = (pid_t)pid;
	}
	closedir(dir);
	return n;
}

static bool in_set(pid_t p, const pid_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == p)
			return true;
	return false;
}

#define MAX_PIDS 8192

/* Poll (1 ms) until the processes running EXE that are not in BEFORE have
 * all exited; milliseconds waited, or -1 on timeout. */
static double wait_exe_gone(const char *exe, const pid_t *before, size_t n_before)
{
	static pid_t now[MAX_PIDS], fresh[MAX_PIDS];
	double t0 = now_ms();
	size_t n_now = scan_exe(exe, now, MAX_PIDS), n_fresh = 0;
	const struct timespec tick = { 0, 1000000 };

	for (size_t i = 0; i < n_now; i++)
		if (!in_set(now[i], before, n_before))
			fresh[n_fresh++] = now[i];
	for (size_t i = 0; i < n_fresh; i++) {
		while (runs_exe(fresh[i], exe)) {
			if (now_ms() - t0 > 10000)
				return -1;
			nanosleep(&tick, NULL);
		}
	}
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	static struct bench_case cases[MAX_CASES];
	int rounds = 0, warmup = 1, opt, n;

	while ((opt = getopt(argc, argv, "n:w:")) != -1) {
		if (opt == 'n')
			rounds = atoi(optarg);
		else if (opt == 'w')
			warmup = atoi(optarg);
		else
			return 2;
	}
	if (rounds < 1 || warmup < 0 || optind != argc - 1) {
		fprintf(stderr, "usage: bench_time -n ROUNDS [-w WARMUP] SPECFILE\n");
		return 2;
	}
	n = parse_spec(argv[optind], cases);
	if (n <= 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Warm-up rounds fill caches (binaries, libraries, NSS) and are not
	 * printed. */
	for (int r = -warmup; r < rounds; r++) {
		for (int k = 0; k < n; k++) {
			const struct bench_case *c = &cases[(k + (r < 0 ? 0 : r)) % n];
			static pid_t before[MAX_PIDS];
			size_t n_before = c->exe ? scan_exe(c->exe, before, MAX_PIDS) : 0;
			double ms = 0, gone_ms = 0;
			int st = run_once(c, &ms);

			if (c->exe)
				gone_ms = wait_exe_gone(c->exe, before, n_before);
			if (r < 0)
				continue;
			if (c->exe)
				printf("%s %d %.4f %d %.3f\n", c->name, r, ms, st, gone_ms);
			else
				printf("%s %d %.4f %d\n", c->name, r, ms, st);
		}
	}
	return 0;
}
