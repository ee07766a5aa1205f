/*
 * pack.h — rule packs (module prefix rp_).
 *
 * A rule pack is a folder of Lua files (rules/<round>/pack.lua names the others and, for a
 * later round, the pack it extends). Loading runs each file in the sandbox with the
 * declaration API (`service`, `scale`, `standard`, `indicator`, `requirement`, `cap`,
 * `star_rule`, `rule`, `rating`, `retire`, `pack`); every declaration records the file and line it came
 * from and its provenance. The C structures below are a read-only copy of those declarations:
 * the C core holds no SSI label, number or table of its own.
 */
#ifndef SR_PACK_H
#define SR_PACK_H

#include "common.h"
#include "luahost.h"

#include <stddef.h>

#define RP_MAX_SERVICES 4
#define RP_STANDARDS 8   /* at most; a pack numbers its standards from 1 (rp_pack.nstandards) */
#define RP_STAR_MEMO 256  /* judgement combinations whose star row rp_stars remembers */

typedef struct rp_prov {
    int reconstructed;  /* 0: documented fact (`source`), 1: this project's reconstruction */
    char *text;         /* the reference or the reasoning */
    char *file;         /* rule file, relative to the rules folder, e.g. "2002/stars.lua" */
    int line;
} rp_prov;

typedef struct rp_word {
    char *id;
    char *text;
} rp_word;

typedef struct rp_scale {
    char *id;
    char *name;
    rp_word *words;  /* worst first */
    size_t nwords;
    rp_prov prov;
} rp_scale;

typedef struct rp_service {
    char *id, *name, *title;
    /* How a review letter names the service (import.h): the headings of its section, and
     * the prefix of the ids given to its findings (NULL: the id). Both optional. */
    char **headings;
    size_t nheadings;
    char *id_prefix;
    rp_prov prov;
} rp_service;

/* The judgement a standard's grade informs; NONE for a number the pack does not declare. */
typedef enum { RP_INFORMS_NONE, RP_INFORMS_SERVING, RP_INFORMS_CAPACITY } rp_informs;

typedef struct rp_standard {
    int number;
    char *name;
    rp_informs informs;
    char *domain;   /* optional: the letter of the indicator domain it covers, or NULL */
    char **criteria;
    size_t ncriteria;
    rp_prov prov;
} rp_standard;

typedef enum { RP_HIGHER, RP_LOWER, RP_RANGE } rp_polarity;

typedef struct rp_band {
    int band;
    int has_min, has_max;
    double min, max;
} rp_band;

/* A phrase that names an indicator in a letter's running text, so that a figure stated
 * after it can be read as the indicator's value; `near`, when set, is a word the same
 * sentence must hold as well. */
typedef struct rp_phrase {
    char *words, *near;
} rp_phrase;

typedef struct rp_indicator {
    char *code, *name, *unit;
    int service;   /* index into services */
    int standard;  /* the number of a standard that informs serving */
    rp_polarity polarity;
    rp_band bands[4];  /* best first: 5, 4, 3, 2; a value in none is band 1 */
    size_t nbands;
    /* Values outside [plausible_min, plausible_max] are probably a slip (a fraction for a
     * percentage): evidence giving one gets a warning, never a different rating. */
    int has_plausible;
    double plausible_min, plausible_max;
    rp_phrase *phrases;  /* optional: how letters name it (import.h) */
    size_t nphrases;
    rp_prov prov;
} rp_indicator;

typedef struct rp_requirement {
    char *id, *text;
    int services[RP_MAX_SERVICES]; /* 1 when it applies to that service */
    rp_prov prov;
} rp_requirement;

typedef struct rp_cap {
    char *id, *sentence;
    int service;     /* index */
    int judgement;   /* 0 serving, 1 capacity */
    int to;          /* word index in that judgement's scale */
    char *indicator; /* or NULL */
    char *requirement;
    int has_above, has_below;
    double above, below;
    int threshold_param; /* index + 1 of the parameter `above` or `below` names; 0: a number */
    rp_prov prov;
} rp_cap;

typedef struct rp_star_rule {
    char *id, *sentence;
    int stars;
    int fnref;  /* declaration holding `when` (see rp_push_function) */
    rp_prov prov;
} rp_star_rule;

typedef struct rp_rule {
    char *id, *layer, *sentence;
    int fnref;  /* declaration holding `fn` (see rp_push_function) */
    rp_prov prov;
} rp_rule;

/* What a `retire` declaration can remove from the packs a round extends. */
typedef enum {
    RP_RETIRE_INDICATOR, RP_RETIRE_CAP, RP_RETIRE_REQUIREMENT, RP_RETIRE_SERVICE,
    RP_RETIRE_STAR_RULE, RP_RETIRE_NKINDS
} rp_retire_kind;
extern const char *const rp_retire_words[RP_RETIRE_NKINDS + 1]; /* "indicator", ..., NULL */

