/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unsigned decimal numbers (decimal.h). */
#include <errno.h>

#include "decimal.h"

ssize_t jail_parse_decimal(const char *s, size_t len, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		uint64_t d = (uint64_t)(s[i] - '0');
		/* v * 10 + d > max, asked without overflowing */
		if (d > max || v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (i > 0)
		*ret = v;
	return (ssize_t)i;
}
