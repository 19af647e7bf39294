/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A display manager in miniature, for the X11 tests: open a PAM session
 * with PAM_XDISPLAY and PAM_XAUTHDATA set (what gdm/lightdm hand to session
 * modules), run CMD as the user with the PAM environment only, close.
 *
 *   x11_session CONFDIR SERVICE USER DISPLAY COOKIE_HEX -- CMD ARGS...
 *
 * DISPLAY or COOKIE_HEX "-" leaves that item unset (an application that
 * names no display, or one that names it but hands over no cookie).
 * The process's own DISPLAY/XAUTHORITY are removed first, so the module can
 * only have learnt the display and the cookie from the PAM items (or from
 * what a module before it put in the PAM environment).
 * Exit: CMD's status; 10 if pam_open_session failed; 12 on a setup error.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <security/pam_appl.h>

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	for (int i = 0; i < n; i++)
		fprintf(stderr, "pam: %s\n", msg[i]->msg ? msg[i]->msg : "");
	*resp = NULL;
	return n == 0 ? PAM_SUCCESS : PAM_CONV_ERR;
}

static int parse_hex(const char *s, char *out, int cap)
{
	int n = 0;

	for (; s[0] && s[1] && n < cap; s += 2) {
		unsigned v;
		if (sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = (char)v;
	}
	return *s ? -1 : n;
}

int main(int argc, char **argv)
{
	struct pam_conv pc = { conv, NULL };
	char name[] = "MIT-MAGIC-COOKIE-1", data[64];
	struct pam_xauth_data xd = { .name = name, .namelen = (int)strlen(name), .data = data };
	pam_handle_t *pamh = NULL;
	bool with_display, with_cookie;
	struct passwd *pw;
	int r, status;
	pid_t pid;

	if (argc < 8 || strcmp(argv[6], "--") != 0) {
		fprintf(stderr,
			"usage: x11_session CONFDIR SERVICE USER DISPLAY COOKIE_HEX -- CMD...\n");
		return 12;
	}
	with_display = strcmp(argv[4], "-") != 0;
	with_cookie = strcmp(argv[5], "-") != 0;
	if (with_cookie)
		xd.datalen = parse_hex(argv[5], data, (int)sizeof(data));
	pw = getpwnam(argv[3]);
	if ((with_cookie && xd.datalen <= 0) || !pw)
		return 12;
	unsetenv("DISPLAY");
	unsetenv("XAUTHORITY");
	if (pam_start_confdir(argv[2], argv[3], &pc, argv[1], &pamh) != PAM_SUCCESS ||
	    (with_display && pam_set_item(pamh, PAM_XDISPLAY, argv[4]) != PAM_SUCCESS) ||
	    (with_cookie && pam_set_item(pamh, PAM_XAUTHDATA, &xd) != PAM_SUCCESS))
		return 12;
	r = pam_open_session(pamh, 0);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "pam_open_session: %s\n", pam_strerror(pamh, r));
		pam_end(pamh, r);
		return 10;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 12;
	if (pid == 0) {
		char **env = pam_getenvlist(pamh);
		if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
		    setuid(pw->pw_uid) < 0) {
			perror("x11_session: becoming the user");
			_exit(12);
		}
		execve(argv[7], &argv[7], env);
		perror("x11_session: exec");
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 12;
	pam_close_session(pamh, 0);
	pam_end(pamh, PAM_SUCCESS);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
