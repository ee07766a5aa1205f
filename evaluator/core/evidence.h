/*
 * evidence.h — a council's evidence for one rating round (module prefix ev_).
 *
 * Built from the strict YAML tree and validated against the rule pack of its round: service
 * names, judgement and grade words, requirement names and indicator codes come from the pack,
 * so a typo is an error with its line and column, never a silently ignored value. The format
 * is documented in docs/evidence-format.md.
 */
#ifndef SR_EVIDENCE_H
#define SR_EVIDENCE_H

#include "common.h"
#include "pack.h"
#include "ydoc.h"

#include <stdio.h>

typedef enum {
    EV_STRENGTH,
    EV_IMPROVEMENT,
    EV_AREA_FOR_IMPROVEMENT,
    EV_CONCERN,
    EV_AREA_FOR_DEVELOPMENT,
    EV_NKINDS
} ev_kind;

extern const char *const ev_kind_words[EV_NKINDS];
/* The kinds each list accepts, in the words of the evidence format (scenarios use them too):
 * findings speak of performance, capacity findings of the standard that informs capacity. */
extern const char *const ev_finding_kinds[4], *const ev_capacity_kinds[4];

typedef enum { EV_ORIGIN_RETURN, EV_ORIGIN_LETTER, EV_ORIGIN_ESTIMATE } ev_origin;
extern const char *const ev_origin_words[3];

#define EV_NTHEMES 6
extern const char *const ev_theme_words[EV_NTHEMES];

typedef struct ev_indicator {
    char *code;
    const rp_indicator *def;  /* the pack's entry, or the file's own declaration */
    int has_value, has_previous;
    double value, previous;
    int band;                 /* the published band 1-5; 0 when not given */
    char *note;
    ev_origin origin;
    int letter_line;          /* 0 when not from a letter */
    int line, col;            /* position in the evidence file */
} ev_indicator;

typedef struct ev_finding {
    char *id;
    char *text;
    ev_kind kind;
    unsigned standards;       /* bit n set for standard n (1-5) */
    char **codes;
    size_t ncodes;
    double weight;
    char **details;
    size_t ndetails;
    int theme;                /* index into ev_theme_words, -1 when none */
    int letter_line;
    int line, col;
} ev_finding;

typedef struct ev_service {
    int present;
    int given_serving, given_capacity;  /* word index, -1 when not given */
    int given_grade[RP_STANDARDS];      /* grade word index, -1 when not given */
    int given_line[2 + RP_STANDARDS];   /* positions of the given values, for the trace */
    ev_indicator *indicators;
    size_t nindicators;
    ev_finding *findings;
    size_t nfindings;
    ev_finding *capacity_findings;
    size_t ncapacity;
    int *requirements;  /* per pack requirement: -1 not known, 0 not met, 1 met */
} ev_service;

typedef struct ev_note {
    int line;
    char *text;
} ev_note;

/* Something in the file that is accepted but probably not what the author meant. */
typedef struct ev_warning {
    int line, col;
    char *msg;
} ev_warning;
/* What `starrate import` could not read with confidence (the file's `import` section): the
 * counts only; the lines themselves stay in the file for the reader to see. */
typedef struct ev_import {
    int present;              /* the file has an `import` section */
    long unplaced_lines;      /* lines of the letter in no finding */
    size_t unplaced;          /* entries of import.unplaced */
    size_t unassigned;        /* findings without a standard or an indicator */
    size_t warnings;          /* repairs the reader made that a person should check */
} ev_import;

typedef struct ev_evidence {
    char *path;
    char sha256[65];
    char *council, *round, *source;
    int year;
    int pub_stars;                          /* -1 when not published */
    int pub_serving[RP_MAX_SERVICES];       /* -1 when not published */
    int pub_capacity[RP_MAX_SERVICES];
    rp_indicator *custom;                   /* indicators the file declares itself */
    size_t ncustom;
    ev_note *notes;
    size_t nnotes;
    ev_warning *warnings;                   /* in file order */
    size_t nwarnings;
    ev_import import;
    size_t nservices;
    ev_service services[RP_MAX_SERVICES];
} ev_evidence;

/* Reads `year` from the root map, so the caller can pick the pack before building. */
int ev_peek_year(const yd_node *root, const char *file, int *year, sr_error *err);

/* Builds the evidence from a parsed tree. `file` is used in error positions and output. */
int ev_build(const yd_node *root, const char *file, rp_pack *p, ev_evidence **out, sr_error *err);

/* Whether a rating from this evidence needs the import caveat: lines of the letter were not
 * placed or findings were left without a standard or indicator. */
int ev_import_doubtful(const ev_evidence *ev);

void ev_free(ev_evidence *ev);
void ev_finding_free(ev_finding *f);

/* The index of the indicator with this code in a service's list, or -1. */
int ev_indicator_index(const ev_service *svc, const char *code);
/* An indicator's definition: the pack's, else the evidence file's own declaration; NULL when
 * neither declares it. */
const rp_indicator *ev_indicator_def(const rp_pack *p, const ev_evidence *ev, const char *code);

/* A deep copy of ev: custom indicator declarations are copied and the indicators re-pointed
 * to the copies. nreq is the pack's requirement count (the evidence does not record it);
 * reserve, when not NULL, gives per service extra indicator slots to allocate (unused). */
int ev_clone(const ev_evidence *ev, size_t nreq, const size_t *reserve, ev_evidence **out,
             sr_error *err);

/* Appends each warning as "FILE:LINE:COL: warning: ...", one a line. */
void ev_warnings_format(sr_buf *b, const ev_evidence *ev);
/* The same, printed to f. */
void ev_warnings_print(FILE *f, const ev_evidence *ev);

#endif
