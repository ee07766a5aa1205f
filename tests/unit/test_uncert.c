/*
 * test_uncert.c — parameters, admissible variants and the chances of a rating (uncert.c).
 */
#include "helpers.h"
#include "uncert.h"

#include <math.h>

typedef struct fitted {
    ss_session s;
    ss_loaded l;
    un_model *m;
    un_council u;
} fitted;

/* Fits the model of a council's pack with `variants` and `seed`, and rates the council. */
static void fit_and_rate_with(fitted *f, const char *council, const un_options *o)
{
    sr_error err;
    sr_error_clear(&err);
    ss_init(&f->s);
    int rc = ss_load(&f->s, council, NULL, NULL, 0, &f->l, &err);
    cr_assert_eq(rc, SR_OK, "%s", err.msg);
    rc = un_fit(&f->s, f->l.pack, o, &f->m, &err);
    cr_assert_eq(rc, SR_OK, "%s:%d: %s", err.file, err.line, err.msg);
    rt_result r;
    rt_init(&r);
    rc = un_rate(f->m, f->l.ev, &r, &f->u, &err);
    cr_assert_eq(rc, SR_OK, "%s", err.msg);
    rt_free(&r);
}

static void fit_and_rate(fitted *f, const char *council, int variants, uint64_t seed)
{
    un_options o = {seed, variants, NULL, 0, 0};
    fit_and_rate_with(f, council, &o);
}

static void fitted_free(fitted *f)
{
    un_model_free(f->m);
    ss_unload(&f->l);
    ss_free(&f->s);
}

Test(uncert, same_seed_same_chances_other_seed_other_draws)
{
    fitted a, b, c;
    fit_and_rate(&a, COUNCIL("harrow-2003.yaml"), 150, 7);
    fit_and_rate(&b, COUNCIL("harrow-2003.yaml"), 150, 7);
    fit_and_rate(&c, COUNCIL("harrow-2003.yaml"), 150, 8);
    cr_assert_eq(un_model_tried(a.m), un_model_tried(b.m));
    cr_assert_eq(memcmp(a.u.stars, b.u.stars, sizeof a.u.stars), 0);
    cr_assert_eq(memcmp(a.u.serving, b.u.serving, sizeof a.u.serving), 0);
    cr_assert_eq(a.u.ndrivers, b.u.ndrivers);
    for (size_t i = 0; i < a.u.ndrivers; i++)
        cr_assert_str_eq(a.u.drivers[i].name, b.u.drivers[i].name);
    cr_assert(un_model_tried(a.m) != un_model_tried(c.m) ||
                  memcmp(a.u.stars, c.u.stars, sizeof a.u.stars) != 0,
              "seeds 7 and 8 drew the same");
    fitted_free(&a), fitted_free(&b), fitted_free(&c);
}

Test(uncert, chances_sum_to_one)
{
    const char *councils[] = {COUNCIL("harrow-2003.yaml"), COUNCIL("durham-2003.yaml"),
                              COUNCIL("demo-0-star.yaml"), COUNCIL("hertfordshire-2002.yaml")};
    for (size_t i = 0; i < sizeof councils / sizeof councils[0]; i++) {
        fitted f;
        fit_and_rate(&f, councils[i], 100, UN_DEFAULT_SEED);
        double sum = f.u.stars_open;
        for (int k = 0; k < 8; k++)
            sum += f.u.stars[k];
        cr_assert_float_eq(sum, 1.0, 1e-9, "%s: stars sum to %g", councils[i], sum);
        for (size_t s = 0; s < f.u.nservices; s++) {
            double sv = 0, cp = 0;
            for (size_t w = 0; w <= f.l.pack->serving.nwords; w++)
                sv += f.u.serving[s][w];
            for (size_t w = 0; w <= f.l.pack->capacity.nwords; w++)
                cp += f.u.capacity[s][w];
            cr_assert_float_eq(sv, 1.0, 1e-9);
            cr_assert_float_eq(cp, 1.0, 1e-9);
        }
        cr_assert_eq(f.u.runs, un_model_variants(f.m));
        cr_assert(f.u.p_likely > 0 && f.u.p_likely <= 1);
        fitted_free(&f);
    }
}

/* Every admissible variant, set again from scratch, passes every test of the pack, and
 * putting the declared values back restores the plain rating. */
