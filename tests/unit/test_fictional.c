/*
 * test_fictional.c — the engine on a rule pack of a fictional round (tests/fictional): its
 * services, standards and words are none of the real rounds', so a result that follows
 * proves the derivation reads them from the pack. Three services; standards 1-6 inform
 * serving and standard 7 capacity; a retired service and indicator.
 */
#include "helpers.h"
#include "seek.h"

#define FICTIONAL(f) SR_SOURCE_ROOT "/tests/fictional/" f

static rp_pack *p;
static rt_result res;

static void setup(void)
{
    p = th_pack(FICTIONAL("2031"));
    rt_init(&res);
}

static void teardown(void)
{
    rt_free(&res);
    rp_free(p);
}

TestSuite(fictional, .init = setup, .fini = teardown);

static ev_evidence *council(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, FICTIONAL("councils/%s"), name);
    return th_evidence_file(p, path);
}

static void evaluate(const ev_evidence *ev, int trace_off)
{
    sr_error err;
    sr_error_clear(&err);
    res.trace_off = trace_off;
    cr_assert_eq(rt_evaluate(p, ev, &res, &err), SR_OK, "%s", err.msg);
}

static const tr_node *node(const char *subject)
{
    for (size_t i = 0; i < res.trace.n; i++)
        if (strcmp(res.trace.nodes[i].subject, subject) == 0)
            return &res.trace.nodes[i];
    return NULL;
}

static int inputs(const tr_node *nd)
{
    int n = 0;
    for (const tr_input *in = nd->inputs; in; in = in->next)
        n++;
    return n;
}

static const char *word(const rp_scale *s, int i)
{
    return i >= 0 ? s->words[i].id : "(none)";
}

Test(fictional, judgements_follow_the_packs_standards)
{
    ev_evidence *ev = council("eastmere-2031.yaml");
    evaluate(ev, 0);
    cr_assert_eq(res.nservices, 3);
    /* housing: standards 1 and 6 fine, 2 failing, 3-5 not assessed: mean 3 gives "many" */
    cr_assert_str_eq(word(&p->grade, res.svc[0].grade[0]), "fine");
    cr_assert_str_eq(word(&p->grade, res.svc[0].grade[1]), "failing");
    cr_assert_eq(res.svc[0].grade[2], -1);
    cr_assert_str_eq(word(&p->grade, res.svc[0].grade[5]), "fine");
    cr_assert_str_eq(word(&p->serving, res.svc[0].serving), "many");
    /* the capacity grade sits at standard 7's place, and the outlook follows it */
    cr_assert_str_eq(word(&p->grade, res.svc[0].grade[6]), "fine");
    cr_assert_str_eq(word(&p->capacity, res.svc[0].capacity), "bright");
    cr_assert_str_eq(word(&p->capacity, res.svc[2].capacity), "cloudy");
    cr_assert_eq(res.stars, 1);
    cr_assert_str_eq(p->star_rules[res.rule].id, "otherwise");
    /* the serving rule saw the six standards that inform serving, the capacity rule standard 7 */
    const tr_node *serving = node("housing.serving");
    cr_assert_not_null(serving);
    cr_assert_eq(inputs(serving), 6);
    const tr_node *s6 = node("housing.standard.6");
    cr_assert_not_null(s6);
    cr_assert_str_eq(s6->rule, "grade-mean");
    const tr_node *s7 = node("housing.standard.7");
    cr_assert_not_null(s7);
    cr_assert_str_eq(s7->rule, "outlook-grade");
    const tr_node *cap = node("housing.capacity");
    cr_assert_eq(inputs(cap), 1);
    cr_assert_str_eq(cap->inputs->name, "standard 7");
    cr_assert_null(node("housing.standard.8"));
    cr_assert_null(node("parks.serving"));
    ev_free(ev);
}

Test(fictional, an_untagged_finding_is_left_out_of_the_packs_serving_standards)
{
    ev_evidence *ev = council("westholm-2031.yaml");
    evaluate(ev, 0);
    const tr_node *nd = node("housing.finding.ho-note");
    cr_assert_not_null(nd);
    cr_assert(strstr(nd->text, "left out of standards 1-6: ") == nd->text, "%s", nd->text);
    /* the given grade of standard 7 decides transport's outlook */
    cr_assert(res.svc[2].grade_given[6]);
    cr_assert_str_eq(word(&p->capacity, res.svc[2].capacity), "fair");
    cr_assert_str_eq(word(&p->serving, res.svc[0].serving), "few"); /* capped */
    cr_assert_eq(res.svc[0].ncaps_fired, 1);
    cr_assert_str_eq(p->caps[res.svc[0].caps_fired[0]].id, "rehousing-slow");
    ev_free(ev);
}

