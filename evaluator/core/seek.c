/*
 * seek.c — goal seek over the derivation's own structure.
 *
 * The derivation is a tree (eval.c): the grade of standard k of a service is computed from
 * that standard's inputs only (its indicators' bands and its findings); that of the standard
 * informing capacity from the capacity findings and the direction-of-travel counts; a judgement from its grades and its
 * key thresholds; the stars from the judgements. seek uses that structure twice.
 *
 * Pruning. A move is expanded only if it can change a judgement that the target needs:
 *   - a move whose inputs feed only a given grade, a given judgement, or nothing (a finding
 *     that names no standard; a requirement whose key threshold fires neither way) changes
 *     no judgement at all;
 *   - the star table says which judgements must move to reach the target: for a two-star
 *     target a capacity already "promising" need not rise, a service already at its best
 *     cannot. A move that reaches none of those judgements is not expanded, and a plan is
 *     only evaluated when the judgements it reaches cover one of the minimal sets that can
 *     reach the target.
 * The second rule assumes more (or better) evidence never lowers a judgement and more
 * judgement never lowers the stars. seek checks the star table for that and switches the
 * rule off when it does not hold; the judgement rules cannot be checked statically, so the
 * tests check seek against a brute-force enumeration instead.
 *
 * Saving evaluations. A plan's grades are looked up by the moves that touch each standard,
 * its judgements by its grades and the key thresholds it breaches, its stars in a table of
 * every combination of judgements made once. Only a plan with a part never seen before is
 * evaluated in full (and then teaches every part of itself): two moves to different standards
 * cost no evaluation when each was evaluated alone and their grades together were seen
 * before. The key thresholds, the direction of travel and the standards a finding feeds are
 * worked out here as eval.c does; sk_options.verify evaluates every plan and counts any
 * disagreement, and the tests require none.
 *
 * Minimal plans. Plans are tried by size; a plan that contains a smaller successful plan,
 * or the same moves by more bands, is neither tried nor reported.
 */
#include "seek.h"

#include <limits.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NCOMP (2 * RP_MAX_SERVICES)

/* ---- a small exact-key hash table ------------------------------------------------------ */

#define MK_MAX (RP_STANDARDS + 4 > 12 ? RP_STANDARDS + 4 : 12) /* judge_key's length */

typedef struct mslot {
    unsigned h;
    int used, len;
    int key[MK_MAX];
    int val[2];
} mslot;

typedef struct memo {
    mslot *s;
    size_t cap, n;
} memo;

static unsigned mhash(const int *k, int len)
{
    unsigned h = 2166136261u;
    for (int i = 0; i < len; i++) {
        unsigned v = (unsigned)k[i];
        for (int b = 0; b < 4; b++) {
            h ^= (v >> (8 * b)) & 0xffu;
            h *= 16777619u;
        }
    }
    return h;
}

static mslot *memo_find(const memo *m, const int *k, int len, unsigned h)
{
    if (!m->cap)
        return NULL;
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        mslot *s = &m->s[i];
        if (!s->used)
            return s;
        if (s->h == h && s->len == len && memcmp(s->key, k, (size_t)len * sizeof *k) == 0)
            return s;
    }
}

static int memo_get(const memo *m, const int *k, int len, int *val)
{
    mslot *s = memo_find(m, k, len, mhash(k, len));
    if (!s || !s->used)
        return 0;
    val[0] = s->val[0], val[1] = s->val[1];
    return 1;
}

static int memo_grow(memo *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    mslot *old = m->s;
    size_t oldcap = m->cap;
    mslot *s = sr_calloc(cap, sizeof *s);
    if (!s)
        return 0;
    m->s = s, m->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].used)
            *memo_find(m, old[i].key, old[i].len, old[i].h) = old[i];
    sr_free(old);
    return 1;
}

/* Stores val under k; *prev_differs is set when an earlier value disagreed (verify). */
static int memo_put(memo *m, const int *k, int len, const int *val, int *prev_differs)
{
    if ((m->n + 1) * 10 >= m->cap * 7 && !memo_grow(m))
        return 0;
    unsigned h = mhash(k, len);
    mslot *s = memo_find(m, k, len, h);
    if (s->used) {
        if (s->val[0] != val[0] || s->val[1] != val[1])
            *prev_differs = 1;
        return 1;
    }
    s->used = 1, s->h = h, s->len = len;
    memcpy(s->key, k, (size_t)len * sizeof *k);
    s->val[0] = val[0], s->val[1] = val[1];
    m->n++;
    return 1;
}

static void memo_free(memo *m)
{
    sr_free(m->s);
    memset(m, 0, sizeof *m);
}

/* ---- the search state ------------------------------------------------------------------ */

enum { TAG_GRADE = 1, TAG_CAPACITY_GRADE, TAG_F };
#define NOT_LIVE (-2)

typedef struct sk {
    rp_pack *p;
    const ev_evidence *ev;  /* the council as given */
    sc_work *work;
    rt_result r;
    const sk_options *o;
    sk_result *res;
    sr_error *err;
    size_t ns;
    int direction;
    /* the baseline */
    int grade[RP_MAX_SERVICES][RP_STANDARDS];
    int improved[RP_MAX_SERVICES], worsened[RP_MAX_SERVICES];
    unsigned long long caps_breached;
    int J0[NCOMP];
    /* what can matter */
    int live_grade[RP_MAX_SERVICES][RP_STANDARDS];
    unsigned long long live_caps;
    int shortcuts;          /* grade and judgement memos usable */
    /* the star table over every full combination of judgements */
    int *stars_of, *rule_of;
    size_t ncombos;
    int radix[NCOMP];
    /* the goal */
    unsigned useful;        /* judgement components the target may need */
    unsigned *supports;     /* minimal sets of components that can reach it */
    size_t nsupports;
    /* moves expanded, in canonical order, and the judgements reachable from each suffix */
    int *live;
    size_t nlive;
    unsigned *suffix;
    memo grades, judge;
    /* plans that reached the target */
    sk_plan *wins;
    size_t nwins, capwins;
    /* progress */
    struct timespec start, last;
    int shown;
    double level_total, level_done;
    int level;
} sk;

void sk_result_init(sk_result *r)
{
    memset(r, 0, sizeof *r);
    r->stars = r->rule = -1;
}

static void free_plans(sk_plan *plans, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sr_free(plans[i].moves);
    sr_free(plans);
}

void sk_result_free(sk_result *r)
{
    for (size_t i = 0; i < r->ncands; i++)
        sc_change_free(&r->cands[i].change);
    sr_free(r->cands);
    free_plans(r->plans, r->nplans);
    sr_free(r->sensitive);
    sr_free(r->sensitive_stars);
    sk_result_init(r);
}

/* ---- judgements and stars -------------------------------------------------------------- */

static int ncomp(const sk *k) { return (int)(2 * k->ns); }

static int comp_words(const sk *k, int c)
{
    return (int)(c % 2 ? k->p->capacity.nwords : k->p->serving.nwords);
}

