#!/bin/sh
# run.sh BUILD — the benchmarks of `make bench` (see docs/performance.md).
#
# BUILD is the build folder holding libstarrate.a and starrate. Each benchmark is a C program
# compiled here against BUILD/libstarrate.a with the Makefile's flags, into build/bench/bin.
# The synthetic councils are generated afresh into build/bench/councils (deterministic seed;
# never committed). Results: one table on standard output, build/bench/results.json.
set -eu

BUILD=${1:?usage: tests/bench/run.sh BUILD}
BENCH=build/bench
BIN=$BENCH/bin
COUNCILS=$BENCH/councils
PACK=rules/${BENCH_PACK:-2003}  # the pack of the round the councils are written for (a folder:
                                # a round's name is looked for beside the program)
COUNT=${BENCH_COUNCILS:-150}
SEED=${BENCH_SEED:-20031}
# The fits are measured, not recalled (scale sets its own store for the one row that keeps it).
export STARRATE_CACHE=off

CFLAGS="-std=c11 -D_XOPEN_SOURCE=700 -pthread -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
-Wmissing-prototypes -O2 -g -Ievaluator/include -Ievaluator/core -Ievaluator/cmd $(pkg-config --cflags lua5.4 poppler-glib libzip libxml-2.0)"
LIBS="$BUILD/libstarrate.a $(pkg-config --libs lua5.4 yaml-0.1 nettle) -ldl -lm"

# compile NAME SOURCE...: one benchmark program.
compile() {
    name=$1
    shift
    # shellcheck disable=SC2086 # the flag lists are meant to split
    ${CC:-cc} $CFLAGS "$@" -o "$BIN/$name" $LIBS
}

mkdir -p "$BIN"
compile gen_councils tests/bench/gen_councils.c
# The floor links libyaml alone: its start-up is libyaml's own, not starrate's libraries'.
${CC:-cc} -std=c11 -D_XOPEN_SOURCE=700 -O2 tests/bench/yaml_floor.c -o "$BIN/yaml_floor" \
    $(pkg-config --libs yaml-0.1)
compile bench tests/bench/bench.c
compile seek_bench tests/bench/seek_bench.c
compile scale tests/bench/scale.c
# The launcher stays small (no libraries): the peak memory it reports is the child's own.
${CC:-cc} -std=c11 -D_XOPEN_SOURCE=700 -O2 tests/bench/launch.c -o "$BIN/launch"

# The peer: json-rules-engine 7 running the same star table, when node and npm are here.
PEER=$BENCH/peer
rm -f "$BENCH/peer.json"
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    if [ ! -d "$PEER/node_modules/json-rules-engine" ]; then
        mkdir -p "$PEER"
        npm install --prefix "$PEER" --no-package-lock --no-save --silent json-rules-engine@7.3.1 >&2 ||
            echo "bench: could not install json-rules-engine; the peer comparison is skipped" >&2
    fi
    if [ -d "$PEER/node_modules/json-rules-engine" ]; then
        PEER_MODULES="$PWD/$PEER/node_modules" node tests/bench/peer/stars.js 50000 >"$BENCH/peer.json" ||
            rm -f "$BENCH/peer.json"
    fi
else
    echo "bench: node or npm is missing; the comparison with json-rules-engine is skipped" >&2
fi
compile uncert_bench tests/bench/uncert_bench.c

rm -rf "$COUNCILS" "$BENCH/store"
mkdir -p "$COUNCILS"
"$BIN/gen_councils" "$PACK" "$COUNCILS" "$COUNT" "$SEED"

# Batch, memory, evaluation and trace: one table and build/bench/results.json.
"$BIN/bench" "$BUILD" "$COUNCILS" "$PACK" "$BENCH/results.json"

# What-if and goal seek (issue 4): moves and seek against one evaluation, one table.
"$BIN/seek_bench" "$PACK" scenarios/councils

# Scale (issue 17): 150, 1,500 and 15,000 councils in one process, the slope, the start-up.
"$BIN/scale" "$BUILD" "$COUNCILS" "$BENCH/scale.json"
# How sure (issue 13): 1000 variants of one council, and of every council on two threads.
"$BIN/uncert_bench" "$PACK" scenarios/councils/harrow-2003.yaml "$COUNCILS" "$BUILD/starrate"
