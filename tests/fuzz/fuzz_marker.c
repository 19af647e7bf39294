/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the strict jail marker parser. Besides memory safety:
 * whatever parses must format, and the formatted text must parse back to
 * the same text (the writer and reader agree on every accepted value).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "marker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jail_marker *m = NULL, *back = NULL;
	char *text = NULL, *text2 = NULL;
	size_t len = 0, len2 = 0;

	if (jail_marker_parse((const char *)data, size, &m, NULL) != 0)
		return 0;
	if (jail_marker_format(m, &text, &len) != 0)
		abort();
	if (jail_marker_parse(text, len, &back, NULL) != 0)
		abort();
	if (jail_marker_format(back, &text2, &len2) != 0 || len != len2 ||
	    memcmp(text, text2, len) != 0)
		abort();
	free(text);
	free(text2);
	jail_marker_free(m);
	jail_marker_free(back);
	return 0;
}
