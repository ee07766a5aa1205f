#!/bin/sh
# End-to-end test of `starrate report` in a real browser: renders the report of every real
# council (and of all of them together) in headless Chromium, keeps a screenshot of each, and
# checks that the page rendered and that the stars and judgements it shows equal
# `starrate rate --format json` for the same file. One report with --scenario (a "What if"
# section) is checked against `starrate whatif --format json`: the cells it marks as changed
# are exactly whatif's differences, with the same values.
#
# Usage: tests/report/browser_test.sh BUILD_DIR
#   BUILD_DIR holds the starrate binary; screenshots go to BUILD_DIR/report-screenshots/.
# Debian's chromium is installed when missing (as root: apt-get update, apt-get install).
set -u
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
build=$1
bin=$build/starrate
shots=$build/report-screenshots
councils="durham-2003 hertfordshire-2002 harrow-2003 bath-ne-somerset-2003"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

[ -x "$bin" ] || { echo "browser: no binary at $bin (run make first)"; exit 1; }

# ---- the browser ----------------------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "browser: installing chromium" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 && apt-get install -y -qq chromium >&2 ||
            { echo "browser: installing chromium failed"; exit 1; }
    else
        echo "browser: chromium is missing; run: sudo apt-get update && sudo apt-get install -y chromium"
        exit 1
    fi
fi

# pdftotext and pdfinfo read the printed report (poppler-utils), installed like chromium.
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdfinfo >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "browser: installing poppler-utils" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 && apt-get install -y -qq poppler-utils >&2 ||
            { echo "browser: installing poppler-utils failed"; exit 1; }
    else
        echo "browser: pdftotext is missing; run: sudo apt-get update && sudo apt-get install -y poppler-utils"
        exit 1
    fi
fi

# A JSON reader for the comparisons: the schema validator's --get mode (no jq needed).
getter=$build/schema-validate
if [ ! -x "$getter" ] || [ tests/schema/validate.c -nt "$getter" ]; then
    ${CC:-cc} -std=c11 -D_XOPEN_SOURCE=700 -O1 -o "$getter" tests/schema/validate.c -lm ||
        { echo "browser: cannot build $getter"; exit 1; }
fi

# Each run gets a fresh profile; networking and background services are off so the test
# never leaves the machine.
chrome() {
    profile=$(mktemp -d "$work/profile.XXXXXX")
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" "$@" 2>>"$work/chromium.log"
}

