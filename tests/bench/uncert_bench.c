/*
 * uncert_bench.c — the cost of `rate --uncertainty` (issue 13), as ratios to one plain
 * evaluation of the same council measured in the same run.
 *
 *   uncert_bench PACK COUNCIL COUNCILS_DIR STARRATE
 *
 * One council: fitting 1000 admissible variants (on two threads, as `rate --uncertainty` on
 * two processors) and rating the council in 1000 runs (target under 1 s). The batch: every
 * council of COUNCILS_DIR (the 150 of tests/bench) in 1000 runs each on two threads, each
 * with its own session and pack, sharing one fit as rate's workers do (target under 60 s).
 * Both are CPU and wall time; the machine is shared, so the ratio is the figure to compare.
 * Last, what the "Unsure" line costs plain `rate` (text, the 150 councils, default jobs):
 * STARRATE with the line against STARRATE_UNSURE=off.
 */
#include "starrate.h"
#include "uncert.h"

#include <glob.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VARIANTS 1000

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int rc, const sr_error *e)
{
    if (rc != SR_OK) {
        sr_error_print(stderr, e);
        exit(1);
    }
}

/* Seconds per plain evaluation (trace off, as rate): the best of five loops of 200. */
static double plain_eval(rp_pack *p, const ev_evidence *ev)
{
    rt_result r;
    rt_init(&r);
    r.trace_off = 1;
    r.memo_off = 1; /* every run of the sampler evaluates afresh: so does the baseline */
    sr_error e;
    double best = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = wall();
        for (int i = 0; i < 200; i++)
            check(rt_evaluate(p, ev, &r, &e), &e);
        double t = (wall() - t0) / 200;
        best = t < best ? t : best;
    }
    rt_free(&r);
    return best;
}

typedef struct part {
    glob_t *g;
    size_t from, to;
    const char *pack;
    size_t rated;
    un_shared *shared;
} part;

static void *rate_part(void *arg)
{
    part *pt = arg;
    ss_session s;
    ss_init(&s);
    sr_error e;
    un_cache uc;
    un_options o = {UN_DEFAULT_SEED, VARIANTS, NULL, 2, 0};
    un_cache_init(&uc, &o);
    uc.shared = pt->shared; /* as rate's workers: one fit, on both threads */
    rt_result r;
    rt_init(&r);
    for (size_t i = pt->from; i < pt->to; i++) {
        ss_loaded l;
        check(ss_load(&s, pt->g->gl_pathv[i], NULL, pt->pack, 0, &l, &e), &e);
        un_model *m;
        un_council u;
        check(un_cache_get(&uc, &s, l.pack, &m, &e), &e);
        check(un_rate(m, l.ev, &r, &u, &e), &e);
        ss_unload(&l);
        pt->rated++;
    }
    rt_free(&r);
    un_cache_free(&uc);
    ss_free(&s);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: uncert_bench PACK COUNCIL COUNCILS_DIR STARRATE\n");
        return 2;
    }
    const char *pack = argv[1];
    sr_error e;
    ss_session s;
    ss_init(&s);
    ss_loaded l;
    check(ss_load(&s, argv[2], NULL, pack, 0, &l, &e), &e);
    double one = plain_eval(l.pack, l.ev);

    double w0 = wall(), c0 = cpu();
    un_options o = {UN_DEFAULT_SEED, VARIANTS, NULL, 2, 0}; /* as rate: the fit on two threads */
    un_model *m;
    check(un_fit(&s, l.pack, &o, &m, &e), &e);
    double wfit = wall() - w0;
    rt_result r;
    rt_init(&r);
    un_council u;
    check(un_rate(m, l.ev, &r, &u, &e), &e);
    double w1 = wall() - w0, c1 = cpu() - c0;
    rt_free(&r);
    long tried = un_model_tried(m);
    un_model_free(m);
    ss_unload(&l);
    ss_free(&s);

    char pattern[4200];
    snprintf(pattern, sizeof pattern, "%s/*.yaml", argv[3]);
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
        fprintf(stderr, "uncert_bench: no councils in %s\n", argv[3]);
        return 1;
    }
    un_shared *sh;
    if (un_shared_new(&sh) != SR_OK)
        return 1;
    part parts[2] = {{&g, 0, g.gl_pathc / 2, pack, 0, sh}, {&g, g.gl_pathc / 2, g.gl_pathc, pack, 0, sh}};
    double w2 = wall(), c2 = cpu();
    pthread_t t;
    if (pthread_create(&t, NULL, rate_part, &parts[1]) != 0)
        return 1;
    rate_part(&parts[0]);
    pthread_join(t, NULL);
    double w3 = wall() - w2, c3 = cpu() - c2;
    un_shared_free(sh);
    size_t n = parts[0].rated + parts[1].rated;

    printf("%-46s %12s %14s %9s  %s\n", "uncertainty (issue 13)", "measured", "one evaluation",
           "ratio", "target");
    printf("%-46s %10.3f s %11.1f us %8.0fx  < 1 s wall: %s\n", "1 council x 1000 variants (wall)", w1,
           one * 1e6, w1 / one, w1 < 1 ? "met" : "NOT MET");
    printf("%-46s %10.3f s %11.1f us %8.0fx\n", "1 council x 1000 variants (cpu)", c1, one * 1e6, c1 / one);
    printf("%-46s %10.3f s %11.1f us %8.0fx  (%ld tried, %.0f%% admissible)\n",
           "  of which the fit (wall)", wfit, one * 1e6, wfit / one, tried, 100.0 * VARIANTS / (double)tried);
    char label[64];
    snprintf(label, sizeof label, "%zu councils x 1000 variants, 2 threads (wall)", n);
    printf("%-46s %10.3f s %11.1f us %8.0fx  < 60 s wall: %s\n", label, w3, one * 1e6, w3 / one,
           w3 < 60 ? "met" : "NOT MET");
    snprintf(label, sizeof label, "%zu councils x 1000 variants, 2 threads (cpu)", n);
    printf("%-46s %10.3f s %11.1f us %8.0fx\n", label, c3, one * 1e6, c3 / one);
    /* plain rate of the batch, with and without the line */
    sr_buf cmd;
    sr_buf_init(&cmd);
    sr_buf_printf(&cmd, "%s rate", argv[4]);
    for (size_t i = 0; i < g.gl_pathc; i++)
        sr_buf_printf(&cmd, " %s", g.gl_pathv[i]);
    sr_buf_puts(&cmd, " >/dev/null");
    double tb[2];
    for (int off = 1; off >= 0; off--) {
        if (off) setenv("STARRATE_UNSURE", "off", 1); else unsetenv("STARRATE_UNSURE");
        double best = 1e9;
        for (int rep = 0; rep < 3; rep++) {
            double t0 = wall();
            if (system(cmd.data) != 0)
                return 1;
            double d = wall() - t0;
            best = d < best ? d : best;
        }
        tb[off] = best;
    }
    printf("%-46s %10.3f s %12.3f s %8.1fx  (the line's fit and 100 runs per council)\n",
           "plain rate of the batch: with line vs without", tb[0], tb[1], tb[0] / tb[1]);
    sr_buf_free(&cmd);
    globfree(&g);
    return 0;
}
