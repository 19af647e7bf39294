/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Telling systemd's user-manager session from a login (pam_usermgr.h). */
#include <string.h>

#include "pam_usermgr.h"

bool pam_jail_is_user_manager(pam_handle_t *pamh)
{
	const void *service = NULL;

	/* The service name is the application's choice, not the user's:
	 * systemd passes its unit's PAMName=. A service we cannot name is
	 * not the user manager's (and gets the ordinary jail). */
	if (pam_get_item(pamh, PAM_SERVICE, &service) != PAM_SUCCESS || !service)
		return false;
	return strcmp(service, PAM_JAIL_USER_MANAGER_SERVICE) == 0;
}
