# starrate — build, test, demo, bench, fuzz, install.
#
#   make            build build/starrate
#   make demo       rate every council under scenarios/councils/ and print a table
#   make test       unit tests, golden tests, every rule pack's own tests, the public API example,
#                   letters round-tripped through Word and PDF (tests/import/roundtrip.sh)
#   make test SANITIZE=1   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make STATIC=1   link Lua, libyaml and nettle statically (a faster start-up)
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
STATIC  ?=
FUZZ_SECONDS ?= 60

ifeq ($(SANITIZE),1)
BUILD   ?= build/sanitize
SANFLAGS = -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT      = -O1
else
ifeq ($(STATIC),1)
BUILD   ?= build/static
else
BUILD   ?= build/release
endif
SANFLAGS =
OPT      = -O2
endif

PKGS     = lua5.4 yaml-0.1 nettle poppler-glib libzip libxml-2.0
DEBS     = pkg-config liblua5.4-dev libyaml-dev nettle-dev libcriterion-dev libpoppler-glib-dev \
           libzip-dev libxml2-dev
# poppler-glib, libzip and libxml2 are compiled against but opened with dlopen when a letter
# needs them (evaluator/core/docread.c): linked, they and their fifty dependencies made most of
# every command's start-up. Their sonames come from the installed libraries.
LINK_PKGS = lua5.4 yaml-0.1 nettle
soname = $(shell objdump -p "$$(pkg-config --variable=libdir $(1))/$(2)" 2>/dev/null | \
                 awk '/SONAME/ {print $$2}')
# Recursively expanded on purpose: evaluated only when a recipe runs, after `deps`.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS)) \
             -DSR_POPPLER_SO='"$(call soname,poppler-glib,libpoppler-glib.so)"' \
             -DSR_XML2_SO='"$(call soname,libxml-2.0,libxml2.so)"' \
             -DSR_ZIP_SO='"$(call soname,libzip,libzip.so)"'
# STATIC=1 links Lua, libyaml and nettle into the binary: no relocations for them at start-up.
ifeq ($(STATIC),1)
PKG_LIBS   = -Wl,-Bstatic -llua5.4 -lyaml -lnettle -Wl,-Bdynamic -ldl
else
PKG_LIBS   = $(shell pkg-config --libs $(LINK_PKGS)) -ldl
endif
CRIT_LIBS  = $(shell pkg-config --libs criterion)

WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_XOPEN_SOURCE=700 -pthread $(WARN) $(CFLAGS) $(SANFLAGS) \
             -Ievaluator/include -Ievaluator/core -Ievaluator/cmd -I$(GEN) $(PKG_CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm

# libstarrate.a is the engine alone (evaluator/core); the commands (evaluator/cmd) link on top.
LIB_SRC  = $(wildcard evaluator/core/*.c)
LIB_OBJ  = $(patsubst evaluator/core/%.c,$(BUILD)/obj/core/%.o,$(LIB_SRC))
CMD_SRC  = $(wildcard evaluator/cmd/*.c)
CMD_OBJ  = $(patsubst evaluator/cmd/%.c,$(BUILD)/obj/cmd/%.o,$(CMD_SRC))
# The command objects without main.o: the unit tests drive commands through cli_main.
CMDLIB_OBJ = $(filter-out $(BUILD)/obj/cmd/main.o,$(CMD_OBJ))
UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_OBJ = $(patsubst tests/unit/%.c,$(BUILD)/unit/%.o,$(UNIT_SRC))
DEPS_OK  = build/.deps-ok
# Generated at build time, never committed: the report's style sheets as C arrays.
GEN      = $(BUILD)/gen
CSS      = evaluator/cmd/report.css evaluator/cmd/report-whatif.css

.PHONY: all deps demo test unit golden packs schema calibration browser hardening example roundtrip bench fuzz \
        install uninstall clean
.DELETE_ON_ERROR:

# build/starrate always points at the binary of the last `make` (release or sanitizer).
all: $(BUILD)/starrate $(BUILD)/example-rate
	@ln -sfn $(notdir $(BUILD))/starrate build/starrate

# ---- dependencies ---------------------------------------------------------------------
$(DEPS_OK):
	@tests/deps.sh $(DEBS)
	@mkdir -p build && touch $@

deps: $(DEPS_OK)

# ---- build ----------------------------------------------------------------------------
# -MMD -MP: each object depends on exactly the headers it includes (build/*/obj/**/*.d).
$(BUILD)/obj/core/%.o: evaluator/core/%.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/cmd/%.o: evaluator/cmd/%.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(GEN)/report-css.h: $(CSS) evaluator/cmd/embed.sh
	@mkdir -p $(dir $@)
	sh evaluator/cmd/embed.sh report_css evaluator/cmd/report.css \
	    report_whatif_css evaluator/cmd/report-whatif.css >$@

$(BUILD)/obj/cmd/report.o: $(GEN)/report-css.h

$(BUILD)/libstarrate.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/starrate: $(CMD_OBJ) $(BUILD)/libstarrate.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_ALL)

# The public API's example: evaluator/include alone on the include path, libstarrate.a alone.
$(BUILD)/example-rate: examples/rate.c evaluator/include/starrate.h $(BUILD)/libstarrate.a
	$(CC) -std=c11 $(WARN) $(CFLAGS) $(SANFLAGS) -Ievaluator/include -o $@ examples/rate.c \
	    $(BUILD)/libstarrate.a $(LDLIBS_ALL) -pthread

$(BUILD)/unit/%.o: tests/unit/%.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -DSR_SOURCE_ROOT='"$(CURDIR)"' -c $< -o $@

$(BUILD)/unit-tests: $(UNIT_OBJ) $(CMDLIB_OBJ) $(BUILD)/libstarrate.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_ALL) $(CRIT_LIBS)

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/unit/*.d)

# ---- run ------------------------------------------------------------------------------
demo: all
	@$(BUILD)/starrate rate --format table scenarios/councils/*.yaml

# The fit store (evaluator/core/fitstore.h) is off for the unit tests, so that each fit they
# compare is made, not recalled; test_fitstore.c turns it on where it tests it. The commands'
# tests keep theirs under the build folder, so they run with a fresh store on a fresh clone
# (the first fit of each pack made, the rest recalled) and never touch the user's.
unit: $(BUILD)/unit-tests
	STARRATE_CACHE=off $(BUILD)/unit-tests --jobs=2

golden packs schema calibration browser hardening roundtrip: export STARRATE_CACHE = $(abspath $(BUILD))/store

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

example: $(BUILD)/example-rate
	@$(BUILD)/example-rate rules/2003 scenarios/councils/durham-2003.yaml >$(BUILD)/example-rate.out
	@cmp -s examples/rate.expected $(BUILD)/example-rate.out || \
	    { diff -u examples/rate.expected $(BUILD)/example-rate.out; exit 1; }
	@echo "example: the public API rates Durham 2003 as expected"

roundtrip: $(BUILD)/starrate
	@tests/import/roundtrip.sh $(BUILD)

# `all` first: build/starrate, which every README example uses, is in place after a test run.
test: all unit golden packs schema calibration browser hardening example roundtrip

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
