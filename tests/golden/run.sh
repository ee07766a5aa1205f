#!/bin/sh
# Golden end-to-end tests: each case is data, not C (as jq's tests are).
#
#   cases/NAME.cmd    the arguments, one line (run from the repository root); an optional
#                     second line "stdin: FILE" feeds FILE to standard input
#   cases/NAME.out    the whole expected standard output
#   cases/NAME.err    the whole expected standard error (absent: must be empty)
#   cases/NAME.code   the expected exit status (absent: 0)
#
# Usage: tests/golden/run.sh BINARY [NAME...]; UPDATE=1 rewrites the expected files from the
# actual output (review the diff before committing it).
set -u
bin=$1
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
if [ $# -gt 0 ]; then names="$*"; else names=$(ls tests/golden/cases/*.cmd | sed 's|.*/||; s|\.cmd$||'); fi
for name in $names; do
    case_dir=tests/golden/cases
    args=$(sed -n 1p "$case_dir/$name.cmd")
    stdin_file=$(sed -n 's/^stdin: //p' "$case_dir/$name.cmd")
    [ -n "$stdin_file" ] || stdin_file=/dev/null
    # shellcheck disable=SC2086
    "$bin" $args <"$stdin_file" >"$work/out" 2>"$work/err"
    code=$?
    want_code=0
    [ -f "$case_dir/$name.code" ] && want_code=$(cat "$case_dir/$name.code")
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$work/out" "$case_dir/$name.out"
        if [ -s "$work/err" ]; then cp "$work/err" "$case_dir/$name.err"; else rm -f "$case_dir/$name.err"; fi
        if [ "$code" != 0 ]; then echo "$code" >"$case_dir/$name.code"; else rm -f "$case_dir/$name.code"; fi
        continue
    fi
    [ -f "$case_dir/$name.err" ] || : >"$work/want_err"
    [ -f "$case_dir/$name.err" ] && cp "$case_dir/$name.err" "$work/want_err"
    ok=1
    if ! cmp -s "$work/out" "$case_dir/$name.out"; then
        ok=0
        echo "FAIL $name: standard output differs:"
        diff -u "$case_dir/$name.out" "$work/out" | head -40
    fi
    if ! cmp -s "$work/err" "$work/want_err"; then
        ok=0
        echo "FAIL $name: standard error differs:"
        diff -u "$work/want_err" "$work/err" | head -20
    fi
    if [ "$code" != "$want_code" ]; then
        ok=0
        echo "FAIL $name: exit status $code, expected $want_code"
    fi
    if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
[ "${UPDATE:-0}" = 1 ] && { echo "golden: expected files rewritten"; exit 0; }
echo "golden: $passed passed, $failed failed"
[ $failed = 0 ]
