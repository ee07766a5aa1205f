/*
 * test_perf_paths.c — the fast paths of issue 8 give exactly what the slow ones give:
 * an evaluation with the trace off reports the same bands, grades, judgements, caps, stars
 * and needs as with it on, for every council under scenarios/councils/ (derived, and from
 * its published judgements); the star table's memo gives the row the rows themselves give;
 * the trace's hand-written number and concatenation match printf.
 */
#include "helpers.h"
#include "session.h"

#include <dirent.h>
#include <stdlib.h>

/* ---- trace on and off --------------------------------------------------------------- */

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void assert_same_service(const rt_service *on, const rt_service *off, size_t nind,
                                const char *what)
{
    for (size_t i = 0; i < nind; i++)
        cr_assert_eq(on->band[i], off->band[i], "%s: band of indicator %zu", what, i);
    for (int k = 0; k < RP_STANDARDS; k++) {
        cr_assert_eq(on->grade[k], off->grade[k], "%s: grade of standard %d", what, k + 1);
        cr_assert_eq(on->grade_given[k], off->grade_given[k], "%s: standard %d given", what, k + 1);
    }
    cr_assert_eq(on->serving, off->serving, "%s: serving", what);
    cr_assert_eq(on->capacity, off->capacity, "%s: capacity", what);
    cr_assert_eq(on->serving_given, off->serving_given, "%s: serving given", what);
    cr_assert_eq(on->capacity_given, off->capacity_given, "%s: capacity given", what);
    cr_assert_eq(on->serving_uncapped, off->serving_uncapped, "%s: serving uncapped", what);
    cr_assert_eq(on->capacity_uncapped, off->capacity_uncapped, "%s: capacity uncapped", what);
    cr_assert(same_text(on->serving_needs, off->serving_needs), "%s: serving needs", what);
    cr_assert(same_text(on->capacity_needs, off->capacity_needs), "%s: capacity needs", what);
    cr_assert_eq(on->ncaps_fired, off->ncaps_fired, "%s: caps fired", what);
    for (int i = 0; i < on->ncaps_fired; i++)
        cr_assert_eq(on->caps_fired[i], off->caps_fired[i], "%s: cap %d", what, i);
}

/* With the trace off nothing of it is left: no node, and every node id is -1. */
static void assert_no_trace(const rt_result *r, const ev_evidence *ev, const char *what)
{
    cr_assert_eq(r->trace.n, 0, "%s: %zu trace nodes with the trace off", what, r->trace.n);
    cr_assert_eq(r->star_node, -1, "%s", what);
    for (size_t s = 0; s < r->nservices; s++) {
        const rt_service *rs = &r->svc[s];
        cr_assert_eq(rs->serving_node, -1, "%s", what);
        cr_assert_eq(rs->capacity_node, -1, "%s", what);
        for (int k = 0; k < RP_STANDARDS; k++)
            cr_assert_eq(rs->grade_node[k], -1, "%s", what);
        for (size_t i = 0; i < ev->services[s].nindicators; i++)
            cr_assert_eq(rs->band_node[i], -1, "%s", what);
    }
}

/* Evaluates one council with the trace on, off, and on again in the same result: the
 * result may be reused, and switching the trace back on gives the full trace again. */
static void check_council(ss_session *session, const char *path, int from_published)
{
    char what[1100];
    snprintf(what, sizeof what, "%s%s", path, from_published ? " (published)" : "");
    ss_loaded l;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(ss_load(session, path, NULL, NULL, from_published, &l, &err), SR_OK,
                 "%s:%d: %s", err.file, err.line, err.msg);
    rt_result on, off;
    rt_init(&on);
    rt_init(&off);
    off.trace_off = 1;
    cr_assert_eq(rt_evaluate(l.pack, l.ev, &on, &err), SR_OK, "%s: %s", what, err.msg);
    cr_assert_eq(rt_evaluate(l.pack, l.ev, &off, &err), SR_OK, "%s: %s", what, err.msg);
    cr_assert_gt(on.trace.n, 0, "%s", what);
    cr_assert_eq(on.stars, off.stars, "%s: stars", what);
    cr_assert_eq(on.rule, off.rule, "%s: rule", what);
    cr_assert_eq(on.possible, off.possible, "%s: possible", what);
    cr_assert_eq(on.nservices, off.nservices, "%s", what);
    for (size_t s = 0; s < on.nservices; s++)
        assert_same_service(&on.svc[s], &off.svc[s], l.ev->services[s].nindicators, what);
    assert_no_trace(&off, l.ev, what);

    off.trace_off = 0;
    cr_assert_eq(rt_evaluate(l.pack, l.ev, &off, &err), SR_OK, "%s: %s", what, err.msg);
    cr_assert_eq(off.trace.n, on.trace.n, "%s: trace switched back on", what);
    for (size_t i = 0; i < on.trace.n; i++) {
        cr_assert_str_eq(off.trace.nodes[i].subject, on.trace.nodes[i].subject, "%s", what);
        cr_assert(same_text(off.trace.nodes[i].text, on.trace.nodes[i].text), "%s", what);
    }
    rt_free(&on);
    rt_free(&off);
    ss_unload(&l);
}