static size_t combo_index(const sk *k, const int *J)
{
    size_t idx = 0;
    for (int c = ncomp(k) - 1; c >= 0; c--)
        idx = idx * (size_t)comp_words(k, c) + (size_t)J[c];
    return idx;
}

/* Every full combination through the pack's star table, once. */
static int build_star_table(sk *k)
{
    size_t n = 1;
    for (int c = 0; c < ncomp(k); c++)
        n *= (size_t)comp_words(k, c);
    k->ncombos = n;
    k->stars_of = sr_calloc(n, sizeof *k->stars_of);
    k->rule_of = sr_calloc(n, sizeof *k->rule_of);
    if (!k->stars_of || !k->rule_of)
        return sr_oom(k->err);
    for (size_t idx = 0; idx < n; idx++) {
        int serving[RP_MAX_SERVICES], capacity[RP_MAX_SERVICES], row = -1;
        size_t rest = idx;
        for (int c = 0; c < ncomp(k); c++) {
            int w = (int)(rest % (size_t)comp_words(k, c));
            rest /= (size_t)comp_words(k, c);
            if (c % 2) capacity[c / 2] = w; else serving[c / 2] = w;
        }
        lh_budget_reset(k->p->host);
        int rc = rp_stars(k->p, serving, capacity, &row, k->err);
        if (rc != SR_OK)
            return rc;
        if (row < 0)
            return sr_fail(k->err, SR_ERULES, k->p->dir, 0, 0, "no star rule matched (run starrate check)");
        k->stars_of[idx] = k->p->star_rules[row].stars;
        k->rule_of[idx] = row;
    }
    return SR_OK;
}

/* Stars of a combination that may miss judgements (-1): settled only when every completion
 * agrees, as eval.c decides it. */
static int stars_of(const sk *k, const int *J, int *rule)
{
    int full[NCOMP], *slots[NCOMP], sizes[NCOMP];
    size_t nfree = 0;
    for (int c = 0; c < ncomp(k); c++) {
        full[c] = J[c] < 0 ? 0 : J[c];
        if (J[c] < 0)
            slots[nfree] = &full[c], sizes[nfree++] = comp_words(k, c);
    }
    int stars = -2, row = -2;
    do {
        size_t idx = combo_index(k, full);
        stars = stars == -2 ? k->stars_of[idx] : stars == k->stars_of[idx] ? stars : -1;
        row = row == -2 ? k->rule_of[idx] : row == k->rule_of[idx] ? row : -1;
    } while (rp_next_completion(slots, sizes, nfree));
    *rule = row;
    return stars;
}

static int meets(const sk *k, int stars)
{
    if (stars < 0)
        return 0;
    return k->direction > 0 ? stars >= k->res->target : stars <= k->res->target;
}

/* More judgement never fewer stars: the condition for pruning by judgements. */
static int table_monotone(const sk *k)
{
    int J[NCOMP];
    for (size_t idx = 0; idx < k->ncombos; idx++) {
        size_t rest = idx;
        for (int c = 0; c < ncomp(k); c++) {
            J[c] = (int)(rest % (size_t)comp_words(k, c));
            rest /= (size_t)comp_words(k, c);
        }
        for (int c = 0; c < ncomp(k); c++) {
            if (J[c] + 1 >= comp_words(k, c))
                continue;
            J[c]++;
            int up = k->stars_of[combo_index(k, J)];
            J[c]--;
            if (up < k->stars_of[idx])
                return 0;
        }
    }
    return 1;
}

/* Components that can move at all: derived judgements. */
static unsigned variable_components(const sk *k)
{
    unsigned v = 0;
    for (size_t s = 0; s < k->ns; s++) {
        const ev_service *svc = &k->ev->services[s];
        if (svc->given_serving < 0 && k->p->serving_rule)
            v |= 1u << (2 * s);
        if (svc->given_capacity < 0 && k->p->capacity_rule)
            v |= 1u << (2 * s + 1);
    }
    return v;
}

static int add_support(sk *k, unsigned set)
{
    for (size_t i = 0; i < k->nsupports; i++)
        if (k->supports[i] == set)
            return SR_OK;
    unsigned *grown = sr_realloc(k->supports, (k->nsupports + 1) * sizeof *grown);
    if (!grown)
        return sr_oom(k->err);
    k->supports = grown;
    k->supports[k->nsupports++] = set;
    return SR_OK;
}

/* Keeps only the minimal sets (no other set inside them). */
static void minimal_supports(sk *k)
{
    size_t n = 0;
    for (size_t i = 0; i < k->nsupports; i++) {
        int minimal = 1;
        for (size_t j = 0; j < k->nsupports && minimal; j++)
            if (j != i && (k->supports[j] & k->supports[i]) == k->supports[j] &&
                k->supports[j] != k->supports[i])
                minimal = 0;
        if (minimal)
            k->supports[n++] = k->supports[i];
    }
    k->nsupports = n;
}

/* "1 star", "2 stars" (the pack names the unit). */
static const char *unit_for(const rp_pack *p, int stars)
{
    return rp_unit(p, stars);
}

static void describe_fixed(sk *k, unsigned variable)
{
    sr_buf b;
    sr_buf_init(&b);
    for (size_t s = 0; s < k->ns; s++) {
        unsigned both = 3u << (2 * s);
        if ((variable & both) == both)
            continue;
        sr_buf_printf(&b, "%sthe %s of %s %s given in the evidence", b.len ? "; " : "",
                      (variable & both) == 0 ? "judgements" :
                      (variable & (1u << (2 * s))) ? "capacity judgement" : "serving judgement",
                      k->p->services[s].name, (variable & both) == 0 ? "are" : "is");
    }
    snprintf(k->res->why, sizeof k->res->why, "no combination of the judgements seek can move "
             "gives %s %d %s%s%s", k->direction > 0 ? "at least" : "at most", k->res->target,
             unit_for(k->p, k->res->target), b.len ? ": " : "", b.len ? b.data : "");
    sr_buf_free(&b);
}

/*
 * Which judgements the target needs. Over every combination in the box the moves can reach
 * (each movable judgement from its present word up to the best, or down to the worst for a
 * deterioration), a judgement is needed when some combination that meets the target stops
 * meeting it if that judgement alone goes back. The sets of judgements that differ from the
 * baseline in a winning combination, reduced to the minimal ones, are the supports.
 */
