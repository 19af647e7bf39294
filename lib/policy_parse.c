/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The profile schema: every key's type and value checks (table in
 * policy_fields.c). A value that is not exactly understood is an error with
 * the file and line, never a guess: a misspelt key or a "-1" size must not
 * silently give a weaker jail.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "cidr4.h"
#include "policy_load.h"
#include "privs.h"
#include "safepath.h"
#include "seccomp_socket.h"

/* Groups of keys inside a profile: root = { ... }, network = { ... }, ... */
static const char *const profile_groups[] = { "root",	"network", "home",     "tmp",	"run",
					      "limits", "seccomp", "lifetime", "syslog" };

struct pctx {
	struct jail_loader *L;
	struct jail_profile *p;
	enum pfield f;
	char key[64]; /* "home.size" */
	int errors;
};

static void perr(struct pctx *x, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr(struct pctx *x, const config_setting_t *s, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	jail_loader_error(x->L, EINVAL, x->L->file, jail_setting_line(s), "profile '%s': %s: %s",
			  x->p->name, x->key, msg);
	x->errors++;
}

static const char *type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number with a fraction";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	default:
		return "something else";
	}
}

static bool has_control_char(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

/* A string value, or NULL after reporting why not. */
static const char *want_string(struct pctx *x, const config_setting_t *s)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		perr(x, s, "expected a string, found %s", type_name(s));
		return NULL;
	}
	v = config_setting_get_string(s);
	if (has_control_char(v)) {
		perr(x, s, "contains a control character");
		return NULL;
	}
	return v;
}

/* Check %-sequences against what the field allows. */
static bool check_expansions(struct pctx *x, const config_setting_t *s, const char *v)
{
	enum pexpand allowed = jail_pfields[x->f].expand;

	for (const char *p = v; (p = strchr(p, '%')); p += 2) {
		char c = p[1];
		if (c == '%' || (allowed != PX_NONE && (c == 'u' || c == 'g')) ||
		    (allowed == PX_ALL && c == 'h'))
			continue;
		if (allowed == PX_NONE)
			perr(x, s, "'%%' has no meaning here (write '%%%%' for a literal '%%')");
		else if (!c)
			perr(x, s, "'%%' at the end (write '%%%%' for a literal '%%')");
		else
			perr(x, s, "unknown expansion '%%%c' (use %s, or '%%%%' for '%%')", c,
			     allowed == PX_ALL ? "%u, %g, %h" : "%u, %g");
		return false;
	}
	return true;
}

/* What a template looks like once expanded, for checking its shape: %h is
 * an absolute path, so "%h/shared" is absolute and "/srv/%h" is not clean. */
