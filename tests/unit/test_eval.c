/*
 * test_eval.c — the layered derivation: bands at their limits, caps exactly at their
 * thresholds, given values winning and marked `given`, missing evidence made explicit, and
 * monotonicity over every council file and over generated councils.
 */
#include "helpers.h"
#include "session.h"

#include <dirent.h>
#include <stdlib.h>

static rp_pack *pack;
static rt_result res;

static void setup(void)
{
    pack = th_pack(RULES_DIR("2003"));
    rt_init(&res);
}

static void teardown(void)
{
    rt_free(&res);
    rp_free(pack);
}

TestSuite(eval, .init = setup, .fini = teardown);

static void evaluate(ev_evidence *ev)
{
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(rt_evaluate(pack, ev, &res, &err), SR_OK, "%s:%d: %s", err.file, err.line, err.msg);
}

static ev_evidence *evidence(const char *yaml)
{
    ev_evidence *ev;
    sr_error err;
    cr_assert_eq(th_evidence(pack, yaml, &ev, &err), SR_OK, "%d:%d: %s", err.line, err.col, err.msg);
    return ev;
}

static const tr_node *node(const char *subject)
{
    for (size_t i = 0; i < res.trace.n; i++)
        if (strcmp(res.trace.nodes[i].subject, subject) == 0)
            return &res.trace.nodes[i];
    cr_assert_fail("no trace node %s", subject);
    return NULL;
}

/* ---- bands ---------------------------------------------------------------------------- */

Test(eval, band_limits_inclusive_both_ways)
{
    const rp_indicator *a1 = rp_indicator_find(pack, "A1");  /* lower: 13 16 20 25 */
    const rp_indicator *d42 = rp_indicator_find(pack, "D42"); /* higher: 40 25 15 10 */
    const rp_indicator *b8 = rp_indicator_find(pack, "B8");  /* range: 400-550 ... */
    cr_assert_eq(rt_band_of(a1, 13, NULL, -1), 5);
    cr_assert_eq(rt_band_of(a1, 13.01, NULL, -1), 4);
    cr_assert_eq(rt_band_of(a1, 25, NULL, -1), 2);
    cr_assert_eq(rt_band_of(a1, 25.5, NULL, -1), 1);
    cr_assert_eq(rt_band_of(d42, 40, NULL, -1), 5);
    cr_assert_eq(rt_band_of(d42, 39.9, NULL, -1), 4);
    cr_assert_eq(rt_band_of(d42, 8, NULL, -1), 1);
    cr_assert_eq(rt_band_of(b8, 475, NULL, -1), 5);
    cr_assert_eq(rt_band_of(b8, 560, NULL, -1), 4);
    cr_assert_eq(rt_band_of(b8, 340, NULL, -1), 3);
    cr_assert_eq(rt_band_of(b8, 100, NULL, -1), 1);
    cr_assert_eq(rt_band_of(b8, 2000, NULL, -1), 1);
}

Test(eval, band_trace_shows_both_sides)
{
    ev_evidence *ev = evidence("council: X\nyear: 2003\nadults:\n  indicators:\n"
                               "    - {code: D42, value: 8}\n");
    evaluate(ev);
    const tr_node *nd = node("adults.indicator.D42");
    cr_assert_str_eq(nd->output, "1");
    cr_assert_eq(nd->source, TR_DERIVED);
    cr_assert_str_eq(nd->rule, "bands.D42");
    const tr_compare *c = nd->cmps;
    cr_assert_str_eq(c->what, "value of D42");
    cr_assert_str_eq(c->value, "8");
    cr_assert_eq(c->op, TR_OP_GE);
    cr_assert_str_eq(c->limit, "40");
    cr_assert_not(c->met);
    ev_free(ev);
}

Test(eval, given_band_wins_and_is_marked_given)
{
    ev_evidence *ev = evidence("council: X\nyear: 2003\nadults:\n  indicators:\n"
                               "    - {code: D42, value: 8, band: 3}\n");
    evaluate(ev);
    const tr_node *nd = node("adults.indicator.D42");
    cr_assert_str_eq(nd->output, "3");
    cr_assert_eq(nd->source, TR_GIVEN);
    cr_assert_eq(res.svc[1].band[0], 3);
    ev_free(ev);
}

/* ---- caps at their thresholds ---------------------------------------------------------- */

/* The serving judgement of a service that would serve people well (every standard given
 * very good), with one indicator value set: only a cap can lower it. */
