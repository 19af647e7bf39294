/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading ELF dependencies and searching like ld.so (see elf_deps.h). */
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "elf_deps.h"

#ifndef ELF_MULTIARCH
#if defined(__x86_64__)
#define ELF_MULTIARCH "x86_64-linux-gnu"
#define ELF_PLATFORM  "x86_64"
#elif defined(__aarch64__)
#define ELF_MULTIARCH "aarch64-linux-gnu"
#define ELF_PLATFORM  "aarch64"
#else
#error "set ELF_MULTIARCH and ELF_PLATFORM for this architecture"
#endif
#endif

/* glibc on Debian: ld.so --help lists these after the cache. */
const char *const elf_default_lib_dirs[] = {
	"/lib/" ELF_MULTIARCH, "/usr/lib/" ELF_MULTIARCH, "/lib", "/usr/lib", NULL,
};

uint16_t elf_host_machine(void)
{
#if defined(__x86_64__)
	return EM_X86_64;
#elif defined(__aarch64__)
	return EM_AARCH64;
#endif
}

int elf_open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	long r;

	/* RESOLVE_NO_XDEV: a jail tree is one filesystem; a mount inside it
	 * (or /proc reached by a link) is nothing we built. On the host "/"
	 * spans mounts, so there it is left out. */
	if (rootfd == AT_FDCWD || path[0] != '/')
		return -EINVAL;
	{
		struct stat rs, slash;
		if (fstat(rootfd, &rs) == 0 && stat("/", &slash) == 0 &&
		    rs.st_dev == slash.st_dev && rs.st_ino == slash.st_ino)
			how.resolve &= ~(uint64_t)RESOLVE_NO_XDEV;
	}
	r = syscall(SYS_openat2, rootfd, path + 1, &how, sizeof(how));
	if (r < 0)
		return -errno;
	return (int)r;
}

static int pread_exact(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO; /* short file */
		done += (size_t)n;
	}
	return 0;
}

void elf_deps_clear(struct elf_deps *d)
{
	if (!d)
		return;
	free(d->interp);
	for (size_t i = 0; d->needed && i < d->n_needed; i++)
		free(d->needed[i]);
	free(d->needed);
	free(d->rpath);
	free(d->runpath);
	memset(d, 0, sizeof(*d));
}

/* File offset of virtual address `addr`, through the PT_LOAD segments. */
static int vaddr_to_offset(const Elf64_Phdr *ph, size_t n, uint64_t addr, uint64_t *ret)
{
	for (size_t i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (addr >= ph[i].p_vaddr && addr - ph[i].p_vaddr < ph[i].p_filesz) {
			*ret = ph[i].p_offset + (addr - ph[i].p_vaddr);
			return 0;
		}
	}
	return -ENOENT;
}

