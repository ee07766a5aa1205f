/*
 * test_seek.c — goal seek is exact: a brute-force enumeration of every plan (no pruning, no
 * shortcuts, one full evaluation per plan) finds exactly the minimal plans seek reports, and
 * every plan seek reports reaches its target when written out and applied as a scenario.
 * Also: pruning by --fix, --only and given judgements, the shortcuts agree with full
 * evaluations, the council is left untouched, progress is reported, and bad options are
 * usage errors.
 */
#include "helpers.h"
#include "scenario.h"
#include "seek.h"

static rp_pack *p2003, *p2002;

static void setup(void)
{
    p2003 = th_pack(RULES_DIR("2003"));
    p2002 = th_pack(RULES_DIR("2002"));
}

static void teardown(void)
{
    rp_free(p2003);
    rp_free(p2002);
}

TestSuite(seek, .init = setup, .fini = teardown, .timeout = 240);

/* ---- helpers ------------------------------------------------------------------------------- */

static ev_evidence *council(rp_pack *p, const char *file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s", COUNCIL(""), file);
    return th_evidence_file(p, path);
}

static sk_options options(int target, int margin, int k)
{
    sk_options o;
    memset(&o, 0, sizeof o);
    o.target = target;
    o.margin = margin;
    o.max_changes = k;
    o.limit = 100000;
    /* The exactness tests compare against a brute force over every move, gaps included;
     * the default (plannable changes only) has tests of its own below. */
    o.include_gaps = 1;
    return o;
}

static void run_seek(rp_pack *p, const ev_evidence *ev, const sk_options *o, sk_result *r)
{
    sr_error err;
    sr_error_clear(&err);
    int rc = sk_seek(p, ev, o, r, &err);
    cr_assert_eq(rc, SR_OK, "seek: %s", err.msg);
}

static int meets(int stars, int direction, int target)
{
    return stars >= 0 && (direction > 0 ? stars >= target : stars <= target);
}

/* A plan found by enumeration: candidate indexes ascending. */
typedef struct bplan {
    int moves[4];
    size_t n;
    int steps;
} bplan;

typedef struct brute {
    rp_pack *p;
    const sk_result *cands;
    sc_work *w;
    rt_result r;
    int direction, target, k;
    bplan *wins;
    size_t nwins, cap;
    long evaluations;
} brute;

