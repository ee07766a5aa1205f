/*
 * fuzz_scenario.c — libFuzzer target for the what-if scenario reader and the changes it
 * applies: YAML bytes are read as a scenario (sc_parse), every change is described, and the
 * scenario is applied to a working copy of Harrow's 2003 evidence and rated. Besides the
 * sanitizers' checks it aborts when rolling the changes back does not give the baseline
 * rating again (the undo log that seek relies on must restore the evidence exactly).
 *
 * The input is named scenarios/whatif/fuzz.yaml, so a `base` the fuzzer writes resolves among
 * the real scenarios of that folder. Inputs naming device or process files are skipped: a
 * base of /dev/stdin or /dev/tty would wait for input that never comes.
 *
 *   tests/fuzz/run.sh SECONDS     (builds every target; run from the repository root)
 */
#include "scenario.h"
#include "common.h"
#include "eval.h"
#include "evidence.h"
#include "json.h"
#include "output.h"
#include "pack.h"
#include "ydoc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EVIDENCE "scenarios/councils/harrow-2003.yaml"

static rp_pack *pack;
static yd_node *doc;
static ev_evidence *evidence;
static rt_result result;
static int baseline_stars, baseline_rule;

static void die(const char *what, const sr_error *err)
{
    fprintf(stderr, "fuzz_scenario: %s (run from the repository root): %s:%d:%d: %s\n", what,
            err->file, err->line, err->col, err->msg);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    sr_error err;
    sr_error_clear(&err);
    if (!freopen("/dev/null", "r", stdin)) /* a base of "-" reads standard input */
        abort();
    if (rp_load("rules/2003", NULL, &pack, &err) != SR_OK)
        die("cannot load the pack", &err);
    if (yd_load_file(EVIDENCE, &yd_default_limits, &doc, &err) != SR_OK ||
        ev_build(doc, EVIDENCE, pack, &evidence, &err) != SR_OK)
        die("cannot load the evidence", &err);
    rt_init(&result);
    if (rt_evaluate(pack, evidence, &result, &err) != SR_OK)
        die("cannot rate the evidence", &err);
    baseline_stars = result.stars;
    baseline_rule = result.rule;
    return 0;
}

static int names_special_file(const uint8_t *data, size_t size)
{
    static const char *const prefixes[] = {"/dev", "/proc", "/sys"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        for (size_t k = 0; k + n <= size; k++)
            if (memcmp(data + k, prefixes[i], n) == 0)
                return 1;
    }
    return 0;
}

/* Applies the scenario to a working copy, rates it, rolls back and rates again. */
static void apply(const sc_scenario *s)
{
    sr_error err;
    sr_error_clear(&err);
    sc_work *w = NULL;
    if (sc_work_new(pack, evidence, &w, &err) != SR_OK)
        return;
    size_t mark = sc_mark(w);
    if (sc_apply_all(w, s, &err) == SR_OK)
        rt_evaluate(pack, sc_work_evidence(w), &result, &err);
    sc_rollback(w, mark);
    sr_error_clear(&err);
    if (rt_evaluate(pack, sc_work_evidence(w), &result, &err) != SR_OK)
        die("the rolled-back evidence no longer rates", &err);
    if (result.stars != baseline_stars || result.rule != baseline_rule) {
        fprintf(stderr, "fuzz_scenario: rolling back gives %d stars by row %d, not %d by row %d\n",
                result.stars, result.rule, baseline_stars, baseline_rule);
        abort();
    }
    sc_work_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (names_special_file(data, size))
        return 0;
    sr_error err;
    sr_error_clear(&err);
    sc_scenario *s = NULL;
    if (sc_parse("scenarios/whatif/fuzz.yaml", (const char *)data, size, &s, &err) == SR_OK) {
        sr_buf b;
        sr_buf_init(&b);
        for (size_t i = 0; i < s->nchanges; i++) {
            sc_change_describe(&s->changes[i], &b);
            sc_change_yaml(&s->changes[i], &b);
        }
        sr_buf_free(&b);
        apply(s);
    }
    char line[2048];
    sr_error_format(&err, line, sizeof line);
    sc_free(s);
    return 0;
}