static int serving_with(int service, const char *code, double value)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "council: X\nyear: 2003\n%s:\n  given: {standards: {1: very_good, 2: very_good, "
             "3: very_good, 4: very_good, 5: very_good}}\n  indicators:\n    - {code: %s, value: %.10g}\n",
             service ? "adults" : "children", code, value);
    ev_evidence *ev = evidence(yaml);
    evaluate(ev);
    int w = res.svc[service].serving;
    ev_free(ev);
    return w;
}

static int children_serving_with(const char *code, double value) { return serving_with(0, code, value); }
static int adults_serving_with(const char *code, double value) { return serving_with(1, code, value); }

#define NO 0
#define SOME 1
#define MOST 2
#define YES 3

Test(eval, cap_A1_fires_just_above_20)
{
    cr_assert_eq(children_serving_with("A1", 20), YES);
    cr_assert_eq(children_serving_with("A1", 20.01), SOME);
    cr_assert_eq(children_serving_with("A1", 19.99), YES);
}

Test(eval, cap_A3_fires_just_above_24)
{
    cr_assert_eq(children_serving_with("A3", 24), YES);
    cr_assert_eq(children_serving_with("A3", 24.01), SOME);
}

Test(eval, cap_D38_fires_just_below_80)
{
    cr_assert_eq(adults_serving_with("D38", 80), YES);
    cr_assert_eq(adults_serving_with("D38", 79.99), MOST);
}

