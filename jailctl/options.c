/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every verb's command line: the shared options in one place (jailctl.h). */
#include <stdio.h>
#include <string.h>

#include "jailctl.h"

/* The options several verbs take, each once: what a verb's `options` bits
 * name. -h/--help is every verb's. */
static const struct shared_option {
	unsigned bit;
	struct option opt;
	const char *letters;
} shared_options[] = {
	{ JAILCTL_OPT_CONFIG, { "config", required_argument, NULL, 'c' }, "c:" },
	{ JAILCTL_OPT_STATEDIR, { "statedir", required_argument, NULL, 's' }, "s:" },
};

void jailctl_print_help(const struct jailctl_verb *v)
{
	printf("usage: jailctl %s %s\n\n%s", v->name, v->synopsis, v->help);
}

/* The getopt_long() tables of the verb: "+" for a verb that stops at its
 * first operand, its shared options, "h", its own. */
static int build_tables(struct jailctl_options *o)
{
	const struct jailctl_verb *v = o->verb;
	size_t n = 0, len;

	o->shortopts[0] = '\0';
	if (v->options & JAILCTL_OPT_IN_ORDER)
		strcat(o->shortopts, "+");
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(shared_options); i++) {
		if (!(v->options & shared_options[i].bit))
			continue;
		o->longopts[n++] = shared_options[i].opt;
		strcat(o->shortopts, shared_options[i].letters);
	}
	o->longopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	strcat(o->shortopts, "h");
	for (const struct option *own = o->own; own && own->name; own++) {
		if (n + 1 >= JAIL_ARRAY_SIZE(o->longopts))
			return -E2BIG;
		o->longopts[n++] = *own;
	}
	o->longopts[n] = (struct option){ 0 };
	len = strlen(o->shortopts);
	if (o->own_short) {
		if (len + strlen(o->own_short) >= sizeof(o->shortopts))
			return -E2BIG;
		strcat(o->shortopts, o->own_short);
	}
	return 0;
}

int jailctl_option(struct jailctl_options *o, int argc, char **argv)
{
	const unsigned shared = o->verb->options;

	if (!o->started) {
		if (build_tables(o) < 0) {
			/* a verb with more options than the tables hold: a bug */
			fprintf(stderr, "jailctl %s: too many options\n", o->verb->name);
			o->exit_code = JAILCTL_EXIT_FAIL;
			return -1;
		}
		optind = 0; /* a fresh scan of this argv (GNU getopt) */
		o->started = true;
	}
	for (;;) {
		int opt = getopt_long(argc, argv, o->shortopts, o->longopts, NULL);

		switch (opt) {
		case -1:
			return 0;
		case 'h':
			jailctl_print_help(o->verb);
			o->exit_code = JAILCTL_EXIT_OK;
			return -1;
		case '?':
		case ':':
			o->exit_code = jailctl_usage_error(o->verb, "bad option");
			return -1;
		case 'c':
			if (shared & JAILCTL_OPT_CONFIG) {
				o->config = optarg;
				continue;
			}
			break;
		case 's':
			if (shared & JAILCTL_OPT_STATEDIR) {
				o->statedir = optarg;
				continue;
			}
			break;
		}
		return opt; /* one of the verb's own */
	}
}

int jailctl_options_parse(struct jailctl_options *o, int argc, char **argv)
{
	int opt = jailctl_option(o, argc, argv);

	if (opt > 0) /* an own option the verb does not handle */
		o->exit_code = jailctl_usage_error(o->verb, "bad option");
	return opt == 0 ? -1 : o->exit_code;
}
