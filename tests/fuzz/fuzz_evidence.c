/*
 * fuzz_evidence.c — libFuzzer target for the whole pipeline: YAML bytes in, evidence built
 * against the 2003 rule pack, rated, rendered as text, JSON and an explanation. The pack is
 * loaded once (as the batch command does) so the fuzzer also proves that a long-lived Lua
 * state survives any evidence. Leaks are reported by the fuzzer's LeakSanitizer.
 */
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

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rp_pack *pack;
static rt_result result;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    sr_error err;
    sr_error_clear(&err);
    const char *dir = getenv("STARRATE_FUZZ_PACK");
    if (rp_load(dir ? dir : "rules/2003", NULL, &pack, &err) != SR_OK) {
        fprintf(stderr, "fuzz_evidence: cannot load the pack (run from the repository root): %s\n", err.msg);
        abort();
    }
    rt_init(&result);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sr_error err;
    sr_error_clear(&err);
    yd_node *doc = NULL;
    ev_evidence *ev = NULL;
    if (yd_parse("fuzz.yaml", (const char *)data, size, &yd_default_limits, &doc, &err) == SR_OK &&
        ev_build(doc, "fuzz.yaml", pack, &ev, &err) == SR_OK &&
        rt_evaluate(pack, ev, &result, &err) == SR_OK) {
        sr_buf b;
        sr_buf_init(&b);
        js_writer w;
        js_init(&w, &b, 0);
        out_rating o = {pack, ev, &result};
        out_text(&b, &o);
        out_json(&w, &o, 1);
        out_csv_row(&b, &o);
        out_explain(&b, &o, NULL);
        out_explain(&b, &o, "children.serving");
        sr_buf_free(&b);
    }
    char line[2048];
    sr_error_format(&err, line, sizeof line);
    ev_free(ev);
    yd_free(doc);
    return 0;
}
