/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unsigned decimal numbers written by hand rather than read with
 * strtoull(): strtoull() skips leading white space, takes a sign ("-1" is
 * ULLONG_MAX) and a base prefix, none of which a size, a wire value or a
 * marker field may have.
 */
#ifndef PAM_JAIL_DECIMAL_H
#define PAM_JAIL_DECIMAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The decimal digits at the start of `s` (at most `len` characters): their
 * value into *ret, and how many there were (0: `s` does not start with a
 * digit; *ret is then untouched). -ERANGE when the value exceeds `max`.
 * What follows the digits is the caller's to judge.
 */
ssize_t jail_parse_decimal(const char *s, size_t len, uint64_t max, uint64_t *ret);

#endif
