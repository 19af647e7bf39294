# libFuzzer targets (`make fuzz`): every tests/fuzz/fuzz_*.c, built with clang
# against the core library, then each run for FUZZ_SECONDS.
#
#   make fuzz                      build and run each target for 60 s
#   make fuzz FUZZ_SECONDS=600     longer
#   make -f tests/fuzz/fuzz.mk fuzz-build   only build
#
# Seeds come from tests/fixtures/ (every policy fixture, good and bad) and
# tests/fuzz/corpus/<target>/ if present; new inputs go to
# build-fuzz/corpus/<target>/, crashes to build-fuzz/artifacts/. A crash
# found here becomes a fixture under tests/fixtures/policy/ once fixed.

FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
CLANG        ?= clang
PKG_CONFIG   ?= pkg-config

FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -Ilib -Iinit/host \
	-Ijailctl/jailroot \
	$(shell $(PKG_CONFIG) --cflags libconfig libcap libseccomp 2>/dev/null)
FUZZ_LIBS   := $(shell $(PKG_CONFIG) --libs libconfig libcap libseccomp 2>/dev/null || echo -lconfig -lcap -lseccomp)

FUZZ_LIB_SRCS := $(sort $(wildcard lib/*.c init/host/*.c jailctl/jailroot/*.c))
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_SRCS     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS  := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))

.PHONY: fuzz fuzz-build
# Runs from $(FUZZ_BUILD) (with absolute paths) so that libFuzzer's own
# files (fuzz-N.log with FUZZ_JOBS > 1) land there, not in the tree.
# -rss_limit_mb is raised because libconfig 1.5 leaks a little on every
# syntax error (suppressed in the target, but the memory stays taken).
FUZZ_ABS := $(abspath $(FUZZ_BUILD))
SRC_ABS  := $(abspath .)
fuzz: fuzz-build
	@mkdir -p $(FUZZ_BUILD)/artifacts
	@set -e; for t in $(FUZZ_TARGETS); do \
		name=$$(basename $$t); \
		mkdir -p $(FUZZ_BUILD)/corpus/$$name; \
		seeds=$(SRC_ABS)/tests/fixtures; \
		[ -d tests/fuzz/corpus/$$name ] && seeds="$$seeds $(SRC_ABS)/tests/fuzz/corpus/$$name"; \
		dict=; [ -f tests/fuzz/$${name#fuzz_}.dict ] && dict=-dict=$(SRC_ABS)/tests/fuzz/$${name#fuzz_}.dict; \
		[ "$$name" = fuzz_policy_load ] && dict=-dict=$(SRC_ABS)/tests/fuzz/policy.dict; \
		jobs=; [ $(FUZZ_JOBS) -gt 1 ] && jobs="-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS)"; \
		echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
		(cd $(FUZZ_ABS) && ./$$name -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
			-timeout=10 -rss_limit_mb=4096 -print_final_stats=1 $$jobs \
			-artifact_prefix=$(FUZZ_ABS)/artifacts/$$name- $$dict \
			$(FUZZ_ABS)/corpus/$$name $$seeds); \
	done

fuzz-build: $(FUZZ_TARGETS)

# The libraries (the core and both sub-libraries) are compiled with
# coverage but without the fuzzer's main(); one archive so each target
# pulls in only the objects it uses.
$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c $< -o $@

$(FUZZ_BUILD)/libjailcore-fuzz.a: $(FUZZ_LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libjailcore-fuzz.a
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< \
		$(FUZZ_BUILD)/libjailcore-fuzz.a $(FUZZ_LIBS)
