/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: jailctl/jailroot/elf_deps.c reads ELF headers and ld.so.cache images
 * that jailctl mkroot/audit meet in files nobody vouches for (a tree's
 * contents, a program an admin names). Every input is tried as both.
 */
#include <elf.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elf_deps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jail_error err = { 0 };
	struct elf_deps d = { 0 };
	struct ld_cache c = { 0 };
	int fd;

	if (ld_cache_parse(data, size, EM_X86_64, &c, &err) == 0) {
		for (size_t i = 0; i < c.n; i++)
			(void)ld_cache_lookup(&c, c.entries[i].soname);
		ld_cache_clear(&c);
	}
	fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && elf_deps_read_fd(fd, &d, &err) == 0) {
		char *out = NULL;
		for (size_t i = 0; i < d.n_needed; i++)
			(void)strlen(d.needed[i]);
		if (d.runpath && elf_expand_search_list(d.runpath, "/o", &out, &err) == 0)
			free(out);
		out = NULL;
		if (d.rpath && elf_expand_search_list(d.rpath, "/o", &out, &err) == 0)
			free(out);
		elf_deps_clear(&d);
	}
	close(fd);
	return 0;
}
