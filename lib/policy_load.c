/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading the policy: files -> struct jail_config.
 *
 * Every file is opened by fd through safepath (root-owned, not writable by
 * group or others, no symlinks anywhere on the path), read into memory with
 * a size cap and handed to libconfig as a string, so libconfig never opens a
 * file itself. That is also why `@include` is refused before parsing:
 * libconfig would open the named file by path, past every check above.
 *
 * Loading is strict and collects every problem (`jailctl check` lists them
 * all); one problem anywhere fails the whole load, because a policy that is
 * half understood could jail a user less than the administrator meant.
 * The schema (value checks) lives in policy_parse.c; this file owns files,
 * top-level layout, rules, settings and the checks that span files.
 */
#include <dirent.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "policy_load.h"
#include "safepath.h"

#define MAX_ERRORS   200
#define MAX_DROPINS  1024
#define MAX_PROFILES 4096
#define MAX_RULES    65536
#define MAX_LINES    65535 /* libconfig keeps line numbers in an unsigned short */

void jail_loader_error(struct jail_loader *L, int code, const char *file, int line, const char *fmt,
		       ...)
{
	va_list ap;

	if (L->first_code == 0)
		L->first_code = code > 0 ? code : EINVAL;
	L->total++;
	if (L->n_errs >= MAX_ERRORS && !L->closing) {
		L->truncated = true;
		return;
	}
	if (L->n_errs == L->cap) {
		size_t cap = L->cap ? L->cap * 2 : 16;
		struct jail_error *e = realloc(L->errs, cap * sizeof(*e));
		if (!e) {
			L->oom = true;
			return;
		}
		L->errs = e;
		L->cap = cap;
	}
	struct jail_error *e = &L->errs[L->n_errs++];
	memset(e, 0, sizeof(*e));
	e->code = code > 0 ? code : EINVAL;
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

int jail_setting_line(const config_setting_t *s)
{
	int line = (int)config_setting_source_line(s);
	return line > 0 ? line : 1;
}

/* Keep a copy of a file name for the lifetime of the config: every origin
 * points into it. */
static const char *intern_file(struct jail_loader *L, const char *name)
{
	struct jail_config *c = L->c;

	/* once per name: a file is interned before it is opened, so that
	 * problems with files that could not be read sort in file order too */
	for (size_t i = 0; i < c->n_files; i++)
		if (strcmp(c->files[i], name) == 0)
			return c->files[i];
	char **files = realloc(c->files, (c->n_files + 1) * sizeof(*files));
	if (!files) {
		L->oom = true;
		return NULL;
	}
	c->files = files;
	files[c->n_files] = strdup(name);
	if (!files[c->n_files]) {
		L->oom = true;
		return NULL;
	}
	return files[c->n_files++];
}

/* Refuse what libconfig must never see: NUL bytes (it would stop reading
 * there and silently ignore the rest), directives (`@include` opens files by
 * name) and more lines than it can number. */
static bool prescan(struct jail_loader *L, const char *file, const char *buf, size_t len)
{
	bool ok = true;
	int line = 1;
	bool line_start = true;

	for (size_t i = 0; i < len; i++) {
		char ch = buf[i];
		if (ch == '\0') {
			jail_loader_error(L, EINVAL, file, line, "the file contains a NUL byte");
			return false;
		}
		if (line_start && ch == '@') {
			/* Wherever it stands (even inside a comment or a string
			 * continued over lines): refusing a harmless one costs
			 * the admin one edit, missing a real one opens any file. */
			jail_loader_error(L, EINVAL, file, line,
					  "'@include' and other directives are not allowed "
					  "(use drop-in files in the jail.d directory)");
			ok = false;
		}
		if (ch == '\n') {
			if (++line > MAX_LINES) {
				jail_loader_error(L, EFBIG, file, line,
						  "the file has more than %d lines", MAX_LINES);
				return false;
			}
			line_start = true;
		} else if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\f' && ch != '\v') {
			line_start = false;
		}
	}
	return ok;
}

static void parse_version(struct jail_loader *L, config_setting_t *s)
{
	int type = config_setting_type(s);

	if ((type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) ||
	    config_setting_get_int64(s) != 1)
		jail_loader_error(L, EINVAL, L->file, jail_setting_line(s),
				  "version: only version 1 is understood by this pam_jail");
}

