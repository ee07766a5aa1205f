/*
 * test_report_whatif.c — the report's "What if" section (`starrate report --scenario`): the
 * cells it marks as changed are exactly those whose value moved, a scenario that moves nothing
 * says so, scenario text is escaped, and a rejected scenario is positioned and stops the
 * report from being written. The same pages in a browser: tests/report/browser_test.sh.
 */
#include "cmd.h"
#include "helpers.h"

#include <stdlib.h>
#include <unistd.h>

TH_COMMAND(report)

#define HARROW SR_SOURCE_ROOT "/scenarios/councils/harrow-2003.yaml"
#define WHATIF(file) SR_SOURCE_ROOT "/scenarios/whatif/" file

static captured run_report(char **argv, int argc)
{
    return th_run(th_report, argc, argv);
}



static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The subjects of the rows with a marked cell, in page order, joined with commas. Every
 * table row is one line that starts with its data-subject. */
static void changed_subjects(const char *html, char *out, size_t n)
{
    out[0] = '\0';
    for (const char *line = html; *line;) {
        size_t len = strcspn(line, "\n");
        const char *mark = strstr(line, "data-changed=\"1\"");
        if (mark && mark < line + len && strncmp(line, "<tr data-subject=\"", 18) == 0) {
            size_t k = strcspn(line + 18, "\"");
            snprintf(out + strlen(out), n - strlen(out), "%s%.*s", out[0] ? "," : "", (int)k, line + 18);
        }
        line += len + (line[len] == '\n');
    }
}

/* The table row of one subject, as a string the caller frees. */
static char *row_of(const char *html, const char *subject)
{
    char start[128];
    snprintf(start, sizeof start, "<tr data-subject=\"%s\">", subject);
    const char *p = strstr(html, start);
    cr_assert(p, "no row %s", subject);
    return strndup(p, strcspn(p, "\n"));
}

Test(report_whatif, a_changed_judgement_marks_exactly_its_cells)
{
    char *argv[] = {"--scenario", WHATIF("harrow-children-commissioning.yaml"), HARROW};
    captured c = run_report(argv, 3);
    cr_assert_eq(c.status, 0, "%s", c.err);
    cr_assert_str_eq(c.err, "");
    /* after the council's own section */
    const char *council = strstr(c.out, "<section class=\"council\"");
    const char *whatif = strstr(c.out, "<section class=\"whatif\" id=\"whatif\" data-scenarios=\"1\">");
    cr_assert(council && whatif && council < whatif, "the what-if section does not follow the council");
    /* one grade lifted the children's judgement, and that the stars: nothing else moved */
    char subjects[512];
    changed_subjects(c.out, subjects, sizeof subjects);
    cr_assert_str_eq(subjects, "stars,stars.rule,children.serving,children.standard.2");
    cr_assert_eq(count(c.out, "data-changed=\"1\""), 4);
    cr_assert(strstr(c.out, "data-changed-cells=\"4\""));
    cr_assert_null(strstr(c.out, "data-nochange"));
    /* the baseline is never marked; the scenario cell and the rule that flipped are */
    char *row = row_of(c.out, "children.serving");
    cr_assert(strstr(row, "<td class=\"b2\" data-value=\"some\">"), "%s", row);
    cr_assert(strstr(row, "<td class=\"b4 changed\" data-value=\"most\" data-changed=\"1\">"), "%s", row);
    cr_assert(strstr(row, "data-rule=\"serving-from-standards\""), "%s", row);
    cr_assert(strstr(row, "rules/2002/judgements.lua:95"), "%s", row);
    cr_assert(strstr(row, "&#9650; better"), "%s", row);
    free(row);
    row = row_of(c.out, "stars");
    cr_assert(strstr(row, "data-value=\"1\">1 star<"), "%s", row);
    cr_assert(strstr(row, "data-value=\"2\" data-changed=\"1\">2 stars"), "%s", row);
    cr_assert(strstr(row, "data-rule=\"most-served\""), "%s", row);
    cr_assert(strstr(row, "<span class=\"prov rec\">reconstructed</span>"), "%s", row);
    free(row);
    row = row_of(c.out, "children.capacity");
    cr_assert_null(strstr(row, "changed"), "%s", row);
    cr_assert(strstr(row, "<td class=\"flip\"></td>"), "%s", row);
    free(row);
    /* the change as whatif names it, with where it is written */
    cr_assert(strstr(c.out, "<li>set children.finding.ch-afi-2: improvement, &quot;a commissioning strategy"),
              "%s", c.out);
    cr_assert(strstr(c.out, "harrow-children-commissioning.yaml:11)</span></li>"));
    cr_assert(strstr(c.out, "No indicator changes band."));
    captured_free(&c);
}

