/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: arbitrary bytes as a policy file. Beyond "no crash, no
 * leak, no UB" it checks the loader's contract: success means a config and
 * no errors, failure means no config and at least one error with a message;
 * and a loaded config resolves and explains for root without crashing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5 (Debian 12) leaks the token it is scanning (a string, a
 * setting name) when a syntax error follows it: its grammar has no
 * destructors for tokens. An upstream bug, not ours; only the scanner's
 * frames are suppressed, so a forgotten config_destroy() (settings are
 * made by the parser, not the scanner) or a leak of our own still fails. */
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\n"
	       "leak:libconfig_yylex\n";
}

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jail_config *c = NULL;
	struct jail_error *errs = NULL;
	size_t n = 0;
	int r;

	if (size > JAIL_CONFIG_MAX_SIZE)
		return 0;
	r = jail_config_load_buffer("fuzz.conf", (const char *)data, size, &c, &errs, &n);
	if (r == 0 && (!c || n != 0))
		abort();
	if (r < 0 && (c || n == 0))
		abort();
	for (size_t i = 0; i < n; i++)
		if (!errs[i].message[0] || errs[i].line < 0 || errs[i].code <= 0)
			abort();
	free(errs);
	if (c) {
		enum jail_verdict v;
		struct jail_policy *p = NULL;
		struct jail_error err = { 0 };

		if (!devnull)
			devnull = fopen("/dev/null", "w");
		r = jail_config_resolve(c, "root", &v, &p, &err);
		if (r == 0 && (v == JAIL_VERDICT_JAIL) != (p != NULL))
			abort();
		jail_policy_free(p);
		if (devnull)
			jail_config_explain(c, "root", devnull, &err);
		jail_config_free(c);
	}
	return 0;
}
