/*
 * test_backtest.c — the backtest: the strict CSV reader (every rejection pinned with its
 * line and column), the search over missing judgements, and the command end to end (a wrong
 * row is listed and gives exit status 1; the calibration file agrees). Also the HTML report's
 * unit tests (suite `report`), which share the command-running helpers; the report's
 * end-to-end test in a browser is tests/report/browser_test.sh.
 */
#include "backtest.h"
#include "cmd.h"
#include "helpers.h"
#include "html.h"

#include <stdlib.h>
#include <unistd.h>

TH_COMMAND(backtest)
TH_COMMAND(report)

/* ---- the CSV reader ------------------------------------------------------------------- */

static bt_csv *parse_ok(const char *text)
{
    bt_csv *csv = NULL;
    sr_error err;
    sr_error_clear(&err);
    int rc = bt_csv_parse("t.csv", text, strlen(text), &csv, &err);
    cr_assert_eq(rc, SR_OK, "%d:%d: %s", err.line, err.col, err.msg);
    return csv;
}

Test(backtest, csv_reads_quotes_crlf_and_positions)
{
    bt_csv *csv = parse_ok("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n1,,3");
    cr_assert_eq(csv->n, 3);
    cr_assert_eq(csv->records[1].n, 3);
    cr_assert_str_eq(csv->records[1].fields[0].text, "x, y");
    cr_assert_str_eq(csv->records[1].fields[1].text, "say \"hi\"");
    cr_assert_str_eq(csv->records[1].fields[2].text, "two\nlines");
    cr_assert_eq(csv->records[1].fields[2].line, 2);
    cr_assert_eq(csv->records[1].fields[2].col, 21);
    /* the quoted newline moved the next record to line 4 */
    cr_assert_eq(csv->records[2].line, 4);
    cr_assert_str_eq(csv->records[2].fields[1].text, "");
    cr_assert_eq(csv->records[2].fields[2].col, 4);
    cr_assert_str_eq(csv->records[2].fields[2].text, "3");
    bt_csv_free(csv);
}

Test(backtest, csv_final_newline_is_optional)
{
    bt_csv *a = parse_ok("h1,h2\nv1,v2\n");
    bt_csv *b = parse_ok("h1,h2\nv1,v2");
    cr_assert_eq(a->n, 2);
    cr_assert_eq(b->n, 2);
    cr_assert_str_eq(b->records[1].fields[1].text, "v2");
    bt_csv_free(a);
    bt_csv_free(b);
}

typedef struct reject_case {
    const char *text;
    int line, col;
    const char *msg;
} reject_case;

static const reject_case rejects[] = {
    {"", 1, 1, "empty file"},
    {"\xEF\xBB\xBF" "a,b\n", 1, 1, "byte order mark"},
    {"a,b\nx\"y,z\n", 2, 2, "quote in an unquoted field"},
    {"a,b\n\"x\"y,z\n", 2, 4, "text after a closing quote"},
    {"a,b\n1,2\n\"open,z\n", 3, 1, "unterminated quoted field"},
    {"a,b\rc\n", 1, 4, "carriage return not followed by a line feed"},
    {"a,b\n1,2\n\n3,4\n", 3, 1, "blank line"},
    {"a,b,c\n1,2\n", 2, 4, "too few fields: 2 (the header has 3)"},
    {"a,b\n1,2,3\n", 2, 5, "too many fields: 3 (the header has 2)"},
    {"a,b\n1,x\0y\n", 2, 4, "NUL byte"},
};

Test(backtest, csv_rejections_are_positioned)
{
    for (size_t i = 0; i < sizeof rejects / sizeof rejects[0]; i++) {
        const reject_case *rc = &rejects[i];
        /* the NUL case needs its real length */
        size_t len = strlen(rc->text);
        if (strstr(rc->msg, "NUL"))
            len = 11;
        bt_csv *csv = (bt_csv *)1;
        sr_error err;
        sr_error_clear(&err);
        cr_assert_eq(bt_csv_parse("t.csv", rc->text, len, &csv, &err), SR_EINPUT, "case %zu", i);
        cr_assert_null(csv, "case %zu", i);
        cr_assert_str_eq(err.file, "t.csv");
        cr_assert_eq(err.line, rc->line, "case %zu (%s): line %d", i, rc->msg, err.line);
        cr_assert_eq(err.col, rc->col, "case %zu (%s): col %d", i, rc->msg, err.col);
        cr_assert(strstr(err.msg, rc->msg), "case %zu: '%s'", i, err.msg);
    }
}

