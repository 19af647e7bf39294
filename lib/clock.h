/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one clock for deadlines and durations: CLOCK_MONOTONIC, which no
 * settimeofday() or NTP step moves. (A jail's time namespace offsets it for
 * the jail's processes only; the keeper and the module read the host's,
 * lib/timens.h.)
 */
#ifndef PAM_JAIL_CLOCK_H
#define PAM_JAIL_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Microseconds since an arbitrary start (boot). clock_gettime() cannot
 * fail for CLOCK_MONOTONIC with a valid pointer. */
static inline int64_t jail_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The same in milliseconds. */
static inline int64_t jail_mono_ms(void)
{
	return jail_mono_us() / 1000;
}

#endif