static void parse_settings(struct jail_loader *L, config_setting_t *group)
{
	struct jail_config *c = L->c;

	if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
		jail_loader_error(L, EINVAL, L->file, jail_setting_line(group),
				  "settings must be a group: settings = { ... };");
		return;
	}
	for (int i = 0; i < config_setting_length(group); i++) {
		config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		int line = jail_setting_line(s);

		if (strcmp(name, "unmatched") != 0) {
			jail_loader_error(L, EINVAL, L->file, line, "settings: unknown key '%s'",
					  name);
			continue;
		}
		const char *v = config_setting_type(s) == CONFIG_TYPE_STRING
					? config_setting_get_string(s)
					: NULL;
		enum jail_unmatched um;
		if (v && strcmp(v, "allow") == 0) {
			um = JAIL_UNMATCHED_ALLOW;
		} else if (v && strcmp(v, "deny") == 0) {
			um = JAIL_UNMATCHED_DENY;
		} else {
			jail_loader_error(L, EINVAL, L->file, line,
					  "settings.unmatched: expected \"allow\" or \"deny\"");
			continue;
		}
		/* Files may repeat the setting, but never disagree: which file
		 * wins would otherwise depend on the order of file names. */
		if (c->unmatched_origin.line > 0 && c->unmatched != um) {
			jail_loader_error(L, EINVAL, L->file, line,
					  "settings.unmatched: \"%s\" conflicts with \"%s\" set at "
					  "%s:%d",
					  v, c->unmatched == JAIL_UNMATCHED_DENY ? "deny" : "allow",
					  c->unmatched_origin.file, c->unmatched_origin.line);
			continue;
		}
		if (c->unmatched_origin.line == 0) {
			c->unmatched = um;
			c->unmatched_origin.file = L->file;
			c->unmatched_origin.line = line;
		}
	}
}

static void parse_profiles(struct jail_loader *L, config_setting_t *group)
{
	struct jail_config *c = L->c;

	if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
		jail_loader_error(L, EINVAL, L->file, jail_setting_line(group),
				  "profiles must be a group: profiles = { name = { ... }; };");
		return;
	}
	for (int i = 0; i < config_setting_length(group); i++) {
		config_setting_t *ps = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(ps);
		int line = jail_setting_line(ps);
		struct jail_profile *p;

		if (config_setting_type(ps) != CONFIG_TYPE_GROUP) {
			jail_loader_error(L, EINVAL, L->file, line,
					  "profile '%s' must be a group: %s = { ... };", name,
					  name);
			continue;
		}
		const struct jail_profile *dup = jail_config_find_profile(c, name);
		if (dup) {
			jail_loader_error(L, EEXIST, L->file, line,
					  "profile '%s' is already defined at %s:%d", name,
					  dup->origin.file, dup->origin.line);
			continue;
		}
		if (c->n_profiles >= MAX_PROFILES) {
			jail_loader_error(L, E2BIG, L->file, line, "too many profiles (at most %d)",
					  MAX_PROFILES);
			return;
		}
		p = realloc(c->profiles, (c->n_profiles + 1) * sizeof(*p));
		if (!p) {
			L->oom = true;
			return;
		}
		c->profiles = p;
		p = &c->profiles[c->n_profiles];
		memset(p, 0, sizeof(*p));
		p->parent = SIZE_MAX;
		p->name = strdup(name);
		p->set = calloc(1, sizeof(*p->set));
		if (!p->name || !p->set) {
			free(p->name);
			free(p->set);
			L->oom = true;
			return;
		}
		p->origin.file = L->file;
		p->origin.line = line;
		c->n_profiles++;
		jail_parse_profile(L, ps, p);
	}
}

/* "2000-2999" or "2000" -> a range. */
static bool parse_uid_range(const char *s, uid_t *lo, uid_t *hi)
{
	unsigned long long a, b;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	a = strtoull(s, &end, 10);
	if (errno || a >= (uid_t)-1)
		return false;
	if (*end == '\0') {
		b = a;
	} else {
		if (*end != '-' || end[1] < '0' || end[1] > '9')
			return false;
		b = strtoull(end + 1, &end, 10);
		if (errno || *end || b >= (uid_t)-1 || b < a)
			return false;
	}
	*lo = (uid_t)a;
	*hi = (uid_t)b;
	return true;
}