Test(perf_paths, trace_off_gives_the_same_results_for_every_council)
{
    setenv("STARRATE_RULES", SR_SOURCE_ROOT "/rules", 1);
    ss_session session;
    ss_init(&session);
    DIR *d = opendir(SR_SOURCE_ROOT "/scenarios/councils");
    cr_assert_not_null(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".yaml") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/scenarios/councils/%s", SR_SOURCE_ROOT, e->d_name);
        check_council(&session, path, 0);
        check_council(&session, path, 1);
        files++;
    }
    closedir(d);
    ss_free(&session);
    cr_assert_geq(files, 8, "%d councils", files);
}

/* Thin evidence: judgements left open, so the result's `needs` (kept with the trace off) and
 * the star search over missing judgements are exercised too. */
Test(perf_paths, trace_off_keeps_needs_of_thin_evidence)
{
    rp_pack *p = th_pack(RULES_DIR("2003"));
    ev_evidence *ev;
    sr_error err;
    cr_assert_eq(th_evidence(p, "council: Thin\nyear: 2003\nchildren:\n  indicators:\n"
                                "    - {code: A1, value: 12}\nadults:\n  findings:\n"
                                "    - {id: a1, text: good, kind: strength, standards: [2]}\n",
                             &ev, &err), SR_OK, "%s", err.msg);
    rt_result on, off;
    rt_init(&on);
    rt_init(&off);
    off.trace_off = 1;
    cr_assert_eq(rt_evaluate(p, ev, &on, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(rt_evaluate(p, ev, &off, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(on.stars, -1, "the thin council leaves the stars open");
    cr_assert_not_null(on.svc[0].serving_needs);
    cr_assert_not_null(on.svc[1].capacity_needs);
    cr_assert_eq(on.possible, off.possible);
    cr_assert_eq(on.rule, off.rule);
    for (size_t s = 0; s < on.nservices; s++)
        assert_same_service(&on.svc[s], &off.svc[s], ev->services[s].nindicators, "thin");
    assert_no_trace(&off, ev, "thin");
    rt_free(&on);
    rt_free(&off);
    ev_free(ev);
    rp_free(p);
}

/* ---- the star table's memo ---------------------------------------------------------- */

/* Steps through every combination of judgement words; 0 after the last. */
static int next_combination(const rp_pack *p, int *serving, int *capacity)
{
    for (size_t s = 0; s < p->nservices; s++) {
        if (++serving[s] < (int)p->serving.nwords)
            return 1;
        serving[s] = 0;
        if (++capacity[s] < (int)p->capacity.nwords)
            return 1;
        capacity[s] = 0;
    }
    return 0;
}

static void check_star_memo(const char *round)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/rules/%s", SR_SOURCE_ROOT, round);
    rp_pack *p = th_pack(dir);
    int serving[RP_MAX_SERVICES] = {0}, capacity[RP_MAX_SERVICES] = {0};
    int combinations = 0;
    do {
        sr_error err;
        sr_error_clear(&err);
        long before = lh_budget_used(p->host);
        int first, again;
        /* The first call runs the rows in Lua; the second must come from the memo. */
        cr_assert_eq(rp_stars(p, serving, capacity, &first, &err), SR_OK, "%s", err.msg);
        long ran = lh_budget_used(p->host);
        cr_assert_eq(rp_stars(p, serving, capacity, &again, &err), SR_OK, "%s", err.msg);
        cr_assert_eq(first, again, "%s: combination %d", round, combinations);
        cr_assert_gt(ran, before, "%s: the first call runs the rows", round);
        cr_assert_eq(lh_budget_used(p->host), ran, "%s: the second call runs nothing", round);
        combinations++;
    } while (next_combination(p, serving, capacity));
    cr_assert_eq(combinations, 256);
    rp_free(p);
}

Test(perf_paths, star_memo_gives_the_rows_answer)
{
    check_star_memo("2002");
    check_star_memo("2003");
    check_star_memo("2004");
    check_star_memo("2005");
}

/* ---- the trace's own formatting ----------------------------------------------------- */

Test(perf_paths, tr_number_matches_sr_format_number)
{
    static const double values[] = {
        0, -0.0, 1, -1, 7, 10, 80, 99, 100, 1234567, -987654321, 999999999999999.0,
        -999999999999999.0, 1e15, -1e15, 1e16, 123456789012345678.0, 0.5, 0.85, 22.4, -0.6,
        2.75, 3.4, 1e-5, 123456.789, 1.0 / 3, 4503599627370496.0, 4503599627370497.0,
    };
    tr_trace t;
    tr_init(&t);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char want[64];
        sr_format_number(values[i], want, sizeof want);
        cr_assert_str_eq(tr_number(&t, values[i]), want, "value %zu", i);
    }
    for (long v = -100000; v <= 100000; v += 7) {
        char want[64];
        sr_format_number((double)v, want, sizeof want);
        cr_assert_str_eq(tr_number(&t, (double)v), want);
    }
    tr_free(&t);
}

Test(perf_paths, tr_concat_matches_printf_and_off_records_nothing)
{
    tr_trace t;
    tr_init(&t);
    cr_assert_str_eq(tr_concat(&t, "adults", ".indicator.", "D38", NULL), "adults.indicator.D38");
    cr_assert_str_eq(tr_concat(&t, "", NULL), "");
    char longer[2000];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    cr_assert_str_eq(tr_concat(&t, longer, ": ", longer, NULL), tr_printf(&t, "%s: %s", longer, longer));

    t.off = 1;
    tr_reset(&t);
    cr_assert_eq(t.off, 1, "tr_reset keeps the setting");
    cr_assert_eq(tr_add(&t, TR_BAND, "x"), -1);
    cr_assert_null(tr_str(&t, "x"));
    cr_assert_null(tr_printf(&t, "%d", 1));
    cr_assert_null(tr_concat(&t, "a", "b", NULL));
    cr_assert_null(tr_number(&t, 1.5));
    cr_assert_str_eq(tr_keep(&t, "kept"), "kept");
    cr_assert_eq(t.n, 0);
    tr_free(&t);
}

/* ---- the rule memo -------------------------------------------------------------------- */

#include "scenario.h"
#include "seek.h"

static void assert_same_result(const rt_result *a, const rt_result *b, const ev_evidence *ev,
                               const char *what)
{
    cr_assert_eq(a->stars, b->stars, "%s: stars", what);
    cr_assert_eq(a->rule, b->rule, "%s: rule", what);
    cr_assert_eq(a->possible, b->possible, "%s: possible", what);
    for (size_t s = 0; s < a->nservices; s++)
        assert_same_service(&a->svc[s], &b->svc[s], ev->services[s].nindicators, what);
}

/* Every single move and every pair of moves seek would consider on a council, evaluated in one
 * result whose memo carries over from evaluation to evaluation, gives exactly what a result
 * that runs every rule gives; and the memo does answer most rule calls. */
static void check_memo_over_moves(const char *council, int direction)
{
    ss_session session;
    ss_init(&session);
    ss_loaded l;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(ss_load(&session, council, NULL, NULL, 0, &l, &err), SR_OK, "%s", err.msg);
    sc_work *w;
    cr_assert_eq(sc_work_new(l.pack, l.ev, &w, &err), SR_OK, "%s", err.msg);
    sk_options o;
    memset(&o, 0, sizeof o);
    o.max_changes = 2;
    sk_result moves;
    cr_assert_eq(sk_candidates(l.pack, l.ev, direction, &o, &moves, &err), SR_OK, "%s", err.msg);
    cr_assert_gt(moves.ncands, 4, "%s: too few moves to test", council);
    rt_result memo, full;
    rt_init(&memo);
    rt_init(&full);
    memo.trace_off = full.trace_off = 1;
    full.memo_off = 1;
    long evaluations = 0;
    for (size_t i = 0; i < moves.ncands; i++) {
        for (size_t j = i; j < moves.ncands && j < i + 12; j++) {
            size_t mark = sc_mark(w);
            cr_assert_eq(sc_apply(w, &moves.cands[i].change, &err), SR_OK, "%s", err.msg);
            if (j != i && moves.cands[j].input != moves.cands[i].input)
                cr_assert_eq(sc_apply(w, &moves.cands[j].change, &err), SR_OK, "%s", err.msg);
            const ev_evidence *ev = sc_work_evidence(w);
            cr_assert_eq(rt_evaluate(l.pack, ev, &memo, &err), SR_OK, "%s", err.msg);
            cr_assert_eq(rt_evaluate(l.pack, ev, &full, &err), SR_OK, "%s", err.msg);
            char what[1200];
            snprintf(what, sizeof what, "%s, moves %zu and %zu", council, i, j);
            assert_same_result(&memo, &full, ev, what);
            sc_rollback(w, mark);
            evaluations++;
        }
    }
    cr_assert_eq(full.memo_hits, 0, "memo_off must run every rule");
    cr_assert_gt(memo.memo_hits, 2 * memo.rule_calls,
                 "%s: the memo answered %ld calls and ran %ld over %ld evaluations", council,
                 memo.memo_hits, memo.rule_calls, evaluations);
    rt_free(&memo);
    rt_free(&full);
    sk_result_free(&moves);
    sc_work_free(w);
    ss_unload(&l);
    ss_free(&session);
}

Test(perf_paths, memo_gives_the_same_results_over_moves_and_pairs)
{
    check_memo_over_moves(SR_SOURCE_ROOT "/scenarios/councils/demo-3-star.yaml", -1);
    check_memo_over_moves(SR_SOURCE_ROOT "/scenarios/councils/durham-2003.yaml", 1);
    check_memo_over_moves(SR_SOURCE_ROOT "/scenarios/councils/durham-2003.yaml", -1);
    check_memo_over_moves(SR_SOURCE_ROOT "/scenarios/councils/demo-1-star-capped.yaml", 1);
}

/* One result carried across councils and rounds: each answer is the one a fresh result gives
 * (the memo is keyed by the pack, and by the rules' whole input). */
Test(perf_paths, memo_carried_across_councils_and_packs)
{
    static const char *const files[] = {
        "durham-2003.yaml", "hertfordshire-2002.yaml", "harrow-2003.yaml", "durham-2003.yaml",
        "bath-ne-somerset-2003.yaml", "demo-3-star.yaml", "demo-0-star.yaml", "durham-2003.yaml",
        NULL,
    };
    ss_session session;
    ss_init(&session);
    rt_result carried;
    rt_init(&carried);
    carried.trace_off = 1;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; files[i]; i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/scenarios/councils/%s", SR_SOURCE_ROOT, files[i]);
            ss_loaded l;
            sr_error err;
            sr_error_clear(&err);
            cr_assert_eq(ss_load(&session, path, NULL, NULL, 0, &l, &err), SR_OK, "%s", err.msg);
            rt_result fresh;
            rt_init(&fresh);
            fresh.trace_off = 1;
            cr_assert_eq(rt_evaluate(l.pack, l.ev, &fresh, &err), SR_OK, "%s", err.msg);
            cr_assert_eq(rt_evaluate(l.pack, l.ev, &carried, &err), SR_OK, "%s", err.msg);
            assert_same_result(&carried, &fresh, l.ev, path);
            rt_free(&fresh);
            ss_unload(&l);
        }
    }
    cr_assert_gt(carried.memo_hits, 0, "the repeated councils should be answered by the memo");
    rt_free(&carried);
    ss_free(&session);
}