/* A declaration a later round retired: gone from the pack, remembered so that a later use of
 * it says where it was retired. */
typedef struct rp_retired {
    rp_retire_kind kind;
    char *id;
    rp_prov prov;  /* the retire declaration's */
} rp_retired;

/* How the round's review letters are laid out (`letter { ... }`, one per pack, inherited):
 * the heading that opens the annex import reads, the headings of its sections and the words
 * below (docs/rules.md, "Reading letters"). Each heading list entry matches a whole heading,
 * or its start when it ends in "...". */
typedef enum {
    RP_LETTER_IMPROVEMENTS,  /* improvement_headings: improvements since the last review */
    RP_LETTER_AREAS,         /* area_headings: areas for improvement */
    RP_LETTER_CAPACITY,      /* capacity_headings: the capacity section */
    RP_LETTER_SUB,           /* sub_headings: "the assessment has highlighted the following" */
    RP_LETTER_NLISTS
} rp_letter_list;

/* The letter's words that are not headings: what the rest of a sub-heading says (the first
 * four, the lists of `sub_heading_words`), what ends the annex, and what makes a figure a
 * comparison. Matched without regard to ASCII case. */
typedef enum {
    RP_WORDS_CAPACITY,     /* sub_heading_words.capacity: it speaks of capacity */
    RP_WORDS_CONCERN,      /* sub_heading_words.concern: it lists concerns */
    RP_WORDS_DEVELOPMENT,  /* sub_heading_words.development: areas for development */
    RP_WORDS_IMPROVEMENT,  /* sub_heading_words.improvement: it lists improvements */
    RP_WORDS_ANNEX_END,    /* annex_end: a line starting with one ends the annex */
    RP_WORDS_ANNEX_LABELS, /* annex_labels: one with a short label alone on a line ends it */
    RP_WORDS_COMPARISON,   /* comparison_words: between an indicator's name and a figure,
                              one makes the figure something other than its value */
    RP_WORDS_N
} rp_letter_words;
#define RP_WORDS_NSUB 4    /* the first RP_WORDS_NSUB are sub_heading_words' */

typedef struct rp_letter {
    int declared;
    char *annex_heading;
    char **lists[RP_LETTER_NLISTS];
    size_t nlists[RP_LETTER_NLISTS];
    char **words[RP_WORDS_N];
    size_t nwords[RP_WORDS_N];
    /* the longest folded heading read as an improvements or capacity heading, in bytes
     * (a longer line that starts the same way is a sentence); 0: no limit */
    int improvement_heading_max;
    int capacity_heading_max;
    rp_prov prov;
} rp_letter;

typedef enum { RP_DIST_UNIFORM, RP_DIST_TRIANGULAR } rp_dist;

/* A reconstructed number, declared `param { id, value, lo, hi, reconstructed, [dist], [each] }`.
 * The rules read it as `params.ID` when they run; a cap names it in `above` or `below`. The
 * value is today's reconstruction; [lo, hi] is the range a variant draws from (uncert.h). */
typedef struct rp_param {
    char *id;
    double value, lo, hi;
    rp_dist dist;           /* uniform, or triangular with its mode at value */
    int each_indicator;     /* `each = "indicator"`: a shift of the band limits drawn for each
                             * reconstructed indicator on its own, in band widths (stricter > 0) */
    rp_prov prov;
} rp_param;

/* How the unknowns of an evidence file are drawn (`gaps { bands, requirement_met }`): the
 * chance of each band 1-5 for an indicator of the catalogue with no value, and the chance that
 * a requirement the evidence does not state was met. */
typedef struct rp_gaps {
    int declared;
    double band[5];         /* band 1 first; sums to 1 */
    double requirement_met;
    rp_prov prov;
} rp_gaps;

typedef struct rp_pack {
    char *name, *version, *title;
    int round;
    char *dir;          /* the pack's folder as given */
    char sha256[65];    /* over every file loaded, in order */
    char **files;       /* display names of the files loaded, in order */
    size_t nfiles;
    lh_host *host;
    int decls_ref;      /* registry: the declarations, which keep the rules' functions */
    unsigned long serial; /* unique per pack loaded in this process (keys rt_result's memo) */

    rp_service services[RP_MAX_SERVICES];
    size_t nservices;
    rp_scale serving, capacity, grade;
    int rating_min, rating_max;
    char *rating_unit;
    rp_prov rating_prov;
    rp_standard standards[RP_STANDARDS]; /* by number - 1 */
    int nstandards;             /* standards 1 to nstandards are declared */
    unsigned serving_standards; /* bit n - 1 for each standard n that informs serving */
    int capacity_standard;      /* the number of the standard that informs capacity, 0 none */
    rp_indicator *indicators;
    size_t nindicators;
    rp_requirement *requirements;
    size_t nrequirements;
    rp_cap *caps;
    size_t ncaps;
    rp_star_rule *star_rules;
    size_t nstar_rules;
    /* judgement rules by layer; NULL when the pack declares none (judgements must be given) */
    rp_rule *grade_rule, *serving_rule, *capacity_grade_rule, *capacity_rule;
    rp_rule *rules;
    size_t nrules;
    rp_retired *retired;  /* in the order the retire declarations were made */
    size_t nretired;
    /* The star row of each judgement combination once rp_stars has tried it: 0 not yet,
     * 1 no row matched, otherwise the row + 2. */
    short star_memo[RP_STAR_MEMO];
    rp_param *params;      /* declaration order */
    size_t nparams;
    int params_ref;        /* registry: the table the rules' read-only `params` reads */
    unsigned long param_gen; /* changes whenever a parameter's value does (keys rt_result's memo) */
    rp_gaps gaps;
    rp_letter letter;
} rp_pack;