static int analyse_goal(sk *k)
{
    unsigned variable = variable_components(k);
    int full = 1;
    for (int c = 0; c < ncomp(k); c++)
        full &= k->J0[c] >= 0;
    k->res->judgement_pruning = full && table_monotone(k);
    if (!k->res->judgement_pruning) {
        k->useful = variable;
        return add_support(k, 0); /* every plan may be tried */
    }
    int lo[NCOMP], hi[NCOMP], J[NCOMP];
    for (int c = 0; c < ncomp(k); c++) {
        int movable = (variable >> c) & 1;
        lo[c] = k->direction > 0 || !movable ? k->J0[c] : 0;
        hi[c] = k->direction < 0 || !movable ? k->J0[c] : comp_words(k, c) - 1;
        J[c] = lo[c];
    }
    int any = 0, rule;
    for (;;) {
        if (meets(k, stars_of(k, J, &rule))) {
            any = 1;
            unsigned set = 0;
            for (int c = 0; c < ncomp(k); c++) {
                if (J[c] == k->J0[c])
                    continue;
                set |= 1u << c;
                int keep = J[c];
                J[c] = k->J0[c];
                if (!meets(k, stars_of(k, J, &rule)))
                    k->useful |= 1u << c;
                J[c] = keep;
            }
            int rc = add_support(k, set);
            if (rc != SR_OK)
                return rc;
        }
        int c = 0;
        for (; c < ncomp(k); c++) {
            if (++J[c] <= hi[c])
                break;
            J[c] = lo[c];
        }
        if (c == ncomp(k))
            break;
    }
    if (!any) {
        k->res->unreachable = 1;
        describe_fixed(k, variable);
    }
    minimal_supports(k);
    return SR_OK;
}

/* ---- the moves --------------------------------------------------------------------------- */

static const rp_band *band_entry(const rp_indicator *d, int band)
{
    for (size_t i = 0; i < d->nbands; i++)
        if (d->bands[i].band == band)
            return &d->bands[i];
    return NULL;
}

/* A round step below the spacing of two limits: 5 apart gives 1, 0.15 apart gives 0.1. */
static double unit_of(double spacing)
{
    spacing = fabs(spacing);
    return spacing > 0 ? pow(10, floor(log10(spacing))) : 1;
}

/* The number as the outputs print it, so a plan written as a scenario means the same. */
static double printed(double v)
{
    char num[64];
    sr_format_number(v, num, sizeof num);
    return strtod(num, NULL);
}

/*
 * The value that puts an indicator in a band: the band's own limit (the least value that
 * reaches it, which is where the key thresholds sit), or for band 1 one round step beyond the
 * worst band's limit. For a middle range, the side nearer the present value. 0 when the
 * indicator's limits give no such value (a band it declares no limit for).
 */
static int value_for_band(const rp_indicator *d, int band, int has_cur, double cur, double *out)
{
    const rp_band *e;
    if (band >= 2) {
        if (!(e = band_entry(d, band)))
            return 0;
        if (e->has_min && e->has_max)
            *out = has_cur && cur > (e->min + e->max) / 2 ? e->max : e->min;
        else
            *out = e->has_min ? e->min : e->max;
    } else {
        if (!d->nbands)
            return 0;
        e = &d->bands[d->nbands - 1];
        const rp_band *next = band_entry(d, e->band + 1);
        int above = e->has_max && (!e->has_min || (has_cur && cur > (e->min + e->max) / 2));
        if (above)
            *out = e->max + unit_of(next && next->has_max ? next->max - e->max : e->max);
        else
            *out = e->min - unit_of(next && next->has_min ? next->min - e->min : e->min);
    }
    *out = printed(*out);
    return rt_band_of(d, *out, NULL, -1) == band;
}

static int fix_matches(const sk_options *o, const char *name, const char *path)
{
    for (size_t i = 0; i < o->nfix; i++)
        if (strcmp(o->fix[i], name) == 0 || strcmp(o->fix[i], path) == 0)
            return 1;
    return 0;
}

static int push_cand(sk_result *res, size_t *cap, sk_candidate **out, sr_error *err)
{
    if (res->ncands == *cap) {
        size_t n = *cap ? *cap * 2 : 64;
        sk_candidate *grown = sr_realloc(res->cands, n * sizeof *grown);
        if (!grown)
            return sr_oom(err);
        res->cands = grown, *cap = n;
    }
    *out = &res->cands[res->ncands++];
    memset(*out, 0, sizeof **out);
    return SR_OK;
}

/* The scenario form of a move: SET on a path, the strings owned by the change. */
static int make_change(sc_change *c, sc_what what, const char *service, const char *list,
                       const char *name, sr_error *err)
{
    char path[256];
    snprintf(path, sizeof path, "%s.%s.%s", service, list, name);
    c->verb = SC_SET;
    c->what = what;
    c->path = sr_strdup(path);
    c->service = sr_strdup(service);
    c->name = sr_strdup(name);
    c->file = sr_strdup("<seek>");
    if (!c->path || !c->service || !c->name || !c->file)
        return sr_oom(err);
    return SR_OK;
}

typedef struct gen {
    rp_pack *p;
    const ev_evidence *ev;
    const sk_options *o;
    sk_result *res;
    size_t cap;
    int input;
    int direction;
    sr_error *err;
} gen;

static int indicator_moves(gen *g, size_t s, const rp_indicator *d)
{
    const ev_service *svc = &g->ev->services[s];
    const char *sid = g->p->services[s].id;
    char path[256];
    snprintf(path, sizeof path, "%s.indicator.%s", sid, d->code);
    if (g->o->only && !(g->o->only & SK_INDICATORS))
        return SR_OK;
    int input = g->input++;
    long i = ev_indicator_index(svc, d->code);
    const ev_indicator *ind = i >= 0 ? &svc->indicators[i] : NULL;
    /* Not in the evidence: counted from the middle band, so adding it in band 4 is one step. */
    int from = !ind ? 3 : ind->band ? ind->band : rt_band_of(d, ind->value, NULL, -1);
    int has_cur = ind && ind->has_value;
    double cur = has_cur ? ind->value : 0;
    for (int to = from + g->direction; to >= 1 && to <= 5; to += g->direction) {
        sk_candidate *c;
        int rc = push_cand(g->res, &g->cap, &c, g->err);
        if (rc == SR_OK) rc = make_change(&c->change, SC_INDICATOR, sid, "indicator", d->code, g->err);
        if (rc != SR_OK)
            return rc;
        c->kind = SK_INDICATOR;
        c->service = (int)s;
        c->input = input;
        c->steps = abs(to - from);
        c->from_band = ind ? from : 0;
        c->to_band = to;
        c->gap = !ind;
        c->label = d->name;
        c->has_from_value = has_cur;
        c->from_value = cur;
        c->change.has = SC_HAS_BAND;
        c->change.band = to;
        /* The value moves with the band (key thresholds and the direction of travel read
         * values); an indicator the evidence gives by its band alone keeps no value. */
        double v;
        if ((!ind || has_cur) && value_for_band(d, to, has_cur, cur, &v)) {
            c->change.has |= SC_HAS_VALUE;
            c->change.value = v;
        }
        if (fix_matches(g->o, d->code, path))
            c->pruned = "kept unchanged (--fix)";
    }
    return SR_OK;
}