/* A NUL-terminated string at `off` in the string table [tab, tab+size). */
static int read_str(int fd, uint64_t tab, uint64_t size, uint64_t off, char **ret)
{
	char buf[PATH_MAX];
	size_t want;
	char *nul;
	int r;

	if (off >= size)
		return -EINVAL;
	want = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
	r = pread_exact(fd, buf, want, tab + off);
	if (r < 0)
		return r;
	nul = memchr(buf, '\0', want);
	if (!nul)
		return -ENAMETOOLONG;
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

static int read_dynamic(int fd, const struct stat *st, const Elf64_Phdr *ph, size_t nph,
			const Elf64_Phdr *dyn_ph, struct elf_deps *d, struct jail_error *err)
{
	_cleanup_free_ Elf64_Dyn *dyn = NULL;
	uint64_t strtab_addr = 0, strsz = 0, strtab_off;
	bool have_strtab = false;
	size_t ndyn;
	int r;

	if (dyn_ph->p_filesz == 0)
		return 0;
	if (dyn_ph->p_offset > (uint64_t)st->st_size ||
	    dyn_ph->p_filesz > (uint64_t)st->st_size - dyn_ph->p_offset)
		return jail_error_set(err, EINVAL, "PT_DYNAMIC lies outside the file");
	ndyn = (size_t)(dyn_ph->p_filesz / sizeof(Elf64_Dyn));
	if (ndyn > ELF_MAX_DYN)
		return jail_error_set(err, E2BIG, "too many dynamic entries (%zu)", ndyn);
	dyn = calloc(ndyn ? ndyn : 1, sizeof(*dyn));
	if (!dyn)
		return jail_error_set(err, ENOMEM, "out of memory");
	r = pread_exact(fd, dyn, ndyn * sizeof(*dyn), dyn_ph->p_offset);
	if (r < 0)
		return jail_error_set(err, -r, "reading PT_DYNAMIC: %s", strerror(-r));

	for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		if (dyn[i].d_tag == DT_STRTAB) {
			strtab_addr = dyn[i].d_un.d_ptr;
			have_strtab = true;
		} else if (dyn[i].d_tag == DT_STRSZ) {
			strsz = dyn[i].d_un.d_val;
		}
	}
	if (!have_strtab)
		return 0; /* nothing named: a static PIE has PT_DYNAMIC too */
	if (vaddr_to_offset(ph, nph, strtab_addr, &strtab_off) < 0)
		return jail_error_set(err, EINVAL, "DT_STRTAB is not in a loaded segment");
	if (strtab_off > (uint64_t)st->st_size || strsz > (uint64_t)st->st_size - strtab_off)
		return jail_error_set(err, EINVAL,
				      "the dynamic string table lies outside the file");

	d->needed = calloc(1, sizeof(char *));
	if (!d->needed)
		return jail_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		char **slot = NULL;
		char *s = NULL;

		if (dyn[i].d_tag == DT_NEEDED) {
			char **grown;
			if (d->n_needed >= ELF_MAX_NEEDED)
				return jail_error_set(err, E2BIG, "too many DT_NEEDED entries");
			grown = realloc(d->needed, (d->n_needed + 2) * sizeof(char *));
			if (!grown)
				return jail_error_set(err, ENOMEM, "out of memory");
			d->needed = grown;
			d->needed[d->n_needed] = NULL;
			d->needed[d->n_needed + 1] = NULL;
			slot = &d->needed[d->n_needed];
		} else if (dyn[i].d_tag == DT_RPATH && !d->rpath) {
			slot = &d->rpath;
		} else if (dyn[i].d_tag == DT_RUNPATH && !d->runpath) {
			slot = &d->runpath;
		} else {
			continue;
		}
		r = read_str(fd, strtab_off, strsz, dyn[i].d_un.d_val, &s);
		if (r < 0)
			return jail_error_set(err, -r, "a dynamic string is malformed: %s",
					      strerror(-r));
		if (!*s) {
			free(s);
			return jail_error_set(err, EINVAL, "an empty name in the dynamic section");
		}
		*slot = s;
		if (slot == &d->needed[d->n_needed])
			d->n_needed++;
	}
	return 0;
}

