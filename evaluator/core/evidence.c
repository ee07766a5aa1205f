/*
 * evidence.c — building and validating a council's evidence from the YAML tree.
 *
 * Each section of the format has one function and one list of allowed keys, so the schema
 * in docs/evidence-format.md can be checked against this file line by line.
 */
#include "evidence.h"

#include <stdarg.h>

#include <stdio.h>
#include <string.h>

const char *const ev_kind_words[EV_NKINDS] = {
    "strength", "improvement", "area_for_improvement", "concern", "area_for_development",
};
const char *const ev_origin_words[3] = {"return", "letter", "estimate"};
const char *const ev_theme_words[EV_NTHEMES] = {
    "leadership", "finance", "information", "workforce", "partnership", "structure",
};

/* Kinds allowed in each list: findings speak of performance, capacity findings of the
 * standard that informs capacity. */
const char *const ev_finding_kinds[4] = {
    "improvement", "strength", "area_for_improvement", "concern",
};
const char *const ev_capacity_kinds[4] = {
    "improvement", "strength", "concern", "area_for_development",
};

static const char *const top_keys[] = {
    "council", "year", "round", "source", "published", "indicators", "notes", "import",
    NULL, /* + services */
};
static const char *const service_keys[] = {
    "given", "indicators", "findings", "capacity_findings", "requirements", NULL,
};
static const char *const given_keys[] = {"serving", "capacity", "standards", NULL};
static const char *const indicator_keys[] = {
    "code", "value", "previous", "band", "note", "origin", "line", NULL,
};
static const char *const finding_keys[] = {
    "id", "text", "kind", "standards", "indicators", "weight", "details", "line", NULL,
};
static const char *const capacity_keys[] = {"id", "text", "kind", "theme", "weight", "line", NULL};
static const char *const published_keys[] = {"stars", NULL}; /* + services */
static const char *const published_service_keys[] = {"serving", "capacity", NULL};
static const char *const declaration_keys[] = {
    "code", "name", "service", "standard", "polarity", "unit", "bands", NULL,
};
static const char *const band_keys[] = {"band", "min", "max", NULL};
static const char *const note_keys[] = {"line", "text", NULL};
static const char *const import_keys[] = {"from", "unplaced_lines", "unplaced", "unassigned",
                                          "warnings", NULL};
static const char *const unplaced_keys[] = {"line", "lines", "text", NULL};
static const char *const unassigned_keys[] = {"finding", "line", NULL};
static const char *const import_warning_keys[] = {"line", "text", NULL};

#define MAX_ITEMS 10000 /* findings or indicators in one list; documented in docs/limits.md */

typedef struct ctx {
    const char *file;
    rp_pack *p;
    ev_evidence *ev;
    sr_error *err;
} ctx;

/* The number of a standard that informs serving (a finding's tag, a declared indicator's
 * standard): from 1 to the last such standard of the pack, and not the capacity standard. */
static int serving_standard(ctx *c, const yd_node *v, long *num)
{
    int last = 0;
    for (int n = 1; n <= c->p->nstandards; n++)
        if (rp_informs_serving(c->p, n))
            last = n;
    int rc = yd_integer(v, "standard", 1, last, c->file, num, c->err);
    if (rc == SR_OK && !rp_informs_serving(c->p, (int)*num))
        rc = sr_fail(c->err, SR_EINPUT, c->file, v->line, v->col,
                     "standard %ld informs capacity: list what bears on it under "
                     "'capacity_findings'", *num);
    return rc;
}

/* Allowed keys made of a fixed list plus the pack's service ids. */
static int check_keys_with_services(ctx *c, const yd_node *map, const char *const *fixed,
                                    const char *what)
{
    const char *keys[32];
    size_t n = 0;
    for (; fixed[n] && n < 24; n++)
        keys[n] = fixed[n];
    for (size_t s = 0; s < c->p->nservices && n < 31; s++)
        keys[n++] = c->p->services[s].id;
    keys[n] = NULL;
    /* A service a later round retired: say so rather than list the keys. */
    for (size_t i = 0; map->kind == YD_MAP && i < map->n; i++) {
        const yd_node *k = map->pairs[i].key;
        const rp_retired *gone = rp_retired_find(c->p, RP_RETIRE_SERVICE, k->str);
        if (gone && rp_service_index(c->p, k->str) < 0)
            return sr_fail(c->err, SR_EINPUT, c->file, k->line, k->col,
                           "service '%s' was retired from the %s rule pack (%s:%d)", k->str,
                           c->p->name, gone->prov.file, gone->prov.line);
    }
    return yd_check_keys(map, keys, what, c->file, c->err);
}

static int dup_string(ctx *c, const yd_node *node, const char *what, char **out)
{
    const char *s;
    int rc = yd_string(node, what, c->file, &s, c->err);
    if (rc != SR_OK)
        return rc;
    *out = sr_strdup(s);
    return *out ? SR_OK : sr_oom(c->err);
}

static int word_of(ctx *c, const yd_node *node, const rp_scale *scale, const char *what, int *out)
{
    const char *words[16];
    for (size_t i = 0; i < scale->nwords && i < 16; i++)
        words[i] = scale->words[i].id;
    size_t idx = 0;
    int rc = yd_enum(node, what, words, scale->nwords, c->file, &idx, c->err);
    if (rc == SR_OK)
        *out = (int)idx;
    return rc;
}

static int map_kind(const char *word)
{
    for (int k = 0; k < EV_NKINDS; k++)
        if (strcmp(ev_kind_words[k], word) == 0)
            return k;
    return -1;
}

/* ---- published ------------------------------------------------------------------------ */