static void brute_try(brute *b, const int *plan, size_t n)
{
    sr_error err;
    sr_error_clear(&err);
    size_t mark = sc_mark(b->w);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(sc_apply(b->w, &b->cands->cands[plan[i]].change, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(rt_evaluate(b->p, sc_work_evidence(b->w), &b->r, &err), SR_OK, "%s", err.msg);
    b->evaluations++;
    sc_rollback(b->w, mark);
    if (!meets(b->r.stars, b->direction, b->target))
        return;
    if (b->nwins == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->wins = realloc(b->wins, b->cap * sizeof *b->wins);
        cr_assert_not_null(b->wins);
    }
    bplan *w = &b->wins[b->nwins++];
    memcpy(w->moves, plan, n * sizeof *plan);
    w->n = n;
    w->steps = 0;
    for (size_t i = 0; i < n; i++)
        w->steps += b->cands->cands[plan[i]].steps;
}

/* Every plan of 1..k moves, at most one move per input, each evaluated in full. */
static void brute_walk(brute *b, int *plan, size_t depth, size_t from)
{
    if (depth > 0)
        brute_try(b, plan, depth);
    if ((int)depth == b->k)
        return;
    for (size_t i = from; i < b->cands->ncands; i++) {
        const sk_candidate *c = &b->cands->cands[i];
        if (c->pruned) /* only --fix marks moves at generation */
            continue;
        int clash = 0;
        for (size_t j = 0; j < depth; j++)
            clash |= b->cands->cands[plan[j]].input == c->input;
        if (clash)
            continue;
        plan[depth] = (int)i;
        brute_walk(b, plan, depth + 1, i + 1);
    }
}

/* small holds every move of big, or the same input moved at least as far */
static int within(const sk_result *c, const int *small, size_t ns, const int *big, size_t nb)
{
    for (size_t i = 0; i < ns; i++) {
        int found = 0;
        for (size_t j = 0; j < nb && !found; j++)
            found = c->cands[small[i]].input == c->cands[big[j]].input &&
                    c->cands[big[j]].steps >= c->cands[small[i]].steps;
        if (!found)
            return 0;
    }
    return 1;
}

static int same_moves(const int *a, size_t na, const int *b, size_t nb)
{
    return na == nb && memcmp(a, b, na * sizeof *a) == 0;
}

/*
 * Runs seek and the brute force on one council and compares: the minimal winning plans of
 * the enumeration (no other winning plan within them) are exactly seek's plans.
 */
static void check_exact(rp_pack *p, const char *file, sk_options o)
{
    ev_evidence *ev = council(p, file);
    sk_result r;
    run_seek(p, ev, &o, &r);
    cr_assert(!r.already && !r.unreachable, "%s: nothing to search", file);
    brute b;
    memset(&b, 0, sizeof b);
    b.p = p;
    b.direction = r.direction;
    b.target = r.target;
    b.k = o.max_changes;
    sk_result all;
    sr_error err;
    cr_assert_eq(sk_candidates(p, ev, r.direction, &o, &all, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(all.ncands, r.ncands, "seek and sk_candidates disagree on the moves");
    b.cands = &all;
    cr_assert_eq(sc_work_new(p, ev, &b.w, &err), SR_OK);
    rt_init(&b.r);
    int plan[4];
    brute_walk(&b, plan, 0, 0);
    size_t minimal = 0;
    for (size_t i = 0; i < b.nwins; i++) {
        int dominated = 0;
        for (size_t j = 0; j < b.nwins && !dominated; j++)
            dominated = j != i && !same_moves(b.wins[j].moves, b.wins[j].n, b.wins[i].moves, b.wins[i].n) &&
                        within(&all, b.wins[j].moves, b.wins[j].n, b.wins[i].moves, b.wins[i].n);
        if (dominated)
            continue;
        minimal++;
        int found = 0;
        for (size_t k = 0; k < r.nplans && !found; k++)
            found = same_moves(r.plans[k].moves, r.plans[k].n, b.wins[i].moves, b.wins[i].n);
        sr_buf d;
        sr_buf_init(&d);
        for (size_t m = 0; m < b.wins[i].n; m++) {
            sk_describe(p, &all.cands[b.wins[i].moves[m]], &d);
            sr_buf_puts(&d, "; ");
        }
        cr_assert(found, "%s: seek missed the minimal plan %s", file, d.data);
        sr_buf_free(&d);
    }
    cr_assert_eq(r.nplans, minimal, "%s: seek reports %zu plans, the enumeration %zu minimal ones",
                 file, r.nplans, minimal);
    cr_assert_gt(minimal, 0, "%s: the check needs a council with plans", file);
    /* Ranked by number of changes, then steps. */
    for (size_t k = 1; k < r.nplans; k++)
        cr_assert(r.plans[k - 1].n < r.plans[k].n ||
                  (r.plans[k - 1].n == r.plans[k].n && r.plans[k - 1].steps <= r.plans[k].steps));
    /* Seek made fewer evaluations than the enumeration. */
    cr_assert_lt(r.evaluations, b.evaluations);
    free(b.wins);
    rt_free(&b.r);
    sc_work_free(b.w);
    sk_result_free(&all);
    sk_result_free(&r);
    ev_free(ev);
}

/* Every plan, written as scenario YAML, read back and applied, reaches the target with the
 * judgements seek reported. */
static void check_plans_apply(rp_pack *p, const char *file, sk_options o)
{
    ev_evidence *ev = council(p, file);
    sk_result r;
    run_seek(p, ev, &o, &r);
    cr_assert_gt(r.nplans, 0, "%s: no plan", file);
    rt_result res;
    rt_init(&res);
    for (size_t i = 0; i < r.nplans; i++) {
        sr_buf y;
        sr_buf_init(&y);
        sr_buf_puts(&y, "name: plan\ndescription: from seek\nchanges:\n");
        for (size_t k = 0; k < r.plans[i].n; k++) {
            sr_buf_puts(&y, "  - ");
            sc_change_yaml(&r.cands[r.plans[i].moves[k]].change, &y);
            sr_buf_putc(&y, '\n');
        }
        sc_scenario *s = NULL;
        sc_work *w = NULL;
        sr_error err;
        sr_error_clear(&err);
        int rc = sc_parse("plan.yaml", y.data, y.len, &s, &err);
        if (rc == SR_OK) rc = sc_work_new(p, ev, &w, &err);
        if (rc == SR_OK) rc = sc_apply_all(w, s, &err);
        if (rc == SR_OK) rc = rt_evaluate(p, sc_work_evidence(w), &res, &err);
        cr_assert_eq(rc, SR_OK, "%s plan %zu: %s\n%s", file, i + 1, err.msg, y.data);
        cr_assert(meets(res.stars, r.direction, r.target), "%s plan %zu gives %d stars:\n%s", file,
                  i + 1, res.stars, y.data);
        cr_assert_eq(res.stars, r.plans[i].stars);
        for (size_t sv = 0; sv < p->nservices; sv++) {
            cr_assert_eq(res.svc[sv].serving, r.plans[i].serving[sv]);
            cr_assert_eq(res.svc[sv].capacity, r.plans[i].capacity[sv]);
        }
        sc_work_free(w);
        sc_free(s);
        sr_buf_free(&y);
    }
    rt_free(&res);
    sk_result_free(&r);
    ev_free(ev);
}

/* ---- exactness --------------------------------------------------------------------------- */

Test(seek, exact_against_brute_force_hertfordshire_margin)
{
    /* Adults' judgements are given: every adults' move is pruned, and still nothing is missed. */
    check_exact(p2002, "hertfordshire-2002.yaml", options(0, 1, 2));
}

Test(seek, exact_against_brute_force_harrow_findings_and_requirements)
{
    sk_options o = options(2, 0, 2);
    o.only = SK_FINDINGS | SK_REQUIREMENTS;
    check_exact(p2003, "harrow-2003.yaml", o);
}

Test(seek, exact_against_brute_force_demo_capped_every_kind)
{
    check_exact(p2003, "demo-1-star-capped.yaml", options(2, 0, 2));
}

Test(seek, exact_against_brute_force_three_changes)
{
    /* Durham needs three changes for three stars; findings and requirements keep the
     * enumeration of every triple small enough to run in full. */
    sk_options o = options(3, 0, 3);
    o.only = SK_FINDINGS | SK_REQUIREMENTS;
    check_exact(p2003, "durham-2003.yaml", o);
}

Test(seek, exact_against_brute_force_with_fix)
{
    const char *fix[] = {"ch-cap-2", "children.indicator.A2"};
    sk_options o = options(3, 0, 2);
    o.fix = fix;
    o.nfix = 2;
    o.only = SK_FINDINGS | SK_INDICATORS;
    check_exact(p2003, "demo-2-star-capped.yaml", o);
}

Test(seek, exact_against_brute_force_on_a_fictional_round)
{
    /* Three services, the capacity standard seventh (tests/fictional): nothing seek predicts
     * may assume the real rounds' standards. */
    rp_pack *p = th_pack(SR_SOURCE_ROOT "/tests/fictional/2031");
    check_exact(p, "../../tests/fictional/councils/eastmere-2031.yaml", options(2, 0, 2));
    check_exact(p, "../../tests/fictional/councils/eastmere-2031.yaml", options(0, 1, 2));
    check_exact(p, "../../tests/fictional/councils/westholm-2031.yaml", options(2, 0, 2));
    check_plans_apply(p, "../../tests/fictional/councils/westholm-2031.yaml", options(2, 0, 2));
    rp_free(p);
}

Test(seek, every_plan_reaches_its_target_as_a_scenario)
{
    check_plans_apply(p2003, "harrow-2003.yaml", options(2, 0, 2));
    check_plans_apply(p2003, "durham-2003.yaml", options(3, 0, 3));
    check_plans_apply(p2003, "demo-2-star-capped.yaml", options(3, 0, 2));
    check_plans_apply(p2003, "demo-3-star.yaml", options(0, 1, 2));
    check_plans_apply(p2003, "bath-ne-somerset-2003.yaml", options(2, 0, 2));
}

Test(seek, shortcuts_agree_with_full_evaluations)
{
    static const struct { int pack2002; const char *file; int target, margin; } runs[] = {
        {0, "demo-2-star-capped.yaml", 0, 1},
        {0, "harrow-2003.yaml", 3, 0},
        {0, "durham-2003.yaml", 3, 0},
        {1, "hertfordshire-2002.yaml", 0, 1},
    };
    for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
        rp_pack *p = runs[i].pack2002 ? p2002 : p2003;
        ev_evidence *ev = council(p, runs[i].file);
        sk_options o = options(runs[i].target, runs[i].margin, 2);
        sk_result fast, slow;
        run_seek(p, ev, &o, &fast);
        o.verify = 1;
        run_seek(p, ev, &o, &slow);
        cr_assert_eq(slow.mismatches, 0, "%s: %ld shortcuts disagreed", runs[i].file, slow.mismatches);
        cr_assert_eq(slow.answered, 0);
        cr_assert_gt(fast.answered, 0, "%s: no plan answered without evaluating", runs[i].file);
        cr_assert_eq(fast.nplans, slow.nplans);
        for (size_t k = 0; k < fast.nplans; k++)
            cr_assert(same_moves(fast.plans[k].moves, fast.plans[k].n, slow.plans[k].moves, slow.plans[k].n));
        sk_result_free(&fast);
        sk_result_free(&slow);
        ev_free(ev);
    }
}

/* ---- the moves and their pruning ----------------------------------------------------------- */

static const sk_candidate *find_move(const sk_result *r, const char *path, int to_band)
{
    for (size_t i = 0; i < r->ncands; i++)
        if (strcmp(r->cands[i].change.path, path) == 0 &&
            (to_band == 0 || r->cands[i].to_band == to_band))
            return &r->cands[i];
    return NULL;
}

Test(seek, indicator_moves_carry_the_band_limit_value)
{
    ev_evidence *ev = council(p2003, "demo-2-star-capped.yaml");
    sk_options o = options(3, 0, 1);
    sk_result r;
    run_seek(p2003, ev, &o, &r);
    /* D38 74% is band 2; band 3 starts at the 80% key threshold. */
    const sk_candidate *c = find_move(&r, "adults.indicator.D38", 3);
    cr_assert_not_null(c);
    cr_assert_eq(c->from_band, 2);
    cr_assert_eq(c->steps, 1);
    cr_assert_eq(c->change.has, SC_HAS_VALUE | SC_HAS_BAND);
    cr_assert_float_eq(c->change.value, 80, 1e-12);
    cr_assert_eq(c->caps_off, 1ull << 4, "the D38 cap is the pack's fifth");
    /* Not in the evidence: counted from band 3, so band 5 is two steps. */
    c = find_move(&r, "children.indicator.A4", 5);
    cr_assert_not_null(c);
    cr_assert_eq(c->from_band, 0);
    cr_assert_eq(c->steps, 2);
    cr_assert_null(find_move(&r, "children.indicator.A4", 3));
    /* Already in band 5: no move up. */
    cr_assert_null(find_move(&r, "adults.indicator.D39", 0));
    sk_result_free(&r);
    /* Down, to band 1: one round step beyond band 2's limit (A3 lower: 24 -> 25). */
    o = options(0, 1, 1);
    run_seek(p2003, ev, &o, &r);
    c = find_move(&r, "children.indicator.A3", 1);
    cr_assert_not_null(c);
    cr_assert_float_eq(c->change.value, 25, 1e-12);
    cr_assert_eq(rt_band_of(rp_indicator_find(p2003, "A3"), c->change.value, NULL, -1), 1);
    sk_result_free(&r);
    ev_free(ev);
}

Test(seek, given_judgements_prune_their_moves)
{
    ev_evidence *ev = council(p2002, "hertfordshire-2002.yaml");
    sk_options o = options(0, 1, 1);
    sk_result r;
    run_seek(p2002, ev, &o, &r);
    size_t adults = 0;
    for (size_t i = 0; i < r.ncands; i++)
        if (r.cands[i].service == 1 && r.cands[i].kind != SK_REQUIREMENT) {
            adults++;
            cr_assert_not_null(r.cands[i].pruned);
            cr_assert_str_eq(r.cands[i].pruned, "it feeds only grades or judgements given in the evidence");
        }
    /* care homes inspected: met -> not met would fire a cap on a given judgement */
    const sk_candidate *req = find_move(&r, "adults.requirement.care_homes_inspected", 0);
    cr_assert_not_null(req);
    cr_assert_str_eq(req->pruned, "it feeds only grades or judgements given in the evidence");
    adults++;
    cr_assert_gt(adults, 0);
    cr_assert_eq(r.pruned_given, adults);
    cr_assert_lt(r.nlive, r.ncands);
    sk_result_free(&r);
    /* Three stars need adults' judgements to move; they are given, so seek says so at once. */
    o = options(3, 0, 3);
    run_seek(p2002, ev, &o, &r);
    cr_assert(r.unreachable);
    cr_assert(strstr(r.why, "the judgements of adults' services are given in the evidence") != NULL, "%s", r.why);
    cr_assert_eq(r.evaluations, 1, "only the baseline is evaluated");
    sk_result_free(&r);
    ev_free(ev);
}

Test(seek, judgements_off_the_path_are_not_expanded)
{
    /* Harrow, two stars: one service serving most is enough, so capacity moves are useless. */
    ev_evidence *ev = council(p2003, "harrow-2003.yaml");
    sk_options o = options(2, 0, 1);
    sk_result r;
    run_seek(p2003, ev, &o, &r);
    cr_assert(r.judgement_pruning);
    const sk_candidate *c = find_move(&r, "adults.capacity_finding.ad-capcon-1", 0);
    cr_assert_not_null(c);
    cr_assert_str_eq(c->pruned, "it cannot move a judgement the target needs");
    cr_assert_gt(r.pruned_path, 0);
    /* A requirement not stated cannot fire its key threshold either way when it is met. */
    c = find_move(&r, "adults.requirement.race_equality", 0);
    cr_assert_not_null(c);
    cr_assert_str_eq(c->pruned, "it changes no grade and no key threshold");
    sk_result_free(&r);
    ev_free(ev);
}

Test(seek, fix_and_only_restrict_the_moves)
{
    ev_evidence *ev = council(p2003, "harrow-2003.yaml");
    const char *fix[] = {"ch-afi-2", "children.finding.ch-afi-1"};
    sk_options o = options(2, 0, 1);
    o.fix = fix;
    o.nfix = 2;
    o.only = SK_FINDINGS;
    sk_result r;
    run_seek(p2003, ev, &o, &r);
    for (size_t i = 0; i < r.ncands; i++)
        cr_assert(r.cands[i].kind == SK_FINDING || r.cands[i].kind == SK_CAPACITY_FINDING);
    cr_assert_eq(r.pruned_fixed, 2);
    for (size_t i = 0; i < r.nplans; i++)
        for (size_t k = 0; k < r.plans[i].n; k++) {
            const char *name = r.cands[r.plans[i].moves[k]].change.name;
            cr_assert(strcmp(name, "ch-afi-1") && strcmp(name, "ch-afi-2"), "fixed %s moved", name);
        }
    cr_assert_gt(r.nplans, 0);
    sk_result_free(&r);
    ev_free(ev);
}

/* ---- the search ----------------------------------------------------------------------------- */

Test(seek, leaves_the_council_untouched)
{
    ev_evidence *ev = council(p2003, "demo-2-star-capped.yaml");
    rt_result before, after;
    rt_init(&before), rt_init(&after);
    sr_error err;
    cr_assert_eq(rt_evaluate(p2003, ev, &before, &err), SR_OK);
    size_t n = ev->services[1].nindicators;
    sk_options o = options(0, 1, 2);
    sk_result r;
    run_seek(p2003, ev, &o, &r);
    cr_assert_eq(ev->services[1].nindicators, n);
    cr_assert_float_eq(ev->services[1].indicators[3].value, 74, 1e-12);
    cr_assert_eq(rt_evaluate(p2003, ev, &after, &err), SR_OK);
    cr_assert_eq(before.trace.n, after.trace.n);
    for (size_t i = 0; i < before.trace.n; i++)
        cr_assert(before.trace.nodes[i].output == after.trace.nodes[i].output ||
                  strcmp(before.trace.nodes[i].output, after.trace.nodes[i].output) == 0);
    /* The search evaluated each plan of parts already seen without running the rules. */
    cr_assert_gt(r.plans_tried, r.evaluations);
    sk_result_free(&r);
    rt_free(&before), rt_free(&after);
    ev_free(ev);
}

Test(seek, already_there_and_nothing_to_lose)
{
    ev_evidence *ev = council(p2003, "demo-0-star.yaml");
    sk_options o = options(0, 1, 2);
    sk_result r;
    run_seek(p2003, ev, &o, &r);
    cr_assert(r.already);
    cr_assert_str_eq(r.why, "the rating is already 0 stars: there is no star to lose");
    sk_result_free(&r);
    ev_free(ev);
    ev = council(p2003, "harrow-2003.yaml");
    o = options(1, 0, 2);
    run_seek(p2003, ev, &o, &r);
    cr_assert(r.already);
    cr_assert_str_eq(r.why, "the rating is already 1 star");
    cr_assert_eq(r.nplans, 0);
    sk_result_free(&r);
    ev_free(ev);
}

Test(seek, stops_at_the_smallest_size_with_enough_plans)
{
    ev_evidence *ev = council(p2003, "harrow-2003.yaml");
    sk_options o = options(2, 0, 3);
    o.limit = 5;
    sk_result r;
    run_seek(p2003, ev, &o, &r);
    cr_assert_eq(r.levels, 1, "single changes already give five plans");
    cr_assert_geq(r.nplans, 5);
    for (size_t i = 0; i < r.nplans; i++)
        cr_assert_eq(r.plans[i].n, 1);
    sk_result_free(&r);
    ev_free(ev);
}

static int calls;
static void count_progress(void *ctx, const sk_progress *pr)
{
    (void)ctx;
    cr_assert_geq(pr->level, 1);
    cr_assert(pr->done >= 0 && pr->done <= 1);
    calls++;
}

Test(seek, progress_is_reported_when_the_search_runs_long)
{
    ev_evidence *ev = council(p2003, "demo-3-star.yaml");
    sk_options o = options(0, 1, 2);
    o.progress = count_progress;
    o.progress_interval = 1e-9; /* "long" made short */
    calls = 0;
    sk_result r;
    run_seek(p2003, ev, &o, &r);
    cr_assert_gt(calls, 0);
    sk_result_free(&r);
    o.progress_interval = 0; /* the default second: a fast search stays quiet */
    calls = 0;
    o.max_changes = 1;
    run_seek(p2003, ev, &o, &r);
    cr_assert_eq(calls, 0);
    sk_result_free(&r);
    ev_free(ev);
}

Test(seek, bad_options_are_usage_errors)
{
    ev_evidence *ev = council(p2003, "harrow-2003.yaml");
    sk_result r;
    sr_error err;
    sk_options o = options(2, 0, 0);
    cr_assert_eq(sk_seek(p2003, ev, &o, &r, &err), SR_EUSAGE);
    cr_assert_str_eq(err.msg, "--max-changes must be from 1 to 5");
    o = options(4, 0, 2);
    cr_assert_eq(sk_seek(p2003, ev, &o, &r, &err), SR_EUSAGE);
    cr_assert_str_eq(err.msg, "--target must be from 0 to 3");
    const char *fix[] = {"D4"};
    o = options(2, 0, 2);
    o.fix = fix;
    o.nfix = 1;
    cr_assert_eq(sk_seek(p2003, ev, &o, &r, &err), SR_EUSAGE);
    cr_assert_str_eq(err.msg, "--fix 'D4' names no indicator, finding or requirement");
    cr_assert_eq(r.nplans, 0);
    ev_free(ev);
}

Test(seek, every_allocation_failure_is_clean)
{
    ev_evidence *ev = council(p2003, "demo-2-star-capped.yaml");
    sk_options o = options(3, 0, 2);
    o.only = SK_FINDINGS | SK_REQUIREMENTS;
    sk_result good;
    run_seek(p2003, ev, &o, &good);
    cr_assert_gt(good.nplans, 0);
    int failures = 0, done = 0;
    for (long n = 1; n < 200000 && !done; n++) {
        sk_result r;
        sr_error err;
        sr_error_clear(&err);
        sr_alloc_fail_at(n);
        int rc = sk_seek(p2003, ev, &o, &r, &err);
        sr_alloc_fail_at(0);
        cr_assert(rc == SR_OK || rc == SR_ENOMEM, "allocation %ld: rc %d: %s", n, rc, err.msg);
        if (rc == SR_OK) {
            done = 1;
            cr_assert_eq(r.nplans, good.nplans, "a search that succeeded must find the same plans");
            sk_result_free(&r);
        } else {
            failures++;
            cr_assert_eq(r.nplans, 0);
            cr_assert_null(r.cands);
        }
    }
    cr_assert(done, "never succeeded");
    cr_assert_gt(failures, 50, "only %d allocations were failed", failures);
    /* The pack still evaluates after all of that, to the same plans. */
    size_t n = good.nplans;
    sk_result_free(&good);
    run_seek(p2003, ev, &o, &good);
    cr_assert_eq(good.nplans, n);
    sk_result_free(&good);
    ev_free(ev);
}

/* ---- plannable changes and gaps in the evidence --------------------------------------------- */

static int plan_has_gap(const sk_result *r, const sk_plan *pl)
{
    for (size_t k = 0; k < pl->n; k++)
        if (r->cands[pl->moves[k]].gap)
            return 1;
    return 0;
}

Test(seek, default_plans_hold_no_gap_in_the_evidence)
{
    static const char *const files[] = {"harrow-2003.yaml", "durham-2003.yaml", "bath-ne-somerset-2003.yaml"};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        ev_evidence *ev = council(p2003, files[f]);
        sk_options o = options(f == 1 ? 3 : 2, 0, 2);
        o.include_gaps = 0;
        sk_result r;
        run_seek(p2003, ev, &o, &r);
        for (size_t i = 0; i < r.nplans; i++) {
            cr_assert_not(plan_has_gap(&r, &r.plans[i]), "%s: plan %zu fills a gap", files[f], i + 1);
            for (size_t k = 0; k < r.plans[i].n; k++) {
                const sk_candidate *c = &r.cands[r.plans[i].moves[k]];
                cr_assert(c->label && *c->label, "%s: %s has no text or name", files[f], c->change.path);
            }
        }
        /* A gap set aside is named as a gap, and never expanded. */
        for (size_t i = 0; i < r.ncands; i++)
            if (r.cands[i].gap)
                cr_assert_not_null(r.cands[i].pruned, "%s: gap %s expanded", files[f], r.cands[i].change.path);
        /* Every gap listed as sensitive is a gap, and alone moves the stars towards the target. */
        for (size_t i = 0; i < r.nsensitive; i++) {
            cr_assert(r.cands[r.sensitive[i]].gap);
            cr_assert_gt((r.sensitive_stars[i] - r.stars) * r.direction, 0);
        }
        sk_result_free(&r);
        ev_free(ev);
    }
}

Test(seek, harrow_gaps_are_a_sensitivity_list_not_plans)
{
    ev_evidence *ev = council(p2003, "harrow-2003.yaml");
    sk_options o = options(2, 0, 1);
    o.include_gaps = 0;
    sk_result plannable, all;
    run_seek(p2003, ev, &o, &plannable);
    o.include_gaps = 1;
    run_seek(p2003, ev, &o, &all);
    /* Harrow 2003: adding children's B7 in band 4 alone gives 2 stars - a plan with
     * --include-gaps, a sensitivity without. */
    int b7_planned = 0, b7_sensitive = 0;
    for (size_t i = 0; i < all.nplans; i++)
        b7_planned |= all.plans[i].n == 1 && strcmp(all.cands[all.plans[i].moves[0]].change.path,
                                                     "children.indicator.B7") == 0;
    for (size_t i = 0; i < plannable.nsensitive; i++)
        b7_sensitive |= strcmp(plannable.cands[plannable.sensitive[i]].change.path, "children.indicator.B7") == 0;
    cr_assert(b7_planned, "--include-gaps must find today's plan that adds B7");
    cr_assert(b7_sensitive, "B7 must be listed as evidence the rating is sensitive to");
    cr_assert_eq(all.nsensitive, 0, "with --include-gaps the gaps are plans, not a list");
    /* Every plannable plan of one change is also found with the gaps included. */
    size_t plannable_single = 0;
    for (size_t i = 0; i < plannable.nplans; i++) {
        const char *path = plannable.cands[plannable.plans[i].moves[0]].change.path;
        int found = 0;
        for (size_t j = 0; j < all.nplans && !found; j++)
            found = all.plans[j].n == 1 && strcmp(all.cands[all.plans[j].moves[0]].change.path, path) == 0;
        cr_assert(found, "%s: a plannable plan lost with --include-gaps", path);
        plannable_single++;
    }
    cr_assert_gt(plannable_single, 0);
    cr_assert_gt(all.nplans, plannable.nplans);
    sk_result_free(&plannable);
    sk_result_free(&all);
    ev_free(ev);
}
