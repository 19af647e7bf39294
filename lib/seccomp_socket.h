/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seccomp filter's socket-family rule: socket(2) and socketpair(2) are
 * allowed only for the address families a login session needs, loaded as
 * a filter of its own next to the main one (lib/privs.c), like the
 * personality rule (seccomp_personality.h) and for the same reason: "every
 * family but a few" is several not-equal comparisons of one argument, which
 * libseccomp cannot put in one rule.
 *
 * Allowed by default: unix, inet, inet6, netlink. Every other family fails
 * with EAFNOSUPPORT, the kernel's own answer for a family it lacks, so
 * programs that probe a family fall back as they would on a kernel built
 * without it. Why deny the rest: AF_VSOCK is not network-namespace aware
 * (a loopback-only jail could reach the hypervisor and other guests);
 * AF_ALG, AF_TIPC, AF_KEY, AF_RDS, AF_CAN, AF_BLUETOOTH, AF_XDP, ... are
 * kernel attack surface no login uses; AF_PACKET needs CAP_NET_RAW, which
 * jailed users lack. A profile allows more with seccomp.allow_families.
 *
 * Library code: returns negative errno and fills struct jail_error.
 */
#ifndef PAM_JAIL_SECCOMP_SOCKET_H
#define PAM_JAIL_SECCOMP_SOCKET_H

#include <stdbool.h>

#include "util.h"

/* The families allowed without a profile's say (names as in
 * jail_socket_family_number; NULL-terminated). */
extern const char *const jail_socket_families_default[];

/* The number of a family name ("vsock" = AF_VSOCK), or -ENOENT. */
int jail_socket_family_number(const char *name);

/* Would socket(family, ...) pass the filter, with `more` (family names,
 * NULL-terminated, may be NULL) allowed on top of the default? */
bool jail_socket_family_allowed(int family, char *const *more);

/* Load the filter into the calling thread (needs no_new_privs or
 * CAP_SYS_ADMIN). An unknown name in `more` is -EINVAL. */
int jail_seccomp_socket_load(char *const *more, struct jail_error *err);

#endif
