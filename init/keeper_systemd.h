/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keeper's calls to systemd's manager over D-Bus (keeper_systemd.c):
 * a transient scope for the jail, limits on a user's slice, a process
 * moved into the jail's scope. Only jail-init uses libsystemd, and loads
 * it on the first call (keeper_sdbus.h). Each call returns a negative
 * errno and fills `err`; the caller (keeper_cgroup.c) decides and logs.
 */
#ifndef PAM_JAIL_KEEPER_SYSTEMD_H
#define PAM_JAIL_KEEPER_SYSTEMD_H

#include <sys/types.h>

#include "policy.h"
#include "util.h"

/* Bound on each call, waiting for the scope's start job included; below
 * the module's JAIL_REPLY_TIMEOUT_MS, so the module gets our reason
 * rather than a timeout of its own. */
#define KEEPER_SYSTEMD_TIMEOUT_MS 8000

/* StartTransientUnit(scope, "fail") in JAIL_SYSTEMD_SLICE with the calling
 * process as its only PID, the profile's limits, Delegate=yes (so that
 * keeper_systemd_attach may move processes in), OOMPolicy=continue (an
 * out-of-memory kill ends that process, not the whole jail) and
 * CollectMode=inactive-or-failed; returns once systemd's start job is
 * done, i.e. the caller now runs in the scope's cgroup. */
int keeper_systemd_start_scope(const char *scope, const char *description,
			       const struct jail_limits *l, struct jail_error *err);

/* SetUnitProperties(unit, runtime=true, the profile's limits). */
int keeper_systemd_set_limits(const char *unit, const struct jail_limits *l,
			      struct jail_error *err);

/* AttachProcessesToUnit(unit, "", [pid]) (systemd >= 248). */
int keeper_systemd_attach(const char *unit, pid_t pid, struct jail_error *err);

#endif