Test(uncert, every_admissible_variant_reproduces_every_pack_test)
{
    fitted f;
    fit_and_rate(&f, COUNCIL("durham-2003.yaml"), 120, 11);
    sr_error err;
    sr_error_clear(&err);
    cr_assert_gt(un_model_checks(f.m), 10);
    for (size_t v = un_model_variants(f.m); v-- > 0;) {
        int holds = 0;
        cr_assert_eq(un_apply(f.m, v, &err), SR_OK);
        cr_assert_eq(un_checks_hold(f.m, &holds, &err), SR_OK);
        cr_assert(holds, "variant %zu fails a pack test", v);
    }
    cr_assert_eq(un_apply(f.m, SIZE_MAX, &err), SR_OK);
    rt_result r;
    rt_init(&r);
    cr_assert_eq(rt_evaluate(f.l.pack, f.l.ev, &r, &err), SR_OK);
    cr_assert_eq(r.stars, 2);
    cr_assert_eq(f.u.baseline, 2);
    rt_free(&r);
    fitted_free(&f);
}

/* Some variants are rejected: the ranges are wider than the published outcomes allow. */
Test(uncert, rejection_happens_and_is_counted)
{
    fitted f;
    fit_and_rate(&f, COUNCIL("durham-2003.yaml"), 50, 3);
    cr_assert_eq(un_model_variants(f.m), 50);
    cr_assert_gt(un_model_tried(f.m), 50);
    fitted_free(&f);
}

Test(uncert, declared_values_are_what_the_rules_read)
{
    rp_pack *p = th_pack(RULES_DIR("2003"));
    int i = rp_param_index(p, "serving_most");
    cr_assert_geq(i, 0);
    cr_assert_float_eq(p->params[i].value, 2.75, 1e-12);
    ev_evidence *ev = th_evidence_file(p, COUNCIL("hertfordshire-2002.yaml"));
    (void)ev;
    ev_free(ev);
    /* Hertfordshire's children's mean grade is 2.8: raising the cut-off above it turns "most"
     * into "some" without reloading the pack. */
    rp_pack *p2 = th_pack(RULES_DIR("2002"));
    ev_evidence *h = th_evidence_file(p2, COUNCIL("hertfordshire-2002.yaml"));
    rt_result r;
    rt_init(&r);
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(rt_evaluate(p2, h, &r, &err), SR_OK);
    cr_assert_str_eq(p2->serving.words[r.svc[0].serving].id, "most");
    double *vals = calloc(p2->nparams, sizeof *vals);
    for (size_t k = 0; k < p2->nparams; k++)
        vals[k] = p2->params[k].value;
    vals[rp_param_index(p2, "serving_most")] = 2.85;
    cr_assert_eq(rp_params_set(p2, vals, &err), SR_OK);
    cr_assert_eq(rt_evaluate(p2, h, &r, &err), SR_OK);
    cr_assert_str_eq(p2->serving.words[r.svc[0].serving].id, "some");
    cr_assert_eq(rp_params_set(p2, NULL, &err), SR_OK);
    cr_assert_eq(rt_evaluate(p2, h, &r, &err), SR_OK);
    cr_assert_str_eq(p2->serving.words[r.svc[0].serving].id, "most");
    free(vals);
    rt_free(&r);
    ev_free(h);
    rp_free(p2);
    rp_free(p);
}

Test(uncert, cap_threshold_follows_its_parameter)
{
    rp_pack *p = th_pack(RULES_DIR("2002"));
    const rp_cap *cap = NULL;
    for (size_t i = 0; i < p->ncaps; i++)
        if (strcmp(p->caps[i].id, "D38-equipment") == 0)
            cap = &p->caps[i];
    cr_assert_not_null(cap);
    cr_assert(cap->threshold_param > 0);
    cr_assert_float_eq(cap->below, 80, 1e-12);
    double *vals = calloc(p->nparams, sizeof *vals);
    for (size_t k = 0; k < p->nparams; k++)
        vals[k] = p->params[k].value;
    vals[cap->threshold_param - 1] = 72;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(rp_params_set(p, vals, &err), SR_OK);
    cr_assert_float_eq(cap->below, 72, 1e-12);
    cr_assert_eq(rp_params_set(p, NULL, &err), SR_OK);
    cr_assert_float_eq(cap->below, 80, 1e-12);
    free(vals);
    rp_free(p);
}

