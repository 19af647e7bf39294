/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The module's own syslog connection (pam_log.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "pam_log.h"
#include "syslog_line.h"

extern char *program_invocation_short_name;

int pam_jail_log_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = _PATH_LOG };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

void pam_jail_log(pam_handle_t *pamh, int fd, int priority, const char *fmt, ...)
{
	const void *service = NULL;
	char text[1024], line[1400], ts[32];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);

	if (fd >= 0) {
		if (pam_get_item(pamh, PAM_SERVICE, &service) != PAM_SUCCESS || !service)
			service = "<unknown>";
		jail_syslog_timestamp(time(NULL), ts, sizeof(ts));
		n = snprintf(line, sizeof(line), "<%d>%s %s[%d]: pam_jail(%s:session): %s",
			     LOG_AUTHPRIV | (priority & LOG_PRIMASK), ts,
			     program_invocation_short_name, (int)getpid(), (const char *)service,
			     text);
		if (n > 0) {
			size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
			if (send(fd, line, len, MSG_NOSIGNAL) == (ssize_t)len)
				return;
		}
	}
	pam_syslog(pamh, priority, "%s", text);
}
