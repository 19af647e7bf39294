# pam_jail — build, install, test.
#
#   make            build everything into build/ (warnings are errors)
#   make check      run every test tier this machine allows (see tests/README.md)
#   make asan       build with ASan/UBSan into build-asan/ and run the tests there
#   make fuzz       build the libFuzzer targets with clang and run each briefly
#   make deps       install the Debian packages needed to build and test
#   make install    honours DESTDIR and PREFIX; never overwrites an existing policy
#
# Sources are found by folder, so adding a file needs no Makefile change:
#   lib/*.c          -> libjailcore.a (PAM-free core, linked into everything)
#   pam_module/*.c   -> pam_jail.so
#   init/*.c         -> jail-init (the per-jail keeper and PID 1)
#   init/host/*.c    -> libjailhost.a (host plumbing: jail-init and the tests only)
#   shell/*.c        -> jailsh
#   jailctl/*.c      -> jailctl
#   jailctl/jailroot/*.c -> libjailroot.a (the jail-root builder: jailctl and the tests only)
#   tests/unit/test_*.c -> one cmocka binary each

BUILD     ?= build
PREFIX    ?= /usr
SYSCONFDIR ?= /etc
DESTDIR   ?=
MULTIARCH := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
PAMDIR    ?= /lib/$(MULTIARCH)/security
LIBEXECDIR ?= $(PREFIX)/libexec/pam_jail
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# The release, from debian/changelog ("0.1.0-1" -> "0.1.0"): one place to bump.
VERSION   ?= $(or $(shell head -n1 debian/changelog 2>/dev/null | cut -d' ' -f2 | tr -d '()' | cut -d- -f1),unknown)

CC        ?= cc
PKG_CONFIG ?= pkg-config

WARNINGS := -Wall -Wextra -Werror -Wformat=2 -Werror=format-security -Wshadow \
	-Wmissing-prototypes -Wstrict-prototypes -Wcast-qual -Wwrite-strings \
	-Wno-unused-parameter
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIC
OPT      ?= -O2 -g
SANITIZE ?=

PKGS      := libconfig libcap libseccomp libmnl
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) pam 2>/dev/null)
DEP_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
PAM_LIBS   := $(shell $(PKG_CONFIG) --libs pam 2>/dev/null || echo -lpam)
# sd-bus, for the keeper's transient units on systemd hosts: only its
# header at build time; jail-init dlopen()s libsystemd.so.0 on systemd
# hosts alone (init/keeper_sdbus.h says why), pam_jail.so never.
DL_LIBS       := -ldl
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

