/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fds 0, 1 and 2 of a process about to exec, or just started: each open
 * on /dev/null where it must be, never closed. A closed 0..2 is a trap: the
 * next file the program opens takes that number and becomes its stdin or
 * stdout, and a child that inherits it reads or writes it.
 *
 * Async-signal-safe (open, fcntl, dup2, close only): usable between fork
 * and exec in any PAM application. Returns 0 or a negative errno.
 */
#ifndef PAM_JAIL_STDFDS_H
#define PAM_JAIL_STDFDS_H

#include <stdbool.h>

/* Point 0..2 at /dev/null: every one of them (replace_open), or only those
 * that are closed. They end without close-on-exec. */
int jail_stdfds_devnull(bool replace_open);

#endif
