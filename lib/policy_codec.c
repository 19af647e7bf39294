/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resolved policy on its way from the module to jail-init (policy.h:
 * jail_policy_encode / jail_policy_decode).
 *
 * Text, one field a line: "key=value\n", values escaped (backslash, newline,
 * tab), lists as repeated keys, a version line first and "end" last. Text
 * because the message travels over SOCK_SEQPACKET and jail_msg_recv()
 * refuses embedded NULs; strict because jail-init runs as root and builds
 * mounts from what it reads: an unknown key, a repeated scalar, a number
 * with junk or an enum out of range is an error, never a default.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

#define CODEC_MAGIC    "pam_jail-policy 1"
#define CODEC_MAX_LIST 4096 /* more list entries than this: refuse (bounded memory) */

/* ---------------------------------------------------------------- encode */

static int put_escaped(FILE *f, const char *key, const char *v)
{
	if (fprintf(f, "%s=", key) < 0)
		return -EIO;
	for (const char *p = v; *p; p++) {
		int r;
		switch (*p) {
		case '\\':
			r = fputs("\\\\", f);
			break;
		case '\n':
			r = fputs("\\n", f);
			break;
		case '\t':
			r = fputs("\\t", f);
			break;
		default:
			r = fputc(*p, f);
		}
		if (r == EOF)
			return -EIO;
	}
	return fputc('\n', f) == EOF ? -EIO : 0;
}

static int put_str(FILE *f, const char *key, const char *v)
{
	return v ? put_escaped(f, key, v) : 0; /* absent key = NULL */
}

static int put_u64(FILE *f, const char *key, uint64_t v)
{
	return fprintf(f, "%s=%" PRIu64 "\n", key, v) < 0 ? -EIO : 0;
}

