#!/usr/bin/env bash
# Builds and runs every libFuzzer target tests/fuzz/fuzz_X.c for SECONDS seconds each.
#
#   tests/fuzz/run.sh SECONDS
#
# Each target is linked with the engine and the commands (evaluator/core/*.c, evaluator/cmd/*.c except main.c) under
# AddressSanitizer and UndefinedBehaviorSanitizer into build/fuzz/fuzz_X. All targets are
# built before any runs: a target that does not compile is an error, never skipped, so a
# broken target cannot pass silently. Each run starts from a fresh copy of the committed
# seeds tests/fuzz/corpus/X/ (so the seeds only change when someone commits new ones) and
# uses tests/fuzz/X.dict when present. Prints one summary line per target and exits non-zero
# when any target found a crash, leak, timeout or sanitizer report.
set -u

usage() { echo "usage: tests/fuzz/run.sh SECONDS" >&2; exit 2; }
[ $# -eq 1 ] || usage
case "$1" in '' | *[!0-9]*) usage ;; esac
[ "$1" -gt 0 ] || usage
seconds=$1

cd "$(dirname "$0")/../.." || exit 2

# clang is usually there; install it the way tests/deps.sh installs everything else.
if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz: clang is missing" >&2
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends clang >&2 ||
            { echo "fuzz: could not install clang" >&2; exit 2; }
    else
        echo "fuzz: not root; run: sudo apt-get update && sudo apt-get install -y clang" >&2
        exit 2
    fi
fi

pkg_cflags=$(pkg-config --cflags lua5.4 yaml-0.1 poppler-glib libzip libxml-2.0) || { echo "fuzz: pkg-config failed" >&2; exit 2; }
pkg_libs="$(pkg-config --libs lua5.4 yaml-0.1 nettle) -ldl" || { echo "fuzz: pkg-config failed" >&2; exit 2; }

core=()
for src in evaluator/core/*.c evaluator/cmd/*.c; do
    [ "$src" = evaluator/cmd/main.c ] || core+=("$src")
done

targets=(tests/fuzz/fuzz_*.c)
if [ ! -e "${targets[0]}" ]; then
    echo "fuzz: no targets (tests/fuzz/fuzz_*.c)" >&2
    exit 2
fi

mkdir -p build/fuzz/artifacts build/fuzz/gen
# The report's style sheets, embedded as the Makefile does it.
sh evaluator/cmd/embed.sh report_css evaluator/cmd/report.css \
    report_whatif_css evaluator/cmd/report-whatif.css >build/fuzz/gen/report-css.h

# ---- build every target first ---------------------------------------------------------
build_failed=0
for target in "${targets[@]}"; do
    name=$(basename "$target" .c)
    # shellcheck disable=SC2086 # pkg-config output is meant to be split into words
    # -D_XOPEN_SOURCE as in the Makefile: the core uses POSIX and XSI calls (fileno, realpath).
    if ! clang -std=c11 -D_XOPEN_SOURCE=700 -pthread -g -O1 -fsanitize=fuzzer,address,undefined,float-cast-overflow \
        -Ievaluator/include -Ievaluator/core -Ievaluator/cmd -Ibuild/fuzz/gen $pkg_cflags \
        "$target" "${core[@]}" $pkg_libs -lm -o "build/fuzz/$name"; then
        echo "$name: BUILD FAILED (see the compiler errors above)"
        build_failed=1
    fi
done
[ "$build_failed" -eq 0 ] || exit 1

# ---- run each target ------------------------------------------------------------------
# UBSan reports are recoverable by default; make them fatal so the fuzzer keeps the input.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
failed=0
for target in "${targets[@]}"; do
    name=$(basename "$target" .c)
    x=${name#fuzz_}
    work=tests/fuzz/corpus-work/$x
    log=build/fuzz/$x.log
    rm -rf "$work"
    mkdir -p "$work"
    seeds=0
    if [ -d "tests/fuzz/corpus/$x" ]; then
        cp -R "tests/fuzz/corpus/$x/." "$work/"
        seeds=$(find "$work" -type f | wc -l)
    fi
    dict=()
    [ -f "tests/fuzz/$x.dict" ] && dict=("-dict=tests/fuzz/$x.dict")
    rm -f build/fuzz/artifacts/"$x"-*
    "build/fuzz/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$x-" \
        "${dict[@]}" "$work" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    corpus=$(find "$work" -type f | wc -l)
    if [ "$rc" -eq 0 ]; then
        echo "$name: ok, ${runs:-?} runs in ${seconds}s, corpus $seeds -> $corpus inputs"
    else
        artifacts=$(ls build/fuzz/artifacts/"$x"-* 2>/dev/null | tr '\n' ' ')
        echo "$name: FAILED (exit $rc) after ${runs:-?} runs; log $log; artifacts: ${artifacts:-none}"
        grep -m 3 -E '^(==[0-9]+==ERROR|SUMMARY)|runtime error' "$log" | sed 's/^/    /'
        failed=1
    fi
done
exit "$failed"
