/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lines from the jail's /dev/log: parse, restrict, format, limit (syslog_line.h). */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "syslog_line.h"

#define PRI_MAX 191 /* facility local7 (23 << 3) | severity debug (7) */

/* "<N>" with 1 to 3 digits and N <= PRI_MAX; returns the bytes it took. */
static size_t parse_pri(const char *buf, size_t len, int *ret)
{
	size_t i = 1;
	int v = 0;

	if (len < 3 || buf[0] != '<')
		return 0;
	while (i < len && i <= 3 && buf[i] >= '0' && buf[i] <= '9')
		v = v * 10 + (buf[i++] - '0');
	if (i == 1 || i >= len || buf[i] != '>' || v > PRI_MAX)
		return 0;
	*ret = v;
	return i + 1;
}

/* "Mmm dd hh:mm:ss " (RFC 3164; the day is space-padded); returns 16 or 0. */
static size_t parse_timestamp(const char *s, size_t len)
{
	static const char shape[] = "Aaa Xd dd:dd:dd ";
	const size_t n = sizeof(shape) - 1;

	if (len < n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok;

		switch (shape[i]) {
		case 'A':
			ok = c >= 'A' && c <= 'Z';
			break;
		case 'a':
			ok = c >= 'a' && c <= 'z';
			break;
		case 'X':
			ok = c == ' ' || (c >= '0' && c <= '9');
			break;
		case 'd':
			ok = c >= '0' && c <= '9';
			break;
		default:
			ok = c == shape[i];
		}
		if (!ok)
			return 0;
	}
	return n;
}

void jail_syslog_parse(const char *buf, size_t len, struct jail_syslog_in *ret)
{
	size_t off;

	ret->pri = JAIL_SYSLOG_DEFAULT_PRI;
	off = parse_pri(buf, len, &ret->pri);
	/* The sender's clock is not ours to print (a jail may have a time
	 * namespace); the keeper stamps the line when it forwards it. */
	off += parse_timestamp(buf + off, len - off);
	while (len > off && (buf[len - 1] == '\n' || buf[len - 1] == '\0'))
		len--;
	ret->body = buf + off;
	ret->body_len = len - off;
}

int jail_syslog_allowed_pri(int pri, uid_t uid)
{
	int facility = pri & LOG_FACMASK, severity = pri & LOG_PRIMASK;

	if (uid == 0)
		return (facility == LOG_KERN ? LOG_USER : facility) | severity;
	return LOG_USER | (severity < LOG_ERR ? LOG_ERR : severity);
}

void jail_syslog_timestamp(time_t t, char *buf, size_t cap)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (!localtime_r(&t, &tm)) {
		snprintf(buf, cap, "Jan  1 00:00:00");
		return;
	}
	snprintf(buf, cap, "%s %2d %02d:%02d:%02d", months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
}

static size_t escaped_len(unsigned char c)
{
	return c < 0x20 || c == 0x7f ? 4 : 1;
}

size_t jail_syslog_format(char *out, size_t cap, int pri, const char *ts, const char *ident,
			  int ident_pid, const char *prefix, const char *body, size_t body_len)
{
	static const char cut[] = "...";
	const size_t cut_len = sizeof(cut) - 1;
	size_t limit = cap - 1 < JAIL_SYSLOG_LINE_MAX ? cap - 1 : JAIL_SYSLOG_LINE_MAX;
	size_t n, rest = 0;
	int r;

	r = snprintf(out, cap, "<%d>%s %s[%d]: %s: ", pri, ts, ident, ident_pid, prefix);
	n = r < 0 ? 0 : (size_t)r < limit - cut_len ? (size_t)r : limit - cut_len;
	for (size_t i = 0; i < body_len; i++)
		rest += escaped_len((unsigned char)body[i]);
	/* Whole, or as much as fits before the marker that says it was cut. */
	for (size_t i = 0; i < body_len; i++) {
		unsigned char c = (unsigned char)body[i];
		size_t need = escaped_len(c);

		if (n + rest > limit && n + need > limit - cut_len) {
			memcpy(out + n, cut, cut_len);
			n += cut_len;
			break;
		}
		if (need == 4)
			snprintf(out + n, 5, "#%03o", c);
		else
			out[n] = (char)c;
		n += need;
		rest -= need;
	}
	out[n] = '\0';
	return n;
}

/* ---------------------------------------------------------- rate limit */

static void refill(struct jail_ratelimit *rl, int64_t now_ms)
{
	uint64_t cap = (uint64_t)rl->burst * 1000, elapsed;

	if (now_ms <= rl->last_ms)
		return;
	elapsed = (uint64_t)(now_ms - rl->last_ms);
	rl->last_ms = now_ms;
	/* rate tokens a second = rate thousandths a millisecond; no overflow:
	 * a long pause fills the bucket without multiplying */
	if (elapsed >= (cap - rl->milli) / rl->rate + 1)
		rl->milli = cap;
	else
		rl->milli += elapsed * rl->rate;
	if (rl->milli > cap)
		rl->milli = cap;
}

void jail_ratelimit_init(struct jail_ratelimit *rl, uint32_t rate, uint32_t burst,
			 int64_t period_ms, int64_t now_ms)
{
	memset(rl, 0, sizeof(*rl));
	rl->rate = rate;
	rl->burst = burst ? burst : 1;
	rl->period_ms = period_ms;
	rl->milli = (uint64_t)rl->burst * 1000;
	rl->last_ms = now_ms;
}

bool jail_ratelimit_take(struct jail_ratelimit *rl, int64_t now_ms)
{
	if (rl->rate == 0)
		return true;
	refill(rl, now_ms);
	if (rl->milli >= 1000) {
		rl->milli -= 1000;
		return true;
	}
	if (rl->suppressed++ == 0)
		rl->first_suppressed_ms = now_ms;
	return false;
}

int64_t jail_ratelimit_due(const struct jail_ratelimit *rl)
{
	if (!rl->suppressed)
		return 0;
	/* never 0, which means "none" */
	return rl->first_suppressed_ms + rl->period_ms > 0 ? rl->first_suppressed_ms + rl->period_ms
							   : 1;
}

uint64_t jail_ratelimit_summary(struct jail_ratelimit *rl, int64_t now_ms, bool force,
				int64_t *ret_since_ms)
{
	uint64_t n = rl->suppressed;

	if (!n || (!force && now_ms < rl->first_suppressed_ms + rl->period_ms))
		return 0;
	if (ret_since_ms)
		*ret_since_ms = rl->first_suppressed_ms;
	rl->suppressed = 0;
	return n;
}
