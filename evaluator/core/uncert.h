/*
 * uncert.h — how sure a rating is (module prefix un_).
 *
 * A rule pack's reconstructed numbers are parameters with a plausible range (rp_param). A
 * variant of the pack is one draw of every parameter from its range; it is admissible when
 * every test of the pack (the YAML files in PACK/tests of the pack and of the packs it extends: the
 * published outcomes) still comes out right with it. un_fit draws variants with a seeded
 * generator of its own (xoshiro256**, seeded by splitmix64) until it holds the number asked
 * for, or has tried UN_MAX_TRIES_PER_VARIANT times as many, and keeps the admissible ones.
 * The tries are shared among o->threads workers; each try is seeded by its number, so the
 * variants kept do not depend on how many workers there were.
 *
 * un_rate then rates one council once per admissible variant, each run also drawing what the
 * evidence leaves unknown (rp_gaps: a value for each indicator of the catalogue that has none,
 * a value within the published band of an indicator whose cap needs one, met or not met for
 * each requirement not stated), and counts how often each star rating and each judgement word
 * comes out. Runs are numbered; run k uses variant k and draws its unknowns from a generator
 * seeded by (seed, k) alone, so a council's probabilities do not depend on the councils rated
 * beside it, and a scenario of the same council (whatif) meets the same draws.
 *
 * Setting a variant changes the values the rules read (rp_params_set) and the pack's band
 * limits in place; un_model_free puts the declared values back.
 */
#ifndef SR_UNCERT_H
#define SR_UNCERT_H

#include "common.h"
#include "eval.h"
#include "evidence.h"
#include "json.h"
#include "pack.h"
#include "session.h"

#include <stdint.h>

#define UN_DEFAULT_SEED 2002u
#define UN_DEFAULT_VARIANTS 1000
#define UN_FAST_VARIANTS 100          /* the plain `rate`: only to say when a rating is unsure */
#define UN_MAX_VARIANTS 100000
#define UN_MAX_TRIES_PER_VARIANT 50
#define UN_MAX_THREADS 8              /* workers of one fit at most */
#define UN_QUICK_RUNS 20              /* the plain line looks every 20 runs whether the most
                                       * likely rating is surely (95%) above UN_UNSURE */
#define UN_UNSURE 0.8                 /* below this the plain `rate` adds its one line */
#define UN_MAX_WORDS 8
#define UN_DRIVERS 3

typedef struct un_options {
    uint64_t seed;
    int variants;          /* admissible variants wanted (= runs per council) */
    const char *exclude;   /* council whose tests are left out (leave-one-out), or NULL */
    int threads;           /* workers of the fit (0 or 1: the caller alone); any number gives
                            * the same variants */
    int quick;             /* only to say whether a rating is unsure: un_rate stops once
                            * the runs show it is surely not (every UN_QUICK_RUNS runs) */
} un_options;

typedef struct un_model un_model;

/* Draws the admissible variants of pack p. Test evidence is loaded through session s (the
 * packs of other rounds that the tests name are loaded there too). A pack without parameters
 * gives a model of one variant, its declared values. */
int un_fit(ss_session *s, rp_pack *p, const un_options *o, un_model **out, sr_error *err);
void un_model_free(un_model *m);

/* What un_fit found. */
size_t un_model_variants(const un_model *m);
long un_model_tried(const un_model *m);
size_t un_model_checks(const un_model *m);  /* test cases each variant had to pass */
uint64_t un_model_seed(const un_model *m);
int un_model_has_params(const un_model *m);

/* Sets variant v of the model in its pack (v == SIZE_MAX: the declared values). */
int un_apply(un_model *m, size_t v, sr_error *err);
/* Whether every test case holds under the values now set; exposed for tests. */
int un_checks_hold(un_model *m, int *holds, sr_error *err);

/* One input that varies between runs, as un_rate reports it. */
typedef enum { UN_PARAM, UN_BAND_LIMITS, UN_MISSING_INDICATOR, UN_UNKNOWN_REQUIREMENT,
               UN_THRESHOLD_VALUE } un_input_kind;

typedef struct un_driver {
    un_input_kind kind;
    char name[64];      /* parameter id, indicator code or requirement id */
    double off_low, off_high; /* share of runs off the most likely rating, input low / high */
    double influence;   /* |off_low - off_high| */
} un_driver;

