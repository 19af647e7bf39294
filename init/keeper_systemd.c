/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keeper's D-Bus calls to systemd (keeper_systemd.h), through sd-bus.
 *
 * Why sd-bus: D-Bus is the only interface systemd offers for transient
 * units and runtime properties, and its wire protocol (authentication,
 * marshalling, signal matching) is easy to get subtly wrong; libsystemd's
 * client is maintained with the manager it talks to and is already on
 * every host where this code runs. It is loaded by jail-init only, and
 * only on a systemd host, when first needed (keeper_sdbus.h): pam_jail.so
 * is loaded into sshd, su and login, and gains nothing from a D-Bus
 * client in their address space.
 *
 * Each call opens its own connection to the system bus and closes it: the
 * keeper makes one call per jail and at most one per session, so a
 * connection kept for the jail's whole life (which dbus-daemon may drop
 * or restart under us) would buy little.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "keeper_sdbus.h"
#include "keeper_systemd.h"
#include "systemd_unit.h"

#define SD_DEST	   "org.freedesktop.systemd1"
#define SD_PATH	   "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"

static int open_bus(sd_bus **ret, struct jail_error *err)
{
	/* The keeper runs with an empty environment (exec'ed clean), so
	 * this is the system bus at its standard address. */
	int r = keeper_sdbus_load(err);

	if (r < 0)
		return r;
	r = sd_bus_open_system(ret);
	if (r < 0)
		return jail_error_set(err, -r, "systemd: cannot connect to the system bus: %s",
				      strerror(-r));
	return 0;
}

/* The D-Bus error's message if there is one, else strerror. */
static const char *why(const sd_bus_error *e, int r)
{
	return e && sd_bus_error_is_set(e) && e->message ? e->message : strerror(-r);
}

static int append_limits(sd_bus_message *m, const struct jail_limits *l)
{
	struct jail_unit_prop props[JAIL_UNIT_PROPS_MAX];
	size_t n = jail_systemd_limit_props(l, props);

	for (size_t i = 0; i < n; i++) {
		int r = sd_bus_message_append(m, "(sv)", props[i].name, "t", props[i].value);

		if (r < 0)
			return r;
	}
	return 0;
}

struct job_wait {
	const char *job; /* object path of our job; NULL until the reply */
	char result[32];
	bool done;
};

/* JobRemoved(u id, o job, s unit, s result). Signals that came before the
 * StartTransientUnit reply are queued, not dispatched, by sd_bus_call, so
 * by the time this runs the job path is known. */
static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct job_wait *w = userdata;
	const char *path, *unit, *result;
	uint32_t id;

	(void)ret_error;
	if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (w->job && strcmp(path, w->job) == 0) {
		snprintf(w->result, sizeof(w->result), "%s", result);
		w->done = true;
	}
	return 0;
}

static int build_start(sd_bus *bus, sd_bus_message **ret, const char *scope,
		       const char *description, const struct jail_limits *l)
{
	sd_bus_message *m = NULL;
	int r;

	r = sd_bus_message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER,
					   "StartTransientUnit");
	/* "fail": never replace a queued job on a unit of the same name */
	if (r >= 0)
		r = sd_bus_message_append(m, "ss", scope, "fail");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)(sv)", "Description", "s",
					  description, "PIDs", "au", 1, (uint32_t)getpid(), "Slice",
					  "s", JAIL_SYSTEMD_SLICE, "CollectMode", "s",
					  "inactive-or-failed", "Delegate", "b", 1, "OOMPolicy",
					  "s", "continue");
	if (r >= 0)
		r = append_limits(m, l);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	/* no auxiliary units */
	if (r >= 0)
		r = sd_bus_message_append(m, "a(sa(sv))", 0);
	if (r < 0) {
		sd_bus_message_unref(m);
		return r;
	}
	*ret = m;
	return 0;
}

