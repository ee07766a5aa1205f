/*
 * import.h — `starrate import` (module prefix im_): reads the plain text of an annual review
 * letter (cover letter, then the annex under the heading the pack's `letter` declaration
 * names) and turns the annex into evidence: one finding per bullet, with its section,
 * service, standard tags, the indicator codes it mentions and the line it starts on, plus
 * indicator values the letter quotes, proposed for a human to check.
 * docs/evidence-format.md describes the output.
 *
 * What the letters of a round call things — the annex and section headings, the headings
 * of each service, the prefix of its findings' ids, the phrases naming indicators, which
 * standard a capacity tag names, the words of a sub-heading that say which section it opens,
 * the lines that end the annex, the words that make a figure a comparison and how long a
 * section heading may be — comes from the rule pack of the letter's round (the catalogue
 * below); this file knows only how letters are set out on the page and the English that
 * any letter is written in (numbers, "per cent", "and", page numbers; see import.c).
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

/* The sections of a service's part of the annex, whatever the pack's headings call them. */
typedef enum {
    IM_IMPROVEMENT,           /* improvements since the previous review (improvement_headings) */
    IM_AREA_FOR_IMPROVEMENT,  /* areas for improvement (area_headings) */
    IM_CAPACITY_IMPROVEMENT,  /* capacity section: "the following improvements to capacity" */
    IM_CAPACITY_CONCERN       /* capacity section: concerns, or "areas for development" */
} im_section;

/* A service as the evidence and the letters name it: from its declaration in the pack. */
typedef struct im_service {
    char *id;              /* the evidence file's key */
    char *prefix;          /* of its findings' ids: "PREFIX-imp-1" */
} im_service;

typedef struct im_finding {
    im_section section;
    int service;           /* index of the service, in pack order */
    int development;       /* IM_CAPACITY_CONCERN listed under "area(s) for development" */
    char *text;            /* wrapped lines joined; tag and trailing "; and" / "." trimmed */
    int line;              /* 1-based line where the bullet starts */
    int end_line;          /* last line of the bullet, its details included */
    int standards[RP_STANDARDS]; /* standard tags, ascending, no duplicates */
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
    int heading_line;      /* line of the annex heading */
    im_service *services;  /* the services of the pack it was read with, in pack order */
    size_t nservices;
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

/* The indicator codes a letter may mention, read from the rule pack of its round: each code
 * with its service and whether its unit is a percentage (only percentages are proposed as
 * values from the letter's figures). */
typedef struct im_code {
    char *code;
    int service;           /* index into the catalogue's services */
    int percent;
} im_code;

/* Headings as compared: folded (fold_heading in import.c); `prefix` entries match a
 * heading's start ("..." in the pack), the others the whole heading. */
typedef struct im_heads {
    char **text;
    unsigned char *prefix;
    size_t n;
} im_heads;

/* A phrase naming an indicator in running text (lower case, apostrophes left out). */
typedef struct im_phrase {
    size_t code;           /* index into codes */
    char *words;
    char *near;            /* a word the sentence must also hold, or NULL */
} im_phrase;

/* An annex heading, with the latest round whose pack declares it. */
typedef struct im_annex {
    char *heading;
    int round;
} im_annex;

/* How the letters of one round read, from its pack. */
typedef struct im_catalogue {
    im_code *codes;
    size_t n;
    im_service *services;  /* pack order */
    im_heads *service_heads; /* one per service */
    size_t nservices;
    im_phrase *phrases;
    size_t nphrases;
    char *annex;           /* the annex heading as declared; NULL: the pack declares no letter */
    im_heads heads[RP_LETTER_NLISTS];
    char **words[RP_WORDS_N]; /* the letter's other words (rp_letter_words), lower case */
    size_t nwords[RP_WORDS_N];
    size_t improvement_max; /* longest improvements heading (folded bytes); 0: no limit */
    size_t capacity_max;   /* longest capacity heading, likewise */
    int capacity_standard; /* its tag is dropped from capacity headings and findings */
    unsigned serving_standards; /* bit n - 1: standard n may tag a service finding */
    int year;              /* the round it was read for; 0 when empty */
    int pinned;            /* the caller chose the pack (--rules): never replaced by the
                              pack of the letter's round */
    im_annex *annexes;    /* the annex headings of every round with a pack, read once
                                 when a letter's round is not yet known (see im_parse) */
    size_t nannexes;
} im_catalogue;

/* Fills c from a loaded pack. */
int im_catalogue_from_pack(im_catalogue *c, const rp_pack *p, sr_error *err);
/* Fills c from the pack of round `year` under the rules root, unless c holds that round or
 * is pinned. */
int im_catalogue_for(im_catalogue *c, int year, sr_error *err);
/* Fills c from the pack in `dir` (a --rules argument) and pins it. */
int im_catalogue_pinned(im_catalogue *c, const char *dir, sr_error *err);
void im_catalogue_free(im_catalogue *c);
/* The distinct annex headings of every round with a pack, into c->annexes (read once). */
int im_catalogue_annexes(im_catalogue *c, sr_error *err);
/* A heading as compared (n bytes of s, into out of cap bytes): lower case, curly apostrophes
 * made straight, runs of spaces one space, trailing punctuation and a trailing tag of the
 * standard that informs capacity (c's; none when c is NULL) dropped. 0 when s is too long
 * to be a heading. */
int im_fold_heading(const im_catalogue *c, const char *s, size_t n, char *out, size_t cap);
void im_services_free(im_service *v, size_t n);

/* Parses the letter text (len bytes, need not be NUL-terminated). `name` names the file in
 * errors. `cat` caches the catalogue of the letter's round between calls (NULL: read it for
 * this call only). The annex is found with the heading of the catalogue's pack, else of any
 * round's pack; the round its heading names then gives the catalogue, unless `cat` is
 * pinned. SR_EINPUT when the text has no annex heading, is set in two columns, or has an
 * annex without service sections, a rating year or a council name; the pack's error when
 * a pack cannot be loaded; SR_ENOMEM on allocation failure. On error *out is NULL. */
int im_parse(const char *name, const char *text, size_t len, im_catalogue *cat, im_letter **out,
             sr_error *err);

/* Appends the evidence YAML (docs/evidence-format.md) to out. Returns SR_OK or SR_ENOMEM. */
int im_write_yaml(const im_letter *l, const char *source_name, sr_buf *out);

/* Appends one "NAME:LINE: warning: line not placed: TEXT" line per note, one warning per
 * finding without a standard or indicator and one per repair to check. SR_OK or SR_ENOMEM. */
int im_warnings(const im_letter *l, const char *name, sr_buf *out);

/* One line for standard error: findings per service, unplaced lines, unassigned findings. */
int im_summary(const im_letter *l, const char *name, sr_buf *out);

/* Lines of the annex in no finding (the notes' spans), and findings about performance that
 * carry neither a standard nor an indicator. */
size_t im_unplaced_lines(const im_letter *l);
size_t im_unassigned(const im_letter *l);

/* Findings of one service (its index) in one section. */
size_t im_count(const im_letter *l, int service, im_section section);

void im_free(im_letter *l);

#endif
