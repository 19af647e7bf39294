/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailctl spawn [OPTIONS] USER -- CMD ARGS...: run CMD as USER in USER's
 * jail, for a root daemon that is not a login path of its own (a notebook
 * hub, a web terminal, a systemd unit).
 *
 * It is a PAM application like sshd: pam_start on a service (by default
 * jailctl-spawn, contrib/pam.d/jailctl-spawn, ending with pam_jail), the
 * account stack, pam_open_session (pam_jail puts this process into the
 * jail, exactly as it puts sshd's monitor), pam_setcred; then it forks the
 * command (spawn_child.c) and stays the session's holder: one session in
 * `jailctl list`, counted out by pam_close_session when the command ends,
 * or by the keeper if this process is killed. The hub itself (threads, the
 * caller's secrets) never enters the jail: only this small single-threaded
 * process does (DESIGN.md fact 9).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <linux/close_range.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/sockios.h>
#include <sys/wait.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "jailctl.h"
#include "spawn.h"

#define SPAWN_DEFAULT_SERVICE "jailctl-spawn"
#define SPAWN_MAX_ENV	      64

/* The signals a daemon stops its child with: passed on to the command.
 * SIGCHLD is waited for in the same set. */
static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP };

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	/* Nobody to answer a prompt: a stack that asks one is refused. A
	 * message (pam_jail's refusal reason with report_reason, an
	 * expiry warning) goes to stderr. */
	for (int i = 0; i < n; i++)
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF ||
		    msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			return PAM_CONV_ERR;
	for (int i = 0; i < n; i++)
		fprintf(stderr, "jailctl spawn: %s\n", msg[i]->msg ? msg[i]->msg : "");
	*resp = NULL;
	return PAM_SUCCESS;
}

static bool service_name_ok(const char *s)
{
	if (!*s || *s == '.' || strlen(s) > 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

static bool env_name_ok(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return strlen(s) < 64;
}

/* The jail's IPv4 address, seen from inside its network namespace (the
 * holder is there now): the first address of an interface other than
 * lo. Empty when there is none (network.mode loopback). */
static void jail_address4(char *buf, size_t cap)
{
	struct ifaddrs *ifs = NULL;

	buf[0] = '\0';
	if (getifaddrs(&ifs) < 0)
		return;
	for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, "lo") == 0)
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, buf,
			  (socklen_t)cap);
		break;
	}
	freeifaddrs(ifs);
}

/* The network namespace this process is in. Not through /proc/self once
 * in the jail: the jail's /proc belongs to its PID namespace, where the
 * holder is not (only its children are), so "self" does not resolve there.
 * A socket's namespace (SIOCGSKNS) is the caller's, wherever it is. */
static int netns_id(struct stat *ret)
{
	int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), ns, r;

	if (sock < 0)
		return -1;
	ns = ioctl(sock, SIOCGSKNS);
	close(sock);
	if (ns < 0)
		return -1;
	r = fstat(ns, ret);
	close(ns);
	return r;
}

/* --ready-fd: one line once the session is open and before the command
 * starts, so the caller (contrib/jupyterhub) learns where the jail is
 * without parsing the command's output:
 *   jail=ID profile=NAME network=jail|host address4=A.B.C.D
 * (jail=- when the policy does not jail USER; address4= empty when the
 * jail has no address but its loopback). */
static void report_ready(int fd, pam_handle_t *pamh, const struct stat *host_net)
{
	const char *id = pam_getenv(pamh, "JAIL_ID");
	const char *profile = pam_getenv(pamh, "JAIL_PROFILE");
	struct stat now;
	char addr[INET_ADDRSTRLEN], line[512];
	bool own = netns_id(&now) == 0 &&
		   (now.st_dev != host_net->st_dev || now.st_ino != host_net->st_ino);
	int n;

	if (own)
		jail_address4(addr, sizeof(addr));
	else
		addr[0] = '\0';
	n = snprintf(line, sizeof(line), "jail=%s profile=%s network=%s address4=%s\n",
		     id ? id : "-", profile ? profile : "-", own ? "jail" : "host", addr);
	if (n > 0 && (size_t)n < sizeof(line) && write(fd, line, (size_t)n) != n)
		fprintf(stderr, "jailctl spawn: --ready-fd: %s\n", strerror(errno));
	close(fd);
}

struct spawn_opts {
	const char *service;
	const char *user;
	char **cmd;
	char *env[SPAWN_MAX_ENV + 1]; /* NAME=VALUE, copied before clearenv */
	size_t n_env;
	int ready_fd;
};

