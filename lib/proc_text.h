/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a small /proc file (stat, cgroup, timens_offsets, ...) as text.
 * proc hands such a file over in one read. Library code: returns a
 * negative errno.
 */
#ifndef PAM_JAIL_PROC_TEXT_H
#define PAM_JAIL_PROC_TEXT_H

#include <stdint.h>
#include <sys/types.h>

/* `path` into buf as a NUL-terminated string (at most cap - 1 bytes);
 * returns its length, or -errno (-EIO for an empty file). The last
 * component is opened O_NOFOLLOW. */
ssize_t jail_read_proc_text(const char *path, char *buf, size_t cap);

/* Start time (field 22 of /proc/PID/stat) of a process: with its PID, what
 * tells it from a later process that got the same PID. */
int jail_proc_start_time(pid_t pid, uint64_t *ret);

/* Number of threads of the calling process (from /proc/self/status). */
int jail_thread_count(void);

#endif
