/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libsystemd's sd-bus, loaded by the keeper when it first needs it.
 *
 * Why not linked: libsystemd.so.0 pulls in libgcrypt, libgpg-error,
 * liblzma, libzstd and liblz4. Linked into jail-init, every jail paid for
 * loading six libraries (~60 system calls on the cold login path) and for
 * their private pages in the keeper, on hosts without systemd too, where
 * no D-Bus call is ever made: `make bench` measured +0.13 MiB per jail and
 * about +3 ms per new jail. Only a keeper on a systemd host calls
 * keeper_sdbus_load() (from keeper_systemd.c); there the D-Bus round
 * trips cost far more than the load.
 *
 * keeper_systemd.c includes this header and calls sd_bus_* by their usual
 * names: the macros below turn each call into one through the table.
 */
#ifndef PAM_JAIL_KEEPER_SDBUS_H
#define PAM_JAIL_KEEPER_SDBUS_H

#include <systemd/sd-bus.h>

#include "util.h"

/* The soname the keeper loads (libsystemd0 on Debian). */
#define KEEPER_SDBUS_SONAME "libsystemd.so.0"

#define KEEPER_SDBUS_FUNCS(X)                                                                      \
	X(sd_bus_open_system)                                                                      \
	X(sd_bus_flush_close_unref)                                                                \
	X(sd_bus_call)                                                                             \
	X(sd_bus_process)                                                                          \
	X(sd_bus_wait)                                                                             \
	X(sd_bus_match_signal)                                                                     \
	X(sd_bus_slot_unref)                                                                       \
	X(sd_bus_error_free)                                                                       \
	X(sd_bus_error_is_set)                                                                     \
	X(sd_bus_message_new_method_call)                                                          \
	X(sd_bus_message_append)                                                                   \
	X(sd_bus_message_open_container)                                                           \
	X(sd_bus_message_close_container)                                                          \
	X(sd_bus_message_read)                                                                     \
	X(sd_bus_message_unref)

#define KEEPER_SDBUS_FIELD(name) typeof(&name) name;
struct keeper_sdbus {
	void *handle; /* NULL until loaded */
	KEEPER_SDBUS_FUNCS(KEEPER_SDBUS_FIELD)
};
#undef KEEPER_SDBUS_FIELD

extern struct keeper_sdbus keeper_sdbus;

/* Load the library and every function above, once; an error (and nothing
 * loaded) if the library or one of them is missing. */
int keeper_sdbus_load(struct jail_error *err);

#ifndef KEEPER_SDBUS_IMPL
#define sd_bus_open_system	       (*keeper_sdbus.sd_bus_open_system)
#define sd_bus_flush_close_unref       (*keeper_sdbus.sd_bus_flush_close_unref)
#define sd_bus_call		       (*keeper_sdbus.sd_bus_call)
#define sd_bus_process		       (*keeper_sdbus.sd_bus_process)
#define sd_bus_wait		       (*keeper_sdbus.sd_bus_wait)
#define sd_bus_match_signal	       (*keeper_sdbus.sd_bus_match_signal)
#define sd_bus_slot_unref	       (*keeper_sdbus.sd_bus_slot_unref)
#define sd_bus_error_free	       (*keeper_sdbus.sd_bus_error_free)
#define sd_bus_error_is_set	       (*keeper_sdbus.sd_bus_error_is_set)
#define sd_bus_message_new_method_call (*keeper_sdbus.sd_bus_message_new_method_call)
#define sd_bus_message_append	       (*keeper_sdbus.sd_bus_message_append)
#define sd_bus_message_open_container  (*keeper_sdbus.sd_bus_message_open_container)
#define sd_bus_message_close_container (*keeper_sdbus.sd_bus_message_close_container)
#define sd_bus_message_read	       (*keeper_sdbus.sd_bus_message_read)
#define sd_bus_message_unref	       (*keeper_sdbus.sd_bus_message_unref)
#endif

#endif