static void template_sample(const char *v, char *buf, size_t len)
{
	size_t o = 0;

	for (const char *p = v; *p && o + 3 < len; p++) {
		if (*p == '%' && p[1]) {
			p++;
			if (*p == 'h') {
				buf[o++] = '/';
				buf[o++] = 'h';
			} else {
				buf[o++] = *p == '%' ? '%' : 'x';
			}
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = '\0';
}

/* An absolute path template. The ':' ban: jail markers and the codec carry
 * paths in ':'-separated lists. */
static bool check_path(struct pctx *x, const config_setting_t *s, const char *v)
{
	char sample[PATH_MAX];

	if (!check_expansions(x, s, v))
		return false;
	template_sample(v, sample, sizeof(sample));
	if (strlen(v) >= PATH_MAX / 2 || !jail_path_is_clean_absolute(sample)) {
		perr(x, s,
		     "'%s' is not a clean absolute path (starts with '/', no '.', "
		     "'..' or '//')",
		     v);
		return false;
	}
	if (strchr(v, ':')) {
		perr(x, s, "'%s': paths may not contain ':'", v);
		return false;
	}
	return true;
}

static bool check_relpath(struct pctx *x, const config_setting_t *s, const char *v)
{
	char abs[PATH_MAX + 1];

	if (!check_expansions(x, s, v))
		return false;
	abs[0] = '/';
	template_sample(v, abs + 1, sizeof(abs) - 1);
	if (!*v || v[0] == '/' || strlen(v) >= PATH_MAX / 2 || !jail_path_is_clean_absolute(abs) ||
	    v[strlen(v) - 1] == '/') {
		perr(x, s,
		     "'%s' must be a path relative to the home directory (no leading "
		     "'/', no '.' or '..')",
		     v);
		return false;
	}
	if (strchr(v, ':')) {
		perr(x, s, "'%s': paths may not contain ':'", v);
		return false;
	}
	return true;
}

/* The literal parts of a hostname template; %u and %g are mapped at login
 * to what a hostname can hold (policy_hostname.c), so only what no user
 * name can mend is refused here: a bad character, an empty label, a label
 * that starts or ends with a literal '-'. */
static bool check_hostname_template(struct pctx *x, const config_setting_t *s, const char *v)
{
	size_t literal = 0;
	char prev = '.'; /* the last template character, '%' for an expansion */

	if (!check_expansions(x, s, v))
		return false;
	for (const char *p = v; *p; p++) {
		char c = *p;

		if (c == '%') {
			p++;
			if (*p == '%') {
				perr(x, s, "'%%' cannot be part of a hostname");
				return false;
			}
			prev = '%';
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.')) {
			perr(x, s, "'%s': a hostname may hold only letters, digits, '-' and '.'",
			     v);
			return false;
		}
		if (c == '.' && prev == '.') {
			perr(x, s, "'%s': a hostname may not start with '.' or hold '..'", v);
			return false;
		}
		if ((c == '-' && prev == '.') || (c == '.' && prev == '-')) {
			perr(x, s, "'%s': no part between dots may start or end with '-'", v);
			return false;
		}
		prev = c;
		literal++;
	}
	if (*v && (prev == '.' || prev == '-')) {
		perr(x, s, "'%s': a hostname may not end with '%c'", v, prev);
		return false;
	}
	if (literal > 63) {
		perr(x, s, "'%s' is longer than 63 characters", v);
		return false;
	}
	return true;
}

static bool check_ifname(struct pctx *x, const config_setting_t *s, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 15 || strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		goto bad;
	for (const char *p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			goto bad;
	return true;
bad:
	perr(x, s,
	     "'%s' is not a network interface name (1 to 15 letters, digits, '-', "
	     "'_', '.')",
	     v);
	return false;
}

static bool check_cidr(struct pctx *x, const config_setting_t *s, const char *v, int af)
{
	char addr[64];
	const char *slash = strchr(v, '/');
	unsigned char bin[16];
	/* The IPv4 bounds are the address pool's (cidr4.h), so `jailctl
	 * check` refuses what a login would. */
	int minp = af == AF_INET ? JAIL_POOL_MIN_PREFIX : 1;
	int maxp = af == AF_INET ? 30 : 126;
	long prefix;
	char *end;

	if (!slash || (size_t)(slash - v) >= sizeof(addr))
		goto bad;
	memcpy(addr, v, (size_t)(slash - v));
	addr[slash - v] = '\0';
	if (inet_pton(af, addr, bin) != 1)
		goto bad;
	if (slash[1] < '0' || slash[1] > '9')
		goto bad;
	errno = 0;
	prefix = strtol(slash + 1, &end, 10);
	if (errno || *end || prefix < minp || prefix > maxp)
		goto bad;
	return true;
bad:
	perr(x, s, "'%s' is not an %s network (ADDRESS/PREFIX, prefix %d to %d)", v,
	     af == AF_INET ? "IPv4" : "IPv6", minp, maxp);
	return false;
}

static bool check_ip(struct pctx *x, const config_setting_t *s, const char *v, bool v6_ok)
{
	unsigned char bin[16];

	if (inet_pton(AF_INET, v, bin) == 1 || (v6_ok && inet_pton(AF_INET6, v, bin) == 1))
		return true;
	perr(x, s, "'%s' is not an %s address", v, v6_ok ? "IP" : "IPv4");
	return false;
}

static bool check_searchpath(struct pctx *x, const config_setting_t *s, const char *v)
{
	char dir[4096];
	const char *p = v;

	if (!*v) {
		perr(x, s, "must not be empty");
		return false;
	}
	for (;;) {
		const char *end = strchrnul(p, ':');
		size_t n = (size_t)(end - p);
		if (n == 0 || n >= sizeof(dir)) {
			perr(x, s,
			     "'%s' has an empty entry (which would mean the current "
			     "directory)",
			     v);
			return false;
		}
		memcpy(dir, p, n);
		dir[n] = '\0';
		if (!jail_path_is_clean_absolute(dir)) {
			perr(x, s, "'%s' is not a clean absolute directory", dir);
			return false;
		}
		if (!*end)
			return true;
		p = end + 1;
	}
}

static bool check_syscall(struct pctx *x, const config_setting_t *s, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 63 || (v[0] >= '0' && v[0] <= '9'))
		goto bad;
	for (const char *p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			goto bad;
	/* Spelled right but unknown here: the session would refuse it at
	 * open (lib/privs.c); say so now, with the file and line. */
	if (!jail_syscall_known(v)) {
		perr(x, s, "'%s' is not a system call of this machine", v);
		return false;
	}
	return true;
bad:
	perr(x, s, "'%s' is not a system call name", v);
	return false;
}

static bool check_family(struct pctx *x, const config_setting_t *s, const char *v)
{
	if (jail_socket_family_number(v) < 0) {
		perr(x, s, "'%s' is not a socket address family (e.g. \"vsock\", \"alg\")", v);
		return false;
	}
	return true;
}

/* A capability name as libcap knows it, stored in libcap's spelling. */
static char *canonical_cap(struct pctx *x, const config_setting_t *s, const char *v)
{
	cap_value_t cap;
	char *name, *copy;

	if (strncasecmp(v, "cap_", 4) != 0 || cap_from_name(v, &cap) != 0) {
		perr(x, s, "'%s' is not a capability name (e.g. \"cap_net_bind_service\")", v);
		return NULL;
	}
	name = cap_to_name(cap);
	if (!name) {
		x->L->oom = true;
		return NULL;
	}
	copy = strdup(name);
	cap_free(name);
	if (!copy)
		x->L->oom = true;
	return copy;
}

/* A non-negative integer setting. */
static bool want_uint(struct pctx *x, const config_setting_t *s, uint64_t *ret)
{
	long long v = config_setting_get_int64(s);

	if (v < 0) {
		perr(x, s, "%lld is negative", v);
		return false;
	}
	*ret = (uint64_t)v;
	return true;
}

static bool is_int(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

/* A size: "256M" or an integer number of bytes. */
static bool want_size(struct pctx *x, const config_setting_t *s, uint64_t *ret)
{
	const char *v;
	int r;

	if (is_int(s))
		return want_uint(x, s, ret);
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		perr(x, s, "expected a size such as \"256M\", found %s", type_name(s));
		return false;
	}
	v = want_string(x, s);
	if (!v)
		return false;
	r = jail_parse_size(v, ret);
	if (r == -ERANGE) {
		perr(x, s, "size '%s' is too large", v);
		return false;
	}
	if (r < 0) {
		perr(x, s, "'%s' is not a size (a number with an optional K, M, G or T)", v);
		return false;
	}
	return true;
}

static bool set_str(struct pctx *x, char **dst, const char *v)
{
	char *copy = v ? strdup(v) : NULL;

	if (v && !copy) {
		x->L->oom = true;
		return false;
	}
	free(*dst);
	*dst = copy;
	return true;
}

/* A list of strings (array [ ] or list ( )), each checked by kind. */
static bool want_strv(struct pctx *x, const config_setting_t *s, char ***ret)
{
	enum pkind kind = jail_pfields[x->f].kind;
	int n, t = config_setting_type(s);
	char **v;

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) {
		perr(x, s, "expected a list such as [\"a\", \"b\"], found %s", type_name(s));
		return false;
	}
	n = config_setting_length(s);
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v) {
		x->L->oom = true;
		return false;
	}
	int before = x->errors;
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *str = want_string(x, e);
		bool ok;

		if (!str)
			continue;
		switch (kind) {
		case PK_PATHV:
			ok = check_path(x, e, str);
			if (ok && strcmp(str, "/") == 0) {
				perr(x, e, "'/' cannot be hidden");
				ok = false;
			}
			break;
		case PK_RELPATHV:
			ok = check_relpath(x, e, str);
			break;
		case PK_IPLIST:
			ok = check_ip(x, e, str, true);
			break;
		case PK_SYSCALLS:
			ok = check_syscall(x, e, str);
			break;
		case PK_FAMILIES:
			ok = check_family(x, e, str);
			break;
		case PK_CAPS:
			v[i] = canonical_cap(x, e, str);
			continue;
		default:
			ok = false;
		}
		if (!ok)
			continue;
		for (int j = 0; j < i; j++)
			if (v[j] && strcmp(v[j], str) == 0) {
				perr(x, e, "'%s' is listed twice", str);
				ok = false;
				break;
			}
		if (ok && !(v[i] = strdup(str)))
			x->L->oom = true;
	}
	if (x->errors != before || x->L->oom) {
		/* v may have holes where entries failed: free up to n */
		for (int i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return false;
	}
	if (n == 0) {
		/* an empty list is stored as NULL: "nothing" */
		free(v);
		v = NULL;
	}
	*ret = v;
	return true;
}

static bool want_nslist(struct pctx *x, const config_setting_t *s, unsigned *ret)
{
	int t = config_setting_type(s);
	unsigned mask = 0;
	bool ok = true;

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) {
		perr(x, s, "expected a list such as [\"mount\", \"pid\"], found %s", type_name(s));
		return false;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *str = want_string(x, e);
		unsigned bit;

		if (!str) {
			ok = false;
			continue;
		}
		bit = jail_ns_from_name(str);
		if (!bit) {
			perr(x, e,
			     "unknown namespace '%s' (known: mount, pid, net, ipc, uts, "
			     "user, cgroup, time)",
			     str);
			ok = false;
		} else if (mask & bit) {
			perr(x, e, "'%s' is listed twice", str);
			ok = false;
		}
		mask |= bit;
	}
	if (ok)
		*ret = mask;
	return ok;
}

