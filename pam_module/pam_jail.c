/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pam_jail.so: the session module that puts a session into its user's jail.
 *
 *   session required pam_jail.so [config=PATH] [debug] [init=PATH] [report_reason]
 *                                [statedir=PATH]
 *
 * It must be the last session module (DESIGN.md fact 3, docs/pam_jail.8).
 * open_session: policy -> verdict -> create-or-join (session.c) -> the
 * calling process is in the jail; close_session: tell the keeper. Every
 * failure for a user whom policy jails is PAM_SESSION_ERR with one log line
 * naming the user, the profile and the cause: fail closed.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "jail_client.h"
#include "jail_stats.h"
#include "proc_text.h"
#include "pam_log.h"
#include "pam_usermgr.h"
#include "pam_x11.h"
#include "policy.h"
#include "privs.h"
#include "session.h"

#define DATA_KEY "pam_jail_session"

struct module_args {
	const char *config;   /* main policy file; drop-ins in "jail.d" beside it */
	const char *init;     /* jail-init binary */
	const char *statedir; /* the registry */
	bool debug;
	/* report_reason: a refusal's log line also goes to the application
	 * as a PAM error message (jailctl spawn prints it on stderr). Off by
	 * default: sshd, su and login would show it to the user. */
	bool report_reason;
};

/* What travels from open_session to close_session (pam_set_data). */
struct session_data {
	struct jail_session s;
	char *user;
	char *profile;
	int log_fd; /* the host's /dev/log, for close_session (pam_log.h) */
};

static int parse_args(pam_handle_t *pamh, int argc, const char **argv, struct module_args *a)
{
	int r = 0;

	/* Every option is read even after a bad one, so that statedir= is
	 * known where the refusal is counted. */
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (strncmp(arg, "config=", 7) == 0 && arg[7] == '/')
			a->config = arg + 7;
		else if (strncmp(arg, "init=", 5) == 0 && arg[5] == '/')
			a->init = arg + 5;
		else if (strncmp(arg, "statedir=", 9) == 0 && arg[9] == '/')
			a->statedir = arg + 9;
		else if (strcmp(arg, "debug") == 0)
			a->debug = true;
		else if (strcmp(arg, "report_reason") == 0)
			a->report_reason = true;
		else {
			/* A misspelt option must not quietly change what the
			 * module does: refuse, like a broken policy. */
			pam_syslog(pamh, LOG_ERR, "unknown option: %s", arg);
			r = -EINVAL;
		}
	}
	return r;
}

/* A refusal's one log line (and, with report_reason, the same text to the
 * application through its conversation function). */
static void __attribute__((format(printf, 4, 5)))
refusal(pam_handle_t *pamh, const struct module_args *a, int priority, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pam_syslog(pamh, priority, "%s", msg);
	if (a->report_reason)
		pam_error(pamh, "pam_jail: %s", msg);
}

static void session_data_free(struct session_data *d)
{
	if (!d)
		return;
	jail_session_drop(&d->s);
	if (d->log_fd >= 0)
		close(d->log_fd);
	free(d->user);
	free(d->profile);
	free(d);
}

/* pam_end() (or a replacing pam_set_data) without close_session: the
 * keeper counts the session out when the connection's last copy closes or
 * the session process exits. */
static void cleanup_session_data(pam_handle_t *pamh, void *data, int error_status)
{
	session_data_free(data);
}

/* The drop-in dir for config=PATH: "jail.d" in PATH's directory, so a test
 * tree mirrors /etc/security/{jail.conf,jail.d}. */
static int dropin_dir_for(const char *config, char *buf, size_t cap)
{
	const char *slash = strrchr(config, '/');
	int n = snprintf(buf, cap, "%.*s/jail.d", (int)(slash - config), config);

	return (n < 0 || (size_t)n >= cap) ? -ENAMETOOLONG : 0;
}

static int load_policy(pam_handle_t *pamh, const struct module_args *a, const char *user,
		       enum jail_verdict *verdict, struct jail_policy **policy,
		       enum jail_refusal *ret_why)
{
	struct jail_config *c = NULL;
	struct jail_error *errs = NULL, e = { 0 };
	size_t n_errs = 0;
	char dropin[PATH_MAX];
	const char *main_path = a->config ? a->config : JAIL_CONFIG_PATH;
	int r;