static int finding_moves(gen *g, size_t s, int cap)
{
    const ev_service *svc = &g->ev->services[s];
    const ev_finding *list = cap ? svc->capacity_findings : svc->findings;
    size_t n = cap ? svc->ncapacity : svc->nfindings;
    const char *sid = g->p->services[s].id;
    const char *lname = cap ? "capacity_finding" : "finding";
    if (g->o->only && !(g->o->only & SK_FINDINGS))
        return SR_OK;
    for (size_t i = 0; i < n; i++) {
        const ev_finding *f = &list[i];
        int critical = f->kind == EV_CONCERN || f->kind == EV_AREA_FOR_IMPROVEMENT ||
                       f->kind == EV_AREA_FOR_DEVELOPMENT;
        int input = g->input++;
        if (g->direction > 0 ? !critical : critical)
            continue;
        ev_kind to = g->direction > 0 ? EV_STRENGTH : EV_CONCERN;
        sk_candidate *c;
        int rc = push_cand(g->res, &g->cap, &c, g->err);
        if (rc == SR_OK) rc = make_change(&c->change, cap ? SC_CAPACITY_FINDING : SC_FINDING, sid, lname, f->id, g->err);
        if (rc == SR_OK && !(c->change.kind = sr_strdup(ev_kind_words[to])))
            rc = sr_oom(g->err);
        if (rc != SR_OK)
            return rc;
        c->kind = cap ? SK_CAPACITY_FINDING : SK_FINDING;
        c->service = (int)s;
        c->input = input;
        c->steps = 1;
        c->from_word = (int)f->kind;
        c->to_word = (int)to;
        c->label = f->text;
        c->change.has = SC_HAS_KIND;
        char path[300];
        snprintf(path, sizeof path, "%s.%s.%s", sid, lname, f->id);
        if (fix_matches(g->o, f->id, path))
            c->pruned = "kept unchanged (--fix)";
    }
    return SR_OK;
}

static int requirement_moves(gen *g, size_t s)
{
    const ev_service *svc = &g->ev->services[s];
    const char *sid = g->p->services[s].id;
    if (g->o->only && !(g->o->only & SK_REQUIREMENTS))
        return SR_OK;
    for (size_t q = 0; q < g->p->nrequirements; q++) {
        const rp_requirement *req = &g->p->requirements[q];
        if (!req->services[s])
            continue;
        int input = g->input++;
        int now = svc->requirements[q], to = g->direction > 0 ? 1 : 0;
        if (now == to)
            continue;
        sk_candidate *c;
        int rc = push_cand(g->res, &g->cap, &c, g->err);
        if (rc == SR_OK) rc = make_change(&c->change, SC_REQUIREMENT, sid, "requirement", req->id, g->err);
        if (rc != SR_OK)
            return rc;
        c->kind = SK_REQUIREMENT;
        c->service = (int)s;
        c->input = input;
        c->steps = 1;
        c->from_word = now;
        c->to_word = to;
        c->gap = now < 0;
        c->label = req->text;
        c->change.has = SC_HAS_MET;
        c->change.met = to;
        char path[300];
        snprintf(path, sizeof path, "%s.requirement.%s", sid, req->id);
        if (fix_matches(g->o, req->id, path))
            c->pruned = "kept unchanged (--fix)";
    }
    return SR_OK;
}

/* Whether a --fix argument names anything at all (a typo must not pass silently). */
static int fix_known(const rp_pack *p, const ev_evidence *ev, const char *name)
{
    const char *last = strrchr(name, '.');
    const char *bare = last ? last + 1 : name;
    if (rp_indicator_find(p, bare) || rp_requirement_find(p, bare))
        return 1;
    for (size_t i = 0; i < ev->ncustom; i++)
        if (strcmp(ev->custom[i].code, bare) == 0)
            return 1;
    for (size_t s = 0; s < ev->nservices; s++) {
        const ev_service *svc = &ev->services[s];
        for (size_t i = 0; i < svc->nfindings; i++)
            if (strcmp(svc->findings[i].id, bare) == 0)
                return 1;
        for (size_t i = 0; i < svc->ncapacity; i++)
            if (strcmp(svc->capacity_findings[i].id, bare) == 0)
                return 1;
    }
    return 0;
}

static int generate(rp_pack *p, const ev_evidence *ev, int direction, const sk_options *o,
                    sk_result *res, sr_error *err)
{
    for (size_t i = 0; i < o->nfix; i++)
        if (!fix_known(p, ev, o->fix[i]))
            return sr_fail(err, SR_EUSAGE, NULL, 0, 0,
                           "--fix '%s' names no indicator, finding or requirement", o->fix[i]);
    gen g = {p, ev, o, res, 0, 0, direction, err};
    int rc = SR_OK;
    for (size_t s = 0; rc == SR_OK && s < p->nservices; s++) {
        for (size_t i = 0; rc == SR_OK && i < p->nindicators; i++)
            if (p->indicators[i].service == (int)s)
                rc = indicator_moves(&g, s, &p->indicators[i]);
        for (size_t i = 0; rc == SR_OK && i < ev->ncustom; i++)
            if (ev->custom[i].service == (int)s)
                rc = indicator_moves(&g, s, &ev->custom[i]);
        if (rc == SR_OK) rc = finding_moves(&g, s, 0);
        if (rc == SR_OK) rc = finding_moves(&g, s, 1);
        if (rc == SR_OK) rc = requirement_moves(&g, s);
    }
    return rc;
}

int sk_candidates(rp_pack *p, const ev_evidence *ev, int direction, const sk_options *o,
                  sk_result *out, sr_error *err)
{
    sk_result_init(out);
    int rc = generate(p, ev, direction, o, out, err);
    if (rc != SR_OK)
        sk_result_free(out);
    return rc;
}

void sk_describe(const rp_pack *p, const sk_candidate *c, sr_buf *b)
{
    char from[64], to[64];
    sr_buf_printf(b, "%s: ", c->change.path);
    switch (c->kind) {
    case SK_INDICATOR:
        if (c->change.has & SC_HAS_VALUE)
            sr_format_number(c->change.value, to, sizeof to);
        if (c->from_band == 0) {
            sr_buf_printf(b, "not in the evidence; add in band %d", c->to_band);
            if (c->change.has & SC_HAS_VALUE)
                sr_buf_printf(b, " (value %s)", to);
        } else {
            sr_buf_printf(b, "band %d -> %d", c->from_band, c->to_band);
            if ((c->change.has & SC_HAS_VALUE) && c->has_from_value) {
                sr_format_number(c->from_value, from, sizeof from);
                sr_buf_printf(b, " (value %s -> %s)", from, to);
            }
        }
        break;
    case SK_FINDING:
    case SK_CAPACITY_FINDING:
        for (const char *k = ev_kind_words[c->from_word]; *k; k++)
            sr_buf_putc(b, *k == '_' ? ' ' : *k);
        sr_buf_printf(b, " -> %s", ev_kind_words[c->to_word]);
        break;
    case SK_REQUIREMENT:
        sr_buf_printf(b, "%s -> %s", c->from_word < 0 ? "not stated" : c->from_word ? "met" : "not met",
                      c->to_word ? "met" : "not met");
        break;
    }
    (void)p;
}

/* ---- what each move reaches --------------------------------------------------------------- */

