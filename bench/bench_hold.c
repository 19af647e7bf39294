/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_hold: open one PAM session for each user named in a file and keep
 * them all open, one process per session (like sshd's monitor, which holds
 * a login's session), until told to end them.
 *
 *   bench_hold -c CONFDIR -s SERVICE [-P] USERFILE
 *
 * Without -P the sessions are opened one after another (each login starts
 * when the previous one is in): the creation rate. With -P every process is
 * forked first and all of them call pam_open_session at the same moment:
 * the login storm.
 *
 * Output (stdout, line-buffered):
 *   open INDEX MS STATUS      one a session (STATUS 0: PAM_SUCCESS)
 *   opened N MS               all N attempts done, MS since the first began
 * then it waits for a line (or EOF) on stdin, lets every process close its
 * session at once and prints
 *   closed MS                 until every pam_close_session returned and
 *                             every process exited (the logouts)
 * Exit 0 when every open and close succeeded, 1 otherwise, 2 on misuse.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

struct report {
	int index;
	int status; /* PAM return code, or -1: the child failed before PAM */
	double ms;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int quiet_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	*resp = NULL;
	return n == 0 ? PAM_SUCCESS : PAM_CONV_ERR;
}

static void write_report(int fd, const struct report *r)
{
	/* Less than PIPE_BUF: atomic, so reports of many children never mix. */
	while (write(fd, r, sizeof(*r)) < 0 && errno == EINTR)
		;
}

/* The child: wait for go, open the session, report, hold it until the end
 * pipe reaches EOF, close it. */
static int session_child(const char *confdir, const char *service, const char *user, int index,
			 int go_fd, int report_fd, int end_fd)
{
	struct pam_conv pc = { quiet_conv, NULL };
	struct report rep = { index, -1, 0 };
	pam_handle_t *pamh = NULL;
	char c;
	double t0;
	int r;

	while (read(go_fd, &c, 1) < 0 && errno == EINTR)
		;
	close(go_fd);
	t0 = now_ms();
	r = pam_start_confdir(service, user, &pc, confdir, &pamh);
	if (r == PAM_SUCCESS)
		r = pam_open_session(pamh, 0);
	rep.status = r;
	rep.ms = now_ms() - t0;
	write_report(report_fd, &rep);
	if (r != PAM_SUCCESS) {
		if (pamh)
			pam_end(pamh, r);
		return 1;
	}
	while (read(end_fd, &c, 1) < 0 && errno == EINTR)
		;
	r = pam_close_session(pamh, 0);
	pam_end(pamh, r);
	return r == PAM_SUCCESS ? 0 : 1;
}

static int read_users(const char *path, char ***users)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0, n = 0, alloc = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			char **grown = realloc(*users, alloc * sizeof(char *));
			if (!grown)
				return -1;
			*users = grown;
		}
		if (!((*users)[n++] = strdup(line)))
			return -1;
	}
	free(line);
	fclose(f);
	return (int)n;
}

int main(int argc, char **argv)
{
	const char *confdir = NULL, *service = NULL;
	char **users = NULL;
	bool storm = false;
	int opt, n, failed = 0, report[2], end[2], go_all[2] = { -1, -1 };
	pid_t *pids;
	double t0, t_end;
	char line[64];

	while ((opt = getopt(argc, argv, "c:s:P")) != -1) {
		if (opt == 'c')
			confdir = optarg;
		else if (opt == 's')
			service = optarg;
		else if (opt == 'P')
			storm = true;
		else
			return 2;
	}
	if (!confdir || !service || optind != argc - 1) {
		fprintf(stderr, "usage: bench_hold -c CONFDIR -s SERVICE [-P] USERFILE\n");
		return 2;
	}
	n = read_users(argv[optind], &users);
	if (n <= 0)
		return 2;
	pids = calloc((size_t)n, sizeof(pid_t));
	if (!pids || pipe2(report, O_CLOEXEC) < 0 || pipe2(end, O_CLOEXEC) < 0 ||
	    (storm && pipe2(go_all, O_CLOEXEC) < 0))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	t0 = now_ms();
	for (int i = 0; i < n; i++) {
		int go[2];
		if (storm) {
			go[0] = go_all[0];
			go[1] = go_all[1];
		} else if (pipe2(go, O_CLOEXEC) < 0) {
			return 2;
		}
		fflush(NULL);
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("fork");
			n = i;
			failed = 1;
			break;
		}
		if (pids[i] == 0) {
			close(go[1]);
			close(report[0]);
			close(end[1]);
			_exit(session_child(confdir, service, users[i], i, go[0], report[1],
					    end[0]));
		}
		if (!storm) {
			struct report rep;
			close(go[0]);
			close(go[1]); /* EOF: go */
			if (read(report[0], &rep, sizeof(rep)) != sizeof(rep))
				return 2;
			printf("open %d %.3f %d\n", rep.index, rep.ms, rep.status);
			failed |= rep.status != PAM_SUCCESS;
		}
	}
	if (storm) {
		close(go_all[0]);
		t0 = now_ms();
		close(go_all[1]); /* every child starts now */
		for (int i = 0; i < n; i++) {
			struct report rep;
			if (read(report[0], &rep, sizeof(rep)) != sizeof(rep))
				return 2;
			printf("open %d %.3f %d\n", rep.index, rep.ms, rep.status);
			failed |= rep.status != PAM_SUCCESS;
		}
	}
	printf("opened %d %.3f\n", n, now_ms() - t0);

	/* Hold until told. */
	if (!fgets(line, sizeof(line), stdin))
		line[0] = '\0';
	t_end = now_ms();
	close(end[1]); /* EOF for every child: close the sessions */
	for (int i = 0; i < n; i++) {
		int status;
		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	printf("closed %.3f\n", now_ms() - t_end);
	return failed ? 1 : 0;
}
