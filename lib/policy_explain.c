/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `jailctl explain USER`: what the policy does to one user and why, in the
 * spirit of `sshd -T -C user=`: who NSS says the user is, the rule that
 * decided, the rules that also matched and lost (with the reason), and every
 * key of the resulting jail with the file:line it came from or "default".
 * The values are printed in the policy's own syntax so they can be pasted
 * back into a profile.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy_internal.h"

static const char *kind_name(enum jail_rule_kind k)
{
	return k == JAIL_RULE_USER ? "user" : k == JAIL_RULE_GROUP ? "group" : "uid-range";
}

static void format_size(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (v && u < 3 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "%" PRIu64 "%c", v, units[u]);
}

static void format_duration(uint32_t v, char *buf, size_t len)
{
	if (v && v % 86400 == 0)
		snprintf(buf, len, "%ud", v / 86400);
	else if (v && v % 3600 == 0)
		snprintf(buf, len, "%uh", v / 3600);
	else if (v && v % 60 == 0)
		snprintf(buf, len, "%um", v / 60);
	else
		snprintf(buf, len, "%us", v);
}

static void print_strv(FILE *out, char *const *v)
{
	fputc('[', out);
	for (size_t i = 0; v && v[i]; i++)
		fprintf(out, "%s\"%s\"", i ? ", " : " ", v[i]);
	fputs(v && v[0] ? " ]" : "]", out);
}

static void print_value(FILE *out, const struct jail_policy *p, enum pfield f)
{
	const struct pfield_desc *d = &jail_pfields[f];
	const char *field = (const char *)p + d->offset;
	char buf[64];
	uint64_t u64 = 0;
	uint32_t u32 = 0;
	int e = 0;

	switch (d->store) {
	case PS_BOOL: {
		bool b;
		memcpy(&b, field, sizeof(b));
		fputs(b ? "true" : "false", out);
		return;
	}
	case PS_ENUM:
		memcpy(&e, field, sizeof(e));
		fprintf(out, "\"%s\"", d->names[e]);
		return;
	case PS_NSMASK: {
		unsigned ns, first = 1;
		memcpy(&ns, field, sizeof(ns));
		fputc('[', out);
		for (unsigned bit = 1; bit <= JAIL_NS_ALL; bit <<= 1)
			if ((ns & bit) && jail_ns_name(bit)) {
				fprintf(out, "%s\"%s\"", first ? " " : ", ", jail_ns_name(bit));
				first = 0;
			}
		fputs(first ? "]" : " ]", out);
		return;
	}
	case PS_STR: {
		const char *s;
		memcpy(&s, field, sizeof(s));
		fprintf(out, "\"%s\"", s ? s : "");
		return;
	}
	case PS_STRV: {
		char **v;
		memcpy(&v, field, sizeof(v));
		print_strv(out, v);
		return;
	}
	case PS_BINDS:
		fputc('(', out);
		for (size_t i = 0; i < p->n_binds; i++)
			fprintf(out,
				"%s{ source = \"%s\"; target = \"%s\"; writable = %s; "
				"optional = %s; }",
				i ? ", " : " ", p->binds[i].source, p->binds[i].target,
				p->binds[i].writable ? "true" : "false",
				p->binds[i].optional ? "true" : "false");
		fputs(p->n_binds ? " )" : ")", out);
		return;
	case PS_U32:
		memcpy(&u32, field, sizeof(u32));
		u64 = u32;
		break;
	case PS_U64:
		memcpy(&u64, field, sizeof(u64));
		break;
	}
	if (d->kind == PK_LIMIT && u64 == d->keyword_value) {
		fprintf(out, "\"%s\"", d->keyword);
	} else if (d->kind == PK_DURATION) {
		format_duration(u32, buf, sizeof(buf));
		fprintf(out, "\"%s\"", buf);
	} else if (d->kind == PK_SIZE || (d->kind == PK_LIMIT && d->is_size)) {
		format_size(u64, buf, sizeof(buf));
		fprintf(out, "\"%s\"", buf);
	} else {
		fprintf(out, "%" PRIu64, u64);
	}
}

/* Why `loser` lost to `winner` (both matched). */
static void print_loser(FILE *out, const struct jail_config *c, const struct jail_rule *winner,
			const struct jail_rule *loser)
{
	_cleanup_free_ char *desc = jail_rule_describe(loser);

	fprintf(out, "  %s", desc ? desc : "?");
	if (loser->exempt)
		fputs(" (exempt)", out);
	else
		fprintf(out, " -> profile '%s'", loser->profile);
	if (loser->kind != winner->kind)
		fprintf(out, ": a %s rule ranks below a %s rule\n", kind_name(loser->kind),
			kind_name(winner->kind));
	else
		fputs(": an earlier rule of the same kind comes first\n", out);
}