int elf_deps_read_fd(int fd, struct elf_deps *ret, struct jail_error *err)
{
	struct elf_deps d = { 0 };
	_cleanup_free_ Elf64_Phdr *ph = NULL;
	const Elf64_Phdr *dyn_ph = NULL;
	Elf64_Ehdr eh;
	struct stat st;
	int r;

	if (fstat(fd, &st) < 0)
		return jail_error_set(err, errno, "fstat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size < sizeof(eh))
		return jail_error_set(err, ENOEXEC, "not an ELF file");
	r = pread_exact(fd, &eh, sizeof(eh), 0);
	if (r < 0)
		return jail_error_set(err, -r, "reading the ELF header: %s", strerror(-r));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return jail_error_set(err, ENOEXEC, "not an ELF file");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return jail_error_set(err, ENOEXEC, "not a 64-bit ELF file");
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return jail_error_set(err, ENOEXEC, "not a little-endian ELF file");
	if (eh.e_phnum > ELF_MAX_PHDRS)
		return jail_error_set(err, E2BIG, "too many program headers (%u)", eh.e_phnum);
	if (eh.e_phnum > 0 && eh.e_phentsize != sizeof(Elf64_Phdr))
		return jail_error_set(err, EINVAL, "odd program header size %u", eh.e_phentsize);
	if (eh.e_phoff > (uint64_t)st.st_size ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > (uint64_t)st.st_size - eh.e_phoff)
		return jail_error_set(err, EINVAL, "program headers lie outside the file");

	d.machine = eh.e_machine;
	d.type = eh.e_type;
	ph = calloc(eh.e_phnum ? eh.e_phnum : 1, sizeof(*ph));
	if (!ph)
		return jail_error_set(err, ENOMEM, "out of memory");
	r = pread_exact(fd, ph, (size_t)eh.e_phnum * sizeof(*ph), eh.e_phoff);
	if (r < 0)
		return jail_error_set(err, -r, "reading program headers: %s", strerror(-r));

	for (size_t i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP && !d.interp) {
			char buf[PATH_MAX];
			if (ph[i].p_filesz < 2 || ph[i].p_filesz > sizeof(buf) ||
			    ph[i].p_offset > (uint64_t)st.st_size ||
			    ph[i].p_filesz > (uint64_t)st.st_size - ph[i].p_offset) {
				r = jail_error_set(err, EINVAL, "PT_INTERP is malformed");
				goto fail;
			}
			r = pread_exact(fd, buf, (size_t)ph[i].p_filesz, ph[i].p_offset);
			if (r < 0) {
				jail_error_set(err, -r, "reading PT_INTERP: %s", strerror(-r));
				goto fail;
			}
			if (buf[ph[i].p_filesz - 1] != '\0' ||
			    strlen(buf) != (size_t)ph[i].p_filesz - 1 || buf[0] != '/') {
				r = jail_error_set(err, EINVAL,
						   "PT_INTERP is not an absolute path");
				goto fail;
			}
			d.interp = strdup(buf);
			if (!d.interp) {
				r = jail_error_set(err, ENOMEM, "out of memory");
				goto fail;
			}
		} else if (ph[i].p_type == PT_DYNAMIC && !dyn_ph) {
			dyn_ph = &ph[i];
		}
	}
	if (dyn_ph) {
		d.dynamic = true;
		r = read_dynamic(fd, &st, ph, eh.e_phnum, dyn_ph, &d, err);
		if (r < 0)
			goto fail;
	}
	if (!d.needed) {
		d.needed = calloc(1, sizeof(char *));
		if (!d.needed) {
			r = jail_error_set(err, ENOMEM, "out of memory");
			goto fail;
		}
	}
	*ret = d;
	return 0;
fail:
	elf_deps_clear(&d);
	return r;
}

/* ------------------------------------------------------------ ld.so.cache */

#define CACHE_OLD_MAGIC "ld.so-1.7.0"
#define CACHE_NEW_MAGIC "glibc-ld.so.cache"
#define CACHE_NEW_VER	"1.1"

/* glibc's on-disk layout (sysdeps/generic/dl-cache.h), restated. */
struct cache_old_header {
	char magic[sizeof(CACHE_OLD_MAGIC) - 1];
	uint32_t nlibs;
};
struct cache_old_entry {
	int32_t flags;
	uint32_t key, value;
};
struct cache_new_header {
	char magic[sizeof(CACHE_NEW_MAGIC) - 1];
	char version[sizeof(CACHE_NEW_VER) - 1];
	uint32_t nlibs;
	uint32_t len_strings;
	uint8_t flags;
	uint8_t padding_unused[3];
	uint32_t extension_offset;
	uint32_t unused[3];
};
struct cache_new_entry {
	int32_t flags;
	uint32_t key, value;
	uint32_t osversion_unused;
	uint64_t hwcap;
};

#define CACHE_FLAG_TYPE_MASK 0x00ff
#define CACHE_FLAG_ELF_LIBC6 0x0003
#define CACHE_FLAG_ARCH_MASK 0xff00

