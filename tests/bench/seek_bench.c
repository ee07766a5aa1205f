/*
 * seek_bench.c — what-if and goal-seek speed (issue 4).
 *
 *   seek_bench [RULES [COUNCILS]]    defaults: rules/2003 and scenarios/councils
 *
 * The baseline is one full rt_evaluate of a council with the pack's full indicator set, as
 * seek and what-if run it (trace off) but with the rule memo off, so that every rule runs,
 * measured in the same run (best of several timed loops). Against it:
 *   singles, pairs   every single move and every pair of moves seek considers (downward, as
 *                    for --margin: the council is at three stars; one move per input), each
 *                    applied to the working copy, evaluated and rolled back: evaluations per
 *                    second, and the time per evaluation as a ratio to the baseline; once as
 *                    seek evaluates (trace off, the rule memo on: rules whose input the moves
 *                    leave alone are answered from the memo) and once with every rule run;
 *   seek             sk_seek with --max-changes 2 on the full council and on the largest
 *                    demonstration council (the target: under a second), and with
 *                    --max-changes 3 on Durham, whose three-star plans need all three levels;
 *                    with the evaluations it made and its time in baseline evaluations.
 * Figures go to standard output as one table.
 */
#include "scenario.h"
#include "seek.h"
#include "session.h"
#include "common.h"
#include "eval.h"
#include "evidence.h"
#include "json.h"
#include "output.h"
#include "pack.h"
#include "ydoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOOP_SECONDS 0.2
#define LOOP_REPEATS 5
#define TARGET_SEEK_SECONDS 1.0

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int rc, const sr_error *err)
{
    if (rc == SR_OK)
        return;
    char line[2048];
    sr_error_format(err, line, sizeof line);
    fprintf(stderr, "seek_bench: %s\n", line);
    exit(1);
}

static void row(const char *what, const char *measured, const char *baseline, double ratio,
                const char *note)
{
    char r[32] = "";
    if (ratio > 0)
        snprintf(r, sizeof r, "%.2fx", ratio);
    printf("%-44s %18s %14s %9s  %s\n", what, measured, baseline, r, note ? note : "");
}

/* Best time of one evaluation of ev, over several loops of at least LOOP_SECONDS. */
static double one_evaluation(rp_pack *p, const ev_evidence *ev, rt_result *r)
{
    sr_error err;
    double best = 1e30;
    for (int rep = 0; rep < LOOP_REPEATS; rep++) {
        long n = 0;
        double t0 = now_seconds(), t;
        do {
            check(rt_evaluate(p, ev, r, &err), &err);
            n++;
            t = now_seconds() - t0;
        } while (t < LOOP_SECONDS);
        if (t / (double)n < best)
            best = t / (double)n;
    }
    return best;
}

/* The largest demonstration council has every catalogue indicator added: each one missing
 * is set at its band-3 limit (the middle) with last year's value a little lower. */
static sc_work *full_council(rp_pack *p, const ev_evidence *ev, size_t *added)
{
    sr_error err;
    sc_work *w;
    check(sc_work_new(p, ev, &w, &err), &err);
    *added = 0;
    for (size_t i = 0; i < p->nindicators; i++) {
        const rp_indicator *d = &p->indicators[i];
        const ev_service *svc = &sc_work_evidence(w)->services[d->service];
        int present = 0;
        for (size_t k = 0; k < svc->nindicators; k++)
            present |= strcmp(svc->indicators[k].code, d->code) == 0;
        const rp_band *b3 = NULL;
        for (size_t k = 0; k < d->nbands; k++)
            if (d->bands[k].band == 3)
                b3 = &d->bands[k];
        if (present || !b3)
            continue;
        char path[128];
        snprintf(path, sizeof path, "%s.indicator.%s", p->services[d->service].id, d->code);
        sc_change c;
        memset(&c, 0, sizeof c);
        c.verb = SC_SET;
        c.what = SC_INDICATOR;
        c.path = path;
        c.service = p->services[d->service].id;
        c.name = d->code;
        char file[] = "seek_bench";
        c.file = file;
        c.has = SC_HAS_VALUE | SC_HAS_PREVIOUS;
        c.value = b3->has_min ? b3->min : b3->max;
        c.previous = c.value * 0.97;
        check(sc_apply(w, &c, &err), &err);
        (*added)++;
    }
    return w;
}

typedef struct pairs {
    rp_pack *p;
    sc_work *w;
    const sk_result *moves;
    rt_result *r;
    long evaluations;
} pairs;

static void evaluate_moves(pairs *x, const int *plan, size_t n)
{
    sr_error err;
    size_t mark = sc_mark(x->w);
    for (size_t i = 0; i < n; i++)
        check(sc_apply(x->w, &x->moves->cands[plan[i]].change, &err), &err);
    check(rt_evaluate(x->p, sc_work_evidence(x->w), x->r, &err), &err);
    sc_rollback(x->w, mark);
    x->evaluations++;
}

/* Every plan of exactly `size` moves (1 or 2), one move per input. */
static double all_plans(pairs *x, size_t size)
{
    double t0 = now_seconds();
    int plan[2];
    for (size_t i = 0; i < x->moves->ncands; i++) {
        plan[0] = (int)i;
        if (size == 1) {
            evaluate_moves(x, plan, 1);
            continue;
        }
        for (size_t j = i + 1; j < x->moves->ncands; j++) {
            if (x->moves->cands[j].input == x->moves->cands[i].input)
                continue;
            plan[1] = (int)j;
            evaluate_moves(x, plan, 2);
        }
    }
    return now_seconds() - t0;
}