/* Finds the rules folder: $STARRATE_RULES, else ../share/starrate/rules, ../rules or
 * ../../rules beside the executable. Writes into out. */
int rp_rules_root(char *out, size_t outlen);
/* Resolves a --rules argument or a round to a pack folder: an existing folder is used as it
 * is, otherwise "<root>/<name>"; a round (digits only) is always "<root>/<round>", never a
 * folder of that name in the working directory (./2003 names that one). */
int rp_resolve(const char *name_or_dir, char *out, size_t outlen, sr_error *err);
/* The newest round folder under the rules root (for commands given no evidence). */
int rp_latest(char *out, size_t outlen, sr_error *err);
/* The rounds that have a pack under the rules root, oldest first; returns how many. */
int rp_rounds(int *rounds, int max);
/* The folder of a round's pack under the rules root. */
int rp_round_dir(int round, char *out, size_t outlen);

int rp_load(const char *dir, const lh_limits *lim, rp_pack **out, sr_error *err);
void rp_free(rp_pack *p);

/* Lookups; -1 / NULL when absent. */
int rp_service_index(const rp_pack *p, const char *id);
int rp_word_index(const rp_scale *s, const char *id);
const rp_indicator *rp_indicator_find(const rp_pack *p, const char *code);
const rp_requirement *rp_requirement_find(const rp_pack *p, const char *id);
/* The latest retirement of `id` as a `kind` (when no later declaration brought it back, it is
 * not in the pack), or NULL. */
const rp_retired *rp_retired_find(const rp_pack *p, rp_retire_kind kind, const char *id);

/* The standards that inform serving, as the trace and messages name them: "1-5", "1-3, 5". */
void rp_serving_span(const rp_pack *p, char *out, size_t len);
/* Whether standard n is declared and informs serving. */
int rp_informs_serving(const rp_pack *p, int n);
/* Trying every completion of judgements that are missing: each slot is a word index with
 * sizes[i] words, and the slots start at 0. Advances to the next completion as an odometer
 * (the first slot fastest); 0 when every completion has been seen (the slots are back at 0).
 * With no slot there is one completion. */
int rp_next_completion(int *const *slots, const int *sizes, size_t n);
/* The rating unit for n of it: "star" for one when the unit is "stars", else the unit. */
const char *rp_unit(const rp_pack *p, int n);
/* "2 stars", or "not settled" for a rating the evidence leaves open (stars < 0). */
void rp_stars_phrase(sr_buf *b, const rp_pack *p, int stars);
/* Word w's id on the scale, or `none` for no word (w < 0). */
const char *rp_word_id(const rp_scale *sc, int w, const char *none);
/* A rule's provenance in words: in text "documented" or "reconstructed"; in JSON (the
 * pack's own word) "source" or "reconstructed". */
const char *rp_prov_text(int reconstructed);
const char *rp_prov_json(int reconstructed);

/* The index of a parameter; -1 when absent. */
int rp_param_index(const rp_pack *p, const char *id);
/* Sets the values the rules read, one per parameter in declaration order (NULL: the declared
 * values), and the thresholds of the caps that name a parameter; the pack is not reloaded. */
int rp_params_set(rp_pack *p, const double *values, sr_error *err);

/* Pushes field `field` of declaration fnref (a rule's function); returns its Lua type. Call it
 * in protected mode (lh_protect). */
int rp_push_function(rp_pack *p, int fnref, const char *field);

/* Applies the star table to judgements given as word indexes: serving[s], capacity[s] per
 * service. Returns the index of the first matching row in *row (or -1 when none matched). */
int rp_stars(rp_pack *p, const int *serving, const int *capacity, int *row, sr_error *err);

/* Checks a loaded pack: declarations complete, ids unique, every judgement combination matched
 * by a star row, every star row the first match for at least one combination. Problems are
 * appended to report, one per line, as "FILE:LINE: error: ..."; returns the count. */
int rp_check(rp_pack *p, sr_buf *report, sr_error *err);

#endif