/* The architecture bits ldconfig stores for `machine` (dl-cache.h). */
static int cache_arch_flag(uint16_t machine)
{
	switch (machine) {
	case EM_X86_64:
		return 0x0300; /* FLAG_X8664_LIB64 */
	case EM_AARCH64:
		return 0x0a00; /* FLAG_AARCH64_LIB64 */
	default:
		return -1;
	}
}

void ld_cache_clear(struct ld_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->entries[i].soname);
		free(c->entries[i].path);
	}
	free(c->entries);
	c->entries = NULL;
	c->n = 0;
}

/* A string at `off` of the image, NUL-terminated inside it. */
static const char *cache_str(const char *buf, size_t len, size_t off)
{
	if (off >= len || !memchr(buf + off, '\0', len - off))
		return NULL;
	return buf + off;
}

int ld_cache_parse(const void *image, size_t len, uint16_t machine, struct ld_cache *ret,
		   struct jail_error *err)
{
	const char *buf = image;
	const struct cache_new_header *h;
	struct ld_cache c = { 0 };
	size_t start = 0, nlibs;
	int arch = cache_arch_flag(machine);

	if (arch < 0)
		return jail_error_set(err, ENOTSUP, "no ld.so.cache flags known for machine %u",
				      machine);
	/* An old-format table may come first; the new one follows it,
	 * aligned to the header's alignment. */
	if (len >= sizeof(struct cache_old_header) &&
	    memcmp(buf, CACHE_OLD_MAGIC, sizeof(CACHE_OLD_MAGIC) - 1) == 0) {
		struct cache_old_header oh;
		memcpy(&oh, buf, sizeof(oh));
		if (oh.nlibs > len / sizeof(struct cache_old_entry))
			return jail_error_set(err, EINVAL, "ld.so.cache: old table too large");
		start = sizeof(oh) + (size_t)oh.nlibs * sizeof(struct cache_old_entry);
		start = (start + __alignof__(struct cache_new_header) - 1) &
			~(size_t)(__alignof__(struct cache_new_header) - 1);
	}
	if (start > len || len - start < sizeof(*h))
		return jail_error_set(err, EINVAL, "ld.so.cache: too short");
	h = (const struct cache_new_header *)(const void *)(buf + start);
	if (memcmp(h->magic, CACHE_NEW_MAGIC, sizeof(h->magic)) != 0 ||
	    memcmp(h->version, CACHE_NEW_VER, sizeof(h->version)) != 0)
		return jail_error_set(err, EINVAL,
				      "ld.so.cache: not the glibc-ld.so.cache1.1 format");
	nlibs = h->nlibs;
	if (nlibs > (len - start - sizeof(*h)) / sizeof(struct cache_new_entry))
		return jail_error_set(err, EINVAL, "ld.so.cache: %zu entries do not fit", nlibs);
	c.entries = calloc(nlibs ? nlibs : 1, sizeof(*c.entries));
	if (!c.entries)
		return jail_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < nlibs; i++) {
		struct cache_new_entry e;
		const char *key, *value;

		memcpy(&e, buf + start + sizeof(*h) + i * sizeof(e), sizeof(e));
		if ((e.flags & CACHE_FLAG_TYPE_MASK) != CACHE_FLAG_ELF_LIBC6 ||
		    (e.flags & CACHE_FLAG_ARCH_MASK) != arch)
			continue;
		/* hwcap != 0: a glibc-hwcaps subdirectory variant, chosen by
		 * the CPU at run time; the baseline entry is what a tree must
		 * hold, the loader falls back to it. */
		if (e.hwcap != 0)
			continue;
		/* String offsets count from the new header (the file's start
		 * when no old table precedes it), as in glibc's dl-cache.c. */
		key = cache_str(buf, len, start + e.key);
		value = cache_str(buf, len, start + e.value);
		if (!key || !value || value[0] != '/') {
			ld_cache_clear(&c);
			return jail_error_set(err, EINVAL, "ld.so.cache: entry %zu is malformed",
					      i);
		}
		c.entries[c.n].soname = strdup(key);
		c.entries[c.n].path = strdup(value);
		c.n++;
		if (!c.entries[c.n - 1].soname || !c.entries[c.n - 1].path) {
			ld_cache_clear(&c);
			return jail_error_set(err, ENOMEM, "out of memory");
		}
	}
	*ret = c;
	return 0;
}