# ---- checks ---------------------------------------------------------------------------
problems=""
problem() { problems="$problems
    $*"; }

# PNG signature, the requested size in the IHDR chunk, and enough bytes to hold a page
# rather than a blank canvas (a blank 1280x2000 PNG is a few kilobytes).
check_png() {
    png=$1 want_size=${2:-1280x2000}
    [ -s "$png" ] || { problem "no screenshot $png"; return; }
    sig=$(od -An -tx1 -N8 "$png" | tr -d ' \n')
    [ "$sig" = 89504e470d0a1a0a ] || problem "$png is not a PNG (signature $sig)"
    size=$(od -An -tu1 -j16 -N8 "$png" | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}')
    [ "$size" = "$want_size" ] || problem "$png is $size, expected $want_size"
    bytes=$(wc -c <"$png")
    [ "$bytes" -gt 30000 ] || problem "$png is only $bytes bytes: the page looks blank"
}

# The page was rendered as ours, completely, and is not a browser error page.
check_rendered() {
    dom=$1
    grep -q 'data-report="starrate"' "$dom" || problem "the DOM is not the starrate report"
    grep -q 'id="report-end"' "$dom" || problem "the DOM ends before the report's footer"
    if grep -q -e 'id="main-frame-error"' -e 'neterror' -e 'ERR_FILE_NOT_FOUND' "$dom"; then
        problem "the browser shows an error page"
    fi
    if grep -q -i -e '<script' -e '<link ' -e ' src="http' "$dom"; then
        problem "the page loads scripts or external assets"
    fi
}

# Stars and judgements shown in council section number $3 (1-based, in input order) equal the
# JSON rating at pointer prefix $4 ("" for a single rating, "/0" for the first of an array).
check_council() {
    dom=$1 json=$2 n=$3 prefix=$4
    # Chromium serialises the DOM with attributes in source order; cut out this section.
    awk -v n="$n" '/<section class="council"/{k++} /<\/section>/{if (k==n) print; if (k==n) k=n+1} k==n' "$dom" >"$work/section"
    [ -s "$work/section" ] || { problem "no council section $n"; return; }
    shown=$(grep -o '<section class="council"[^>]*>' "$work/section" | sed -n 's/.* data-stars="\([^"]*\)".*/\1/p')
    want=$("$getter" --get "$json" "$prefix/stars") || { problem "no stars in $json"; return; }
    [ "$want" = null ] && want=""
    [ "$shown" = "$want" ] || problem "council $n: page shows stars '$shown', JSON has '$want'"
    # The visible text says the same as the attribute.
    if [ -n "$want" ]; then
        visible=$(grep -o '<p class="stars-text"><strong>[0-9]* star' "$work/section" | sed 's/.*<strong>\([0-9]*\) star/\1/')
        [ "$visible" = "$want" ] || problem "council $n: visible stars '$visible', JSON has '$want'"
    fi
    nsvc=$("$getter" --get "$json" "$prefix/services" | sed -n 's/(object of \([0-9]*\))/\1/p')
    grep -o 'data-service="[^"]*" data-serving="[^"]*" data-capacity="[^"]*"' "$work/section" >"$work/rows"
    rows=$(wc -l <"$work/rows")
    [ "$rows" = "$nsvc" ] || problem "council $n: page shows $rows services, JSON has $nsvc"
    while IFS= read -r row; do
        svc=$(printf '%s' "$row" | sed 's/data-service="\([^"]*\)".*/\1/')
        for j in serving capacity; do
            got=$(printf '%s' "$row" | sed "s/.*data-$j=\"\([^\"]*\)\".*/\1/")
            exp=$("$getter" --get "$json" "$prefix/services/$svc/$j/value") ||
                { problem "JSON has no service $svc"; continue; }
            [ "$exp" = null ] && exp=""
            [ "$got" = "$exp" ] || problem "council $n: $svc $j shown '$got', JSON has '$exp'"
        done
    done <"$work/rows"
}

# "subject=value" per line, sorted: what whatif's JSON lists as differences in scenario $2
# (0-based), key thresholds aside (the report has no row for them), with values as the report
# writes them (a word id or a band number, empty for none), and the star rule when it moved.
whatif_expected() {
    json=$1 k=$2
    n=$("$getter" --get "$json" "/scenarios/$k/differences" | sed -n 's/(array of \([0-9]*\))/\1/p')
    i=0
    while [ "$i" -lt "${n:-0}" ]; do
        p=/scenarios/$k/differences/$i
        if [ "$("$getter" --get "$json" "$p/kind")" != cap ]; then
            after=$("$getter" --get "$json" "$p/after" |
                sed 's/^band //; s/ (given)$//; s/^null$//; s/^insufficient evidence$//; s/^not assessed$//')
            echo "$("$getter" --get "$json" "$p/subject")=$after"
        fi
        i=$((i + 1))
    done
    rule=$("$getter" --get "$json" "/scenarios/$k/result/rule")
    [ "$rule" = "$("$getter" --get "$json" /baseline/rule)" ] || echo "stars.rule=$(echo "$rule" | sed 's/^null$//')"
}

# Every scenario's marked cells (one table row per line, the row's data-subject first) equal
# whatif's differences; a scenario with none says that it changes nothing.
check_whatif() {
    dom=$1 json=$2 nsc=$3
    shown=$(grep -c '<article class="scenario"' "$dom")
    [ "$shown" = "$nsc" ] || { problem "the page shows $shown scenarios, expected $nsc"; return; }
    k=0
    while [ "$k" -lt "$nsc" ]; do
        awk -v n=$((k + 1)) '/<article class="scenario"/{a++} a==n' "$dom" | sed '/<\/article>/q' >"$work/article"
        sed -n 's/^<tr data-subject="\([^"]*\)".* data-value="\([^"]*\)" data-changed="1".*/\1=\2/p' \
            "$work/article" | sort >"$work/marked"
        whatif_expected "$json" "$k" | sort >"$work/expected"
        cmp -s "$work/marked" "$work/expected" ||
            problem "scenario $((k + 1)): marked cells (>) differ from whatif (<):" \
                "$(diff "$work/expected" "$work/marked" | grep '^[<>]' | tr '\n' ' ')"
        marks=$(grep -o 'data-changed="1"' "$work/article" | wc -l)
        [ "$marks" = "$(wc -l <"$work/marked")" ] || problem "scenario $((k + 1)): a marked cell outside a row"
        if [ -s "$work/marked" ]; then
            ! grep -q 'data-nochange' "$work/article" || problem "scenario $((k + 1)) changes cells but says it does not"
        else
            grep -q 'data-nochange="1"' "$work/article" || problem "scenario $((k + 1)) changes nothing and does not say so"
        fi
        k=$((k + 1))
    done
}

finish_case() {
    if [ -z "$problems" ]; then
        passed=$((passed + 1))
        echo "ok $1"
    else
        failed=$((failed + 1))
        echo "FAIL $1:$problems"
        grep -v -i dbus "$work/chromium.log" | tail -5 | sed 's/^/    chromium: /'
    fi
    problems=""
    : >"$work/chromium.log"
}

# The screenshot is the top of the page, 1280 pixels wide and $height high.
height=2000
render() {
    name=$1
    shift
    html=$work/$name.html
    if ! "$bin" report "$@" -o "$html" 2>"$work/err"; then
        problem "starrate report failed: $(cat "$work/err")"
        return 1
    fi
    chrome --screenshot="$shots/$name.png" --window-size=1280,$height "file://$html" >/dev/null ||
        problem "chromium --screenshot failed"
    chrome --dump-dom "file://$html" >"$work/$name.dom" || problem "chromium --dump-dom failed"
    check_png "$shots/$name.png" "1280x$height"
    check_rendered "$work/$name.dom"
}

mkdir -p "$shots"
for c in $councils; do
    f=scenarios/councils/$c.yaml
    "$bin" rate --format json "$f" >"$work/$c.json" 2>"$work/err" || problem "starrate rate failed: $(cat "$work/err")"
    if render "$c" "$f"; then
        check_council "$work/$c.dom" "$work/$c.json" 1 ""
    fi
    finish_case "$c"
done

# All four in one report: the league table and summary, and every section still agrees with
# the JSON array (sections keep the input order; the league table is sorted).
files=""
for c in $councils; do files="$files scenarios/councils/$c.yaml"; done
# shellcheck disable=SC2086
"$bin" rate --format json $files >"$work/all.json" 2>"$work/err" || problem "starrate rate failed: $(cat "$work/err")"
# shellcheck disable=SC2086
if render all-councils $files; then
    grep -q 'data-councils="4"' "$work/all-councils.dom" || problem "the report does not count 4 councils"
    grep -q '<table class="league">' "$work/all-councils.dom" || problem "no league table"
    grep -q '<svg class="chart"' "$work/all-councils.dom" || problem "no chart"
    i=0
    for c in $councils; do
        check_council "$work/all-councils.dom" "$work/all.json" $((i + 1)) "/$i"
        i=$((i + 1))
    done
fi
finish_case all-councils

# What if: three of Harrow's scenarios (a band and a grade move; a judgement and the stars
# move; nothing moves). The screenshot is tall enough to show the "What if" section.
ev=scenarios/councils/harrow-2003.yaml
plans="harrow-carers-upper-band harrow-children-commissioning harrow-statements-halfway"
opts="" plan_files=""
for s in $plans; do
    opts="$opts --scenario scenarios/whatif/$s.yaml"
    plan_files="$plan_files scenarios/whatif/$s.yaml"
done
# shellcheck disable=SC2086
"$bin" whatif --format json "$ev" $plan_files >"$work/whatif.json" 2>"$work/err" ||
    problem "starrate whatif failed: $(cat "$work/err")"
"$bin" rate --format json "$ev" >"$work/harrow.json" 2>"$work/err" || problem "starrate rate failed: $(cat "$work/err")"
height=6400
# shellcheck disable=SC2086
if render harrow-whatif $opts "$ev"; then
    grep -q '<section class="whatif" id="whatif" data-scenarios="3">' "$work/harrow-whatif.dom" ||
        problem "no What if section of 3 scenarios"
    check_council "$work/harrow-whatif.dom" "$work/harrow.json" 1 ""
    check_whatif "$work/harrow-whatif.dom" "$work/whatif.json" 3
    # the check above is not vacuous: the first two scenarios mark cells
    grep -q 'data-changed="1"' "$work/harrow-whatif.dom" || problem "no cell is marked as changed"
fi
finish_case harrow-whatif

# Printed: Harrow's report on A4. Page 1 must stand alone - the rating, the four judgements
# and the letter's own words for the two cheapest plans seek finds - and the whole report must
# stay short: at most 6 pages (Harrow prints on 5 today: the first page, then the
# detail, most of it the letter's findings beside the grades they move).
max_pages=6
ev=scenarios/councils/harrow-2003.yaml
html=$work/harrow-print.html
if "$bin" report "$ev" -o "$html" 2>"$work/err"; then
    chrome --no-pdf-header-footer --print-to-pdf="$shots/harrow-2003.pdf" "file://$html" >/dev/null 2>&1 ||
        problem "chromium --print-to-pdf failed"
    pages=$(pdfinfo "$shots/harrow-2003.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
    [ -n "$pages" ] || problem "no PDF was printed"
    [ "${pages:-99}" -le $max_pages ] || problem "the printed report has $pages pages, more than $max_pages"
    size=$(pdfinfo "$shots/harrow-2003.pdf" 2>/dev/null | sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\).*/\1x\2/p')
    case $size in 59[45]*x84[12]*) ;; *) problem "the pages are $size points, not A4 (595 x 842)" ;; esac
    # Page 1 as one line of text, so a phrase broken over lines still matches.
    pdftotext -f 1 -l 1 "$shots/harrow-2003.pdf" - 2>/dev/null | tr -s ' \n' '  ' >"$work/page1"
    "$bin" rate --format json "$ev" >"$work/harrow-rate.json" 2>/dev/null
    stars=$("$getter" --get "$work/harrow-rate.json" /stars)
    grep -q "London Borough of Harrow" "$work/page1" || problem "page 1 does not name the council"
    grep -q "$stars star" "$work/page1" || problem "page 1 does not carry the rating ($stars stars)"
    # Harrow's four judgements (rate --format json: some/promising for both services), in the
    # scale's words as the page writes them.
    for svc in children adults; do
        [ "$("$getter" --get "$work/harrow-rate.json" "/services/$svc/serving/value")" = some ] &&
            [ "$("$getter" --get "$work/harrow-rate.json" "/services/$svc/capacity/value")" = promising ] ||
            problem "Harrow's $svc judgements are no longer some/promising: update this test"
    done
    for svc in "Children's services" "Adults' services"; do
        grep -qF "$svc" "$work/page1" || problem "page 1 does not name $svc"
    done
    grep -q "serving some people well" "$work/page1" || problem "page 1 does not carry the serving judgements"
    grep -q "promising capacity for improvement" "$work/page1" || problem "page 1 does not carry the capacity judgements"
    # The two cheapest plans, from seek itself: the letter's text of each finding they turn round.
    "$bin" seek "$ev" --target $((stars + 1)) --limit 2 --format json >"$work/harrow-seek.json" 2>/dev/null
    for k in 0 1; do
        text=$("$getter" --get "$work/harrow-seek.json" "/plans/$k/moves/0/text")
        [ -n "$text" ] && [ "$text" != null ] || { problem "seek gives no text for plan $((k + 1))"; continue; }
        words=$(printf '%s' "$text" | tr -s ' \n' '  ' | cut -c1-60)
        grep -qF "$words" "$work/page1" || problem "page 1 lacks plan $((k + 1)): \"$words\""
    done
    grep -q "What would gain a star" "$work/page1" || problem "page 1 has no 'What would gain a star'"
    grep -q "What could lose a star" "$work/page1" || problem "page 1 has no 'What could lose a star'"
    ! grep -q "The detail" "$work/page1" || problem "the detail starts on page 1: it must not push the plans off"
else
    problem "starrate report failed: $(cat "$work/err")"
fi
# No path of this machine anywhere in the HTML, even when the evidence and the rule pack are
# named by absolute paths.
"$bin" report --rules "$root/rules/2003" "$root/$ev" -o "$work/harrow-abs.html" 2>"$work/err" ||
    problem "starrate report with absolute paths failed: $(cat "$work/err")"
for h in "$html" "$work/harrow-abs.html"; do
    if grep -n -o -e "$root" -e "$work" -e '"/home/' -e '"/tmp/' -e '"/work/' -e '>/[a-z][a-z]*/[^<]*\.lua' "$h" | head -3 | grep .; then
        problem "$(basename "$h") holds an absolute path"
    fi
done
finish_case harrow-print

echo "screenshots in $shots"
echo "browser: $passed passed, $failed failed"
[ $failed = 0 ]