static int read_published(ctx *c, const yd_node *pub)
{
    int rc = yd_expect(pub, YD_MAP, "published", c->file, c->err);
    if (rc == SR_OK) rc = check_keys_with_services(c, pub, published_keys, "published");
    const yd_node *v = rc == SR_OK ? yd_get(pub, "stars") : NULL;
    long stars;
    if (v && (rc = yd_integer(v, "stars", c->p->rating_min, c->p->rating_max, c->file, &stars,
                              c->err)) == SR_OK)
        c->ev->pub_stars = (int)stars;
    for (size_t s = 0; rc == SR_OK && s < c->p->nservices; s++) {
        const yd_node *svc = yd_get(pub, c->p->services[s].id);
        if (!svc)
            continue;
        rc = yd_expect(svc, YD_MAP, c->p->services[s].id, c->file, c->err);
        if (rc == SR_OK)
            rc = yd_check_keys(svc, published_service_keys, "published service", c->file, c->err);
        if (rc == SR_OK && (v = yd_get(svc, "serving")))
            rc = word_of(c, v, &c->p->serving, "serving judgement", &c->ev->pub_serving[s]);
        if (rc == SR_OK && (v = yd_get(svc, "capacity")))
            rc = word_of(c, v, &c->p->capacity, "capacity judgement", &c->ev->pub_capacity[s]);
    }
    return rc;
}

/* ---- indicators the file declares ---------------------------------------------------- */

static int read_declared_bands(ctx *c, const yd_node *list, rp_indicator *d)
{
    int rc = yd_expect(list, YD_SEQ, "bands", c->file, c->err);
    if (rc == SR_OK && (list->n < 1 || list->n > 4))
        rc = sr_fail(c->err, SR_EINPUT, c->file, list->line, list->col,
                     "'bands' needs 1 to 4 entries (bands 5 to 2)");
    for (size_t i = 0; rc == SR_OK && i < list->n; i++) {
        const yd_node *b = list->items[i];
        rp_band *band = &d->bands[i];
        long num = 0;
        const yd_node *v;
        rc = yd_expect(b, YD_MAP, "band", c->file, c->err);
        if (rc == SR_OK) rc = yd_check_keys(b, band_keys, "band", c->file, c->err);
        if (rc == SR_OK) rc = yd_require(b, "band", "band", c->file, &v, c->err);
        if (rc == SR_OK) rc = yd_integer(v, "band", 5 - (long)i, 5 - (long)i, c->file, &num, c->err);
        band->band = (int)num;
        if (rc == SR_OK && (v = yd_get(b, "min")))
            rc = yd_number(v, "min", c->file, &band->min, c->err), band->has_min = 1;
        if (rc == SR_OK && (v = yd_get(b, "max")))
            rc = yd_number(v, "max", c->file, &band->max, c->err), band->has_max = 1;
        if (rc == SR_OK && !band->has_min && !band->has_max)
            rc = sr_fail(c->err, SR_EINPUT, c->file, b->line, b->col, "band needs 'min' or 'max'");
        if (rc == SR_OK)
            d->nbands = i + 1;
    }
    return rc;
}

static int read_declaration(ctx *c, const yd_node *m, rp_indicator *d)
{
    static const char *const polarities[] = {"higher", "lower", "range"};
    const yd_node *v;
    size_t idx = 0;
    long num = 0;
    int rc = yd_expect(m, YD_MAP, "indicator declaration", c->file, c->err);
    if (rc == SR_OK) rc = yd_check_keys(m, declaration_keys, "indicator declaration", c->file, c->err);
    if (rc == SR_OK) rc = yd_require(m, "code", "indicator declaration", c->file, &v, c->err);
    if (rc == SR_OK) rc = dup_string(c, v, "code", &d->code);
    if (rc == SR_OK && rp_indicator_find(c->p, d->code))
        rc = sr_fail(c->err, SR_EINPUT, c->file, v->line, v->col,
                     "indicator %s is already in the rule pack's catalogue", d->code);
    if (rc == SR_OK) rc = yd_require(m, "name", "indicator declaration", c->file, &v, c->err);
    if (rc == SR_OK) rc = dup_string(c, v, "name", &d->name);
    if (rc == SR_OK) rc = yd_require(m, "unit", "indicator declaration", c->file, &v, c->err);
    if (rc == SR_OK) rc = dup_string(c, v, "unit", &d->unit);
    if (rc == SR_OK) rc = yd_require(m, "service", "indicator declaration", c->file, &v, c->err);
    if (rc == SR_OK) {
        const char *svc[RP_MAX_SERVICES];
        for (size_t s = 0; s < c->p->nservices; s++)
            svc[s] = c->p->services[s].id;
        rc = yd_enum(v, "service", svc, c->p->nservices, c->file, &idx, c->err);
        d->service = (int)idx;
    }
    if (rc == SR_OK) rc = yd_require(m, "standard", "indicator declaration", c->file, &v, c->err);
    if (rc == SR_OK) rc = serving_standard(c, v, &num);
    d->standard = (int)num;
    if (rc == SR_OK) rc = yd_require(m, "polarity", "indicator declaration", c->file, &v, c->err);
    if (rc == SR_OK) rc = yd_enum(v, "polarity", polarities, 3, c->file, &idx, c->err);
    d->polarity = (rp_polarity)idx;
    if (rc == SR_OK) rc = yd_require(m, "bands", "indicator declaration", c->file, &v, c->err);
    if (rc == SR_OK) rc = read_declared_bands(c, v, d);
    if (rc == SR_OK) {
        d->prov.reconstructed = 1;
        d->prov.text = sr_strdup("declared in the evidence file");
        d->prov.file = sr_strdup(c->file);
        d->prov.line = m->line;
        if (!d->prov.text || !d->prov.file)
            rc = sr_oom(c->err);
    }
    return rc;
}

static void free_declaration(rp_indicator *d)
{
    sr_free(d->code), sr_free(d->name), sr_free(d->unit);
    sr_free(d->prov.text), sr_free(d->prov.file);
}

static int read_declarations(ctx *c, const yd_node *list)
{
    int rc = yd_expect(list, YD_SEQ, "indicators", c->file, c->err);
    if (rc != SR_OK)
        return rc;
    if (list->n > 1000)
        return sr_fail(c->err, SR_ELIMIT, c->file, list->line, list->col,
                       "more than 1000 indicator declarations");
    if (!(c->ev->custom = sr_calloc(list->n ? list->n : 1, sizeof *c->ev->custom)))
        return sr_oom(c->err);
    for (size_t i = 0; rc == SR_OK && i < list->n; i++) {
        c->ev->ncustom = i + 1;
        rc = read_declaration(c, list->items[i], &c->ev->custom[i]);
        for (size_t k = 0; rc == SR_OK && k < i; k++)
            if (strcmp(c->ev->custom[k].code, c->ev->custom[i].code) == 0)
                rc = sr_fail(c->err, SR_EINPUT, c->file, list->items[i]->line,
                             list->items[i]->col, "indicator %s is declared twice",
                             c->ev->custom[i].code);
    }
    return rc;
}

