/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Resolving: (loaded policy, user name) -> what happens to that user.
 *
 * The user and every group they are in (supplementary too, so LDAP/SSSD
 * groups count) come from NSS, once per call. Precedence, as
 * docs/jail.conf.5 states it: a rule naming the user beats a group rule,
 * which beats a uid-range rule; within a kind the first rule in file order
 * wins; an exempt rule ranks like any other. A lookup that fails (as opposed
 * to "no such user") is an error: a directory outage must never read as
 * "this user is not jailed".
 */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "policy_internal.h"
#include "safepath.h"

#define MAX_GROUPS 65536

/* getpw / getgr buffers: start at sysconf's hint, grow on ERANGE. */
static size_t initial_bufsize(int name)
{
	long n = sysconf(name);
	return n > 0 && n < 1 << 20 ? (size_t)n : 16384;
}

static int lookup_user(const char *user, struct passwd *pw, char **buf, struct jail_error *err)
{
	size_t size = initial_bufsize(_SC_GETPW_R_SIZE_MAX);
	struct passwd *res = NULL;

	for (;;) {
		char *b = realloc(*buf, size);
		if (!b)
			return jail_error_set(err, ENOMEM, "out of memory");
		*buf = b;
		int r = getpwnam_r(user, pw, b, size, &res);
		if (r == ERANGE && size < (1u << 24)) {
			size *= 2;
			continue;
		}
		if (!res && (r == 0 || r == ENOENT || r == ESRCH))
			return jail_error_set(err, ENOENT, "unknown user '%s'", user);
		if (r != 0)
			return jail_error_set(err, r, "looking up user '%s': %s", user,
					      strerror(r));
		if (!res)
			return jail_error_set(err, EIO, "looking up user '%s' failed", user);
		return 0;
	}
}

/* The name of group `gid`; *ret = NULL when NSS knows no such group. */
static int lookup_group_name(gid_t gid, char **ret, struct jail_error *err)
{
	size_t size = initial_bufsize(_SC_GETGR_R_SIZE_MAX);
	_cleanup_free_ char *buf = NULL;
	struct group gr, *res = NULL;

	*ret = NULL;
	for (;;) {
		char *b = realloc(buf, size);
		if (!b)
			return jail_error_set(err, ENOMEM, "out of memory");
		buf = b;
		int r = getgrgid_r(gid, &gr, buf, size, &res);
		if (r == ERANGE && size < (1u << 24)) {
			size *= 2;
			continue;
		}
		/* POSIX says "not found" is 0 with no result; ENOENT and ESRCH
		 * are the historical spellings of the same (nss_wrapper uses
		 * them). Anything else is the directory failing: an error. */
		if (r == 0 && !res)
			return 0;
		if ((r == ENOENT || r == ESRCH) && !res)
			return 0;
		if (r != 0)
			return jail_error_set(err, r, "looking up group %u: %s", (unsigned)gid,
					      strerror(r));
		*ret = strdup(gr.gr_name);
		return *ret ? 0 : jail_error_set(err, ENOMEM, "out of memory");
	}
}

void jail_match_clear(struct jail_match *m)
{
	free(m->user);
	free(m->home);
	free(m->group);
	jail_strv_free(m->groups);
	free(m->gids);
	free(m->matched);
	memset(m, 0, sizeof(*m));
	m->winner = -1;
}

