/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the keeper protocol as jail-init reads it (jail_proto.h).
 * The input goes through the real transport first, one SOCK_SEQPACKET
 * message received by jail_msg_recv (the length limit, the NUL check),
 * then through both request readers (lib/jail_request.c: the control
 * socket's requests, with 0 and 1 fds, and the launch handshake's CREATE)
 * and jail_msg_get. Besides memory safety it checks what the keeper relies
 * on: a JOIN's digest is a value of the message, NUL-terminated and
 * shorter than the buffer; a CREATE key passes jail_key_is_valid; exactly
 * the exact words CLOSE, STATUS, ENTER, STOP are those requests.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jail_client.h"
#include "jail_proto.h"
#include "jail_request.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sv[2] = { -1, -1 };

static void check_request(const char *msg, size_t n_fds)
{
	struct jail_request req;

	jail_request_parse(msg, n_fds, &req);
	switch (req.kind) {
	case JAIL_REQ_JOIN:
		if (strncmp(msg, "JOIN", 4) != 0 || n_fds > 1)
			abort();
		if (req.has_digest &&
		    (strlen(req.digest) >= sizeof(req.digest) || !strstr(msg, req.digest)))
			abort();
		break;
	case JAIL_REQ_CLOSE:
		if (strcmp(msg, "CLOSE") != 0 || n_fds)
			abort();
		break;
	case JAIL_REQ_STATUS:
		if (strcmp(msg, "STATUS") != 0 || n_fds)
			abort();
		break;
	case JAIL_REQ_ENTER:
		if (strcmp(msg, "ENTER") != 0 || n_fds)
			abort();
		break;
	case JAIL_REQ_STOP:
		if (strcmp(msg, "STOP") != 0 || n_fds)
			abort();
		break;
	case JAIL_REQ_BADFD:
		if (n_fds == 0)
			abort();
		break;
	case JAIL_REQ_UNKNOWN:
		if (n_fds > 0)
			abort();
		break;
	default:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[JAIL_MSG_MAX], key[JAIL_KEY_MAX], val[64];
	ssize_t n;

	if (sv[0] < 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	/* An empty message reads as EOF, as the keeper sees a hang-up. */
	if (size == 0 || size > 2 * JAIL_MSG_MAX)
		return 0;
	if (send(sv[1], data, size, MSG_NOSIGNAL) != (ssize_t)size)
		abort();
	n = jail_msg_recv(sv[0], msg, sizeof(msg), NULL, 0, NULL);
	if (n < 0) {
		/* Refused: too long for the buffer, or a NUL inside. */
		if ((n != -EMSGSIZE || size < sizeof(msg)) &&
		    (n != -EBADMSG || !memchr(data, 0, size)))
			abort();
		return 0;
	}
	if ((size_t)n != size || strlen(msg) != size)
		abort();
	check_request(msg, 0);
	check_request(msg, 1);
	if (jail_create_request_parse(msg, 1, key) == 0 &&
	    (!jail_key_is_valid(key) || strncmp(msg, "CREATE ", 7) != 0))
		abort();
	if (jail_create_request_parse(msg, 0, key) != -EBADMSG)
		abort();
	/* The reply fields the module reads (jail_client.c) use the same
	 * getter: every value fits or is refused, never cut short. */
	static const char *const keys[] = { "id",     "init", "keeper", "profile", "sessions", "ns",
					    "policy", "key",  "user",	"uid",	   "stopping" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int r = jail_msg_get(msg, keys[i], val, sizeof(val));
		if (r == 0 && strlen(val) >= sizeof(val))
			abort();
		if (r != 0 && r != -ENOENT && r != -ENAMETOOLONG)
			abort();
	}
	return 0;
}
