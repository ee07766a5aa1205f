#!/bin/sh
# roundtrip.sh — the seed letters (Harrow 001, Bath 004) as councils receive them: made at
# test time into Word and PDF the ordinary ways, extracted again with pdftotext, and each
# imported. Every route must give the text's findings (count and text up to quote style and
# spacing, and for pdftotext's plain text up to hyphens), no finding losing its standard, and
# `import | rate -` the same judgements and stars.
# Then layouts of our own: a table, two columns (a clear error), and files that are not letters.
#
# Missing Debian packages (LibreOffice Writer, enscript, ghostscript, poppler-utils) are
# installed when run as root, as the browser test installs chromium.
#
#   tests/import/roundtrip.sh BUILD_DIR
set -u
build=${1:-build/release}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
bin=$build/starrate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

[ -x "$bin" ] || { echo "roundtrip: no binary at $bin (run make first)"; exit 1; }

# ---- the tools --------------------------------------------------------------------------
need=""
command -v soffice >/dev/null 2>&1 || need="$need libreoffice-writer-nogui"
command -v enscript >/dev/null 2>&1 || need="$need enscript"
command -v ps2pdf >/dev/null 2>&1 || need="$need ghostscript"
command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
if [ -n "$need" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "roundtrip: installing$need" >&2
        export DEBIAN_FRONTEND=noninteractive
        # shellcheck disable=SC2086
        apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends $need >&2 ||
            { echo "roundtrip: installing$need failed"; exit 1; }
    else
        echo "roundtrip: missing tools; run: sudo apt-get update && sudo apt-get install -y$need"
        exit 1
    fi
fi
export HOME="$work/home"  # LibreOffice keeps its profile here, not in the user's
mkdir -p "$HOME"

soffice_to() {  # soffice_to FILTER FILE: converts FILE into $work
    timeout 180 soffice --headless --norestore --convert-to "$1" --outdir "$work" "$2" \
        >"$work/soffice.log" 2>&1
}

# The findings of an evidence file as "service-section standards text", one a line, with
# quotes and runs of spaces made uniform: the comparison "up to quote style".
findings() {
    awk '/^    - id:/ { id = $3; sub(/-[0-9]+$/, "", id); st = "" }
         /^      standards:/ { st = $0; sub(/^ *standards: /, "", st) }
         /^      text:/ { t = $0; sub(/^ *text: /, "", t); print id " " st " " t }' "$1" |
        sed "s/\xE2\x80\x98/'/g; s/\xE2\x80\x99/'/g; s/\xE2\x80\x9C/\"/g; s/\xE2\x80\x9D/\"/g;
             s/''/'/g; s/\\\\\"/\"/g; s/ \"/ /; s/\"\$//; s/^\([^ ]* [^ ]* \)'/\1/; s/'\$//;
             s/  */ /g"
}

judgements() {  # the rating's lines without the file name
    grep -E "services:|Rating:|Caveat:" "$1" | sed 's/(rules .*//'
}

# ---- the seeds, every route ---------------------------------------------------------------
route_check() {  # route_check NAME FILE COUNT: FILE imports like the text of NAME
    name=$1 file=$2 want=$3 label=$1/$(basename "$2")
    if ! "$bin" import "$file" >"$work/r.yaml" 2>"$work/r.err"; then
        fail "$label: import failed"; sed 's/^/    /' "$work/r.err"; return
    fi
    findings "$work/r.yaml" >"$work/r.find"
    n=$(wc -l <"$work/r.find")
    if [ "$n" -eq "$want" ]; then pass; else fail "$label: $n findings, want $want"; fi
    cp "$work/$name.find" "$work/want.find"
    case $file in
    *-pdftotext.txt)
        # pdftotext without -layout joins a word broken at a line's end and drops its hyphen
        # ("2004-" "2005" becomes "20042005"); where the word processor broke the lines depends
        # on the fonts installed, so hyphens are left out of this route's comparison.
        sed -i 's/-//g' "$work/want.find" "$work/r.find" ;;
    esac
    if diff "$work/want.find" "$work/r.find" >"$work/r.diff"; then pass; else
        fail "$label: findings differ from the text's"; head -20 "$work/r.diff" | cut -c1-200
    fi
    "$bin" rate - <"$work/r.yaml" >"$work/r.rate" 2>&1
    judgements "$work/r.rate" >"$work/r.judge"
    if diff "$work/$name.judge" "$work/r.judge" >"$work/r.diff"; then pass; else
        fail "$label: judgements or stars differ"; cat "$work/r.diff"
    fi
    if grep -q 'Caveat' "$work/r.rate"; then fail "$label: the rating carries a caveat"; else pass; fi
}

