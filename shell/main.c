/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailsh: the recipe. Prove the jail, seed the home, set up X11, build the
 * environment, become the real shell. See docs/jailsh.1.
 *
 * "Jailed or nothing": the marker check comes before anything else, and
 * every refusal happens before any user-supplied command could run. A login
 * path that skipped pam_jail (a forgotten PAM service, a misordered stack)
 * therefore gets one line on stderr, one line in the auth log, and exit 1.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <syslog.h>

#include "jailsh.h"

extern char **environ;

void jailsh_note(const char *fmt, ...)
{
	va_list ap;

	fputs("jailsh: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void __attribute__((noreturn, format(printf, 2, 3))) refuse(int status, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "jailsh: refusing to run: %s\n", msg);
	syslog(LOG_AUTHPRIV | LOG_WARNING, "refusing to run for uid %u: %s", (unsigned)getuid(),
	       msg);
	exit(status);
}

/* The profile's shell must not be jailsh itself (a loop), and must be a
 * program we can run. Compared by inode, as paths may differ. */
static void check_shell(const char *shell)
{
	struct stat self, target;

	if (stat(shell, &target) < 0)
		refuse(JAILSH_EXIT_NOT_FOUND, "the profile's shell '%s': %s", shell,
		       strerror(errno));
	if (stat("/proc/self/exe", &self) == 0 && self.st_dev == target.st_dev &&
	    self.st_ino == target.st_ino)
		refuse(JAILSH_EXIT_REFUSED, "the profile's shell '%s' is jailsh itself", shell);
}

int main(int argc, char **argv)
{
	struct jail_marker *m = NULL;
	struct jail_error err = { 0 };
	struct jailsh_args args;
	struct jailsh_x11 x11;
	char msg[512];
	char **shell_argv, **env;
	int r;

	openlog("jailsh", LOG_PID, LOG_AUTHPRIV);

	/* A set-id jailsh would verify the marker for the wrong uid. */
	if (getuid() != geteuid() || getgid() != getegid())
		refuse(JAILSH_EXIT_REFUSED, "jailsh must not be set-user-ID or set-group-ID");
	if (jail_marker_verify(&m, &err) < 0)
		refuse(JAILSH_EXIT_REFUSED, "%s", err.message);

	if (jailsh_parse_args(argc, argv, &args, msg, sizeof(msg)) < 0) {
		jailsh_note("%s", msg);
		jail_marker_free(m);
		return JAILSH_EXIT_USAGE;
	}
	check_shell(m->shell);
	/* After the marker (inside, root-owned files show as nobody) and
	 * before any of the user's own setup or code. */
	if (jailsh_enter_userns(msg, sizeof(msg)) < 0)
		refuse(JAILSH_EXIT_REFUSED, "%s", msg);

	/* The user-side setup: problems are reported and the login goes on. */
	jailsh_seed_home(m);
	jailsh_setup_x11(m, &x11);

	env = jailsh_build_env(m, &x11, environ);
	shell_argv = jailsh_shell_argv(&args, m->shell);
	jailsh_x11_clear(&x11);
	if (!env || !shell_argv) {
		jailsh_note("out of memory");
		r = JAILSH_EXIT_REFUSED;
		goto out;
	}
	if (chdir(m->home) < 0) {
		jailsh_note("cannot enter the home '%s': %s; starting in /", m->home,
			    strerror(errno));
		if (chdir("/") < 0)
			jailsh_note("cannot enter '/': %s", strerror(errno));
	}
	closelog();
	/* The shell starts with stdin, stdout and stderr only: whatever else
	 * the login path left open (a caller's fd to a host directory, a
	 * pipe) must not reach the jailed session. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		jailsh_note("cannot close inherited file descriptors: %s", strerror(errno));
	execve(m->shell, shell_argv, env);
	r = errno == ENOENT ? JAILSH_EXIT_NOT_FOUND : JAILSH_EXIT_NOEXEC;
	jailsh_note("cannot run '%s': %s", m->shell, strerror(errno));
out:
	jail_strv_free(shell_argv);
	jail_strv_free(env);
	jail_marker_free(m);
	return r;
}
