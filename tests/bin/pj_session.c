/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A PAM application for the tests: open a session (of a service file in a
 * private confdir, so nothing is written to /etc/pam.d), run a command in
 * it while the session is open, then close it. pamtester cannot keep a
 * session open while a test looks inside it; this can.
 *
 *   pj_session -c CONFDIR -s SERVICE [options] USER [-- CMD ARGS...]
 *     -n N   open/close N times in this one process (valgrind leak test);
 *            after each close, return to the namespaces we started in
 *            (only a test does that; the module never keeps host ns fds)
 *     -U     run CMD as USER (initgroups, setgid, setuid) instead of root
 *     -e     print the PAM environment's JAIL_* variables
 *     -T     start a second thread first (the module must refuse)
 *     -p     print "CHILD <host pid>" of CMD on stderr, for host-side checks
 *     -L     after open_session, log a line and closelog() as sshd's monitor
 *            does for each of its own lines, then log one more (which has
 *            to reconnect to /dev/log by path)
 *     -P     print "PROOF caller ..." after open_session and "PROOF command
 *            ..." in CMD's process before its exec (tests/bin/proof.h), for
 *            the fault-injection sweep
 *
 * Exit: CMD's status; 10 if pam_open_session failed (pam_strerror on
 * stderr); 11 if pam_close_session failed; 12 on a usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "proof.h"

static const char *const ns_names[] = { "mnt", "pid_for_children", "net", "ipc", "uts", "cgroup" };
#define N_NS (sizeof(ns_names) / sizeof(ns_names[0]))

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	/* Sessions ask nothing; print what modules say, answer nothing. */
	for (int i = 0; i < n; i++)
		fprintf(stderr, "pam: %s\n", msg[i]->msg ? msg[i]->msg : "");
	*resp = NULL;
	return n == 0 ? PAM_SUCCESS : PAM_CONV_ERR;
}

static void *idle_thread(void *arg)
{
	pause();
	return arg;
}

static int run_cmd(pam_handle_t *pamh, const char *user, bool as_user, bool print_pid, bool proof,
		   char **cmd)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 12;
	if (pid == 0) {
		char **env = pam_getenvlist(pamh);
		for (char **e = env; e && *e; e++)
			putenv(*e);
		if (as_user) {
			struct passwd *pw = getpwnam(user);
			if (!pw || initgroups(user, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
			    setuid(pw->pw_uid) < 0) {
				perror("pj_session: becoming the user");
				_exit(12);
			}
		}
		if (proof)
			proof_print("command", 1);
		execvp(cmd[0], cmd);
		perror("pj_session: exec");
		_exit(127);
	}
	if (print_pid) {
		fprintf(stderr, "CHILD %d\n", (int)pid);
		fflush(stderr);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 12;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	const char *confdir = NULL, *service = NULL, *user;
	bool as_user = false, print_env = false, thread = false, print_pid = false,
	     closelog_after = false, proof = false;
	int cycles = 1, opt, rc = 0, ns_fds[N_NS];
	struct pam_conv pc = { conv, NULL };

	/* Whatever the test harness left open goes: then every fd above 2 in
	 * the command came from PAM, and the tests look for exactly those. */
	close_range(3, ~0U, 0);
	while ((opt = getopt(argc, argv, "+c:s:n:UeTpLP")) != -1) {
		switch (opt) {
		case 'c':
			confdir = optarg;
			break;
		case 's':
			service = optarg;
			break;
		case 'n':
			cycles = atoi(optarg);
			break;
		case 'U':
			as_user = true;
			break;
		case 'e':
			print_env = true;
			break;
		case 'T':
			thread = true;
			break;
		case 'p':
			print_pid = true;
			break;
		case 'L':
			closelog_after = true;
			break;
		case 'P':
			proof = true;
			break;
		default:
			return 12;
		}
	}
	if (!confdir || !service || optind >= argc || cycles < 1) {
		fprintf(stderr, "usage: pj_session -c CONFDIR -s SERVICE [-n N] [-U] [-e] [-T] "
				"[-p] [-L] [-P] USER [-- CMD...]\n");
		return 12;
	}
	user = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	char **cmd = optind < argc ? &argv[optind] : NULL;

	if (thread) {
		pthread_t t;
		if (pthread_create(&t, NULL, idle_thread, NULL) != 0)
			return 12;
	}
	for (size_t i = 0; i < N_NS; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_names[i]);
		ns_fds[i] = cycles > 1 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	}

	for (int c = 0; c < cycles && rc == 0; c++) {
		pam_handle_t *pamh = NULL;
		int r = pam_start_confdir(service, user, &pc, confdir, &pamh);
		if (r != PAM_SUCCESS) {
			fprintf(stderr, "pam_start_confdir: %d\n", r);
			return 12;
		}
		r = pam_open_session(pamh, 0);
		if (r != PAM_SUCCESS) {
			fprintf(stderr, "pam_open_session: %s\n", pam_strerror(pamh, r));
			pam_end(pamh, r);
			rc = 10;
			break;
		}
		if (proof)
			proof_print("caller", 0);
		if (closelog_after) {
			openlog("pj_session", LOG_PID, LOG_AUTH);
			syslog(LOG_INFO, "inside the session: a line of the application's");
			closelog();
			/* reconnects by path, in the jail: lost there */
			syslog(LOG_INFO, "inside the session: a line after closelog");
			closelog();
		}
		if (print_env) {
			const char *v;
			if ((v = pam_getenv(pamh, "JAIL_PROFILE")))
				printf("JAIL_PROFILE=%s\n", v);
			if ((v = pam_getenv(pamh, "JAIL_ID")))
				printf("JAIL_ID=%s\n", v);
		}
		if (cmd)
			rc = run_cmd(pamh, user, as_user, print_pid, proof, cmd);
		r = pam_close_session(pamh, 0);
		if (r != PAM_SUCCESS) {
			fprintf(stderr, "pam_close_session: %s\n", pam_strerror(pamh, r));
			if (rc == 0)
				rc = 11;
		}
		pam_end(pamh, r);
		/* Back to where we started, so the next cycle sees the host
		 * (the state dir, the policy) again. */
		for (size_t i = 0; i < N_NS && cycles > 1; i++)
			if (ns_fds[i] >= 0 && setns(ns_fds[i], 0) < 0 && errno != EINVAL) {
				perror("pj_session: setns back");
				return 12;
			}
		if (cycles > 1 && chdir("/") < 0)
			return 12;
	}
	for (size_t i = 0; i < N_NS; i++)
		if (ns_fds[i] >= 0)
			close(ns_fds[i]);
	return rc;
}
