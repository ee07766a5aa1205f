/*
 * trace.h — the audit trail of one evaluation (module prefix tr_).
 *
 * Every step of a derivation is a node: which rule (id, Lua file and line), what kind of step
 * (band, grade, cap, judgement, star), its inputs with their values and sources, every
 * comparison with both sides, its output, and the nodes it used. All strings and nodes live
 * in one arena that is reset, not freed, between evaluations, so the what-if and seek loops
 * do not allocate once the arena has grown to the size of one evaluation.
 *
 * What a step is, where its value came from, how a key threshold ended and how two sides
 * were compared are enums; their words (the JSON's and the text's) are in the tr_*_words
 * tables, read only when a trace is written. Each comparison keeps its value as a number
 * beside the text, so no reader parses formatted numbers back.
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

typedef enum { TR_BAND, TR_GRADE, TR_CAP, TR_JUDGEMENT, TR_STAR, TR_FINDING } tr_kind;

/* Where a value came from; TR_SRC_NONE is written as null. */
typedef enum {
    TR_SRC_NONE, TR_GIVEN, TR_DERIVED, TR_EXTRACTED, TR_EVIDENCE, TR_NOT_ASSESSED, TR_INSUFFICIENT
} tr_source;

/* A rule's provenance; TR_PROV_NONE (a given value) is written as null. */
typedef enum { TR_PROV_NONE, TR_PROV_SOURCE, TR_PROV_RECONSTRUCTED } tr_prov;

typedef enum { TR_OP_NONE, TR_OP_GE, TR_OP_LE, TR_OP_GT, TR_OP_LT, TR_OP_WITHIN } tr_op;

/* How a key threshold ended: its output. */
typedef enum {
    TR_CAP_NONE, TR_CAP_NOT_EVALUATED, TR_CAP_NOT_BREACHED, TR_CAP_NO_EFFECT, TR_CAP_CAPPED
} tr_cap_state;

extern const char *const tr_kind_words[], *const tr_source_words[], *const tr_prov_words[],
    *const tr_op_words[], *const tr_cap_words[];

typedef struct tr_input {
    const char *name, *value;
    tr_source source;
    struct tr_input *next;
} tr_input;

typedef struct tr_compare {
    const char *what;   /* what was compared, e.g. "value of CODE" or "score" */
    const char *value;  /* the left side */
    double num;         /* the left side as a number; NAN when it is none */
    tr_op op;           /* TR_OP_NONE for the last word, which has no limit */
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
    tr_kind kind;
    const char *subject;  /* e.g. "SERVICE.indicator.CODE", "SERVICE.standard.3", "SERVICE.serving" */
    int standard;         /* a grade's standard (1-based); 0 for other steps */
    const char *rule;     /* rule id, NULL for a given value */
    const char *file;     /* rule file (or evidence file for given values) */
    int line;
    tr_prov provenance;
    const char *output;   /* NULL when not assessed; a key threshold's is its cap state */
    tr_cap_state cap;     /* a key threshold's outcome */
    tr_source source;
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
/* Formatted text in the arena: tr_printf(t, "%s.serving", id). With the trace off it is NULL
 * and, being a macro that tests t->off first, neither formats nor evaluates its arguments: a
 * call of a variadic function costs its register saves even when it returns at once, and an
 * evaluation with the trace off makes about fifty of them. t is evaluated twice. */
#define tr_printf(t, ...) ((t)->off ? (const char *)NULL : tr_format((t), __VA_ARGS__))
const char *tr_format(tr_trace *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The strings up to a NULL, joined: tr_concat(t, service, ".indicator.", code, NULL).
 * The same text as tr_printf with "%s" only, without parsing a format on every step. A macro
 * for the same reason as tr_printf. */
#define tr_concat(t, ...) ((t)->off ? (const char *)NULL : tr_join((t), __VA_ARGS__))
const char *tr_join(tr_trace *t, ...)
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
int tr_add(tr_trace *t, tr_kind kind, const char *subject);
tr_node *tr_get(tr_trace *t, int id);
/* A node's output as written: a key threshold's state in words, else its output. */
const char *tr_output(const tr_node *nd);
/* Whether a key threshold lowered its judgement, or was breached without effect. */
int tr_caps(const tr_node *nd);
int tr_breached(const tr_node *nd);
void tr_input_add(tr_trace *t, int node, const char *name, const char *value, tr_source source);
/* num is the value as a number (NAN when it is none: "?"). */
void tr_compare_add(tr_trace *t, int node, const char *what, const char *value, double num,
                    tr_op op, const char *limit, const char *word, int met);
void tr_use_add(tr_trace *t, int node, int used);

#endif
