/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The privileges of a jailed session (privs.h): rlimits, capabilities,
 * securebits, no_new_privs and the seccomp filter, applied to the PAM
 * caller in that order (the filter last: it is the only step that could
 * forbid a later one).
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <linux/securebits.h>
#include <seccomp.h>

#include "privs.h"
#include "seccomp_personality.h"
#include "seccomp_socket.h"

/*
 * Denied outright (EPERM). Each either changes what the jail is made of
 * (mounts, namespaces), reaches the kernel as a whole (modules, kexec, bpf,
 * perf, keyrings, which no namespace separates), or is a well-known exploit
 * primitive a shell user does not need (open_by_handle_at walks around
 * the mount tree; userfaultfd stretches kernel races; io_uring is a large
 * attack surface few programs use). Most need capabilities the user lacks
 * anyway: the filter is the second wall, and the first one for what a
 * kernel bug would let through.
 */
const char *const jail_seccomp_builtin_deny[] = {
	"mount",
	"umount2",
	"pivot_root",
	"move_mount",
	"open_tree",
	"fsopen",
	"fsmount",
	"fsconfig",
	"fspick",
	"mount_setattr",
	"kexec_load",
	"kexec_file_load",
	"init_module",
	"finit_module",
	"delete_module",
	"bpf",
	"perf_event_open",
	"keyctl",
	"add_key",
	"request_key",
	"open_by_handle_at",
	"userfaultfd",
	"io_uring_setup",
	"io_uring_enter",
	"io_uring_register",
	NULL,
};

/* Namespace flags refused in clone(2) and unshare(2). CLONE_NEWTIME is
 * only meaningful to unshare (in clone's flags that bit is CSIGNAL's). */
static const unsigned long ns_flags_clone[] = { CLONE_NEWNS,	CLONE_NEWUSER, CLONE_NEWPID,
						CLONE_NEWNET,	CLONE_NEWUTS,  CLONE_NEWIPC,
						CLONE_NEWCGROUP };

bool jail_syscall_known(const char *name)
{
	return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
}

static int set_limit(int resource, const char *name, uint64_t value, struct jail_error *err)
{
	struct rlimit rl = { .rlim_cur = value, .rlim_max = value };

	/* Soft and hard alike: the user may not raise it again. */
	if (setrlimit(resource, &rl) < 0)
		return jail_error_set(err, errno, "setrlimit %s=%llu: %s", name,
				      (unsigned long long)value, strerror(errno));
	return 0;
}

static int apply_limits(const struct jail_limits *l, struct jail_error *err)
{
	int r = 0;

	/* policy.h: 0 (nofile, nproc, fsize) or UINT64_MAX (core) = inherit */
	if (l->nofile)
		r = set_limit(RLIMIT_NOFILE, "nofile", l->nofile, err);
	if (r == 0 && l->nproc)
		r = set_limit(RLIMIT_NPROC, "nproc", l->nproc, err);
	if (r == 0 && l->core_bytes != UINT64_MAX)
		r = set_limit(RLIMIT_CORE, "core", l->core_bytes, err);
	if (r == 0 && l->fsize_bytes)
		r = set_limit(RLIMIT_FSIZE, "fsize", l->fsize_bytes, err);
	return r;
}

static bool cap_kept(char *const *kept, cap_value_t cap)
{
	for (char *const *c = kept; c && *c; c++) {
		cap_value_t v;
		if (cap_from_name(*c, &v) == 0 && v == cap)
			return true;
	}
	return false;
}

int jail_capbset_read(int cap)
{
	int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

	return r < 0 ? -errno : r;
}

static const char *cap_label(int cap, char *buf, size_t len)
{
	char *name = cap_to_name(cap);

	snprintf(buf, len, "%s", name ? name : "?");
	cap_free(name);
	return buf;
}

int jail_caps_verify_bounding(int (*read_cap)(int cap), char *const *kept, struct jail_error *err)
{
	char name[64];

	for (int cap = 0; cap < JAIL_CAP_PROBE_MAX; cap++) {
		int r = read_cap(cap);

		/* EINVAL: past the kernel's last capability. Capability 0
		 * (cap_chown) exists on every kernel: EINVAL there means the
		 * answers cannot be trusted. */
		if (r == -EINVAL && cap > 0)
			continue;
		if (r < 0)
			return jail_error_set(err, r == -EINVAL ? EIO : -r,
					      "reading %s in the bounding set: %s",
					      cap_label(cap, name, sizeof(name)), strerror(-r));
		if (r == 1 && !cap_kept(kept, cap))
			return jail_error_set(err, EPERM,
					      "the bounding set still holds %s after the drop",
					      cap_label(cap, name, sizeof(name)));
	}
	return 0;
}

