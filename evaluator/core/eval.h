/*
 * eval.h — deriving judgements and stars from evidence (module prefix rt_, "rating").
 *
 * The derivation is layered (docs/methodology.md, "The layers"): indicator bands, standard grades, judgements (with
 * key-threshold caps), stars. At every layer a value given in the evidence wins over the
 * derived one and is marked `given`. C does the machinery (which inputs go to which rule, the
 * band limits, the caps, the search over missing judgements); the rule pack's Lua functions do
 * the scoring. Every step leaves a trace node.
 */
#ifndef SR_EVAL_H
#define SR_EVAL_H

#include "common.h"
#include "evidence.h"
#include "pack.h"
#include "trace.h"

typedef struct rt_service {
    int *band;          /* per evidence indicator: 1-5, 0 when none */
    int *band_node;
    int *finding_std;   /* per finding: the standards it speaks to, bit n for standard n */
    int grade[RP_STANDARDS];      /* grade word index, -1 not assessed */
    int grade_given[RP_STANDARDS];
    int grade_node[RP_STANDARDS];
    int serving, capacity;        /* word index, -1 insufficient evidence */
    int serving_given, capacity_given;
    int serving_uncapped, capacity_uncapped; /* before caps */
    int serving_node, capacity_node;
    const char *serving_needs, *capacity_needs; /* what evidence would settle it */
    int caps_fired[32];           /* indexes into pack caps */
    int ncaps_fired;
} rt_service;

/* What one rule call site last answered (see rt_result.memo). */
typedef struct rt_memo {
    sr_buf key;   /* the rule's input, as bytes */
    int valid;
    int word;     /* the word it returned, -1 for nil */
    char *needs;  /* the `needs` detail it returned (owned), or NULL */
} rt_memo;

/* Rule call sites per service: the grade of each standard, serving, capacity. */
#define RT_SITES (RP_STANDARDS + 2)

typedef struct rt_result {
    int stars;          /* -1 when the judgements leave it open */
    int rule;           /* star row index, -1 when several rows are possible */
    int star_node;
    unsigned possible;  /* bit n: n stars is possible given the missing judgements */
    size_t nservices;
    rt_service svc[RP_MAX_SERVICES];
    tr_trace trace;
    /* Set before rt_evaluate to skip the trace (the what-if and seek loops): stars, rule,
     * bands, grades, judgements, caps and needs come out exactly as with the trace on, but
     * the trace stays empty and every *_node field is -1. rt_init clears it (trace on). */
    int trace_off;
    int *scratch;       /* storage behind band / band_node */
    size_t scratch_len;
    /* With the trace off, a rule is called only when its input differs, byte for byte, from
     * the input it last answered at the same call site in this result; otherwise its answer
     * is reused. Rules are pure functions of their input (their globals are sealed), so the
     * result is the same; what-if and seek, which evaluate one council again and again with a
     * change or two, then run only the rules that the change reaches. */
    rt_memo memo[RP_MAX_SERVICES][RT_SITES];
    unsigned long memo_pack;  /* rp_pack.serial the memo answers for; 0 none */
    unsigned long memo_gen;   /* rp_pack.param_gen it answers for */
    sr_buf memo_key;          /* the key being built */
    long rule_calls, memo_hits; /* since rt_init: rules run and rule calls answered by the memo */
    int memo_off;             /* set to run every rule every time (benchmarks of the full cost) */
    /* Set before rt_evaluate to stop early: called once each service's judgements are final
     * (caps act within a service); returning 0 ends the evaluation there, with `stopped` set
     * and the stars not derived. The fit of admissible variants (uncert.c) rejects a variant
     * at the first service that comes out other than its test case says. */
    int (*service_done)(void *ctx, const struct rt_result *r, size_t s);
    void *service_ctx;
    int stopped;
} rt_result;

void rt_init(rt_result *r);
void rt_free(rt_result *r);

/* Evaluates the evidence with the pack. The result may be reused for the next evaluation:
 * its memory is kept and reset. Every rule call receives plain tables made for that call
 * alone, so nothing a rule does to its input reaches another call or evaluation. */
int rt_evaluate(rp_pack *p, const ev_evidence *ev, rt_result *r, sr_error *err);

/* Places a value in a band by the indicator's limits; writes the comparisons into the trace
 * node when node >= 0. Exposed for tests. */
int rt_band_of(const rp_indicator *d, double value, tr_trace *t, int node);

/* The pieces of the derivation that the goal seek predicts without evaluating, so both use
 * one definition. Direction of travel of one indicator: 1 better, -1 worse, 0 neither. */
int rt_travel_of(const rp_indicator *d, double now, double then);
/* Whether an indicator value breaches a cap's threshold (above or below it, never at it). */
int rt_cap_breached_by(const rp_cap *cap, double value);
/* The standards a finding informs (bit n for standard n): its tags, or else those of the
 * indicators it names. */
unsigned rt_finding_standards(const rp_pack *p, const ev_evidence *ev, const ev_finding *f);

#endif
