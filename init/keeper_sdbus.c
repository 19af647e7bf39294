/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loading sd-bus when the keeper first needs it (keeper_sdbus.h). */
#define KEEPER_SDBUS_IMPL
#include <dlfcn.h>
#include <errno.h>

#include "keeper_sdbus.h"

struct keeper_sdbus keeper_sdbus;

int keeper_sdbus_load(struct jail_error *err)
{
	struct keeper_sdbus s = { 0 };
	const char *missing = NULL;

	if (keeper_sdbus.handle)
		return 0;
	/* By soname from the system's library path: the keeper was exec'ed
	 * with a clean environment, so no LD_LIBRARY_PATH points elsewhere. */
	s.handle = dlopen(KEEPER_SDBUS_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!s.handle)
		return jail_error_set(err, ENOENT, "systemd: cannot load %s: %s",
				      KEEPER_SDBUS_SONAME, dlerror());
		/* POSIX's way to store dlsym's object pointer in a function pointer. */
#define KEEPER_SDBUS_LOAD(name)                                                                    \
	if (!missing && !(*(void **)&s.name = dlsym(s.handle, #name)))                             \
		missing = #name;
	KEEPER_SDBUS_FUNCS(KEEPER_SDBUS_LOAD)
#undef KEEPER_SDBUS_LOAD
	if (missing) {
		dlclose(s.handle);
		return jail_error_set(err, ENOSYS, "systemd: %s has no %s", KEEPER_SDBUS_SONAME,
				      missing);
	}
	keeper_sdbus = s;
	return 0;
}
