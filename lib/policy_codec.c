/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resolved policy on its way from the module to jail-init
 * (policy_wire.h: jail_policy_encode / jail_policy_decode).
 *
 * Text, one field a line: "key=value\n", values escaped (backslash, newline,
 * tab), a version line first and "end" last. Text because the message
 * travels over SOCK_SEQPACKET and jail_msg_recv() refuses embedded NULs.
 *
 * The keys are the profile keys as an administrator writes them
 * ("home.size"), taken from the one table of them (jail_pfields), after the
 * few that say who the user is. Every key is sent, always:
 *   - a number, boolean or enum: "key=N", once;
 *   - a string: "key=VALUE", or a bare "key" line for "not set" (NULL);
 *   - a list: one "key=VALUE" line per entry, or a bare "key" line if empty;
 *   - the bind mounts: "binds=N", then N groups of binds.source,
 *     binds.target, binds.writable, binds.optional in that order.
 * Decode is strict because jail-init runs as root and builds mounts and
 * limits from what it reads, and because during a package upgrade the
 * module and jail-init can be of different versions for a moment: a
 * missing, unknown or repeated key, a number with junk or out of range, or
 * an enum out of range refuses the session, never defaults a value (a
 * missing home.size read as 0 would be a tmpfs of half the host's RAM).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decimal.h"
#include "policy_internal.h"
#include "policy_wire.h"

#define CODEC_MAGIC    "pam_jail-policy 3"
#define CODEC_MAX_LIST 4096 /* more list entries than this: refuse (bounded memory) */
#define CODEC_KEY_MAX  64

/* Who the user is: resolved per login, not profile keys. */
enum ident { ID_USER, ID_UID, ID_GID, ID_HOME, ID_PROFILE, ID_MATCHED_RULE, ID_COUNT };

static const char *const ident_keys[ID_COUNT] = {
	[ID_USER] = "user", [ID_UID] = "uid",	      [ID_GID] = "gid",
	[ID_HOME] = "home", [ID_PROFILE] = "profile", [ID_MATCHED_RULE] = "matched_rule",
};

/* The members of one bind group, in the order they are sent. */
static const char *const bind_keys[] = { "binds.source", "binds.target", "binds.writable",
					 "binds.optional" };

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

static int put_bare(FILE *f, const char *key)
{
	return fprintf(f, "%s\n", key) < 0 ? -EIO : 0;
}

static int put_str(FILE *f, const char *key, const char *v)
{
	return v ? put_escaped(f, key, v) : put_bare(f, key);
}

static int put_u64(FILE *f, const char *key, uint64_t v)
{
	return fprintf(f, "%s=%" PRIu64 "\n", key, v) < 0 ? -EIO : 0;
}

static int put_strv(FILE *f, const char *key, char *const *v)
{
	if (!v || !v[0])
		return put_bare(f, key);
	for (size_t i = 0; v[i]; i++) {
		int r = put_escaped(f, key, v[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int put_binds(FILE *f, const char *key, const struct jail_policy *p)
{
	int r = put_u64(f, key, p->n_binds);

	for (size_t i = 0; r >= 0 && i < p->n_binds; i++) {
		const struct jail_bind *b = &p->binds[i];
		if (!b->source || !b->target)
			return -EINVAL;
		if ((r = put_escaped(f, bind_keys[0], b->source)) < 0 ||
		    (r = put_escaped(f, bind_keys[1], b->target)) < 0 ||
		    (r = put_u64(f, bind_keys[2], b->writable)) < 0)
			return r;
		r = put_u64(f, bind_keys[3], b->optional);
	}
	return r;
}

static int put_field(FILE *f, const struct jail_policy *p, enum pfield pf)
{
	const struct pfield_desc *d = &jail_pfields[pf];
	const char *field = (const char *)p + d->offset;
	char key[CODEC_KEY_MAX];

	jail_pfield_name(pf, key, sizeof(key));
	switch (d->store) {
	case PS_BOOL:
	case PS_ENUM:
	case PS_U32:
	case PS_NSMASK:
	case PS_U64: {
		uint64_t v = jail_pfield_get_number(p, pf);
		/* an enum is an index into its names: a negative one is none */
		return d->store == PS_ENUM && v == UINT64_MAX ? -EINVAL : put_u64(f, key, v);
	}
	case PS_STR: {
		const char *s;
		memcpy(&s, field, sizeof(s));
		return put_str(f, key, s);
	}
	case PS_STRV: {
		char **v;
		memcpy(&v, field, sizeof(v));
		return put_strv(f, key, v);
	}
	case PS_BINDS:
		return put_binds(f, key, p);
	}
	return -EINVAL;
}

static int encode_fields(FILE *f, const struct jail_policy *p)
{
	int r = 0;

	if (!p->user || !p->home || !p->profile)
		return -EINVAL;
	if (fprintf(f, "%s\n", CODEC_MAGIC) < 0)
		return -EIO;
	if ((r = put_str(f, ident_keys[ID_USER], p->user)) < 0 ||
	    (r = put_u64(f, ident_keys[ID_UID], p->uid)) < 0 ||
	    (r = put_u64(f, ident_keys[ID_GID], p->gid)) < 0 ||
	    (r = put_str(f, ident_keys[ID_HOME], p->home)) < 0 ||
	    (r = put_str(f, ident_keys[ID_PROFILE], p->profile)) < 0 ||
	    (r = put_str(f, ident_keys[ID_MATCHED_RULE], p->matched_rule)) < 0)
		return r;
	for (int pf = 0; pf < PF_COUNT; pf++)
		if ((r = put_field(f, p, (enum pfield)pf)) < 0)
			return r;
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

static int parse_u64(const char *key, const char *v, size_t len, uint64_t max, uint64_t *ret,
		     struct jail_error *err)
{
	uint64_t n = 0;
	ssize_t digits;

	if (len == 0)
		return jail_error_set(err, EBADMSG, "policy: '%s' is empty", key);
	digits = jail_parse_decimal(v, len, UINT64_MAX, &n);
	if (digits < 0)
		return jail_error_set(err, EBADMSG, "policy: '%s' overflows", key);
	if ((size_t)digits != len)
		return jail_error_set(err, EBADMSG, "policy: '%s' is not a number", key);
	if (n > max)
		return jail_error_set(err, EBADMSG, "policy: '%s' out of range", key);
	*ret = n;
	return 0;
}

/* One line of the message: "key=value" or a bare "key". */
struct line {
	char key[CODEC_KEY_MAX];
	const char *raw; /* NULL for a bare key */
	size_t rawlen;
};

/* Where decode stands. */
struct decoder {
	struct jail_policy *p;
	unsigned seen_ident[ID_COUNT];
	unsigned seen[PF_COUNT]; /* lines of the key so far */
	bool bare[PF_COUNT];	 /* a list or string sent as "not set" */
	size_t list_len[PF_COUNT];
	uint64_t binds_announced;
	size_t bind_next; /* index in bind_keys of the next line of a group */
	struct jail_error *err;
};

static int repeated(struct decoder *D, const char *key)
{
	return jail_error_set(D->err, EBADMSG, "policy: repeated key '%s'", key);
}

static int want_value(struct decoder *D, const struct line *l)
{
	if (!l->raw)
		return jail_error_set(D->err, EBADMSG, "policy: '%s' has no value", l->key);
	return 0;
}

static int decode_u64(struct decoder *D, const struct line *l, uint64_t max, uint64_t *ret)
{
	int r = want_value(D, l);
	return r < 0 ? r : parse_u64(l->key, l->raw, l->rawlen, max, ret, D->err);
}

static int decode_str(struct decoder *D, const struct line *l, char **ret)
{
	*ret = NULL;
	return l->raw ? unescape(l->raw, l->rawlen, ret, D->err) : 0;
}

static int decode_ident(struct decoder *D, enum ident id, const struct line *l)
{
	struct jail_policy *p = D->p;
	uint64_t v;
	int r;

	if (D->seen_ident[id]++)
		return repeated(D, l->key);
	switch (id) {
	case ID_UID:
	case ID_GID:
		/* (uid_t)-1 means "no change" to setresuid(): never a user */
		r = decode_u64(D, l, UINT32_MAX - 1, &v);
		if (r < 0)
			return r;
		if (id == ID_UID)
			p->uid = (uid_t)v;
		else
			p->gid = (gid_t)v;
		return 0;
	case ID_MATCHED_RULE:
		return decode_str(D, l, &p->matched_rule);
	default:
		r = want_value(D, l);
		if (r < 0)
			return r;
		return decode_str(D, l,
				  id == ID_USER	  ? &p->user
				  : id == ID_HOME ? &p->home
						  : &p->profile);
	}
}

static size_t enum_count(const struct pfield_desc *d)
{
	size_t n = 0;
	while (d->names[n])
		n++;
	return n;
}

static int decode_list_entry(struct decoder *D, enum pfield pf, const struct line *l, char ***v)
{
	char **nv, *s = NULL;
	size_t *n = &D->list_len[pf];
	int r;

	/* a bare line is the whole (empty) list: nothing before or after it */
	if (D->bare[pf] || (!l->raw && D->seen[pf] > 1))
		return repeated(D, l->key);
	if (!l->raw) {
		D->bare[pf] = true;
		return 0;
	}
	if (*n >= CODEC_MAX_LIST)
		return jail_error_set(D->err, E2BIG, "policy: too many '%s'", l->key);
	r = unescape(l->raw, l->rawlen, &s, D->err);
	if (r < 0)
		return r;
	nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[(*n)++] = s;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

/* The largest value a number field may carry on the wire. */
static uint64_t number_max(const struct pfield_desc *d)
{
	switch (d->store) {
	case PS_BOOL:
		return 1;
	case PS_ENUM:
		return enum_count(d) - 1;
	case PS_NSMASK:
		return JAIL_NS_ALL;
	case PS_U32:
		return UINT32_MAX;
	default:
		return UINT64_MAX;
	}
}

static int decode_field(struct decoder *D, enum pfield pf, const struct line *l)
{
	const struct pfield_desc *d = &jail_pfields[pf];
	char *field = (char *)D->p + d->offset;
	uint64_t v = 0;
	int r;

	D->seen[pf]++;
	if (d->store == PS_STRV) {
		char **list;
		memcpy(&list, field, sizeof(list));
		r = decode_list_entry(D, pf, l, &list);
		memcpy(field, &list, sizeof(list));
		return r;
	}
	if (D->seen[pf] > 1)
		return repeated(D, l->key);
	switch (d->store) {
	case PS_BOOL:
	case PS_ENUM:
	case PS_U32:
	case PS_NSMASK:
	case PS_U64:
		r = decode_u64(D, l, number_max(d), &v);
		if (r >= 0)
			jail_pfield_set_number(D->p, pf, v);
		return r;
	case PS_STR: {
		char *s = NULL;
		r = decode_str(D, l, &s);
		if (r >= 0)
			memcpy(field, &s, sizeof(s));
		return r;
	}
	case PS_BINDS:
		r = decode_u64(D, l, CODEC_MAX_LIST, &D->binds_announced);
		if (r >= 0 && D->binds_announced &&
		    !(D->p->binds = calloc(D->binds_announced, sizeof(*D->p->binds))))
			r = -ENOMEM;
		return r;
	case PS_STRV:
		break;
	}
	return jail_error_set(D->err, EBADMSG, "policy: internal error");
}

/* One line of a bind group: they come in bind_keys' order, after "binds=N". */
static int decode_bind_line(struct decoder *D, size_t which, const struct line *l)
{
	struct jail_policy *p = D->p;
	uint64_t v = 0;
	int r;

	if (which != D->bind_next || !D->seen[PF_BINDS])
		return jail_error_set(D->err, EBADMSG, "policy: '%s' out of place", l->key);
	if (which == 0 && p->n_binds >= D->binds_announced)
		return jail_error_set(D->err, EBADMSG, "policy: more binds than announced");
	D->bind_next = (which + 1) % JAIL_ARRAY_SIZE(bind_keys);
	if (which == 0) {
		r = want_value(D, l);
		return r < 0 ? r : decode_str(D, l, &p->binds[p->n_binds++].source);
	}
	struct jail_bind *b = &p->binds[p->n_binds - 1];
	if (which == 1) {
		r = want_value(D, l);
		return r < 0 ? r : decode_str(D, l, &b->target);
	}
	r = decode_u64(D, l, 1, &v);
	if (r >= 0 && which == 2)
		b->writable = v;
	else if (r >= 0)
		b->optional = v;
	return r;
}

static int decode_line(struct decoder *D, const struct line *l)
{
	char name[CODEC_KEY_MAX];

	for (int id = 0; id < ID_COUNT; id++)
		if (strcmp(l->key, ident_keys[id]) == 0)
			return decode_ident(D, (enum ident)id, l);
	for (int pf = 0; pf < PF_COUNT; pf++)
		if (strcmp(l->key, jail_pfield_name((enum pfield)pf, name, sizeof(name))) == 0)
			return decode_field(D, (enum pfield)pf, l);
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(bind_keys); i++)
		if (strcmp(l->key, bind_keys[i]) == 0)
			return decode_bind_line(D, i, l);
	return jail_error_set(D->err, EBADMSG, "policy: unknown key '%s'", l->key);
}

/* After "end": every key must have come, and every bind announced. */
static int check_complete(struct decoder *D)
{
	char name[CODEC_KEY_MAX];

	for (int id = 0; id < ID_COUNT; id++)
		if (!D->seen_ident[id])
			return jail_error_set(D->err, EBADMSG, "policy: missing key '%s'",
					      ident_keys[id]);
	for (int pf = 0; pf < PF_COUNT; pf++)
		if (!D->seen[pf])
			return jail_error_set(D->err, EBADMSG, "policy: missing key '%s'",
					      jail_pfield_name((enum pfield)pf, name,
							       sizeof(name)));
	if (D->p->n_binds != D->binds_announced || D->bind_next != 0)
		return jail_error_set(D->err, EBADMSG, "policy: incomplete binds");
	return 0;
}

struct first_problem {
	const struct jail_policy *p;
	struct jail_error *err;
	bool reported;
};

static void keep_first(void *ctx, enum pfield a, enum pfield b, const char *msg)
{
	struct first_problem *F = ctx;

	(void)a;
	(void)b;
	if (!F->reported)
		jail_error_set(F->err, EINVAL, "profile '%s': %s", F->p->profile, msg);
	F->reported = true;
}

int jail_policy_decode(const char *buf, size_t len, struct jail_policy **ret,
		       struct jail_error *err)
{
	struct decoder D = { .err = err };
	bool ended = false;
	const char *cur, *end = buf + len;
	size_t mlen = strlen(CODEC_MAGIC);
	int r = 0;

	if (!buf || !ret)
		return -EINVAL;
	*ret = NULL;
	/* the version line: another version's message is refused whole */
	if (len < mlen + 1 || memcmp(buf, CODEC_MAGIC, mlen) != 0 || buf[mlen] != '\n')
		return jail_error_set(err, EBADMSG,
				      "policy: not a pam_jail policy of this version");
	D.p = calloc(1, sizeof(*D.p));
	if (!D.p)
		return -ENOMEM;
	cur = buf + mlen + 1;

	while (cur < end) {
		const char *nl = memchr(cur, '\n', (size_t)(end - cur));
		struct line l = { 0 };
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
		const char *eq = memchr(cur, '=', (size_t)(nl - cur));
		klen = (size_t)((eq ? eq : nl) - cur);
		if (klen == 0 || klen >= sizeof(l.key) || memchr(cur, '\0', klen)) {
			r = jail_error_set(err, EBADMSG, "policy: malformed line");
			goto fail;
		}
		memcpy(l.key, cur, klen);
		l.key[klen] = '\0';
		if (eq) {
			l.raw = eq + 1;
			l.rawlen = (size_t)(nl - l.raw);
		}
		cur = nl + 1;
		r = decode_line(&D, &l);
		if (r < 0)
			goto fail;
	}
	if (!ended) {
		r = jail_error_set(err, EBADMSG, "policy: truncated");
		goto fail;
	}
	r = check_complete(&D);
	if (r < 0)
		goto fail;
	/* what the loader refuses, jail-init refuses too (a module of
	 * another version, or a policy that never went through the loader) */
	struct first_problem F = { .p = D.p, .err = err };
	if (jail_policy_validate(D.p, NULL, keep_first, &F) > 0) {
		r = -EINVAL;
		goto fail;
	}
	*ret = D.p;
	return 0;
fail:
	jail_policy_free(D.p);
	return r < 0 ? r : -EBADMSG;
}
