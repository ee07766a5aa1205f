/*
 * gen_councils.c — synthetic councils for the benchmarks.
 *
 *   gen_councils PACK OUTDIR COUNT SEED
 *
 * Writes COUNT evidence files OUTDIR/council-NNN.yaml for the round of PACK (a folder or a
 * round name). Each has, for both services, every indicator of the pack's catalogue with a
 * value and a previous value, 14-19 findings and 3-5 capacity findings (about 40 in all), and
 * every key requirement of the service. The indicator set is read from the pack itself, so a
 * new round needs no change here. The same seed always gives the same files, byte for byte:
 * the generator is a fixed xorshift, and numbers are printed in the C locale.
 */
#include "common.h"
#include "eval.h"
#include "evidence.h"
#include "json.h"
#include "output.h"
#include "pack.h"
#include "ydoc.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- deterministic randomness ------------------------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    /* xorshift64* (Vigna): small, fast and the same everywhere. */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ULL;
}

/* Uniform in [0, 1). */
static double rng_unit(rng *r)
{
    return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

static int rng_int(rng *r, int lo, int hi)
{
    return lo + (int)(rng_unit(r) * (hi - lo + 1));
}

static const char *rng_pick(rng *r, const char *const *words, size_t n)
{
    return words[rng_int(r, 0, (int)n - 1)];
}

#define PICK(r, a) rng_pick((r), (a), sizeof(a) / sizeof((a)[0]))

/* ---- indicator values --------------------------------------------------------------- */

/* The interval the band limits span, widened by a quarter on each side so that some values
 * fall in band 1 and some beyond the best limit (and some breach the key thresholds). */
static void value_range(const rp_indicator *d, double *lo, double *hi)
{
    *lo = INFINITY, *hi = -INFINITY;
    for (size_t i = 0; i < d->nbands; i++) {
        const rp_band *b = &d->bands[i];
        if (b->has_min) *lo = fmin(*lo, b->min), *hi = fmax(*hi, b->min);
        if (b->has_max) *lo = fmin(*lo, b->max), *hi = fmax(*hi, b->max);
    }
    if (*lo > *hi)
        *lo = 0, *hi = 100;
    double span = *hi - *lo > 0 ? *hi - *lo : fmax(1, fabs(*hi));
    *lo = fmax(0, *lo - span / 4);
    *hi += span / 4;
}

/* Values with the precision their scale suggests: 0.75 for a ratio, 22.4 for a percent. */
static double rounded(double v, double span)
{
    double unit = span < 5 ? 100 : 10;
    return round(v * unit) / unit;
}

/* Within the pack's plausible range, where it declares one (a percent at most 100): a value
 * outside it would be warned about, and the bench would time the warnings. */
static double clamp(const rp_indicator *d, double v)
{
    if (!d->has_plausible)
        return v;
    return fmin(d->plausible_max, fmax(d->plausible_min, v));
}

/* `quality` (0 poor to 1 good) leans the value towards the indicator's good end, so the
 * councils spread over the whole star scale. */
static void write_indicator(FILE *f, rng *r, const rp_indicator *d, double quality)
{
    double lo, hi;
    value_range(d, &lo, &hi);
    double span = hi - lo;
    double u = fmin(1, fmax(0, quality + (rng_unit(r) - 0.5) * 0.9));
    if (d->polarity == RP_LOWER)
        u = 1 - u;
    else if (d->polarity == RP_RANGE)
        u = rng_unit(r);
    double value = clamp(d, rounded(lo + u * span, span));
    double previous = clamp(d, rounded(fmax(0, value + (rng_unit(r) - 0.5) * span / 5), span));
    fprintf(f, "    - {code: %s, value: %g, previous: %g}\n", d->code, value, previous);
}

/* ---- findings ----------------------------------------------------------------------- */

static const char *const subjects[] = {
    "Assessment of older people", "Placement stability for looked-after children",
    "Support for carers", "Reviews of child protection cases", "Direct payments",
    "Intensive home care", "Adoption from care", "Care leavers in education and work",
    "Hospital discharge arrangements", "Equipment delivered within seven days",
    "Commissioning of residential care", "Consultation with service users",
    "Services for disabled children", "Recruitment of foster carers",
    "Unit costs of residential care", "Race equality in service delivery",
    "Access to mental health services", "Partnership with the health trust",
};

static const char *const predicates[] = {
    "has improved steadily over the year", "remains below the level of comparator councils",
    "is now among the best in the region", "was reported as a priority for the coming year",
    "shows early signs of progress after a difficult period",
    "is not yet consistent across the county", "was commended by the inspectors",
    "depends on a small number of experienced staff", "has been extended to every district",
};

static const char *const good_kinds[] = {"strength", "improvement"};
static const char *const bad_kinds[] = {"area_for_improvement", "area_for_improvement", "concern"};
static const char *const good_capacity[] = {"strength", "improvement"};
static const char *const bad_capacity[] = {"concern", "area_for_development"};

static const char *const themes[] = {
    "leadership", "finance", "information", "workforce", "partnership", "structure",
};

/* A code of this service's catalogue, for findings that name an indicator. */
static const char *some_code(rng *r, const rp_pack *p, int service)
{
    for (int tries = 0; tries < 64; tries++) {
        const rp_indicator *d = &p->indicators[rng_int(r, 0, (int)p->nindicators - 1)];
        if (d->service == service)
            return d->code;
    }
    return NULL;
}

static void write_finding(FILE *f, rng *r, const rp_pack *p, int service, const char *prefix,
                          int n, double quality)
{
    fprintf(f, "    - id: %s-f%d\n", prefix, n);
    fprintf(f, "      text: %s %s.\n", PICK(r, subjects), PICK(r, predicates));
    fprintf(f, "      kind: %s\n", rng_unit(r) < quality ? PICK(r, good_kinds) : PICK(r, bad_kinds));
    if (rng_unit(r) < 0.8)
        fprintf(f, "      standards: [%d]\n", rng_int(r, 1, 5));
    const char *code = rng_unit(r) < 0.3 ? some_code(r, p, service) : NULL;
    if (code)
        fprintf(f, "      indicators: [%s]\n", code);
    if (rng_unit(r) < 0.1)
        fprintf(f, "      weight: 2\n");
}

static void write_capacity_finding(FILE *f, rng *r, const char *prefix, int n, double quality)
{
    fprintf(f, "    - id: %s-cap%d\n", prefix, n);
    fprintf(f, "      text: %s %s.\n", PICK(r, subjects), PICK(r, predicates));
    fprintf(f, "      kind: %s\n",
            rng_unit(r) < quality ? PICK(r, good_capacity) : PICK(r, bad_capacity));
    fprintf(f, "      theme: %s\n", PICK(r, themes));
}

/* ---- one council -------------------------------------------------------------------- */

static void write_service(FILE *f, rng *r, const rp_pack *p, int s, double quality)
{
    const char *prefix = s == 0 ? "ch" : "ad";
    fprintf(f, "%s:\n  indicators:\n", p->services[s].id);
    for (size_t i = 0; i < p->nindicators; i++)
        if (p->indicators[i].service == s)
            write_indicator(f, r, &p->indicators[i], quality);
    fprintf(f, "  findings:\n");
    int nf = rng_int(r, 14, 19);
    for (int i = 1; i <= nf; i++)
        write_finding(f, r, p, s, prefix, i, quality);
    fprintf(f, "  capacity_findings:\n");
    int nc = rng_int(r, 3, 5);
    for (int i = 1; i <= nc; i++)
        write_capacity_finding(f, r, prefix, i, quality);
    int header = 0;
    for (size_t i = 0; i < p->nrequirements; i++) {
        if (!p->requirements[i].services[s])
            continue;
        if (!header++)
            fprintf(f, "  requirements:\n");
        fprintf(f, "    %s: %s\n", p->requirements[i].id,
                rng_unit(r) < 0.8 + quality / 5 ? "true" : "false");
    }
}

static int write_council(const rp_pack *p, const char *dir, int n, uint64_t seed)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/council-%03d.yaml", dir, n);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    rng r = {seed * 0x9E3779B97F4A7C15ULL + (uint64_t)n * 0xD1B54A32D192ED03ULL + 1};
    for (int i = 0; i < 8; i++)
        rng_next(&r);
    fprintf(f, "# Synthetic council for the benchmarks (tests/bench/gen_councils.c); not a real council.\n");
    fprintf(f, "council: Synthetic Council %03d\nyear: %d\n", n, p->round);
    fprintf(f, "round: Nov %d\nsource: generated, seed %llu\n", p->round, (unsigned long long)seed);
    double quality = 0.15 + 0.85 * rng_unit(&r);
    for (size_t s = 0; s < p->nservices; s++)
        write_service(f, &r, p, (int)s, quality);
    if (fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: gen_councils PACK OUTDIR COUNT SEED\n");
        return 2;
    }
    sr_error err;
    sr_error_clear(&err);
    char dir[4096];
    rp_pack *p = NULL;
    if (rp_resolve(argv[1], dir, sizeof dir, &err) != SR_OK ||
        rp_load(dir, NULL, &p, &err) != SR_OK) {
        char line[2048];
        sr_error_format(&err, line, sizeof line);
        fprintf(stderr, "%s\n", line);
        return 1;
    }
    int count = atoi(argv[3]);
    uint64_t seed = strtoull(argv[4], NULL, 10);
    int rc = 0;
    for (int n = 1; rc == 0 && n <= count; n++)
        rc = write_council(p, argv[2], n, seed);
    rp_free(p);
    return rc;
}