seed() {  # seed NAME TEXT COUNT
    name=$1 text=$2 want=$3
    cp "$text" "$work/$name.txt"
    "$bin" import "$work/$name.txt" >"$work/$name.yaml" 2>"$work/$name.err" ||
        { fail "$name: the text does not import"; return; }
    findings "$work/$name.yaml" >"$work/$name.find"
    n=$(wc -l <"$work/$name.find")
    if [ "$n" -eq "$want" ]; then pass; else fail "$name: text gives $n findings, want $want"; fi
    "$bin" rate - <"$work/$name.yaml" >"$work/$name.rate" 2>&1
    judgements "$work/$name.rate" >"$work/$name.judge"

    # a word processor with real lists: the letter as HTML lists, saved as .docx, .odt, PDF
    awk -f tests/import/tohtml.awk "$work/$name.txt" >"$work/$name-list.html"
    soffice_to 'docx:MS Word 2007 XML' "$work/$name-list.html" || fail "$name: no .docx"
    soffice_to odt "$work/$name-list.docx" || fail "$name: no .odt"
    soffice_to pdf:writer_pdf_Export "$work/$name-list.docx" || fail "$name: no PDF"
    # the same in larger type: the page breaks fall elsewhere, inside other bullets
    sed 's|<body>|<body style="font-size:15pt;font-family:Times">|' "$work/$name-list.html" \
        >"$work/$name-big.html"
    soffice_to 'docx:MS Word 2007 XML' "$work/$name-big.html" &&
        soffice_to pdf:writer_pdf_Export "$work/$name-big.docx" || fail "$name: no large-type PDF"
    # a word processor opening the text as it is
    soffice_to pdf:writer_pdf_Export "$work/$name.txt" && mv "$work/$name.pdf" "$work/$name-wp.pdf"
    # PDF made from the text: enscript (Latin-1) and ghostscript
    iconv -f utf-8 -t latin1//TRANSLIT "$work/$name.txt" |
        enscript -q -B -X latin1 --word-wrap --media=A4 -p "$work/$name.ps" &&
        ps2pdf "$work/$name.ps" "$work/$name-ps.pdf" || fail "$name: no PDF from text"
    for pdf in "$work/$name-list.pdf" "$work/$name-big.pdf" "$work/$name-wp.pdf" "$work/$name-ps.pdf"; do
        base=${pdf%.pdf}
        pdftotext "$pdf" "$base-pdftotext.txt"
        pdftotext -layout "$pdf" "$base-layout.txt"
    done
    for f in "$work/$name-list.docx" "$work/$name-list.odt" \
             "$work/$name-list.pdf" "$work/$name-list-pdftotext.txt" "$work/$name-list-layout.txt" \
             "$work/$name-big.pdf" "$work/$name-big-pdftotext.txt" "$work/$name-big-layout.txt" \
             "$work/$name-wp.pdf" "$work/$name-wp-pdftotext.txt" "$work/$name-wp-layout.txt" \
             "$work/$name-ps.pdf" "$work/$name-ps-pdftotext.txt" "$work/$name-ps-layout.txt"; do
        if [ -s "$f" ]; then route_check "$name" "$f" "$want"; else fail "$name: $f was not made"; fi
    done
    # the content decides, not the name
    cp "$work/$name-list.pdf" "$work/$name-pdf-named.txt"
    route_check "$name" "$work/$name-pdf-named.txt" "$want"
}

