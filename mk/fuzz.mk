# mk/fuzz.mk — the fuzzing rail (DESIGN.md §8: parsers and renderers that
# take outside input have fuzz targets with a committed corpus). Each target is
# tests/fuzz/fuzz_NAME.c, a libFuzzer program built with clang together with
# the sources it tests (listed below, since it compiles them itself with
# coverage instrumentation), under ASan and UBSan.
#
#   make fuzz          fuzz every target for FUZZ_SECONDS (default 60) each;
#                      new inputs go to build/fuzz/corpus/NAME, crashes to
#                      build/fuzz/artifacts/NAME (see docs/testing.md)
#   make fuzz FUZZ_TARGETS=template FUZZ_SECONDS=600
#   make fuzz-replay   run every committed input (tests/fuzz/corpus/NAME and
#                      tests/fuzz/crashes/NAME) once; fails on any crash, leak
#                      or failed check. Part of `make check`.
#
# Needs clang and its runtime libraries (scripts/packages/fuzz.txt).

FUZZ_CC ?= clang
FUZZ_BUILD := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := urlencoded multipart router template template_src frontmatter markdown search course

FUZZ_CFLAGS := -std=c17 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
               -Wall -Wextra -Werror -Isrc -Itests/fuzz \
               $(shell pkg-config --cflags jansson 2>/dev/null)

# What each target compiles besides its own file.
FUZZ_FORM_SRCS := src/http/form.c src/core/arena.c src/core/buf.c src/core/str.c
FUZZ_SRCS_urlencoded := $(FUZZ_FORM_SRCS)
FUZZ_SRCS_multipart := $(FUZZ_FORM_SRCS)
FUZZ_SRCS_router := src/http/router.c src/http/path.c src/core/arena.c src/core/str.c
FUZZ_SRCS_template := src/render/template.c src/core/arena.c src/core/buf.c
FUZZ_SRCS_template_src := $(FUZZ_SRCS_template)
FUZZ_LIBS_template := $(shell pkg-config --libs jansson 2>/dev/null)
FUZZ_LIBS_template_src := $(FUZZ_LIBS_template)
# The content packs of the knowledge base: front matter (libyaml) and the
# whole page through pack_load; Markdown (cmark-gfm) and placeholders.
# (pack_load reads a pack's courses too: features/course/pack_course.c.)
FUZZ_LIBRARY_SRCS := src/features/library/frontmatter.c src/features/library/pack.c \
                     src/features/library/markdown.c src/features/library/placeholders.c \
                     src/features/course/pack_course.c \
                     src/render/template.c src/core/arena.c src/core/buf.c src/core/str.c
FUZZ_LIBRARY_LIBS := $(shell pkg-config --libs yaml-0.1 libcmark-gfm jansson icu-uc 2>/dev/null) -lm
FUZZ_SRCS_frontmatter := $(FUZZ_LIBRARY_SRCS)
FUZZ_SRCS_markdown := $(FUZZ_LIBRARY_SRCS)
FUZZ_LIBS_frontmatter := $(FUZZ_LIBRARY_LIBS)
FUZZ_LIBS_markdown := $(FUZZ_LIBRARY_LIBS)
FUZZ_SRCS_course := $(FUZZ_LIBRARY_SRCS)
FUZZ_LIBS_course := $(FUZZ_LIBRARY_LIBS)
# Search: the query people type and the snippets the stores hand back.
FUZZ_SRCS_search := src/features/search/query.c src/core/arena.c src/core/buf.c
FUZZ_LIBS_search := $(shell pkg-config --libs icu-uc 2>/dev/null)

# Any header may change what a target compiles to; rebuilding them all takes
# seconds, so they simply depend on every header.
FUZZ_HDRS := $(wildcard tests/fuzz/*.h) $(shell find src -name '*.h')
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

define FUZZ_RULE
$(FUZZ_BUILD)/fuzz_$(1): tests/fuzz/fuzz_$(1).c $$(FUZZ_SRCS_$(1)) $$(FUZZ_HDRS)
	@mkdir -p $$(dir $$@)
	@echo "  FUZZ    $$@"
	@$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $$< $$(FUZZ_SRCS_$(1)) $$(FUZZ_LIBS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

.PHONY: fuzz fuzz-build fuzz-replay

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/run-fuzz run $(FUZZ_TARGETS)

fuzz-replay: fuzz-build
	scripts/run-fuzz replay $(FUZZ_TARGETS)

CHECK_STEPS += fuzz-replay