static bool parse_binds(struct pctx *x, const config_setting_t *s, struct jail_policy *dst)
{
	int n;
	struct jail_bind *b;
	int before = x->errors;

	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		perr(x, s,
		     "expected a list of groups: ( { source = \"...\"; target = \"...\"; } )");
		return false;
	}
	n = config_setting_length(s);
	b = calloc((size_t)n + 1, sizeof(*b));
	if (!b) {
		x->L->oom = true;
		return false;
	}
	for (int i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		bool have_src = false, have_dst = false;

		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			perr(x, g, "each bind must be a group { source = ...; target = ...; }");
			continue;
		}
		for (int k = 0; k < config_setting_length(g); k++) {
			config_setting_t *m = config_setting_get_elem(g, (unsigned)k);
			const char *key = config_setting_name(m);
			const char *v;

			if (strcmp(key, "source") == 0 || strcmp(key, "target") == 0) {
				bool is_src = key[0] == 's';
				if (!(v = want_string(x, m)) || !check_path(x, m, v))
					continue;
				if (!is_src && strcmp(v, "/") == 0) {
					perr(x, m, "the jail's '/' cannot be a bind target");
					continue;
				}
				if (!set_str(x, is_src ? &b[i].source : &b[i].target, v))
					break;
				*(is_src ? &have_src : &have_dst) = true;
			} else if (strcmp(key, "writable") == 0 || strcmp(key, "optional") == 0) {
				if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
					perr(x, m, "'%s' must be true or false", key);
					continue;
				}
				*(key[0] == 'w' ? &b[i].writable
						: &b[i].optional) = config_setting_get_bool(m);
			} else {
				perr(x, m,
				     "unknown key '%s' in a bind (source, target, writable, "
				     "optional)",
				     key);
			}
		}
		if (config_setting_type(g) == CONFIG_TYPE_GROUP && (!have_src || !have_dst) &&
		    x->errors == before)
			perr(x, g, "a bind needs both 'source' and 'target'");
		for (int j = 0; j < i && b[i].target; j++)
			if (b[j].target && strcmp(b[j].target, b[i].target) == 0) {
				perr(x, g, "target '%s' is bound twice", b[i].target);
				break;
			}
	}
	if (x->errors != before || x->L->oom) {
		jail_binds_free(b, (size_t)n);
		return false;
	}
	jail_binds_free(dst->binds, dst->n_binds);
	dst->binds = n ? b : NULL;
	dst->n_binds = (size_t)n;
	if (!n)
		free(b);
	return true;
}

