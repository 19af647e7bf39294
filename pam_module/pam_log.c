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

/* RFC 3164's "Mmm dd hh:mm:ss" in local time, as glibc's syslog() writes
 * it; month names fixed, whatever the caller's locale. */
static void timestamp(char *buf, size_t cap)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm)) {
		snprintf(buf, cap, "Jan  1 00:00:00");
		return;
	}
	snprintf(buf, cap, "%s %2d %02d:%02d:%02d", months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
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
		timestamp(ts, sizeof(ts));
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