/* A user or group name as a rule may give it: what NSS could return. */
static bool valid_account_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 256)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == ':' || *p == '/' || *p == ',')
			return false;
	return true;
}

static void parse_rule(struct jail_loader *L, config_setting_t *rs)
{
	struct jail_config *c = L->c;
	int line = jail_setting_line(rs);
	struct jail_rule r = { 0 };
	int who = 0, bad = 0, profile_line = 0;
	const char *who_key = NULL;
	bool have_exempt = false, exempt_key = false;

	if (config_setting_type(rs) != CONFIG_TYPE_GROUP) {
		jail_loader_error(L, EINVAL, L->file, line,
				  "a rule must be a group: { user = \"...\"; profile = \"...\"; }");
		return;
	}
	r.origin.file = L->file;
	r.origin.line = line;
	for (int i = 0; i < config_setting_length(rs); i++) {
		config_setting_t *s = config_setting_get_elem(rs, (unsigned)i);
		const char *key = config_setting_name(s);
		int kline = jail_setting_line(s);
		int type = config_setting_type(s);
		const char *v = type == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;

		if (strcmp(key, "user") == 0 || strcmp(key, "group") == 0) {
			who++;
			who_key = key;
			if (!v || !valid_account_name(v)) {
				jail_loader_error(L, EINVAL, L->file, kline,
						  "rule: '%s' must be a %s name", key, key);
				bad++;
				continue;
			}
			r.kind = key[0] == 'u' ? JAIL_RULE_USER : JAIL_RULE_GROUP;
			free(r.name);
			r.name = strdup(v);
			if (!r.name)
				L->oom = true;
		} else if (strcmp(key, "uid") == 0) {
			who++;
			who_key = key;
			r.kind = JAIL_RULE_UID;
			if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
				long long u = config_setting_get_int64(s);
				if (u < 0 || u >= (long long)(uid_t)-1) {
					jail_loader_error(L, ERANGE, L->file, kline,
							  "rule: uid %lld is out of range", u);
					bad++;
					continue;
				}
				r.uid_lo = r.uid_hi = (uid_t)u;
			} else if (!parse_uid_range(v, &r.uid_lo, &r.uid_hi)) {
				jail_loader_error(L, EINVAL, L->file, kline,
						  "rule: uid must be a number or a range "
						  "\"FIRST-LAST\"");
				bad++;
			}
		} else if (strcmp(key, "profile") == 0) {
			profile_line = kline;
			if (!v || !*v) {
				jail_loader_error(L, EINVAL, L->file, kline,
						  "rule: 'profile' must be a profile name");
				bad++;
				continue;
			}
			r.profile = strdup(v);
			if (!r.profile)
				L->oom = true;
		} else if (strcmp(key, "exempt") == 0) {
			exempt_key = true;
			if (type != CONFIG_TYPE_BOOL || !config_setting_get_bool(s)) {
				/* "exempt = false" would read as a rule that jails
				 * with no profile; say what is meant instead. */
				jail_loader_error(L, EINVAL, L->file, kline,
						  "rule: 'exempt' can only be true (leave it out "
						  "to jail)");
				bad++;
				continue;
			}
			have_exempt = true;
			r.exempt = true;
		} else {
			jail_loader_error(L, EINVAL, L->file, kline, "rule: unknown key '%s'", key);
			bad++;
		}
	}
	if (who == 0) {
		jail_loader_error(L, EINVAL, L->file, line,
				  "rule: needs one of 'user', 'group' or 'uid'");
		bad++;
	} else if (who > 1) {
		jail_loader_error(L, EINVAL, L->file, line,
				  "rule: give only one of 'user', 'group' or 'uid' (a rule "
				  "with '%s' and another cannot be ranked)",
				  who_key);
		bad++;
	}
	if (have_exempt && (r.profile || profile_line)) {
		jail_loader_error(L, EINVAL, L->file, line,
				  "rule: 'exempt' and 'profile' exclude each other");
		bad++;
	} else if (!exempt_key && !profile_line) {
		jail_loader_error(L, EINVAL, L->file, line,
				  "rule: needs 'profile = \"NAME\"' or 'exempt = true'");
		bad++;
	}
	if (bad || L->oom) {
		free(r.name);
		free(r.profile);
		return;
	}
	if (c->n_rules >= MAX_RULES) {
		jail_loader_error(L, E2BIG, L->file, line, "too many rules (at most %d)",
				  MAX_RULES);
		free(r.name);
		free(r.profile);
		return;
	}
	struct jail_rule *rules = realloc(c->rules, (c->n_rules + 1) * sizeof(*rules));
	if (!rules) {
		L->oom = true;
		free(r.name);
		free(r.profile);
		return;
	}
	c->rules = rules;
	r.profile_idx = SIZE_MAX;
	/* where "unknown profile" points: the profile key's own line */
	r.profile_line = profile_line ? profile_line : line;
	c->rules[c->n_rules++] = r;
}

