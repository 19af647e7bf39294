/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a program needs, read from its ELF file, and where the dynamic loader
 * would find it.
 *
 * `ldd` runs the program (or its loader on it); on an untrusted binary as
 * root that is an exploit. So we read the file: the loader it names
 * (PT_INTERP), the libraries it needs (DT_NEEDED) and its search paths
 * (DT_RPATH, DT_RUNPATH with $ORIGIN), then search the way glibc's ld.so
 * does: RPATH of the object and its loaders (only when the object has no
 * RUNPATH), RUNPATH, /etc/ld.so.cache, then the default directories.
 * LD_LIBRARY_PATH is never consulted: a login's environment must not decide
 * what a jail root contains.
 *
 * Every lookup goes through a root fd with openat2(RESOLVE_IN_ROOT), so the
 * same code answers for the host ("/") and for a jail tree, whose absolute
 * symlinks resolve inside the tree as they would in the jail.
 *
 * Only ELF64 little-endian files (x86-64, aarch64, ...) of the host's
 * machine are understood; anything else is "not ELF" (-ENOEXEC).
 */
#ifndef PAM_JAIL_ELF_DEPS_H
#define PAM_JAIL_ELF_DEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Bounds on what we read from a file we do not trust. */
#define ELF_MAX_PHDRS	   256
#define ELF_MAX_DYN	   4096
#define ELF_MAX_NEEDED	   512
#define LD_CACHE_MAX_BYTES (64u << 20)

struct elf_deps {
	uint16_t machine; /* e_machine */
	uint16_t type;	  /* ET_EXEC, ET_DYN, ... */
	bool dynamic;	  /* has PT_DYNAMIC */
	char *interp;	  /* PT_INTERP, or NULL */
	char **needed;	  /* DT_NEEDED in file order, NULL-terminated, never NULL */
	size_t n_needed;
	char *rpath;   /* DT_RPATH, unexpanded, or NULL */
	char *runpath; /* DT_RUNPATH, unexpanded, or NULL */
};

/*
 * Read the ELF headers of the open file `fd` (only pread, never mapped or
 * run). Returns 0, -ENOEXEC if it is not an ELF64 file of our byte order
 * (err says why), or another negative errno for a malformed or unreadable
 * file.
 */
int elf_deps_read_fd(int fd, struct elf_deps *ret, struct jail_error *err);
void elf_deps_clear(struct elf_deps *d);

/* The host's own e_machine (the loader only loads objects of its machine). */
uint16_t elf_host_machine(void);

/* glibc's ld.so.cache ("glibc-ld.so.cache1.1", optionally after the old
 * "ld.so-1.7.0" table): soname -> path, for one machine's libraries. */
struct ld_cache_entry {
	char *soname;
	char *path;
};
struct ld_cache {
	struct ld_cache_entry *entries;
	size_t n;
};

/* Parse a cache image for `machine`'s entries. An unknown format is -EINVAL. */
int ld_cache_parse(const void *buf, size_t len, uint16_t machine, struct ld_cache *ret,
		   struct jail_error *err);
/* Load `path` (absolute) below `rootfd`. A missing cache is an empty one (the
 * loader then uses its default directories), not an error. */
int ld_cache_load(int rootfd, const char *path, uint16_t machine, struct ld_cache *ret,
		  struct jail_error *err);
/* The first entry for `soname` (the cache is in the loader's preference
 * order), or NULL. */
const char *ld_cache_lookup(const struct ld_cache *c, const char *soname);
void ld_cache_clear(struct ld_cache *c);

/*
 * Expand the dynamic string tokens of a search list (DT_RPATH/DT_RUNPATH):
 * $ORIGIN / ${ORIGIN} -> `origin_dir` (the directory of the object, as the
 * loader sees it), $LIB -> "lib/<multiarch>", $PLATFORM -> the machine name.
 * Empty elements are dropped (the loader would read them as the current
 * directory, which has no meaning here). Returns a new ':'-separated list.
 */
int elf_expand_search_list(const char *list, const char *origin_dir, char **ret,
			   struct jail_error *err);

/* The directories the loader searches last, in its order. */
extern const char *const elf_default_lib_dirs[];

struct elf_search {
	int rootfd;		      /* "/" of the filesystem searched */
	const struct ld_cache *cache; /* may be NULL */
	uint16_t machine;
};

/*
 * Where the loader would find `soname` for an object whose expanded
 * inherited RPATH list is `rpaths` and whose expanded RUNPATH is `runpath`
 * (both may be NULL; rpaths is ignored when runpath is set, as in glibc).
 * A name with a '/' is taken as a path. Returns 0 with *ret_path the
 * absolute path as searched (symlinks not resolved), -ENOENT if no
 * candidate exists or none is an ELF object of `machine`.
 */
int elf_find_library(const struct elf_search *s, const char *soname, const char *rpaths,
		     const char *runpath, char **ret_path, struct jail_error *err);

/* Open `path` (absolute) below `rootfd` as the jail would see it
 * (RESOLVE_IN_ROOT: ".." and absolute symlinks stay inside). */
int elf_open_in_root(int rootfd, const char *path, int flags);

#endif
