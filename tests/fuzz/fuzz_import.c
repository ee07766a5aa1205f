/*
 * fuzz_import.c — libFuzzer target for `starrate import`: runs the letter importer on the
 * bytes and, when it accepts them, the YAML writer and the warning formatter. Besides the
 * sanitizers' checks it aborts when the YAML is not valid UTF-8 or holds a control character
 * other than a line feed (the writer promises output any YAML reader accepts), and when a
 * line of the annex is not accounted for (nothing may be dropped silently).
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Ievaluator/src \
 *         tests/fuzz/fuzz_import.c evaluator/core/common.c evaluator/core/import.c -o fuzz_import
 *   ./fuzz_import -dict=tests/fuzz/import.dict tests/fuzz/corpus/import
 */
#include "import.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Valid UTF-8 without controls (except '\n') and without unescaped C1 code points. */
static int clean_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n') || c == 0x7F)
                return 0;
            i++;
            continue;
        }
        size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                   : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (len == 0 || i + len > n)
            return 0;
        uint32_t v = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            v = (v << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
            (v >= 0xD800 && v <= 0xDFFF) || (v >= 0x80 && v <= 0xA0) || v == 0xFEFF ||
            v == 0x2028 || v == 0x2029 || v == 0xFFFE || v == 0xFFFF)
            return 0;
        i += len;
    }
    return 1;
}

static int covered(const im_note *v, size_t n, int line)
{
    for (size_t i = 0; i < n; i++)
        if (line >= v[i].line && line <= v[i].end_line)
            return 1;
    return 0;
}

/* No text dropped: every line of the annex with a letter or digit in it belongs to a finding,
 * a heading, a note or a skipped page artefact. Lines end as the importer reads them: LF,
 * CRLF or a lone CR. */
static int all_lines_accounted(const im_letter *l, const uint8_t *d, size_t n)
{
    int line = 1, text = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || d[i] == '\n' || d[i] == '\r') {
            if (text && line >= l->heading_line && line <= l->end_line) {
                int ok = covered(l->notes, l->nnotes, line) ||
                         covered(l->headings, l->nheadings, line) ||
                         covered(l->skipped, l->nskipped, line);
                for (size_t k = 0; !ok && k < l->nfindings; k++)
                    ok = line >= l->findings[k].line && line <= l->findings[k].end_line;
                if (!ok)
                    return 0;
            }
            if (i < n && d[i] == '\r' && i + 1 < n && d[i + 1] == '\n')
                i++;
            line++;
            text = 0;
        } else if ((d[i] >= '0' && d[i] <= '9') || ((d[i] | 0x20) >= 'a' && (d[i] | 0x20) <= 'z')) {
            text = 1;
        }
    }
    return 1;
}

/* The PAF catalogue of the rounds seen so far, kept across inputs: loading a pack per input
 * would make the search crawl. Run from the source tree (rules/) or set STARRATE_RULES. */
static im_catalogue cat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;  /* letters are small; long inputs only slow the search down */
    im_letter *l = NULL;
    sr_error err;
    sr_error_clear(&err);
    int rc = im_parse("fuzz.txt", (const char *)data, size, &cat, &l, &err);
    if (rc != SR_OK) {
        if (l || (rc != SR_EINPUT && rc != SR_ENOMEM))
            abort();
        return 0;
    }
    sr_buf y, w;
    sr_buf_init(&y);
    sr_buf_init(&w);
    if (im_write_yaml(l, "fuzz.txt", &y) != SR_OK || im_warnings(l, "fuzz.txt", &w) != SR_OK)
        abort();
    if (!clean_utf8((const unsigned char *)y.data, y.len))
        abort();
    size_t total = 0;
    for (size_t s = 0; s < l->nservices; s++)
        for (int k = 0; k < 4; k++)
            total += im_count(l, (int)s, (im_section)k);
    if (total != l->nfindings)
        abort();
    for (size_t i = 0; i < l->nfindings; i++) {  /* a finding spans its bullet and details */
        const im_finding *f = &l->findings[i];
        if (f->line < l->heading_line || f->line > f->end_line || f->end_line > l->end_line)
            abort();
        for (size_t d = 0; d < f->ndetails; d++)
            if (f->detail_lines[d] <= f->line || f->detail_lines[d] > f->end_line)
                abort();
    }
    if (!all_lines_accounted(l, data, size))
        abort();
    sr_buf_free(&y);
    sr_buf_free(&w);
    im_free(l);
    return 0;
}