int keeper_systemd_start_scope(const char *scope, const char *description,
			       const struct jail_limits *l, struct jail_error *err)
{
	uint64_t deadline = (uint64_t)jail_mono_us() + (uint64_t)KEEPER_SYSTEMD_TIMEOUT_MS * 1000;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_slot *slot = NULL;
	struct job_wait w = { 0 };
	sd_bus *bus = NULL;
	int r;

	r = open_bus(&bus, err);
	if (r < 0)
		return r;
	/* Subscribe before the call (as systemd-run --scope does): the job
	 * may finish before its reply reaches us. The sender is matched, and
	 * the bus daemon only lets the name's owner send as it. */
	r = sd_bus_match_signal(bus, &slot, SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved",
				on_job_removed, &w);
	if (r < 0) {
		jail_error_set(err, -r, "systemd: watching for JobRemoved: %s", strerror(-r));
		goto out;
	}
	r = build_start(bus, &m, scope, description, l);
	if (r < 0) {
		jail_error_set(err, -r, "systemd: building StartTransientUnit: %s", strerror(-r));
		goto out;
	}
	r = sd_bus_call(bus, m, (uint64_t)KEEPER_SYSTEMD_TIMEOUT_MS * 1000, &error, &reply);
	if (r >= 0)
		r = sd_bus_message_read(reply, "o", &w.job);
	if (r < 0) {
		jail_error_set(err, -r, "systemd: starting scope '%s': %s", scope, why(&error, r));
		goto out;
	}
	while (!w.done) {
		uint64_t now;

		r = sd_bus_process(bus, NULL);
		if (r > 0)
			continue;
		now = (uint64_t)jail_mono_us();
		if (r >= 0 && now >= deadline)
			r = -ETIMEDOUT;
		if (r >= 0)
			r = sd_bus_wait(bus, deadline - now);
		if (r < 0) {
			jail_error_set(err, -r, "systemd: waiting for the start of scope '%s': %s",
				       scope, strerror(-r));
			goto out;
		}
	}
	if (strcmp(w.result, "done") != 0) {
		r = jail_error_set(err, EIO, "systemd: scope '%s' did not start (job result '%s')",
				   scope, w.result);
		goto out;
	}
	r = 0;
out:
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(m);
	sd_bus_slot_unref(slot);
	sd_bus_flush_close_unref(bus);
	return r;
}

int keeper_systemd_set_limits(const char *unit, const struct jail_limits *l, struct jail_error *err)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	sd_bus *bus = NULL;
	int r;

	r = open_bus(&bus, err);
	if (r < 0)
		return r;
	r = sd_bus_message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER,
					   "SetUnitProperties");
	/* runtime: the drop-ins live in /run, gone at reboot */
	if (r >= 0)
		r = sd_bus_message_append(m, "sb", unit, 1);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = append_limits(m, l);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_call(bus, m, (uint64_t)KEEPER_SYSTEMD_TIMEOUT_MS * 1000, &error, NULL);
	if (r < 0)
		jail_error_set(err, -r, "systemd: setting limits on '%s': %s", unit,
			       why(&error, r));
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	sd_bus_flush_close_unref(bus);
	return r < 0 ? r : 0;
}

int keeper_systemd_attach(const char *unit, pid_t pid, struct jail_error *err)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	sd_bus *bus = NULL;
	int r;

	r = open_bus(&bus, err);
	if (r < 0)
		return r;
	r = sd_bus_message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER,
					   "AttachProcessesToUnit");
	/* "": the unit's own cgroup, not a group below it */
	if (r >= 0)
		r = sd_bus_message_append(m, "ssau", unit, "", 1, (uint32_t)pid);
	if (r >= 0)
		r = sd_bus_call(bus, m, (uint64_t)KEEPER_SYSTEMD_TIMEOUT_MS * 1000, &error, NULL);
	if (r < 0)
		jail_error_set(err, -r, "systemd: moving process %d into '%s': %s", (int)pid, unit,
			       why(&error, r));
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	sd_bus_flush_close_unref(bus);
	return r < 0 ? r : 0;
}