static int put_strv(FILE *f, const char *key, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++) {
		int r = put_escaped(f, key, v[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int encode_fields(FILE *f, const struct jail_policy *p)
{
	int r = 0;

#define TRY(x)                                                                                     \
	do {                                                                                       \
		r = (x);                                                                           \
		if (r < 0)                                                                         \
			return r;                                                                  \
	} while (0)

	if (fprintf(f, "%s\n", CODEC_MAGIC) < 0)
		return -EIO;
	TRY(put_str(f, "user", p->user));
	TRY(put_u64(f, "uid", p->uid));
	TRY(put_u64(f, "gid", p->gid));
	TRY(put_str(f, "home", p->home));
	TRY(put_str(f, "profile", p->profile));
	TRY(put_str(f, "matched_rule", p->matched_rule));
	TRY(put_u64(f, "namespaces", p->namespaces));
	TRY(put_str(f, "hostname", p->hostname));
	TRY(put_u64(f, "root_kind", p->root_kind));
	TRY(put_str(f, "root_path", p->root_path));
	TRY(put_strv(f, "hide", p->hide));
	TRY(put_u64(f, "net.mode", p->net.mode));
	TRY(put_str(f, "net.bridge", p->net.bridge));
	TRY(put_str(f, "net.pool4", p->net.pool4));
	TRY(put_str(f, "net.gateway4", p->net.gateway4));
	TRY(put_str(f, "net.pool6", p->net.pool6));
	TRY(put_strv(f, "net.dns", p->net.dns));
	TRY(put_u64(f, "net.isolate", p->net.isolate));
	TRY(put_u64(f, "home_mode", p->home_mode));
	TRY(put_u64(f, "home_size", p->home_size_bytes));
	TRY(put_str(f, "skeleton", p->skeleton));
	TRY(put_strv(f, "persist", p->persist));
	TRY(put_u64(f, "tmp_size", p->tmp_size_bytes));
	TRY(put_u64(f, "run_size", p->run_size_bytes));
	for (size_t i = 0; i < p->n_binds; i++) {
		const struct jail_bind *b = &p->binds[i];
		if (!b->source || !b->target)
			return -EINVAL;
		/* a bind is a group of lines; "bind.source" opens the group */
		TRY(put_escaped(f, "bind.source", b->source));
		TRY(put_escaped(f, "bind.target", b->target));
		TRY(put_u64(f, "bind.writable", b->writable));
		TRY(put_u64(f, "bind.optional", b->optional));
	}
	TRY(put_u64(f, "x11", p->x11));
	TRY(put_u64(f, "syslog.forward", p->syslog.forward));
	TRY(put_u64(f, "syslog.rate", p->syslog.rate));
	TRY(put_u64(f, "limits.memory", p->limits.memory_bytes));
	TRY(put_u64(f, "limits.swap", p->limits.swap_bytes));
	TRY(put_u64(f, "limits.pids", p->limits.pids));
	TRY(put_u64(f, "limits.cpu_percent", p->limits.cpu_percent));
	TRY(put_u64(f, "limits.nofile", p->limits.nofile));
	TRY(put_u64(f, "limits.nproc", p->limits.nproc));
	TRY(put_u64(f, "limits.core", p->limits.core_bytes));
	TRY(put_u64(f, "limits.fsize", p->limits.fsize_bytes));
	TRY(put_strv(f, "capability", p->capabilities));
	TRY(put_u64(f, "no_new_privs", p->no_new_privs));
	TRY(put_u64(f, "seccomp", p->seccomp));
	TRY(put_strv(f, "seccomp_deny", p->seccomp_deny));
	TRY(put_strv(f, "seccomp_family", p->seccomp_allow_families));
	TRY(put_str(f, "shell", p->shell));
	TRY(put_str(f, "path", p->path));
	TRY(put_u64(f, "lifetime", p->lifetime));
	TRY(put_u64(f, "idle_timeout", p->idle_timeout_sec));
	TRY(put_u64(f, "nss_sockets", p->nss_sockets));
#undef TRY
	return fputs("end\n", f) == EOF ? -EIO : 0;
}

int jail_policy_encode(const struct jail_policy *p, char **ret_buf, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if (!p || !ret_buf || !ret_len)
		return -EINVAL;
	f = open_memstream(&buf, &len);
	if (!f)
		return -errno;
	r = encode_fields(f, p);
	if (fclose(f) != 0 && r == 0)
		r = -EIO;
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

/* ---------------------------------------------------------------- decode */

static int unescape(const char *s, size_t len, char **ret, struct jail_error *err)
{
	_cleanup_free_ char *out = malloc(len + 1);
	size_t o = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\\') {
			if (++i >= len)
				return jail_error_set(err, EBADMSG, "policy: dangling escape");
			switch (s[i]) {
			case '\\':
				c = '\\';
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			default:
				return jail_error_set(err, EBADMSG, "policy: bad escape '\\%c'",
						      s[i]);
			}
		} else if (c == '\0') {
			return jail_error_set(err, EBADMSG, "policy: NUL in value");
		}
		out[o++] = c;
	}
	out[o] = '\0';
	*ret = steal_pointer(&out);
	return 0;
}

static int parse_u64(const char *key, const char *v, uint64_t max, uint64_t *ret,
		     struct jail_error *err)
{
	uint64_t n = 0;

	if (!*v)
		return jail_error_set(err, EBADMSG, "policy: '%s' is empty", key);
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return jail_error_set(err, EBADMSG, "policy: '%s' is not a number", key);
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return jail_error_set(err, EBADMSG, "policy: '%s' overflows", key);
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (n > max)
		return jail_error_set(err, EBADMSG, "policy: '%s' out of range", key);
	*ret = n;
	return 0;
}

static int strv_append(char ***v, size_t *n, char *s)
{
	char **nv;

	if (*n >= CODEC_MAX_LIST)
		return -E2BIG;
	nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = s;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

/* Lengths of the lists being built (the policy struct only keeps NULL ends). */
struct list_counts {
	size_t hide, dns, persist, caps, deny;
	size_t families;
};

enum field_kind { F_STR, F_U64, F_BOOL, F_LIST, F_BIND };

struct field {
	const char *key;
	enum field_kind kind;
	uint64_t max;	  /* F_U64: largest accepted value */
	size_t off;	  /* offset in struct jail_policy */
	size_t count_off; /* F_LIST: offset in struct list_counts */
	int width;	  /* F_U64: sizeof the member */
};

#define FS(k, m)                                                                                   \
	{                                                                                          \
		k, F_STR, 0, offsetof(struct jail_policy, m), 0, 0                                 \
	}
#define FU(k, m, mx)                                                                               \
	{                                                                                          \
		k, F_U64, mx, offsetof(struct jail_policy, m), 0,                                  \
			sizeof(((struct jail_policy *)0)->m)                                       \
	}
#define FB(k, m)                                                                                   \
	{                                                                                          \
		k, F_BOOL, 1, offsetof(struct jail_policy, m), 0, 0                                \
	}
#define FL(k, m, c)                                                                                \
	{                                                                                          \
		k, F_LIST, 0, offsetof(struct jail_policy, m), offsetof(struct list_counts, c), 0  \
	}

static const struct field fields[] = {
	FS("user", user),
	FU("uid", uid, UINT32_MAX - 1),
	FU("gid", gid, UINT32_MAX - 1),
	FS("home", home),
	FS("profile", profile),
	FS("matched_rule", matched_rule),
	FU("namespaces", namespaces, JAIL_NS_ALL),
	FS("hostname", hostname),
	FU("root_kind", root_kind, JAIL_ROOT_TREE),
	FS("root_path", root_path),
	FL("hide", hide, hide),
	FU("net.mode", net.mode, JAIL_NET_BRIDGE),
	FS("net.bridge", net.bridge),
	FS("net.pool4", net.pool4),
	FS("net.gateway4", net.gateway4),
	FS("net.pool6", net.pool6),
	FL("net.dns", net.dns, dns),
	FB("net.isolate", net.isolate),
	FU("home_mode", home_mode, JAIL_HOME_BIND),
	FU("home_size", home_size_bytes, UINT64_MAX),
	FS("skeleton", skeleton),
	FL("persist", persist, persist),
	FU("tmp_size", tmp_size_bytes, UINT64_MAX),
	FU("run_size", run_size_bytes, UINT64_MAX),
	FB("x11", x11),
	FB("syslog.forward", syslog.forward),
	FU("syslog.rate", syslog.rate, UINT32_MAX),
	FU("limits.memory", limits.memory_bytes, UINT64_MAX),
	FU("limits.swap", limits.swap_bytes, UINT64_MAX),
	FU("limits.pids", limits.pids, UINT64_MAX),
	FU("limits.cpu_percent", limits.cpu_percent, UINT32_MAX),
	FU("limits.nofile", limits.nofile, UINT64_MAX),
	FU("limits.nproc", limits.nproc, UINT64_MAX),
	FU("limits.core", limits.core_bytes, UINT64_MAX),
	FU("limits.fsize", limits.fsize_bytes, UINT64_MAX),
	FL("capability", capabilities, caps),
	FB("no_new_privs", no_new_privs),
	FB("seccomp", seccomp),
	FL("seccomp_deny", seccomp_deny, deny),
	FL("seccomp_family", seccomp_allow_families, families),
	FS("shell", shell),
	FS("path", path),
	FU("lifetime", lifetime, JAIL_LIFETIME_SESSION),
	FU("idle_timeout", idle_timeout_sec, UINT32_MAX),
	FB("nss_sockets", nss_sockets),
};

/* Store a number into a member of width 1, 4 or 8 (enums and uid_t are 4). */
static void store_u64(void *dst, int width, uint64_t v)
{
	switch (width) {
	case 1: {
		uint8_t x = (uint8_t)v;
		memcpy(dst, &x, 1);
		break;
	}
	case 4: {
		uint32_t x = (uint32_t)v;
		memcpy(dst, &x, 4);
		break;
	}
	default:
		memcpy(dst, &v, 8);
	}
}

static int decode_bind(struct jail_policy *p, const char *key, const char *raw, size_t rawlen,
		       bool *expect_target, struct jail_error *err)
{
	uint64_t v;
	int r;

	if (strcmp(key, "bind.source") == 0) {
		struct jail_bind *nb;
		char *s = NULL;

		if (*expect_target)
			return jail_error_set(err, EBADMSG, "policy: bind without target");
		if (p->n_binds >= CODEC_MAX_LIST)
			return jail_error_set(err, E2BIG, "policy: too many binds");
		r = unescape(raw, rawlen, &s, err);
		if (r < 0)
			return r;
		nb = realloc(p->binds, (p->n_binds + 1) * sizeof(*nb));
		if (!nb) {
			free(s);
			return -ENOMEM;
		}
		p->binds = nb;
		memset(&nb[p->n_binds], 0, sizeof(*nb));
		nb[p->n_binds++].source = s;
		*expect_target = true;
		return 0;
	}
	if (p->n_binds == 0)
		return jail_error_set(err, EBADMSG, "policy: '%s' before bind.source", key);
	struct jail_bind *b = &p->binds[p->n_binds - 1];
	if (strcmp(key, "bind.target") == 0) {
		if (!*expect_target)
			return jail_error_set(err, EBADMSG, "policy: repeated bind.target");
		*expect_target = false;
		return unescape(raw, rawlen, &b->target, err);
	}
	if (*expect_target)
		return jail_error_set(err, EBADMSG, "policy: bind without target");
	_cleanup_free_ char *s = NULL;
	r = unescape(raw, rawlen, &s, err);
	if (r < 0)
		return r;
	r = parse_u64(key, s, 1, &v, err);
	if (r < 0)
		return r;
	if (strcmp(key, "bind.writable") == 0)
		b->writable = v;
	else if (strcmp(key, "bind.optional") == 0)
		b->optional = v;
	else
		return jail_error_set(err, EBADMSG, "policy: unknown key '%s'", key);
	return 0;
}

int jail_policy_decode(const char *buf, size_t len, struct jail_policy **ret,
		       struct jail_error *err)
{
	struct jail_policy *p;
	struct list_counts counts = { 0 };
	bool seen[JAIL_ARRAY_SIZE(fields)] = { false };
	bool expect_target = false, ended = false;
	const char *cur = buf, *end = buf + len;
	int r = 0;

	if (!buf || !ret)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;

	/* the version line */
	size_t mlen = strlen(CODEC_MAGIC);
	if (len < mlen + 1 || memcmp(buf, CODEC_MAGIC, mlen) != 0 || buf[mlen] != '\n') {
		r = jail_error_set(err, EBADMSG, "policy: not a pam_jail policy of this version");
		goto fail;
	}
	cur = buf + mlen + 1;

	while (cur < end) {
		const char *nl = memchr(cur, '\n', (size_t)(end - cur));
		const char *eq;
		char key[32];
		size_t klen;

		if (!nl) {
			r = jail_error_set(err, EBADMSG, "policy: unterminated line");
			goto fail;
		}
		if (ended) {
			r = jail_error_set(err, EBADMSG, "policy: data after end");
			goto fail;
		}
		if ((size_t)(nl - cur) == 3 && memcmp(cur, "end", 3) == 0) {
			ended = true;
			cur = nl + 1;
			continue;
		}
		eq = memchr(cur, '=', (size_t)(nl - cur));
		klen = eq ? (size_t)(eq - cur) : 0;
		if (!eq || klen == 0 || klen >= sizeof(key)) {
			r = jail_error_set(err, EBADMSG, "policy: malformed line");
			goto fail;
		}
		memcpy(key, cur, klen);
		key[klen] = '\0';
		const char *raw = eq + 1;
		size_t rawlen = (size_t)(nl - raw);
		cur = nl + 1;

		if (strncmp(key, "bind.", 5) == 0) {
			r = decode_bind(p, key, raw, rawlen, &expect_target, err);
			if (r < 0)
				goto fail;
			continue;
		}

		size_t i;
		for (i = 0; i < JAIL_ARRAY_SIZE(fields); i++)
			if (strcmp(fields[i].key, key) == 0)
				break;
		if (i == JAIL_ARRAY_SIZE(fields)) {
			r = jail_error_set(err, EBADMSG, "policy: unknown key '%s'", key);
			goto fail;
		}
		const struct field *fd = &fields[i];
		if (fd->kind != F_LIST) {
			if (seen[i]) {
				r = jail_error_set(err, EBADMSG, "policy: repeated key '%s'", key);
				goto fail;
			}
			seen[i] = true;
		}
		char *val = NULL;
		r = unescape(raw, rawlen, &val, err);
		if (r < 0)
			goto fail;
		char *member = (char *)p + fd->off;
		switch (fd->kind) {
		case F_STR:
			memcpy(member, &val, sizeof(char *));
			break;
		case F_LIST: {
			char **list;
			size_t *n = (size_t *)(void *)((char *)&counts + fd->count_off);
			memcpy(&list, member, sizeof(list));
			r = strv_append(&list, n, val);
			if (r < 0) {
				free(val);
				if (r == -E2BIG)
					jail_error_set(err, E2BIG, "policy: too many '%s'", key);
				goto fail;
			}
			memcpy(member, &list, sizeof(list));
			break;
		}
		case F_U64:
		case F_BOOL: {
			uint64_t v;
			r = parse_u64(key, val, fd->max, &v, err);
			free(val);
			if (r < 0)
				goto fail;
			if (fd->kind == F_BOOL) {
				bool b = v != 0;
				memcpy(member, &b, sizeof(b));
			} else {
				store_u64(member, fd->width, v);
			}
			break;
		}
		default:
			free(val);
			r = jail_error_set(err, EBADMSG, "policy: internal error");
			goto fail;
		}
	}
	if (!ended || expect_target) {
		r = jail_error_set(err, EBADMSG, "policy: truncated");
		goto fail;
	}
	if (!p->user || !p->profile || !p->home || !seen[1] || !seen[2]) {
		r = jail_error_set(err, EBADMSG, "policy: user, uid, gid, home or profile missing");
		goto fail;
	}
	*ret = p;
	return 0;
fail:
	jail_policy_free(p);
	return r < 0 ? r : -EBADMSG;
}
