/*
 * trace.h — the audit trail of one evaluation (module prefix tr_).
 *
 * Every step of a derivation is a node: which rule (id, Lua file and line), what kind of step
 * (band, grade, cap, judgement, star), its inputs with their values and sources, every
 * comparison with both sides, its output, and the nodes it used. All strings and nodes live
 * in one arena that is reset, not freed, between evaluations, so the what-if and seek loops
 * do not allocate once the arena has grown to the size of one evaluation.
 *
 * A trace can be switched off (tr_trace.off): then tr_add gives -1 and the string functions
 * NULL without formatting anything, so every call that records a step does nothing. Strings
 * that the evaluation's result keeps (not the trace's) go through tr_keep, which copies them
 * either way.
 */
#ifndef SR_TRACE_H
#define SR_TRACE_H

#include "arena.h"
#include "common.h"

#include <stddef.h>

typedef struct tr_input {
    const char *name, *value, *source;
    struct tr_input *next;
} tr_input;

typedef struct tr_compare {
    const char *what;   /* what was compared, e.g. "value of D38" or "score" */
    const char *value;  /* the left side */
    const char *op;     /* ">=", "<=", ">", "<" */
    const char *limit;  /* the right side; NULL when the step had no limit (the last word) */
    const char *word;   /* what meeting it gives, e.g. "band 4" or "most" */
    int met;
    struct tr_compare *next;
} tr_compare;

typedef struct tr_use {
    int node;
    struct tr_use *next;
} tr_use;

typedef struct tr_node {
    int id;
    const char *kind;     /* "band", "grade", "cap", "judgement", "star", "finding" */
    const char *subject;  /* e.g. "adults.indicator.D38", "children.standard.3", "adults.serving" */
    const char *rule;     /* rule id, NULL for a given value */
    const char *file;     /* rule file (or evidence file for given values) */
    int line;
    const char *provenance; /* "source", "reconstructed", or NULL for given values */
    const char *output;   /* NULL when not assessed */
    const char *source;   /* "given", "derived", "extracted", "not_assessed", "insufficient" */
    const char *text;     /* the step as a sentence */
    tr_input *inputs, *inputs_tail;
    tr_compare *cmps, *cmps_tail;
    tr_use *uses, *uses_tail;
} tr_node;

typedef struct tr_trace {
    ar_arena arena;    /* nodes' strings, inputs, comparisons and uses */
    tr_node *nodes;
    size_t n, cap;
    int oom;           /* set on the first failed allocation; later calls do nothing */
    int off;           /* record nothing (kept by tr_reset; tr_init clears it) */
    size_t rule_bytes; /* bytes of rule-written text kept since the last reset */
} tr_trace;

/* What a rule may put in the trace (docs/limits.md): one text at most TR_MAX_RULE_TEXT bytes,
 * all of them together TR_MAX_RULE_BYTES per evaluation. */
#define TR_MAX_RULE_TEXT 1024
#define TR_MAX_RULE_BYTES (256 * 1024)
#define TR_CUT_MARK " [...]"
#define TR_FULL_MARK "[...]"

void tr_init(tr_trace *t);
void tr_free(tr_trace *t);
/* Forgets every node but keeps the memory for the next evaluation. */
void tr_reset(tr_trace *t);

const char *tr_str(tr_trace *t, const char *s);
const char *tr_printf(tr_trace *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The strings up to a NULL, joined: tr_concat(t, "adults", ".indicator.", "D38", NULL).
 * The same text as tr_printf with "%s" only, without parsing a format on every step. */
const char *tr_concat(tr_trace *t, ...)
#if defined(__GNUC__)
    __attribute__((sentinel))
#endif
    ;
/* A number as sr_format_number writes it ("80", "0.85"); whole numbers without printf. */
const char *tr_number(tr_trace *t, double v);
/* A copy of s in the arena even when the trace is off: for strings the result refers to. */
const char *tr_keep(tr_trace *t, const char *s);
/* A text written by rule code (len bytes): cut to TR_MAX_RULE_TEXT bytes at a character
 * boundary with TR_CUT_MARK, and only TR_FULL_MARK once the evaluation's rule texts reach
 * TR_MAX_RULE_BYTES. `keep`: copied even when the trace is off (like tr_keep). */
const char *tr_rule_text(tr_trace *t, const char *s, size_t len, int keep);

/* Adds a node and returns its id (>= 0), or -1 when out of memory. */
int tr_add(tr_trace *t, const char *kind, const char *subject);
tr_node *tr_get(tr_trace *t, int id);
void tr_input_add(tr_trace *t, int node, const char *name, const char *value, const char *source);
void tr_compare_add(tr_trace *t, int node, const char *what, const char *value, const char *op,
                    const char *limit, const char *word, int met);
void tr_use_add(tr_trace *t, int node, int used);

#endif