static void parse_rules(struct jail_loader *L, config_setting_t *list)
{
	if (config_setting_type(list) != CONFIG_TYPE_LIST) {
		jail_loader_error(L, EINVAL, L->file, jail_setting_line(list),
				  "rules must be a list: rules = ( { ... }, { ... } );");
		return;
	}
	for (int i = 0; i < config_setting_length(list); i++)
		parse_rule(L, config_setting_get_elem(list, (unsigned)i));
}

/* Parse one file's text. `file` is the name used in messages. */
static void load_text(struct jail_loader *L, const char *file, const char *buf, size_t len)
{
	config_t cf;
	config_setting_t *root;

	L->file = intern_file(L, file);
	if (!L->file)
		return;
	if (!prescan(L, L->file, buf, len))
		return;

	config_init(&cf);
	if (config_read_string(&cf, buf) != CONFIG_TRUE) {
		const char *text = config_error_text(&cf);
		jail_loader_error(L, EINVAL, L->file, config_error_line(&cf), "%s",
				  text ? text : "cannot parse");
		config_destroy(&cf);
		return;
	}
	root = config_root_setting(&cf);
	for (int i = 0; i < config_setting_length(root); i++) {
		config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);

		if (strcmp(name, "version") == 0)
			parse_version(L, s);
		else if (strcmp(name, "settings") == 0)
			parse_settings(L, s);
		else if (strcmp(name, "profiles") == 0)
			parse_profiles(L, s);
		else if (strcmp(name, "rules") == 0)
			parse_rules(L, s);
		else
			jail_loader_error(L, EINVAL, L->file, jail_setting_line(s),
					  "unknown top-level key '%s' (expected version, "
					  "settings, profiles or rules)",
					  name);
	}
	config_destroy(&cf);
}

/* Read an open file into a NUL-terminated buffer, at most
 * JAIL_CONFIG_MAX_SIZE bytes. */
static int read_all(int fd, char **ret, size_t *ret_len)
{
	size_t cap = 8192, len = 0;
	_cleanup_free_ char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len + 1 >= cap) {
			if (cap > JAIL_CONFIG_MAX_SIZE)
				return -EFBIG;
			char *n = realloc(buf, cap * 2);
			if (!n)
				return -ENOMEM;
			buf = n;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > JAIL_CONFIG_MAX_SIZE)
			return -EFBIG;
	}
	buf[len] = '\0';
	*ret_len = len;
	*ret = steal_pointer(&buf);
	return 0;
}

static void load_fd(struct jail_loader *L, int fd, const char *file)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = read_all(fd, &buf, &len);

	if (r == -EFBIG) {
		jail_loader_error(L, EFBIG, file, 0, "the file is larger than %d bytes",
				  JAIL_CONFIG_MAX_SIZE);
		return;
	}
	if (r < 0) {
		jail_loader_error(L, -r, file, 0, "cannot read: %s", strerror(-r));
		return;
	}
	load_text(L, file, buf, len);
}

