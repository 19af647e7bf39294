/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building a jail tree from host programs (jailctl mkroot).
 *
 * The recipe, as jailroot_build reads:
 *   1. the top-level layout: the host's merged-/usr links (/bin -> usr/bin
 *      ...) and the mount points jail-init needs (it mounts on a read-only
 *      clone of the tree, so it cannot create them);
 *   2. every program, and for every ELF file copied, its loader and the
 *      libraries the loader would pick (elf_deps.h), until nothing new;
 *   3. a minimal /etc.
 * ld.so.cache comes last, from the host's ldconfig (jailroot_run_ldconfig).
 */
#include <elf.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "jailroot_internal.h"
#include "safepath.h"

struct dep_item {
	char *path;	 /* host path as searched (symlinks kept) */
	char *inherited; /* expanded RPATHs of the objects that loaded it */
};

struct builder {
	struct jailroot_copier c;
	struct ld_cache cache;
	struct elf_search search;
	struct dep_item *q;
	size_t qn, qcap, qhead;
	/* inherited RPATHs of the item being installed, for on_file */
	const char *cur_inherited;
};

static void note(struct builder *b, const char *path, const char *what)
{
	if (b->c.note)
		b->c.note(b->c.opaque, path, what);
}

static int enqueue(struct builder *b, const char *path, const char *inherited)
{
	struct dep_item it;

	if (b->qn == b->qcap) {
		size_t ncap = b->qcap ? b->qcap * 2 : 64;
		struct dep_item *g = realloc(b->q, ncap * sizeof(*g));
		if (!g)
			return -ENOMEM;
		b->q = g;
		b->qcap = ncap;
	}
	it.path = strdup(path);
	it.inherited = strdup(inherited ? inherited : "");
	if (!it.path || !it.inherited) {
		free(it.path);
		free(it.inherited);
		return -ENOMEM;
	}
	b->q[b->qn++] = it;
	return 0;
}

/* Join two ':' lists, either may be empty. */
static char *join_lists(const char *a, const char *b)
{
	char *out;

	if (asprintf(&out, "%s%s%s", a, (*a && *b) ? ":" : "", b) < 0)
		return NULL;
	return out;
}

/*
 * A regular file landed in the tree: if it is an ELF object, queue its
 * loader and the libraries it needs, found on the host as ld.so would.
 */
