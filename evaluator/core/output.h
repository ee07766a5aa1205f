/*
 * output.h — renderings of a rating (module prefix out_): text, JSON, CSV, a table, and the
 * explanation in the inspectorate's language. Same inputs give byte-identical output.
 */
#ifndef SR_OUTPUT_H
#define SR_OUTPUT_H

#include "common.h"
#include "eval.h"
#include "evidence.h"
#include "json.h"
#include "pack.h"

typedef struct out_rating {
    rp_pack *pack;
    const ev_evidence *ev;
    const rt_result *r;
} out_rating;

void out_text(sr_buf *b, const out_rating *o);
/* The caveat sentence for a rating from a doubtful import (ev_import_doubtful). */
void out_caveat(sr_buf *b, const ev_evidence *ev);
void out_json(js_writer *w, const out_rating *o, int with_trace);
/* The same, with members of the caller's added at the end of the council's object. */
void out_json_with(js_writer *w, const out_rating *o, int with_trace,
                   void (*extra)(js_writer *, const void *), const void *ctx);
/* The "ruleset", "evidence" and "engine" members every JSON output carries. */
void out_json_meta(js_writer *w, const rp_pack *p, const ev_evidence *ev);
/* The "engine" member alone, for outputs that are not about one council. */
void out_json_engine(js_writer *w);
/* One CSV field, quoted when it must be (RFC 4180), a formula-like text made inert with a
 * leading ' (numbers keep their sign), then ',' or a newline when last. */
void out_csv_field(sr_buf *b, const char *s, int last);
void out_csv_header(sr_buf *b, const rp_pack *p);
void out_csv_row(sr_buf *b, const out_rating *o);
void out_table_header(sr_buf *b, const rp_pack *p);
void out_table_row(sr_buf *b, const out_rating *o);
/* The derivation as prose; `why` narrows it to one conclusion ("SERVICE.serving", "stars",
 * "SERVICE.standard.3"...) and the steps it rests on. Returns 0 when `why` names nothing. */
int out_explain(sr_buf *b, const out_rating *o, const char *why);

/* Text for one judgement, e.g. "serving most people well" or "insufficient evidence". */
const char *out_serving_text(const rp_pack *p, int word);
const char *out_capacity_text(const rp_pack *p, int word);

#endif
