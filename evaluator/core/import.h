/*
 * import.h — `starrate import` (module prefix im_): reads the plain text of an SSI annual
 * review letter (cover letter, then the annex headed "PERFORMANCE REVIEW REPORT") and turns
 * the annex into evidence: one finding per bullet, with its section, service, standard tags,
 * the PAF codes it mentions and the line it starts on, plus indicator values the letter
 * quotes, proposed for a human to check. docs/evidence-format.md describes the output.
 *
 * Nothing of the annex is dropped silently: every non-blank line ends up in a finding, a
 * detail, a recognised heading, a note (a line that could not be placed, reported as a
 * warning) or the list of skipped page artefacts ("Page 3 of 7"). Each of these records the
 * span of lines it came from, so a caller (and the tests) can account for every line.
 *
 * Input may be UTF-8 or Windows-1252 (or a mixture), with LF, CRLF or CR line endings; all
 * text in the result is valid UTF-8 without control characters.
 */
#ifndef SR_IMPORT_H
#define SR_IMPORT_H

#include "common.h"
#include "pack.h"

#include <stddef.h>

enum { IM_CHILDREN = 0, IM_ADULTS = 1 };

typedef enum {
    IM_IMPROVEMENT,           /* "Improvements observed since the previous annual review" */
    IM_AREA_FOR_IMPROVEMENT,  /* "Areas for Improvement" (also "of Improvement") */
    IM_CAPACITY_IMPROVEMENT,  /* Standard 6: "the following improvements to capacity" */
    IM_CAPACITY_CONCERN       /* Standard 6: "concerns about capacity" / "areas for development" */
} im_section;

typedef struct im_finding {
    im_section section;
    int service;           /* IM_CHILDREN or IM_ADULTS */
    int development;       /* IM_CAPACITY_CONCERN listed under "area(s) for development" */
    char *text;            /* wrapped lines joined; tag and trailing "; and" / "." trimmed */
    int line;              /* 1-based line where the bullet starts */
    int end_line;          /* last line of the bullet, its details included */
    int standards[6];      /* standard tags, ascending, no duplicates */
    int nstandards;
    char **codes;          /* PAF codes mentioned (in the text or the details), first seen first */
    size_t ncodes;
    char **details;        /* nested bullets, cleaned like text */
    int *detail_lines;     /* line where each nested bullet starts */
    size_t ndetails;
} im_finding;

/* A figure the letter quotes for an indicator, proposed as its value (origin: letter). */
typedef struct im_value {
    int service;
    char *code;
    double value;
    int line;              /* line holding the figure */
    char *text;            /* the sentence it was read from */
} im_value;

/* A span of lines: an unplaced paragraph (note), a heading, or a skipped page artefact. */
typedef struct im_note {
    int line;
    int end_line;
    char *text;
} im_note;

typedef struct im_letter {
    char *council;         /* title case when the letter writes it in capitals */
    int year;              /* rating round, from the annex heading */
    int heading_line;      /* line of the "PERFORMANCE REVIEW REPORT" heading */
    int end_line;          /* last line of the annex (the file's last line, or before a marker
                              such as "Background papers" that ends it) */
    im_finding *findings;  /* in the order of the letter */
    size_t nfindings;
    im_value *values;
    size_t nvalues;
    im_note *notes;        /* paragraphs that could not be placed: warnings */
    size_t nnotes;
    im_note *headings;     /* headings, sub-headings and the council line, as read */
    size_t nheadings;
    im_note *skipped;      /* page headers, footers, lone page numbers, detached markers */
    size_t nskipped;
    im_note *warns;        /* what the reader repaired and a person should check */
    size_t nwarns;
    const struct pf_table *paf; /* PAF figures from CSV to write with the letter, or NULL
                                   (the caller's; they win over figures the letter quotes) */
} im_letter;

/* The PAF codes a letter may mention, read from the rule pack of its round: each code with
 * the letter section of its service and whether its unit is a percentage (only percentages
 * are proposed as values from the letter's figures). */
typedef struct im_code {
    char *code;
    int service;           /* IM_CHILDREN or IM_ADULTS */
    int percent;
} im_code;

typedef struct im_catalogue {
    im_code *codes;
    size_t n;
    int year;              /* the round it was read for; 0 when empty */
} im_catalogue;

/* Fills c from a loaded pack (indicators of services other than the letter's two left out). */
int im_catalogue_from_pack(im_catalogue *c, const rp_pack *p, sr_error *err);
/* Fills c from the pack of round `year` under the rules root, unless c holds that round. */
int im_catalogue_for(im_catalogue *c, int year, sr_error *err);
void im_catalogue_free(im_catalogue *c);

/* Parses the letter text (len bytes, need not be NUL-terminated). `name` names the file in
 * errors. `cat` caches the catalogue of the letter's round between calls (NULL: read it for
 * this call only). SR_EINPUT when the text has no annex heading, is set in two columns, or
 * has an annex without service sections, a rating year or a council name; the pack's error
 * when the round's pack cannot be loaded; SR_ENOMEM on allocation failure. On error *out is
 * NULL. */
int im_parse(const char *name, const char *text, size_t len, im_catalogue *cat, im_letter **out,
             sr_error *err);

/* Appends the evidence YAML (docs/evidence-format.md) to out. Returns SR_OK or SR_ENOMEM. */
int im_write_yaml(const im_letter *l, const char *source_name, sr_buf *out);

/* Appends one "NAME:LINE: warning: line not placed: TEXT" line per note, one warning per
 * finding without a standard or indicator and one per repair to check. SR_OK or SR_ENOMEM. */
int im_warnings(const im_letter *l, const char *name, sr_buf *out);

/* The evidence file's id of a letter section's service (IM_CHILDREN, IM_ADULTS). */
const char *im_service_id(int service);

/* One line for standard error: findings per service, unplaced lines, unassigned findings. */
int im_summary(const im_letter *l, const char *name, sr_buf *out);

/* Lines of the annex in no finding (the notes' spans), and findings about performance that
 * carry neither a standard nor an indicator. */
size_t im_unplaced_lines(const im_letter *l);
size_t im_unassigned(const im_letter *l);

/* Findings of one service (IM_CHILDREN / IM_ADULTS) in one section. */
size_t im_count(const im_letter *l, int service, im_section section);

void im_free(im_letter *l);

#endif
