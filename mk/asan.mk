# mk/asan.mk — the sanitizer rail (DESIGN.md §8): the binary and the unit tests
# built with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer
# into build/asan/ (never over build/csec), then the unit suite and the
# black-box suite run against that build. Any report fails the step: unit
# programs exit non-zero, and scripts/run-asan collects the reports of every
# process the black-box suite starts (servers included) and fails on any.
#
#   make asan          build build/asan/csec and build/asan/tests/test_*
#   make asan-check    build, then run both suites under the sanitizers
#
# Included by the Makefile, so its variables (BUILD, CC, ...) are in scope.

ASAN_BUILD := build/asan
# -O1 keeps the stacks readable and the run fast enough; _FORTIFY_SOURCE (set
# by the Makefile) needs some optimisation, so -O0 would not do.
ASAN_OPT := -O1 -g
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CFLAGS := $(ASAN_FLAGS)

.PHONY: asan asan-check asan-build

# A recursive make with its own BUILD, so the objects never mix with the
# normal build. The flags go in through the environment: the Makefile then
# appends its own with `+=` (a command-line CFLAGS would replace them).
# BUILD is reset on the command line, so this also works from a make that was
# itself given another BUILD.
asan:
	@CFLAGS='$(ASAN_CFLAGS)' LDFLAGS='$(ASAN_FLAGS)' \
		$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) OPT='$(ASAN_OPT)' asan-build

# Run by the recursive make above, where BUILD is build/asan.
asan-build: $(BUILD)/csec $(TESTS)
	@:

asan-check: asan
	scripts/run-asan $(ASAN_BUILD)

CHECK_STEPS += asan-check