CPPFLAGS += -D_GNU_SOURCE -Ilib -DJAIL_INIT_PATH='"$(LIBEXECDIR)/jail-init"'
CFLAGS   := -std=gnu11 $(OPT) $(WARNINGS) $(HARDEN) $(SANITIZE) $(DEP_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS  := -Wl,-z,relro,-z,now -Wl,--as-needed $(SANITIZE) $(EXTRA_LDFLAGS)

LIB_SRCS    := $(sort $(wildcard lib/*.c))
HOST_SRCS   := $(sort $(wildcard init/host/*.c))
ROOT_SRCS   := $(sort $(wildcard jailctl/jailroot/*.c))
MODULE_SRCS := $(sort $(wildcard pam_module/*.c))
INIT_SRCS   := $(sort $(wildcard init/*.c))
SHELL_SRCS  := $(sort $(wildcard shell/*.c))
CTL_SRCS    := $(sort $(wildcard jailctl/*.c))
UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
TESTBIN_SRCS := $(sort $(wildcard tests/bin/*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBCORE  := $(BUILD)/libjailcore.a
LIBHOST  := $(BUILD)/libjailhost.a
LIBROOT  := $(BUILD)/libjailroot.a
MODULE   := $(BUILD)/pam_jail.so
INIT     := $(BUILD)/jail-init
JAILSH   := $(BUILD)/jailsh
JAILCTL  := $(BUILD)/jailctl
UNITS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TESTBINS := $(patsubst tests/bin/%.c,$(BUILD)/tests/bin/%,$(TESTBIN_SRCS))

PROGRAMS := $(if $(MODULE_SRCS),$(MODULE)) $(if $(INIT_SRCS),$(INIT)) \
	$(if $(SHELL_SRCS),$(JAILSH)) $(if $(CTL_SRCS),$(JAILCTL))

.PHONY: all programs check check-unit check-vm check-faults asan fuzz deps install uninstall clean demo demo-clean bench

# Keep object files: they are inputs of several links, not throwaway intermediates.
.SECONDARY:
all: $(LIBCORE) $(LIBHOST) $(LIBROOT) $(PROGRAMS) $(UNITS) $(TESTBINS)
# The programs alone, without the tests (and so without cmocka): make demo.
programs: $(LIBCORE) $(LIBHOST) $(LIBROOT) $(PROGRAMS)

# `make V=1` shows the full command lines.
Q := $(if $(V),,@)

# A sub-library's headers are seen only by its consumer and the tests, so
# the core cannot come to depend on it by accident.
$(BUILD)/obj/init/%.o: CPPFLAGS += -Iinit/host
$(BUILD)/obj/jailctl/%.o: CPPFLAGS += -Ijailctl/jailroot
$(BUILD)/obj/tests/%.o: CPPFLAGS += -Iinit/host -Ijailctl/jailroot
# `jailctl --version`
$(BUILD)/obj/jailctl/main.o $(BUILD)/obj/jailctl/cmd_metrics.o: \
	CPPFLAGS += -DJAIL_VERSION='"$(VERSION)"'
$(BUILD)/obj/jailctl/main.o $(BUILD)/obj/jailctl/cmd_metrics.o: debian/changelog

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBCORE): $(call obj,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(LIBHOST): $(call obj,$(HOST_SRCS))
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(LIBROOT): $(call obj,$(ROOT_SRCS))
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

# Only pam_sm_* is exported (pam_module/pam_jail.map); -z defs makes a
# missing symbol a link error rather than a dlopen() failure inside sshd.
$(MODULE): $(call obj,$(MODULE_SRCS)) $(LIBCORE) pam_module/pam_jail.map
	$(CC) -shared $(LDFLAGS) -Wl,-z,defs -Wl,--version-script=pam_module/pam_jail.map \
		-o $@ $(call obj,$(MODULE_SRCS)) $(LIBCORE) $(DEP_LIBS) $(PAM_LIBS)

$(INIT): $(call obj,$(INIT_SRCS)) $(LIBHOST) $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $(call obj,$(INIT_SRCS)) $(LIBHOST) $(LIBCORE) $(DEP_LIBS) $(DL_LIBS)

$(JAILSH): $(call obj,$(SHELL_SRCS)) $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $(call obj,$(SHELL_SRCS)) $(LIBCORE) $(DEP_LIBS)

$(JAILCTL): $(call obj,$(CTL_SRCS)) $(LIBROOT) $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $(call obj,$(CTL_SRCS)) $(LIBROOT) $(LIBCORE) $(DEP_LIBS) $(PAM_LIBS)

$(BUILD)/obj/tests/unit/%.o: CFLAGS += $(CMOCKA_CFLAGS)
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBHOST) $(LIBROOT) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBHOST) $(LIBROOT) $(LIBCORE) $(DEP_LIBS) $(CMOCKA_LIBS) \
		$(PAM_LIBS) -ldl

$(BUILD)/tests/bin/%: $(BUILD)/obj/tests/bin/%.o $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBCORE) $(DEP_LIBS) $(PAM_LIBS) -ldl

check: all
	BUILD=$(abspath $(BUILD)) tests/run-tests.sh

check-unit: all
	BUILD=$(abspath $(BUILD)) tests/run-tests.sh unit

# The VM tier (tests/vm/run.sh): the .deb, built for each release, installed
# on a Debian 12 and a Debian 13 guest (one after the other; VM_GUESTS picks)
# with systemd, logind and cgroup v2, under qemu. Root, qemu and a few
# minutes per guest; not part of `make check`.
check-vm:
	BUILD=$(abspath $(BUILD)) tests/vm/run.sh

# The fault-injection sweep (tests/faults/sweep.sh): every system call of a
# cold session open failed once, in every process of it; root and strace.
# FAULTS=full fails every occurrence instead of the first, middle and last
# of each (tests/README.md says how long each takes). Not part of make check.
check-faults: all
	BUILD=$(abspath $(BUILD)) FAULTS=$(FAULTS) JAIL_TEST_TIMEOUT=$${JAIL_TEST_TIMEOUT:-7200} \
		tests/run-tests.sh faults

# The same tests, built with AddressSanitizer and UBSan into their own tree.
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all" \
		HARDEN="-fPIC" check-unit

fuzz:
	$(MAKE) -f tests/fuzz/fuzz.mk

deps:
	contrib/install-deps.sh

# See it work: install only what the demo needs (a compiler, the -dev
# packages, openssh; not the test and VM tiers' packages), build the
# programs, then one real jailed ssh login (private sshd on 127.0.0.1, real
# PAM, real jail) shown beside the host, and everything undone
# (contrib/demo.sh). demo-clean undoes an interrupted run.
# The sub-makes re-read this file, so pkg-config sees the new packages.
demo:
	contrib/install-deps.sh --demo
	$(MAKE) -j$$(nproc) BUILD=$(BUILD) programs
	BUILD=$(abspath $(BUILD)) contrib/demo.sh run

demo-clean:
	BUILD=$(abspath $(BUILD)) contrib/demo.sh clean

# make bench: what a login costs and how it scales, beside pam_namespace,
# pam_chroot, bwrap, firejail, jailkit and unshare (bench/bench.sh, results
# in bench/results/, docs/PERFORMANCE.md). Root, ~15 minutes, not part of
# make check. It installs the tools it compares with itself (bench/deps.sh),
# so that make deps stays what the tests need.
BENCH_BINS := $(BUILD)/bench_time $(BUILD)/bench_hold
$(BUILD)/bench_%: bench/bench_%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(PAM_LIBS)

bench: all $(BENCH_BINS)
	bench/deps.sh
	BUILD=$(abspath $(BUILD)) bench/bench.sh

install: all
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
		$(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SYSCONFDIR)/security/jail.d \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	# Only the programs whose sources exist are built (PROGRAMS), so only those are installed.
	$(if $(MODULE_SRCS),install -m 0644 $(MODULE) $(DESTDIR)$(PAMDIR)/pam_jail.so)
	$(if $(SHELL_SRCS),install -m 0755 $(JAILSH) $(DESTDIR)$(PREFIX)/bin/jailsh)
	$(if $(CTL_SRCS),install -m 0755 $(JAILCTL) $(DESTDIR)$(PREFIX)/sbin/jailctl)
	$(if $(CTL_SRCS),install -D -m 0644 contrib/bash-completion/jailctl \
		$(DESTDIR)$(BASHCOMPDIR)/jailctl)
	$(if $(INIT_SRCS),install -m 0755 $(INIT) $(DESTDIR)$(LIBEXECDIR)/jail-init)
	# jailctl mkroot --set NAME reads these; the boot oneshot runs jail-roots-sync.
	install -d $(DESTDIR)$(PREFIX)/share/pam_jail/sets
	install -m 0644 config/sets/*.list $(DESTDIR)$(PREFIX)/share/pam_jail/sets/
	install -m 0755 contrib/systemd/jail-roots-sync $(DESTDIR)$(LIBEXECDIR)/jail-roots-sync
	# JupyterHub's JailSpawner and the example config (README, "Notebooks and web terminals").
	install -d $(DESTDIR)$(PREFIX)/share/pam_jail/jupyterhub
	install -m 0644 contrib/jupyterhub/*.py $(DESTDIR)$(PREFIX)/share/pam_jail/jupyterhub/
	for m in docs/*.[158]; do \
		[ -f "$$m" ] || continue; \
		install -m 0644 "$$m" $(DESTDIR)$(MANDIR)/man$${m##*.}/; \
	done
	# Never overwrite an administrator's policy.
	$(if $(wildcard config/jail.conf),[ -e $(DESTDIR)$(SYSCONFDIR)/security/jail.conf ] || \
		install -m 0644 config/jail.conf $(DESTDIR)$(SYSCONFDIR)/security/jail.conf)
	# jailctl spawn's PAM service (contrib/pam.d/jailctl-spawn); an edited one stays.
	install -d $(DESTDIR)$(SYSCONFDIR)/pam.d
	[ -e $(DESTDIR)$(SYSCONFDIR)/pam.d/jailctl-spawn ] || \
		install -m 0644 contrib/pam.d/jailctl-spawn $(DESTDIR)$(SYSCONFDIR)/pam.d/jailctl-spawn
	# Register jailsh as a login shell (only on the real system, not in a staging DESTDIR).
	$(if $(SHELL_SRCS),if [ -z "$(DESTDIR)" ] && command -v add-shell >/dev/null; then \
		add-shell $(PREFIX)/bin/jailsh; fi)

uninstall:
	rm -f $(DESTDIR)$(PAMDIR)/pam_jail.so $(DESTDIR)$(PREFIX)/bin/jailsh \
		$(DESTDIR)$(PREFIX)/sbin/jailctl $(DESTDIR)$(LIBEXECDIR)/jail-init \
		$(DESTDIR)$(LIBEXECDIR)/jail-roots-sync $(DESTDIR)$(BASHCOMPDIR)/jailctl
	rm -rf $(DESTDIR)$(PREFIX)/share/pam_jail/sets $(DESTDIR)$(PREFIX)/share/pam_jail/jupyterhub
	-rmdir $(DESTDIR)$(PREFIX)/share/pam_jail
	-rmdir $(DESTDIR)$(LIBEXECDIR)
	for m in docs/*.[158]; do \
		[ -f "$$m" ] || continue; \
		rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; \
	done
	if [ -z "$(DESTDIR)" ] && command -v remove-shell >/dev/null; then \
		remove-shell $(PREFIX)/bin/jailsh; fi
	@echo "left in place: $(SYSCONFDIR)/security/jail.conf and jail.d/ (your policy)"

clean:
	rm -rf $(BUILD) build-asan build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