/* Grade bits are standard - 1; finding tags use bit n for standard n. */
static unsigned finding_grades(const rp_pack *p, const ev_evidence *ev, const ev_finding *f)
{
    return rt_finding_standards(p, ev, f) >> 1;
}

/* A key threshold's state with a move applied (NULL: the baseline): 1 breached, 0 not, -1
 * not evaluated — as eval.c's cap_breached decides it. */
static int cap_state(const sk *k, size_t s, const rp_cap *cap, const sk_candidate *c)
{
    const ev_service *svc = &k->ev->services[s];
    if (cap->requirement) {
        const rp_requirement *req = rp_requirement_find(k->p, cap->requirement);
        int met = svc->requirements[req - k->p->requirements];
        if (c && c->kind == SK_REQUIREMENT && strcmp(c->change.name, cap->requirement) == 0)
            met = c->to_word;
        return met < 0 ? -1 : !met;
    }
    long i = ev_indicator_index(svc, cap->indicator);
    int has = i >= 0 && svc->indicators[i].has_value;
    double v = has ? svc->indicators[i].value : 0;
    if (c && c->kind == SK_INDICATOR && strcmp(c->change.name, cap->indicator) == 0 &&
        (c->change.has & SC_HAS_VALUE))
        has = 1, v = c->change.value;
    if (!has)
        return -1;
    return rt_cap_breached_by(cap, v);
}

static void baseline_facts(sk *k)
{
    for (size_t s = 0; s < k->ns; s++) {
        const ev_service *svc = &k->ev->services[s];
        int serving = svc->given_serving < 0 && k->p->serving_rule && k->p->grade_rule;
        int capacity = svc->given_capacity < 0 && k->p->capacity_rule && k->p->capacity_grade_rule;
        for (int g = 0; g < RP_STANDARDS; g++) {
            k->grade[s][g] = k->r.svc[s].grade[g];
            rp_informs inf = k->p->standards[g].informs;
            k->live_grade[s][g] = svc->given_grade[g] < 0 &&
                                  (inf == RP_INFORMS_SERVING    ? serving
                                   : inf == RP_INFORMS_CAPACITY ? capacity
                                                                : 0);
        }
        k->improved[s] = k->worsened[s] = 0;
        for (size_t i = 0; i < svc->nindicators; i++) {
            const ev_indicator *ind = &svc->indicators[i];
            if (!ind->has_value || !ind->has_previous)
                continue;
            int t = rt_travel_of(ind->def, ind->value, ind->previous);
            k->improved[s] += t > 0;
            k->worsened[s] += t < 0;
        }
        k->J0[2 * s] = k->r.svc[s].serving;
        k->J0[2 * s + 1] = k->r.svc[s].capacity;
    }
    for (size_t i = 0; i < k->p->ncaps && i < 64; i++) {
        const rp_cap *cap = &k->p->caps[i];
        size_t s = (size_t)cap->service;
        if (s >= k->ns)
            continue;
        const ev_service *svc = &k->ev->services[s];
        int derived = cap->judgement ? svc->given_capacity < 0 : svc->given_serving < 0;
        if (derived)
            k->live_caps |= 1ull << i;
        if (cap_state(k, s, cap, NULL) == 1)
            k->caps_breached |= 1ull << i;
    }
}

static const ev_finding *finding_by_id(const ev_service *svc, const char *id)
{
    for (size_t i = 0; i < svc->nfindings; i++)
        if (strcmp(svc->findings[i].id, id) == 0)
            return &svc->findings[i];
    return NULL;
}

/* The grade bit (standard - 1) of the standard that informs capacity; 0 when there is none. */
static unsigned capacity_bit(const rp_pack *p)
{
    return p->capacity_standard ? 1u << (p->capacity_standard - 1) : 0;
}

/* The grades an indicator move feeds: its standard's, and the capacity standard's when it
 * changes the direction-of-travel counts (filled into the move). */
static unsigned indicator_grades(const sk *k, sk_candidate *c)
{
    const ev_service *svc = &k->ev->services[c->service];
    const rp_indicator *d = rp_indicator_find(k->p, c->change.name);
    for (size_t i = 0; !d && i < k->ev->ncustom; i++)
        if (strcmp(k->ev->custom[i].code, c->change.name) == 0)
            d = &k->ev->custom[i];
    unsigned raw = 1u << (d->standard - 1);
    long i = ev_indicator_index(svc, c->change.name);
    if (i < 0 || !svc->indicators[i].has_value || !svc->indicators[i].has_previous ||
        !(c->change.has & SC_HAS_VALUE))
        return raw;
    const ev_indicator *ind = &svc->indicators[i];
    int before = rt_travel_of(d, ind->value, ind->previous);
    int after = rt_travel_of(d, c->change.value, ind->previous);
    c->d_improved = (after > 0) - (before > 0);
    c->d_worsened = (after < 0) - (before < 0);
    return c->d_improved || c->d_worsened ? raw | capacity_bit(k->p) : raw;
}

/* Fills what a move reaches and prunes it when that is no judgement the target needs. */
static const char gap_reason[] = "it fills a gap in the evidence (--include-gaps)";

static int evaluate_plan(sk *k, const int *plan, size_t n);

static void analyse_move(sk *k, sk_candidate *c)
{
    size_t s = (size_t)c->service;
    const ev_service *svc = &k->ev->services[s];
    unsigned raw = 0; /* grades the move feeds, live or not */
    if (c->kind == SK_INDICATOR) {
        raw = indicator_grades(k, c);
    } else if (c->kind == SK_FINDING) {
        raw = finding_grades(k->p, k->ev, finding_by_id(svc, c->change.name));
    } else if (c->kind == SK_CAPACITY_FINDING) {
        raw = capacity_bit(k->p);
    }
    for (int g = 0; g < RP_STANDARDS; g++)
        if ((raw >> g) & 1 && k->live_grade[s][g])
            c->grades |= 1u << g;
    int dead_caps = 0; /* key thresholds it would move on a judgement that is given */
    for (size_t i = 0; i < k->p->ncaps && i < 64; i++) {
        const rp_cap *cap = &k->p->caps[i];
        if ((size_t)cap->service != s)
            continue;
        int before = cap_state(k, s, cap, NULL) == 1, after = cap_state(k, s, cap, c) == 1;
        if (!((k->live_caps >> i) & 1)) {
            dead_caps |= before != after;
            continue;
        }
        if (!before && after) c->caps_on |= 1ull << i;
        if (before && !after) c->caps_off |= 1ull << i;
        if (before != after)
            c->judgements |= 1u << (2 * s + (unsigned)cap->judgement);
    }
    if (c->grades & k->p->serving_standards)
        c->judgements |= 1u << (2 * s);
    if (c->grades & capacity_bit(k->p))
        c->judgements |= 1u << (2 * s + 1);
    if (c->pruned) {
        k->res->pruned_fixed++;
    } else if (!c->judgements) {
        /* It reaches no judgement: say which dead end it runs into. */
        if ((raw && !c->grades) || dead_caps) {
            c->pruned = "it feeds only grades or judgements given in the evidence";
            k->res->pruned_given++;
        } else {
            c->pruned = c->kind == SK_FINDING ? "the finding names no standard"
                                              : "it changes no grade and no key threshold";
            k->res->pruned_noeffect++;
        }
    } else if (!(c->judgements & k->useful)) {
        c->pruned = "it cannot move a judgement the target needs";
        k->res->pruned_path++;
    } else if (c->gap && !k->o->include_gaps) {
        /* Filling a gap changes what the evidence says, not what the council does. */
        c->pruned = gap_reason;
        k->res->pruned_gap++;
    }
}