static int parse(int argc, char **argv, struct spawn_opts *o)
{
	static const struct option opts[] = {
		{ "service", required_argument, NULL, 's' },
		{ "env", required_argument, NULL, 'e' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct jailctl_verb *v = &jailctl_verb_spawn;
	char *end;
	long fd;
	int opt;

	memset(o, 0, sizeof(*o));
	o->service = SPAWN_DEFAULT_SERVICE;
	o->ready_fd = -1;
	optind = 0;
	/* "+": options end at USER, so CMD's own options are never ours. */
	while ((opt = getopt_long(argc, argv, "+s:e:r:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (!service_name_ok(optarg))
				return jailctl_usage_error(v, "'%s' is not a PAM service name",
							   optarg);
			o->service = optarg;
			break;
		case 'e': {
			const char *val;
			if (!env_name_ok(optarg))
				return jailctl_usage_error(
					v,
					"--env takes a variable name, not '%s' (values are "
					"never given on the command line)",
					optarg);
			if (spawn_env_name_is_reserved(optarg))
				return jailctl_usage_error(
					v, "%s is set from the user's account, not passed", optarg);
			if (o->n_env >= SPAWN_MAX_ENV)
				return jailctl_usage_error(v, "at most %d --env", SPAWN_MAX_ENV);
			val = getenv(optarg);
			if (!val)
				break; /* unset in the caller: unset for the command */
			if (asprintf(&o->env[o->n_env], "%s=%s", optarg, val) < 0)
				return JAILCTL_EXIT_FAIL;
			o->n_env++;
			break;
		}
		case 'r':
			errno = 0;
			fd = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || fd < 3 || fd > 65535 ||
			    fcntl((int)fd, F_GETFD) < 0)
				return jailctl_usage_error(
					v, "--ready-fd: '%s' is not an open fd above 2", optarg);
			o->ready_fd = (int)fd;
			break;
		case 'h':
			printf("usage: jailctl spawn %s\n\n%s", v->synopsis, v->help);
			exit(JAILCTL_EXIT_OK);
		default:
			return jailctl_usage_error(v, "bad option");
		}
	}
	if (optind >= argc)
		return jailctl_usage_error(v, "whose session?");
	o->user = argv[optind++];
	if (optind >= argc || strcmp(argv[optind], "--") != 0)
		return jailctl_usage_error(v, "'--' and the command must follow USER");
	optind++;
	if (optind >= argc)
		return jailctl_usage_error(v, "no command after '--'");
	if (argv[optind][0] != '/')
		return jailctl_usage_error(v, "the command needs an absolute path");
	o->cmd = argv + optind;
	return 0;
}

/* Wait for the command, passing on the stop signals. Returns its wait
 * status. All of `set` is blocked: sigwaitinfo is the only receiver, so
 * no handler runs and nothing races with waitpid. */
static int hold(pid_t child, const sigset_t *set)
{
	siginfo_t si;
	int status;

	for (;;) {
		pid_t w = waitpid(child, &status, WNOHANG);
		if (w == child)
			return status;
		if (w < 0 && errno != EINTR)
			return -1;
		if (sigwaitinfo(set, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD)
			kill(child, si.si_signo);
	}
}

static int exit_code(int status)
{
	if (status < 0)
		return JAILCTL_EXIT_FAIL;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static int run_spawn(int argc, char **argv)
{
	struct pam_conv pc = { conv, NULL };
	struct spawn_opts o;
	struct spawn_target t = { .holder_pipe = -1 };
	pam_handle_t *pamh = NULL;
	struct passwd *pw;
	struct stat host_net;
	sigset_t set, pending;
	int pipefd[2] = { -1, -1 };
	int r, status = -1, rc;
	pid_t child;

	r = parse(argc, argv, &o);
	if (r)
		return r;
	if (getuid() != 0 || geteuid() != 0) {
		fprintf(stderr, "jailctl spawn: only root can open a session for another user\n");
		return JAILCTL_EXIT_FAIL;
	}
	/* Nothing the caller left open reaches the PAM modules, the keeper
	 * or the command: only 0-2 (and the --ready-fd, closed once used). */
	if (o.ready_fd >= 0) {
		if (o.ready_fd > 3)
			close_range(3, (unsigned)o.ready_fd - 1, 0);
		close_range((unsigned)o.ready_fd + 1, ~0U, 0);
		if (fcntl(o.ready_fd, F_SETFD, FD_CLOEXEC) < 0)
			return JAILCTL_EXIT_FAIL;
	} else {
		close_range(3, ~0U, 0);
	}
	/* Nor does the caller's environment (a hub's own secrets, its
	 * PYTHONPATH): what --env named was copied above; the modules see
	 * a fixed PATH, as under sshd. */
	clearenv();
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);

	sigemptyset(&set);
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	sigaddset(&set, SIGCHLD);
	/* From here on a stop signal waits for us: during the PAM calls it
	 * stays pending, and then nothing is started. */
	sigprocmask(SIG_BLOCK, &set, NULL);

	errno = 0;
	pw = getpwnam(o.user);
	if (!pw) {
		fprintf(stderr, "jailctl spawn: no user '%s'%s%s\n", o.user, errno ? ": " : "",
			errno ? strerror(errno) : "");
		return JAILCTL_EXIT_FAIL;
	}
	t.user = o.user;
	t.uid = pw->pw_uid;
	t.gid = pw->pw_gid;
	t.home = strdup(pw->pw_dir);
	t.shell = strdup(pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
	t.kept_env = o.env;
	t.cmd = o.cmd;
	if (!t.home || !t.shell || netns_id(&host_net) < 0)
		return JAILCTL_EXIT_FAIL;

	r = pam_start(o.service, o.user, &pc, &pamh);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "jailctl spawn: pam_start(%s): %s\n", o.service,
			pam_strerror(NULL, r));
		return JAILCTL_EXIT_FAIL;
	}
	r = pam_set_item(pamh, PAM_RUSER, "root");
	if (r == PAM_SUCCESS)
		r = pam_acct_mgmt(pamh, PAM_SILENT);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "jailctl spawn: user=%s service=%s: account refused: %s\n", o.user,
			o.service, pam_strerror(pamh, r));
		pam_end(pamh, r);
		return JAILCTL_EXIT_FAIL;
	}
	r = pam_open_session(pamh, 0);
	if (r != PAM_SUCCESS) {
		fprintf(stderr,
			"jailctl spawn: user=%s service=%s: session refused: %s; nothing was "
			"started\n",
			o.user, o.service, pam_strerror(pamh, r));
		pam_end(pamh, r);
		return JAILCTL_EXIT_FAIL;
	}
	/* As cron does: the credentials after the session (pam_env's
	 * variables come this way). */
	r = pam_setcred(pamh, PAM_ESTABLISH_CRED);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "jailctl spawn: user=%s service=%s: credentials: %s\n", o.user,
			o.service, pam_strerror(pamh, r));
		rc = JAILCTL_EXIT_FAIL;
		goto close;
	}
	if (sigpending(&pending) == 0)
		for (size_t i = 0; i < JAIL_ARRAY_SIZE(forwarded); i++)
			if (sigismember(&pending, forwarded[i])) {
				fprintf(stderr,
					"jailctl spawn: stopped by signal %d before the "
					"command started\n",
					forwarded[i]);
				rc = 128 + forwarded[i];
				goto setcred;
			}
	t.pam_env = pam_getenvlist(pamh);
	if (!t.pam_env || pipe2(pipefd, O_CLOEXEC) < 0) {
		rc = JAILCTL_EXIT_FAIL;
		goto setcred;
	}
	if (o.ready_fd >= 0) {
		report_ready(o.ready_fd, pamh, &host_net);
		o.ready_fd = -1;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		fprintf(stderr, "jailctl spawn: fork: %s\n", strerror(errno));
		rc = JAILCTL_EXIT_FAIL;
		goto setcred;
	}
	if (child == 0) {
		close(pipefd[1]);
		t.holder_pipe = pipefd[0];
		spawn_child_exec(&t);
	}
	close(pipefd[0]);
	status = hold(child, &set);
	rc = exit_code(status);
	close(pipefd[1]);