	if (a->config) {
		if (dropin_dir_for(a->config, dropin, sizeof(dropin)) < 0) {
			refusal(pamh, a, LOG_ERR, "session refused: user=%s: config path too long",
				   user);
			return PAM_SESSION_ERR;
		}
	} else {
		snprintf(dropin, sizeof(dropin), "%s", JAIL_CONFIG_DIR);
	}
	*ret_why = JAIL_REFUSAL_POLICY_INVALID;
	r = jail_config_load(main_path, dropin, 0, &c, &errs, &n_errs);
	if (r < 0) {
		/* A policy we cannot read refuses every login it might govern. */
		if (n_errs > 0 && errs[0].file[0] && errs[0].line > 0)
			refusal(pamh, a, LOG_ERR,
				   "session refused: user=%s profile=-: policy %s:%d: %s%s", user,
				   errs[0].file, errs[0].line, errs[0].message,
				   n_errs > 1 ? " (and more: run jailctl check)" : "");
		else if (n_errs > 0 && errs[0].file[0]) /* about the file as a whole */
			refusal(pamh, a, LOG_ERR,
				   "session refused: user=%s profile=-: policy %s: %s%s", user,
				   errs[0].file, errs[0].message,
				   n_errs > 1 ? " (and more: run jailctl check)" : "");
		else
			refusal(pamh, a, LOG_ERR, "session refused: user=%s profile=-: policy: %s",
				   user, n_errs > 0 ? errs[0].message : strerror(-r));
		free(errs);
		return r == -ENOMEM ? PAM_BUF_ERR : PAM_SESSION_ERR;
	}
	free(errs);
	r = jail_config_resolve(c, user, verdict, policy, &e);
	jail_config_free(c);
	if (r < 0) {
		if (r == -ENOENT)
			*ret_why = JAIL_REFUSAL_USER_UNKNOWN;
		else
			*ret_why = r == -ENOMEM ? JAIL_REFUSAL_INTERNAL
						: JAIL_REFUSAL_LOOKUP_FAILED;
		refusal(pamh, a, LOG_ERR, "session refused: user=%s profile=-: %s", user,
			   e.message[0] ? e.message : strerror(-r));
		if (r == -ENOMEM)
			return PAM_BUF_ERR;
		return r == -ENOENT ? PAM_USER_UNKNOWN : PAM_SESSION_ERR;
	}
	return PAM_SUCCESS;
}

/* The stats dir of the registry (lib/jail_stats.h), made if need be; -errno
 * on failure. By path: call it only while the process sees the host's
 * mount namespace. */
static int open_stats(const struct module_args *a)
{
	struct jail_state st = JAIL_STATE_INIT;
	int fd;

	fd = jail_state_open(a->statedir, true, &st, NULL);
	if (fd < 0)
		return fd;
	fd = jail_stats_open(st.dir_fd, true, NULL);
	jail_state_close(&st);
	return fd;
}

/*
 * Count a refused session for `jailctl metrics`. `stats_fd` is the stats
 * dir when the caller opened it before entering the jail (inside, a path
 * would resolve in the jail's mount namespace), else -1: opened here, from
 * the host. Counting never changes the answer (the session is refused
 * either way); a failure is logged once, in debug mode only, so a broken
 * stats dir cannot flood the log.
 */
static void count_refusal(pam_handle_t *pamh, const struct module_args *a, int stats_fd,
			  enum jail_refusal why)
{
	struct jail_error e = { 0 };
	int fd = stats_fd >= 0 ? stats_fd : open_stats(a);
	int r = fd;

	if (fd >= 0)
		r = jail_stats_count_refusal(fd, why, (int64_t)time(NULL), &e);
	if (r < 0 && a->debug)
		pam_syslog(pamh, LOG_DEBUG, "refusal not counted (%s): %s", jail_refusal_name(why),
			   e.message[0] ? e.message : strerror(-r));
	if (fd >= 0 && fd != stats_fd)
		close(fd);
}

