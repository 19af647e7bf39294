/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailctl metrics: the Prometheus text exposition (format 0.0.4) of what
 * an admin watches: running jails and sessions per profile, each jail's
 * memory and processes against its limits and what the limits did (from
 * its cgroup), and the counters since boot (lib/jail_stats.h): refused
 * sessions by reason, the last refusal, the limit events of ended jails.
 *
 * Written to stdout, or with --output FILE to a new file in FILE's
 * directory renamed over FILE, so that a node exporter reading a textfile
 * directory never sees half of it. Nothing is written when the registry or
 * the counters cannot be read: a stale file (node_textfile_mtime_seconds)
 * is the signal, never a page of zeros.
 */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail_stats.h"
#include "jailctl.h"
#include "metrics.h"
#include "msg.h"
#include "policy_listing.h"

/* A label value as the exposition format wants it: \, " and newline
 * escaped (user names may hold anything NSS allows). */
static void put_label(FILE *out, const char *name, const char *value)
{
	fprintf(out, "%s=\"", name);
	for (const char *p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void put_help(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* What one running jail contributes. */
struct jail_row {
	struct jail_info info;
	bool answers; /* its keeper answered STATUS (else: stale) */
	unsigned sessions;
	bool usage;
	struct jailctl_cg_usage cg;
};

struct profile_row {
	char *name;
	unsigned jails, sessions;
};

struct metrics {
	struct jail_row *jails;
	size_t n_jails;
	struct profile_row *profiles;
	size_t n_profiles;
	struct jail_stats stats;
};

static struct profile_row *profile_row(struct metrics *m, const char *name)
{
	struct profile_row *np;

	for (size_t i = 0; i < m->n_profiles; i++)
		if (strcmp(m->profiles[i].name, name) == 0)
			return &m->profiles[i];
	np = realloc(m->profiles, (m->n_profiles + 1) * sizeof(*np));
	if (!np)
		return NULL;
	m->profiles = np;
	np = &m->profiles[m->n_profiles];
	memset(np, 0, sizeof(*np));
	np->name = strdup(name);
	if (!np->name)
		return NULL;
	m->n_profiles++;
	return np;
}

static void metrics_free(struct metrics *m)
{
	for (size_t i = 0; i < m->n_profiles; i++)
		free(m->profiles[i].name);
	free(m->profiles);
	free(m->jails);
}

/* Every profile of the policy, so an alert on a profile sees 0 rather than
 * nothing; a policy that does not load only loses those zeros. */
static int add_policy_profiles(struct metrics *m, const char *config)
{
	struct jailctl_policy_source src;
	struct jail_config *c = NULL;
	char **names = NULL;
	FILE *devnull;
	int r = 0;

	if (jailctl_policy_source(config, &src) < 0)
		return 0;
	devnull = fopen("/dev/null", "we");
	if (devnull && jailctl_load_policy(&src, devnull, &c) == 0 &&
	    jail_config_profile_names(c, &names) >= 0)
		for (char **n = names; *n && r == 0; n++)
			if (!profile_row(m, *n))
				r = -ENOMEM;
	jail_strv_free(names);
	jail_config_free(c);
	if (devnull)
		fclose(devnull);
	jailctl_policy_source_clear(&src);
	return r;
}

static int collect_jail(struct metrics *m, const struct jail_state *st, const char *key)
{
	char reply[JAIL_MSG_MAX], sessions[16];
	struct jail_row *row, *nj;
	struct profile_row *prof;
	_cleanup_close_ int sock = -1;

	nj = realloc(m->jails, (m->n_jails + 1) * sizeof(*nj));
	if (!nj)
		return -ENOMEM;
	m->jails = nj;
	row = &m->jails[m->n_jails];
	memset(row, 0, sizeof(*row));
	/* An entry being made or removed right now: not a jail yet, or no more. */
	if (jail_info_read(st, key, &row->info, NULL) < 0)
		return 0;
	sock = jail_connect(st, key, NULL);
	if (sock >= 0 && jail_status(sock, reply, sizeof(reply), NULL) == 0 &&
	    jail_msg_get(reply, "sessions", sessions, sizeof(sessions)) == 0) {
		row->answers = true;
		row->sessions = (unsigned)strtoul(sessions, NULL, 10);
	}
	row->usage = jailctl_jail_cgroup_usage(&row->info, &row->cg) == 0;
	m->n_jails++;
	if (!row->answers)
		return 0;
	prof = profile_row(m, row->info.profile);
	if (!prof)
		return -ENOMEM;
	prof->jails++;
	prof->sessions += row->sessions;
	return 0;
}

static void jail_labels(FILE *out, const struct jail_row *j)
{
	put_label(out, "user", j->info.user);
	fputc(',', out);
	put_label(out, "profile", j->info.profile);
	fputc(',', out);
	put_label(out, "key", j->info.key);
}

/* One per-jail gauge over the jails whose cgroup told it. */
static void put_jail_gauge(FILE *out, const struct metrics *m, const char *name, const char *help,
			   bool (*value)(const struct jail_row *, uint64_t *))
{
	put_help(out, name, "gauge", help);
	for (size_t i = 0; i < m->n_jails; i++) {
		uint64_t v;

		if (!m->jails[i].usage || !value(&m->jails[i], &v))
			continue;
		fprintf(out, "%s{", name);
		jail_labels(out, &m->jails[i]);
		fprintf(out, "} %" PRIu64 "\n", v);
	}
}

static bool memory_bytes(const struct jail_row *j, uint64_t *v)
{
	*v = j->cg.memory_bytes;
	return j->cg.memory;
}

static bool memory_limit(const struct jail_row *j, uint64_t *v)
{
	*v = j->cg.memory_limit;
	return j->cg.memory && *v != JAILCTL_NO_LIMIT;
}

static bool pids_current(const struct jail_row *j, uint64_t *v)
{
	*v = j->cg.pids_current;
	return j->cg.pids;
}

static bool pids_limit(const struct jail_row *j, uint64_t *v)
{
	*v = j->cg.pids_limit;
	return j->cg.pids && *v != JAILCTL_NO_LIMIT;
}

static void write_metrics(FILE *out, const struct metrics *m)
{
	const struct jail_stats *s = &m->stats;
	unsigned stale = 0;

	put_help(out, "pam_jail_info", "gauge", "The pam_jail release jailctl belongs to.");
	fputs("pam_jail_info{", out);
	put_label(out, "version", JAIL_VERSION);
	fputs("} 1\n", out);

	put_help(out, "pam_jail_jails", "gauge", "Running jails, by profile.");
	for (size_t i = 0; i < m->n_profiles; i++) {
		fputs("pam_jail_jails{", out);
		put_label(out, "profile", m->profiles[i].name);
		fprintf(out, "} %u\n", m->profiles[i].jails);
	}
	put_help(out, "pam_jail_sessions", "gauge", "Open sessions in running jails, by profile.");
	for (size_t i = 0; i < m->n_profiles; i++) {
		fputs("pam_jail_sessions{", out);
		put_label(out, "profile", m->profiles[i].name);
		fprintf(out, "} %u\n", m->profiles[i].sessions);
	}
	for (size_t i = 0; i < m->n_jails; i++)
		stale += !m->jails[i].answers;
	put_help(out, "pam_jail_stale_jails", "gauge",
		 "Registry entries whose keeper does not answer (cleaned up at the user's next "
		 "login or by jailctl stop).");
	fprintf(out, "pam_jail_stale_jails %u\n", stale);

	put_jail_gauge(out, m, "pam_jail_jail_memory_bytes",
		       "Memory the jail's cgroup uses (memory.current, v1 memory.usage_in_bytes).",
		       memory_bytes);
	put_jail_gauge(out, m, "pam_jail_jail_memory_limit_bytes",
		       "The jail's memory limit (memory.max); absent when it has none.",
		       memory_limit);
	put_jail_gauge(out, m, "pam_jail_jail_pids",
		       "Processes in the jail's cgroup (pids.current).", pids_current);
	put_jail_gauge(out, m, "pam_jail_jail_pids_limit",
		       "The jail's process limit (pids.max); absent when it has none.", pids_limit);
	put_help(out, "pam_jail_jail_limit_events_total", "counter",
		 "What the limits did in a running jail: forks refused at pids.max, times memory "
		 "hit memory.max, processes the OOM killer ended.");
	for (size_t i = 0; i < m->n_jails; i++) {
		const struct jail_row *j = &m->jails[i];
		const uint64_t ev[JAIL_LIMIT_EVENT_COUNT] = {
			[JAIL_LIMIT_PIDS_MAX] = j->cg.ev.pids_max,
			[JAIL_LIMIT_MEMORY_MAX] = j->cg.ev.memory_max,
			[JAIL_LIMIT_OOM_KILL] = j->cg.ev.oom_kill,
		};

		if (!j->usage || (!j->cg.memory && !j->cg.pids))
			continue;
		for (int e = 0; e < JAIL_LIMIT_EVENT_COUNT; e++) {
			fputs("pam_jail_jail_limit_events_total{", out);
			jail_labels(out, j);
			fputc(',', out);
			put_label(out, "event", jail_limit_event_name(e));
			fprintf(out, "} %" PRIu64 "\n", ev[e]);
		}
	}

	put_help(out, "pam_jail_ended_jails_total", "counter", "Jails that ended since boot.");
	fprintf(out, "pam_jail_ended_jails_total %" PRIu64 "\n", s->jails_ended);
	put_help(out, "pam_jail_ended_jails_limit_events_total", "counter",
		 "What the limits did in the jails that ended since boot, by event.");
	for (int e = 0; e < JAIL_LIMIT_EVENT_COUNT; e++) {
		fputs("pam_jail_ended_jails_limit_events_total{", out);
		put_label(out, "event", jail_limit_event_name(e));
		fprintf(out, "} %" PRIu64 "\n", s->limit_events[e]);
	}
	put_help(out, "pam_jail_refused_sessions_total", "counter",
		 "Sessions pam_jail refused since boot, by reason (pam_jail(8), MONITORING).");
	for (int r = 0; r < JAIL_REFUSAL_COUNT; r++) {
		fputs("pam_jail_refused_sessions_total{", out);
		put_label(out, "reason", jail_refusal_name(r));
		fprintf(out, "} %" PRIu64 "\n", s->refusals[r]);
	}
	put_help(out, "pam_jail_last_refusal_timestamp_seconds", "gauge",
		 "When pam_jail last refused a session, and why; absent when it has not since "
		 "boot.");
	if (s->last_refusal_time > 0) {
		fputs("pam_jail_last_refusal_timestamp_seconds{", out);
		put_label(out, "reason", jail_refusal_name(s->last_refusal_reason));
		fprintf(out, "} %" PRId64 "\n", s->last_refusal_time);
	}
}

/* `text` into a new file beside `path`, renamed over it (mode 0644: the
 * exporter runs as its own user; nothing in it is secret from the host's
 * monitoring, and user names are already in the host's utmp). */
static int write_file_atomic(const char *path, const char *text, size_t len)
{
	_cleanup_free_ char *tmp = NULL;
	size_t off = 0;
	int fd, r = 0;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off < len && r == 0) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (r == 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static int collect(struct metrics *m, const char *state_dir, const char *config)
{
	struct jail_state st = JAIL_STATE_INIT;
	struct jail_error err = { 0 };
	char **keys = NULL;
	int r, stats_fd;

	r = jailctl_open_registry(state_dir, &st);
	if (r == -ENOENT)
		return add_policy_profiles(m, config); /* no registry: nothing ran since boot */
	if (r < 0)
		return r;
	r = jail_list_keys(&st, &keys, &err);
	if (r < 0) {
		fprintf(stderr, "jailctl metrics: %s\n", err.message);
		goto out;
	}
	for (char **k = keys; *k && r >= 0; k++)
		r = collect_jail(m, &st, *k);
	if (r >= 0)
		r = add_policy_profiles(m, config);
	if (r < 0) {
		fprintf(stderr, "jailctl metrics: %s\n", strerror(-r));
		goto out;
	}
	stats_fd = jail_stats_open(st.dir_fd, false, &err);
	if (stats_fd == -ENOENT) {
		r = 0; /* nothing counted yet */
	} else if (stats_fd < 0) {
		r = stats_fd;
	} else {
		r = jail_stats_read(stats_fd, &m->stats, &err);
		close(stats_fd);
	}
	if (r < 0)
		fprintf(stderr, "jailctl metrics: %s: %s\n", state_dir ? state_dir : JAIL_STATE_DIR,
			err.message[0] ? err.message : strerror(-r));
out:
	jail_strv_free(keys);
	jail_state_close(&st);
	return r;
}

static int run_metrics(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "statedir", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *state_dir = NULL, *config = NULL, *output = NULL;
	struct metrics m = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int opt, r;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "s:c:o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			state_dir = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			printf("usage: jailctl metrics %s\n\n%s", jailctl_verb_metrics.synopsis,
			       jailctl_verb_metrics.help);
			return JAILCTL_EXIT_OK;
		default:
			return jailctl_usage_error(&jailctl_verb_metrics, "bad option");
		}
	}
	if (optind != argc)
		return jailctl_usage_error(&jailctl_verb_metrics, "no arguments expected");
	if (collect(&m, state_dir, config) < 0) {
		metrics_free(&m);
		return JAILCTL_EXIT_FAIL;
	}
	mem = open_memstream(&text, &len);
	if (!mem) {
		metrics_free(&m);
		fprintf(stderr, "jailctl metrics: out of memory\n");
		return JAILCTL_EXIT_FAIL;
	}
	write_metrics(mem, &m);
	metrics_free(&m);
	if (fclose(mem) != 0) {
		free(text);
		fprintf(stderr, "jailctl metrics: out of memory\n");
		return JAILCTL_EXIT_FAIL;
	}
	if (output) {
		r = write_file_atomic(output, text, len);
		if (r < 0)
			fprintf(stderr, "jailctl metrics: '%s': %s\n", output, strerror(-r));
	} else {
		r = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -EIO;
		if (r < 0)
			fprintf(stderr, "jailctl metrics: cannot write the metrics\n");
	}
	free(text);
	return r < 0 ? JAILCTL_EXIT_FAIL : JAILCTL_EXIT_OK;
}

const struct jailctl_verb jailctl_verb_metrics = {
	.name = "metrics",
	.synopsis = "[--output FILE] [--statedir DIR] [--config PATH]",
	.summary = "Prometheus metrics: jails, sessions, limits, refusals",
	.help = "Prints the Prometheus text exposition of the running jails (per profile:\n"
		"jails and sessions; per jail: memory and processes against the limits of\n"
		"its cgroup, and what the limits did) and of the counters since boot kept\n"
		"in the registry: sessions refused by reason, the last refusal, the limit\n"
		"events of the jails that ended. Root only. pam_jail(8), MONITORING, lists\n"
		"every series; contrib/prometheus/ has a timer for the node exporter.\n"
		"  --output FILE    write FILE atomically (a new file renamed over it), for a\n"
		"                   node exporter's textfile directory\n"
		"  --statedir DIR   read this registry (the module's statedir=)\n"
		"  --config PATH    the policy whose profiles are listed with 0 jails\n",
	.run = run_metrics,
};
