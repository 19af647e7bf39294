/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Starting a keeper (jail_proto.h, "Launch handshake"): the module's side.
 * The keeper's side is init/main.c (what it is handed) and init/keeper.c
 * (what it answers).
 */
#ifndef PAM_JAIL_LAUNCH_H
#define PAM_JAIL_LAUNCH_H

#include <sys/types.h>

#include "jail_registry.h"
#include "policy.h"
#include "util.h"

struct jail_launch_result {
	char id[JAIL_ID_HEX_LEN + 1];
	pid_t init_pid, keeper_pid;
};

/*
 * Start a keeper for `key` (call with the key's lock held, after making sure
 * no entry exists): fork, fork again, close every fd but the socketpair end,
 * exec `init_path` with an empty environment (DESIGN.md fact 11); hand it
 * the state dir and the policy; wait for READY. On "ERR ..." the keeper's
 * text is the error message.
 */
int jail_launch(const struct jail_state *st, const char *init_path, const char *key,
		const struct jail_policy *p, struct jail_launch_result *ret,
		struct jail_error *err);

#endif
