/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: what the keeper makes of a datagram from a jail's
 * /dev/log (lib/syslog_line.h). Besides memory safety: the line for the
 * host is never longer than JAIL_SYSLOG_LINE_MAX, holds no control
 * character (nothing a jailed sender writes can start a line of its own),
 * and a sender other than root never keeps a facility but "user".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "syslog_line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[JAIL_SYSLOG_LINE_MAX + 1];
	struct jail_syslog_in in;
	size_t n;
	int pri;

	jail_syslog_parse((const char *)data, size, &in);
	if (in.body < (const char *)data || in.body + in.body_len > (const char *)data + size)
		abort();
	pri = jail_syslog_allowed_pri(in.pri, 1000);
	if ((pri & LOG_FACMASK) != LOG_USER || (pri & LOG_PRIMASK) < LOG_ERR)
		abort();
	n = jail_syslog_format(out, sizeof(out), pri, "Dec  7 21:58:11", "pam_jail(jail-log)", 1,
			       "user=u id=0 uid=1000 pid=2", in.body, in.body_len);
	if (n > JAIL_SYSLOG_LINE_MAX || strlen(out) != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			abort();
	return 0;
}
