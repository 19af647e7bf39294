/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sizes ("256M") and durations ("10m") as an administrator writes them.
 *
 * Digits are parsed by hand rather than with strtoull(): strtoull() skips
 * leading blanks and accepts a sign ("-1" silently becomes 2^64-1), which
 * would turn a typo into an unlimited tmpfs.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "decimal.h"
#include "policy.h"

/* Leading decimal digits of `s` -> *ret; returns the first non-digit or
 * NULL when there are no digits or the value overflows. */
static const char *parse_digits(const char *s, uint64_t *ret)
{
	ssize_t n = jail_parse_decimal(s, strlen(s), UINT64_MAX, ret);

	return n > 0 ? s + n : NULL;
}

int jail_parse_size(const char *s, uint64_t *ret_bytes)
{
	static const char units[] = "KMGT";
	const char *p, *u;
	uint64_t v, mult = 1;

	if (!s)
		return -EINVAL;
	p = parse_digits(s, &v);
	if (!p)
		return *s >= '0' && *s <= '9' ? -ERANGE : -EINVAL;
	if (*p) {
		u = strchr(units, toupper((unsigned char)*p));
		if (!u)
			return -EINVAL;
		for (const char *q = units; q <= u; q++)
			mult *= 1024;
		p++;
		/* "M", "MB", "MiB" all mean 2^20: nobody sizes a tmpfs in 10^6 bytes */
		if (strcasecmp(p, "iB") != 0 && strcasecmp(p, "B") != 0 && *p != '\0')
			return -EINVAL;
	}
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*ret_bytes = v * mult;
	return 0;
}

int jail_parse_duration(const char *s, uint32_t *ret_seconds)
{
	const char *p;
	uint64_t v, mult;

	if (!s)
		return -EINVAL;
	p = parse_digits(s, &v);
	if (!p)
		return *s >= '0' && *s <= '9' ? -ERANGE : -EINVAL;
	switch (*p) {
	case '\0':
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		return -EINVAL;
	}
	if (*p && p[1])
		return -EINVAL;
	if (v > UINT32_MAX / mult)
		return -ERANGE;
	*ret_seconds = (uint32_t)(v * mult);
	return 0;
}