static void write_pack(char *dir, const char *rules)
{
    snprintf(dir, 64, "/tmp/starrate-uncert-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    const char *pack = "pack { name = 'plain', version = '1', round = 2002, title = 'no parameters',\n"
                       "  files = { 'decl.lua' } }\n";
    th_write_in(dir, "pack.lua", pack, strlen(pack));
    char decl[4096];
    snprintf(decl, sizeof decl, "%s%s", TH_DECL_LUA, rules);
    th_write_in(dir, "decl.lua", decl, strlen(decl));
}

static void remove_pack(const char *dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/pack.lua", dir), unlink(path);
    snprintf(path, sizeof path, "%s/decl.lua", dir), unlink(path);
    rmdir(dir);
}

Test(uncert, a_pack_without_parameters_says_so_plainly)
{
    char dir[64];
    write_pack(dir, "star_rule { id = 'one', stars = 1, sentence = 's', source = 's',\n"
                    "  when = function(j) return true end }\n");
    rp_pack *p = th_pack(dir);
    ss_session s;
    ss_init(&s);
    sr_error err;
    sr_error_clear(&err);
    un_options o = {1, 100, NULL, 0, 0};
    un_model *m;
    cr_assert_eq(un_fit(&s, p, &o, &m, &err), SR_OK, "%s", err.msg);
    cr_assert(!un_model_has_params(m));
    ev_evidence *ev;
    cr_assert_eq(th_evidence(p, "council: X\nyear: 2002\nchildren: {given: {serving: some, capacity: poor}}\n"
                                "adults: {given: {serving: some, capacity: poor}}\n", &ev, &err),
                 SR_OK, "%s", err.msg);
    rt_result r;
    rt_init(&r);
    un_council u;
    cr_assert_eq(un_rate(m, ev, &r, &u, &err), SR_OK);
    cr_assert_eq(u.runs, 1);
    cr_assert_float_eq(u.p_likely, 1.0, 1e-12);
    sr_buf b;
    sr_buf_init(&b);
    un_text(&b, m, p, &u);
    cr_assert(strstr(b.data, "declares no parameters") != NULL, "%s", b.data);
    sr_buf_free(&b);
    rt_free(&r);
    ev_free(ev);
    un_model_free(m);
    ss_free(&s);
    rp_free(p);
    remove_pack(dir);
}

Test(uncert, a_parameter_read_while_loading_or_undeclared_is_an_error)
{
    char dir[64];
    write_pack(dir, "param { id = 'x', value = 1, lo = 0, hi = 2, reconstructed = 'r' }\n"
                    "local y = params.x\n");
    rp_pack *p = NULL;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_neq(rp_load(dir, NULL, &p, &err), SR_OK);
    cr_assert(strstr(err.msg, "undefined parameter 'x'") != NULL, "%s", err.msg);
    remove_pack(dir);
    write_pack(dir, "param { id = 'x', value = 3, lo = 0, hi = 2, reconstructed = 'r' }\n");
    sr_error_clear(&err);
    cr_assert_neq(rp_load(dir, NULL, &p, &err), SR_OK);
    cr_assert(strstr(err.msg, "not within") != NULL, "%s", err.msg);
    remove_pack(dir);
    write_pack(dir, "param { id = 'x', value = 1, lo = 0, hi = 2, source = 'documented' }\n");
    sr_error_clear(&err);
    cr_assert_neq(rp_load(dir, NULL, &p, &err), SR_OK);
    cr_assert(strstr(err.msg, "documented number is fixed") != NULL, "%s", err.msg);
    remove_pack(dir);
}

Test(uncert, options_are_checked)
{
    un_options o;
    char msg[160];
    cr_assert_eq(un_parse_options(NULL, NULL, 0, &o, msg, sizeof msg), 0);
    cr_assert_eq(o.seed, UN_DEFAULT_SEED);
    cr_assert_eq(o.variants, UN_DEFAULT_VARIANTS);
    cr_assert_eq(un_parse_options(NULL, NULL, 1, &o, msg, sizeof msg), 0);
    cr_assert_eq(o.variants, UN_FAST_VARIANTS);
    cr_assert_eq(un_parse_options("42", "10", 0, &o, msg, sizeof msg), 0);
    cr_assert_eq(o.seed, 42);
    cr_assert_eq(o.variants, 10);
    cr_assert_eq(un_parse_options("-1", NULL, 0, &o, msg, sizeof msg), -1);
    cr_assert_eq(un_parse_options(NULL, "0", 0, &o, msg, sizeof msg), -1);
    cr_assert_eq(un_parse_options(NULL, "x", 0, &o, msg, sizeof msg), -1);
}

/* Tries are seeded by their number: the workers of the fit change its speed, not its result. */
Test(uncert, the_fit_is_the_same_on_one_worker_or_several)
{
    fitted a, b;
    un_options one = {11, 120, NULL, 1, 0}, three = {11, 120, NULL, 3, 0};
    fit_and_rate_with(&a, COUNCIL("harrow-2003.yaml"), &one);
    fit_and_rate_with(&b, COUNCIL("harrow-2003.yaml"), &three);
    cr_assert_eq(un_model_variants(a.m), 120);
    cr_assert_eq(un_model_variants(b.m), 120);
    cr_assert_eq(un_model_tried(a.m), un_model_tried(b.m));
    cr_assert_gt(un_model_tried(a.m), 120, "some tries are rejected");
    cr_assert_eq(un_model_checks(a.m), un_model_checks(b.m));
    cr_assert_eq(memcmp(a.u.stars, b.u.stars, sizeof a.u.stars), 0);
    cr_assert_eq(memcmp(a.u.capacity, b.u.capacity, sizeof a.u.capacity), 0);
    fitted_free(&a), fitted_free(&b);
}

/* A second worker's model of the same pack takes the variants the first one fitted. */
Test(uncert, workers_share_one_fit)
{
    sr_error err;
    sr_error_clear(&err);
    un_shared *sh;
    cr_assert_eq(un_shared_new(&sh), SR_OK);
    un_options o = {5, 80, NULL, 2, 0};
    ss_session s1, s2;
    ss_init(&s1), ss_init(&s2);
    ss_loaded l1, l2;
    cr_assert_eq(ss_load(&s1, COUNCIL("harrow-2003.yaml"), NULL, NULL, 0, &l1, &err), SR_OK);
    cr_assert_eq(ss_load(&s2, COUNCIL("harrow-2003.yaml"), NULL, NULL, 0, &l2, &err), SR_OK);
    cr_assert_neq(l1.pack, l2.pack, "each worker has a pack of its own");
    un_cache c1, c2;
    un_cache_init(&c1, &o), un_cache_init(&c2, &o);
    c1.shared = c2.shared = sh;
    un_model *m1, *m2;
    cr_assert_eq(un_cache_get(&c1, &s1, l1.pack, &m1, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(un_cache_get(&c2, &s2, l2.pack, &m2, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(un_model_variants(m2), un_model_variants(m1));
    cr_assert_eq(un_model_tried(m2), un_model_tried(m1));
    cr_assert_eq(un_model_checks(m2), un_model_checks(m1));
    rt_result r;
    rt_init(&r);
    un_council u1, u2;
    cr_assert_eq(un_rate(m1, l1.ev, &r, &u1, &err), SR_OK);
    cr_assert_eq(un_rate(m2, l2.ev, &r, &u2, &err), SR_OK);
    cr_assert_eq(memcmp(u1.stars, u2.stars, sizeof u1.stars), 0);
    cr_assert_eq(memcmp(u1.serving, u2.serving, sizeof u1.serving), 0);
    rt_free(&r);
    un_cache_free(&c2), un_cache_free(&c1);
    ss_unload(&l2), ss_unload(&l1);
    ss_free(&s2), ss_free(&s1);
    un_shared_free(sh);
}

/* The plain rate's line: runs that surely (95%) give one rating at least 80% of the time stop
 * early and say nothing; runs in doubt go on to the end, as without the shortcut. */
Test(uncert, quick_runs_stop_only_when_surely_sure)
{
    fitted sure, full, unsure;
    un_options quick = {2002, 100, NULL, 1, 1}, plain = {2002, 100, NULL, 1, 0};
    fit_and_rate_with(&sure, COUNCIL("demo-3-star.yaml"), &quick);
    fit_and_rate_with(&full, COUNCIL("demo-3-star.yaml"), &plain);
    fit_and_rate_with(&unsure, COUNCIL("harrow-2003.yaml"), &quick);
    cr_assert_eq(full.u.runs, 100);
    cr_assert_eq(full.u.p_likely, 1.0, "every run of the full set gives 3 stars");
    cr_assert_eq(sure.u.runs, UN_QUICK_RUNS);
    cr_assert_eq(sure.u.likely, full.u.likely);
    cr_assert_eq(sure.u.p_likely, 1.0);
    cr_assert_eq(unsure.u.runs, 100, "Harrow's runs disagree: all of them are run");
    cr_assert_lt(unsure.u.p_likely, UN_UNSURE);
    fitted_free(&sure), fitted_free(&full), fitted_free(&unsure);
}
