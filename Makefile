# starrate — build, test, demo, bench, fuzz, install.
#
#   make            build build/starrate
#   make demo       rate every council under scenarios/councils/ and print a table
#   make test       unit tests, golden tests and every rule pack's own tests
#   make test SANITIZE=1   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench      benchmarks (tests/bench/), ratios against a baseline from the same run
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (default 60)
#   make install    PREFIX=/usr/local DESTDIR=
#
# Missing Debian packages are installed with apt-get when we are root; otherwise make stops
# and prints the exact command to run.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
SANITIZE ?=
FUZZ_SECONDS ?= 60

ifeq ($(SANITIZE),1)
BUILD   ?= build/sanitize
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT      = -O1
else
BUILD   ?= build/release
SANFLAGS =
OPT      = -O2
endif

PKGS     = lua5.4 yaml-0.1 libcrypto
DEBS     = pkg-config liblua5.4-dev libyaml-dev libssl-dev libcriterion-dev
# Recursively expanded on purpose: evaluated only when a recipe runs, after `deps`.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
CRIT_LIBS  = $(shell pkg-config --libs criterion)

WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_XOPEN_SOURCE=700 -pthread $(WARN) $(CFLAGS) $(SANFLAGS) \
             -Ievaluator/include -Ievaluator/src $(PKG_CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm

LIB_SRC  = $(filter-out evaluator/src/main.c,$(wildcard evaluator/src/*.c))
LIB_OBJ  = $(patsubst evaluator/src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC))
HDRS     = $(wildcard evaluator/src/*.h evaluator/include/*.h)
UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_OBJ = $(patsubst tests/unit/%.c,$(BUILD)/unit/%.o,$(UNIT_SRC))
DEPS_OK  = build/.deps-ok

.PHONY: all deps demo test unit golden packs schema calibration browser hardening bench fuzz \
        install uninstall clean
.DELETE_ON_ERROR:

# build/starrate always points at the binary of the last `make` (release or sanitizer).
all: $(BUILD)/starrate
	@ln -sfn $(notdir $(BUILD))/starrate build/starrate

# ---- dependencies ---------------------------------------------------------------------
$(DEPS_OK):
	@tests/deps.sh $(DEBS)
	@mkdir -p build && touch $@

deps: $(DEPS_OK)

# ---- build ----------------------------------------------------------------------------
$(BUILD)/obj/%.o: evaluator/src/%.c $(HDRS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libstarrate.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/starrate: $(BUILD)/obj/main.o $(BUILD)/libstarrate.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/unit/%.o: tests/unit/%.c $(HDRS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DSR_SOURCE_ROOT='"$(CURDIR)"' -c $< -o $@

$(BUILD)/unit-tests: $(UNIT_OBJ) $(BUILD)/libstarrate.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_ALL) $(CRIT_LIBS)

# ---- run ------------------------------------------------------------------------------
demo: $(BUILD)/starrate
	@$(BUILD)/starrate rate --format table scenarios/councils/*.yaml

unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests --jobs=2

golden: $(BUILD)/starrate
	@tests/golden/run.sh $(BUILD)/starrate

packs: $(BUILD)/starrate
	$(BUILD)/starrate check
	$(BUILD)/starrate test

schema: $(BUILD)/starrate
	@SCHEMA_CFLAGS="$(SANFLAGS)" tests/schema/run.sh $(BUILD)/starrate $(BUILD)

calibration: $(BUILD)/starrate
	$(BUILD)/starrate backtest scenarios/published/outcomes.csv

browser: $(BUILD)/starrate
	@tests/report/browser_test.sh $(BUILD)

hardening: $(BUILD)/starrate
	@tests/hardening/bad_inputs.sh $(BUILD)/starrate

test: unit golden packs schema calibration browser hardening

bench: $(BUILD)/starrate
	@tests/bench/run.sh $(BUILD)

fuzz: | $(DEPS_OK)
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

# ---- install --------------------------------------------------------------------------
install: $(BUILD)/starrate
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/starrate \
	           $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/starrate $(DESTDIR)$(PREFIX)/bin/starrate
	cp -R rules $(DESTDIR)$(PREFIX)/share/starrate/
	install -m 644 docs/starrate.1 $(DESTDIR)$(PREFIX)/share/man/man1/starrate.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/starrate $(DESTDIR)$(PREFIX)/share/man/man1/starrate.1
	rm -rf $(DESTDIR)$(PREFIX)/share/starrate

clean:
	rm -rf build
