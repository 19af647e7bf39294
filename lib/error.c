/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The error record library code fills instead of logging (see util.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static int error_vset(struct jail_error *err, int code, const char *file, int line, const char *fmt,
		      va_list ap) __attribute__((format(printf, 5, 0)));

static int error_vset(struct jail_error *err, int code, const char *file, int line, const char *fmt,
		      va_list ap)
{
	if (code <= 0)
		code = EINVAL;
	if (!err)
		return -code;
	err->code = code;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	return -code;
}

int jail_error_set(struct jail_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = error_vset(err, code, NULL, 0, fmt, ap);
	va_end(ap);
	return r;
}

int jail_error_set_at(struct jail_error *err, int code, const char *file, int line, const char *fmt,
		      ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = error_vset(err, code, file, line, fmt, ap);
	va_end(ap);
	return r;
}

void jail_error_copy(struct jail_error *dst, const struct jail_error *src)
{
	if (dst && src && dst != src)
		memcpy(dst, src, sizeof(*dst));
}