/* The gap moves set aside above, each tried alone: the rating is sensitive to evidence not
 * given when one of them moves the stars the way the search looks. The smallest such move of
 * each input is kept. */
static int over_budget(const sk *k);

static int gap_sensitivity(sk *k)
{
    sk_result *res = k->res;
    size_t n = 0;
    for (size_t i = 0; i < res->ncands; i++)
        n += res->cands[i].pruned == gap_reason;
    if (!n)
        return SR_OK;
    res->sensitive = sr_calloc(n, sizeof *res->sensitive);
    res->sensitive_stars = sr_calloc(n, sizeof *res->sensitive_stars);
    if (!res->sensitive || !res->sensitive_stars)
        return sr_oom(k->err);
    int done_input = -1;
    for (size_t i = 0; i < res->ncands; i++) {
        const sk_candidate *c = &res->cands[i];
        if (c->pruned != gap_reason || c->input == done_input)
            continue;
        if (over_budget(k)) { /* the gaps share the search's budget */
            res->stopped = 1;
            break;
        }
        int plan = (int)i;
        int rc = evaluate_plan(k, &plan, 1);
        if (rc != SR_OK)
            return rc;
        int stars = k->r.stars;
        if (stars >= 0 && res->stars >= 0 && (stars - res->stars) * res->direction > 0) {
            res->sensitive[res->nsensitive] = plan;
            res->sensitive_stars[res->nsensitive++] = stars;
            done_input = c->input;
        }
    }
    return SR_OK;
}

/* ---- answering a plan ------------------------------------------------------------------- */

static int evaluate_plan(sk *k, const int *plan, size_t n)
{
    size_t mark = sc_mark(k->work);
    int rc = SR_OK;
    for (size_t i = 0; rc == SR_OK && i < n; i++)
        rc = sc_apply(k->work, &k->res->cands[plan[i]].change, k->err);
    if (rc == SR_OK) {
        rc = rt_evaluate(k->p, sc_work_evidence(k->work), &k->r, k->err);
        k->res->evaluations++;
    }
    sc_rollback(k->work, mark);
    return rc;
}

/* Keys: which moves of the plan touch a grade; for the capacity standard the travel counts
 * instead of the indicator moves, because the rule sees only the counts. */
static int grade_key(const sk *k, const int *plan, size_t n, size_t s, int g, int improved,
                     int worsened, int *key)
{
    int len = 0, count = 0;
    int capacity = g == k->p->capacity_standard - 1;
    key[len++] = capacity ? TAG_CAPACITY_GRADE : TAG_GRADE;
    key[len++] = (int)s;
    key[len++] = g;
    if (capacity)
        key[len++] = improved, key[len++] = worsened;
    int at = len++;
    for (size_t i = 0; i < n; i++) {
        const sk_candidate *c = &k->res->cands[plan[i]];
        if ((size_t)c->service != s || !((c->grades >> g) & 1))
            continue;
        if (capacity && c->kind != SK_CAPACITY_FINDING)
            continue;
        key[len++] = plan[i];
        count++;
    }
    key[at] = count;
    return len;
}

static int judge_key(const sk *k, size_t s, const int *grades, unsigned long long caps, int *key)
{
    int len = 0;
    key[len++] = TAG_F;
    key[len++] = (int)s;
    for (int g = 0; g < RP_STANDARDS; g++)
        key[len++] = k->live_grade[s][g] ? grades[g] : NOT_LIVE;
    unsigned long long mine = 0;
    for (size_t i = 0; i < k->p->ncaps && i < 64; i++)
        if ((size_t)k->p->caps[i].service == s && ((caps >> i) & 1) && ((k->live_caps >> i) & 1))
            mine |= 1ull << i;
    key[len++] = (int)(unsigned)(mine & 0xffffffffu);
    key[len++] = (int)(unsigned)(mine >> 32);
    return len;
}

typedef struct parts {
    int touched[RP_MAX_SERVICES];
    int improved[RP_MAX_SERVICES], worsened[RP_MAX_SERVICES];
    unsigned long long caps;
} parts;

static void plan_parts(const sk *k, const int *plan, size_t n, parts *pt)
{
    memset(pt, 0, sizeof *pt);
    pt->caps = k->caps_breached;
    for (size_t s = 0; s < k->ns; s++)
        pt->improved[s] = k->improved[s], pt->worsened[s] = k->worsened[s];
    for (size_t i = 0; i < n; i++) {
        const sk_candidate *c = &k->res->cands[plan[i]];
        pt->touched[c->service] = 1;
        pt->improved[c->service] += c->d_improved;
        pt->worsened[c->service] += c->d_worsened;
        pt->caps = (pt->caps & ~c->caps_off) | c->caps_on;
    }
}

/* The plan's judgements from what earlier evaluations taught; 0 when a part is unknown. */
static int compose(sk *k, const int *plan, size_t n, const parts *pt, int *J)
{
    int key[MK_MAX], val[2];
    for (size_t s = 0; s < k->ns; s++) {
        J[2 * s] = k->J0[2 * s], J[2 * s + 1] = k->J0[2 * s + 1];
        if (!pt->touched[s])
            continue;
        int grades[RP_STANDARDS];
        for (int g = 0; g < RP_STANDARDS; g++) {
            grades[g] = k->grade[s][g];
            if (!k->live_grade[s][g])
                continue;
            int len = grade_key(k, plan, n, s, g, pt->improved[s], pt->worsened[s], key);
            int capacity = g == k->p->capacity_standard - 1;
            int untouched = key[capacity ? 5 : 3] == 0 &&
                            (!capacity || (pt->improved[s] == k->improved[s] && pt->worsened[s] == k->worsened[s]));
            if (untouched)
                continue;
            if (!memo_get(&k->grades, key, len, val))
                return 0;
            grades[g] = val[0];
        }
        int len = judge_key(k, s, grades, pt->caps, key);
        if (!memo_get(&k->judge, key, len, val))
            return 0;
        J[2 * s] = val[0], J[2 * s + 1] = val[1];
    }
    return 1;
}