static bool in_strv(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

static int user_groups(const struct passwd *pw, struct jail_match *m, struct jail_error *err)
{
	int n = 32;
	_cleanup_free_ gid_t *gids = NULL;
	size_t count = 0;

	for (;;) {
		int want = n;
		gid_t *g = realloc(gids, (size_t)n * sizeof(*g));
		if (!g)
			return jail_error_set(err, ENOMEM, "out of memory");
		gids = g;
		if (getgrouplist(pw->pw_name, pw->pw_gid, gids, &n) >= 0)
			break;
		if (n <= want)
			n = want * 2; /* glibc reports the size it needs; be safe */
		if (n > MAX_GROUPS)
			return jail_error_set(err, E2BIG, "user '%s' is in more than %d groups",
					      pw->pw_name, MAX_GROUPS);
	}
	m->gids = calloc((size_t)n + 1, sizeof(*m->gids));
	if (!m->gids)
		return jail_error_set(err, ENOMEM, "out of memory");
	memcpy(m->gids, gids, (size_t)n * sizeof(*gids));
	m->n_gids = (size_t)n;
	m->groups = calloc((size_t)n + 2, sizeof(*m->groups));
	if (!m->groups)
		return jail_error_set(err, ENOMEM, "out of memory");
	for (int i = -1; i < n; i++) {
		gid_t gid = i < 0 ? pw->pw_gid : gids[i]; /* primary first */
		char *name = NULL;
		/* getgrouplist() lists the primary group too: asking the
		 * directory for it again would only cost a round trip. */
		if (i >= 0 && gid == pw->pw_gid)
			continue;
		int r = lookup_group_name(gid, &name, err);
		if (r < 0)
			return r;
		if (!name)
			continue; /* a gid with no name cannot match a rule by name */
		if (i < 0 && !m->group)
			m->group = strdup(name);
		if (in_strv(m->groups, name)) {
			free(name);
			continue;
		}
		m->groups[count++] = name;
	}
	if (!m->group && asprintf(&m->group, "%u", (unsigned)pw->pw_gid) < 0) {
		m->group = NULL;
		return jail_error_set(err, ENOMEM, "out of memory");
	}
	return m->group ? 0 : jail_error_set(err, ENOMEM, "out of memory");
}

/*
 * Is the user in group `name`? First by the names of the groups that
 * getgrouplist() reported. If the name is not among them, ask NSS for the
 * group itself: getgrouplist() cannot report a failing directory (it
 * returns whatever groups it could find), getgrnam_r() can. So while the
 * directory that holds "students" is down, a student's login fails instead
 * of slipping through unjailed.
 */
static int in_group(const char *name, const struct jail_match *m, bool *ret, struct jail_error *err)
{
	size_t size = initial_bufsize(_SC_GETGR_R_SIZE_MAX);
	_cleanup_free_ char *buf = NULL;
	struct group gr, *res = NULL;

	*ret = in_strv(m->groups, name);
	if (*ret)
		return 0;
	for (;;) {
		char *b = realloc(buf, size);
		if (!b)
			return jail_error_set(err, ENOMEM, "out of memory");
		buf = b;
		int r = getgrnam_r(name, &gr, buf, size, &res);
		if (r == ERANGE && size < (1u << 24)) {
			size *= 2;
			continue;
		}
		/* Here only POSIX's "not found" (0, no result) counts as
		 * such: glibc reports an unavailable source with an errno,
		 * ENOENT included. */
		if (r != 0)
			return jail_error_set(err, r,
					      "looking up group '%s': %s (the name service "
					      "failed: is the directory reachable?)",
					      name, strerror(r));
		if (!res)
			return 0; /* no such group: the rule matches nobody */
		break;
	}
	if (gr.gr_gid == m->gid)
		*ret = true;
	for (size_t i = 0; !*ret && i < m->n_gids; i++)
		if (m->gids[i] == gr.gr_gid)
			*ret = true;
	for (char **mem = gr.gr_mem; !*ret && mem && *mem; mem++)
		if (strcmp(*mem, m->user) == 0)
			*ret = true;
	return 0;
}

static int rule_matches(const struct jail_rule *r, const struct jail_match *m, bool ask_nss,
			bool *ret, struct jail_error *err)
{
	switch (r->kind) {
	case JAIL_RULE_USER:
		*ret = strcmp(r->name, m->user) == 0;
		return 0;
	case JAIL_RULE_GROUP:
		if (!ask_nss) {
			*ret = in_strv(m->groups, r->name);
			return 0;
		}
		return in_group(r->name, m, ret, err);
	case JAIL_RULE_UID:
		*ret = m->uid >= r->uid_lo && m->uid <= r->uid_hi;
		return 0;
	}
	*ret = false;
	return 0;
}

int jail_match_user(const struct jail_config *c, const char *user, struct jail_match *m,
		    struct jail_error *err)
{
	_cleanup_free_ char *buf = NULL;
	struct passwd pw;
	int r;

	memset(m, 0, sizeof(*m));
	m->winner = -1;
	if (!user || !*user)
		return jail_error_set(err, EINVAL, "no user name");
	r = lookup_user(user, &pw, &buf, err);
	if (r < 0)
		return r;
	m->user = strdup(pw.pw_name);
	m->home = strdup(pw.pw_dir ? pw.pw_dir : "");
	m->uid = pw.pw_uid;
	m->gid = pw.pw_gid;
	if (!m->user || !m->home) {
		jail_match_clear(m);
		return jail_error_set(err, ENOMEM, "out of memory");
	}
	r = user_groups(&pw, m, err);
	if (r < 0) {
		jail_match_clear(m);
		return r;
	}
	m->matched = calloc(c->n_rules + 1, sizeof(*m->matched));
	if (!m->matched) {
		jail_match_clear(m);
		return jail_error_set(err, ENOMEM, "out of memory");
	}
	/* Precedence order: user rules, then group rules, then uid ranges;
	 * file order within each. */
	static const enum jail_rule_kind order[] = { JAIL_RULE_USER, JAIL_RULE_GROUP,
						     JAIL_RULE_UID };
	for (size_t k = 0; k < JAIL_ARRAY_SIZE(order); k++)
		for (size_t i = 0; i < c->n_rules; i++) {
			bool hit = false;
			if (c->rules[i].kind != order[k])
				continue;
			/* Once a rule has won, later ones only fill the "also
			 * matched" list: no NSS round trip (or outage) for them. */
			r = rule_matches(&c->rules[i], m, m->n_matched == 0, &hit, err);
			if (r < 0) {
				jail_match_clear(m);
				return r;
			}
			if (hit)
				m->matched[m->n_matched++] = i;
		}
	m->winner = m->n_matched ? (ssize_t)m->matched[0] : -1;
	return 0;
}

int jail_expand(const char *tmpl, const struct jail_match *m, char **ret, struct jail_error *err)
{
	size_t cap = strlen(tmpl) + 1, len = 0;
	_cleanup_free_ char *out = NULL;

	*ret = NULL;
	if (!tmpl)
		return 0;
	for (const char *p = tmpl; *p; p++) {
		const char *add;
		char one[2] = { *p, 0 };

		if (*p != '%') {
			add = one;
		} else {
			p++;
			switch (*p) {
			case 'u':
				add = m->user;
				break;
			case 'g':
				add = m->group;
				break;
			case 'h':
				add = m->home;
				break;
			case '%':
				add = "%";
				break;
			default:
				/* the loader refused these: a stale or forged config */
				return jail_error_set(err, EINVAL, "bad expansion in '%s'", tmpl);
			}
		}
		size_t n = strlen(add);
		if (len + n + 1 > cap || !out) {
			cap = (len + n + 1) * 2;
			char *o = realloc(out, cap);
			if (!o)
				return jail_error_set(err, ENOMEM, "out of memory");
			out = o;
		}
		memcpy(out + len, add, n);
		len += n;
		out[len] = '\0';
	}
	if (!out && !(out = strdup("")))
		return jail_error_set(err, ENOMEM, "out of memory");
	*ret = steal_pointer(&out);
	return 0;
}

/* Does the template expand %`c`? ("%%u" is a literal "%u".) */
static bool template_uses(const char *tmpl, char c)
{
	for (const char *p = tmpl; (p = strchr(p, '%')) && p[1]; p += 2)
		if (p[1] == c)
			return true;
	return false;
}

struct xctx {
	const struct jail_match *m;
	const struct jail_profile *prof;
	struct jail_error *err;
};

/* Expand one string field in place and check the result is still what the
 * loader accepted the template as: a user name such as "../x" or a home
 * with ':' must not smuggle a path component or a list separator in. */
static int expand_one(struct xctx *x, char **s, enum pfield f, bool relative)
{
	const struct jail_origin *o = &x->prof->eff_origin[f];
	char name[64], *out = NULL;
	int r;

	if (!*s)
		return 0;
	jail_pfield_name(f, name, sizeof(name));
	if (f == PF_HOSTNAME) {
		/* any name maps to a valid hostname: no user is refused for it */
		r = jail_hostname_expand(*s, x->m, &out, x->err);
		if (r < 0)
			return r;
		free(*s);
		*s = out;
		return 0;
	}
	/* A user or group name is one path component: user "a/b" must not
	 * reach into what the template gives user "a". */
	if ((template_uses(*s, 'u') && strchr(x->m->user, '/')) ||
	    (template_uses(*s, 'g') && strchr(x->m->group, '/')))
		return jail_error_set_at(x->err, EINVAL, o->file, o->line,
					 "profile '%s': %s '%s' for user '%s' (group '%s'): a name "
					 "holding '/' cannot be part of a path",
					 x->prof->name, name, *s, x->m->user, x->m->group);
	r = jail_expand(*s, x->m, &out, x->err);
	if (r < 0)
		return r;
	free(*s);
	*s = out;
	if (relative) {
		_cleanup_free_ char *abs = NULL;
		if (asprintf(&abs, "/%s", out) < 0)
			return jail_error_set(x->err, ENOMEM, "out of memory");
		if (out[0] == '/' || !jail_path_is_clean_absolute(abs) || strchr(out, ':'))
			goto bad;
		return 0;
	}
	if (!jail_path_is_clean_absolute(out) || strchr(out, ':'))
		goto bad;
	return 0;
bad:
	return jail_error_set_at(x->err, EINVAL, o->file, o->line,
				 "profile '%s': %s '%s' for user '%s' is not a clean %s path "
				 "without ':'",
				 x->prof->name, name, out, x->m->user,
				 relative ? "relative" : "absolute");
}

static int expand_policy(struct jail_policy *p, const struct jail_match *m,
			 const struct jail_profile *prof, struct jail_error *err)
{
	struct xctx x = { m, prof, err };
	int r;

	if ((r = expand_one(&x, &p->hostname, PF_HOSTNAME, false)) < 0 ||
	    (r = expand_one(&x, &p->root_path, PF_ROOT_PATH, false)) < 0 ||
	    (r = expand_one(&x, &p->skeleton, PF_HOME_SKELETON, false)) < 0)
		return r;
	for (char **h = p->hide; h && *h; h++)
		if ((r = expand_one(&x, h, PF_ROOT_HIDE, false)) < 0)
			return r;
	for (char **h = p->persist; h && *h; h++)
		if ((r = expand_one(&x, h, PF_HOME_PERSIST, true)) < 0)
			return r;
	for (size_t i = 0; i < p->n_binds; i++)
		if ((r = expand_one(&x, &p->binds[i].source, PF_BINDS, false)) < 0 ||
		    (r = expand_one(&x, &p->binds[i].target, PF_BINDS, false)) < 0)
			return r;
	/* The real home is mounted into the jail for these: it must be a
	 * path we can walk safely. */
	if ((p->home_mode == JAIL_HOME_BIND || p->persist) &&
	    (!jail_path_is_clean_absolute(m->home) || strcmp(m->home, "/") == 0 ||
	     strchr(m->home, ':')))
		return jail_error_set(
			err, EINVAL, "user '%s' has home '%s', which cannot be mounted into a jail",
			m->user, m->home);
	return 0;
}

int jail_config_resolve_match(const struct jail_config *c, const struct jail_match *m,
			      enum jail_verdict *ret_verdict, struct jail_policy **ret_policy,
			      struct jail_error *err)
{
	struct jail_policy *p = NULL;
	const struct jail_rule *rule;
	const struct jail_profile *prof;
	int r;

	*ret_policy = NULL;
	*ret_verdict = JAIL_VERDICT_REFUSE; /* whatever a careless caller reads: fail closed */
	if (m->winner < 0) {
		*ret_verdict = c->unmatched == JAIL_UNMATCHED_DENY ? JAIL_VERDICT_REFUSE
								   : JAIL_VERDICT_NONE;
		return 0;
	}
	rule = &c->rules[m->winner];
	if (rule->exempt) {
		*ret_verdict = JAIL_VERDICT_NONE;
		return 0;
	}
	prof = &c->profiles[rule->profile_idx];
	if (!prof->eff)
		return jail_error_set(err, EINVAL, "profile '%s' is not valid", prof->name);
	p = calloc(1, sizeof(*p));
	if (!p)
		return jail_error_set(err, ENOMEM, "out of memory");
	for (int f = 0; f < PF_COUNT; f++)
		if (jail_pfield_copy(p, prof->eff, (enum pfield)f) < 0) {
			r = jail_error_set(err, ENOMEM, "out of memory");
			goto fail;
		}
	p->user = strdup(m->user);
	p->home = strdup(m->home);
	p->uid = m->uid;
	p->gid = m->gid;
	p->profile = strdup(prof->name);
	p->matched_rule = jail_rule_describe(rule);
	if (!p->user || !p->home || !p->profile || !p->matched_rule) {
		r = jail_error_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	r = expand_policy(p, m, prof, err);
	if (r < 0)
		goto fail;
	*ret_policy = p;
	*ret_verdict = JAIL_VERDICT_JAIL;
	return 0;
fail:
	jail_policy_free(p);
	return r;
}

int jail_config_resolve(const struct jail_config *c, const char *user,
			enum jail_verdict *ret_verdict, struct jail_policy **ret_policy,
			struct jail_error *err)
{
	struct jail_match m;
	int r;

	*ret_policy = NULL;
	*ret_verdict = JAIL_VERDICT_REFUSE; /* whatever a careless caller reads: fail closed */
	if (!c)
		return jail_error_set(err, EINVAL, "no policy loaded");
	r = jail_match_user(c, user, &m, err);
	if (r < 0)
		return r;
	r = jail_config_resolve_match(c, &m, ret_verdict, ret_policy, err);
	jail_match_clear(&m);
	return r;
}