static int put_env(pam_handle_t *pamh, const char *name, const char *value)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s=%s", name, value);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return PAM_BUF_ERR;
	return pam_putenv(pamh, buf);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct module_args a;
	struct jail_policy *policy = NULL;
	struct session_data *d = NULL;
	struct pam_jail_x11 x11 = PAM_JAIL_X11_INIT;
	struct jail_error e = { 0 };
	enum jail_verdict verdict;
	enum jail_refusal why = JAIL_REFUSAL_INTERNAL;
	const char *user = NULL;
	const void *old = NULL;
	int threads, r, ret, stats_fd = -1;
	bool in_jail = false; /* past setns: no path may be opened any more */

	if (parse_args(pamh, argc, argv, &a) < 0) {
		count_refusal(pamh, &a, -1, JAIL_REFUSAL_MODULE_ARGS);
		return PAM_SESSION_ERR;
	}
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || !user || !*user) {
		refusal(pamh, &a, LOG_ERR, "session refused: cannot get the user name");
		count_refusal(pamh, &a, -1, JAIL_REFUSAL_NO_USER);
		return PAM_USER_UNKNOWN;
	}
	if (pam_get_data(pamh, DATA_KEY, &old) == PAM_SUCCESS && old) {
		/* Already in a jail: the stats dir is not reached by path. */
		refusal(pamh, &a, LOG_ERR,
			   "session refused: user=%s: a jailed session is already "
			   "open in this PAM handle",
			   user);
		return PAM_SESSION_ERR;
	}
	ret = load_policy(pamh, &a, user, &verdict, &policy, &why);
	if (ret != PAM_SUCCESS) {
		count_refusal(pamh, &a, -1, why);
		return ret;
	}
	if (verdict == JAIL_VERDICT_NONE) {
		if (a.debug)
			pam_syslog(pamh, LOG_DEBUG, "user=%s: no rule jails this user", user);
		return PAM_IGNORE;
	}
	if (verdict == JAIL_VERDICT_REFUSE) {
		refusal(pamh, &a, LOG_ERR,
			   "session refused: user=%s profile=-: no rule names "
			   "this user and the policy refuses unmatched users",
			   user);
		count_refusal(pamh, &a, -1, JAIL_REFUSAL_UNMATCHED);
		return PAM_SESSION_ERR;
	}

	/* systemd --user cannot run in a jail and must not run outside one
	 * (pam_usermgr.h): refused before anything is built. */
	if (pam_jail_is_user_manager(pamh)) {
		refusal(pamh, &a, LOG_NOTICE,
			   "session refused: user=%s profile=%s: systemd --user is not run for "
			   "jailed users (PAM service " PAM_JAIL_USER_MANAGER_SERVICE ")",
			   user, policy->profile);
		why = JAIL_REFUSAL_USER_MANAGER;
		ret = PAM_SESSION_ERR;
		goto out;
	}

	/* setns(CLONE_NEWNS) is impossible for a multithreaded process (fact
	 * 9: gdm's worker); refuse before anything is built. */
	threads = jail_thread_count();
	if (threads != 1) {
		refusal(pamh, &a, LOG_ERR,
			   "session refused: user=%s profile=%s: the calling process has %d "
			   "threads; a multithreaded process cannot join a jail",
			   user, policy->profile, threads);
		why = JAIL_REFUSAL_MULTITHREADED;
		ret = PAM_SESSION_ERR;
		goto out;
	}

	d = calloc(1, sizeof(*d));
	if (!d) {
		ret = PAM_BUF_ERR;
		goto out;
	}
	/* Before anything can fail: session_data_free closes fds >= 0. */
	d->s.conn = -1;
	d->s.init_pidfd = -1;
	d->log_fd = -1;
	if (!(d->user = strdup(user)) || !(d->profile = strdup(policy->profile))) {
		ret = PAM_BUF_ERR;
		goto out;
	}
	if (a.debug)
		pam_syslog(pamh, LOG_DEBUG, "user=%s profile=%s rule=%s: joining", user,
			   policy->profile, policy->matched_rule ? policy->matched_rule : "-");
	const struct jail_session_params params = {
		.state_dir = a.statedir,
		.init_path = a.init,
		.policy = policy,
	};
	/* X11 (pam_x11.h): the display socket is opened while we still see
	 * the host's /tmp, and attached once we are in the jail. */
	pam_jail_x11_prepare(pamh, policy, &x11);
	r = jail_session_open(&params, &d->s, &e);
	if (d->s.stale_keeper != 0)
		pam_syslog(pamh, LOG_WARNING,
			   "jail keeper not answering: user=%s profile=%s id=%s keeper=%d: %s; "
			   "killed it and ended its jail",
			   user, policy->profile, d->s.stale_id[0] ? d->s.stale_id : "-",
			   (int)d->s.stale_keeper, d->s.stale_why);
	if (r == -ESTALE) {
		/* The user's jail was built from another policy (the admin
		 * changed it, or the uid now has another name): never joined,
		 * and not ended under its sessions' feet (pam_jail(8),
		 * "POLICY CHANGES"). */
		refusal(pamh, &a, LOG_ERR,
			   "jail policy changed: user=%s profile=%s id=%s old=%.8s new=%.8s "
			   "action=refused: the jail must end first (jailctl stop %s)",
			   user, policy->profile, d->s.id[0] ? d->s.id : "-",
			   d->s.policy_old[0] ? d->s.policy_old : "-", d->s.policy_new, user);
		why = JAIL_REFUSAL_POLICY_CHANGED;
		ret = PAM_SESSION_ERR;
		goto out;
	}
	if (r < 0) {
		refusal(pamh, &a, LOG_ERR, "session refused: user=%s profile=%s: %s", user,
			   policy->profile, e.message[0] ? e.message : strerror(-r));
		why = r == -ENOMEM   ? JAIL_REFUSAL_INTERNAL
		      : r == -EUSERS ? JAIL_REFUSAL_MAX_JAILS /* pam_module/session.c */
				     : JAIL_REFUSAL_JAIL_FAILED;
		ret = r == -ENOMEM ? PAM_BUF_ERR : PAM_SESSION_ERR;
		goto out;
	}
	/* Logged while we still see the host's /dev/log. The application
	 * may close the process's syslog connection later (sshd does, after
	 * each of its lines), so close_session logs through a socket of our
	 * own, connected here (pam_log.h); without one, pam_syslog. */
	d->log_fd = pam_jail_log_connect();
	/* A refusal from here on is counted from inside the jail's mount
	 * namespace: through this fd, opened while we see the host. */
	stats_fd = open_stats(&a);
	if (d->s.created)
		pam_syslog(pamh, LOG_NOTICE,
			   "jail created: user=%s profile=%s id=%s init=%d reason=first session",
			   user, policy->profile, d->s.id, (int)d->s.init_pid);
	pam_syslog(pamh, LOG_NOTICE, "session opened: user=%s profile=%s id=%s init=%d sessions=%u",
		   user, policy->profile, d->s.id, (int)d->s.init_pid, d->s.sessions);
	r = jail_session_enter(&d->s, &e);
	in_jail = r == 0;
	if (r < 0) {
		refusal(pamh, &a, LOG_ERR, "session refused: user=%s profile=%s: %s", user,
			   policy->profile, e.message);
		(void)jail_session_close(&d->s, NULL, NULL);
		why = JAIL_REFUSAL_ENTER_FAILED;
		ret = PAM_SESSION_ERR;
		goto out;
	}
	/* Now in the jail's mount namespace: attach the display socket
	 * prepared above and hand the cookie to jailsh (pam_x11.h). */
	pam_jail_x11_finish(pamh, policy, &x11);
	/* Last, after every mount: what the user's processes inherit from
	 * us (lib/privs.h). */
	r = jail_privs_apply(policy, &e);
	if (r < 0) {
		refusal(pamh, &a, LOG_ERR, "session refused: user=%s profile=%s: privileges: %s",
			   user, policy->profile, e.message);
		(void)jail_session_close(&d->s, NULL, NULL);
		why = JAIL_REFUSAL_PRIVILEGES;
		ret = PAM_SESSION_ERR;
		goto out;
	}
	ret = put_env(pamh, "JAIL_PROFILE", policy->profile);
	if (ret == PAM_SUCCESS)
		ret = put_env(pamh, "JAIL_ID", d->s.id);
	if (ret == PAM_SUCCESS)
		ret = pam_set_data(pamh, DATA_KEY, d, cleanup_session_data);
	if (ret != PAM_SUCCESS) {
		/* Already inside, but the session cannot be handed out: count
		 * it back out and refuse (the application ends the process). */
		refusal(pamh, &a, LOG_ERR, "session refused: user=%s profile=%s: %s", user,
			   policy->profile, pam_strerror(pamh, ret));
		(void)jail_session_close(&d->s, NULL, NULL);
		goto out;
	}
	d = NULL; /* owned by PAM now */