static void print_chain(FILE *out, const struct jail_config *c, const struct jail_profile *p)
{
	size_t guard = 0;

	fputs("profile:   ", out);
	for (;;) {
		fprintf(out, "'%s' (%s:%d)", p->name, p->origin.file, p->origin.line);
		if (p->parent == SIZE_MAX || ++guard > c->n_profiles)
			break;
		p = &c->profiles[p->parent];
		fputs(" extends ", out);
	}
	fputc('\n', out);
}

int jail_config_explain(const struct jail_config *c, const char *user, FILE *out,
			struct jail_error *err)
{
	struct jail_match m;
	const struct jail_rule *winner = NULL;
	struct jail_policy *p = NULL;
	enum jail_verdict verdict;
	int r;

	if (!c)
		return jail_error_set(err, EINVAL, "no policy loaded");
	r = jail_match_user(c, user, &m, err);
	if (r < 0)
		return r;

	fprintf(out, "user:      %s (uid %u, gid %u '%s', home '%s')\n", m.user, (unsigned)m.uid,
		(unsigned)m.gid, m.group, m.home);
	fputs("groups:   ", out);
	for (char **g = m.groups; g && *g; g++)
		fprintf(out, " %s", *g);
	fputs(m.groups && m.groups[0] ? "\n" : " (none that NSS can name)\n", out);

	if (m.winner >= 0) {
		_cleanup_free_ char *desc = NULL;
		winner = &c->rules[m.winner];
		desc = jail_rule_describe(winner);
		fprintf(out, "rule:      %s\n", desc ? desc : "?");
	} else {
		fputs("rule:      none matches\n", out);
	}
	if (m.n_matched > 1) {
		fputs("also matched, but lost:\n", out);
		for (size_t i = 1; i < m.n_matched; i++)
			print_loser(out, c, winner, &c->rules[m.matched[i]]);
	}

	if (!winner) {
		if (c->unmatched == JAIL_UNMATCHED_DENY)
			fprintf(out,
				"verdict:   refused: no rule names the user and unmatched = "
				"\"deny\" (%s:%d)\n",
				c->unmatched_origin.file, c->unmatched_origin.line);
		else if (c->unmatched_origin.file)
			fprintf(out,
				"verdict:   not jailed: no rule names the user and unmatched "
				"= \"allow\" (%s:%d)\n",
				c->unmatched_origin.file, c->unmatched_origin.line);
		else
			fputs("verdict:   not jailed: no rule names the user and unmatched = "
			      "\"allow\" (default)\n",
			      out);
		jail_match_clear(&m);
		return 0;
	}
	if (winner->exempt) {
		fputs("verdict:   not jailed: the rule exempts the user\n", out);
		jail_match_clear(&m);
		return 0;
	}

	const struct jail_profile *prof = &c->profiles[winner->profile_idx];
	/* from the same answer of NSS as printed above: asking again could
	 * get another (a directory's groups change) and explain a login that
	 * the report above does not describe */
	r = jail_config_resolve_match(c, &m, &verdict, &p, err);
	jail_match_clear(&m);
	if (r < 0) {
		fprintf(out, "verdict:   login refused: %s\n", err ? err->message : "error");
		return r;
	}
	if (verdict != JAIL_VERDICT_JAIL || !p) {
		jail_policy_free(p);
		return jail_error_set(err, EINVAL, "internal error: the winning rule gave no jail");
	}
	fprintf(out, "verdict:   jailed with profile '%s'\n", p->profile);
	print_chain(out, c, prof);
	fputc('\n', out);
	for (int f = 0; f < PF_COUNT; f++) {
		char name[64];
		/* a key that means nothing for this jail (a bridge's pool in
		 * a loopback jail) is left out rather than shown with a
		 * misleading value */
		if (!jail_pfield_needed(p, (enum pfield)f))
			continue;
		char line[8192];
		FILE *mem = fmemopen(line, sizeof(line), "w");
		if (!mem) {
			jail_policy_free(p);
			return jail_error_set(err, errno, "fmemopen: %s", strerror(errno));
		}
		fprintf(mem, "%s = ", jail_pfield_name((enum pfield)f, name, sizeof(name)));
		print_value(mem, p, (enum pfield)f);
		fputc(';', mem);
		fclose(mem);
		line[sizeof(line) - 1] = '\0';
		const char *note = f == PF_HOSTNAME && !p->hostname ? " (the host's name)" : "";
		if (prof->eff_origin[f].file)
			fprintf(out, "%-44s # %s:%d%s\n", line, prof->eff_origin[f].file,
				prof->eff_origin[f].line, note);
		else
			fprintf(out, "%-44s # default%s\n", line, note);
	}
	jail_policy_free(p);
	return 0;
}