/* After a full evaluation: every part of the plan, remembered. */
static int learn(sk *k, const int *plan, size_t n, const parts *pt)
{
    int key[MK_MAX], val[2] = {0, 0}, differs = 0;
    for (size_t s = 0; s < k->ns; s++) {
        if (!pt->touched[s])
            continue;
        int grades[RP_STANDARDS];
        for (int g = 0; g < RP_STANDARDS; g++) {
            grades[g] = k->r.svc[s].grade[g];
            if (!k->live_grade[s][g])
                continue;
            int len = grade_key(k, plan, n, s, g, pt->improved[s], pt->worsened[s], key);
            val[0] = grades[g], val[1] = 0;
            if (!memo_put(&k->grades, key, len, val, &differs))
                return sr_oom(k->err);
        }
        int len = judge_key(k, s, grades, pt->caps, key);
        val[0] = k->r.svc[s].serving, val[1] = k->r.svc[s].capacity;
        if (!memo_put(&k->judge, key, len, val, &differs))
            return sr_oom(k->err);
    }
    k->res->mismatches += differs;
    return SR_OK;
}

/* The judgements and stars a plan gives, evaluating only when it must. */
static int answer(sk *k, const int *plan, size_t n, int *J, int *stars, int *rule)
{
    parts pt;
    plan_parts(k, plan, n, &pt);
    int known = k->shortcuts && compose(k, plan, n, &pt, J);
    if (known && !k->o->verify) {
        k->res->answered++;
        *stars = stars_of(k, J, rule);
        return SR_OK;
    }
    int rc = evaluate_plan(k, plan, n);
    if (rc != SR_OK)
        return rc;
    int E[NCOMP];
    for (size_t s = 0; s < k->ns; s++)
        E[2 * s] = k->r.svc[s].serving, E[2 * s + 1] = k->r.svc[s].capacity;
    if (known && memcmp(E, J, (size_t)ncomp(k) * sizeof *J) != 0)
        k->res->mismatches++;
    memcpy(J, E, (size_t)ncomp(k) * sizeof *J);
    *stars = k->r.stars;
    *rule = k->r.rule;
    if (k->r.stars >= 0 && stars_of(k, J, rule) != k->r.stars)
        k->res->mismatches++;
    *rule = k->r.rule;
    return k->shortcuts ? learn(k, plan, n, &pt) : SR_OK;
}

/* ---- minimal plans ------------------------------------------------------------------------ */

/* Whether plan `big` holds every move of `small`, or the same input moved further. */
static int dominates(const sk *k, const sk_plan *small, const int *big, size_t nbig)
{
    for (size_t i = 0; i < small->n; i++) {
        const sk_candidate *a = &k->res->cands[small->moves[i]];
        int found = 0;
        for (size_t j = 0; j < nbig && !found; j++) {
            const sk_candidate *b = &k->res->cands[big[j]];
            found = a->input == b->input && b->steps >= a->steps;
        }
        if (!found)
            return 0;
    }
    return 1;
}

static int dominated(const sk *k, const int *plan, size_t n, size_t upto)
{
    for (size_t i = 0; i < upto; i++)
        if (dominates(k, &k->wins[i], plan, n))
            return 1;
    return 0;
}

static int record_win(sk *k, const int *plan, size_t n, const int *J, int stars, int rule)
{
    if (k->nwins == k->capwins) {
        size_t cap = k->capwins ? k->capwins * 2 : 16;
        sk_plan *grown = sr_realloc(k->wins, cap * sizeof *grown);
        if (!grown)
            return sr_oom(k->err);
        k->wins = grown, k->capwins = cap;
    }
    sk_plan *w = &k->wins[k->nwins];
    memset(w, 0, sizeof *w);
    if (!(w->moves = sr_malloc(n * sizeof *w->moves)))
        return sr_oom(k->err);
    k->nwins++;
    memcpy(w->moves, plan, n * sizeof *plan);
    w->n = n;
    for (size_t i = 0; i < n; i++)
        w->steps += k->res->cands[plan[i]].steps;
    w->stars = stars;
    w->rule = rule;
    for (size_t s = 0; s < k->ns; s++)
        w->serving[s] = J[2 * s], w->capacity[s] = J[2 * s + 1];
    return SR_OK;
}

static int plan_order(const void *a, const void *b)
{
    const sk_plan *x = a, *y = b;
    if (x->n != y->n) return x->n < y->n ? -1 : 1;
    if (x->steps != y->steps) return x->steps < y->steps ? -1 : 1;
    for (size_t i = 0; i < x->n; i++)
        if (x->moves[i] != y->moves[i])
            return x->moves[i] < y->moves[i] ? -1 : 1;
    return 0;
}

/* Sorts one level's wins and drops those that move the same inputs further than another. */
static void settle_level(sk *k, size_t first)
{
    if (k->nwins <= first)
        return;
    qsort(k->wins + first, k->nwins - first, sizeof *k->wins, plan_order);
    size_t out = first;
    for (size_t i = first; i < k->nwins; i++) {
        int drop = 0;
        for (size_t j = first; j < out && !drop; j++)
            drop = dominates(k, &k->wins[j], k->wins[i].moves, k->wins[i].n);
        if (drop)
            sr_free(k->wins[i].moves);
        else
            k->wins[out++] = k->wins[i];
    }
    k->nwins = out;
}

/* ---- the search ------------------------------------------------------------------------------ */

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void maybe_progress(sk *k)
{
    if (!k->o->progress || (k->res->plans_tried & 63))
        return;
    double every = k->o->progress_interval > 0 ? k->o->progress_interval : 1.0;
    double total = seconds_since(&k->start);
    if (total < every || (k->shown && seconds_since(&k->last) < every))
        return;
    clock_gettime(CLOCK_MONOTONIC, &k->last);
    k->shown = 1;
    sk_progress pr = {k->level, k->level_total > 0 ? k->level_done / k->level_total : 0,
                      k->res->evaluations, total};
    if (pr.done > 1)
        pr.done = 1;
    k->o->progress(k->o->progress_ctx, &pr);
}

/* Whether the judgements a set of moves reaches cover one set the target needs. */
static int covers(const sk *k, unsigned reach)
{
    for (size_t i = 0; i < k->nsupports; i++)
        if ((k->supports[i] & reach) == k->supports[i])
            return 1;
    return 0;
}

typedef struct level {
    int plan[SK_MAX_CHANGES];
    size_t size;     /* plans of this size */
    size_t before;   /* wins of smaller sizes */
} level;

/* Not an SR_ code: the budget ran out, which ends the search but is no error. */
#define SK_STOP 100

/* Whether the search has used its budget (sk_options.max_evaluations). */
static int over_budget(const sk *k)
{
    long most = k->res->budget;
    long plans = most > LONG_MAX / SK_PLANS_PER_EVALUATION ? LONG_MAX : most * SK_PLANS_PER_EVALUATION;
    return k->res->evaluations >= most || k->res->plans_tried >= plans;
}

static int try_plan(sk *k, level *lv)
{
    int J[NCOMP], stars, rule;
    if (over_budget(k)) {
        k->res->stopped = 1;
        return SK_STOP;
    }
    k->res->plans_tried++;
    k->level_done++;
    maybe_progress(k);
    int rc = answer(k, lv->plan, lv->size, J, &stars, &rule);
    if (rc == SR_OK && meets(k, stars))
        rc = record_win(k, lv->plan, lv->size, J, stars, rule);
    return rc;
}