Test(eval, requirement_caps_fire_only_when_not_met)
{
    static const char *const cases[][3] = {
        {"children", "homes_inspected", "1"},
        {"children", "child_protection_audit", "1"},
        {"children", "race_equality", "2"},
        {"adults", "care_homes_inspected", "2"},
        {"adults", "race_equality", "2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int s = strcmp(cases[i][0], "children") == 0 ? 0 : 1;
        for (int met = 0; met < 3; met++) {
            char yaml[1024];
            snprintf(yaml, sizeof yaml,
                     "council: X\nyear: 2003\n%s:\n  given: {standards: {1: very_good, 2: very_good, "
                     "3: very_good, 4: very_good, 5: very_good}}\n%s%s%s%s\n",
                     cases[i][0], met < 2 ? "  requirements:\n    " : "", met < 2 ? cases[i][1] : "",
                     met < 2 ? ": " : "", met == 0 ? "false" : met == 1 ? "true" : "");
            ev_evidence *ev = evidence(yaml);
            evaluate(ev);
            int want = met == 0 ? atoi(cases[i][2]) : YES; /* not stated: not evaluated */
            cr_assert_eq(res.svc[s].serving, want, "%s %s met=%d", cases[i][0], cases[i][1], met);
            ev_free(ev);
        }
    }
}

Test(eval, fired_cap_is_in_the_trace_with_value_and_threshold)
{
    ev_evidence *ev = evidence("council: X\nyear: 2003\nadults:\n  given: {standards: {1: very_good, "
                               "2: very_good, 3: very_good, 4: very_good, 5: very_good}}\n"
                               "  indicators:\n    - {code: D38, value: 74}\n");
    evaluate(ev);
    const tr_node *nd = node("adults.serving.cap.D38-equipment");
    cr_assert_eq(nd->cap, TR_CAP_CAPPED);
    cr_assert_str_eq(tr_output(nd), "capped");
    cr_assert_eq(nd->provenance, TR_PROV_RECONSTRUCTED);
    cr_assert(strstr(nd->text, "capped from yes to most") != NULL, "%s", nd->text);
    cr_assert_str_eq(nd->cmps->value, "74");
    cr_assert_eq(nd->cmps->op, TR_OP_LT);
    cr_assert_str_eq(nd->cmps->limit, "80");
    cr_assert_eq(res.svc[1].ncaps_fired, 1);
    cr_assert_eq(res.svc[1].serving_uncapped, YES);
    ev_free(ev);
}

/* ---- given values and missing evidence -------------------------------------------------- */

Test(eval, given_judgements_win_and_are_marked_given)
{
    ev_evidence *ev = evidence("council: X\nyear: 2003\n"
                               "children:\n  given: {serving: some, capacity: excellent}\n"
                               "  indicators:\n    - {code: A1, value: 40}\n"
                               "adults:\n  given: {serving: most, capacity: promising}\n");
    evaluate(ev);
    cr_assert_eq(res.svc[0].serving, SOME);
    cr_assert(res.svc[0].serving_given);
    cr_assert_eq(node("children.serving")->source, TR_GIVEN);
    cr_assert_eq(node("children.capacity")->source, TR_GIVEN);
    cr_assert_eq(node("children.serving")->line, 4);
    /* A given judgement is not capped: the published word stands. */
    cr_assert_eq(res.svc[0].ncaps_fired, 0);
    cr_assert_eq(res.stars, 2);
    ev_free(ev);
}

Test(eval, given_grade_wins)
{
    ev_evidence *ev = evidence("council: X\nyear: 2003\nchildren:\n  given: {standards: {3: inadequate}}\n"
                               "  findings:\n    - {text: t, kind: strength, standards: [3], weight: 3}\n");
    evaluate(ev);
    cr_assert_eq(res.svc[0].grade[2], 0);
    cr_assert_eq(node("children.standard.3")->source, TR_GIVEN);
    ev_free(ev);
}

Test(eval, missing_evidence_is_explicit)
{
    ev_evidence *ev = evidence("council: X\nyear: 2003\nchildren:\n  findings:\n"
                               "    - {text: t, kind: strength, standards: [1]}\n");
    evaluate(ev);
    cr_assert_eq(res.svc[0].grade[0], 2 + 1); /* one strength: 1/(1+1) = 0.5: very good */
    cr_assert_eq(res.svc[0].grade[1], -1);
    cr_assert_eq(node("children.standard.2")->source, TR_NOT_ASSESSED);
    cr_assert_eq(res.svc[0].serving, -1);
    cr_assert_eq(node("children.serving")->source, TR_INSUFFICIENT);
    cr_assert(strstr(res.svc[0].serving_needs, "standards 1-5") != NULL);
    cr_assert_eq(res.svc[0].capacity, -1);
    cr_assert_not_null(res.svc[0].capacity_needs);
    cr_assert_eq(res.stars, -1);
    cr_assert_eq(res.rule, -1);
    cr_assert_eq(res.possible, 0xFu, "%x", res.possible);
    ev_free(ev);
}

Test(eval, a_failure_settles_the_stars_despite_missing_judgements)
{
    ev_evidence *ev = evidence("council: X\nyear: 2003\nchildren:\n  given: {serving: \"no\"}\n");
    evaluate(ev);
    cr_assert_eq(res.stars, 0);
    cr_assert_eq(res.rule, 0);
    ev_free(ev);
}

Test(eval, unplaced_finding_is_said)
{
    ev_evidence *ev = evidence("council: X\nyear: 2003\nchildren:\n  findings:\n"
                               "    - {id: lost, text: no tag here, kind: concern}\n");
    evaluate(ev);
    const tr_node *nd = node("children.finding.lost");
    cr_assert_eq(nd->source, TR_NOT_ASSESSED);
    cr_assert(strstr(nd->text, "names no standard") != NULL);
    ev_free(ev);
}

Test(eval, untagged_finding_follows_its_indicator)
{
    ev_evidence *ev = evidence("council: X\nyear: 2003\nchildren:\n  findings:\n"
                               "    - {id: adopt, text: adoptions low, kind: concern, indicators: [C23]}\n");
    evaluate(ev);
    cr_assert_eq(res.svc[0].grade[2], 1); /* standard 3: -1/2 = -0.5: adequate */
    ev_free(ev);
}

/* ---- monotonicity --------------------------------------------------------------------- */

typedef struct snapshot {
    int grade[RP_MAX_SERVICES][RP_STANDARDS];
    int serving[RP_MAX_SERVICES], capacity[RP_MAX_SERVICES];
    int stars;
} snapshot;

static void take(snapshot *s)
{
    for (size_t v = 0; v < pack->nservices; v++) {
        memcpy(s->grade[v], res.svc[v].grade, sizeof s->grade[v]);
        s->serving[v] = res.svc[v].serving;
        s->capacity[v] = res.svc[v].capacity;
    }
    s->stars = res.stars;
}

static void assert_not_lower(const snapshot *before, const char *what, const char *file)
{
    snapshot after;
    take(&after);
    for (size_t v = 0; v < pack->nservices; v++) {
        for (int k = 0; k < RP_STANDARDS; k++)
            cr_assert_geq(after.grade[v][k], before->grade[v][k], "%s: %s lowered standard %d of %s",
                          file, what, k + 1, pack->services[v].id);
        cr_assert_geq(after.serving[v], before->serving[v], "%s: %s lowered %s serving", file, what, pack->services[v].id);
        cr_assert_geq(after.capacity[v], before->capacity[v], "%s: %s lowered %s capacity", file, what, pack->services[v].id);
    }
    cr_assert_geq(after.stars, before->stars, "%s: %s lowered the stars", file, what);
}

/* One band better for an indicator, either as a given band or by moving its value to the
 * limit of the next band. Returns 0 when it is already in band 5. */
static int improve_indicator(ev_indicator *ind, int band, int by_value)
{
    if (band >= 5)
        return 0;
    if (!by_value || !ind->has_value || ind->def->polarity == RP_RANGE) {
        ind->band = band + 1;
        return 1;
    }
    const rp_band *next = &ind->def->bands[5 - (band + 1)];
    ind->value = ind->def->polarity == RP_HIGHER ? next->min : next->max;
    return 1;
}

static int evaluations;

static void check_monotone(ev_evidence *ev, const char *file)
{
    evaluate(ev);
    snapshot base;
    take(&base);
    for (size_t v = 0; v < ev->nservices; v++) {
        ev_service *svc = &ev->services[v];
        for (size_t i = 0; i < svc->nindicators; i++) {
            for (int by_value = 0; by_value < 2; by_value++) {
                ev_indicator keep = svc->indicators[i];
                evaluate(ev);
                int band = res.svc[v].band[i];
                if (!improve_indicator(&svc->indicators[i], band, by_value))
                    continue;
                evaluate(ev);
                evaluations++;
                assert_not_lower(&base, svc->indicators[i].code, file);
                svc->indicators[i] = keep;
            }
        }
        for (int cap = 0; cap < 2; cap++) {
            ev_finding *list = cap ? svc->capacity_findings : svc->findings;
            size_t n = cap ? svc->ncapacity : svc->nfindings;
            for (size_t i = 0; i < n; i++) {
                ev_kind keep = list[i].kind;
                if (keep != EV_CONCERN && keep != EV_AREA_FOR_IMPROVEMENT && keep != EV_AREA_FOR_DEVELOPMENT)
                    continue;
                list[i].kind = EV_STRENGTH;
                evaluate(ev);
                evaluations++;
                assert_not_lower(&base, list[i].id, file);
                list[i].kind = keep;
            }
        }
    }
}

Test(eval, monotone_over_every_council_file)
{
    DIR *d = opendir(SR_SOURCE_ROOT "/scenarios/councils");
    cr_assert_not_null(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".yaml"))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/scenarios/councils/%s", SR_SOURCE_ROOT, e->d_name);
        rp_pack *own = NULL;
        yd_node *doc = NULL;
        sr_error err;
        sr_error_clear(&err);
        cr_assert_eq(yd_load_file(path, &yd_default_limits, &doc, &err), SR_OK, "%s", err.msg);
        int year;
        cr_assert_eq(ev_peek_year(doc, path, &year, &err), SR_OK);
        yd_free(doc);
        /* Each council is rated with the pack of its round. */
        char dir[512];
        snprintf(dir, sizeof dir, "%s/rules/%d", SR_SOURCE_ROOT, year);
        own = th_pack(dir);
        rp_pack *mine = pack;
        pack = own;
        ev_evidence *ev = th_evidence_file(pack, path);
        check_monotone(ev, e->d_name);
        ev_free(ev);
        pack = mine;
        rp_free(own);
        files++;
    }
    closedir(d);
    cr_assert_geq(files, 6);
    cr_assert_gt(evaluations, 60, "%d", evaluations);
}

