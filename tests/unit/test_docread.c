/*
 * test_docread.c — documents to text (suite "docread"): type told by content, the Word and
 * OpenDocument readers on the committed fuzz seeds, PDF, and the refusals with what to do;
 * PAF CSV (suite "paf"): strict reading with positions, merging into evidence; and the import
 * pipeline's refusal of evidence rate would not read (suite "importer").
 */
#include "docread.h"
#include "importer.h"
#include "paf.h"

#include <criterion/criterion.h>

/* The services of the real rounds' packs, in pack order (a letter's service indexes). */
enum { SVC_CHILDREN = 0, SVC_ADULTS = 1 };
#include <stdlib.h>
#include <string.h>

#ifndef SR_SOURCE_ROOT
#define SR_SOURCE_ROOT "."
#endif

static char *slurp_seed(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fuzz/corpus/docread/%s", SR_SOURCE_ROOT, name);
    char *t = NULL;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(sr_read_file(path, 1 << 22, &t, len, &err), SR_OK, "%s", err.msg);
    return t;
}

static char *read_doc(const char *name, dr_kind want)
{
    size_t n;
    char *d = slurp_seed(name, &n);
    char *t = NULL;
    size_t tl;
    dr_kind k;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(dr_read(name, d, n, &k, &t, &tl, &err), SR_OK, "%s", err.msg);
    cr_expect_eq(k, want);
    cr_expect_eq(strlen(t), tl);
    sr_free(d);
    return t;
}

Test(docread, docx_paragraphs_and_nested_list_items)
{
    char *t = read_doc("harrow-list.docx", DR_DOCX);
    cr_expect(strstr(t, "PERFORMANCE REVIEW REPORT 2003:\n"));
    cr_expect(strstr(t, "\n- ") && strstr(t, "positive response to the Children"));
    cr_expect(strstr(t, "\n  - ") && strstr(t, "re-launch of the Area Child Protection"), "%.600s", t);
    sr_free(t);
}

Test(docread, odt_list_items)
{
    char *t = read_doc("bath-list.odt", DR_ODT);
    cr_expect(strstr(t, "\n- Improved stability of placements"), "%.600s", t);
    sr_free(t);
}

Test(docread, pdf_text_with_pages)
{
    char *t = read_doc("harrow-enscript.pdf", DR_PDF);
    cr_expect(strstr(t, "PERFORMANCE REVIEW REPORT 2003:"));
    cr_expect(strchr(t, '\f'), "a form feed between pages");
    sr_free(t);
}

static void refused(const char *data, size_t len, const char *words)
{
    dr_kind k;
    sr_error err;
    sr_error_clear(&err);
    char *t = NULL;
    size_t tl;
    cr_expect_eq(dr_read("x", data, len, &k, &t, &tl, &err), SR_EINPUT);
    cr_expect_null(t);
    cr_expect(strstr(err.msg, words), "'%s' does not say '%s'", err.msg, words);
}