/* Every allocation of the reader may fail: the error is out of memory and nothing leaks
 * (the sanitizer build checks the leaks). */
Test(backtest, csv_survives_every_failed_allocation)
{
    const char *text = "a,b,c\n\"x, y\",2,3\n4,5,6\n7,8,9\n";
    int failures = 0;
    for (long n = 1; n < 200; n++) {
        bt_csv *csv = NULL;
        sr_error err;
        sr_error_clear(&err);
        sr_alloc_fail_at(n);
        int rc = bt_csv_parse("t.csv", text, strlen(text), &csv, &err);
        sr_alloc_fail_at(0);
        if (rc == SR_OK) {
            cr_assert_eq(csv->n, 4);
            bt_csv_free(csv);
            break;
        }
        cr_assert_eq(rc, SR_ENOMEM, "allocation %ld: %s", n, err.msg);
        cr_assert_null(csv);
        failures++;
    }
    cr_assert_gt(failures, 3);
}

/* ---- inference ------------------------------------------------------------------------ */

/* Word indexes: serving no=0 some=1 most=2 yes=3; capacity poor=0 uncertain=1 promising=2
 * excellent=3; services children=0 adults=1 (checked in test_stars.c). */
enum { NO, SOME, MOST, YES };
enum { POOR, UNCERTAIN, PROMISING, EXCELLENT };
#define BIT(w) (1u << (w))

static int rule_index(const rp_pack *p, const char *id)
{
    for (size_t i = 0; i < p->nstar_rules; i++)
        if (strcmp(p->star_rules[i].id, id) == 0)
            return (int)i;
    cr_assert_fail("no star rule %s", id);
    return -1;
}