typedef struct un_council {
    size_t runs;
    uint64_t seed;
    int rating_min, rating_max;
    double stars[8];        /* by number of stars - rating_min */
    double stars_open;      /* share of runs where the judgements left the stars open */
    size_t nservices;
    double serving[RP_MAX_SERVICES][UN_MAX_WORDS + 1];  /* by word; [nwords]: insufficient */
    double capacity[RP_MAX_SERVICES][UN_MAX_WORDS + 1];
    int likely;             /* most likely number of stars; -1 when "open" is */
    double p_likely;
    int baseline;           /* the plain rating (declared values, nothing drawn); -1 open */
    size_t nunknowns;       /* unknowns of the evidence drawn in each run */
    size_t ninputs;
    un_driver drivers[UN_DRIVERS];
    size_t ndrivers;
} un_council;

/* Rates the council of ev (built against the model's pack) in every run. r is scratch. */
int un_rate(un_model *m, const ev_evidence *ev, rt_result *r, un_council *out, sr_error *err);

/* Renderings of one council's probabilities (the plain rating is rendered as usual). */
void un_text(sr_buf *b, const un_model *m, const rp_pack *p, const un_council *u);
/* The chances of the star ratings, most likely first: "1 star 73%, 2 stars 27%". */
void un_chances(sr_buf *b, const un_council *u);
/* How a plan moves them: "chance of 2 stars 27% -> 85%, of 1 star 73% -> 15%", every rating
 * whose chance moved by a point or more, or "no change to the chances". */
void un_moves(sr_buf *b, const un_council *before, const un_council *after);
/* The report's "How sure": a sentence a councillor can read and one bar per star rating. */
void un_html(sr_buf *b, const un_model *m, const un_council *u);
/* The "How sure" section of `explain`: the chances in sentences and why. */
void un_explain(sr_buf *b, const un_model *m, const rp_pack *p, const un_council *u);
/* The one line the plain `rate` adds when the most likely rating has under UN_UNSURE. */
void un_unsure_line(sr_buf *b, const un_council *u, const rp_pack *p);
/* Members of the council's JSON object: "uncertainty": { ... }. */
void un_json(js_writer *w, const un_model *m, const rp_pack *p, const un_council *u);
/* out_json_with's callback: ctx is an un_json_ctx. */
typedef struct un_json_ctx {
    const un_model *m;
    const rp_pack *p;
    const un_council *u;
} un_json_ctx;
void un_json_member(js_writer *w, const void *ctx);
void un_csv_header(sr_buf *b, const rp_pack *p);
void un_csv_row(sr_buf *b, const ev_evidence *ev, const rp_pack *p, const un_council *u);
void un_table_header(sr_buf *b);
void un_table_row(sr_buf *b, const ev_evidence *ev, const un_council *u);
/* A driver as prose: "serving_most (a parameter): off the most likely rating in 40% of runs
 * when low, 5% when high". */
void un_driver_text(sr_buf *b, const un_driver *d);

/* The models of the packs a command meets, fitted once each with the same options. */
#define UN_CACHE_PACKS 16
/* The fits shared by the workers of one command (each worker has packs of its own): a pack
 * is fitted once and its variants copied into every worker's model of it. Thread-safe. */
typedef struct un_shared un_shared;
int un_shared_new(un_shared **out);
void un_shared_free(un_shared *sh);

typedef struct un_cache {
    un_options o;
    un_shared *shared;   /* NULL: this cache fits alone */
    struct { rp_pack *p; un_model *m; } e[UN_CACHE_PACKS];
    int n;
} un_cache;

void un_cache_init(un_cache *c, const un_options *o);
int un_cache_get(un_cache *c, ss_session *s, rp_pack *p, un_model **out, sr_error *err);
void un_cache_free(un_cache *c);
/* Reads --seed and --variants (either may be NULL: the defaults); 0, or -1 with a message in
 * msg for a value that is not a whole number in range. */
int un_parse_options(const char *seed, const char *variants, int fast, un_options *o, char *msg,
                     size_t msglen);

/* `backtest --uncertainty`: for each calibration council with evidence (a pack test derives
 * its rating from a file whose rating was published), the chances of its rating with every
 * test in the model and with its own tests left out, scored against the published stars
 * (Brier score, log-loss, whether the published rating was the most likely). */
int un_backtest(ss_session *s, const un_options *o, int json, sr_buf *b, sr_error *err);

/* The parameters of a pack, one per line, for `starrate check`. */
void un_list_params(sr_buf *b, const rp_pack *p);

#endif
