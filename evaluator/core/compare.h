/*
 * compare.h — one council under two sets of evidence (module prefix cmp_): the scenario
 * runner (load, check, apply, evaluate) and the test of what counts as a difference between
 * two evaluations, shared by `whatif` and the report's "What if" section so the two can never
 * disagree about which steps moved.
 */
#ifndef SR_COMPARE_H
#define SR_COMPARE_H

#include "common.h"
#include "eval.h"
#include "evidence.h"
#include "scenario.h"
#include "trace.h"

/* Whether a step is reported as a difference: the nodes of one subject in the two traces
 * (either NULL when the subject is in one trace only) are a band, grade, key threshold,
 * judgement or the stars, and their output or its source (given, derived...) differ. */
int cmp_node_differs(const tr_node *before, const tr_node *after);

/* Loads the scenario at path, checks it is about `base` (the evidence work was made from: a
 * scenario whose `base` chain ends at another evidence file is an SR_EINPUT error at its
 * `base` line),
 * applies its changes to work and evaluates the result into r. *sc is set whenever the
 * scenario was read (the caller frees it, also on error). */
int cmp_run_scenario(rp_pack *p, const ev_evidence *base, sc_work *work, const char *path,
                     sc_scenario **sc, rt_result *r, sr_error *err);

/* ---- the difference between two evaluations ------------------------------------------ */

/* One side of a comparison: the evidence, its evaluation (trace on) and the scenario that
 * made it (NULL for the council as it is). */
typedef struct cmp_side {
    const ev_evidence *ev;
    const rt_result *r;
    const sc_scenario *sc;
} cmp_side;

/* A change that can cause a difference. */
typedef struct cmp_cause {
    const sc_change *c;
    int number;     /* 1-based within its scenario */
    int reference;  /* 1: a change of side A's scenario (whatif --against) */
} cmp_cause;

/* Who uses each node of B's trace (the "uses" links reversed), to follow a change forward. */
typedef struct cmp_users {
    int *first, *next, *node;
    size_t n;
} cmp_users;

/* B compared with A, node by node by subject, each difference traced to the changes of B's
 * (and A's) scenario that caused it. */
typedef struct cmp_diff {
    const rp_pack *p;
    cmp_side A, B;           /* reference and scenario */
    size_t na, nb;
    int *a_of_b, *b_of_a;    /* same subject in the other trace, or -1 */
    unsigned char *changed;  /* per B node: cmp_node_differs */
    unsigned char *effect;   /* per B node: its change reaches the nodes that use it */
    cmp_cause *src;
    size_t nsrc;
    unsigned char *cause;    /* nb x nsrc */
    unsigned char *cause_a;  /* na x nsrc, for nodes that exist only in A */
    int *direct;             /* per source: up to 32 B node indexes it touches first */
    int *ndirect;
    int *direct_a;           /* per source: A-only nodes */
    int *ndirect_a;
    cmp_users users;
    int oom;
} cmp_diff;

/* Compares B with A; 0 when out of memory (nothing to free then). */
int cmp_diff_build(cmp_diff *d, const rp_pack *p, const cmp_side *A, const cmp_side *B);
void cmp_diff_free(cmp_diff *d);
/* One difference: the step before and after (after NULL: gone from the evidence; before
 * NULL: new) and the changes that caused it, a flag per d->src. */
typedef struct cmp_difference {
    const tr_node *before, *after;
    const unsigned char *causes;
} cmp_difference;

/* The differences in order, B's changed steps in trace order then A's steps gone: start
 * with *pos = 0; 0 after the last. */
int cmp_next_difference(const cmp_diff *d, size_t *pos, cmp_difference *out);
size_t cmp_diff_count(const cmp_diff *d);
/* Whether a judgement, the stars or the star rule differ. */
int cmp_judgements_differ(const cmp_diff *d);

/* "band 5", a grade or judgement word, a cap's state, "(given)"; "none" for no node. */
void cmp_node_value(sr_buf *b, const tr_node *nd);
/* The comparison that decided a node ("score 0.31 >= 0.1 gives good"), or its text. */
void cmp_decided_by(sr_buf *b, const tr_node *nd);
/* The first comparison a node met, and in *above the one before it (the next better word). */
const tr_compare *cmp_first_met(const tr_node *nd, const tr_compare **above);

/* Why not: the B nodes where change j's effect stops (unchanged nodes reached from it), at
 * most max of them, in trace order; -1 when out of memory. */
int cmp_frontier(const cmp_diff *d, size_t j, int *out, int max);
/* The sentence for B node bi where a change stopped having an effect. */
void cmp_why_not(sr_buf *b, const cmp_diff *d, int bi);

#endif