/* A deterministic generator (xorshift) of councils with indicators, findings and caps. */
static unsigned long long rng = 88172645463325252ULL;

static unsigned next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

static void generate(sr_buf *b)
{
    static const char *const kinds[] = {"strength", "improvement", "area_for_improvement", "concern"};
    static const char *const capk[] = {"strength", "improvement", "concern", "area_for_development"};
    sr_buf_puts(b, "council: Generated\nyear: 2003\n");
    for (size_t v = 0; v < pack->nservices; v++) {
        sr_buf_printf(b, "%s:\n  indicators:\n", pack->services[v].id);
        for (size_t i = 0; i < pack->nindicators; i++) {
            const rp_indicator *d = &pack->indicators[i];
            if (d->service != (int)v || next_rand() % 3 == 0)
                continue;
            const rp_band *b5 = &d->bands[0], *b2 = &d->bands[d->nbands - 1];
            double lo = b5->has_min && b2->has_min ? b2->min * 0.8 : b5->has_max ? b5->max * 0.8 : b2->min * 0.8;
            double hi = b5->has_min ? b5->min * 1.2 : b2->max * 1.2;
            if (d->polarity == RP_RANGE)
                lo = b2->min * 0.9, hi = b2->max * 1.1;
            double val = lo + (hi - lo) * (next_rand() % 1000) / 1000.0;
            double prev = lo + (hi - lo) * (next_rand() % 1000) / 1000.0;
            sr_buf_printf(b, "    - {code: %s, value: %.4f, previous: %.4f}\n", d->code, val, prev);
        }
        sr_buf_puts(b, "  findings:\n");
        int nf = 3 + (int)(next_rand() % 12);
        for (int f = 0; f < nf; f++)
            sr_buf_printf(b, "    - {text: f%d, kind: %s, standards: [%u], weight: %u}\n", f,
                          kinds[next_rand() % 4], 1 + next_rand() % 5, 1 + next_rand() % 2);
        sr_buf_puts(b, "  capacity_findings:\n");
        int nc = 1 + (int)(next_rand() % 6);
        for (int f = 0; f < nc; f++)
            sr_buf_printf(b, "    - {text: c%d, kind: %s}\n", f, capk[next_rand() % 4]);
    }
}

