/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a request to jail-init says (jail_proto.h), read without touching
 * anything: the keeper's control-socket requests and the launch
 * handshake's CREATE. Pure functions, so the parsing is fuzzed on its own
 * (tests/fuzz/fuzz_keeper_proto.c) and the keeper only acts on the result.
 */
#ifndef PAM_JAIL_REQUEST_H
#define PAM_JAIL_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "jail_proto.h"
#include "policy_digest.h"

enum jail_request_kind {
	JAIL_REQ_JOIN,	  /* "JOIN policy=<digest>" + at most one fd (the sender's pidfd) */
	JAIL_REQ_CLOSE,	  /* "CLOSE" */
	JAIL_REQ_STATUS,  /* "STATUS" */
	JAIL_REQ_ENTER,	  /* "ENTER" */
	JAIL_REQ_STOP,	  /* "STOP" */
	JAIL_REQ_BADFD,	  /* any request but JOIN with an fd: "ERR BADREQ unexpected fd" */
	JAIL_REQ_UNKNOWN, /* anything else: "ERR BADREQ unknown request" */
};

struct jail_request {
	enum jail_request_kind kind;
	/* JOIN only: the digest, when the message has one that fits; a JOIN
	 * without it is answered "ERR POLICY" (it names no policy we built). */
	bool has_digest;
	char digest[JAIL_POLICY_DIGEST_HEX];
};

/* `msg` is one received message, NUL-terminated (jail_msg_recv), with
 * `n_fds` descriptors. Never fails: what it does not know is UNKNOWN. */
void jail_request_parse(const char *msg, size_t n_fds, struct jail_request *ret);

/* The launch handshake's first message, "CREATE key=<key>" + exactly one fd
 * (the state directory). 0 with the key in `ret_key`; -EBADMSG when it is
 * not a CREATE with one fd; -EINVAL when the key is missing, too long or
 * not a registry key (jail_key_is_valid). */
int jail_create_request_parse(const char *msg, size_t n_fds, char ret_key[JAIL_KEY_MAX]);

#endif
