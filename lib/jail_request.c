/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading keeper requests (jail_request.h). */
#include <errno.h>
#include <string.h>

#include "jail_client.h"
#include "jail_request.h"
#include "msg.h"

void jail_request_parse(const char *msg, size_t n_fds, struct jail_request *ret)
{
	*ret = (struct jail_request){ .kind = JAIL_REQ_UNKNOWN };
	/* "JOIN" is a word of its own: "JOINED" or "JOINpolicy=" is not one. */
	if (strncmp(msg, "JOIN", 4) == 0 && (msg[4] == '\0' || msg[4] == ' ') && n_fds <= 1) {
		ret->kind = JAIL_REQ_JOIN;
		ret->has_digest = jail_msg_get(msg, "policy", ret->digest, sizeof(ret->digest)) ==
				  0;
		if (!ret->has_digest)
			ret->digest[0] = '\0';
		return;
	}
	if (n_fds > 0)
		ret->kind = JAIL_REQ_BADFD;
	else if (strcmp(msg, "CLOSE") == 0)
		ret->kind = JAIL_REQ_CLOSE;
	else if (strcmp(msg, "STATUS") == 0)
		ret->kind = JAIL_REQ_STATUS;
	else if (strcmp(msg, "ENTER") == 0)
		ret->kind = JAIL_REQ_ENTER;
	else if (strcmp(msg, "STOP") == 0)
		ret->kind = JAIL_REQ_STOP;
}

int jail_create_request_parse(const char *msg, size_t n_fds, char ret_key[JAIL_KEY_MAX])
{
	if (strncmp(msg, "CREATE ", 7) != 0 || n_fds != 1)
		return -EBADMSG;
	if (jail_msg_get(msg, "key", ret_key, JAIL_KEY_MAX) < 0 || !jail_key_is_valid(ret_key))
		return -EINVAL;
	return 0;
}