static void seek_row(const char *what, rp_pack *p, const ev_evidence *ev, int target, int margin,
                     int k, double one, double limit)
{
    sk_options o;
    memset(&o, 0, sizeof o);
    o.target = target;
    o.margin = margin;
    o.max_changes = k;
    o.limit = 10;
    o.include_gaps = 1; /* the whole search, as docs/performance.md measured it */
    sk_result r;
    sr_error err;
    double t0 = now_seconds();
    check(sk_seek(p, ev, &o, &r, &err), &err);
    double t = now_seconds() - t0;
    char measured[64], note[160];
    snprintf(measured, sizeof measured, "%.3f s", t);
    snprintf(note, sizeof note, "%ld evaluations, %ld plans, %zu found%s", r.evaluations,
             r.plans_tried, r.nplans, limit > 0 ? (t < limit ? "; under 1 s: ok" : "; OVER 1 s") : "");
    char base[32];
    snprintf(base, sizeof base, "%.1f us", one * 1e6);
    row(what, measured, base, t / one, note);
    sk_result_free(&r);
}

int main(int argc, char **argv)
{
    const char *rules = argc > 1 ? argv[1] : "rules/2003";
    const char *councils = argc > 2 ? argv[2] : "scenarios/councils";
    char largest[1024], capped[1024], durham[1024];
    snprintf(largest, sizeof largest, "%s/demo-3-star.yaml", councils);
    snprintf(capped, sizeof capped, "%s/demo-2-star-capped.yaml", councils);
    snprintf(durham, sizeof durham, "%s/durham-2003.yaml", councils);
    ss_session s;
    ss_init(&s);
    ss_loaded demo, demo2, real;
    sr_error err;
    sr_error_clear(&err);
    check(ss_load(&s, largest, NULL, rules, 0, &demo, &err), &err);
    check(ss_load(&s, capped, NULL, rules, 0, &demo2, &err), &err);
    check(ss_load(&s, durham, NULL, rules, 0, &real, &err), &err);
    rp_pack *p = demo.pack;
    size_t added;
    sc_work *w = full_council(p, demo.ev, &added);
    const ev_evidence *full = sc_work_evidence(w);
    size_t nind = 0;
    for (size_t sv = 0; sv < full->nservices; sv++)
        nind += full->services[sv].nindicators;

    rt_result r, memo;
    rt_init(&r);
    rt_init(&memo);
    r.trace_off = memo.trace_off = 1;
    r.memo_off = 1;
    double one = one_evaluation(p, full, &r);
    int stars = r.stars;

    sk_options o;
    memset(&o, 0, sizeof o);
    o.max_changes = 2;
    sk_result moves;
    check(sk_candidates(p, full, -1, &o, &moves, &err), &err);
    pairs x = {p, w, &moves, NULL, 0};

    printf("\nseek benchmarks: %s with every indicator of %s (%zu indicators, %zu added), "
           "%zu moves (downward)\n\n", largest, p->name, nind, added, moves.ncands);
    printf("%-44s %18s %14s %9s  %s\n", "benchmark", "measured", "baseline", "ratio", "");
    char a[64], b[64];
    snprintf(a, sizeof a, "%.1f us", one * 1e6);
    row("one evaluation (the baseline)", a, a, 1.0, "best of 5 loops");

    static const char *const names[2][2] = {
        {"every single move (seek's path)", "every pair of moves (seek's path)"},
        {"every single move, every rule run", "every pair of moves, every rule run"},
    };
    for (int full_cost = 0; full_cost <= 1; full_cost++) {
        x.r = full_cost ? &r : &memo;
        for (size_t size = 1; size <= 2; size++) {
            x.evaluations = 0;
            long calls = x.r->rule_calls, hits = x.r->memo_hits;
            double t = all_plans(&x, size);
            double per = t / (double)x.evaluations;
            snprintf(a, sizeof a, "%.0f eval/s", (double)x.evaluations / t);
            snprintf(b, sizeof b, "%.1f us", one * 1e6);
            char note[160];
            calls = x.r->rule_calls - calls;
            hits = x.r->memo_hits - hits;
            snprintf(note, sizeof note, "%ld evaluations in %.3f s; %.1f rules run each%s",
                     x.evaluations, t, (double)calls / (double)x.evaluations,
                     size == 2 && !full_cost ? (t < TARGET_SEEK_SECONDS ? "; under 1 s: ok" : "; OVER 1 s") : "");
            (void)hits;
            row(names[full_cost][size - 1], a, b, per / one, note);
        }
    }

    seek_row("seek --margin, full council, K=2", p, full, 0, 1, 2, one, 0);
    if (stars >= 0 && stars < p->rating_max)
        seek_row("seek --target +1, full council, K=2", p, full, stars + 1, 0, 2, one, 0);
    seek_row("seek --margin, demo-3-star (largest), K=2", p, demo.ev, 0, 1, 2, one, TARGET_SEEK_SECONDS);
    seek_row("seek --target 3, demo-2-star-capped, K=2", p, demo2.ev, 3, 0, 2, one, TARGET_SEEK_SECONDS);
    /* Durham needs three changes for three stars: every level is searched in full. */
    seek_row("seek --target 3, durham-2003, K=3", p, real.ev, 3, 0, 3, one, 0);
    printf("\n(ratio: time per evaluation, or the whole search, in baseline evaluations)\n");

    sk_result_free(&moves);
    rt_free(&r);
    rt_free(&memo);
    sc_work_free(w);
    ss_unload(&demo);
    ss_unload(&demo2);
    ss_unload(&real);
    ss_free(&s);
    return 0;
}