int ev_indicator_index(const ev_service *svc, const char *code)
{
    for (size_t i = 0; i < svc->nindicators; i++)
        if (strcmp(svc->indicators[i].code, code) == 0)
            return (int)i;
    return -1;
}

const rp_indicator *ev_indicator_def(const rp_pack *p, const ev_evidence *ev, const char *code)
{
    const rp_indicator *d = rp_indicator_find(p, code);
    for (size_t i = 0; !d && i < ev->ncustom; i++)
        if (strcmp(ev->custom[i].code, code) == 0)
            d = &ev->custom[i];
    return d;
}

/* ---- notes ---------------------------------------------------------------------------- */

static int read_notes(ctx *c, const yd_node *list)
{
    int rc = yd_expect(list, YD_SEQ, "notes", c->file, c->err);
    if (rc == SR_OK && list->n > MAX_ITEMS)
        rc = sr_fail(c->err, SR_ELIMIT, c->file, list->line, list->col, "more than %d notes", MAX_ITEMS);
    if (rc == SR_OK && !(c->ev->notes = sr_calloc(list->n ? list->n : 1, sizeof *c->ev->notes)))
        rc = sr_oom(c->err);
    for (size_t i = 0; rc == SR_OK && i < list->n; i++) {
        const yd_node *m = list->items[i], *v;
        ev_note *n = &c->ev->notes[i];
        long line = 0;
        rc = yd_expect(m, YD_MAP, "note", c->file, c->err);
        if (rc == SR_OK) rc = yd_check_keys(m, note_keys, "note", c->file, c->err);
        if (rc == SR_OK && (v = yd_get(m, "line")))
            rc = yd_integer(v, "line", 1, 100000000, c->file, &line, c->err);
        n->line = (int)line;
        if (rc == SR_OK) rc = yd_require(m, "text", "note", c->file, &v, c->err);
        if (rc == SR_OK) rc = dup_string(c, v, "text", &n->text);
        if (rc == SR_OK)
            c->ev->nnotes = i + 1;
    }
    return rc;
}

/* ---- import: what the letter reader could not place --------------------------------------- */

/* A list of maps with the given keys, each with a required "line"; sum_lines adds up the
 * "lines" of each (1 when absent); ids, when given, receives each item's "finding". */
static int read_import_list(ctx *c, const yd_node *list, const char *what,
                            const char *const *keys, long *sum_lines, const yd_node ***ids)
{
    int rc = yd_expect(list, YD_SEQ, what, c->file, c->err);
    if (rc == SR_OK && list->n > MAX_ITEMS)
        rc = sr_fail(c->err, SR_ELIMIT, c->file, list->line, list->col, "more than %d %s",
                     MAX_ITEMS, what);
    for (size_t i = 0; rc == SR_OK && i < list->n; i++) {
        const yd_node *m = list->items[i], *v;
        long num;
        rc = yd_expect(m, YD_MAP, what, c->file, c->err);
        if (rc == SR_OK) rc = yd_check_keys(m, keys, what, c->file, c->err);
        if (rc == SR_OK) rc = yd_require(m, "line", what, c->file, &v, c->err);
        if (rc == SR_OK) rc = yd_integer(v, "line", 1, 100000000, c->file, &num, c->err);
        if (rc == SR_OK && sum_lines) {
            num = 1;
            if ((v = yd_get(m, "lines")))
                rc = yd_integer(v, "lines", 1, 100000000, c->file, &num, c->err);
            *sum_lines += num;
        }
        const char *t;
        if (rc == SR_OK && (v = yd_get(m, "text")))
            rc = yd_string(v, "text", c->file, &t, c->err);
        if (rc == SR_OK && ids) {
            rc = yd_require(m, "finding", what, c->file, &v, c->err);
            if (rc == SR_OK) rc = yd_expect(v, YD_SCALAR, "finding", c->file, c->err);
            if (rc == SR_OK) (*ids)[i] = v;
        }
    }
    return rc;
}

/* Each unassigned finding must be a finding of this file, so the caveat points at real text. */
static int check_unassigned(ctx *c, const yd_node **ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        for (size_t s = 0; !found && s < c->ev->nservices; s++) {
            const ev_service *svc = &c->ev->services[s];
            for (size_t k = 0; !found && k < svc->nfindings; k++)
                found = strcmp(svc->findings[k].id, ids[i]->str) == 0;
        }
        if (!found)
            return sr_fail(c->err, SR_EINPUT, c->file, ids[i]->line, ids[i]->col,
                           "import.unassigned names finding '%s', which the file does not have",
                           ids[i]->str);
    }
    return SR_OK;
}