Test(report_whatif, a_given_judgement_has_no_rule_and_an_indicator_band_row)
{
    /* D42 to the upper band: the band row appears, then the judgement a scenario states */
    char *path = th_write_temp("name: \"given\"\ndescription: \"d\"\nchanges:\n"
                            "  - set: adults.indicator.D42\n    band: 5\n"
                            "  - set: children.capacity\n    judgement: poor\n");
    char *argv[] = {"--scenario", path, HARROW};
    captured c = run_report(argv, 3);
    unlink(path);
    cr_assert_eq(c.status, 0, "%s", c.err);
    char subjects[512];
    changed_subjects(c.out, subjects, sizeof subjects);
    /* D42 in the upper band also lifts adults' standard 4, as whatif says */
    cr_assert_str_eq(subjects, "stars,stars.rule,children.capacity,adults.standard.4,adults.indicator.D42");
    char *row = row_of(c.out, "children.capacity");
    cr_assert(strstr(row, "data-value=\"poor\" data-changed=\"1\">poor capacity for improvement "
                          "<span class=\"src\">given</span>"), "%s", row);
    cr_assert(strstr(row, "given by the scenario, no rule"), "%s", row);
    cr_assert(strstr(row, "&#9660; worse"), "%s", row);
    free(row);
    row = row_of(c.out, "adults.indicator.D42");
    cr_assert(strstr(row, "data-value=\"5\" data-changed=\"1\">band <strong>5</strong>"), "%s", row);
    free(row);
    captured_free(&c);
}

Test(report_whatif, a_scenario_that_changes_nothing_says_so)
{
    char *argv[] = {"--scenario", WHATIF("harrow-statements-halfway.yaml"), HARROW};
    captured c = run_report(argv, 3);
    cr_assert_eq(c.status, 0, "%s", c.err);
    cr_assert(strstr(c.out, "<p class=\"nochange\" data-nochange=\"1\">No difference from the baseline"), "%s", c.out);
    cr_assert(strstr(c.out, "data-changed-cells=\"0\""));
    cr_assert_null(strstr(c.out, "data-changed=\"1\""));
    /* the table is still there, side by side */
    cr_assert(strstr(c.out, "<tr data-subject=\"adults.standard.6\">"));
    /* its change and note, escaped */
    cr_assert(strstr(c.out, "<li>set adults.indicator.D39: value 74 "), "%s", c.out);
    cr_assert(strstr(c.out, "note: halfway from 68 per cent"));
    captured_free(&c);
}

Test(report_whatif, scenarios_are_independent_and_the_output_repeats)
{
    /* the second scenario starts from the baseline again: its statement is rolled back */
    char *argv[] = {"--scenario", WHATIF("harrow-children-commissioning.yaml"),
                    "--scenario=" WHATIF("harrow-statements-halfway.yaml"), HARROW};
    char *again[] = {argv[0], argv[1], argv[2], argv[3]}; /* the command reorders its argv */
    captured a = run_report(argv, 4);
    captured b = run_report(again, 4);
    cr_assert_eq(a.status, 0, "%s", a.err);
    cr_assert_str_eq(a.out, b.out);
    cr_assert(strstr(a.out, "data-scenarios=\"2\""));
    const char *second = strstr(a.out, "<article class=\"scenario\" id=\"scenario-2\"");
    cr_assert(second, "no second scenario");
    cr_assert(strstr(second, "data-changed-cells=\"0\""), "the first scenario leaked into the second");
    cr_assert_null(strstr(second, "data-changed=\"1\""));
    captured_free(&a);
    captured_free(&b);
}

Test(report_whatif, scenario_text_cannot_inject_markup)
{
    char *path = th_write_temp("name: \"<script>x</script> & 'y'\"\ndescription: \"<b>d</b>\"\nchanges:\n"
                            "  - set: adults.capacity\n    judgement: excellent\n    note: \"<i>n</i>\"\n");
    char *argv[] = {"--scenario", path, HARROW};
    captured c = run_report(argv, 3);
    unlink(path);
    cr_assert_eq(c.status, 0, "%s", c.err);
    cr_assert_null(strstr(c.out, "<script"));
    cr_assert_null(strstr(c.out, "<b>d"));
    cr_assert_null(strstr(c.out, "<i>n"));
    cr_assert(strstr(c.out, "Scenario 1: &lt;script&gt;x&lt;/script&gt; &amp; &#39;y&#39;</h3>"), "%s", c.out);
    cr_assert(strstr(c.out, "note: &lt;i&gt;n&lt;/i&gt;"));
    captured_free(&c);
}

/* Each rejected scenario: exit 1, the error at its file, line and column, no report at all
 * (neither on standard output nor in the -o file), even when another scenario is fine. */