Test(eval, monotone_over_generated_councils)
{
    for (int i = 0; i < 40; i++) {
        sr_buf b;
        sr_buf_init(&b);
        generate(&b);
        cr_assert_not(b.oom);
        ev_evidence *ev = evidence(b.data);
        char name[32];
        snprintf(name, sizeof name, "generated council %d", i);
        check_monotone(ev, name);
        ev_free(ev);
        sr_buf_free(&b);
    }
    cr_assert_gt(evaluations, 1000);
}

static int stop_after(void *ctx, const rt_result *r, size_t s)
{
    (void)r;
    int *calls = ctx;
    calls[s]++;
    return s != 0; /* stop once the first service is judged */
}

static int go_on(void *ctx, const rt_result *r, size_t s)
{
    (void)r;
    ((int *)ctx)[s]++;
    return 1;
}

/* service_done stops the derivation after a service and leaves the rest underived; a hook
 * that lets it go on changes nothing. */
Test(eval, service_done_stops_after_a_service_or_changes_nothing)
{
    ss_session s;
    ss_init(&s);
    ss_loaded l;
    sr_error err;
    cr_assert_eq(ss_load(&s, COUNCIL("durham-2003.yaml"), NULL, NULL, 0, &l, &err), SR_OK, "%s", err.msg);
    cr_assert_geq(l.pack->nservices, 2);
    rt_result plain, hooked;
    rt_init(&plain), rt_init(&hooked);
    cr_assert_eq(rt_evaluate(l.pack, l.ev, &plain, &err), SR_OK);
    cr_assert_geq(plain.stars, 0);
    int calls[RP_MAX_SERVICES] = {0};
    hooked.service_done = go_on, hooked.service_ctx = calls;
    cr_assert_eq(rt_evaluate(l.pack, l.ev, &hooked, &err), SR_OK);
    cr_assert_eq(hooked.stopped, 0);
    cr_assert_eq(hooked.stars, plain.stars);
    cr_assert_eq(hooked.svc[1].serving, plain.svc[1].serving);
    cr_assert_eq(calls[0], 1);
    cr_assert_eq(calls[1], 1);
    int stops[RP_MAX_SERVICES] = {0};
    hooked.service_done = stop_after, hooked.service_ctx = stops;
    cr_assert_eq(rt_evaluate(l.pack, l.ev, &hooked, &err), SR_OK);
    cr_assert_eq(hooked.stopped, 1);
    cr_assert_eq(hooked.stars, -1, "the stars are not derived");
    cr_assert_eq(hooked.svc[0].serving, plain.svc[0].serving);
    cr_assert_eq(hooked.svc[1].serving, -1, "the second service is not derived");
    cr_assert_eq(stops[1], 0);
    hooked.service_done = NULL;
    cr_assert_eq(rt_evaluate(l.pack, l.ev, &hooked, &err), SR_OK);
    cr_assert_eq(hooked.stopped, 0, "the next evaluation starts afresh");
    cr_assert_eq(hooked.stars, plain.stars);
    rt_free(&plain), rt_free(&hooked);
    ss_unload(&l);
    ss_free(&s);
}