setcred:
	pam_setcred(pamh, PAM_DELETE_CRED);
close:
	r = pam_close_session(pamh, 0);
	if (r != PAM_SUCCESS)
		fprintf(stderr, "jailctl spawn: user=%s: pam_close_session: %s\n", o.user,
			pam_strerror(pamh, r));
	pam_end(pamh, r);
	jail_strv_free(t.pam_env);
	return rc;
}

const struct jailctl_verb jailctl_verb_spawn = {
	.name = "spawn",
	.synopsis = "[--service NAME] [--env NAME]... [--ready-fd FD] USER -- /CMD ARGS...",
	.summary = "run CMD as USER in USER's jail, as a session (for daemons)",
	.help = "Open a PAM session for USER through the PAM service NAME (default\n"
		"jailctl-spawn, whose stack ends with pam_jail), run CMD as USER the way\n"
		"sshd runs a command (groups, gid, uid, a fresh login environment, the\n"
		"home as working directory, USER's login shell with -c, so jailsh(1)\n"
		"where that is the shell), in USER's jail, and stay the session's holder\n"
		"until CMD ends: SIGTERM, SIGINT and SIGHUP are passed on to CMD, the\n"
		"session is closed when CMD ends. Root only. The caller's environment and\n"
		"file descriptors other than 0-2 are not passed on.\n"
		"  --service NAME   the PAM service (/etc/pam.d/NAME)\n"
		"  --env NAME       pass the caller's variable NAME on to CMD (repeatable;\n"
		"                   also through jailsh)\n"
		"  --ready-fd FD    once the session is open, write\n"
		"                   \"jail=ID profile=P network=jail|host address4=ADDR\"\n"
		"                   to FD and close it\n"
		"Exit status: CMD's (128+N if killed by signal N); 1 if the session was\n"
		"refused (the reason on stderr; nothing started), 2 usage error, 126 CMD\n"
		"could not be started as USER, 127 the login shell could not run.\n",
	.run = run_spawn,
};
