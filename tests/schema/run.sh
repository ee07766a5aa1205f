#!/bin/sh
# Validates JSON ratings against docs/rating.schema.json:
#   - every golden case whose command is `rate ... --format json` (tests/golden/cases/*.cmd);
#   - `rate --format json --trace` of every council under scenarios/councils/, one by one and
#     all in one run (an array of ratings);
#   - and, so the test can fail, documents that break the schema must be rejected.
# The validator (validate.c, the subset of JSON Schema the schema uses) is compiled here with
# the project's warning flags into BUILD_DIR.
#
# Usage: tests/schema/run.sh BINARY [BUILD_DIR]    (BUILD_DIR default: the binary's folder)
set -u
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
build=${2:-$(dirname "$bin")}
schema=docs/rating.schema.json
validator=$build/schema-validate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$build"
${CC:-cc} -std=c11 -D_XOPEN_SOURCE=700 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
    -Wmissing-prototypes -Werror -O1 ${SCHEMA_CFLAGS:-} -o "$validator" tests/schema/validate.c -lm ||
    { echo "schema: cannot build the validator"; exit 1; }

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# A file must validate.
expect_valid() {
    if "$validator" "$schema" "$1" >"$work/log" 2>&1; then pass; else fail "$2"; cat "$work/log"; fi
}
# A file must be rejected (exit status 1: invalid, not a broken schema or validator).
expect_invalid() {
    "$validator" "$schema" "$1" >"$work/log" 2>&1
    code=$?
    if [ $code = 1 ]; then pass; else fail "$2 (validator exit status $code, expected 1)"; cat "$work/log"; fi
}

# 1. Golden outputs of `rate --format json`.
for cmd in tests/golden/cases/*.cmd; do
    args=$(sed -n 1p "$cmd")
    case "$args" in
        rate*--format\ json*|rate*--format=json*) ;;
        *) continue ;;
    esac
    out=${cmd%.cmd}.out
    [ -s "$out" ] || { fail "$out is missing or empty"; continue; }
    expect_valid "$out" "golden $(basename "$out")"
done

# 2. Every council, with the trace, one by one and in one run.
for f in scenarios/councils/*.yaml; do
    name=$(basename "$f" .yaml)
    if "$bin" rate --format json --trace "$f" >"$work/$name.json" 2>"$work/err"; then
        expect_valid "$work/$name.json" "council $name"
    else
        fail "council $name: starrate rate failed"; cat "$work/err"
    fi
done
"$bin" rate --format json --trace scenarios/councils/*.yaml >"$work/all.json" 2>"$work/err" ||
    { fail "rating all councils in one run failed"; cat "$work/err"; }
expect_valid "$work/all.json" "all councils in one run"

# 3. The schema must reject what it should: each mutation of a valid rating breaks one rule.
# A mutation that does not change the document would make its check vacuous: that fails too.
good=$work/demo-2-star-capped.json
mutate() {
    sed "$1" "$good" >"$work/bad.json"
    if cmp -s "$work/bad.json" "$good"; then fail "mutation '$1' does not apply"; return; fi
    expect_invalid "$work/bad.json" "mutation '$1' was accepted"
}
mutate 's/"format": "starrate-rating\/1"/"format": "starrate-rating\/2"/'   # enum
mutate 's/"council": /"councillor": /'                                    # unknown and missing member
mutate '0,/"kind": "band"/s//"kind": "guess"/'                            # node kind enum
mutate '0,/"source": "derived"/s//"source": "assumed"/'                   # judgement source enum
mutate '0,/"line": \([0-9]*\)/s//"line": "\1"/'                           # type
mutate 's/"sha256": "\([0-9a-f]*\)"/"sha256": "\1x"/'                     # pattern
mutate '0,/"uses": \[\]/s//"uses": [-1]/'                                # minimum inside items
mutate '0,/"met": true/s//"met": 1/'                                      # boolean
mutate '0,/"compared": \[\]/s//"compared": [{}]/'                        # required inside $ref
# The chances of --uncertainty: shares are between 0 and 1, driver kinds are named.
"$bin" rate --uncertainty --variants 50 --format json scenarios/councils/harrow-2003.yaml \
    >"$work/sure.json" 2>"$work/err" || { fail "rate --uncertainty failed"; cat "$work/err"; }
expect_valid "$work/sure.json" "rate --uncertainty"
good=$work/sure.json
mutate '0,/"p_likely": [0-9.]*/s//"p_likely": 1.5/'                       # maximum
mutate '0,/"kind": "[a-z_]*"/s//"kind": "hunch"/'                         # driver kind enum
mutate 's/"acceptance": /"acceptence": /'                                 # unknown member
# A document that is not JSON is refused as such (exit status 3), not validated.
cp "$work/all.json" "$work/bad.json" && printf '[]x' >>"$work/bad.json"
"$validator" "$schema" "$work/bad.json" >/dev/null 2>&1
if [ $? = 3 ]; then pass; else fail "trailing characters after a document were not refused"; fi

echo "schema: $passed passed, $failed failed"
[ $failed = 0 ]
