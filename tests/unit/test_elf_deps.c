/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jailctl/jailroot/: elf_deps.c and the pieces of jailroot_*.c that need no root:
 * reading ELF headers (real ones and malformed ones), ld.so.cache parsing,
 * $ORIGIN expansion, the loader's search order, SHA-256 against the
 * FIPS 180-4 examples, the manifest format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_deps.h"
#include "jailroot.h"

static char base[64];

static int setup(void **state)
{
	snprintf(base, sizeof(base), "/tmp/pj-elfdeps-XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_at(const char *rel, const void *data, size_t len)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void copy_self(const char *rel)
{
	static char buf[16 << 20];
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	assert_true(n > 0);
	close(fd);
	write_at(rel, buf, (size_t)n);
}

static void mkdir_at(const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static int open_at(const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	return open(p, O_RDONLY | O_CLOEXEC);
}

/* ------------------------------------------------------------ ELF headers */

static void test_read_real_binary(void **state)
{
	struct elf_deps d = { 0 };
	struct jail_error err = { 0 };
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	bool libc = false, cmocka = false;

	assert_int_equal(elf_deps_read_fd(fd, &d, &err), 0);
	close(fd);
	assert_int_equal(d.machine, elf_host_machine());
	assert_true(d.dynamic);
	assert_non_null(d.interp);
	assert_string_equal(d.interp, "/lib64/ld-linux-x86-64.so.2");
	for (size_t i = 0; i < d.n_needed; i++) {
		libc |= strcmp(d.needed[i], "libc.so.6") == 0;
		cmocka |= strcmp(d.needed[i], "libcmocka.so.0") == 0;
	}
	assert_true(libc);
	assert_true(cmocka);
	assert_null(d.needed[d.n_needed]);
	elf_deps_clear(&d);
}

static void test_read_not_elf(void **state)
{
	struct elf_deps d = { 0 };
	struct jail_error err = { 0 };
	static const char script[] = "#!/bin/sh\necho this is no ELF file at all, padded\n";
	unsigned char elf32[64] = { 0x7f, 'E', 'L', 'F', ELFCLASS32, ELFDATA2LSB, 1 };
	int fd;

	write_at("script", script, sizeof(script) - 1);
	fd = open_at("script");
	assert_int_equal(elf_deps_read_fd(fd, &d, &err), -ENOEXEC);
	close(fd);
	write_at("elf32", elf32, sizeof(elf32));
	fd = open_at("elf32");
	assert_int_equal(elf_deps_read_fd(fd, &d, &err), -ENOEXEC);
	assert_non_null(strstr(err.message, "64-bit"));
	close(fd);
}

/* A minimal ELF64 header plus one program header, for malformed cases. */
static void craft(const char *rel, Elf64_Half phnum, Elf64_Off phoff, const Elf64_Phdr *ph,
		  const void *tail, size_t tail_len, size_t tail_off)
{
	unsigned char img[1024] = { 0 };
	Elf64_Ehdr eh = { 0 };

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = elf_host_machine();
	eh.e_phoff = phoff;
	eh.e_phnum = phnum;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_ehsize = sizeof(eh);
	memcpy(img, &eh, sizeof(eh));
	if (ph)
		memcpy(img + sizeof(eh), ph, sizeof(*ph));
	if (tail)
		memcpy(img + tail_off, tail, tail_len);
	write_at(rel, img, sizeof(img));
}

static void test_read_malformed(void **state)
{
	struct elf_deps d = { 0 };
	struct jail_error err = { 0 };
	Elf64_Phdr ph = { .p_type = PT_INTERP, .p_offset = 512, .p_filesz = 8 };
	int fd;

	/* program headers past the end of the file */
	craft("far", 1, 1 << 20, NULL, NULL, 0, 0);
	fd = open_at("far");
	assert_int_equal(elf_deps_read_fd(fd, &d, &err), -EINVAL);
	close(fd);
	/* far too many program headers */
	craft("many", 60000, sizeof(Elf64_Ehdr), NULL, NULL, 0, 0);
	fd = open_at("many");
	assert_int_equal(elf_deps_read_fd(fd, &d, &err), -E2BIG);
	close(fd);
	/* PT_INTERP without its NUL */
	craft("nonul", 1, sizeof(Elf64_Ehdr), &ph, "/lib/ld.", 8, 512);
	fd = open_at("nonul");
	assert_int_equal(elf_deps_read_fd(fd, &d, &err), -EINVAL);
	close(fd);
	/* PT_INTERP reaching past the file */
	ph.p_filesz = 4000;
	craft("long", 1, sizeof(Elf64_Ehdr), &ph, NULL, 0, 0);
	fd = open_at("long");
	assert_int_equal(elf_deps_read_fd(fd, &d, &err), -EINVAL);
	close(fd);
	/* a well-formed one reads */
	ph.p_filesz = 9;
	craft("good", 1, sizeof(Elf64_Ehdr), &ph, "/lib/ld.", 9, 512);
	fd = open_at("good");
	assert_int_equal(elf_deps_read_fd(fd, &d, &err), 0);
	assert_string_equal(d.interp, "/lib/ld.");
	assert_false(d.dynamic);
	assert_int_equal(d.n_needed, 0);
	elf_deps_clear(&d);
	close(fd);
}

/* ------------------------------------------------------------ ld.so.cache */

/* Build a new-format cache image with the given entries. */
static size_t build_cache(unsigned char *img, size_t size, const char *const *names,
			  const char *const *paths, const int32_t *flags, size_t n)
{
	struct {
		char magic[17];
		char version[3];
		uint32_t nlibs, len_strings;
		uint8_t flags, pad[3];
		uint32_t ext, unused[3];
	} h = { .nlibs = (uint32_t)n };
	struct {
		int32_t flags;
		uint32_t key, value, osv;
		uint64_t hwcap;
	} e;
	size_t str = sizeof(h) + n * sizeof(e);

	memcpy(h.magic, "glibc-ld.so.cache", 17);
	memcpy(h.version, "1.1", 3);
	memset(img, 0, size);
	for (size_t i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		e.flags = flags[i];
		e.key = (uint32_t)str;
		strcpy((char *)img + str, names[i]);
		str += strlen(names[i]) + 1;
		e.value = (uint32_t)str;
		strcpy((char *)img + str, paths[i]);
		str += strlen(paths[i]) + 1;
		memcpy(img + sizeof(h) + i * sizeof(e), &e, sizeof(e));
	}
	h.len_strings = (uint32_t)(str - sizeof(h) - n * sizeof(e));
	memcpy(img, &h, sizeof(h));
	return str;
}

static void test_cache_synthetic(void **state)
{
	static const char *const names[] = { "libfoo.so.1", "libfoo.so.1", "libbar.so.2" };
	static const char *const paths[] = { "/lib32/libfoo.so.1", "/opt/x/libfoo.so.1",
					     "/opt/y/libbar.so.2" };
	/* libc6 32-bit (no arch bits), then x86-64 ones (0x0303) */
	static const int32_t flags[] = { 0x0003, 0x0303, 0x0303 };
	unsigned char img[1024];
	struct ld_cache c = { 0 };
	struct jail_error err = { 0 };
	size_t len = build_cache(img, sizeof(img), names, paths, flags, 3);

	assert_int_equal(ld_cache_parse(img, len, EM_X86_64, &c, &err), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(ld_cache_lookup(&c, "libfoo.so.1"), "/opt/x/libfoo.so.1");
	assert_string_equal(ld_cache_lookup(&c, "libbar.so.2"), "/opt/y/libbar.so.2");
	assert_null(ld_cache_lookup(&c, "libnope.so"));
	ld_cache_clear(&c);

	/* truncated: the entries do not fit */
	assert_int_equal(ld_cache_parse(img, 60, EM_X86_64, &c, &err), -EINVAL);
	/* a string offset outside the image */
	img[72 + 4] = 0xff, img[72 + 5] = 0xff, img[72 + 6] = 0xff; /* entry 1 (x86-64) key */
	assert_int_equal(ld_cache_parse(img, len, EM_X86_64, &c, &err), -EINVAL);
	/* not a cache */
	memcpy(img, "glibc-ld.so.cacheX.Y", 20);
	assert_int_equal(ld_cache_parse(img, len, EM_X86_64, &c, &err), -EINVAL);
}

static void test_cache_host(void **state)
{
	struct ld_cache c = { 0 };
	struct jail_error err = { 0 };
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *libc;

	assert_int_equal(ld_cache_load(root, "/etc/ld.so.cache", EM_X86_64, &c, &err), 0);
	if (c.n == 0)
		skip(); /* a host without a cache */
	libc = ld_cache_lookup(&c, "libc.so.6");
	assert_non_null(libc);
	assert_string_equal(libc, "/lib/x86_64-linux-gnu/libc.so.6");
	ld_cache_clear(&c);
	/* missing cache: empty, not an error */
	assert_int_equal(ld_cache_load(root, "/nonexistent/ld.so.cache", EM_X86_64, &c, &err), 0);
	assert_int_equal(c.n, 0);
	close(root);
}

/* ------------------------------------------------------------ search */

static void test_expand(void **state)
{
	struct jail_error err = { 0 };
	char *out = NULL;

	assert_int_equal(elf_expand_search_list("$ORIGIN/../lib:${ORIGIN}/x::rel/dir:/abs",
						"/opt/p/bin", &out, &err),
			 0);
	assert_string_equal(out, "/opt/p/bin/../lib:/opt/p/bin/x:/abs");
	free(out);
	assert_int_equal(elf_expand_search_list("/usr/$LIB/x", "/", &out, &err), 0);
	assert_string_equal(out, "/usr/lib/x86_64-linux-gnu/x");
	free(out);
	/* $ORIGINAL is not $ORIGIN */
	assert_int_equal(elf_expand_search_list("$ORIGINAL", "/o", &out, &err), -EINVAL);
	assert_int_equal(elf_expand_search_list("${NOPE}/x", "/o", &out, &err), -EINVAL);
}

static void test_find_order(void **state)
{
	unsigned char elf32[64] = { 0x7f, 'E', 'L', 'F', ELFCLASS32, ELFDATA2LSB, 1 };
	static const char *const names[] = { "libc2.so" };
	static const char *const paths[] = { "/cached/libc2.so" };
	static const int32_t flags[] = { 0x0303 };
	unsigned char img[512];
	struct ld_cache c = { 0 };
	struct jail_error err = { 0 };
	struct elf_search s;
	char *found = NULL;
	int root;

	/* A little filesystem: an rpath dir, a runpath dir, a cached dir and
	 * the default multiarch dir, with real ELF64 files (copies of us). */
	mkdir_at("t");
	mkdir_at("t/rp");
	mkdir_at("t/run");
	mkdir_at("t/cached");
	mkdir_at("t/lib");
	mkdir_at("t/lib/x86_64-linux-gnu");
	copy_self("t/rp/liba.so");
	copy_self("t/run/liba.so");
	copy_self("t/lib/x86_64-linux-gnu/liba.so");
	copy_self("t/lib/x86_64-linux-gnu/libc2.so");
	copy_self("t/cached/libc2.so");
	write_at("t/rp/libw.so", elf32, sizeof(elf32));
	copy_self("t/lib/x86_64-linux-gnu/libw.so");
	assert_int_equal(ld_cache_parse(img, build_cache(img, sizeof(img), names, paths, flags, 1),
					EM_X86_64, &c, &err),
			 0);
	root = open_at("t");
	assert_true(root >= 0);
	s = (struct elf_search){ .rootfd = root, .cache = &c, .machine = EM_X86_64 };

	/* RPATH first */
	assert_int_equal(elf_find_library(&s, "liba.so", "/nope:/rp", NULL, &found, &err), 0);
	assert_string_equal(found, "/rp/liba.so");
	free(found);
	/* RUNPATH set: RPATH ignored */
	assert_int_equal(elf_find_library(&s, "liba.so", "/rp", "/run", &found, &err), 0);
	assert_string_equal(found, "/run/liba.so");
	free(found);
	/* neither: the default directory */
	assert_int_equal(elf_find_library(&s, "liba.so", NULL, NULL, &found, &err), 0);
	assert_string_equal(found, "/lib/x86_64-linux-gnu/liba.so");
	free(found);
	/* the cache before the default directory */
	assert_int_equal(elf_find_library(&s, "libc2.so", NULL, NULL, &found, &err), 0);
	assert_string_equal(found, "/cached/libc2.so");
	free(found);
	/* a 32-bit file in the RPATH is skipped, as ld.so does */
	assert_int_equal(elf_find_library(&s, "libw.so", "/rp", NULL, &found, &err), 0);
	assert_string_equal(found, "/lib/x86_64-linux-gnu/libw.so");
	free(found);
	/* missing */
	assert_int_equal(elf_find_library(&s, "libnone.so", "/rp", NULL, &found, &err), -ENOENT);
	assert_null(found);
	/* a search path cannot leave the root: "/.." is "/" inside it */
	assert_int_equal(elf_find_library(&s, "liba.so", "/../../rp", NULL, &found, &err), 0);
	assert_string_equal(found, "/../../rp/liba.so");
	free(found);
	ld_cache_clear(&c);
	close(root);
}

/* ------------------------------------------------------------ SHA-256 */

static void hex_of(const char *msg, size_t len, size_t repeat, char out[65])
{
	struct jailroot_sha256 s;
	uint8_t d[32];

	jailroot_sha256_init(&s);
	for (size_t i = 0; i < repeat; i++)
		jailroot_sha256_update(&s, msg, len);
	jailroot_sha256_final(&s, d);
	jailroot_sha256_hex(d, out);
}

static void test_sha256_fips(void **state)
{
	char h[65];
	static const char two_blocks[] =
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
		"klmnopqrlmnopqrsmnopqrstnopqrstu";

	hex_of("abc", 3, 1, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hex_of("", 0, 1, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, 1, h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	hex_of(two_blocks, sizeof(two_blocks) - 1, 1, h);
	assert_string_equal(h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	/* one million 'a', fed in odd-sized pieces */
	{
		static char a[1000];
		memset(a, 'a', sizeof(a));
		hex_of(a, 1000, 1000, h);
		assert_string_equal(
			h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	}
	write_at("abc", "abc", 3);
	{
		int fd = open_at("abc");
		assert_int_equal(jailroot_sha256_fd(fd, h), 0);
		close(fd);
		assert_string_equal(
			h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	}
}

/* ------------------------------------------------------------ manifest */

static void test_manifest_roundtrip(void **state)
{
	struct jailroot_manifest m = { 0 }, r = { 0 };
	struct jail_error err = { 0 };
	const char *sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	char p[PATH_MAX];
	int tree, fd;

	if (geteuid() != 0)
		skip(); /* the manifest is given to root */
	mkdir_at("m");
	tree = open_at("m");
	assert_int_equal(jailroot_strv_add(&m.programs, &m.n_programs, "/usr/bin/ls"), 0);
	assert_int_equal(jailroot_strv_add(&m.users, &m.n_users, "alice"), 0);
	assert_int_equal(jailroot_manifest_put(&m, JAILROOT_FILE, "/usr/bin/ls", "/usr/bin/ls",
					       NULL, sha, 0755),
			 0);
	assert_int_equal(jailroot_manifest_put(&m, JAILROOT_LINK, "/bin", NULL, "usr/bin", NULL, 0),
			 0);
	assert_int_equal(jailroot_manifest_put(&m, JAILROOT_GEN, "/etc/passwd", NULL, NULL, sha,
					       0644),
			 0);
	/* a tab or newline in a name could forge a record: refused */
	assert_int_equal(jailroot_manifest_put(&m, JAILROOT_LINK, "/x\ny", NULL, "t", NULL, 0),
			 -EINVAL);
	assert_int_equal(jailroot_manifest_write(tree, &m, &err), 0);
	assert_int_equal(jailroot_manifest_read(tree, &r, &err), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.n_programs, 1);
	assert_string_equal(r.users[0], "alice");
	assert_string_equal(jailroot_manifest_find(&r, "/bin")->target, "usr/bin");
	assert_string_equal(jailroot_manifest_find(&r, "/usr/bin/ls")->sha256, sha);
	assert_int_equal(jailroot_manifest_find(&r, "/etc/passwd")->mode, 0644);
	jailroot_manifest_clear(&r);

	/* cut short (no "end"): not a whole manifest */
	snprintf(p, sizeof(p), "%s/m/.pam_jail/manifest", base);
	assert_int_equal(truncate(p, 40), 0);
	assert_int_equal(jailroot_manifest_read(tree, &r, &err), -EBADMSG);
	/* a garbled line */
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_int_equal(write(fd, "pam_jail-root 1\nF\t/x\t0755\tnothex\t/x\nend\n", 40), 40);
	close(fd);
	assert_int_equal(jailroot_manifest_read(tree, &r, &err), -EBADMSG);
	jailroot_manifest_clear(&m);
	close(tree);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_real_binary),   cmocka_unit_test(test_read_not_elf),
		cmocka_unit_test(test_read_malformed),	   cmocka_unit_test(test_cache_synthetic),
		cmocka_unit_test(test_cache_host),	   cmocka_unit_test(test_expand),
		cmocka_unit_test(test_find_order),	   cmocka_unit_test(test_sha256_fips),
		cmocka_unit_test(test_manifest_roundtrip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
