/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A jail's login records, filtered and rewritten for the host (utmp_record.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "utmp_record.h"

/* Hex digits of the jail id in the host's line: "j" + 5 + "/" + "pts/0" is
 * 12 characters, all that `last` shows of a line. */
#define ID_PREFIX_LEN 5

/* Length of a fixed-size field that need not be NUL-terminated. */
static size_t field_len(const char *s, size_t size)
{
	return strnlen(s, size);
}

static bool line_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '/' || c == '_' || c == '-';
}

/* The hex digits of the jail id, at most `max` (the id is ours, but a
 * field built from it must hold only what the comment promises). */
static size_t id_prefix(const char *jail_id, char *out, size_t max)
{
	size_t n = 0;

	while (n < max && jail_id &&
	       ((jail_id[n] >= '0' && jail_id[n] <= '9') ||
		(jail_id[n] >= 'a' && jail_id[n] <= 'f'))) {
		out[n] = jail_id[n];
		n++;
	}
	out[n] = '\0';
	return n;
}

void jail_utmp_host_line(const char *jail_id, const char *line, size_t line_size,
			 char ret_line[__UT_LINESIZE])
{
	char prefix[ID_PREFIX_LEN + 1];
	size_t n, len = field_len(line, line_size);

	memset(ret_line, 0, __UT_LINESIZE);
	id_prefix(jail_id, prefix, ID_PREFIX_LEN);
	n = (size_t)snprintf(ret_line, __UT_LINESIZE, "j%s/", prefix);
	/* '.' is not kept: no "..", so `w`, which stats /dev/<line>, is
	 * never sent up the tree by a line the jail chose. */
	for (size_t i = 0; i < len && n < __UT_LINESIZE - 1; i++)
		ret_line[n++] = line_char_ok(line[i]) ? line[i] : '_';
}

void jail_utmp_host_id(const char *jail_id, const char host_line[__UT_LINESIZE], unsigned attempt,
		       char ret_id[4])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, 64 bit */
	size_t len = field_len(host_line, __UT_LINESIZE);

	for (size_t i = 0; jail_id && jail_id[i]; i++)
		h = (h ^ (unsigned char)jail_id[i]) * 0x100000001b3ULL;
	h = (h ^ '/') * 0x100000001b3ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)host_line[i]) * 0x100000001b3ULL;
	for (int i = 0; i < 4; i++)
		h = (h ^ ((attempt >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
	/* 'J' first: login programs take the id from the end of the line
	 * ("ts/0", "tty1", "1"), which seldom starts with it; the keeper
	 * still checks that the id is free on the host. */
	ret_id[0] = 'J';
	for (int i = 1; i < 4; i++) {
		ret_id[i] = alphabet[h % (sizeof(alphabet) - 1)];
		h /= sizeof(alphabet) - 1;
	}
}

/* A remote host name, printable ASCII without blanks and brackets, then
 * the jail's tag, whole; NUL-terminated in `size`. */
static void tagged_host(const char *host, size_t host_size, const char *jail_id, char *out,
			size_t size)
{
	char id[JAIL_ID_HEX_LEN + 1], tag[JAIL_ID_HEX_LEN + 16];
	size_t len = field_len(host, host_size), n = 0, room;

	memset(out, 0, size);
	id_prefix(jail_id, id, JAIL_ID_HEX_LEN);
	snprintf(tag, sizeof(tag), "%s[jail %s]", len ? " " : "", id);
	room = size - 1 - strlen(tag);
	for (size_t i = 0; i < len && n < room; i++) {
		char c = host[i];
		out[n++] = (c > ' ' && c < 0x7f && c != '[' && c != ']') ? c : '?';
	}
	memcpy(out + n, tag, strlen(tag));
}

/* `field` (sizeof `size`, maybe not NUL-terminated) is exactly `user`, or
 * its first `size` bytes when the name is longer (sshd cuts it there). */
static bool user_is(const char *field, size_t size, const char *user)
{
	size_t len = field_len(field, size), want = strlen(user);

	if (want > size)
		want = size;
	return len == want && memcmp(field, user, len) == 0;
}

/* A field, quoted for a log line: printable, cut at its size. */
static void shown(const char *field, size_t size, char *out, size_t out_size)
{
	size_t len = field_len(field, size), n = 0;

	for (size_t i = 0; i < len && n + 1 < out_size; i++)
		out[n++] = (field[i] >= ' ' && field[i] < 0x7f) ? field[i] : '?';
	out[n] = '\0';
}

int jail_utmp_record_for_host(const struct utmpx *in, const struct jail_utmp_owner *o,
			      struct utmpx *ret_out, struct jail_error *err)
{
	char user[sizeof(in->ut_user) + 1], line[sizeof(in->ut_line) + 1];

	shown(in->ut_user, sizeof(in->ut_user), user, sizeof(user));
	shown(in->ut_line, sizeof(in->ut_line), line, sizeof(line));
	if (in->ut_type == EMPTY)
		return 0;
	if (in->ut_type != USER_PROCESS && in->ut_type != DEAD_PROCESS)
		return jail_error_set(err, EINVAL, "a record of type %d (line '%s', user '%s')",
				      (int)in->ut_type, line, user);
	if (field_len(in->ut_line, sizeof(in->ut_line)) == 0)
		return jail_error_set(err, EINVAL, "a record without a line (user '%s')", user);
	/* A logout may name no one (logout(3) clears the name), a login must
	 * name the jail's user: the jail cannot log in someone else. */
	if (!user_is(in->ut_user, sizeof(in->ut_user), o->user) &&
	    !(in->ut_type == DEAD_PROCESS && in->ut_user[0] == '\0'))
		return jail_error_set(err, EPERM, "a record naming user '%s' (line '%s')", user,
				      line);

	memset(ret_out, 0, sizeof(*ret_out));
	ret_out->ut_type = in->ut_type;
	ret_out->ut_pid = in->ut_pid;
	jail_utmp_host_line(o->jail_id, in->ut_line, sizeof(in->ut_line), ret_out->ut_line);
	jail_utmp_host_id(o->jail_id, ret_out->ut_line, 0, ret_out->ut_id);
	if (in->ut_user[0])
		memcpy(ret_out->ut_user, in->ut_user, field_len(in->ut_user, sizeof(in->ut_user)));
	if (in->ut_type == USER_PROCESS)
		tagged_host(in->ut_host, sizeof(in->ut_host), o->jail_id, ret_out->ut_host,
			    sizeof(ret_out->ut_host));
	ret_out->ut_exit = in->ut_exit;
	ret_out->ut_session = in->ut_session;
	ret_out->ut_tv = in->ut_tv;
	memcpy(ret_out->ut_addr_v6, in->ut_addr_v6, sizeof(ret_out->ut_addr_v6));
	return 1;
}

int jail_lastlog_for_host(const struct lastlog *in, const struct jail_utmp_owner *o,
			  struct lastlog *ret_out)
{
	if (in->ll_time == 0 && !in->ll_line[0] && !in->ll_host[0])
		return 0;
	memset(ret_out, 0, sizeof(*ret_out));
	ret_out->ll_time = in->ll_time;
	jail_utmp_host_line(o->jail_id, in->ll_line, sizeof(in->ll_line), ret_out->ll_line);
	tagged_host(in->ll_host, sizeof(in->ll_host), o->jail_id, ret_out->ll_host,
		    sizeof(ret_out->ll_host));
	return 1;
}
