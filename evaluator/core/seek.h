/*
 * seek.h — goal seek: the smallest sets of changes that reach a star rating (module prefix
 * sk_).
 *
 * Candidate changes are the plausible moves of a council's evidence: each indicator of the
 * pack's catalogue moved by whole bands, each critical finding turned into a strength, each
 * key requirement met (or, for --margin, the reverse). The search looks for plans of 1, 2,
 * ... changes in that order, so the first plans found are the smallest; it reports every
 * minimal plan (no plan that contains a smaller one, or the same moves by more bands).
 *
 * One council and one Lua state serve the whole search: plans are applied to a working copy
 * of the evidence and rolled back (scenario.h). Evaluations are saved where the derivation
 * allows it: a standard's grade depends only on the changes to its own inputs, a judgement
 * only on its grades and key thresholds, and the stars only on the judgements, so a plan
 * whose parts were each evaluated before is answered without running the rules again.
 * Changes that cannot reach a judgement the target needs are not expanded (see seek.c).
 */
#ifndef SR_SEEK_H
#define SR_SEEK_H

#include "common.h"
#include "eval.h"
#include "evidence.h"
#include "pack.h"
#include "scenario.h"

#include <stddef.h>

#define SK_MAX_CHANGES 5
/* The search's work budget (docs/limits.md): evaluations of the rules, and plans tried in all
 * (most are answered from earlier evaluations, but each still costs). A count rather than a
 * time, so two machines stop at the same plan. */
#define SK_DEFAULT_EVALUATIONS 50000
#define SK_PLANS_PER_EVALUATION 100

enum { SK_INDICATORS = 1u, SK_FINDINGS = 2u, SK_REQUIREMENTS = 4u };

typedef enum { SK_INDICATOR, SK_FINDING, SK_CAPACITY_FINDING, SK_REQUIREMENT } sk_kind;

typedef struct sk_progress {
    int level;            /* plans of this many changes are being tried */
    double done;          /* share of this level's plans tried so far, 0-1 */
    long evaluations;
    double seconds;
} sk_progress;

typedef struct sk_options {
    int target;           /* stars wanted (ignored with margin) */
    int margin;           /* 1: the smallest deteriorations that lose a star */
    int max_changes;      /* 1..SK_MAX_CHANGES */
    unsigned only;        /* SK_* bits; 0 means every kind */
    const char *const *fix; /* inputs kept unchanged: code, finding id, requirement id or path */
    size_t nfix;
    int limit;            /* plans wanted (at least 1) */
    int verify;           /* tests: evaluate every plan and check the shortcuts agree */
    long max_evaluations; /* the budget; 0 means SK_DEFAULT_EVALUATIONS (plans tried: 100x) */
    int include_gaps;     /* 1: plans may fill gaps in the evidence (an indicator or a requirement
                           * not stated); 0: only changes a council can plan, the gaps tried
                           * one at a time as a sensitivity list */
    void (*progress)(void *ctx, const sk_progress *pr); /* after the first second, once a second */
    void *progress_ctx;
    double progress_interval; /* seconds; 0 means 1 (tests make it small) */
} sk_options;

typedef struct sk_candidate {
    sc_change change;     /* the move in scenario form */
    sk_kind kind;
    int service;
    int input;            /* one move per input in a plan */
    int steps;            /* band steps; 1 for a finding or a requirement */
    int from_band, to_band; /* indicators: 0 from = not in the evidence */
    int has_from_value;
    double from_value;
    int from_word, to_word; /* findings: kinds; requirements: -1 not stated, 0, 1 */
    int gap;              /* the input is not stated in the evidence: filling it is no plan */
    const char *label;    /* the finding's text (borrowed from the evidence), the indicator's
                           * name or the requirement's text (from the pack); may be NULL */
    const char *pruned;   /* why it is not expanded, or NULL */
    /* what the move reaches (filled by the analysis) */
    unsigned grades;      /* bit k-1: grade of standard k of its service */
    int d_improved, d_worsened; /* change to the direction-of-travel counts */
    unsigned long long caps_on, caps_off; /* key thresholds it breaches / clears (pack caps) */
    unsigned judgements;  /* bit 2s: serving of service s, bit 2s+1: capacity */
} sk_candidate;

typedef struct sk_plan {
    int *moves;           /* candidate indexes, ascending */
    size_t n;
    int steps;
    int stars, rule;      /* rule: star row, -1 when not one row */
    int serving[RP_MAX_SERVICES], capacity[RP_MAX_SERVICES];
} sk_plan;

typedef struct sk_result {
    int stars, rule;      /* the baseline */
    int serving[RP_MAX_SERVICES], capacity[RP_MAX_SERVICES];
    int target;           /* stars wanted: at least (direction 1) or at most (-1) */
    int direction;
    int already;          /* the baseline meets the target */
    int unreachable;      /* no plan of the moves considered can meet it (reason in why) */
    char why[512];
    sk_candidate *cands;  /* every move considered, pruned ones included */
    size_t ncands;
    size_t nlive;         /* moves expanded */
    size_t pruned_fixed, pruned_given, pruned_noeffect, pruned_path, pruned_gap;
    /* Without include_gaps: the gap moves that alone would change the rating (the smallest
     * such move of each input), and the stars each gives. */
    int *sensitive;
    int *sensitive_stars;
    size_t nsensitive;
    int judgement_pruning; /* 0 when the star table is not monotone (see seek.c) */
    sk_plan *plans;
    size_t nplans;
    int levels;           /* plan sizes searched */
    long evaluations;     /* rt_evaluate calls, the baseline included */
    long plans_tried;
    long answered;        /* plans answered from earlier evaluations */
    long mismatches;      /* verify: shortcuts that disagreed with an evaluation (must be 0) */
    int stopped;          /* the budget ran out: the plans are the best found until then */
    long budget;          /* the evaluation budget the search ran under */
} sk_result;

void sk_result_init(sk_result *r);
void sk_result_free(sk_result *r);

/* Runs the search. The pack's Lua state is used throughout; ev is not modified. */
int sk_seek(rp_pack *p, const ev_evidence *ev, const sk_options *o, sk_result *out, sr_error *err);

/* The candidate moves alone (direction 1 up, -1 down), unpruned but for --only and --fix:
 * for tests that check seek against a brute-force enumeration. */
int sk_candidates(rp_pack *p, const ev_evidence *ev, int direction, const sk_options *o,
                  sk_result *out, sr_error *err);

/* "CODE band 1 -> 3 (value 8 -> 15)" for a move. */
void sk_describe(const rp_pack *p, const sk_candidate *c, sr_buf *b);

#endif