static void rejected(const char *text, const char *where_suffix, const char *message)
{
    char *path = strdup(th_write_temp(text));
    char out_path[] = "/tmp/starrate-wi-report-XXXXXX";
    int fd = mkstemp(out_path);
    cr_assert_geq(fd, 0);
    close(fd);
    unlink(out_path);
    char *argv[] = {"--scenario", WHATIF("harrow-children-commissioning.yaml"), "--scenario", path,
                    "-o", out_path, HARROW};
    captured c = run_report(argv, 7);
    unlink(path);
    char want[256];
    snprintf(want, sizeof want, "%s:%s: error: %s", path, where_suffix, message);
    cr_assert_eq(c.status, 1, "%s", c.err);
    cr_assert(strstr(c.err, want), "expected '%s' in: %s", want, c.err);
    cr_assert_str_eq(c.out, "");
    cr_assert_neq(access(out_path, F_OK), 0, "a report was written although a scenario was rejected");
    captured_free(&c);
    free(path);
}

Test(report_whatif, a_bad_scenario_is_positioned_and_no_report_written)
{
    /* its shape */
    rejected("name: \"x\"\ndescription: \"y\"\nchanges:\n  - set: adults.indicator.D39\n    valu: 74\n",
             "5:5", "unknown key 'valu'");
    /* what it names, resolved against the pack and the evidence */
    rejected("name: \"x\"\ndescription: \"y\"\nchanges:\n  - set: adults.indicator.NOPE\n    value: 74\n",
             "4:10", "unknown indicator 'NOPE'");
    /* YAML itself */
    rejected("name: [\n", "2:1", "");
}

Test(report_whatif, a_scenario_about_another_council_is_refused)
{
    char *argv[] = {"--scenario", WHATIF("durham-social-worker-workloads.yaml"), HARROW};
    captured c = run_report(argv, 3);
    cr_assert_eq(c.status, 1);
    cr_assert(strstr(c.err, "durham-social-worker-workloads.yaml:8:7: error: the scenario is built on"), "%s", c.err);
    cr_assert_str_eq(c.out, "");
    captured_free(&c);
    char *missing[] = {"--scenario", "/nonexistent/scenario.yaml", HARROW};
    c = run_report(missing, 3);
    cr_assert_eq(c.status, 1);
    cr_assert(strstr(c.err, "/nonexistent/scenario.yaml: error: cannot open"), "%s", c.err);
    cr_assert_str_eq(c.out, "");
    captured_free(&c);
}

Test(report_whatif, usage)
{
    char *two[] = {"--scenario", WHATIF("harrow-statements-halfway.yaml"), HARROW,
                   SR_SOURCE_ROOT "/scenarios/councils/durham-2003.yaml"};
    captured c = run_report(two, 4);
    cr_assert_eq(c.status, 2);
    cr_assert(strstr(c.err, "--scenario needs exactly one evidence file"), "%s", c.err);
    cr_assert_str_eq(c.out, "");
    captured_free(&c);
    char *no_value[] = {HARROW, "--scenario"};
    c = run_report(no_value, 2);
    cr_assert_eq(c.status, 2);
    cr_assert(strstr(c.err, "option --scenario needs a value"), "%s", c.err);
    captured_free(&c);
    char *help[] = {"--help"};
    c = run_report(help, 1);
    cr_assert_eq(c.status, 0);
    cr_assert(strstr(c.out, "--scenario FILE"), "%s", c.out);
    captured_free(&c);
}

/* Every allocation of a run with scenarios may fail (sampled): the command says so, exits 1,
 * and leaks nothing (the sanitizer build checks the leaks). */
Test(report_whatif, survives_failed_allocations)
{
    setenv("STARRATE_RULES", SR_SOURCE_ROOT "/rules", 1);
    /* sampled over every allocation: without the fit of "How sure" */
    setenv("STARRATE_UNSURE", "off", 1);
    char *argv[] = {"--scenario", WHATIF("demo-every-change.yaml"),
                    SR_SOURCE_ROOT "/scenarios/councils/demo-2-star-capped.yaml"};
    FILE *sink = fopen("/dev/null", "w");
    cr_assert(sink);
    sr_alloc_reset_count();
    cr_assert_eq(th_report(3, argv, sink, sink), 0);
    long total = sr_alloc_count();
    cr_assert_gt(total, 100);
    int runs = 0;
    /* Every 13th allocation, or about 500 runs in all when a run makes more (the report's
     * seek evaluates the rules hundreds of times). */
    long step = total / 500 > 13 ? total / 500 : 13;
    for (long n = 1; n <= total; n += n < 64 ? 1 : step) {
        sr_alloc_fail_at(n);
        int status = th_report(3, argv, sink, sink);
        /* The report's seek runs the rules hundreds of times, and Lua's tables (hashed with a
         * seed of its own) do not make the same number of allocations on every run: near the
         * end an allocation counted in the first run may not happen at all. */
        long made = sr_alloc_count();
        sr_alloc_fail_at(0);
        if (made < n)
            continue;
        cr_assert_eq(status, 1, "allocation %ld of %ld failed but the exit status is %d", n, total, status);
        runs++;
    }
    cr_assert_gt(runs, 64);
    fclose(sink);
}
