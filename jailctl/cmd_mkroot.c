/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailctl mkroot DIR: build a jail root.
 *
 * The tree is built in a sibling directory DIR.tmp-XXXXXX (0700 while it
 * grows), synced, and only then renamed to DIR (or exchanged with the old
 * tree, atomically, by renameat2(RENAME_EXCHANGE)). So DIR is at every
 * moment either absent, the old complete tree or the new complete tree: an
 * interrupted run leaves only a DIR.tmp-* directory that no policy names,
 * and the next run removes it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "jailctl.h"
#include "roots.h"
#include "safepath.h"

#define DEFAULT_MIRROR "http://deb.debian.org/debian"

static const char *const debootstrap_paths[] = { "/usr/sbin/debootstrap", NULL };

/* Leftovers of interrupted runs: DIR.tmp-* beside DIR (the parent is
 * root's, so nobody else can have put them there). */
static void remove_stale_temps(const struct roots_target *t)
{
	char prefix[NAME_MAX + 8];
	DIR *d;
	struct dirent *de;
	int fd;

	snprintf(prefix, sizeof(prefix), "%s.tmp-", t->name);
	fd = openat(t->parentfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct jail_error err = { 0 };
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (jailroot_remove_tree(t->parentfd, de->d_name, &err) < 0)
			fprintf(stderr, "jailctl mkroot: leftover '%s': %s\n", de->d_name,
				err.message);
		else
			printf("  removed the leftover of an interrupted run: %s\n", de->d_name);
	}
	closedir(d);
}