static bool parse_limit(struct pctx *x, const config_setting_t *s, uint64_t *ret)
{
	const struct pfield_desc *d = &jail_pfields[x->f];
	uint64_t v;

	if (config_setting_type(s) == CONFIG_TYPE_STRING &&
	    strcmp(config_setting_get_string(s), d->keyword) == 0) {
		*ret = d->keyword_value;
		return true;
	}
	if (d->is_size) {
		if (!want_size(x, s, &v))
			return false;
	} else {
		if (!is_int(s)) {
			perr(x, s, "expected a number or \"%s\", found %s", d->keyword,
			     type_name(s));
			return false;
		}
		if (!want_uint(x, s, &v))
			return false;
		if (v > d->max) {
			perr(x, s, "%llu is more than the largest allowed, %llu",
			     (unsigned long long)v, (unsigned long long)d->max);
			return false;
		}
	}
	if (v == 0 && !d->zero_ok) {
		/* 0 would read as "nothing allowed" to some and "no limit" to
		 * others; make the admin say which. */
		perr(x, s, "0 is not allowed (write \"%s\" to %s)", d->keyword,
		     strcmp(d->keyword, "unlimited") == 0 ? "set no limit"
							  : "keep the login's own limit");
		return false;
	}
	if (v == d->keyword_value) {
		perr(x, s, "%llu is out of range", (unsigned long long)v);
		return false;
	}
	*ret = v;
	return true;
}