seed harrow tests/unit/data/letters/harrow-2003.txt 47
seed bath tests/unit/data/letters/bath-ne-somerset-2003.txt 37

# ---- layouts of our own --------------------------------------------------------------------
expect_error() {  # expect_error LABEL FILE WORDS: import refuses FILE, saying WORDS
    if "$bin" import "$2" >"$work/e.out" 2>"$work/e.err"; then
        fail "$1: import accepted it"
    elif grep -q "$3" "$work/e.err"; then pass
    else fail "$1: the error does not say '$3'"; cat "$work/e.err"; fi
}

# a letter whose findings sit in a table: each row a finding with its tag
cat >"$work/table.html" <<'EOF'
<html><body><p>PERFORMANCE REVIEW REPORT 2003: (TABLESHIRE)</p>
<p>SERVICES TO ADULTS</p><p>Areas for Improvement</p>
<p>Assessment has highlighted the following concerns about performance:</p>
<table border="1"><tr><td><ul><li>delays in delivering equipment (D38); (Standard 3)</li></ul></td></tr>
<tr><td><ul><li>too few carers assessments; (Standard 3)</li></ul></td></tr></table>
<p>Capacity for Improvement (Standard 6)</p>
<p>Assessment has highlighted the following improvements to capacity:</p>
<ul><li>a workforce strategy is in place.</li></ul></body></html>
EOF
soffice_to 'docx:MS Word 2007 XML' "$work/table.html"
soffice_to pdf:writer_pdf_Export "$work/table.docx"
for f in "$work/table.docx" "$work/table.pdf"; do
    if "$bin" import "$f" >"$work/t.yaml" 2>"$work/t.err"; then
        n=$(findings "$work/t.yaml" | grep -c '\[3\]')
        if [ "$n" -eq 2 ]; then pass; else fail "table $(basename "$f"): $n tagged findings, want 2"; cat "$work/t.yaml"; fi
    else
        fail "table $(basename "$f"): import failed"; cat "$work/t.err"
    fi
done

# two columns: refused with a clear error, never read across the columns
awk -f tests/import/tohtml.awk tests/unit/data/letters/harrow-2003.txt >"$work/cols.html"
sed -i 's|<body>|<body><div style="column-count:2">|; s|</body>|</div></body>|' "$work/cols.html"
soffice_to 'odt' "$work/cols.html"
# LibreOffice drops CSS columns from HTML: set the columns in the document's own styles
if [ -s "$work/cols.odt" ]; then
    (cd "$work" && mkdir -p c && cd c && unzip -q -o ../cols.odt &&
        sed -i 's|<style:page-layout-properties |<style:page-layout-properties fo:column-count="2" |' styles.xml &&
        sed -i 's|</style:page-layout-properties>|<style:columns fo:column-count="2" fo:column-gap="0.5in"/></style:page-layout-properties>|' styles.xml &&
        zip -q -X -0 ../cols2.odt mimetype && zip -q -X -r ../cols2.odt . -x mimetype) &&
        soffice_to pdf:writer_pdf_Export "$work/cols2.odt"
fi
if [ -s "$work/cols2.pdf" ]; then
    expect_error "two columns" "$work/cols2.pdf" "two columns"
    pdftotext -layout "$work/cols2.pdf" "$work/cols2.txt"
    expect_error "two columns as text" "$work/cols2.txt" "two columns"
else
    fail "two columns: the PDF was not made"
fi

# not letters: other binaries, UTF-16, a zip that is no document, a damaged PDF
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$work/image.png"
expect_error "PNG" "$work/image.png" "save the letter as PDF"
iconv -f utf-8 -t utf-16 tests/unit/data/letters/harrow-2003.txt >"$work/utf16.txt"
expect_error "UTF-16" "$work/utf16.txt" "UTF-16"
(cd "$work" && printf 'x' >a.txt && zip -q plain.zip a.txt)
expect_error "zip" "$work/plain.zip" "neither a Word"
head -c 400 "$work/harrow-list.pdf" >"$work/cut.pdf"
expect_error "damaged PDF" "$work/cut.pdf" "PDF"

echo "roundtrip: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