/* Record why pam_jail would refuse `file` where it is (a draft check). */
static void add_refusal(struct jail_loader *L, const char *file, const char *message)
{
	struct jail_error *r = realloc(L->refusals, (L->n_refusals + 1) * sizeof(*r));

	if (!r) {
		L->oom = true;
		return;
	}
	L->refusals = r;
	r = &L->refusals[L->n_refusals++];
	memset(r, 0, sizeof(*r));
	r->code = EPERM;
	snprintf(r->file, sizeof(r->file), "%s", file);
	snprintf(r->message, sizeof(r->message), "%s", message);
}

/*
 * Open the main file (`dirfd` < 0, `name` absolute), the drop-in directory
 * (the same, JAIL_SAFE_DIRECTORY) or one drop-in (`name` below `dirfd`, the
 * directory `dir`) the way pam_jail does: owned by root, not writable by
 * group or others, and so every directory above. A draft check records a
 * refusal of that kind under `shown` and opens the file anyway, still
 * without following a symlink, so that its content is checked too.
 */
static int open_policy(struct jail_loader *L, int dirfd, const char *dir, const char *name,
		       const char *shown, unsigned type, struct jail_error *e)
{
	const int flags = O_RDONLY | O_NONBLOCK;
	char msg[sizeof(e->message) + PATH_MAX], refusal[sizeof(e->message)] = "";
	int fd;

	for (int pass = 0; pass < 2; pass++) {
		unsigned safe = type | (pass == 0 ? JAIL_SAFE_TRUSTED : 0);

		memset(e, 0, sizeof(*e));
		fd = dirfd < 0
			     ? jail_safe_open(name, flags, safe, L->trusted_uid, NULL, e)
			     : jail_safe_openat(dirfd, name, flags, safe, L->trusted_uid, NULL, e);
		/* safepath names a drop-in "./x.conf"; the admin knows it by
		 * its path */
		if (fd < 0 && dirfd >= 0 && strncmp(e->message, "'./", 3) == 0) {
			int n = snprintf(msg, sizeof(msg), "'%s%s%s", dir,
					 dir[strlen(dir) - 1] == '/' ? "" : "/", e->message + 3);
			/* a longer message is cut, as every message is */
			if (n > 0) {
				size_t len = (size_t)n < sizeof(e->message) - 1
						     ? (size_t)n
						     : sizeof(e->message) - 1;
				memcpy(e->message, msg, len);
				e->message[len] = '\0';
			}
		}
		/* EPERM is the trust rule's own answer (owner or mode) */
		if (fd != -EPERM || !L->draft || pass == 1)
			break;
		snprintf(refusal, sizeof(refusal), "%s", e->message);
	}
	/* A refusal counts for what exists: no drop-in directory next to a
	 * draft in /tmp is no problem. */
	if (fd >= 0 && refusal[0]) {
		add_refusal(L, shown, refusal);
		if (L->oom) {
			close(fd);
			return -ENOMEM;
		}
	}
	return fd;
}

/* Files are opened O_NONBLOCK: a FIFO planted where a policy file should
 * be must be refused as "not a regular file", not hang every login in
 * open(). On a regular file the flag changes nothing. */