static int read_import(ctx *c, const yd_node *m)
{
    ev_import *im = &c->ev->import;
    const yd_node *v;
    const yd_node **ids = NULL;
    long declared = -1, sum = 0;
    im->present = 1;
    int rc = yd_expect(m, YD_MAP, "import", c->file, c->err);
    if (rc == SR_OK) rc = yd_check_keys(m, import_keys, "import", c->file, c->err);
    const char *from;
    if (rc == SR_OK && (v = yd_get(m, "from")))
        rc = yd_string(v, "from", c->file, &from, c->err);
    if (rc == SR_OK && (v = yd_get(m, "unplaced_lines")))
        rc = yd_integer(v, "unplaced_lines", 0, 100000000, c->file, &declared, c->err);
    if (rc == SR_OK && (v = yd_get(m, "unplaced"))) {
        rc = read_import_list(c, v, "unplaced", unplaced_keys, &sum, NULL);
        im->unplaced = v->n;
    }
    if (rc == SR_OK && declared >= 0 && declared != sum)
        rc = sr_fail(c->err, SR_EINPUT, c->file, yd_get(m, "unplaced_lines")->line,
                     yd_get(m, "unplaced_lines")->col,
                     "import.unplaced_lines is %ld but the unplaced list holds %ld lines",
                     declared, sum);
    im->unplaced_lines = sum;
    if (rc == SR_OK && (v = yd_get(m, "warnings"))) {
        rc = read_import_list(c, v, "import warning", import_warning_keys, NULL, NULL);
        im->warnings = v->n;
    }
    if (rc == SR_OK && (v = yd_get(m, "unassigned"))) {
        if (v->kind == YD_SEQ && !(ids = sr_calloc(v->n ? v->n : 1, sizeof *ids)))
            rc = sr_oom(c->err);
        if (rc == SR_OK) rc = read_import_list(c, v, "unassigned finding", unassigned_keys, NULL, &ids);
        if (rc == SR_OK) rc = check_unassigned(c, ids, v->n);
        im->unassigned = v->kind == YD_SEQ ? v->n : 0;
    }
    sr_free(ids);
    return rc;
}

int ev_import_doubtful(const ev_evidence *ev)
{
    return ev->import.present && (ev->import.unplaced_lines > 0 || ev->import.unassigned > 0);
}

/* ---- one service ---------------------------------------------------------------------- */

static int read_given(ctx *c, const yd_node *g, ev_service *s)
{
    int rc = yd_expect(g, YD_MAP, "given", c->file, c->err);
    if (rc == SR_OK) rc = yd_check_keys(g, given_keys, "given", c->file, c->err);
    const yd_node *v;
    if (rc == SR_OK && (v = yd_get(g, "serving"))) {
        rc = word_of(c, v, &c->p->serving, "serving judgement", &s->given_serving);
        s->given_line[0] = v->line;
    }
    if (rc == SR_OK && (v = yd_get(g, "capacity"))) {
        rc = word_of(c, v, &c->p->capacity, "capacity judgement", &s->given_capacity);
        s->given_line[1] = v->line;
    }
    const yd_node *stds = rc == SR_OK ? yd_get(g, "standards") : NULL;
    if (stds && (rc = yd_expect(stds, YD_MAP, "standards", c->file, c->err)) == SR_OK) {
        /* "2" and "+2" are different keys to YAML but the same standard */
        int first_line[RP_STANDARDS] = {0};
        for (size_t i = 0; rc == SR_OK && i < stds->n; i++) {
            long num = 0;
            const yd_node *key = stds->pairs[i].key;
            rc = yd_integer(key, "standard number", 1, c->p->nstandards, c->file, &num, c->err);
            if (rc != SR_OK)
                break;
            if (first_line[num - 1]) {
                rc = sr_fail(c->err, SR_EINPUT, c->file, key->line, key->col,
                             "standard %ld is given twice (first at line %d)", num,
                             first_line[num - 1]);
                break;
            }
            first_line[num - 1] = key->line;
            rc = word_of(c, stds->pairs[i].value, &c->p->grade, "grade", &s->given_grade[num - 1]);
            s->given_line[2 + num - 1] = stds->pairs[i].value->line;
        }
    }
    return rc;
}