static int extend(sk *k, level *lv, size_t depth, size_t from, unsigned reach)
{
    if (depth == lv->size)
        return covers(k, reach) ? try_plan(k, lv) : SR_OK;
    int rc = SR_OK;
    for (size_t i = from; rc == SR_OK && i + (lv->size - depth) <= k->nlive; i++) {
        /* Nothing after here can complete a set of judgements the target needs. */
        if (!covers(k, reach | k->suffix[i]))
            break;
        const sk_candidate *c = &k->res->cands[k->live[i]];
        int clash = 0;
        for (size_t j = 0; j < depth && !clash; j++)
            clash = k->res->cands[lv->plan[j]].input == c->input;
        if (clash)
            continue;
        lv->plan[depth] = k->live[i];
        if (dominated(k, lv->plan, depth + 1, lv->before))
            continue;
        rc = extend(k, lv, depth + 1, i + 1, reach | c->judgements);
    }
    return rc;
}

static double choose(size_t n, size_t r)
{
    double v = 1;
    for (size_t i = 0; i < r; i++)
        v = v * (double)(n - i) / (double)(i + 1);
    return v;
}

static int search(sk *k)
{
    int rc = SR_OK;
    size_t limit = k->o->limit > 0 ? (size_t)k->o->limit : 1;
    for (int size = 1; rc == SR_OK && size <= k->o->max_changes; size++) {
        if ((size_t)size > k->nlive)
            break;
        level lv = {{0}, (size_t)size, k->nwins};
        k->level = size;
        k->level_total = choose(k->nlive, (size_t)size);
        k->level_done = 0;
        rc = extend(k, &lv, 0, 0, 0);
        if (rc == SK_STOP) {
            /* the plans of this size found so far are minimal among what was tried */
            settle_level(k, lv.before);
            k->res->levels = size;
            return SR_OK;
        }
        if (rc != SR_OK)
            break;
        settle_level(k, lv.before);
        k->res->levels = size;
        if (k->nwins >= limit)
            break;
    }
    return rc;
}

/* ---- the driver ------------------------------------------------------------------------------ */

static int choose_target(sk *k)
{
    sk_result *res = k->res;
    if (k->o->margin) {
        if (res->stars < 0)
            return sr_fail(k->err, SR_EINPUT, k->ev->path, 0, 0,
                           "the evidence does not settle the rating, so there is no star to lose");
        res->target = res->stars - 1;
        res->direction = -1;
        if (res->stars <= k->p->rating_min) {
            res->already = 1;
            snprintf(res->why, sizeof res->why, "the rating is already %d %s: there is no star to lose",
                     res->stars, unit_for(k->p, res->stars));
        }
        return SR_OK;
    }
    if (k->o->target < k->p->rating_min || k->o->target > k->p->rating_max)
        return sr_fail(k->err, SR_EUSAGE, NULL, 0, 0, "--target must be from %d to %d",
                       k->p->rating_min, k->p->rating_max);
    res->target = k->o->target;
    res->direction = res->stars >= 0 && k->o->target < res->stars ? -1 : 1;
    if (res->stars == k->o->target) {
        res->already = 1;
        snprintf(res->why, sizeof res->why, "the rating is already %d %s", res->stars,
                 unit_for(k->p, res->stars));
    }
    return SR_OK;
}

/* Moves that survive pruning, and what each suffix of them can still reach. */
static int collect_live(sk *k)
{
    k->live = sr_calloc(k->res->ncands ? k->res->ncands : 1, sizeof *k->live);
    k->suffix = sr_calloc(k->res->ncands + 1, sizeof *k->suffix);
    if (!k->live || !k->suffix)
        return sr_oom(k->err);
    for (size_t i = 0; i < k->res->ncands; i++)
        if (!k->res->cands[i].pruned)
            k->live[k->nlive++] = (int)i;
    for (size_t i = k->nlive; i-- > 0;)
        k->suffix[i] = k->suffix[i + 1] | k->res->cands[k->live[i]].judgements;
    k->res->nlive = k->nlive;
    return SR_OK;
}

static int run(sk *k)
{
    sk_result *res = k->res;
    int rc = sc_work_new(k->p, k->ev, &k->work, k->err);
    if (rc == SR_OK) rc = evaluate_plan(k, NULL, 0);
    if (rc != SR_OK)
        return rc;
    res->stars = k->r.stars;
    res->rule = k->r.rule;
    for (size_t s = 0; s < k->ns; s++)
        res->serving[s] = k->r.svc[s].serving, res->capacity[s] = k->r.svc[s].capacity;
    baseline_facts(k);
    k->shortcuts = k->p->ncaps <= 64;
    if ((rc = choose_target(k)) != SR_OK || res->already)
        return rc;
    k->direction = res->direction;
    if ((rc = build_star_table(k)) != SR_OK) return rc;
    if ((rc = analyse_goal(k)) != SR_OK) return rc;
    if ((rc = generate(k->p, k->ev, k->direction, k->o, res, k->err)) != SR_OK) return rc;
    for (size_t i = 0; i < res->ncands; i++)
        analyse_move(k, &res->cands[i]);
    if (!res->unreachable) {
        if ((rc = collect_live(k)) != SR_OK) return rc;
        if ((rc = search(k)) != SR_OK) return rc;
        res->plans = k->wins, res->nplans = k->nwins;
        k->wins = NULL, k->nwins = 0;
    }
    /* After the plans, so that the gaps take only what the search left of the budget. */
    return gap_sensitivity(k);
}

int sk_seek(rp_pack *p, const ev_evidence *ev, const sk_options *o, sk_result *out, sr_error *err)
{
    sk_result_init(out);
    if (o->max_changes < 1 || o->max_changes > SK_MAX_CHANGES)
        return sr_fail(err, SR_EUSAGE, NULL, 0, 0, "--max-changes must be from 1 to %d", SK_MAX_CHANGES);
    sk *k = sr_calloc(1, sizeof *k);
    if (!k)
        return sr_oom(err);
    k->p = p, k->ev = ev, k->o = o, k->res = out, k->err = err;
    out->budget = o->max_evaluations > 0 ? o->max_evaluations : SK_DEFAULT_EVALUATIONS;
    k->ns = p->nservices;
    rt_init(&k->r);
    k->r.trace_off = 1; /* the search reads grades, judgements and stars, never the trace */
    clock_gettime(CLOCK_MONOTONIC, &k->start);
    int rc = run(k);
    rt_free(&k->r);
    sc_work_free(k->work);
    memo_free(&k->grades);
    memo_free(&k->judge);
    free_plans(k->wins, k->nwins);
    sr_free(k->stars_of), sr_free(k->rule_of), sr_free(k->supports);
    sr_free(k->live), sr_free(k->suffix);
    sr_free(k);
    if (rc != SR_OK)
        sk_result_free(out);
    return rc;
}
