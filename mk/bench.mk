# mk/bench.mk — `make bench`: speed and memory of build/csec against a floor
# measured in the same run (bench/run; docs/benchmarks.md tells how to read
# it). A measurement, not a test: it is not one of CHECK_STEPS, and it exits 0
# whatever the figures unless BENCH_STRICT=1.

BENCH_CFLAGS := -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) -fstack-protector-strong \
                -D_FORTIFY_SOURCE=2 -fPIE $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
BENCH_LDLIBS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null) -lpthread

.PHONY: bench

# The floor: a bare libmicrohttpd server set up like csec's engine.
$(BUILD)/bench/floor: bench/floor.c mk/bench.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(BENCH_CFLAGS) $(LDFLAGS) -o $@ $< $(BENCH_LDLIBS)

# A fixed-rate client with microsecond latencies (libcurl), for a cheap
# page's p99 while sign-ins arrive.
$(BUILD)/bench/rate: bench/rate.c mk/bench.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags libcurl 2>/dev/null) $(LDFLAGS) -o $@ $< \
		$(shell pkg-config --libs libcurl 2>/dev/null) -lpthread

# One password hash with csec's own code and parameters.
$(BUILD)/bench/hash: bench/hash.c $(BUILD)/libcsec.a mk/bench.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libcsec.a $(LDLIBS)

# The guide PDF made from the starter pack with csec's own code.
$(BUILD)/bench/pdf: bench/pdf.c $(BUILD)/libcsec.a mk/bench.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libcsec.a $(LDLIBS)

# A certificate PDF made with csec's own code (issue 6).
$(BUILD)/bench/certificate: bench/certificate.c $(BUILD)/libcsec.a mk/bench.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libcsec.a $(LDLIBS)

bench: deps
	$(MAKE) $(BUILD)/csec $(BUILD)/bench/floor $(BUILD)/bench/rate $(BUILD)/bench/hash \
		$(BUILD)/bench/pdf $(BUILD)/bench/certificate
	BENCH_CSEC=$(BUILD)/csec BENCH_FLOOR=$(BUILD)/bench/floor BENCH_RATE=$(BUILD)/bench/rate \
		BENCH_HASH=$(BUILD)/bench/hash \
		BENCH_PDF=$(BUILD)/bench/pdf BENCH_CERTIFICATE=$(BUILD)/bench/certificate bench/run