/* Read back what apply_caps set: every privilege step is checked after
 * it is applied, so a call that reported success but did not take (or a
 * kernel that answers differently) refuses the session. */
static int verify_caps_applied(int bits, struct jail_error *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	int r;

	r = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (r < 0)
		return jail_error_set(err, errno, "reading securebits: %s", strerror(errno));
	if (r != bits)
		return jail_error_set(err, EPERM, "securebits are %#x after setting %#x", r, bits);
	for (int cap = 0; cap < JAIL_CAP_PROBE_MAX; cap++) {
		r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);
		if (r < 0 && errno == EINVAL && cap > 0)
			continue;
		if (r != 0)
			return jail_error_set(err, r < 0 ? errno : EPERM,
					      "the ambient set is not empty (capability %d)", cap);
	}
	/* The raw call, both 32-bit words: libcap's view stops at the
	 * capabilities it knows. */
	if (capget(&hdr, data) < 0)
		return jail_error_set(err, errno, "capget: %s", strerror(errno));
	if (data[0].inheritable || data[1].inheritable)
		return jail_error_set(err, EPERM, "the inheritable set is not empty (%#llx)",
				      (unsigned long long)data[1].inheritable << 32 |
					      data[0].inheritable);
	return 0;
}

/*
 * What the caller keeps: its effective and permitted sets (it is still
 * sshd's monitor or su). What it loses: every way of passing privilege on.
 *   bounding set  exec can grant nothing but the profile's names
 *   inheritable   cleared (file-inheritable caps are not bounded by the
 *                 bounding set)
 *   ambient       cleared, and raising it forbidden
 *   securebits    NOROOT (unless the profile keeps capabilities): uid 0
 *                 and set-user-ID-root execs get no caps;
 *                 NO_SETUID_FIXUP stays OFF and is locked off: the caller's
 *                 children switch from root to the user with setuid(), and
 *                 the fixup is what strips their capabilities then;
 *                 KEEP_CAPS locked off for the same reason.
 */
static int apply_caps(const struct jail_policy *p, struct jail_error *err)
{
	/* Kept capabilities are for uid 0 in the jail (a jailed root): only
	 * then may a root exec gain them. The users' set-user-ID-root
	 * binaries still gain nothing: nosuid mounts, no_new_privs. */
	const int bits = (p->capabilities ? 0 : SECBIT_NOROOT) | SECBIT_NOROOT_LOCKED |
			 SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
			 SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	cap_t caps;
	int r;

	for (char **c = p->capabilities; c && *c; c++) {
		cap_value_t v;
		if (cap_from_name(*c, &v) < 0)
			return jail_error_set(err, EINVAL, "unknown capability '%s'", *c);
	}
	/* Every number up to 63, not libcap's cap_max_bits(): libcap finds
	 * that count by probing with PR_CAPBSET_READ, and one failed probe
	 * makes it answer short (32 or 40), which left the capabilities above
	 * in the set. The kernel says EINVAL past its own last one. */
	for (int cap = 0; cap < JAIL_CAP_PROBE_MAX; cap++) {
		char name[64];

		if (cap_kept(p->capabilities, cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return jail_error_set(err, errno, "dropping %s from the bounding set: %s",
					      cap_label(cap, name, sizeof(name)), strerror(errno));
	}
	/* Then read back what the kernel now holds (fail closed). */
	if ((r = jail_caps_verify_bounding(jail_capbset_read, p->capabilities, err)) < 0)
		return r;
	if (cap_reset_ambient() < 0)
		return jail_error_set(err, errno, "clearing the ambient set: %s", strerror(errno));
	caps = cap_get_proc();
	if (!caps)
		return jail_error_set(err, errno, "cap_get_proc: %s", strerror(errno));
	r = cap_clear_flag(caps, CAP_INHERITABLE);
	if (r == 0)
		r = cap_set_proc(caps);
	cap_free(caps);
	if (r < 0)
		return jail_error_set(err, errno, "clearing the inheritable set: %s",
				      strerror(errno));
	/* A second session in the same process (a test's loop) finds the
	 * bits already set and locked: setting the same value is allowed. */
	if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0)
		return jail_error_set(err, errno, "locking securebits: %s", strerror(errno));
	return verify_caps_applied(bits, err);
}

static int deny(scmp_filter_ctx ctx, int nr, unsigned n_cmp, const struct scmp_arg_cmp *cmp,
		const char *what, struct jail_error *err)
{
	int r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM), nr, n_cmp, cmp);

	if (r < 0)
		return jail_error_set(err, -r, "seccomp rule for %s: %s", what, strerror(-r));
	return 0;
}