int ld_cache_load(int rootfd, const char *path, uint16_t machine, struct ld_cache *ret,
		  struct jail_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	int r;

	memset(ret, 0, sizeof(*ret));
	fd = elf_open_in_root(rootfd, path, O_RDONLY | O_NOCTTY);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return jail_error_set(err, -fd, "'%s': %s", path, strerror(-fd));
	if (fstat(fd, &st) < 0)
		return jail_error_set(err, errno, "'%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > LD_CACHE_MAX_BYTES)
		return jail_error_set(err, EINVAL, "'%s' is not a plausible ld.so.cache", path);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return jail_error_set(err, ENOMEM, "out of memory");
	r = pread_exact(fd, buf, (size_t)st.st_size, 0);
	if (r < 0)
		return jail_error_set(err, -r, "reading '%s': %s", path, strerror(-r));
	r = ld_cache_parse(buf, (size_t)st.st_size, machine, ret, err);
	if (r < 0) {
		struct jail_error e = *err;
		return jail_error_set(err, -r, "'%s': %s", path, e.message);
	}
	return 0;
}

const char *ld_cache_lookup(const struct ld_cache *c, const char *soname)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (strcmp(c->entries[i].soname, soname) == 0)
			return c->entries[i].path;
	return NULL;
}

/* ------------------------------------------------------------ searching */

static int buf_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = (*cap ? *cap * 2 : 256);
		char *nb;
		while (ncap < *len + n + 1)
			ncap *= 2;
		if (ncap > 64 * 1024)
			return -E2BIG;
		nb = realloc(*buf, ncap);
		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* Does `s` start with the token NAME as $NAME or ${NAME}? Sets *ret_len. */
static bool dst_token(const char *s, const char *name, size_t *ret_len)
{
	size_t n = strlen(name);

	if (s[0] != '$')
		return false;
	if (s[1] == '{') {
		if (strncmp(s + 2, name, n) == 0 && s[2 + n] == '}') {
			*ret_len = n + 3;
			return true;
		}
		return false;
	}
	if (strncmp(s + 1, name, n) == 0 &&
	    !(s[1 + n] == '_' || (s[1 + n] >= 'A' && s[1 + n] <= 'Z') ||
	      (s[1 + n] >= 'a' && s[1 + n] <= 'z') || (s[1 + n] >= '0' && s[1 + n] <= '9'))) {
		*ret_len = n + 1;
		return true;
	}
	return false;
}

int elf_expand_search_list(const char *list, const char *origin_dir, char **ret,
			   struct jail_error *err)
{
	_cleanup_free_ char *out = NULL;
	size_t len = 0, cap = 0;
	const char *p = list;
	int r = 0;

	*ret = NULL;
	while (p && *p) {
		const char *end = strchrnul(p, ':');
		size_t start_len = len;
		bool any = false;

		if (len > 0)
			r = buf_append(&out, &len, &cap, ":", 1);
		for (const char *q = p; r == 0 && q < end;) {
			size_t tl;
			if (dst_token(q, "ORIGIN", &tl)) {
				r = buf_append(&out, &len, &cap, origin_dir, strlen(origin_dir));
				q += tl;
			} else if (dst_token(q, "LIB", &tl)) {
				r = buf_append(&out, &len, &cap, "lib/" ELF_MULTIARCH,
					       strlen("lib/" ELF_MULTIARCH));
				q += tl;
			} else if (dst_token(q, "PLATFORM", &tl)) {
				r = buf_append(&out, &len, &cap, ELF_PLATFORM,
					       strlen(ELF_PLATFORM));
				q += tl;
			} else if (*q == '$') {
				return jail_error_set(err, EINVAL,
						      "unknown token in search path '%s'", list);
			} else {
				r = buf_append(&out, &len, &cap, q, 1);
				q++;
			}
			any = true;
		}
		if (r < 0)
			return jail_error_set(err, -r, "search path '%s': %s", list, strerror(-r));
		/* An empty element means the current directory to ld.so, and a
		 * relative one is relative to it too: neither names a place in
		 * a tree, so both are left out. */
		if (!any || out[start_len + (start_len ? 1 : 0)] != '/') {
			len = start_len;
			if (out)
				out[len] = '\0';
		}
		p = *end ? end + 1 : end;
	}
	if (!out) {
		out = strdup("");
		if (!out)
			return jail_error_set(err, ENOMEM, "out of memory");
	}
	*ret = steal_pointer(&out);
	return 0;
}