static int scan_elf(struct jailroot_copier *c, const char *tree_path, struct jail_error *err)
{
	struct builder *b = c->ctx;
	_cleanup_free_ char *origin = NULL, *rpath = NULL, *runpath = NULL, *chain = NULL;
	_cleanup_close_ int fd = -1;
	struct elf_deps d = { 0 };
	struct jail_error e = { 0 };
	char *slash;
	int r;

	fd = elf_open_in_root(c->treefd, tree_path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return jail_error_set(err, -fd, "tree '%s': %s", tree_path, strerror(-fd));
	r = elf_deps_read_fd(fd, &d, &e);
	if (r == -ENOEXEC)
		return 0; /* data, scripts: nothing to resolve */
	if (r < 0) {
		/* Separate debug files and the like: headers that describe no
		 * loadable program. Nothing to copy for them; say so. */
		char what[sizeof(e.message) + 64];
		snprintf(what, sizeof(what),
			 "ELF headers not usable (%s); its libraries, if any, "
			 "are not copied",
			 e.message);
		note(b, tree_path, what);
		return 0;
	}
	if (d.machine != b->search.machine || !d.dynamic) {
		elf_deps_clear(&d);
		return 0;
	}
	origin = strdup(tree_path);
	if (!origin) {
		r = jail_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	slash = strrchr(origin, '/');
	if (slash == origin)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (d.rpath && (r = elf_expand_search_list(d.rpath, origin, &rpath, err)) < 0)
		goto out;
	if (d.runpath && (r = elf_expand_search_list(d.runpath, origin, &runpath, err)) < 0)
		goto out;
	/* An object with RUNPATH contributes no RPATH, to itself or to what
	 * it loads (glibc's _dl_init_paths). */
	chain = join_lists(d.runpath || !rpath ? "" : rpath,
			   b->cur_inherited ? b->cur_inherited : "");
	if (!chain) {
		r = jail_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (d.interp) {
		r = enqueue(b, d.interp, "");
		if (r < 0)
			goto oom;
	}
	for (size_t i = 0; i < d.n_needed; i++) {
		_cleanup_free_ char *found = NULL;
		r = elf_find_library(&b->search, d.needed[i], chain, runpath, &found, &e);
		if (r < 0) {
			r = jail_error_set(err, -r, "'%s' needs '%s': %s", tree_path, d.needed[i],
					   e.message);
			goto out;
		}
		r = enqueue(b, found, chain);
		if (r < 0)
			goto oom;
	}
	r = 0;
	goto out;
oom:
	r = jail_error_set(err, ENOMEM, "out of memory");
out:
	elf_deps_clear(&d);
	return r;
}

static int run_queue(struct builder *b, struct jail_error *err)
{
	while (b->qhead < b->qn) {
		struct dep_item *it = &b->q[b->qhead++];
		int r;

		b->cur_inherited = it->inherited;
		r = jailroot_install_host_path(&b->c, it->path, NULL, err);
		b->cur_inherited = NULL;
		if (r < 0)
			return r;
	}
	return 0;
}

static void builder_clear(struct builder *b)
{
	for (size_t i = 0; i < b->qn; i++) {
		free(b->q[i].path);
		free(b->q[i].inherited);
	}
	free(b->q);
	ld_cache_clear(&b->cache);
	jailroot_copier_clear(&b->c);
	jail_closep(&b->c.hostfd);
}

static int builder_init(struct builder *b, int treefd, struct jailroot_manifest *m, bool replace,
			jailroot_note_fn fn, void *opaque, struct jail_error *err)
{
	memset(b, 0, sizeof(*b));
	b->c.hostfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (b->c.hostfd < 0)
		return jail_error_set(err, errno, "opening /: %s", strerror(errno));
	b->c.treefd = treefd;
	b->c.m = m;
	b->c.note = fn;
	b->c.opaque = opaque;
	b->c.replace = replace;
	b->c.on_file = scan_elf;
	b->c.ctx = b;
	b->search.rootfd = b->c.hostfd;
	b->search.machine = elf_host_machine();
	b->search.cache = &b->cache;
	/* The host's cache, so a library is found where the host's loader
	 * finds it (ld.so.conf.d directories included). */
	return ld_cache_load(b->c.hostfd, "/etc/ld.so.cache", b->search.machine, &b->cache, err);
}

/* ------------------------------------------------------------ layout */

static int make_homes(struct builder *b, const struct jailroot_manifest *m, struct jail_error *err);

int jailroot_expand_groups(struct jailroot_manifest *m, struct jail_error *err)
{
	for (size_t i = 0; i < m->n_groups; i++) {
		struct group *gr = getgrnam(m->groups[i]);
		struct passwd *pw;
		gid_t gid;

		if (!gr)
			return jail_error_set(err, ENOENT, "group '%s' does not exist",
					      m->groups[i]);
		gid = gr->gr_gid;
		for (char **u = gr->gr_mem; u && *u; u++)
			if (jailroot_strv_add(&m->users, &m->n_users, *u) < 0)
				return jail_error_set(err, ENOMEM, "out of memory");
		setpwent();
		while ((pw = getpwent())) {
			if (pw->pw_gid == gid &&
			    jailroot_strv_add(&m->users, &m->n_users, pw->pw_name) < 0) {
				endpwent();
				return jail_error_set(err, ENOMEM, "out of memory");
			}
		}
		endpwent();
	}
	return 0;
}

/* The host's top-level links (merged /usr on Debian 12) and mount points. */
static int make_layout(struct builder *b, const struct jailroot_manifest *m, struct jail_error *err)
{
	static const char *const top_links[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };
	static const char *const mount_points[] = { "/proc",	 "/dev",     "/tmp",	"/run",
						    "/home",	 "/root",    "/etc",	"/usr/bin",
						    "/usr/sbin", "/usr/lib", "/var/tmp" };
	_cleanup_close_ int fd = -1;
	int r;

	for (size_t i = 0; i < JAIL_ARRAY_SIZE(top_links); i++) {
		char target[PATH_MAX];
		struct stat st;
		ssize_t n;
		/* The link only: what it points to comes in as programs need it.
		 * A tree that has the name already (debootstrap's) keeps its
		 * own layout. */
		if (fstatat(b->c.hostfd, top_links[i], &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISLNK(st.st_mode) || st.st_uid != 0)
			continue;
		if (fstatat(b->c.treefd, top_links[i], &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		n = readlinkat(b->c.hostfd, top_links[i], target, sizeof(target) - 1);
		if (n <= 0)
			return jail_error_set(err, errno, "host /%s: readlink", top_links[i]);
		target[n] = '\0';
		r = jailroot_tree_link(&b->c, "", top_links[i], target, err);
		if (r < 0)
			return r;
		/* Its target directory too, so the link never dangles in the
		 * tree (/lib32 -> usr/lib32 with nothing 32-bit copied). */
		if (target[0] != '/') {
			char abs[PATH_MAX + 1];
			snprintf(abs, sizeof(abs), "/%s", target);
			if (jail_path_is_clean_absolute(abs)) {
				fd = jailroot_mkdirs(b->c.treefd, abs, err);
				if (fd < 0)
					return fd;
				jail_closep(&fd);
			}
		}
	}
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(mount_points); i++) {
		fd = jailroot_mkdirs(b->c.treefd, mount_points[i], err);
		if (fd < 0)
			return fd;
		jail_closep(&fd);
	}
	/* Where jail-init puts SSSD's name-service endpoints (nss_sockets,
	 * init/jail_nss.c): it cannot make them in the read-only tree. */
	static const char *const nss_points[] = { "/var/lib/sss/pipes", "/var/lib/sss/mc" };
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(nss_points); i++) {
		fd = jailroot_mkdirs(b->c.treefd, nss_points[i], err);
		if (fd < 0)
			return fd;
		jail_closep(&fd);
	}
	/* /root: root's home, nobody else's business. */
	if (fchmodat(b->c.treefd, "root", 0700, 0) < 0)
		return jail_error_set(err, errno, "tree /root: %s", strerror(errno));
	/* Mount points the policy's binds need (jail-init cannot create
	 * them in the read-only tree either). */
	for (size_t i = 0; i < m->n_dirs; i++) {
		if (!jail_path_is_clean_absolute(m->dirs[i]) || strcmp(m->dirs[i], "/") == 0)
			return jail_error_set(err, EINVAL, "'%s' is not a clean absolute path",
					      m->dirs[i]);
		fd = jailroot_mkdirs(b->c.treefd, m->dirs[i], err);
		if (fd < 0)
			return fd;
		jail_closep(&fd);
	}
	return make_homes(b, m, err);
}

/* A home mount point per user: jail-init mounts the home on it and cannot
 * create it in the read-only tree. Root-owned: the tmpfs on top is the
 * user's. */
static int make_homes(struct builder *b, const struct jailroot_manifest *m, struct jail_error *err)
{
	_cleanup_close_ int fd = -1;

	for (size_t i = 0; i < m->n_users; i++) {
		struct passwd *pw = getpwnam(m->users[i]);
		if (!pw)
			return jail_error_set(err, ENOENT, "user '%s' does not exist", m->users[i]);
		if (!jail_path_is_clean_absolute(pw->pw_dir) || strcmp(pw->pw_dir, "/") == 0)
			return jail_error_set(err, EINVAL, "user '%s': home '%s' is not usable",
					      m->users[i], pw->pw_dir);
		fd = jailroot_mkdirs(b->c.treefd, pw->pw_dir, err);
		if (fd < 0)
			return fd;
		jail_closep(&fd);
	}
	return 0;
}

/* ------------------------------------------------------------ /etc */

static int append(char **buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int append(char **buf, const char *fmt, ...)
{
	_cleanup_free_ char *add = NULL;
	char *joined;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&add, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	if (asprintf(&joined, "%s%s", *buf ? *buf : "", add) < 0)
		return -ENOMEM;
	free(*buf);
	*buf = joined;
	return 0;
}

static bool field_ok(const char *s)
{
	return s && !strpbrk(s, ":\n");
}

static int write_passwd_group(struct builder *b, struct jailroot_manifest *m,
			      struct jail_error *err)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;
	_cleanup_free_ gid_t *gids = NULL;
	size_t n_gids = 0;
	struct group *gr;
	int r = 0;

	/* Only root, the tty group (devpts gives ptys to it) and the named
	 * users: the jail must not list the host's accounts. */
	r |= append(&passwd, "root:x:0:0:root:/root:/bin/sh\n");
	r |= append(&group, "root:x:0:\n");
	gr = getgrnam("tty");
	if (gr && gr->gr_gid != 0)
		r |= append(&group, "tty:x:%u:\n", (unsigned)gr->gr_gid);
	gids = calloc(m->n_users + 1, sizeof(gid_t));
	if (!gids)
		return jail_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < m->n_users; i++) {
		struct passwd *pw = getpwnam(m->users[i]);
		bool seen = false;
		if (!pw)
			return jail_error_set(err, ENOENT, "user '%s' does not exist", m->users[i]);
		if (!field_ok(pw->pw_gecos) || !field_ok(pw->pw_dir) || !field_ok(pw->pw_shell))
			return jail_error_set(err, EINVAL, "user '%s': odd passwd fields",
					      m->users[i]);
		r |= append(&passwd, "%s:x:%u:%u:%s:%s:%s\n", pw->pw_name, (unsigned)pw->pw_uid,
			    (unsigned)pw->pw_gid, pw->pw_gecos, pw->pw_dir, pw->pw_shell);
		for (size_t j = 0; j < n_gids; j++)
			seen |= gids[j] == pw->pw_gid;
		if (gr && gr->gr_gid == pw->pw_gid)
			seen = true;
		if (!seen && pw->pw_gid != 0) {
			struct group *g = getgrgid(pw->pw_gid);
			gids[n_gids++] = pw->pw_gid;
			if (g && field_ok(g->gr_name))
				r |= append(&group, "%s:x:%u:\n", g->gr_name, (unsigned)g->gr_gid);
		}
	}
	if (r < 0)
		return jail_error_set(err, ENOMEM, "out of memory");
	r = jailroot_write_file(b->c.treefd, m, "/etc/passwd", passwd, strlen(passwd), 0644, err);
	if (r < 0)
		return r;
	return jailroot_write_file(b->c.treefd, m, "/etc/group", group, strlen(group), 0644, err);
}

/* The host's resolv.conf content (it may be a link into /run). */
static int copy_resolv_conf(struct builder *b, struct jailroot_manifest *m, struct jail_error *err)
{
	_cleanup_close_ int fd = -1;
	char buf[8192];
	ssize_t n;

	fd = elf_open_in_root(b->c.hostfd, "/etc/resolv.conf", O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		note(b, "/etc/resolv.conf", "not on the host; the jail gets none");
		return 0;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return jail_error_set(err, errno, "host /etc/resolv.conf: %s", strerror(errno));
	return jailroot_write_file(b->c.treefd, m, "/etc/resolv.conf", buf, (size_t)n, 0644, err);
}

static int write_etc(struct builder *b, struct jailroot_manifest *m, struct jail_error *err)
{
	static const char nsswitch[] =
		"# pam_jail: the jail knows only its own files (no host daemons).\n"
		"passwd:         files\n"
		"group:          files\n"
		"shadow:         files\n"
		"hosts:          files dns\n"
		"networks:       files\n"
		"protocols:      files\n"
		"services:       files\n"
		"ethers:         files\n"
		"rpc:            files\n"
		"netgroup:       files\n";
	static const char hosts[] = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
				    "ip6-loopback\n";
	static const char ldconf[] = "# pam_jail: ldconfig searches the system directories "
				     "anyway.\n";
	int r;

	r = write_passwd_group(b, m, err);
	if (r >= 0)
		r = jailroot_write_file(b->c.treefd, m, "/etc/nsswitch.conf", nsswitch,
					sizeof(nsswitch) - 1, 0644, err);
	if (r >= 0)
		r = jailroot_write_file(b->c.treefd, m, "/etc/hosts", hosts, sizeof(hosts) - 1,
					0644, err);
	/* A debootstrap tree has its own (with ld.so.conf.d): keep it. */
	if (r >= 0 && faccessat(b->c.treefd, "etc/ld.so.conf", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		r = jailroot_write_file(b->c.treefd, m, "/etc/ld.so.conf", ldconf,
					sizeof(ldconf) - 1, 0644, err);
	if (r >= 0)
		r = copy_resolv_conf(b, m, err);
	return r;
}

/* A user whose login shell the tree lacks cannot log in to it (sshd runs
 * every command through that shell): say so, the admin adds --program. */
static void warn_missing_shells(struct builder *b, const struct jailroot_manifest *m)
{
	for (size_t i = 0; i < m->n_users; i++) {
		struct passwd *pw = getpwnam(m->users[i]);
		char what[PATH_MAX + 128];
		int fd;

		if (!pw || !pw->pw_shell || pw->pw_shell[0] != '/')
			continue;
		fd = elf_open_in_root(b->c.treefd, pw->pw_shell, O_PATH);
		if (fd >= 0) {
			close(fd);
			continue;
		}
		snprintf(what, sizeof(what),
			 "the login shell of user '%s' is not in the tree (add --program %s)",
			 m->users[i], pw->pw_shell);
		note(b, pw->pw_shell, what);
	}
}

int jailroot_build(int treefd, struct jailroot_manifest *m, jailroot_note_fn fn, void *opaque,
		   struct jail_error *err)
{
	struct builder b;
	int r;

	r = builder_init(&b, treefd, m, false, fn, opaque, err);
	if (r < 0)
		goto out;
	if (fchown(treefd, 0, 0) < 0 || fchmod(treefd, 0755) < 0) {
		r = jail_error_set(err, errno, "tree: %s", strerror(errno));
		goto out;
	}
	r = make_layout(&b, m, err);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < m->n_programs; i++) {
		r = jailroot_install_host_path(&b.c, m->programs[i], NULL, err);
		if (r < 0)
			goto out;
		r = run_queue(&b, err);
		if (r < 0)
			goto out;
	}
	r = write_etc(&b, m, err);
	if (r < 0)
		goto out;
	warn_missing_shells(&b, m);
out:
	builder_clear(&b);
	return r;
}

/* The generated /etc follows the host too: a named user's new shell or
 * uid, the host's new resolv.conf. Rewritten, and counted where the
 * content differs. */
static int refresh_etc(struct builder *b, struct jailroot_manifest *m, struct jail_error *err)
{
	static const char *const files[] = { "/etc/passwd", "/etc/group",      "/etc/nsswitch.conf",
					     "/etc/hosts",  "/etc/ld.so.conf", "/etc/resolv.conf" };
	char before[JAIL_ARRAY_SIZE(files)][JAILROOT_SHA256_HEX];
	int r;

	for (size_t i = 0; i < JAIL_ARRAY_SIZE(files); i++) {
		const struct jailroot_entry *e = jailroot_manifest_find(m, files[i]);
		snprintf(before[i], sizeof(before[i]), "%s",
			 e && e->kind == JAILROOT_GEN ? e->sha256 : "");
	}
	r = write_etc(b, m, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(files); i++) {
		const struct jailroot_entry *e = jailroot_manifest_find(m, files[i]);
		if (!e || e->kind != JAILROOT_GEN || strcmp(before[i], e->sha256) == 0)
			continue;
		b->c.changes++;
		note(b, files[i], "written again (the host's accounts or settings changed)");
	}
	return 0;
}

int jailroot_update(int treefd, struct jailroot_manifest *m, jailroot_note_fn fn, void *opaque,
		    struct jail_error *err)
{
	_cleanup_free_ char **sources = NULL;
	struct builder b;
	size_t n = 0;
	int r;

	r = builder_init(&b, treefd, m, true, fn, opaque, err);
	if (r < 0)
		goto out;
	/* The entries move while we add to the manifest: take the sources
	 * first (copies, as put() replaces the strings). */
	sources = calloc(m->n + 1, sizeof(char *));
	if (!sources) {
		r = jail_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < m->n; i++)
		if (m->entries[i].kind == JAILROOT_FILE && m->entries[i].source)
			sources[n++] = strdup(m->entries[i].source);
	for (size_t i = 0; i < n; i++) {
		struct jail_error e = { 0 };
		if (!sources[i]) {
			r = jail_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
		r = jailroot_install_host_path(&b.c, sources[i], NULL, &e);
		if (r == -ENOENT) {
			/* Gone from the host (a package removed it): the tree
			 * keeps its copy; the admin decides. */
			note(&b, sources[i], "gone from the host; the tree keeps its copy");
			continue;
		}
		if (r < 0) {
			jail_error_copy(err, &e);
			goto out;
		}
		r = run_queue(&b, err);
		if (r < 0)
			goto out;
	}
	/* Members who joined the tree's groups since: a passwd line and a
	 * home mount point each. */
	r = jailroot_expand_groups(m, err);
	if (r >= 0)
		r = make_homes(&b, m, err);
	if (r >= 0)
		r = refresh_etc(&b, m, err);
	if (r < 0)
		goto out;
	r = b.c.changes;
out:
	for (size_t i = 0; sources && i < n; i++)
		free(sources[i]);
	builder_clear(&b);
	return r;
}

/* ------------------------------------------------------------ ldconfig */

int jailroot_run_ldconfig(int treefd, const char *tree_path, struct jail_error *err)
{
	static const char *const candidates[] = { "/usr/sbin/ldconfig", "/sbin/ldconfig" };
	/* -Wwrite-strings: execve's vectors want writable strings. */
	char env_path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin", env_lc[] = "LC_ALL=C";
	char a0[] = "ldconfig", a1[] = "-X", a2[] = "-r";
	char *const envp[] = { env_path, env_lc, NULL };
	_cleanup_free_ char *root_arg = strdup(tree_path);
	_cleanup_close_ int exe = -1, devnull = -1;
	int pipefd[2], status;
	char out[400] = "";
	size_t got = 0;
	pid_t pid;

	(void)treefd;
	if (!root_arg)
		return jail_error_set(err, ENOMEM, "out of memory");
	/* Only a root-owned ldconfig on a root-owned path, run by fd. */
	for (size_t i = 0; i < JAIL_ARRAY_SIZE(candidates) && exe < 0; i++)
		exe = jail_safe_open(candidates[i], O_PATH, JAIL_SAFE_TRUSTED | JAIL_SAFE_REGULAR,
				     0, NULL, NULL);
	if (exe < 0)
		return jail_error_set(err, ENOENT, "no trusted ldconfig on the host");
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0)
		return jail_error_set(err, errno, "/dev/null: %s", strerror(errno));
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return jail_error_set(err, errno, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return jail_error_set(err, errno, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		char *const argv[] = { a0, a1, a2, root_arg, NULL };
		if (dup2(devnull, 0) < 0 || dup2(pipefd[1], 1) < 0 || dup2(pipefd[1], 2) < 0)
			_exit(127);
		execveat(exe, "", argv, envp, AT_EMPTY_PATH);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		char buf[512];
		ssize_t n = read(pipefd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got < sizeof(out) - 1) {
			size_t take = (size_t)n < sizeof(out) - 1 - got ? (size_t)n
									: sizeof(out) - 1 - got;
			memcpy(out + got, buf, take);
			got += take;
			out[got] = '\0';
		}
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return jail_error_set(err, errno, "waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *nl;
		while ((nl = strchr(out, '\n')))
			*nl = ' ';
		return jail_error_set(err, EIO, "ldconfig -r '%s' failed: %s", tree_path,
				      out[0] ? out : "no message");
	}
	return 0;
}