/* Parse the value of field f from setting s into p->set. */
static void parse_field(struct pctx *x, const config_setting_t *s)
{
	const struct pfield_desc *d = &jail_pfields[x->f];
	struct jail_policy *dst = x->p->set;
	char *field = (char *)dst + d->offset;
	const char *v = NULL;
	uint64_t u = 0;
	bool ok = false;

	switch (d->kind) {
	case PK_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
			perr(x, s, "expected true or false, found %s", type_name(s));
			break;
		}
		*(bool *)(void *)field = config_setting_get_bool(s);
		ok = true;
		break;
	case PK_ENUM: {
		char expected[128] = "";
		if (!(v = want_string(x, s)))
			break;
		for (int i = 0; d->names[i]; i++) {
			if (strcmp(d->names[i], v) == 0) {
				int val = i;
				memcpy(field, &val, sizeof(val));
				ok = true;
			}
			size_t used = strlen(expected);
			snprintf(expected + used, sizeof(expected) - used, "%s\"%s\"",
				 i == 0		   ? ""
				 : d->names[i + 1] ? ", "
						   : " or ",
				 d->names[i]);
		}
		if (!ok)
			perr(x, s, "unknown value '%s' (expected %s)", v, expected);
		break;
	}
	case PK_PATH:
		if ((v = want_string(x, s)) && check_path(x, s, v))
			ok = set_str(x, (char **)(void *)field, v);
		break;
	case PK_HOSTNAME:
		if ((v = want_string(x, s)) && check_hostname_template(x, s, v))
			ok = set_str(x, (char **)(void *)field, *v ? v : NULL);
		break;
	case PK_SEARCHPATH:
		if ((v = want_string(x, s)) && check_searchpath(x, s, v))
			ok = set_str(x, (char **)(void *)field, v);
		break;
	case PK_IFNAME:
		if ((v = want_string(x, s)) && check_ifname(x, s, v))
			ok = set_str(x, (char **)(void *)field, v);
		break;
	case PK_CIDR4:
	case PK_CIDR6:
		if ((v = want_string(x, s)) &&
		    check_cidr(x, s, v, d->kind == PK_CIDR4 ? AF_INET : AF_INET6))
			ok = set_str(x, (char **)(void *)field, v);
		break;
	case PK_IP4:
		if ((v = want_string(x, s)) && check_ip(x, s, v, false))
			ok = set_str(x, (char **)(void *)field, v);
		break;
	case PK_PATHV:
	case PK_RELPATHV:
	case PK_IPLIST:
	case PK_CAPS:
	case PK_SYSCALLS:
	case PK_FAMILIES: {
		char **list;
		if ((ok = want_strv(x, s, &list))) {
			jail_strv_free(*(char ***)(void *)field);
			*(char ***)(void *)field = list;
		}
		break;
	}
	case PK_NSLIST:
		ok = want_nslist(x, s, (unsigned *)(void *)field);
		break;
	case PK_SIZE:
		if ((ok = want_size(x, s, &u))) {
			if (u == 0) {
				perr(x, s, "must be more than 0");
				ok = false;
			} else {
				memcpy(field, &u, sizeof(u));
			}
		}
		break;
	case PK_DURATION: {
		uint32_t secs = 0;
		if (is_int(s)) {
			ok = want_uint(x, s, &u);
			if (ok && u > UINT32_MAX) {
				perr(x, s, "%llu seconds is too long", (unsigned long long)u);
				ok = false;
			}
			secs = (uint32_t)u;
		} else if ((v = want_string(x, s))) {
			int r = jail_parse_duration(v, &secs);
			ok = r == 0;
			if (!ok)
				perr(x, s,
				     "'%s' is not a duration (e.g. \"30s\", \"10m\", \"2h\", "
				     "\"1d\")",
				     v);
		}
		if (ok && secs == 0) {
			perr(x, s, "must be more than 0");
			ok = false;
		}
		if (ok)
			memcpy(field, &secs, sizeof(secs));
		break;
	}
	case PK_LIMIT:
		if ((ok = parse_limit(x, s, &u))) {
			if (d->store == PS_U32) {
				uint32_t u32 = (uint32_t)u;
				memcpy(field, &u32, sizeof(u32));
			} else {
				memcpy(field, &u, sizeof(u));
			}
		}
		break;
	case PK_BINDS:
		ok = parse_binds(x, s, dst);
		break;
	}
	if (ok) {
		x->p->set_origin[x->f].file = x->L->file;
		x->p->set_origin[x->f].line = jail_setting_line(s);
	}
}