/* Is `path` below `rootfd` an ELF object the loader of `machine` would take? */
static bool usable_object(int rootfd, const char *path, uint16_t machine)
{
	_cleanup_close_ int fd = -1;
	Elf64_Ehdr eh;

	fd = elf_open_in_root(rootfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return false;
	if (pread_exact(fd, &eh, sizeof(eh), 0) < 0)
		return false;
	/* The loader skips a file of the wrong class or machine and goes on
	 * searching (a 32-bit libfoo in an RPATH does not stop the search). */
	return memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	       eh.e_machine == machine;
}

static int try_dir(const struct elf_search *s, const char *dir, size_t dirlen, const char *soname,
		   char **ret_path)
{
	char path[PATH_MAX];
	int n;

	while (dirlen > 1 && dir[dirlen - 1] == '/')
		dirlen--;
	n = snprintf(path, sizeof(path), "%.*s/%s", (int)dirlen, dir, soname);
	if (n < 0 || (size_t)n >= sizeof(path) || path[0] != '/')
		return -ENOENT;
	if (!usable_object(s->rootfd, path, s->machine))
		return -ENOENT;
	*ret_path = strdup(path);
	return *ret_path ? 0 : -ENOMEM;
}

static int try_list(const struct elf_search *s, const char *list, const char *soname,
		    char **ret_path)
{
	for (const char *p = list; p && *p;) {
		const char *end = strchrnul(p, ':');
		if (end > p) {
			int r = try_dir(s, p, (size_t)(end - p), soname, ret_path);
			if (r != -ENOENT)
				return r;
		}
		p = *end ? end + 1 : end;
	}
	return -ENOENT;
}

int elf_find_library(const struct elf_search *s, const char *soname, const char *rpaths,
		     const char *runpath, char **ret_path, struct jail_error *err)
{
	const char *cached;
	int r;

	*ret_path = NULL;
	if (strchr(soname, '/')) {
		/* ld.so opens such a name as a path, relative ones from the
		 * current directory: only an absolute one means anything. */
		if (soname[0] == '/' && usable_object(s->rootfd, soname, s->machine)) {
			*ret_path = strdup(soname);
			return *ret_path ? 0 : jail_error_set(err, ENOMEM, "out of memory");
		}
		return jail_error_set(err, ENOENT, "'%s' not found", soname);
	}
	if (!runpath) {
		r = try_list(s, rpaths, soname, ret_path);
		if (r != -ENOENT)
			goto done;
	} else {
		r = try_list(s, runpath, soname, ret_path);
		if (r != -ENOENT)
			goto done;
	}
	cached = ld_cache_lookup(s->cache, soname);
	if (cached && usable_object(s->rootfd, cached, s->machine)) {
		*ret_path = strdup(cached);
		r = *ret_path ? 0 : -ENOMEM;
		goto done;
	}
	for (size_t i = 0; elf_default_lib_dirs[i]; i++) {
		r = try_dir(s, elf_default_lib_dirs[i], strlen(elf_default_lib_dirs[i]), soname,
			    ret_path);
		if (r != -ENOENT)
			goto done;
	}
	return jail_error_set(err, ENOENT, "library '%s' not found", soname);
done:
	if (r < 0)
		return jail_error_set(err, -r, "looking for '%s': %s", soname, strerror(-r));
	return 0;
}