Test(docread, other_types_are_refused_saying_what_to_do)
{
    refused("\xFF\xFEP\0E\0R\0", 8, "UTF-16");
    refused("P\0E\0R\0F\0O\0R\0M\0A\0N\0C\0E\0 \0R\0E\0", 28, "UTF-16");
    refused("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "save the letter as PDF");
    refused("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", 10, ".doc");
    refused("{\\rtf1\\ansi hello}", 18, "RTF");
    refused("PK\x03\x04garbage that is no zip", 26, "zip");
    refused("%PDF-1.4\ngarbage", 16, "damaged PDF");
    dr_kind k;
    sr_error err;
    sr_error_clear(&err);
    cr_expect_eq(dr_detect("x", "plain text, with a \xE2\x80\xA2 bullet", 29, &k, &err), SR_OK);
    cr_expect_eq(k, DR_TEXT);
}

/* ---- PAF CSV ---------------------------------------------------------------------------- */

static im_catalogue *cat2003(void)
{
    static im_catalogue cat;
    sr_error err;
    sr_error_clear(&err);
    setenv("STARRATE_RULES", SR_SOURCE_ROOT "/rules", 1);
    cr_assert_eq(im_catalogue_for(&cat, 2003, &err), SR_OK, "%s", err.msg);
    return &cat;
}

static void paf_rejects(const char *csv, int line, int col, const char *msg)
{
    pf_table t;
    sr_error err;
    sr_error_clear(&err);
    cr_expect_eq(pf_read("p.csv", csv, strlen(csv), cat2003(), &t, &err), SR_EINPUT, "%s", csv);
    cr_expect_eq(err.line, line, "%s: line %d", csv, err.line);
    cr_expect_eq(err.col, col, "%s: col %d", csv, err.col);
    cr_expect(strstr(err.msg, msg), "'%s' does not say '%s'", err.msg, msg);
}

Test(paf, reads_rows_with_header_and_optional_columns)
{
    const char *csv = "\xEF\xBB\xBF" "code,value,previous,band\r\nD42, 12.5 ,8,2\r\n\r\nA2,41,,3\nD39,68%\n";
    pf_table t;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(pf_read("p.csv", csv, strlen(csv), cat2003(), &t, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(t.n, 3);
    cr_expect_str_eq(t.rows[0].code, "D42");
    cr_expect_eq(t.rows[0].service, SVC_ADULTS);
    cr_expect_eq(t.rows[0].value, 12.5);
    cr_expect(t.rows[0].has_previous && t.rows[0].previous == 8);
    cr_expect_eq(t.rows[0].band, 2);
    cr_expect_eq(t.rows[1].service, SVC_CHILDREN);
    cr_expect(!t.rows[1].has_previous);
    cr_expect_eq(t.rows[2].value, 68);
    cr_expect_eq(t.rows[2].line, 5);
    sr_buf b;
    sr_buf_init(&b);
    pf_put_entry(&b, &t, &t.rows[0]);
    cr_expect_str_eq(b.data, "{code: D42, value: 12.5, previous: 8, band: 2, origin: return, "
                             "note: \"p.csv:2\"}");
    sr_buf_free(&b);
    pf_free(&t);
}

Test(paf, strict_errors_at_line_and_column)
{
    paf_rejects("D42,abc\n", 1, 5, "expected a number");
    paf_rejects("D42,1\nZ9,2\n", 2, 1, "unknown indicator code 'Z9'");
    paf_rejects("D42,1\n D42,2\n", 2, 2, "given twice (first at line 1)");
    paf_rejects("D42,1,2,6\n", 1, 9, "band");
    paf_rejects("D42,1,2,3,4\n", 1, 11, "more than 4 columns");
    paf_rejects("D42\n", 1, 1, "expected code,value");
    paf_rejects("\"D42\",1\n", 1, 1, "quotes");
    paf_rejects("D42,nan\n", 1, 5, "expected a number");
    paf_rejects("code,value\n", 1, 0, "no indicator rows");
}

Test(paf, merges_into_an_evidence_file_keeping_its_lines)
{
    const char *ev = "# a council's own comment\ncouncil: X\nyear: 2003\nchildren:\n"
                     "  findings:\n    - {text: t, kind: strength}\nadults:\n  indicators:\n"
                     "    - {code: D39, value: 70}\n\n  # kept\n  findings: []\n";
    const char *csv = "A2,41\nD42,12\n";
    pf_table t;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(pf_read("p.csv", csv, strlen(csv), cat2003(), &t, &err), SR_OK, "%s", err.msg);
    yd_node *root = NULL;
    cr_assert_eq(yd_parse("e.yaml", ev, strlen(ev), NULL, &root, &err), SR_OK, "%s", err.msg);
    sr_buf b;
    sr_buf_init(&b);
    cr_assert_eq(pf_merge_evidence("e.yaml", ev, strlen(ev), root, &t, &b, &err), SR_OK, "%s",
                 err.msg);
    cr_expect_str_eq(b.data,
                     "# a council's own comment\ncouncil: X\nyear: 2003\nchildren:\n"
                     "  indicators:\n"
                     "    - {code: A2, value: 41, origin: return, note: \"p.csv:1\"}\n"
                     "  findings:\n    - {text: t, kind: strength}\nadults:\n  indicators:\n"
                     "    - {code: D39, value: 70}\n"
                     "    - {code: D42, value: 12, origin: return, note: \"p.csv:2\"}\n"
                     "\n  # kept\n  findings: []\n");
    sr_buf_free(&b);
    yd_free(root);
    pf_free(&t);
}

Test(paf, a_code_the_file_already_gives_is_an_error)
{
    const char *ev = "council: X\nyear: 2003\nadults:\n  indicators:\n    - {code: D42, value: 70}\n";
    pf_table t;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(pf_read("p.csv", "D42,1\n", 6, cat2003(), &t, &err), SR_OK);
    yd_node *root = NULL;
    cr_assert_eq(yd_parse("e.yaml", ev, strlen(ev), NULL, &root, &err), SR_OK);
    sr_buf b;
    sr_buf_init(&b);
    cr_expect_eq(pf_merge_evidence("e.yaml", ev, strlen(ev), root, &t, &b, &err), SR_EINPUT);
    cr_expect_eq(err.line, 5);
    cr_expect(strstr(err.msg, "already given"), "%s", err.msg);
    sr_buf_free(&b);
    yd_free(root);
    pf_free(&t);
}

/* ---- the pipeline ------------------------------------------------------------------------ */

Test(importer, evidence_rate_would_refuse_is_not_written)
{
    cat2003();
    sr_buf l;
    sr_buf_init(&l);
    sr_buf_puts(&l, "PERFORMANCE REVIEW REPORT 2003: (TEST)\n\nSERVICES TO ADULTS\n\n"
                    "Areas for Improvement\n\n- ");
    for (int i = 0; i < 9000; i++)
        sr_buf_puts(&l, "longword ");
    sr_buf_puts(&l, "(Standard 3)\n");
    ix_input in = {"long.txt", l.data, l.len};
    sr_buf y, w;
    sr_buf_init(&y);
    sr_buf_init(&w);
    sr_error err;
    sr_error_clear(&err);
    int rc = ix_run(&in, NULL, NULL, &y, &w, &err);
    cr_expect_neq(rc, SR_OK);
    cr_expect(strstr(err.msg, "would be refused by rate"), "%s", err.msg);
    sr_buf_free(&y);
    sr_buf_free(&w);
    sr_buf_free(&l);
}