static void load_main(struct jail_loader *L, const char *path)
{
	struct jail_error e = { 0 };
	_cleanup_close_ int fd = -1;

	if (!intern_file(L, path))
		return;
	fd = open_policy(L, -1, NULL, path, path, JAIL_SAFE_REGULAR, &e);

	if (fd == -ENOENT) {
		jail_loader_error(L, ENOENT, path, 0, "the policy file does not exist");
		return;
	}
	if (fd < 0) {
		jail_loader_error(L, e.code, path, 0, "%s", e.message);
		return;
	}
	load_fd(L, fd, path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Every `*.conf` in the drop-in directory, in strcmp() order so the result
 * never depends on the locale or the filesystem's listing order. */
static void load_dropins(struct jail_loader *L, const char *dir)
{
	struct jail_error e = { 0 };
	_cleanup_close_ int dfd = -1;
	int lfd;
	DIR *d;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;

	/* No O_DIRECTORY: with it a symlink fails as "not a directory";
	 * without, O_NOFOLLOW makes it "is a symbolic link", and
	 * JAIL_SAFE_DIRECTORY still checks the type on the opened fd. */
	dfd = open_policy(L, -1, NULL, dir, dir, JAIL_SAFE_DIRECTORY, &e);
	if (dfd == -ENOENT)
		return; /* no drop-ins: fine (but a missing parent is ENOENT too) */
	if (dfd < 0) {
		jail_loader_error(L, e.code, dir, 0, "%s", e.message);
		return;
	}
	lfd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
	if (lfd < 0 || !(d = fdopendir(lfd))) {
		int saved = errno;
		if (lfd >= 0)
			close(lfd);
		jail_loader_error(L, saved, dir, 0, "cannot list: %s", strerror(saved));
		return;
	}
	errno = 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		if (n >= MAX_DROPINS) {
			jail_loader_error(L, E2BIG, dir, 0, "more than %d drop-in files",
					  MAX_DROPINS);
			break;
		}
		char **nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			if (nn)
				names = nn;
			L->oom = true;
			break;
		}
		names = nn;
		n++;
		errno = 0;
	}
	if (errno && !L->oom)
		jail_loader_error(L, errno, dir, 0, "cannot list: %s", strerror(errno));
	closedir(d);
	if (names)
		qsort(names, n, sizeof(*names), cmp_str);

	for (size_t i = 0; i < n && !L->oom; i++) {
		_cleanup_free_ char *shown = NULL;
		_cleanup_close_ int fd = -1;

		if (asprintf(&shown, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
			     names[i]) < 0) {
			shown = NULL;
			L->oom = true;
			break;
		}
		if (!intern_file(L, shown))
			break;
		fd = open_policy(L, dfd, dir, names[i], shown, JAIL_SAFE_REGULAR, &e);
		if (fd < 0) {
			jail_loader_error(L, -fd, shown, 0, "%s", e.message);
			continue;
		}
		load_fd(L, fd, shown);
	}
	free_names(names, n);
}

static int by_place(const void *a, const void *b, void *arg)
{
	const struct jail_error *x = a, *y = b;
	const struct jail_config *c = arg;
	size_t fx = c->n_files, fy = c->n_files;

	for (size_t i = 0; i < c->n_files; i++) {
		if (strcmp(c->files[i], x->file) == 0 && fx == c->n_files)
			fx = i;
		if (strcmp(c->files[i], y->file) == 0 && fy == c->n_files)
			fy = i;
	}
	if (fx != fy)
		return fx < fy ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return 0;
}

/* Errors in file order, then line order, each run in discovery order. */
static void sort_errors(struct jail_loader *L)
{
	/* insertion sort: stable, and there are at most MAX_ERRORS */
	for (size_t i = 1; i < L->n_errs; i++) {
		struct jail_error tmp = L->errs[i];
		size_t j = i;
		while (j > 0 && by_place(&L->errs[j - 1], &tmp, L->c) > 0) {
			L->errs[j] = L->errs[j - 1];
			j--;
		}
		L->errs[j] = tmp;
	}
}

static int finish(struct jail_loader *L, struct jail_config **ret, struct jail_error **ret_errs,
		  size_t *ret_errs_n)
{
	/* Checks across files run even after errors, so one `jailctl check`
	 * lists every problem; profiles with errors are skipped there. */
	if (!L->oom)
		jail_config_finalize(L);
	if (L->oom) {
		jail_config_free(L->c);
		free(L->errs);
		free(L->refusals);
		return -ENOMEM;
	}
	if (L->n_errs > 0) {
		sort_errors(L);
		if (L->truncated) {
			L->closing = true; /* this one line may pass the cap */
			jail_loader_error(L, EINVAL, "", 0, "too many errors, stopped after %d",
					  MAX_ERRORS);
		}
		int code = L->first_code;
		jail_config_free(L->c);
		if (ret_errs) {
			*ret_errs = L->errs;
			*ret_errs_n = L->n_errs;
		} else {
			free(L->errs);
		}
		*ret = NULL;
		return -code;
	}
	free(L->errs);
	*ret = L->c;
	return 0;
}

static int loader_init(struct jail_loader *L, uid_t trusted_uid, struct jail_error **ret_errs,
		       size_t *ret_errs_n)
{
	memset(L, 0, sizeof(*L));
	if (ret_errs) {
		*ret_errs = NULL;
		*ret_errs_n = 0;
	}
	L->trusted_uid = trusted_uid;
	L->c = calloc(1, sizeof(*L->c));
	return L->c ? 0 : -ENOMEM;
}

