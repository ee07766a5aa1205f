#!/bin/sh
# Bad inputs, table-driven: every case of tests/hardening/cases.txt runs the real binary on
# one bad evidence file, rule pack, scenario or outcomes CSV and must
#   - print exactly the expected error (FILE:LINE:COL: error: MESSAGE) and nothing else on
#     standard error: so, in the sanitizer build, no sanitizer report either;
#   - exit with status 1;
#   - write no output file for -o {OUT}, and leave no temporary file ({OUT}.tmp.*) beside it.
# Then a batch of 100 evidence files with 10 bad ones must rate the 90 good ones, report the
# 10 (one error line each) and exit with status 1.
#
#   tests/hardening/bad_inputs.sh BINARY [NAME...]
#
# cases.txt has one case per line: NAME | ARGUMENTS | EXPECTED STANDARD ERROR, with an
# optional fourth field "known: WHY" for a known deviation (the command writes {OUT} although
# the input was rejected): the case then checks that {OUT} *is* written, so that it fails, and
# the marker gets removed, once the deviation is fixed. In ARGUMENTS and the expected error,
# {OUT} is the output file and {WORK} the work folder (BUILD/hardening, where the bad rule packs
# are assembled from tests/hardening/inputs/packs/base plus each case's own files, and where
# the inputs too large to keep in the repository are generated).
set -u
[ $# -ge 1 ] || { echo "usage: tests/hardening/bad_inputs.sh BINARY [NAME...]" >&2; exit 2; }
bin=$1
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
case $bin in /*) ;; *) bin=$root/$bin ;; esac
[ -x "$bin" ] || { echo "bad_inputs: no binary $bin" >&2; exit 2; }

# The work folder lies inside the repository so that messages show it as a relative path.
work=$(dirname "$bin")
work=${work#"$root"/}/hardening
rm -rf "$work"
mkdir -p "$work/packs" "$work/generated" "$work/run" || exit 2
inputs=tests/hardening/inputs

# UBSan reports are recoverable by default; make them fatal so they cannot pass unseen.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# ---- inputs ---------------------------------------------------------------------------

# Each bad pack: the base pack with the case's own files on top.
for overlay in "$inputs"/packs/*/; do
    name=$(basename "$overlay")
    [ "$name" = base ] && continue
    cp -R "$inputs/packs/base" "$work/packs/$name" && cp "$overlay"* "$work/packs/$name/" || exit 2
done

# Inputs past a limit, generated rather than committed.
gen=$work/generated
head_lines() { printf 'council: Generated Borough\nyear: 2003\n'; }
{
    head_lines
    printf 'source: "'
    awk 'BEGIN { for (i = 0; i < 70000; i++) printf "x" }'
    printf '"\n'
} >"$gen/long-scalar.yaml"
{
    head_lines
    printf 'children:\n  findings:\n'
    awk 'BEGIN { for (i = 1; i <= 10001; i++) printf "    - {id: f%d, text: t, kind: strength}\n", i }'
} >"$gen/too-many-findings.yaml"
{
    head_lines
    printf 'notes:\n'
    awk 'BEGIN { for (i = 1; i <= 25000; i++) printf "  - [1, 2, 3, 4, 5, 6, 7, 8, 9]\n" }'
} >"$gen/too-many-nodes.yaml"
{
    head_lines
    printf 'notes:\n'
    awk 'BEGIN { for (i = 1; i <= 60000; i++) printf "  - {line: %d, text: padding padding padding padding padding padding}\n", i }'
} >"$gen/too-big.yaml"

{
    printf 'council,year,children_serving,children_capacity,adults_serving,adults_capacity,stars\n'
    awk 'BEGIN { for (i = 1; i <= 10001; i++) printf "Walsall,May 2002,no,poor,no,poor,0\n" }'
} >"$gen/too-many-records.csv"

# ---- the cases --------------------------------------------------------------------------

passed=0
failed=0
known=0
fail() {
    echo "FAIL $name: $*"
    ok=0
}

# Runs one case: $1 name, $2 arguments, $3 expected error, $4 known deviation (or "").
run_case() {
    name=$1 args=$2 want=$3 why=$4
    out=$work/run/$name.out
    rm -f "$out" "$out".tmp.*
    args=$(printf '%s' "$args" | sed "s|{OUT}|$out|g; s|{WORK}|$work|g")
    want=$(printf '%s' "$want" | sed "s|{OUT}|$out|g; s|{WORK}|$work|g")
    # shellcheck disable=SC2086 # the arguments are words
    "$bin" $args </dev/null >"$work/run/stdout" 2>"$work/run/stderr"
    code=$?
    ok=1
    printf '%s\n' "$want" >"$work/run/want"
    if grep -q -E 'Sanitizer|runtime error:' "$work/run/stderr"; then
        fail "sanitizer report:"
        head -20 "$work/run/stderr"
    elif ! cmp -s "$work/run/stderr" "$work/run/want"; then
        fail "standard error differs:"
        diff "$work/run/want" "$work/run/stderr" | head -10
    fi
    [ "$code" = 1 ] || fail "exit status $code, expected 1"
    if [ -n "$why" ]; then
        [ -e "$out" ] || fail "known deviation fixed ($why): remove the marker from cases.txt"
    elif [ -e "$out" ]; then
        fail "the output file was written"
    fi
    for tmp in "$out".tmp.*; do
        [ -e "$tmp" ] && fail "a temporary file was left behind: $tmp"
    done
    if [ $ok = 1 ]; then
        passed=$((passed + 1))
        [ -n "$why" ] && known=$((known + 1))
    else
        failed=$((failed + 1))
    fi
}

trim() { printf '%s' "$1" | sed 's/^ *//; s/ *$//'; }

only=" $* "
seen=" "
while IFS= read -r line; do
    case $line in '' | '#'*) continue ;; esac
    name=$(trim "$(printf '%s' "$line" | cut -d'|' -f1)")
    args=$(trim "$(printf '%s' "$line" | cut -d'|' -f2)")
    want=$(trim "$(printf '%s' "$line" | cut -d'|' -f3)")
    why=$(trim "$(printf '%s' "$line" | cut -s -d'|' -f4 | sed 's/^ *known: *//')")
    case $seen in *" $name "*) echo "FAIL $name: two cases with this name"; failed=$((failed + 1)) ;; esac
    seen="$seen$name "
    if [ $# -gt 0 ]; then case $only in *" $name "*) ;; *) continue ;; esac; fi
    run_case "$name" "$args" "$want" "$why"
done <tests/hardening/cases.txt

# ---- a batch of 100 files, 10 of them bad ------------------------------------------------

batch() {
    name=batch
    ok=1
    dir=$work/batch
    mkdir -p "$dir"
    set -- scenarios/councils/*.yaml
    ncouncils=$#
    : >"$work/run/batch-want"
    i=1
    while [ $i -le 100 ]; do
        n=$(( (i - 1) % ncouncils + 1 ))
        eval "src=\${$n}"
        f=$(printf '%s/%03d.yaml' "$dir" "$i")
        # a council name of its own, so the output shows which files were rated
        sed "s/^council: .*/council: Batch council $i/" "$src" >"$f"
        if [ $((i % 10)) = 0 ]; then
            echo "bogus_key: $i" >>"$f"
            printf '%s:%d:1: error: unknown key '\''bogus_key'\'' in evidence (expected one of: council, year, round, source, published, indicators, notes, import, children, adults)\n' \
                "$f" "$(wc -l <"$f")" >>"$work/run/batch-want"
        fi
        i=$((i + 1))
    done
    out=$work/run/batch.csv
    rm -f "$out"
    "$bin" rate --format csv -o "$out" "$dir"/*.yaml </dev/null >"$work/run/stdout" 2>"$work/run/stderr"
    code=$?
    [ "$code" = 1 ] || fail "exit status $code, expected 1"
    if ! cmp -s "$work/run/stderr" "$work/run/batch-want"; then
        fail "standard error is not exactly the 10 rejections:"
        diff "$work/run/batch-want" "$work/run/stderr" | head -10
    fi
    rows=$(($(wc -l <"$out" 2>/dev/null || echo 1) - 1))
    [ "$rows" = 90 ] || fail "$rows councils rated, expected 90"
    i=1
    while [ $i -le 100 ]; do
        if [ $((i % 10)) = 0 ]; then
            grep -q "Batch council $i," "$out" 2>/dev/null && fail "rejected file $i was rated"
        else
            grep -q "Batch council $i," "$out" 2>/dev/null || fail "file $i was not rated"
        fi
        i=$((i + 1))
    done
    if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
case $only in "  " | *" batch "*) batch ;; esac

echo "bad inputs: $passed passed ($known of them known deviations), $failed failed"
[ $failed = 0 ]
