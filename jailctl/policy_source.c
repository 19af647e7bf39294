/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where jailctl reads the policy from, and printing its problems. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jailctl.h"
#include "safepath.h"

int jailctl_usage_error(const struct jailctl_verb *v, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "jailctl %s: ", v->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: jailctl %s %s\n", v->name, v->synopsis);
	return JAILCTL_EXIT_USAGE;
}

void jailctl_policy_source_clear(struct jailctl_policy_source *src)
{
	free(src->main_path);
	free(src->dropin_dir);
	memset(src, 0, sizeof(*src));
}

int jailctl_policy_source(const char *config_arg, struct jailctl_policy_source *src)
{
	memset(src, 0, sizeof(*src));
	src->trusted_uid = getuid();
	if (!config_arg) {
		src->main_path = strdup(JAIL_CONFIG_PATH);
		src->dropin_dir = strdup(JAIL_CONFIG_DIR);
	} else {
		char cwd[PATH_MAX];
		/* No realpath(): it would follow the very symlinks the loader
		 * must refuse. A relative name is joined to the working
		 * directory as it is. */
		/* "./jail.conf" is what people type; "." components are
		 * otherwise refused as unclean */
		while (config_arg[0] == '.' && config_arg[1] == '/')
			config_arg += 2;
		if (config_arg[0] == '/') {
			src->main_path = strdup(config_arg);
		} else if (!getcwd(cwd, sizeof(cwd)) ||
			   asprintf(&src->main_path, "%s%s%s", cwd,
				    strcmp(cwd, "/") == 0 ? "" : "/", config_arg) < 0) {
			src->main_path = NULL;
		}
		if (src->main_path) {
			const char *slash = strrchr(src->main_path, '/');
			if (asprintf(&src->dropin_dir, "%.*s/jail.d", (int)(slash - src->main_path),
				     src->main_path) < 0)
				src->dropin_dir = NULL;
		}
	}
	if (!src->main_path || !src->dropin_dir) {
		fprintf(stderr, "jailctl: out of memory\n");
		jailctl_policy_source_clear(src);
		return -1;
	}
	if (!jail_path_is_clean_absolute(src->main_path)) {
		fprintf(stderr, "jailctl: '%s' is not a clean path (no '.', '..' or '//')\n",
			src->main_path);
		jailctl_policy_source_clear(src);
		return -1;
	}
	if (src->trusted_uid != 0)
		fprintf(stderr,
			"jailctl: note: not running as root: files owned by uid %u are accepted "
			"as if owned by root (pam_jail itself accepts only root)\n",
			(unsigned)src->trusted_uid);
	return 0;
}

void jailctl_print_error(FILE *out, const struct jail_error *e)
{
	if (e->file[0] && e->line > 0)
		fprintf(out, "%s:%d: %s\n", e->file, e->line, e->message);
	else if (e->file[0])
		fprintf(out, "%s: %s\n", e->file, e->message);
	else
		fprintf(out, "%s\n", e->message);
}

int jailctl_load_policy(const struct jailctl_policy_source *src, FILE *out,
			struct jail_config **ret)
{
	struct jail_error *errs = NULL;
	size_t n = 0;
	int r;

	r = jail_config_load(src->main_path, src->dropin_dir, src->trusted_uid, ret, &errs, &n);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			jailctl_print_error(out, &errs[i]);
		if (n == 0)
			fprintf(out, "%s: %s\n", src->main_path, strerror(-r));
	}
	free(errs);
	return r;
}