static int add_warning(ctx *c, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int add_warning(ctx *c, int line, int col, const char *fmt, ...)
{
    ev_evidence *ev = c->ev;
    ev_warning *grown = sr_realloc(ev->warnings, (ev->nwarnings + 1) * sizeof *grown);
    if (!grown)
        return sr_oom(c->err);
    ev->warnings = grown;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char *msg = sr_strdup(text);
    if (!msg)
        return sr_oom(c->err);
    ev->warnings[ev->nwarnings++] = (ev_warning){line, col, msg};
    return SR_OK;
}

/* A value outside the range the pack calls plausible still counts as given (the file is the
 * council's word), but the reader is told: a fraction written for a percentage would
 * otherwise silently land in the worst band. */
static int check_plausible(ctx *c, const yd_node *v, const ev_indicator *ind)
{
    const rp_indicator *d = ind->def;
    if (!d->has_plausible || (ind->value >= d->plausible_min && ind->value <= d->plausible_max))
        return SR_OK;
    char val[32], lo[32], hi[32], times[32];
    sr_format_number(ind->value, val, sizeof val);
    sr_format_number(d->plausible_min, lo, sizeof lo);
    sr_format_number(d->plausible_max, hi, sizeof hi);
    double hundred = ind->value * 100.0;
    int as_fraction = strcmp(d->unit, "percent") == 0 && hundred >= d->plausible_min &&
                      hundred <= d->plausible_max;
    sr_format_number(hundred, times, sizeof times);
    return add_warning(c, v->line, v->col,
                       "value %s of %s is outside the plausible range %s to %s (%s)%s%s%s", val,
                       ind->code, lo, hi, d->unit,
                       as_fraction ? "; a percentage is written as a number of hundredths: did "
                                     "you mean " : "",
                       as_fraction ? times : "", as_fraction ? "?" : "");
}

static int read_indicator(ctx *c, const yd_node *m, ev_indicator *ind, int service)
{
    const yd_node *v;
    long num = 0;
    size_t idx = 0;
    int rc = yd_expect(m, YD_MAP, "indicator", c->file, c->err);
    if (rc == SR_OK) rc = yd_check_keys(m, indicator_keys, "indicator", c->file, c->err);
    if (rc == SR_OK) rc = yd_require(m, "code", "indicator", c->file, &v, c->err);
    if (rc == SR_OK) rc = dup_string(c, v, "code", &ind->code);
    ind->line = m->line, ind->col = m->col;
    const rp_retired *gone = rc == SR_OK ? rp_retired_find(c->p, RP_RETIRE_INDICATOR, ind->code) : NULL;
    if (rc == SR_OK && !(ind->def = ev_indicator_def(c->p, c->ev, ind->code)) && gone)
        rc = sr_fail(c->err, SR_EINPUT, c->file, v->line, v->col,
                     "indicator '%s' was retired from the %s catalogue (%s:%d)", ind->code,
                     c->p->name, gone->prov.file, gone->prov.line);
    else if (rc == SR_OK && !ind->def)
        rc = sr_fail(c->err, SR_EINPUT, c->file, v->line, v->col,
                     "unknown indicator '%s': not in the %s catalogue and not declared under "
                     "'indicators' at the top of the file", ind->code, c->p->name);
    if (rc == SR_OK && ind->def->service != service)
        rc = sr_fail(c->err, SR_EINPUT, c->file, v->line, v->col,
                     "indicator %s belongs to %s", ind->code,
                     c->p->services[ind->def->service].name);
    if (rc == SR_OK && (v = yd_get(m, "value")))
        rc = yd_number(v, "value", c->file, &ind->value, c->err), ind->has_value = 1;
    if (rc == SR_OK && v && ind->has_value)
        rc = check_plausible(c, v, ind);
    if (rc == SR_OK && (v = yd_get(m, "previous")))
        rc = yd_number(v, "previous", c->file, &ind->previous, c->err), ind->has_previous = 1;
    if (rc == SR_OK && (v = yd_get(m, "band")))
        rc = yd_integer(v, "band", 1, 5, c->file, &num, c->err), ind->band = (int)num;
    if (rc == SR_OK && (v = yd_get(m, "note")))
        rc = dup_string(c, v, "note", &ind->note);
    if (rc == SR_OK && (v = yd_get(m, "origin")))
        rc = yd_enum(v, "origin", ev_origin_words, 3, c->file, &idx, c->err), ind->origin = (ev_origin)idx;
    if (rc == SR_OK && (v = yd_get(m, "line")))
        rc = yd_integer(v, "line", 1, 100000000, c->file, &num, c->err), ind->letter_line = (int)num;
    if (rc == SR_OK && !ind->has_value && !ind->band)
        rc = sr_fail(c->err, SR_EINPUT, c->file, m->line, m->col,
                     "indicator %s needs a 'value' or a published 'band'", ind->code);
    return rc;
}

static int read_string_seq(ctx *c, const yd_node *list, const char *what, char ***out, size_t *n)
{
    int rc = yd_expect(list, YD_SEQ, what, c->file, c->err);
    if (rc == SR_OK && list->n > MAX_ITEMS)
        rc = sr_fail(c->err, SR_ELIMIT, c->file, list->line, list->col, "more than %d %s", MAX_ITEMS, what);
    if (rc == SR_OK && !(*out = sr_calloc(list->n ? list->n : 1, sizeof **out)))
        rc = sr_oom(c->err);
    for (size_t i = 0; rc == SR_OK && i < list->n; i++) {
        rc = dup_string(c, list->items[i], what, &(*out)[i]);
        if (rc == SR_OK)
            *n = i + 1;
    }
    return rc;
}

static int read_standard_tags(ctx *c, const yd_node *list, unsigned *mask)
{
    int rc = yd_expect(list, YD_SEQ, "standards", c->file, c->err);
    for (size_t i = 0; rc == SR_OK && i < list->n; i++) {
        long num = 0;
        rc = serving_standard(c, list->items[i], &num);
        if (rc == SR_OK)
            *mask |= 1u << num;
    }
    return rc;
}

/* Reads one finding; `capacity` selects the kinds and keys of the capacity standard. */
static int read_finding(ctx *c, const yd_node *m, ev_finding *f, int capacity)
{
    const yd_node *v;
    size_t idx = 0;
    long num = 0;
    const char *const *kinds = capacity ? ev_capacity_kinds : ev_finding_kinds;
    const char *what = capacity ? "capacity finding" : "finding";
    f->theme = -1;
    f->weight = 1;
    f->line = m->line, f->col = m->col;
    int rc = yd_expect(m, YD_MAP, what, c->file, c->err);
    if (rc == SR_OK) rc = yd_check_keys(m, capacity ? capacity_keys : finding_keys, what, c->file, c->err);
    if (rc == SR_OK && (v = yd_get(m, "id"))) rc = dup_string(c, v, "id", &f->id);
    if (rc == SR_OK) rc = yd_require(m, "text", what, c->file, &v, c->err);
    if (rc == SR_OK) rc = dup_string(c, v, "text", &f->text);
    if (rc == SR_OK) rc = yd_require(m, "kind", what, c->file, &v, c->err);
    if (rc == SR_OK) rc = yd_enum(v, "kind", kinds, 4, c->file, &idx, c->err);
    if (rc == SR_OK) f->kind = (ev_kind)map_kind(kinds[idx]);
    if (rc == SR_OK && (v = yd_get(m, "weight"))) {
        rc = yd_number(v, "weight", c->file, &f->weight, c->err);
        if (rc == SR_OK && (f->weight < 0 || f->weight > 3))
            rc = sr_fail(c->err, SR_EINPUT, c->file, v->line, v->col,
                         "weight must be from 0 to 3, got %s", v->str);
    }
    if (rc == SR_OK && (v = yd_get(m, "line")))
        rc = yd_integer(v, "line", 1, 100000000, c->file, &num, c->err), f->letter_line = (int)num;
    if (rc == SR_OK && (v = yd_get(m, "theme")))
        rc = yd_enum(v, "theme", ev_theme_words, EV_NTHEMES, c->file, &idx, c->err), f->theme = (int)idx;
    if (rc == SR_OK && (v = yd_get(m, "standards"))) rc = read_standard_tags(c, v, &f->standards);
    if (rc == SR_OK && (v = yd_get(m, "indicators")))
        rc = read_string_seq(c, v, "indicators", &f->codes, &f->ncodes);
    for (size_t i = 0; rc == SR_OK && i < f->ncodes; i++)
        if (!ev_indicator_def(c->p, c->ev, f->codes[i]))
            rc = sr_fail(c->err, SR_EINPUT, c->file, v->items[i]->line, v->items[i]->col,
                         "unknown indicator '%s' in finding", f->codes[i]);
    if (rc == SR_OK && (v = yd_get(m, "details")))
        rc = read_string_seq(c, v, "details", &f->details, &f->ndetails);
    return rc;
}

/* Gives every finding an id (the file's, or one made from its position) and rejects two
 * findings with one id anywhere in the file: scenarios name findings by id. */
static int settle_ids(ctx *c)
{
    size_t total = 0;
    for (size_t s = 0; s < c->ev->nservices; s++)
        total += c->ev->services[s].nfindings + c->ev->services[s].ncapacity;
    const ev_finding **seen = sr_calloc(total ? total : 1, sizeof *seen);
    if (!seen)
        return sr_oom(c->err);
    size_t n = 0;
    int rc = SR_OK;
    for (size_t s = 0; rc == SR_OK && s < c->ev->nservices; s++) {
        ev_service *svc = &c->ev->services[s];
        for (int cap = 0; rc == SR_OK && cap < 2; cap++) {
            ev_finding *list = cap ? svc->capacity_findings : svc->findings;
            size_t cnt = cap ? svc->ncapacity : svc->nfindings;
            for (size_t i = 0; rc == SR_OK && i < cnt; i++) {
                ev_finding *f = &list[i];
                if (!f->id) {
                    char id[96];
                    snprintf(id, sizeof id, "%s-%s-%zu", c->p->services[s].id,
                             cap ? "capacity" : "finding", i + 1);
                    if (!(f->id = sr_strdup(id))) {
                        rc = sr_oom(c->err);
                        break;
                    }
                }
                for (size_t k = 0; k < n; k++)
                    if (strcmp(seen[k]->id, f->id) == 0) {
                        rc = sr_fail(c->err, SR_EINPUT, c->file, f->line, f->col,
                                     "finding id '%s' is used twice (first at line %d)", f->id,
                                     seen[k]->line);
                        break;
                    }
                seen[n++] = f;
            }
        }
    }
    sr_free(seen);
    return rc;
}

static int read_list(ctx *c, const yd_node *list, const char *what, size_t elem, void **out,
                     size_t *n)
{
    int rc = yd_expect(list, YD_SEQ, what, c->file, c->err);
    if (rc == SR_OK && list->n > MAX_ITEMS)
        return sr_fail(c->err, SR_ELIMIT, c->file, list->line, list->col, "more than %d %s",
                       MAX_ITEMS, what);
    if (rc == SR_OK && !(*out = sr_calloc(list->n ? list->n : 1, elem)))
        rc = sr_oom(c->err);
    *n = 0;
    return rc;
}

static int read_requirements(ctx *c, const yd_node *m, ev_service *s, int service)
{
    int rc = yd_expect(m, YD_MAP, "requirements", c->file, c->err);
    for (size_t i = 0; rc == SR_OK && i < m->n; i++) {
        const yd_node *k = m->pairs[i].key;
        const rp_requirement *r = rp_requirement_find(c->p, k->str);
        if (!r || !r->services[service]) {
            sr_buf names;
            sr_buf_init(&names);
            for (size_t q = 0; q < c->p->nrequirements; q++)
                if (c->p->requirements[q].services[service])
                    sr_buf_printf(&names, "%s%s", names.len ? ", " : "", c->p->requirements[q].id);
            rc = sr_fail(c->err, SR_EINPUT, c->file, k->line, k->col,
                         "unknown requirement '%s' for %s (expected one of: %s)", k->str,
                         c->p->services[service].name, names.data ? names.data : "none");
            sr_buf_free(&names);
            break;
        }
        int met = 0;
        rc = yd_bool(m->pairs[i].value, k->str, c->file, &met, c->err);
        if (rc == SR_OK)
            s->requirements[r - c->p->requirements] = met;
    }
    return rc;
}

static int read_service(ctx *c, const yd_node *m, int service)
{
    ev_service *s = &c->ev->services[service];
    const yd_node *v;
    s->present = 1;
    int rc = yd_expect(m, YD_MAP, c->p->services[service].id, c->file, c->err);
    if (rc == SR_OK) rc = yd_check_keys(m, service_keys, c->p->services[service].id, c->file, c->err);
    if (rc == SR_OK && (v = yd_get(m, "given"))) rc = read_given(c, v, s);
    if (rc == SR_OK && (v = yd_get(m, "indicators"))) {
        rc = read_list(c, v, "indicators", sizeof *s->indicators, (void **)&s->indicators, &s->nindicators);
        for (size_t i = 0; rc == SR_OK && i < v->n; i++) {
            s->nindicators = i + 1;
            rc = read_indicator(c, v->items[i], &s->indicators[i], service);
            for (size_t k = 0; rc == SR_OK && k < i; k++)
                if (strcmp(s->indicators[k].code, s->indicators[i].code) == 0)
                    rc = sr_fail(c->err, SR_EINPUT, c->file, v->items[i]->line, v->items[i]->col,
                                 "indicator %s is given twice (first at line %d)",
                                 s->indicators[i].code, s->indicators[k].line);
        }
    }
    if (rc == SR_OK && (v = yd_get(m, "findings"))) {
        rc = read_list(c, v, "findings", sizeof *s->findings, (void **)&s->findings, &s->nfindings);
        for (size_t i = 0; rc == SR_OK && i < v->n; i++) {
            s->nfindings = i + 1;
            rc = read_finding(c, v->items[i], &s->findings[i], 0);
        }
    }
    if (rc == SR_OK && (v = yd_get(m, "capacity_findings"))) {
        rc = read_list(c, v, "capacity_findings", sizeof *s->capacity_findings,
                       (void **)&s->capacity_findings, &s->ncapacity);
        for (size_t i = 0; rc == SR_OK && i < v->n; i++) {
            s->ncapacity = i + 1;
            rc = read_finding(c, v->items[i], &s->capacity_findings[i], 1);
        }
    }
    if (rc == SR_OK && (v = yd_get(m, "requirements"))) rc = read_requirements(c, v, s, service);
    return rc;
}

/* ---- the whole file ------------------------------------------------------------------- */

/* A what-if scenario or a pack's test file given where evidence was expected is the commonest
 * mix-up; "missing key 'year'" would not tell the user what they are holding. */
static int not_evidence(const yd_node *root, const char *file, sr_error *err)
{
    if (root->kind != YD_MAP || yd_get(root, "year") || yd_get(root, "council"))
        return SR_OK;
    if (yd_get(root, "changes") || yd_get(root, "base"))
        return sr_fail(err, SR_EINPUT, file, root->line, root->col,
                       "this is a what-if scenario, not evidence: give it to `starrate whatif` "
                       "(its 'base' names the council's evidence)");
    if (yd_get(root, "cases"))
        return sr_fail(err, SR_EINPUT, file, root->line, root->col,
                       "this is a rule pack's test file, not evidence: run it with `starrate test`");
    return SR_OK;
}

int ev_peek_year(const yd_node *root, const char *file, int *year, sr_error *err)
{
    const yd_node *v;
    long y;
    int rc = yd_expect(root, YD_MAP, "evidence", file, err);
    if (rc == SR_OK) rc = not_evidence(root, file, err);
    if (rc == SR_OK) rc = yd_require(root, "year", "evidence", file, &v, err);
    if (rc == SR_OK) rc = yd_integer(v, "year", 1990, 2099, file, &y, err);
    if (rc == SR_OK)
        *year = (int)y;
    return rc;
}

static int init_evidence(ctx *c, const char *file)
{
    ev_evidence *ev = c->ev;
    ev->pub_stars = -1;
    ev->nservices = c->p->nservices;
    for (size_t s = 0; s < RP_MAX_SERVICES; s++) {
        ev->pub_serving[s] = ev->pub_capacity[s] = -1;
        ev_service *svc = &ev->services[s];
        svc->given_serving = svc->given_capacity = -1;
        for (size_t k = 0; k < RP_STANDARDS; k++)
            svc->given_grade[k] = -1;
        if (s < ev->nservices) {
            svc->requirements = sr_calloc(c->p->nrequirements ? c->p->nrequirements : 1, sizeof(int));
            if (!svc->requirements)
                return sr_oom(c->err);
            for (size_t r = 0; r < c->p->nrequirements; r++)
                svc->requirements[r] = -1;
        }
    }
    ev->path = sr_strdup(file);
    return ev->path ? SR_OK : sr_oom(c->err);
}

static int read_top(ctx *c, const yd_node *root)
{
    const yd_node *v;
    int rc = check_keys_with_services(c, root, top_keys, "evidence");
    if (rc == SR_OK) rc = ev_peek_year(root, c->file, &c->ev->year, c->err);
    if (rc == SR_OK) rc = yd_require(root, "council", "evidence", c->file, &v, c->err);
    if (rc == SR_OK) rc = dup_string(c, v, "council", &c->ev->council);
    if (rc == SR_OK && (v = yd_get(root, "round"))) rc = dup_string(c, v, "round", &c->ev->round);
    if (rc == SR_OK && (v = yd_get(root, "source"))) rc = dup_string(c, v, "source", &c->ev->source);
    if (rc == SR_OK && (v = yd_get(root, "published"))) rc = read_published(c, v);
    if (rc == SR_OK && (v = yd_get(root, "indicators"))) rc = read_declarations(c, v);
    if (rc == SR_OK && (v = yd_get(root, "notes"))) rc = read_notes(c, v);
    for (size_t s = 0; rc == SR_OK && s < c->p->nservices; s++)
        if ((v = yd_get(root, c->p->services[s].id)))
            rc = read_service(c, v, (int)s);
    if (rc == SR_OK) rc = settle_ids(c);
    /* after the findings: the section names them */
    if (rc == SR_OK && (v = yd_get(root, "import"))) rc = read_import(c, v);
    return rc;
}

int ev_build(const yd_node *root, const char *file, rp_pack *p, ev_evidence **out, sr_error *err)
{
    *out = NULL;
    ctx c = {file, p, NULL, err};
    if (!(c.ev = sr_calloc(1, sizeof *c.ev)))
        return sr_oom(err);
    int rc = init_evidence(&c, file);
    if (rc == SR_OK) rc = yd_expect(root, YD_MAP, "evidence", file, err);
    if (rc == SR_OK) rc = read_top(&c, root);
    if (rc != SR_OK) {
        ev_free(c.ev);
        return rc;
    }
    *out = c.ev;
    return SR_OK;
}

void ev_finding_free(ev_finding *f)
{
    sr_free(f->id), sr_free(f->text);
    sr_free_strings(f->codes, f->ncodes);
    sr_free_strings(f->details, f->ndetails);
    memset(f, 0, sizeof *f);
}

void ev_warnings_format(sr_buf *b, const ev_evidence *ev)
{
    for (size_t i = 0; i < ev->nwarnings; i++)
        sr_buf_printf(b, "%s:%d:%d: warning: %s\n", ev->path, ev->warnings[i].line,
                      ev->warnings[i].col, ev->warnings[i].msg);
}

void ev_warnings_print(FILE *f, const ev_evidence *ev)
{
    if (!ev->nwarnings)
        return;
    sr_buf b;
    sr_buf_init(&b);
    ev_warnings_format(&b, ev);
    if (b.data)
        fputs(b.data, f);
    sr_buf_free(&b);
}

void ev_free(ev_evidence *ev)
{
    if (!ev)
        return;
    for (size_t i = 0; i < ev->nwarnings; i++)
        sr_free(ev->warnings[i].msg);
    sr_free(ev->warnings);
    for (size_t s = 0; s < RP_MAX_SERVICES; s++) {
        ev_service *svc = &ev->services[s];
        for (size_t i = 0; i < svc->nindicators; i++)
            sr_free(svc->indicators[i].code), sr_free(svc->indicators[i].note);
        sr_free(svc->indicators);
        for (size_t i = 0; i < svc->nfindings; i++)
            ev_finding_free(&svc->findings[i]);
        sr_free(svc->findings);
        for (size_t i = 0; i < svc->ncapacity; i++)
            ev_finding_free(&svc->capacity_findings[i]);
        sr_free(svc->capacity_findings);
        sr_free(svc->requirements);
    }
    for (size_t i = 0; i < ev->ncustom; i++)
        free_declaration(&ev->custom[i]);
    sr_free(ev->custom);
    for (size_t i = 0; i < ev->nnotes; i++)
        sr_free(ev->notes[i].text);
    sr_free(ev->notes);
    sr_free(ev->path), sr_free(ev->council), sr_free(ev->round), sr_free(ev->source);
    sr_free(ev);
}

/* ---- copying -------------------------------------------------------------------------- */

/* A copy of s, or NULL for NULL; 0 when out of memory. */
static int dup_or_null(const char *s, char **out)
{
    *out = NULL;
    return !s || (*out = sr_strdup(s)) != NULL;
}

/* Deep copy of a finding; on failure what was copied is left for ev_finding_free. */
static int copy_finding(const ev_finding *from, ev_finding *to)
{
    *to = *from;
    to->id = to->text = NULL, to->codes = to->details = NULL;
    int ok = dup_or_null(from->id, &to->id) & dup_or_null(from->text, &to->text);
    if (ok && !sr_strings_copy(from->codes, from->ncodes, &to->codes))
        ok = 0;
    if (ok && !sr_strings_copy(from->details, from->ndetails, &to->details))
        ok = 0;
    if (!to->codes) to->ncodes = 0;
    if (!to->details) to->ndetails = 0;
    return ok;
}

static int copy_declaration(const rp_indicator *from, rp_indicator *to)
{
    *to = *from;
    to->code = to->name = to->unit = NULL;
    to->prov.text = to->prov.file = NULL;
    return dup_or_null(from->code, &to->code) & dup_or_null(from->name, &to->name) &
           dup_or_null(from->unit, &to->unit) & dup_or_null(from->prov.text, &to->prov.text) &
           dup_or_null(from->prov.file, &to->prov.file);
}

/* Copies one service; `reserve` extra indicator slots are allocated (and left unused). */
static int copy_service(const ev_evidence *ev, ev_evidence *cp, size_t s, size_t nreq, size_t reserve)
{
    const ev_service *from = &ev->services[s];
    ev_service *to = &cp->services[s];
    *to = *from;
    to->indicators = NULL, to->findings = to->capacity_findings = NULL, to->requirements = NULL;
    to->nindicators = to->nfindings = to->ncapacity = 0;
    if (s < ev->nservices) {
        if (!(to->requirements = sr_calloc(nreq ? nreq : 1, sizeof(int))))
            return 0;
        if (from->requirements)
            memcpy(to->requirements, from->requirements, nreq * sizeof(int));
    }
    size_t ni = from->nindicators + reserve;
    if (!(to->indicators = sr_calloc(ni ? ni : 1, sizeof *to->indicators)))
        return 0;
    for (size_t i = 0; i < from->nindicators; i++) {
        ev_indicator *d = &to->indicators[i];
        *d = from->indicators[i];
        d->code = d->note = NULL;
        to->nindicators = i + 1;
        if (!dup_or_null(from->indicators[i].code, &d->code) ||
            !dup_or_null(from->indicators[i].note, &d->note))
            return 0;
        /* Declarations of the file itself live in the copy now. */
        for (size_t k = 0; k < ev->ncustom; k++)
            if (d->def == &ev->custom[k])
                d->def = &cp->custom[k];
    }
    for (int cap = 0; cap < 2; cap++) {
        const ev_finding *list = cap ? from->capacity_findings : from->findings;
        size_t n = cap ? from->ncapacity : from->nfindings;
        ev_finding *copy = sr_calloc(n ? n : 1, sizeof *copy);
        if (!copy)
            return 0;
        *(cap ? &to->capacity_findings : &to->findings) = copy;
        for (size_t i = 0; i < n; i++) {
            int ok = copy_finding(&list[i], &copy[i]);
            *(cap ? &to->ncapacity : &to->nfindings) = i + 1;
            if (!ok)
                return 0;
        }
    }
    return 1;
}

int ev_clone(const ev_evidence *ev, size_t nreq, const size_t *reserve, ev_evidence **out,
             sr_error *err)
{
    *out = NULL;
    ev_evidence *cp = sr_calloc(1, sizeof *cp);
    if (!cp)
        return sr_oom(err);
    *cp = *ev;
    cp->path = cp->council = cp->round = cp->source = NULL;
    cp->custom = NULL, cp->ncustom = 0;
    cp->notes = NULL, cp->nnotes = 0;
    cp->warnings = NULL, cp->nwarnings = 0;
    memset(cp->services, 0, sizeof cp->services);
    int ok = dup_or_null(ev->path, &cp->path) & dup_or_null(ev->council, &cp->council) &
             dup_or_null(ev->round, &cp->round) & dup_or_null(ev->source, &cp->source);
    if (ok && ev->ncustom) {
        ok = (cp->custom = sr_calloc(ev->ncustom, sizeof *cp->custom)) != NULL;
        for (size_t i = 0; ok && i < ev->ncustom; i++) {
            cp->ncustom = i + 1;
            ok = copy_declaration(&ev->custom[i], &cp->custom[i]);
        }
    }
    if (ok && ev->nnotes) {
        ok = (cp->notes = sr_calloc(ev->nnotes, sizeof *cp->notes)) != NULL;
        for (size_t i = 0; ok && i < ev->nnotes; i++) {
            cp->nnotes = i + 1;
            cp->notes[i].line = ev->notes[i].line;
            ok = dup_or_null(ev->notes[i].text, &cp->notes[i].text);
        }
    }
    if (ok && ev->nwarnings) {
        ok = (cp->warnings = sr_calloc(ev->nwarnings, sizeof *cp->warnings)) != NULL;
        for (size_t i = 0; ok && i < ev->nwarnings; i++) {
            cp->nwarnings = i + 1;
            cp->warnings[i] = ev->warnings[i];
            ok = dup_or_null(ev->warnings[i].msg, &cp->warnings[i].msg);
        }
    }
    for (size_t s = 0; ok && s < RP_MAX_SERVICES; s++)
        ok = copy_service(ev, cp, s, nreq, reserve ? reserve[s] : 0);
    if (!ok) {
        ev_free(cp);
        return sr_oom(err);
    }
    *out = cp;
    return SR_OK;
}