static bool find_field(const char *group, const char *key, enum pfield *ret)
{
	for (int f = 0; f < PF_COUNT; f++) {
		const struct pfield_desc *d = &jail_pfields[f];
		if (strcmp(d->key, key) != 0)
			continue;
		if ((group == NULL) != (d->group == NULL))
			continue;
		if (group && strcmp(group, d->group) != 0)
			continue;
		*ret = (enum pfield)f;
		return true;
	}
	return false;
}

static bool is_profile_group(const char *name)
{
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(profile_groups); i++)
		if (strcmp(profile_groups[i], name) == 0)
			return true;
	return false;
}

static void parse_extends(struct pctx *x, const config_setting_t *s)
{
	const char *v;

	snprintf(x->key, sizeof(x->key), "extends");
	if (!(v = want_string(x, s)))
		return;
	if (!*v) {
		perr(x, s, "must name a profile");
		return;
	}
	if (!set_str(x, &x->p->extends, v))
		return;
	x->p->extends_origin.file = x->L->file;
	x->p->extends_origin.line = jail_setting_line(s);
}

void jail_parse_profile(struct jail_loader *L, config_setting_t *group, struct jail_profile *p)
{
	struct pctx x = { .L = L, .p = p };

	for (int i = 0; i < config_setting_length(group); i++) {
		config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		enum pfield f;

		if (strcmp(name, "extends") == 0) {
			parse_extends(&x, s);
		} else if (find_field(NULL, name, &f)) {
			x.f = f;
			jail_pfield_name(f, x.key, sizeof(x.key));
			parse_field(&x, s);
		} else if (is_profile_group(name)) {
			if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
				snprintf(x.key, sizeof(x.key), "%s", name);
				perr(&x, s, "expected a group %s = { ... }, found %s", name,
				     type_name(s));
				continue;
			}
			for (int k = 0; k < config_setting_length(s); k++) {
				config_setting_t *m = config_setting_get_elem(s, (unsigned)k);
				const char *key = config_setting_name(m);
				if (find_field(name, key, &f)) {
					x.f = f;
					jail_pfield_name(f, x.key, sizeof(x.key));
					parse_field(&x, m);
				} else {
					jail_loader_error(L, EINVAL, L->file, jail_setting_line(m),
							  "profile '%s': unknown key '%s.%s'",
							  p->name, name, key);
					x.errors++;
				}
			}
		} else {
			jail_loader_error(L, EINVAL, L->file, jail_setting_line(s),
					  "profile '%s': unknown key '%s'", p->name, name);
			x.errors++;
		}
	}
	if (x.errors)
		p->bad = true;
}
