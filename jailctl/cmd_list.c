/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jailctl list: the running jails, one line each. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "jailctl.h"
#include "msg.h"
#include "proc_text.h"

/* Processes of a jail and their memory, seen from the host: every process
 * whose PID namespace is the jail init's. Memory is the sum of their Pss
 * (proportional set size), so libraries shared with the host count once. */
struct jail_usage {
	unsigned processes;
	uint64_t pss_kib;
};

static int read_pss_kib(long pid, uint64_t *ret)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/smaps_rollup", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long kib;
		if (sscanf(line, "Pss: %llu kB", &kib) == 1) {
			*ret = kib;
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -ENOENT;
}

static int jail_usage_of(const struct jail_info *info, struct jail_usage *ret)
{
	char path[64];
	struct stat ns, other;
	uint64_t start;
	struct dirent *de;
	DIR *d;

	memset(ret, 0, sizeof(*ret));
	/* The init PID must still be the process the keeper recorded. */
	if (jail_proc_start_time(info->init_pid, &start) < 0 || start != info->init_start)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)info->init_pid);
	if (stat(path, &ns) < 0)
		return -errno;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		uint64_t kib = 0;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (pid <= 0 || *end)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/pid", pid);
		if (stat(path, &other) < 0 || other.st_ino != ns.st_ino ||
		    other.st_dev != ns.st_dev)
			continue;
		ret->processes++;
		if (read_pss_kib(pid, &kib) == 0)
			ret->pss_kib += kib;
	}
	closedir(d);
	return 0;
}

static void format_age(int64_t secs, char *buf, size_t cap)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		snprintf(buf, cap, "%" PRId64 "s", secs);
	else if (secs < 7200)
		snprintf(buf, cap, "%" PRId64 "m", secs / 60);
	else if (secs < 172800)
		snprintf(buf, cap, "%" PRId64 "h", secs / 3600);
	else
		snprintf(buf, cap, "%" PRId64 "d", secs / 86400);
}

static void list_one(const struct jail_state *st, const char *key)
{
	struct jail_error err = { 0 };
	struct jail_info info;
	struct jail_usage use;
	char reply[JAIL_MSG_MAX], sessions[16] = "stale", age[32], mem[32] = "-", procs[16] = "-";
	_cleanup_close_ int sock = -1;

	if (jail_info_read(st, key, &info, &err) < 0) {
		printf("%-16s %-14s %8s %8s %6s %9s %6s %s (%s)\n", "?", "?", "broken", "-", "-",
		       "-", "-", key, err.message);
		return;
	}
	sock = jail_connect(st, key, NULL);
	if (sock >= 0 && jail_status(sock, reply, sizeof(reply), NULL) == 0)
		jail_msg_get(reply, "sessions", sessions, sizeof(sessions));
	if (jail_usage_of(&info, &use) == 0) {
		snprintf(procs, sizeof(procs), "%u", use.processes);
		snprintf(mem, sizeof(mem), "%.1fM", (double)use.pss_kib / 1024.0);
	}
	format_age((int64_t)time(NULL) - info.created, age, sizeof(age));
	printf("%-16s %-14s %8s %8d %6s %9s %6s %s\n", info.user, info.profile, sessions,
	       (int)info.init_pid, age, mem, procs, key);
}

static int run_list(int argc, char **argv)
{
	struct jail_state st = JAIL_STATE_INIT;
	struct jail_error err = { 0 };
	char **keys = NULL;
	struct jailctl_options o = { .verb = &jailctl_verb_list };
	int r;

	r = jailctl_options_parse(&o, argc, argv);
	if (r >= 0)
		return r;
	if (optind != argc)
		return jailctl_usage_error(&jailctl_verb_list, "no arguments expected");

	printf("%-16s %-14s %8s %8s %6s %9s %6s %s\n", "USER", "PROFILE", "SESSIONS", "INIT", "AGE",
	       "MEMORY", "PROCS", "KEY");
	r = jailctl_open_registry(o.statedir, &st);
	if (r == -ENOENT)
		return JAILCTL_EXIT_OK;
	if (r < 0)
		return JAILCTL_EXIT_FAIL;
	r = jail_list_keys(&st, &keys, &err);
	if (r < 0) {
		fprintf(stderr, "jailctl list: %s\n", err.message);
		jail_state_close(&st);
		return JAILCTL_EXIT_FAIL;
	}
	for (char **k = keys; *k; k++)
		list_one(&st, *k);
	jail_strv_free(keys);
	jail_state_close(&st);
	return JAILCTL_EXIT_OK;
}

const struct jailctl_verb jailctl_verb_list = {
	.name = "list",
	.synopsis = "[--statedir DIR]",
	.summary = "the running jails, one line each",
	.help = "Lists every jail in the registry (" JAIL_STATE_DIR "), one line each:\n"
		"the user, the profile, the number of sessions (\"stale\" when the jail's\n"
		"keeper no longer answers: the next login of that user or `jailctl stop`\n"
		"cleans the entry up), the PID of the jail's init in the host's PID\n"
		"namespace, the jail's age, the memory its processes use (sum of Pss), the\n"
		"number of processes and the registry key. Root only.\n"
		"  --statedir DIR   read this registry instead (the module's statedir=)\n",
	.options = JAILCTL_OPT_STATEDIR,
	.run = run_list,
};
