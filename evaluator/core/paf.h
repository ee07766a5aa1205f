/*
 * paf.h — a council's PAF figures as CSV (module prefix pf_), merged into evidence by
 * `starrate import --paf FILE.csv`. One row an indicator: code,value[,previous[,band]], an
 * optional header row naming those columns. Strict like the other readers: a code the round's
 * pack does not know, a number that is not one, a band outside 1-5, a code given twice, a
 * missing or extra column — each an error at FILE:LINE:COL. docs/paf-csv.md describes it.
 */
#ifndef SR_PAF_H
#define SR_PAF_H

#include "common.h"
#include "import.h"
#include "ydoc.h"

#include <stddef.h>

typedef struct pf_row {
    char *code;
    int service;         /* index of the catalogue's service */
    double value;
    int has_previous;
    double previous;
    int band;            /* 1-5, 0 when not given */
    int line;            /* line in the CSV */
} pf_row;

typedef struct pf_table {
    char *name;          /* the CSV's name, for notes */
    const im_catalogue *cat; /* what it was read against (its services), the caller's */
    pf_row *rows;
    size_t n;
} pf_table;

#define PF_MAX_ROWS 10000  /* documented in docs/limits.md */

/* Reads the CSV text against the catalogue of the evidence's round. */
int pf_read(const char *name, const char *text, size_t len, const im_catalogue *cat,
            pf_table *out, sr_error *err);
void pf_free(pf_table *t);

/* One flow-style YAML indicator entry for row r (no indentation, no line end). */
void pf_put_entry(sr_buf *b, const pf_table *t, const pf_row *r);

/* Merges the rows into an existing evidence file's text (its indicator lists, a service's
 * section added when missing), writing the whole file to out. A code the file already gives
 * for that service is an error at its position: which figure is right is for a person to say.
 * root is the file's parsed tree (yd_parse). */
int pf_merge_evidence(const char *name, const char *text, size_t len, const yd_node *root,
                      const pf_table *t, sr_buf *out, sr_error *err);

#endif
