# tohtml.awk — a plain-text letter as the HTML a word processor would open: every bullet
# ("- ", "· ", "• ") a list item, nested by its indentation, every other line a paragraph.
# Used by roundtrip.sh to make Word and PDF versions of a letter with real lists.
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
function close_to(d) { while (depth > d) { print "</ul>"; depth-- } }
BEGIN { depth = 0; print "<html><head><meta charset=\"utf-8\"></head><body>" }
{
    sub(/\r$/, "")
    line = $0
    match(line, /^ */); ind = RLENGTH
    rest = substr(line, ind + 1)
    if (rest ~ /^(-|·|•) /) {
        sub(/^(-|·|•) +/, "", rest)
        d = ind > 0 ? 2 : 1
        while (depth < d) { print "<ul>"; depth++ }
        close_to(d)
        print "<li>" esc(rest) "</li>"
        next
    }
    close_to(0)
    if (rest != "") print "<p>" esc(rest) "</p>"
}
END { close_to(0); print "</body></html>" }