static int run_debootstrap(const char *suite, const char *tmp_path, const char *mirror)
{
	struct jail_error err = { 0 };
	_cleanup_close_ int exe = -1;
	char a0[] = "debootstrap", a1[] = "--variant=minbase";
	char e0[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin", e1[] = "LC_ALL=C",
	     e2[] = "DEBIAN_FRONTEND=noninteractive";
	char *const envp[] = { e0, e1, e2, NULL };
	_cleanup_free_ char *s = strdup(suite), *dir = strdup(tmp_path), *mir = strdup(mirror);
	int status;
	pid_t pid;

	if (!s || !dir || !mir)
		return -1;
	/* A suite or mirror starting with '-' would be read as an option. */
	if (suite[0] == '-' || mirror[0] == '-' ||
	    strspn(suite, "abcdefghijklmnopqrstuvwxyz-") != strlen(suite)) {
		fprintf(stderr, "jailctl mkroot: '%s' is not a Debian suite name\n", suite);
		return -1;
	}
	exe = jail_safe_open(debootstrap_paths[0], O_PATH, JAIL_SAFE_TRUSTED | JAIL_SAFE_REGULAR, 0,
			     NULL, &err);
	if (exe < 0) {
		fprintf(stderr, "jailctl mkroot: debootstrap: %s (apt-get install debootstrap)\n",
			err.message);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *const argv[] = { a0, a1, s, dir, mir, NULL };
		/* debootstrap is a shell script: run it through its path
		 * (execveat on an O_PATH fd of a script cannot work), which we
		 * just checked is root's all the way down. */
		execve(debootstrap_paths[0], argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "jailctl mkroot: debootstrap %s failed (exit %d)\n", suite,
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	return 0;
}

/* Put the finished tree `tmp_name` in place of DIR. */
static int swap_into_place(struct roots_target *t, const char *tmp_name)
{
	struct jail_error err = { 0 };

	if (t->treefd < 0) {
		if (renameat(t->parentfd, tmp_name, t->parentfd, t->name) < 0) {
			fprintf(stderr, "jailctl mkroot: rename into '%s': %s\n", t->path,
				strerror(errno));
			return -1;
		}
	} else {
		if (renameat2(t->parentfd, tmp_name, t->parentfd, t->name, RENAME_EXCHANGE) < 0) {
			fprintf(stderr, "jailctl mkroot: exchange with '%s': %s\n", t->path,
				strerror(errno));
			return -1;
		}
		/* Jails running on the old tree keep their mount of it. */
		if (jailroot_remove_tree(t->parentfd, tmp_name, &err) < 0)
			fprintf(stderr, "jailctl mkroot: removing the old tree: %s\n", err.message);
	}
	if (fsync(t->parentfd) < 0) {
		fprintf(stderr, "jailctl mkroot: fsync: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int run_mkroot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "program", required_argument, NULL, 'p' },
		{ "set", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'u' },
		{ "dir", required_argument, NULL, 'D' },
		{ "group", required_argument, NULL, 'g' },
		{ "sets-dir", required_argument, NULL, 'S' },
		{ "debootstrap", required_argument, NULL, 'd' },
		{ "mirror", required_argument, NULL, 'm' },
		{ 0 },
	};
	struct jailctl_options o = { .verb = &jailctl_verb_mkroot,
				     .own = opts,
				     .own_short = "p:s:u:" };
	const struct jailctl_verb *v = &jailctl_verb_mkroot;
	struct jailroot_manifest m = { 0 }, old = { 0 };
	struct roots_target t = { .parentfd = -1, .treefd = -1 };
	struct jail_error err = { 0 };
	const char *sets_dir = JAIL_SETS_DIR, *mirror = DEFAULT_MIRROR;
	char **set_names = NULL;
	size_t n_set_names = 0;
	char tmp_path[PATH_MAX];
	const char *tmp_name;
	_cleanup_close_ int tmpfd = -1;
	bool have_recipe = false, tmp_made = false;
	int opt, r, rc = JAILCTL_EXIT_FAIL;
	size_t files = 0, links = 0;

	while ((opt = jailctl_option(&o, argc, argv)) > 0) {
		switch (opt) {
		case 'p':
			if (!jail_path_is_clean_absolute(optarg)) {
				r = jailctl_usage_error(v, "'%s' is not a clean absolute path",
							optarg);
				goto out_usage;
			}
			if (jailroot_strv_add(&m.programs, &m.n_programs, optarg) < 0)
				goto out;
			have_recipe = true;
			break;
		case 's':
			if (jailroot_strv_add(&set_names, &n_set_names, optarg) < 0)
				goto out;
			have_recipe = true;
			break;
		case 'u':
			if (jailroot_strv_add(&m.users, &m.n_users, optarg) < 0)
				goto out;
			break;
		case 'g':
			if (jailroot_strv_add(&m.groups, &m.n_groups, optarg) < 0)
				goto out;
			break;
		case 'D':
			if (!jail_path_is_clean_absolute(optarg)) {
				r = jailctl_usage_error(v,
							"--dir '%s' is not a clean absolute path",
							optarg);
				goto out_usage;
			}
			if (jailroot_strv_add(&m.dirs, &m.n_dirs, optarg) < 0)
				goto out;
			break;
		case 'S':
			sets_dir = optarg;
			break;
		case 'd':
			free(m.debootstrap);
			m.debootstrap = strdup(optarg);
			have_recipe = true;
			break;
		case 'm':
			mirror = optarg;
			break;
		}
	}
	if (opt < 0) {
		r = o.exit_code;
		goto out_usage;
	}
	if (optind + 1 != argc) {
		r = jailctl_usage_error(v,
					optind == argc ? "which directory?" : "one tree at a time");
		goto out_usage;
	}
	if (!roots_need_root("mkroot"))
		goto out;
	if (roots_open_target("mkroot", argv[optind], &t) < 0)
		goto out;
	/* One mkroot/update at a time per parent directory. */
	if (flock(t.parentfd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr,
			"jailctl mkroot: another mkroot or update is working in the "
			"parent of '%s'\n",
			t.path);
		goto out;
	}

	/* An existing DIR: empty, or a tree we built (a whole manifest). */
	if (t.treefd >= 0) {
		r = jailroot_dir_is_empty(t.treefd);
		if (r < 0) {
			fprintf(stderr, "jailctl mkroot: '%s': %s\n", t.path, strerror(-r));
			goto out;
		}
		if (r == 0) {
			r = jailroot_manifest_read(t.treefd, &old, &err);
			if (r == -ENOENT) {
				fprintf(stderr,
					"jailctl mkroot: '%s' is not empty and not a pam_jail tree "
					"(no %s): refusing to touch it\n",
					t.path, JAILROOT_MANIFEST);
				goto out;
			}
			if (r < 0) {
				fprintf(stderr, "jailctl mkroot: '%s': %s: refusing to touch it\n",
					t.path, err.message);
				goto out;
			}
			/* No recipe given: rebuild from the one it was made with. */
			if (!have_recipe) {
				for (size_t i = 0; i < old.n_programs; i++)
					if (jailroot_strv_add(&m.programs, &m.n_programs,
							      old.programs[i]) < 0)
						goto out;
				for (size_t i = 0; i < old.n_sets; i++)
					if (jailroot_strv_add(&m.sets, &m.n_sets, old.sets[i]) < 0)
						goto out;
				if (m.n_users == 0)
					for (size_t i = 0; i < old.n_users; i++)
						if (jailroot_strv_add(&m.users, &m.n_users,
								      old.users[i]) < 0)
							goto out;
				if (m.n_groups == 0)
					for (size_t i = 0; i < old.n_groups; i++)
						if (jailroot_strv_add(&m.groups, &m.n_groups,
								      old.groups[i]) < 0)
							goto out;
				if (m.n_dirs == 0)
					for (size_t i = 0; i < old.n_dirs; i++)
						if (jailroot_strv_add(&m.dirs, &m.n_dirs,
								      old.dirs[i]) < 0)
							goto out;
				if (old.debootstrap)
					m.debootstrap = strdup(old.debootstrap);
				have_recipe = true;
			}
		}
	}
	if (!have_recipe) {
		r = jailctl_usage_error(v,
					"nothing to put in it: --program, --set or --debootstrap");
		goto out_usage;
	}
	for (size_t i = 0; i < n_set_names; i++)
		if (roots_add_set(sets_dir, set_names[i], &m) < 0)
			goto out;
	if (jailroot_expand_groups(&m, &err) < 0) {
		fprintf(stderr, "jailctl mkroot: %s\n", err.message);
		goto out;
	}
	for (size_t i = 0; i < m.n_programs; i++) {
		struct stat st;
		if (stat(m.programs[i], &st) < 0) {
			fprintf(stderr, "jailctl mkroot: program '%s': %s\n", m.programs[i],
				strerror(errno));
			goto out;
		}
	}

	remove_stale_temps(&t);
	snprintf(tmp_path, sizeof(tmp_path), "%s.tmp-XXXXXX", t.path);
	if (!mkdtemp(tmp_path)) {
		fprintf(stderr, "jailctl mkroot: temp dir beside '%s': %s\n", t.path,
			strerror(errno));
		goto out;
	}
	tmp_made = true;
	tmp_name = strrchr(tmp_path, '/') + 1;
	tmpfd = openat(t.parentfd, tmp_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tmpfd < 0) {
		fprintf(stderr, "jailctl mkroot: '%s': %s\n", tmp_path, strerror(errno));
		goto out;
	}
	printf("mkroot: building '%s' in '%s'\n", t.path, tmp_path);
	if (m.debootstrap) {
		if (run_debootstrap(m.debootstrap, tmp_path, mirror) < 0)
			goto out;
		printf("mkroot: hardening the debootstrap tree\n");
		if (jailroot_harden(tmpfd, &m, NULL, NULL, &err) < 0) {
			fprintf(stderr, "jailctl mkroot: hardening: %s\n", err.message);
			goto out;
		}
	}
	if (jailroot_build(tmpfd, &m, roots_print_note, NULL, &err) < 0) {
		fprintf(stderr, "jailctl mkroot: %s\n", err.message);
		goto out;
	}
	if (jailroot_run_ldconfig(tmpfd, tmp_path, &err) < 0) {
		fprintf(stderr, "jailctl mkroot: %s\n", err.message);
		goto out;
	}
	/* The manifest last: what has one is whole. */
	if (jailroot_manifest_write(tmpfd, &m, &err) < 0) {
		fprintf(stderr, "jailctl mkroot: %s\n", err.message);
		goto out;
	}
	if (fchmod(tmpfd, 0755) < 0 || syncfs(tmpfd) < 0) {
		fprintf(stderr, "jailctl mkroot: '%s': %s\n", tmp_path, strerror(errno));
		goto out;
	}
	if (swap_into_place(&t, tmp_name) < 0)
		goto out;
	tmp_made = false;
	for (size_t i = 0; i < m.n; i++) {
		if (m.entries[i].kind == JAILROOT_LINK)
			links++;
		else
			files++;
	}
	printf("mkroot: '%s' ready: %zu programs, %zu files, %zu symlinks%s%s\n", t.path,
	       m.n_programs, files, links, m.debootstrap ? " on debootstrap " : "",
	       m.debootstrap ? m.debootstrap : "");
	rc = JAILCTL_EXIT_OK;
out:
	r = rc;
out_usage:
	if (tmp_made) {
		struct jail_error e2 = { 0 };
		if (jailroot_remove_tree(t.parentfd, strrchr(tmp_path, '/') + 1, &e2) < 0)
			fprintf(stderr, "jailctl mkroot: removing '%s': %s\n", tmp_path,
				e2.message);
	}
	for (size_t i = 0; i < n_set_names; i++)
		free(set_names[i]);
	free(set_names);
	jailroot_manifest_clear(&m);
	jailroot_manifest_clear(&old);
	roots_target_clear(&t);
	return r;
}

const struct jailctl_verb jailctl_verb_mkroot = {
	.name = "mkroot",
	.synopsis = "DIR --set S|--program P...",
	.summary = "build a jail root with programs and what they need",
	.help = "Build a jail root at DIR for root = { type = \"tree\"; path = \"DIR\"; }.\n"
		"The programs (--program, or the members of --set, see " JAIL_SETS_DIR ")\n"
		"are copied with every library their ELF headers name, found as the dynamic\n"
		"loader would (nothing is run); symlinks are kept, setuid/setgid bits\n"
		"stripped, everything owned by root. /etc gets passwd and group with root,\n"
		"tty and each --user, nsswitch.conf, hosts, resolv.conf and ld.so.cache.\n"
		"--user NAME also makes the home mount point (--group NAME: each member);\n"
		"--dir PATH an empty\n"
		"directory (the target of a bind in the policy); --sets-dir DIR where\n"
		"the set lists are; --mirror URL the Debian mirror for --debootstrap.\n"
		"--debootstrap SUITE starts from a minimal Debian instead and hardens it.\n"
		"DIR must be absent, empty, or a tree mkroot made (then it is rebuilt, from\n"
		"its recorded recipe if none is given). The new tree replaces DIR in one\n"
		"rename; an interrupted run leaves DIR as it was.\n",
	.run = run_mkroot,
};
