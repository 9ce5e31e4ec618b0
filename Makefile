# CSEC Toolkit — build, run and test. `make` builds build/csec; `make run`
# installs what is missing and starts the portal; `make check` runs every test.

CC      ?= cc
PKGS    := libmicrohttpd jansson libsodium sqlite3 libpq liboath libqrencode libcurl icu-i18n \
           yaml-0.1 libcmark-gfm libzip pangocairo gsl
BUILD   ?= build

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-qual -Wformat=2 -Wundef -Wvla -Wwrite-strings \
           -Wold-style-definition -Wnull-dereference -Wimplicit-fallthrough
OPT     ?= -O2 -g
CFLAGS  += -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) -fstack-protector-strong \
           -D_FORTIFY_SOURCE=2 -fPIE -Isrc -I$(BUILD)/gen \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS += -pie -Wl,-z,relro,-z,now
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

SRCS    := $(shell find src -name '*.c' | sort)
LIBSRCS := $(filter-out src/main.c,$(SRCS))
OBJS    := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBSRCS))
EMBEDS  := $(shell find web src/db/migrations content -type f 2>/dev/null | sort)
TESTS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

.PHONY: all run check unit e2e lint deps clean format

all: $(BUILD)/csec

$(BUILD)/gen/embed.S $(BUILD)/gen/embed_table.c &: scripts/embed $(EMBEDS)
	@mkdir -p $(BUILD)/gen
	@echo "  EMBED   $(words $(EMBEDS)) files"
	@scripts/embed $(BUILD)/gen $(EMBEDS)

$(BUILD)/gen/version.h: FORCE
	@mkdir -p $(BUILD)/gen
	@echo '#define CSEC_VERSION "$(VERSION)"' > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(BUILD)/obj/%.o: %.c $(BUILD)/gen/version.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/embed.o: $(BUILD)/gen/embed.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(BUILD)/obj/embed_table.o: $(BUILD)/gen/embed_table.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes -c $< -o $@

$(BUILD)/libcsec.a: $(OBJS) $(BUILD)/obj/embed.o $(BUILD)/obj/embed_table.o
	rm -f $@
	ar rcs $@ $^

$(BUILD)/csec: $(BUILD)/obj/src/main.o $(BUILD)/libcsec.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests (cmocka): each tests/unit/test_NAME.c is one program.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcsec.a
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CFLAGS) -Wno-missing-prototypes -Itests/unit $(LDFLAGS) -o $@ $< $(BUILD)/libcsec.a \
		$(LDLIBS) $(shell pkg-config --libs cmocka)

deps:
	scripts/deps

run: deps
	$(MAKE) all
	$(BUILD)/csec serve

unit: $(TESTS)
	scripts/with-pg scripts/with-smtp scripts/run-unit $(TESTS)

e2e: $(BUILD)/csec
	scripts/run-e2e

# Each quality rail (mk/*.mk) appends its step to CHECK_STEPS.
CHECK_STEPS := unit e2e

check: deps
	$(MAKE) all
	@for step in $(CHECK_STEPS) lint; do \
		echo "== make $$step" >&2; \
		$(MAKE) $$step || exit 1; \
	done

lint:
	scripts/lint

format:
	clang-format -i $(shell find src tests/unit -name '*.[ch]')

clean:
	rm -rf $(BUILD)

FORCE:

include $(sort $(wildcard mk/*.mk))

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