static int build_filter(scmp_filter_ctx ctx, const struct jail_policy *p, struct jail_error *err)
{
	int r;

	/* Other system call tables (i386, x32 on x86_64) are not added to the
	 * filter: every call through them fails, instead of reopening what the
	 * native table denies under other numbers. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(EPERM));
	if (r == 0)
		/* no_new_privs = false must stay false: the filter is loaded
		 * with CAP_SYS_ADMIN instead. */
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, p->no_new_privs ? 1 : 0);
	if (r < 0)
		return jail_error_set(err, -r, "seccomp attributes: %s", strerror(-r));

	for (const char *const *s = jail_seccomp_builtin_deny; *s; s++) {
		int nr = seccomp_syscall_resolve_name(*s);
		/* A name this libseccomp does not know for this arch cannot be
		 * called through the native table: nothing to deny. */
		if (nr == __NR_SCMP_ERROR)
			continue;
		if ((r = deny(ctx, nr, 0, NULL, *s, err)) < 0)
			return r;
	}
	for (char **s = p->seccomp_deny; s && *s; s++) {
		int nr = seccomp_syscall_resolve_name(*s);
		if (nr == __NR_SCMP_ERROR)
			return jail_error_set(err, EINVAL,
					      "seccomp.deny: '%s' is not a system call "
					      "of this machine",
					      *s);
		if ((r = deny(ctx, nr, 0, NULL, *s, err)) < 0)
			return r;
	}

	/* New namespaces: unshare and clone with any CLONE_NEW* flag. */
	for (size_t i = 0; i < sizeof(ns_flags_clone) / sizeof(ns_flags_clone[0]); i++) {
		const unsigned long f = ns_flags_clone[i];
		const struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_MASKED_EQ, f, f);
		if ((r = deny(ctx, SCMP_SYS(unshare), 1, &c, "unshare", err)) < 0 ||
		    (r = deny(ctx, SCMP_SYS(clone), 1, &c, "clone", err)) < 0)
			return r;
	}
	{
		const struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWTIME,
						      CLONE_NEWTIME);
		if ((r = deny(ctx, SCMP_SYS(unshare), 1, &c, "unshare", err)) < 0)
			return r;
	}
	/* clone3 passes its flags in memory a filter cannot read: ENOSYS makes
	 * glibc fall back to clone, whose flags are checked above. */
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (r < 0)
		return jail_error_set(err, -r, "seccomp rule for clone3: %s", strerror(-r));

	/* Typing into the terminal of whoever reads it next (TIOCSTI), the
	 * Linux console's selection paste (TIOCLINUX), and setting a tty's
	 * line discipline (TIOCSETD: autoloads the discipline's module; a
	 * history of local-root bugs, e.g. CVE-2017-2636 in n_hdlc,
	 * CVE-2023-6546 in n_gsm). The kernel takes the command as 32 bits:
	 * compare only those. */
	static const unsigned long tty_ioctls[] = { TIOCSTI, TIOCLINUX, TIOCSETD };
	for (size_t i = 0; i < sizeof(tty_ioctls) / sizeof(tty_ioctls[0]); i++) {
		const struct scmp_arg_cmp c = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
						      tty_ioctls[i]);
		if ((r = deny(ctx, SCMP_SYS(ioctl), 1, &c, "ioctl", err)) < 0)
			return r;
	}
	return 0;
}

static int apply_seccomp(const struct jail_policy *p, struct jail_error *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return jail_error_set(err, ENOMEM, "seccomp_init failed");
	r = build_filter(ctx, p, err);
	/* personality(2): a filter of its own (seccomp_personality.h) */
	if (r == 0)
		r = jail_seccomp_personality_load(err);
	/* socket families: a filter of its own too (seccomp_socket.h) */
	if (r == 0)
		r = jail_seccomp_socket_load(p->seccomp_allow_families, err);
	if (r == 0) {
		r = seccomp_load(ctx);
		if (r < 0)
			r = jail_error_set(err, -r, "loading the seccomp filter: %s", strerror(-r));
	}
	seccomp_release(ctx);
	return r;
}

int jail_privs_apply(const struct jail_policy *p, struct jail_error *err)
{
	int r;

	if ((r = apply_limits(&p->limits, err)) < 0)
		return r;
	if ((r = apply_caps(p, err)) < 0)
		return r;
	if (p->no_new_privs) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return jail_error_set(err, errno, "no_new_privs: %s", strerror(errno));
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
			return jail_error_set(err, EPERM, "no_new_privs did not take");
	}
	if (p->seccomp) {
		if ((r = apply_seccomp(p, err)) < 0)
			return r;
		/* 2 = SECCOMP_MODE_FILTER (prctl stays allowed by the filter) */
		if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2)
			return jail_error_set(err, EPERM, "the seccomp filter did not take");
	}
	return 0;
}