out:
	/* Every refusal after the verdict ends here: count it (no host fd may
	 * stay open in the session process, whatever the outcome). */
	if (ret != PAM_SUCCESS && !(in_jail && stats_fd < 0))
		count_refusal(pamh, &a, stats_fd, why);
	if (stats_fd >= 0)
		close(stats_fd);
	pam_jail_x11_release(&x11);
	session_data_free(d);
	jail_policy_free(policy);
	return ret;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct module_args a;
	const void *data = NULL;
	struct session_data *d;
	struct jail_error e = { 0 };
	unsigned left = 0;
	int r;

	if (parse_args(pamh, argc, argv, &a) < 0)
		return PAM_SESSION_ERR;
	if (pam_get_data(pamh, DATA_KEY, &data) != PAM_SUCCESS || !data)
		return PAM_IGNORE; /* open_session did not jail this session */
	d = (struct session_data *)(uintptr_t)data;
	/* We are inside the jail's mount namespace now (fact 7): everything
	 * host-side is the keeper's job; we only tell it. */
	r = jail_session_close(&d->s, &left, &e);
	if (r < 0)
		pam_jail_log(pamh, d->log_fd, LOG_WARNING,
			     "session closed: user=%s profile=%s id=%s init=%d reason=%s", d->user,
			     d->profile, d->s.id, (int)d->s.init_pid, e.message);
	else
		pam_jail_log(pamh, d->log_fd, LOG_NOTICE,
			     "session closed: user=%s profile=%s id=%s init=%d sessions=%u "
			     "reason=pam_close_session",
			     d->user, d->profile, d->s.id, (int)d->s.init_pid, left);
	/* Frees the data (runs cleanup_session_data). */
	pam_set_data(pamh, DATA_KEY, NULL, NULL);
	return PAM_SUCCESS;
}
