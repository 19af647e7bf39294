/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: arbitrary bytes as policy files. Beyond "no crash, no
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

/* The input is up to 8 files, split at NUL bytes (which no policy file
 * may contain anyway): the main file, then drop-ins. So the checks that
 * span files (a profile defined twice, settings that disagree, a rule
 * naming a profile from another file) are fuzzed too. */
#define MAX_FILES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[MAX_FILES] = {
		"/etc/security/jail.conf",	  "/etc/security/jail.d/10-a.conf",
		"/etc/security/jail.d/20-b.conf", "/etc/security/jail.d/30-c.conf",
		"/etc/security/jail.d/40-d.conf", "/etc/security/jail.d/50-e.conf",
		"/etc/security/jail.d/60-f.conf", "/etc/security/jail.d/70-g.conf",
	};
	const char *bufs[MAX_FILES];
	size_t lens[MAX_FILES], n = 0;
	const char *p = (const char *)data, *end = p + size;
	struct jail_config *c = NULL;
	struct jail_error *errs = NULL;
	size_t n_errs = 0;
	int r;

	if (size > JAIL_CONFIG_MAX_SIZE)
		return 0;
	while (n < MAX_FILES) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		bufs[n] = p;
		if (!nul || n == MAX_FILES - 1) {
			lens[n++] = (size_t)(end - p);
			break;
		}
		lens[n++] = (size_t)(nul - p);
		p = nul + 1;
	}
	r = jail_config_load_buffers(n, names, bufs, lens, &c, &errs, &n_errs);
	if (r == 0 && (!c || n_errs != 0))
		abort();
	if (r < 0 && (c || n_errs == 0))
		abort();
	for (size_t i = 0; i < n_errs; i++)
		if (!errs[i].message[0] || errs[i].line < 0 || errs[i].code <= 0)
			abort();
	free(errs);
	if (c) {
		enum jail_verdict v;
		struct jail_policy *pol = NULL;
		struct jail_error err = { 0 };

		if (!devnull)
			devnull = fopen("/dev/null", "w");
		r = jail_config_resolve(c, "root", &v, &pol, &err);
		if (r == 0 && (v == JAIL_VERDICT_JAIL) != (pol != NULL))
			abort();
		jail_policy_free(pol);
		if (devnull)
			jail_config_explain(c, "root", devnull, &err);
		jail_config_free(c);
	}
	return 0;
}