Test(backtest, infer_complete_row)
{
    rp_pack *p = th_pack(RULES_DIR("2002"));
    int sv[2] = {MOST, SOME}, cp[2] = {PROMISING, PROMISING};
    bt_inference inf;
    sr_error err;
    cr_assert_eq(bt_infer(p, sv, cp, 2, &inf, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(inf.completions, 1);
    cr_assert_eq(inf.consistent, 1);
    cr_assert_eq(inf.possible, BIT(2));
    cr_assert_eq(inf.row, rule_index(p, "most-served"));
    rp_free(p);
}

Test(backtest, infer_kensington_capacities_must_be_promising_or_better)
{
    rp_pack *p = th_pack(RULES_DIR("2002"));
    int sv[2] = {YES, YES}, cp[2] = {-1, -1};
    bt_inference inf;
    sr_error err;
    cr_assert_eq(bt_infer(p, sv, cp, 3, &inf, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(inf.completions, 16);
    cr_assert_eq(inf.consistent, 4);
    cr_assert_eq(inf.possible, BIT(0) | BIT(1) | BIT(3));
    cr_assert_eq(inf.row, -1);
    for (int s = 0; s < 2; s++) {
        cr_assert_eq(inf.capacity[s], BIT(PROMISING) | BIT(EXCELLENT), "service %d", s);
        cr_assert_eq(inf.serving[s], BIT(YES));
    }
    cr_assert_eq(inf.rules, (1ull << rule_index(p, "all-served")) | (1ull << rule_index(p, "excellent-both")));
    rp_free(p);
}

Test(backtest, infer_three_stars_from_most_needs_both_excellent)
{
    rp_pack *p = th_pack(RULES_DIR("2003"));
    int sv[2] = {MOST, MOST}, cp[2] = {-1, -1};
    bt_inference inf;
    sr_error err;
    cr_assert_eq(bt_infer(p, sv, cp, 3, &inf, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(inf.consistent, 1);
    cr_assert_eq(inf.capacity[0], BIT(EXCELLENT));
    cr_assert_eq(inf.capacity[1], BIT(EXCELLENT));
    cr_assert_eq(inf.rules, 1ull << rule_index(p, "excellent-both"));
    rp_free(p);
}

Test(backtest, infer_missing_serving_and_an_unreachable_rating)
{
    rp_pack *p = th_pack(RULES_DIR("2003"));
    bt_inference inf;
    sr_error err;
    /* one star with children some/promising: adults must not fail and not lift it to two */
    int sv[2] = {SOME, -1}, cp[2] = {PROMISING, -1};
    cr_assert_eq(bt_infer(p, sv, cp, 1, &inf, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(inf.completions, 16);
    cr_assert_eq(inf.serving[1], BIT(SOME) | BIT(MOST) | BIT(YES));
    cr_assert_eq(inf.capacity[1], BIT(UNCERTAIN) | BIT(PROMISING) | BIT(EXCELLENT));
    /* adults some with any capacity but poor (3), or most/yes with uncertain capacity (2);
     * most/yes with promising or better would give two stars, no or poor none */
    cr_assert_eq(inf.consistent, 5, "got %ld", inf.consistent);
    /* a failing service can never give three stars */
    int sv2[2] = {NO, -1}, cp2[2] = {-1, -1};
    cr_assert_eq(bt_infer(p, sv2, cp2, 3, &inf, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(inf.consistent, 0);
    cr_assert_eq(inf.possible, BIT(0));
    cr_assert_eq(inf.row, rule_index(p, "failure"));
    rp_free(p);
}

/* ---- the command ---------------------------------------------------------------------- */

static captured run_backtest(const char *const *args, int n)
{
    char *argv[16];
    for (int i = 0; i < n; i++)
        argv[i] = (char *)args[i];
    return th_run(th_backtest, n, argv);
}



static const char header[] =
    "council,year,children_serving,children_capacity,adults_serving,adults_capacity,stars\n";

Test(backtest, calibration_file_agrees)
{
    const char *args[] = {SR_SOURCE_ROOT "/scenarios/published/outcomes.csv"};
    captured c = run_backtest(args, 1);
    cr_assert_eq(c.status, 0, "%s%s", c.out, c.err);
    cr_assert(strstr(c.out, "complete rows: 7, 7 agree (accuracy 100%)"), "%s", c.out);
    cr_assert(strstr(c.out, "partial rows: 1, 1 consistent"), "%s", c.out);
    cr_assert(strstr(c.out, "Mismatches: none"), "%s", c.out);
    cr_assert_str_eq(c.err, "");
    captured_free(&c);
}

Test(backtest, wrong_row_is_listed_and_fails)
{
    char text[1024];
    snprintf(text, sizeof text, "%sWalsall,May 2002,no,poor,no,poor,0\n"
                                "Wrongshire,Nov 2003,most,promising,most,promising,3\n", header);
    char *path = th_write_temp(text);
    const char *args[] = {path};
    captured c = run_backtest(args, 1);
    unlink(path);
    cr_assert_eq(c.status, 1, "%s", c.out);
    cr_assert(strstr(c.out, "line 3: Wrongshire, Nov 2003") && strstr(c.out, "DISAGREES"), "%s", c.out);
    cr_assert(strstr(c.out, "Mismatches: 1"), "%s", c.out);
    cr_assert(strstr(c.out, ":3: Wrongshire, Nov 2003: published 3 stars, the rules give 2 stars "
                            "by rule most-served: "), "%s", c.out);
    cr_assert(strstr(c.out, "rules/2002/stars.lua:"), "%s", c.out);
    cr_assert(strstr(c.out, "complete rows: 2, 1 agree (accuracy 50%)"), "%s", c.out);
    captured_free(&c);
}

Test(backtest, partial_row_json_gives_the_values_it_needs)
{
    char text[1024];
    snprintf(text, sizeof text, "%sSomewhere,Nov 2003,most,,most,,3\n", header);
    char *path = th_write_temp(text);
    const char *args[] = {"--format", "json", path};
    captured c = run_backtest(args, 3);
    unlink(path);
    cr_assert_eq(c.status, 0, "%s%s", c.out, c.err);
    cr_assert(strstr(c.out, "\"kind\": \"partial\""), "%s", c.out);
    cr_assert(strstr(c.out, "\"consistent_completions\": 1"), "%s", c.out);
    cr_assert(strstr(c.out, "\"children\": {\n          \"capacity\": [\n            \"excellent\"\n          ]"),
              "%s", c.out);
    cr_assert(strstr(c.out, "\"rules\": [\n        \"excellent-both\"\n      ]"), "%s", c.out);
    captured_free(&c);
}

Test(backtest, unreachable_partial_row_fails)
{
    char text[1024];
    snprintf(text, sizeof text, "%sNowhere,2002,no,,,,2\n", header);
    char *path = th_write_temp(text);
    const char *args[] = {path};
    captured c = run_backtest(args, 1);
    unlink(path);
    cr_assert_eq(c.status, 1, "%s", c.out);
    cr_assert(strstr(c.out, "INCONSISTENT"), "%s", c.out);
    cr_assert(strstr(c.out, "no completion of the missing judgements gives it (possible: 0)"), "%s", c.out);
    captured_free(&c);
}

Test(backtest, value_errors_are_positioned)
{
    static const struct { const char *row; const char *msg; } cases[] = {
        {"A,2002,mostly,poor,no,poor,0\n", ":2:8: error: unknown word 'mostly' in column children_serving"},
        {"A,Spring 2002,no,poor,no,poor,0\n", ":2:3: error: year 'Spring 2002' is not a round"},
        {"A,1999,no,poor,no,poor,0\n", ":2:3: error: no rule pack for round 1999"},
        {"A,2002,no,poor,no,poor,4\n", ":2:24: error: stars '4' is not a rating from 0 to 3"},
        {"A,2002,no,poor,no,poor,01\n", ":2:24: error: stars '01' is not a rating"},
        {",2002,no,poor,no,poor,0\n", ":2:1: error: empty council name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s", header, cases[i].row);
        char *path = th_write_temp(text);
        const char *args[] = {path};
        captured c = run_backtest(args, 1);
        unlink(path);
        cr_assert_eq(c.status, 1, "case %zu", i);
        cr_assert_str_eq(c.out, "", "case %zu: nothing is printed for a rejected file", i);
        cr_assert(strstr(c.err, cases[i].msg), "case %zu: %s", i, c.err);
        captured_free(&c);
    }
}

Test(backtest, header_errors)
{
    static const struct { const char *text; const char *msg; } cases[] = {
        {"council,year,stars,children_serving,children_capacity,kids\nA,2002,1,no,poor,x\n",
         ":1:55: error: unknown column 'kids'"},
        {"council,year,year,children_serving,children_capacity,stars\nA,2002,2002,no,poor,0\n",
         ":1:14: error: duplicate column 'year'"},
        {"council,year,children_serving,adults_serving,adults_capacity\nA,2002,no,no,poor\n",
         ":1:1: error: missing column 'stars'"},
        {"council,year,stars,children_serving,children_capacity\nA,2002,0,no,poor\n",
         ":2:3: error: rule pack ssi-2002 declares service 'adults' but the file has no column adults_serving"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = th_write_temp(cases[i].text);
        const char *args[] = {path};
        captured c = run_backtest(args, 1);
        unlink(path);
        cr_assert_eq(c.status, 1, "case %zu", i);
        cr_assert(strstr(c.err, cases[i].msg), "case %zu: %s", i, c.err);
        captured_free(&c);
    }
}

Test(backtest, usage_errors_exit_2)
{
    const char *none[] = {"--format", "json"};
    captured c = run_backtest(none, 2);
    cr_assert_eq(c.status, 2);
    cr_assert(strstr(c.err, "backtest needs an outcomes file"), "%s", c.err);
    captured_free(&c);
    const char *fmt[] = {"--format", "csv", "x.csv"};
    c = run_backtest(fmt, 3);
    cr_assert_eq(c.status, 2);
    cr_assert(strstr(c.err, "unknown format 'csv'"), "%s", c.err);
    captured_free(&c);
    const char *help[] = {"--help"};
    c = run_backtest(help, 1);
    cr_assert_eq(c.status, 0);
    cr_assert(strstr(c.out, "usage: starrate backtest"), "%s", c.out);
    captured_free(&c);
}

/* Every allocation of a whole run may fail (sampled: a run makes thousands): the command
 * reports it, exits 1, and leaks nothing. */
static void sweep_failures(int (*main_fn)(int, char **, FILE *, FILE *), char **argv, int argc)
{
    setenv("STARRATE_RULES", SR_SOURCE_ROOT "/rules", 1);
    /* sampled over every allocation: without the fit of the report's "How sure" */
    setenv("STARRATE_UNSURE", "off", 1);
    FILE *sink = fopen("/dev/null", "w");
    cr_assert(sink);
    sr_alloc_reset_count();
    cr_assert_eq(main_fn(argc, argv, sink, sink), 0);
    long total = sr_alloc_count();
    cr_assert_gt(total, 100);
    int failed_runs = 0;
    /* Every 13th allocation, or about 500 runs in all when a run makes more (the report's
     * seek evaluates the rules hundreds of times). */
    long step = total / 500 > 13 ? total / 500 : 13;
    for (long n = 1; n <= total; n += n < 64 ? 1 : step) {
        sr_alloc_fail_at(n);
        int status = main_fn(argc, argv, sink, sink);
        /* A run whose count falls short of n never met the fault (the report's seek makes a
         * number of Lua allocations that varies from run to run with Lua's hash seed). */
        long made = sr_alloc_count();
        sr_alloc_fail_at(0);
        if (made < n)
            continue;
        cr_assert_eq(status, 1, "allocation %ld of %ld failed but the exit status is %d", n, total, status);
        failed_runs++;
    }
    cr_assert_gt(failed_runs, 64);
    fclose(sink);
}

Test(backtest, survives_failed_allocations)
{
    char *argv[] = {SR_SOURCE_ROOT "/scenarios/published/outcomes.csv"};
    sweep_failures(th_backtest, argv, 1);
}

/* ---- the HTML report ------------------------------------------------------------------ */

static captured run_report(char **argv, int argc)
{
    return th_run(th_report, argc, argv);
}

Test(report, escape_covers_markup_and_quotes)
{
    sr_buf b;
    sr_buf_init(&b);
    html_txt(&b, "<a href=\"x\">Tom & 'Jerry'</a>");
    html_txt(&b, NULL);
    cr_assert_str_eq(b.data, "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
    sr_buf_free(&b);
}

/* The helpers escape by construction: an attribute is quoted and escaped, formatted text is
 * escaped after formatting (also past the writer's small buffer), markup is written as is. */
Test(report, html_helpers_escape_structurally)
{
    sr_buf b;
    sr_buf_init(&b);
    html_raw(&b, "<td");
    html_attr(&b, "data-value", "\"><script>");
    html_rawf(&b, ">%d ", 3);
    html_txtf(&b, "%s & %d", "<b>", 2);
    cr_assert_str_eq(b.data, "<td data-value=\"&quot;&gt;&lt;script&gt;\">3 &lt;b&gt; &amp; 2");
    sr_buf_free(&b);
    char long_text[600];
    memset(long_text, '<', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    sr_buf_init(&b);
    html_txtf(&b, "%s", long_text);
    cr_assert_eq(b.len, 4 * (sizeof long_text - 1));
    cr_assert_eq(strncmp(b.data, "&lt;&lt;", 8), 0);
    sr_buf_free(&b);
}

Test(report, evidence_text_cannot_inject_markup)
{
    char *path = th_write_temp("council: '<script>alert(1)</script> & \"Co\"'\n"
                            "year: 2003\n"
                            "children: {given: {serving: most, capacity: promising}}\n"
                            "adults: {given: {serving: some, capacity: uncertain}}\n");
    char *argv[] = {path};
    captured c = run_report(argv, 1);
    unlink(path);
    cr_assert_eq(c.status, 0, "%s", c.err);
    cr_assert_null(strstr(c.out, "<script"), "unescaped markup in the report");
    cr_assert(strstr(c.out, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"), "%s", c.out);
    /* the judgements as data attributes, for tests and tools */
    cr_assert(strstr(c.out, "data-service=\"children\" data-serving=\"most\" data-capacity=\"promising\""));
    cr_assert(strstr(c.out, "data-service=\"adults\" data-serving=\"some\" data-capacity=\"uncertain\""));
    cr_assert(strstr(c.out, "data-stars=\"1\""), "%s", c.out);
    captured_free(&c);
}

Test(report, many_councils_get_a_league_table_and_charts)
{
    char *one[] = {SR_SOURCE_ROOT "/scenarios/councils/durham-2003.yaml"};
    captured c = run_report(one, 1);
    cr_assert_eq(c.status, 0, "%s", c.err);
    cr_assert_null(strstr(c.out, "class=\"league\""));
    cr_assert(strstr(c.out, "data-councils=\"1\""));
    captured_free(&c);
    char *three[] = {SR_SOURCE_ROOT "/scenarios/councils/demo-0-star.yaml",
                     SR_SOURCE_ROOT "/scenarios/councils/demo-3-star.yaml",
                     SR_SOURCE_ROOT "/scenarios/councils/durham-2003.yaml"};
    c = run_report(three, 3);
    cr_assert_eq(c.status, 0, "%s", c.err);
    cr_assert(strstr(c.out, "data-councils=\"3\""));
    cr_assert(strstr(c.out, "<table class=\"league\">"));
    cr_assert(strstr(c.out, "<svg class=\"chart\""));
    /* league order: 3 stars, then 2, then 0 */
    const char *three_star = strstr(c.out, "<tr data-council=\"Ashvale");
    const char *durham = strstr(c.out, "<tr data-council=\"Durham");
    const char *zero = strstr(c.out, "<tr data-council=\"Dunmere");
    cr_assert(three_star && durham && zero && three_star < durham && durham < zero, "league order");
    /* one council at each of 0, 2 and 3 stars, none at 1 */
    cr_assert(strstr(c.out, "data-level=\"0\" data-count=\"1\""));
    cr_assert(strstr(c.out, "data-level=\"1\" data-count=\"0\""));
    cr_assert(strstr(c.out, "data-level=\"3\" data-count=\"1\""));
    /* self-contained: no scripts, no stylesheets or images fetched */
    cr_assert_null(strstr(c.out, "<script"));
    cr_assert_null(strstr(c.out, "<link"));
    cr_assert_null(strstr(c.out, " src="));
    captured_free(&c);
}

Test(report, a_rejected_file_is_reported_and_the_others_kept)
{
    char *argv[] = {SR_SOURCE_ROOT "/tests/golden/inputs/bad-word.yaml",
                    SR_SOURCE_ROOT "/scenarios/councils/demo-3-star.yaml"};
    captured c = run_report(argv, 2);
    cr_assert_eq(c.status, 1);
    cr_assert(strstr(c.err, "bad-word.yaml:5:14: error:"), "%s", c.err);
    cr_assert(strstr(c.out, "data-councils=\"1\""), "%s", c.out);
    cr_assert(strstr(c.out, "</html>"));
    captured_free(&c);
}

Test(report, usage)
{
    char *none[] = {"--from-published"};
    captured c = run_report(none, 1);
    cr_assert_eq(c.status, 2);
    cr_assert(strstr(c.err, "report needs at least one evidence file"), "%s", c.err);
    captured_free(&c);
    char *help[] = {"--help"};
    c = run_report(help, 1);
    cr_assert_eq(c.status, 0);
    cr_assert(strstr(c.out, "usage: starrate report"));
    captured_free(&c);
}

Test(report, survives_failed_allocations)
{
    char *argv[] = {SR_SOURCE_ROOT "/scenarios/councils/demo-2-star-capped.yaml",
                    SR_SOURCE_ROOT "/scenarios/councils/harrow-2003.yaml"};
    sweep_failures(th_report, argv, 2);
}
