/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the .Xauthority reader/writer and the PAM_JAIL_X11
 * value parser. The module parses the user's own ~/.Xauthority as root in
 * sshd's monitor, so this is user-controlled input in a privileged process.
 * Invariants checked besides memory safety: a cookie set into any
 * well-formed image is then found; env format/parse round-trips.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x11.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jail_x11_cookie found,
		mine = { .name = "MIT-MAGIC-COOKIE-1", .name_len = 18, .data_len = 16 };
	unsigned char *img = NULL;
	size_t img_len = 0;
	unsigned number;
	char *s, *again = NULL;

	memset(mine.data, 0x42, sizeof(mine.data));
	(void)jail_xauth_find(data, size, "host", 0, &found);
	(void)jail_xauth_find(data, size, "", 7, &found);
	if (jail_xauth_set(data, size, "host", 3, &mine, &img, &img_len) == 0) {
		if (jail_xauth_find(img, img_len, "host", 3, &found) != 0 || found.data_len != 16 ||
		    memcmp(found.data, mine.data, 16) != 0)
			abort();
		free(img);
	}

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (jail_x11_env_parse(s, &number, &found) == 0) {
		struct jail_x11_cookie back;
		unsigned n2;
		if (jail_x11_env_format(number, &found, &again) != 0 ||
		    jail_x11_env_parse(again, &n2, &back) != 0 || n2 != number ||
		    back.data_len != found.data_len ||
		    memcmp(back.data, found.data, found.data_len) != 0 ||
		    strcmp(back.name, found.name) != 0)
			abort();
		free(again);
	}
	(void)jail_x11_local_display(s, &number);
	free(s);
	return 0;
}
