/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The privileges of a jailed session: what the session process (sshd's
 * root monitor, su's parent, ...) carries into every process the user
 * runs, applied to the caller once it is in the jail.
 *
 * The user's processes descend from the PAM caller, not from the jail's
 * init (DESIGN.md facts 1, 2), so this is done to the caller itself, and
 * only in ways the caller survives: the caller keeps its own effective and
 * permitted capabilities (it still chowns the pty, writes utmp, answers
 * close_session) and only loses the ability to hand privileges on.
 *
 *   rlimits      nofile, nproc, core, fsize from the profile (inherited)
 *   capabilities bounding set emptied (but for the profile's names),
 *                ambient and inheritable sets cleared, securebits locked
 *                so that uid 0 and set-user-ID-root gain nothing on exec
 *   no_new_privs set-user-ID / file-capability binaries gain nothing
 *   seccomp      the deny list below (+ the profile's), EPERM not a kill
 *
 * Everything here is PAM-free and never logs.
 */
#ifndef PAM_JAIL_PRIVS_H
#define PAM_JAIL_PRIVS_H

#include "policy.h"
#include "util.h"

/* The built-in seccomp deny list (NULL-terminated; docs/jail.conf.5). */
extern const char *const jail_seccomp_builtin_deny[];

/* Is `name` a system call libseccomp knows for this machine's
 * architecture? (A profile's seccomp.deny entry must be one.) */
bool jail_syscall_known(const char *name);

/* Capability numbers dropped and read back: all that the kernel's 64-bit
 * sets can name, whatever libcap believes the kernel's count is. */
#define JAIL_CAP_PROBE_MAX 64

/* PR_CAPBSET_READ of `cap`: 1 held, 0 not, -EINVAL past the kernel's last
 * capability, another -errno when the read failed. */
int jail_capbset_read(int cap);

/*
 * Check the bounding set after the drop: every capability 0..63 that
 * read_cap (jail_capbset_read, or a test's stand-in) says is held must be
 * one of `kept` (capability names, NULL-terminated; may be NULL). A failed
 * read, or EINVAL for capability 0 (which every kernel has), refuses too.
 */
int jail_caps_verify_bounding(int (*read_cap)(int cap), char *const *kept, struct jail_error *err);

/*
 * Apply the profile's privileges to the calling process. Must run
 * single-threaded (the seccomp filter is per thread) and after every mount
 * the caller makes in the jail. On failure the process may hold some of
 * the restrictions: the caller must not hand out the session. Each step is
 * read back after it is applied (bounding, ambient and inheritable sets,
 * securebits, no_new_privs, seccomp mode); a mismatch is a failure.
 */
int jail_privs_apply(const struct jail_policy *p, struct jail_error *err);

#endif