int jail_config_load(const char *main_path, const char *dropin_dir, uid_t trusted_uid,
		     struct jail_config **ret, struct jail_error **ret_errs, size_t *ret_errs_n)
{
	struct jail_loader L;

	*ret = NULL;
	if (loader_init(&L, trusted_uid, ret_errs, ret_errs_n) < 0)
		return -ENOMEM;
	load_main(&L, main_path);
	/* A broken main file does not stop the drop-ins being checked: the
	 * admin gets every problem in one `jailctl check`. */
	if (dropin_dir && !L.oom)
		load_dropins(&L, dropin_dir);
	return finish(&L, ret, ret_errs, ret_errs_n);
}

int jail_config_check_draft(const char *main_path, const char *dropin_dir, uid_t trusted_uid,
			    struct jail_config **ret, struct jail_error **ret_errs,
			    size_t *ret_errs_n, struct jail_error **ret_refusals,
			    size_t *ret_refusals_n)
{
	struct jail_loader L;
	int r;

	*ret = NULL;
	*ret_refusals = NULL;
	*ret_refusals_n = 0;
	if (loader_init(&L, trusted_uid, ret_errs, ret_errs_n) < 0)
		return -ENOMEM;
	L.draft = true;
	load_main(&L, main_path);
	if (dropin_dir && !L.oom)
		load_dropins(&L, dropin_dir);
	/* finish() frees the refusals itself when it runs out of memory */
	struct jail_error *refusals = L.refusals;
	size_t n_refusals = L.n_refusals;
	r = finish(&L, ret, ret_errs, ret_errs_n);
	if (r == -ENOMEM && L.oom)
		return r;
	*ret_refusals = refusals;
	*ret_refusals_n = n_refusals;
	return r;
}

int jail_config_load_buffers(size_t n, const char *const *names, const char *const *bufs,
			     const size_t *lens, struct jail_config **ret,
			     struct jail_error **ret_errs, size_t *ret_errs_n)
{
	struct jail_loader L;

	*ret = NULL;
	if (loader_init(&L, 0, ret_errs, ret_errs_n) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < n && !L.oom; i++) {
		char *copy;

		if (lens[i] > JAIL_CONFIG_MAX_SIZE) {
			jail_loader_error(&L, EFBIG, names[i], 0,
					  "the file is larger than %d bytes", JAIL_CONFIG_MAX_SIZE);
			continue;
		}
		copy = malloc(lens[i] + 1);
		if (!copy) {
			L.oom = true;
			break;
		}
		memcpy(copy, bufs[i], lens[i]);
		copy[lens[i]] = '\0';
		load_text(&L, names[i], copy, lens[i]);
		free(copy);
	}
	return finish(&L, ret, ret_errs, ret_errs_n);
}

int jail_config_load_buffer(const char *name, const char *buf, size_t len, struct jail_config **ret,
			    struct jail_error **ret_errs, size_t *ret_errs_n)
{
	return jail_config_load_buffers(1, &name, &buf, &len, ret, ret_errs, ret_errs_n);
}

const struct jail_profile *jail_config_find_profile(const struct jail_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_profiles; i++)
		if (strcmp(c->profiles[i].name, name) == 0)
			return &c->profiles[i];
	return NULL;
}

void jail_config_free(struct jail_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_profiles; i++) {
		free(c->profiles[i].name);
		free(c->profiles[i].extends);
		jail_policy_free(c->profiles[i].set);
		jail_policy_free(c->profiles[i].eff);
	}
	free(c->profiles);
	for (size_t i = 0; i < c->n_rules; i++) {
		free(c->rules[i].name);
		free(c->rules[i].profile);
	}
	free(c->rules);
	for (size_t i = 0; i < c->n_files; i++)
		free(c->files[i]);
	free(c->files);
	free(c);
}

void jail_config_counts(const struct jail_config *c, size_t *ret_files, size_t *ret_profiles,
			size_t *ret_rules)
{
	*ret_files = c->n_files;
	*ret_profiles = c->n_profiles;
	*ret_rules = c->n_rules;
}
