/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The environment of the real shell: built from scratch, not filtered.
 *
 * Whatever the login path left in the environment (PAM modules, sshd,
 * su's caller) may name host paths that do not exist in the jail
 * (XDG_RUNTIME_DIR, XAUTHORITY, MAIL, KRB5CCNAME) or steer programs
 * (LD_PRELOAD, BASH_ENV, PYTHONPATH). So only a short list of harmless,
 * terminal and locale variables is taken over; everything that describes
 * the user comes from the marker.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "jailsh.h"

/* Taken over as they are: the terminal, the locale, the time zone and what
 * sshd says about the connection. */
static const char *const passed_names[] = {
	"TERM",		  "COLORTERM", "LANG",
	"LANGUAGE",	  "TZ",	       "SSH_CLIENT",
	"SSH_CONNECTION", "SSH_TTY",   "SSH_ORIGINAL_COMMAND",
};

static bool is_passed(const char *entry)
{
	size_t name_len = strcspn(entry, "=");

	if (entry[name_len] != '=')
		return false;
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(passed_names); i++)
		if (strlen(passed_names[i]) == name_len &&
		    strncmp(entry, passed_names[i], name_len) == 0)
			return true;
	/* LC_ALL, LC_CTYPE, ...: "LC_" and capitals. */
	if (name_len > 3 && strncmp(entry, "LC_", 3) == 0) {
		for (size_t i = 3; i < name_len; i++)
			if (!((entry[i] >= 'A' && entry[i] <= 'Z') || entry[i] == '_'))
				return false;
		return true;
	}
	return false;
}

/* What jailsh sets itself, from the marker and the jail: never taken over
 * from the caller, whatever it asks. */
static const char *const own_names[] = {
	"HOME",
	"USER",
	"LOGNAME",
	"SHELL",
	"PATH",
	"JAIL_ID",
	"JAIL_PROFILE",
	"DISPLAY",
	"XAUTHORITY",
	"XDG_RUNTIME_DIR",
	"JAILSH_KEEP_ENV",
};

/*
 * JAILSH_KEEP_ENV=NAME:NAME...: variables the caller asks to pass on, as
 * they are. `jailctl spawn --env NAME` sets it, so that a notebook server
 * started through jailsh still gets the JUPYTERHUB_* variables its hub gave
 * it. It grants nothing: whoever can set it (a PAM module, sshd's
 * AcceptEnv, root's jailctl) could have set the variables for the user's
 * own programs anyway, and those run without privileges (no_new_privs);
 * it only lets them through this filter. jailsh's own variables stay its own.
 */
static bool is_kept_by_caller(const char *entry, const char *keep)
{
	size_t name_len = strcspn(entry, "=");

	if (!keep || entry[name_len] != '=')
		return false;
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(own_names); i++)
		if (strlen(own_names[i]) == name_len && strncmp(entry, own_names[i], name_len) == 0)
			return false;
	for (const char *p = keep; *p;) {
		size_t len = strcspn(p, ":");
		if (len == name_len && strncmp(p, entry, len) == 0)
			return true;
		p += len;
		if (*p == ':')
			p++;
	}
	return false;
}

/* ssh -A: sshd's agent listener runs in the jail (it is forked after the
 * session opened), so its socket is in the jail's /tmp. Passed on only if
 * it really is a socket here; a host path would only confuse ssh-add. */
static bool agent_socket_here(const char *entry)
{
	const char *path = entry + strlen("SSH_AUTH_SOCK=");
	struct stat st;

	return path[0] == '/' && lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	       st.st_uid == getuid();
}

/* XDG_RUNTIME_DIR: the jail makes the user's own /run/user/UID in its
 * fresh /run (init/jail_mounts.c). Exported only if that is what is here, a
 * directory of ours that nobody else can enter; the caller's value (logind's
 * host directory, from pam_systemd) is never taken over. */
static const char *runtime_dir_here(char *buf, size_t cap)
{
	struct stat st;

	snprintf(buf, cap, "/run/user/%u", (unsigned)getuid());
	if (lstat(buf, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 07777) != 0700)
		return NULL;
	return buf;
}

static int add(char **env, size_t *n, const char *name, const char *value)
{
	if (!value)
		return 0;
	if (asprintf(&env[*n], "%s=%s", name, value) < 0) {
		env[*n] = NULL;
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

char **jailsh_build_env(const struct jail_marker *m, const struct jailsh_x11 *x11, char *const *in)
{
	size_t cap = 16, n = 0;
	char **env, rt[32];
	const char *keep = NULL;
	int r = 0;

	for (char *const *p = in; p && *p; p++) {
		cap++;
		if (strncmp(*p, "JAILSH_KEEP_ENV=", 16) == 0)
			keep = *p + 16;
	}
	env = calloc(cap, sizeof(*env));
	if (!env)
		return NULL;

	r |= add(env, &n, "HOME", m->home);
	r |= add(env, &n, "USER", m->user);
	r |= add(env, &n, "LOGNAME", m->user);
	r |= add(env, &n, "SHELL", m->shell);
	r |= add(env, &n, "PATH", m->path);
	/* The module exports these too; the marker's are the proven ones. */
	r |= add(env, &n, "JAIL_ID", m->id);
	r |= add(env, &n, "JAIL_PROFILE", m->profile);
	r |= add(env, &n, "DISPLAY", x11->display);
	r |= add(env, &n, "XAUTHORITY", x11->xauthority);
	r |= add(env, &n, "XDG_RUNTIME_DIR", runtime_dir_here(rt, sizeof(rt)));
	for (char *const *p = in; r == 0 && p && *p; p++) {
		bool pass = is_passed(*p) || is_kept_by_caller(*p, keep) ||
			    (strncmp(*p, "SSH_AUTH_SOCK=", 14) == 0 && agent_socket_here(*p));
		if (!pass)
			continue;
		env[n] = strdup(*p);
		if (!env[n])
			r = -ENOMEM;
		else
			n++;
	}
	if (r) {
		jail_strv_free(env);
		return NULL;
	}
	return env;
}
