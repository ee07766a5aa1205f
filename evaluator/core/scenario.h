/*
 * scenario.h — what-if scenarios (module prefix sc_).
 *
 * A scenario is a named, ordered list of changes to a council's evidence, at any layer of the
 * derivation: an indicator's value or band, a finding, a key requirement, a standard's grade,
 * a judgement (docs/scenario-format.md). Reading a scenario checks its own shape only; each
 * change is resolved against the rule pack and the evidence when it is applied, so an unknown
 * service, indicator code or finding id is an error at the change's line and column.
 *
 * Changes are applied to a working copy of the evidence (sc_work) that keeps an undo log:
 * seek applies a plan, evaluates, and rolls back, so it needs no copy of the evidence per
 * evaluation. The undo records own whatever the change replaced until they are dropped.
 */
#ifndef SR_SCENARIO_H
#define SR_SCENARIO_H

#include "common.h"
#include "evidence.h"
#include "pack.h"

#include <stddef.h>

#define SC_MAX_CHAIN 8 /* scenarios built on scenarios, at most this deep */

typedef enum { SC_SET, SC_CLEAR, SC_ADD, SC_REMOVE } sc_verb;

typedef enum {
    SC_INDICATOR,
    SC_FINDING,
    SC_CAPACITY_FINDING,
    SC_REQUIREMENT,
    SC_STANDARD,
    SC_SERVING,
    SC_CAPACITY
} sc_what;

/* Which fields a change states (bits of sc_change.has). */
enum {
    SC_HAS_VALUE = 1u << 0,
    SC_HAS_BAND = 1u << 1,
    SC_HAS_PREVIOUS = 1u << 2,
    SC_HAS_KIND = 1u << 3,
    SC_HAS_TEXT = 1u << 4,
    SC_HAS_WEIGHT = 1u << 5,
    SC_HAS_STANDARDS = 1u << 6,
    SC_HAS_CODES = 1u << 7,
    SC_HAS_THEME = 1u << 8,
    SC_HAS_MET = 1u << 9,
    SC_HAS_WORD = 1u << 10, /* grade or judgement word */
    SC_HAS_ID = 1u << 11
};

typedef struct sc_change {
    sc_verb verb;
    sc_what what;
    char *path;       /* as written, e.g. "SERVICE.indicator.CODE" */
    char *service;    /* the path's service id as written */
    char *name;       /* indicator code, finding id or requirement id; NULL otherwise */
    int position;     /* finding by position ("#3"), 1-based; 0 when named by id */
    int standard;     /* SC_STANDARD: 1-6 */
    char *field;      /* clear of one indicator field: "value", "band" or "previous" */
    unsigned has;     /* SC_HAS_* */
    double value, previous, weight;
    int band;         /* 1-5 */
    int met;          /* requirement: 1 met, 0 not met */
    char *word;       /* grade or judgement word */
    char *kind, *text, *theme, *id;
    unsigned standards; /* bit n for standard n */
    char **codes;
    size_t ncodes;
    char *note;       /* why, in the author's words (shown in outputs) */
    char *file;       /* scenario file, for errors */
    int line, col;    /* the change */
    int path_line, path_col;
} sc_change;

typedef struct sc_scenario {
    char *path;          /* as given */
    char *name, *description;
    char *evidence;      /* the evidence file at the end of the `base` chain, or NULL */
    int evidence_line, evidence_col; /* where that `base` was written */
    char *evidence_file; /* the scenario file that names it */
    sc_change *changes;  /* the base chain's changes first, then this file's */
    size_t nchanges;
    size_t nown;         /* this file's changes are the last nown */
} sc_scenario;

/* Reads a scenario file and its `base` chain (paths relative to the file naming them).
 * Only the shape is checked here; sc_apply resolves each change. */
int sc_load(const char *path, sc_scenario **out, sr_error *err);
/* The same from text already in memory (`name` is used in errors and as the path). */
int sc_parse(const char *name, const char *text, size_t len, sc_scenario **out, sr_error *err);
void sc_free(sc_scenario *s);

/* A change built in memory (seek): every string is copied; NULL strings stay NULL. */
int sc_change_copy(const sc_change *from, sc_change *to, sr_error *err);
void sc_change_free(sc_change *c);

/* One line describing a change, e.g. "set SERVICE.indicator.CODE: value 40, band 5". */
void sc_change_describe(const sc_change *c, sr_buf *b);
/* The change as a scenario list item (YAML flow map, no trailing newline). */
void sc_change_yaml(const sc_change *c, sr_buf *b);

/* ---- evidence under change ------------------------------------------------------------ */

typedef struct sc_work sc_work;

/* A working copy of base (deep), with room reserved so that seek's changes never grow it. */
int sc_work_new(rp_pack *p, const ev_evidence *base, sc_work **out, sr_error *err);
void sc_work_free(sc_work *w);
const ev_evidence *sc_work_evidence(const sc_work *w);

/* Applies one change, recording how to undo it. Errors name the change's file, line and
 * column; on error the evidence is as it was before the call. */
int sc_apply(sc_work *w, const sc_change *c, sr_error *err);
/* Applies every change of a scenario in order; on error none of them stays applied. */
int sc_apply_all(sc_work *w, const sc_scenario *s, sr_error *err);
/* Undo log position, and rolling back to one. */
size_t sc_mark(const sc_work *w);
void sc_rollback(sc_work *w, size_t mark);

/* Looks up what a change names, for callers that explain a change (whatif). Returns the
 * service index or -1. */
int sc_service_of(const rp_pack *p, const sc_change *c);

#endif