Test(fictional, trace_off_gives_the_same_results)
{
    static const char *const files[] = {"eastmere-2031.yaml", "westholm-2031.yaml"};
    for (size_t f = 0; f < 2; f++) {
        ev_evidence *ev = council(files[f]);
        evaluate(ev, 0);
        rt_result on = res;
        int grades[RP_MAX_SERVICES][RP_STANDARDS], serving[RP_MAX_SERVICES], capacity[RP_MAX_SERVICES];
        for (size_t s = 0; s < on.nservices; s++) {
            memcpy(grades[s], on.svc[s].grade, sizeof grades[s]);
            serving[s] = on.svc[s].serving, capacity[s] = on.svc[s].capacity;
        }
        int stars = on.stars;
        /* twice with the trace off: the second answers from the memo */
        evaluate(ev, 1);
        evaluate(ev, 1);
        cr_assert_gt(res.memo_hits, 0);
        cr_assert_eq(res.stars, stars);
        for (size_t s = 0; s < res.nservices; s++) {
            cr_assert_arr_eq(res.svc[s].grade, grades[s], sizeof grades[s]);
            cr_assert_eq(res.svc[s].serving, serving[s]);
            cr_assert_eq(res.svc[s].capacity, capacity[s]);
        }
        ev_free(ev);
    }
}

Test(fictional, seek_shortcuts_agree_with_full_evaluations)
{
    static const struct { const char *file; int target, margin; } runs[] = {
        {"eastmere-2031.yaml", 2, 0},
        {"eastmere-2031.yaml", 0, 1},
        {"westholm-2031.yaml", 2, 0},
    };
    for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
        ev_evidence *ev = council(runs[i].file);
        sk_options o;
        memset(&o, 0, sizeof o);
        o.target = runs[i].target;
        o.margin = runs[i].margin;
        o.max_changes = 2;
        o.limit = 1000;
        sk_result fast, slow;
        sr_error err;
        sr_error_clear(&err);
        cr_assert_eq(sk_seek(p, ev, &o, &fast, &err), SR_OK, "%s", err.msg);
        o.verify = 1;
        cr_assert_eq(sk_seek(p, ev, &o, &slow, &err), SR_OK, "%s", err.msg);
        cr_assert_eq(slow.mismatches, 0, "%s: %ld shortcuts disagreed", runs[i].file, slow.mismatches);
        cr_assert_gt(fast.nplans, 0, "%s: no plan", runs[i].file);
        cr_assert_eq(fast.nplans, slow.nplans);
        for (size_t k = 0; k < fast.nplans; k++) {
            cr_assert_eq(fast.plans[k].n, slow.plans[k].n);
            cr_assert_arr_eq(fast.plans[k].moves, slow.plans[k].moves, fast.plans[k].n * sizeof(int));
        }
        sk_result_free(&fast);
        sk_result_free(&slow);
        ev_free(ev);
    }
}

Test(fictional, a_capacity_finding_reaches_standard_7_in_seek)
{
    ev_evidence *ev = council("eastmere-2031.yaml");
    sk_options o;
    memset(&o, 0, sizeof o);
    o.target = 2;
    o.max_changes = 1;
    o.limit = 10;
    sk_result r;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(sk_seek(p, ev, &o, &r, &err), SR_OK, "%s", err.msg);
    int found = 0;
    for (size_t i = 0; i < r.ncands; i++)
        if (strcmp(r.cands[i].change.path, "transport.capacity_finding.tr-cap-1") == 0) {
            found = 1;
            cr_assert_eq(r.cands[i].grades, 1u << 6, "grades %#x", r.cands[i].grades);
            cr_assert_eq(r.cands[i].judgements, 1u << 5); /* transport's capacity */
        }
    cr_assert(found);
    sk_result_free(&r);
    ev_free(ev);
}