/* ---- one result, evaluation after evaluation ------------------------------------------ */

/* A result used for evaluation after evaluation (as the sampler uses one) gives what a fresh
 * result gives, council by council, under parameter values that move every round: the rules
 * read the parameters when they run, so nothing of an earlier evaluation may answer for a
 * later one. The councils come round several times, from evidence loaded again each time,
 * over two packs. */
Test(perf_paths, a_reused_result_gives_the_same_results_under_variants)
{
    static const char *const files[] = {
        "durham-2003.yaml", "hertfordshire-2002.yaml", "harrow-2003.yaml",
        "bath-ne-somerset-2003.yaml", "demo-3-star.yaml", "demo-1-star-capped.yaml",
        "demo-0-star.yaml", NULL,
    };
    ss_session session;
    ss_init(&session);
    rt_result cached;
    rt_init(&cached);
    cached.trace_off = cached.memo_off = 1;
    for (int round = 0; round < 6; round++) {
        for (size_t i = 0; files[i]; i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/scenarios/councils/%s", SR_SOURCE_ROOT, files[i]);
            ss_loaded l;
            sr_error err;
            sr_error_clear(&err);
            cr_assert_eq(ss_load(&session, path, NULL, NULL, 0, &l, &err), SR_OK, "%s", err.msg);
            rp_pack *p = l.pack;
            double values[64];
            cr_assert_leq(p->nparams, 64);
            for (size_t k = 0; k < p->nparams; k++) {
                const rp_param *q = &p->params[k];
                double at = (double)((round * 3 + (int)k) % 5) / 4.0; /* 0, 1/4 .. 1 of the range */
                values[k] = round == 0 ? q->value : q->lo + (q->hi - q->lo) * at;
            }
            cr_assert_eq(rp_params_set(p, values, &err), SR_OK, "%s", err.msg);
            rt_result fresh;
            rt_init(&fresh);
            fresh.trace_off = 1;
            char what[1200];
            snprintf(what, sizeof what, "%s, round %d", path, round);
            cr_assert_eq(rt_evaluate(p, l.ev, &fresh, &err), SR_OK, "%s: %s", what, err.msg);
            cr_assert_eq(rt_evaluate(p, l.ev, &cached, &err), SR_OK, "%s: %s", what, err.msg);
            assert_same_result(&cached, &fresh, l.ev, what);
            cr_assert_eq(rp_params_set(p, NULL, &err), SR_OK, "%s", err.msg);
            rt_free(&fresh);
            ss_unload(&l);
        }
    }
    cr_assert_eq(cached.memo_hits, 0, "memo_off must run every rule");
    rt_free(&cached);
    ss_free(&session);
}

