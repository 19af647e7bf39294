/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The jail's hostname from the profile's template, for any user name.
 *
 * A login name may hold what a hostname cannot: '_' (john_doe, student
 * ids), '@' and '.' (SSSD's fully qualified alice@example.edu), upper case,
 * or be longer than a DNS label. A name must never lock its user out, so in
 * a hostname %u and %g are mapped rather than copied (docs/jail.conf.5,
 * "hostname", states the same rule):
 *   - letters are lower-cased; every byte that is not a letter, digit or '-'
 *     (a UTF-8 sequence too, byte by byte) becomes '-';
 *   - each '.'-separated label loses its leading and trailing '-'; a label
 *     left empty becomes 'x' and 8 hex digits of the hash below;
 *   - a result longer than 63 characters (one DNS label) is cut to 54,
 *     loses trailing '-' and '.', and ends in '-' and those 8 hex digits.
 * The hash is SHA-256 of the unmapped expansion (the template with the
 * names as NSS gave them), so the same name always gets the same hostname
 * and long names that share a prefix stay apart. The literal parts were
 * checked when the policy was loaded (policy_parse.c), which makes every
 * result valid; jail_hostname_is_valid() checks it once more all the same.
 */
#include <string.h>

#include "sha256.h"
#include "policy_internal.h"

#define HOSTNAME_MAX	 63 /* one DNS label; Linux itself takes 64 */
#define HOSTNAME_TAG_HEX 8

static char map_name_char(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
		return (char)c;
	return '-';
}

/* The template with %u and %g mapped, literal characters as they are. */
static int map_template(const char *tmpl, const struct jail_match *m, char **ret,
			struct jail_error *err)
{
	size_t cap = 1;
	_cleanup_free_ char *out = NULL;
	char *o;

	for (const char *p = tmpl; *p; p++) {
		if (*p != '%') {
			cap++;
			continue;
		}
		p++;
		if (*p == 'u')
			cap += strlen(m->user);
		else if (*p == 'g')
			cap += strlen(m->group);
		else /* the loader refused %h, %% and the rest here */
			return jail_error_set(err, EINVAL, "bad expansion in hostname '%s'", tmpl);
	}
	o = out = malloc(cap);
	if (!out)
		return jail_error_set(err, ENOMEM, "out of memory");
	for (const char *p = tmpl; *p; p++) {
		const char *name;

		if (*p != '%') {
			*o++ = *p;
			continue;
		}
		name = *++p == 'u' ? m->user : m->group;
		for (; *name; name++)
			*o++ = map_name_char((unsigned char)*name);
	}
	*o = '\0';
	*ret = steal_pointer(&out);
	return 0;
}

/* `mapped` with each label trimmed of '-' and empty labels replaced. */
static int trim_labels(const char *mapped, const char *tag, char **ret, struct jail_error *err)
{
	size_t labels = 1;
	_cleanup_free_ char *out = NULL;
	char *o;

	for (const char *p = mapped; *p; p++)
		labels += *p == '.';
	o = out = malloc(strlen(mapped) + labels * (strlen(tag) + 1) + 1);
	if (!out)
		return jail_error_set(err, ENOMEM, "out of memory");
	for (const char *p = mapped;;) {
		const char *end = strchrnul(p, '.'), *a = p, *b = end;

		while (a < b && *a == '-')
			a++;
		while (b > a && b[-1] == '-')
			b--;
		if (a == b) {
			o = stpcpy(o, tag);
		} else {
			memcpy(o, a, (size_t)(b - a));
			o += b - a;
		}
		if (!*end)
			break;
		*o++ = '.';
		p = end + 1;
	}
	*o = '\0';
	*ret = steal_pointer(&out);
	return 0;
}

int jail_hostname_expand(const char *tmpl, const struct jail_match *m, char **ret,
			 struct jail_error *err)
{
	_cleanup_free_ char *raw = NULL, *mapped = NULL, *out = NULL;
	struct jailroot_sha256 s;
	uint8_t digest[JAILROOT_SHA256_LEN];
	char hex[JAILROOT_SHA256_HEX], tag[1 + HOSTNAME_TAG_HEX + 1];
	size_t n;
	int r;

	*ret = NULL;
	r = jail_expand(tmpl, m, &raw, err);
	if (r < 0)
		return r;
	jailroot_sha256_init(&s);
	jailroot_sha256_update(&s, raw, strlen(raw));
	jailroot_sha256_final(&s, digest);
	jailroot_sha256_hex(digest, hex);
	hex[HOSTNAME_TAG_HEX] = '\0';
	tag[0] = 'x';
	memcpy(tag + 1, hex, HOSTNAME_TAG_HEX + 1);

	r = map_template(tmpl, m, &mapped, err);
	if (r < 0)
		return r;
	r = trim_labels(mapped, tag, &out, err);
	if (r < 0)
		return r;
	n = strlen(out);
	if (n > HOSTNAME_MAX) {
		/* room for "-" and the hex digits; out has at least that many */
		n = HOSTNAME_MAX - 1 - HOSTNAME_TAG_HEX;
		while (n > 0 && (out[n - 1] == '-' || out[n - 1] == '.'))
			n--;
		out[n] = '-';
		memcpy(out + n + 1, hex, HOSTNAME_TAG_HEX + 1);
	}
	if (!jail_hostname_is_valid(out))
		return jail_error_set(err, EINVAL,
				      "hostname '%s' derived from '%s' is not valid (a bug: please "
				      "report it)",
				      out, raw);
	*ret = steal_pointer(&out);
	return 0;
}

bool jail_hostname_is_valid(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (n == 0 || n > HOSTNAME_MAX)
		return false;
	for (const char *p = s;; p++) {
		if (*p == '.' || !*p) {
			if (label == 0 || p[-1] == '-')
				return false;
			if (!*p)
				return true;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || (*p == '-' && label > 0)))
			return false;
		label++;
	}
}