/* The same over seek's moves and pairs of moves: a band or a finding changes and the rest of
 * the council stays, so most of the inputs come round again and the changed ones must not
 * answer as before. */
static void check_cache_over_moves(const char *council, int direction)
{
    ss_session session;
    ss_init(&session);
    ss_loaded l;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(ss_load(&session, council, NULL, NULL, 0, &l, &err), SR_OK, "%s", err.msg);
    sc_work *w;
    cr_assert_eq(sc_work_new(l.pack, l.ev, &w, &err), SR_OK, "%s", err.msg);
    sk_options o;
    memset(&o, 0, sizeof o);
    o.max_changes = 2;
    sk_result moves;
    cr_assert_eq(sk_candidates(l.pack, l.ev, direction, &o, &moves, &err), SR_OK, "%s", err.msg);
    cr_assert_gt(moves.ncands, 4, "%s: too few moves to test", council);
    rt_result cached;
    rt_init(&cached);
    cached.trace_off = cached.memo_off = 1;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < moves.ncands; i++) {
            for (size_t j = i; j < moves.ncands && j < i + 6; j++) {
                size_t mark = sc_mark(w);
                cr_assert_eq(sc_apply(w, &moves.cands[i].change, &err), SR_OK, "%s", err.msg);
                if (j != i && moves.cands[j].input != moves.cands[i].input)
                    cr_assert_eq(sc_apply(w, &moves.cands[j].change, &err), SR_OK, "%s", err.msg);
                const ev_evidence *ev = sc_work_evidence(w);
                rt_result fresh;
                rt_init(&fresh);
                fresh.trace_off = 1;
                cr_assert_eq(rt_evaluate(l.pack, ev, &fresh, &err), SR_OK, "%s", err.msg);
                cr_assert_eq(rt_evaluate(l.pack, ev, &cached, &err), SR_OK, "%s", err.msg);
                char what[1200];
                snprintf(what, sizeof what, "%s, moves %zu and %zu, pass %d", council, i, j, pass);
                assert_same_result(&cached, &fresh, ev, what);
                rt_free(&fresh);
                sc_rollback(w, mark);
            }
        }
    }
    rt_free(&cached);
    sk_result_free(&moves);
    sc_work_free(w);
    ss_unload(&l);
    ss_free(&session);
}

Test(perf_paths, a_reused_result_gives_the_same_results_over_moves)
{
    check_cache_over_moves(SR_SOURCE_ROOT "/scenarios/councils/demo-3-star.yaml", -1);
    check_cache_over_moves(SR_SOURCE_ROOT "/scenarios/councils/durham-2003.yaml", 1);
    check_cache_over_moves(SR_SOURCE_ROOT "/scenarios/councils/demo-1-star-capped.yaml", 1);
}
