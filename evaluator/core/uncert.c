/*
 * uncert.c — admissible variants of a rule pack and the probabilities of a council's rating.
 */
#include "uncert.h"
#include "fitstore.h"
#include "hash.h"
#include "jobs.h"
#include "output.h"
#include "packtest.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the generator: xoshiro256** seeded by splitmix64 (both public domain, Vigna) ------- */

typedef struct un_rng {
    uint64_t s[4];
} un_rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Seeds from two numbers (the seed and a stream: variants, or a run's unknowns), so every
 * stream is independent of how much the others drew. */
static void rng_seed(un_rng *g, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ splitmix64(&(uint64_t){stream});
    for (int i = 0; i < 4; i++)
        g->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(un_rng *g)
{
    uint64_t *s = g->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double rng_unit(un_rng *g) { return (double)(rng_next(g) >> 11) * 0x1.0p-53; }

static double draw_param(un_rng *g, const rp_param *q)
{
    double u = rng_unit(g), lo = q->lo, hi = q->hi, c = q->value;
    if (q->dist == RP_DIST_UNIFORM || hi <= lo)
        return lo + u * (hi - lo);
    /* triangular with its mode at the declared value: the inverse of its distribution */
    double f = (c - lo) / (hi - lo);
    return u < f ? lo + sqrt(u * (hi - lo) * (c - lo)) : hi - sqrt((1 - u) * (hi - lo) * (hi - c));
}

/* ---- a pack the variants are set in ---------------------------------------------------- */

typedef struct binding {
    rp_pack *p;
    int *pmap;        /* per model parameter: its index in p, or -1 */
    int *imap;        /* per indicator of p: its index in the model's pack, or -1 */
    rp_band *bands;   /* the declared bands of p's indicators, 4 each */
    double *vals;     /* scratch: one value per parameter of p */
} binding;

typedef struct un_check {
    char *name;
    char *file;
    ss_loaded l;
    const yd_node *expect;
    int binding;
    int fixed;        /* every judgement given: only the star table decides, no parameter */
    int want[RP_MAX_SERVICES][2]; /* expected serving and capacity word, or PT_ANY */
} un_check;

struct un_model {
    rp_pack *p;
    uint64_t seed;
    size_t nparams;     /* the pack's parameters */
    int shift;          /* index of the `each = "indicator"` parameter, -1 none */
    size_t nvalues;     /* per variant: nparams values, then one shift per indicator */
    double *values;
    size_t nvariants;
    long tried;
    long *admitted;     /* per variant: the number of its try (kept in the fit store) */
    sr_buf key;         /* what the fit reads beyond the pack: a line per test file and case */
    int quick;          /* the plain rate's line: stop once the runs agree (un_rate) */
    size_t ncases;      /* test cases each variant passed (kept when the cases are not) */
    binding *b;         /* b[0] is the model's own pack */
    size_t nb;
    un_check *checks;
    size_t nchecks;
    yd_node **docs;     /* the test files, kept for the expectations */
    size_t ndocs;
    rt_result r;
};

static void binding_free(binding *b)
{
    sr_free(b->pmap), sr_free(b->imap), sr_free(b->bands), sr_free(b->vals);
}

static int binding_for(un_model *m, rp_pack *p, int *out, sr_error *err)
{
    for (size_t i = 0; i < m->nb; i++)
        if (m->b[i].p == p) {
            *out = (int)i;
            return SR_OK;
        }
    binding *grown = sr_realloc(m->b, (m->nb + 1) * sizeof *grown);
    if (!grown)
        return sr_oom(err);
    m->b = grown;
    binding *b = &m->b[m->nb];
    memset(b, 0, sizeof *b);
    b->p = p;
    b->pmap = sr_calloc(m->nparams + 1, sizeof *b->pmap);
    b->imap = sr_calloc(p->nindicators + 1, sizeof *b->imap);
    b->bands = sr_calloc(p->nindicators * 4 + 1, sizeof *b->bands);
    b->vals = sr_calloc(p->nparams + 1, sizeof *b->vals);
    if (!b->pmap || !b->imap || !b->bands || !b->vals) {
        binding_free(b);
        return sr_oom(err);
    }
    for (size_t i = 0; i < m->nparams; i++)
        b->pmap[i] = rp_param_index(p, m->p->params[i].id);
    for (size_t k = 0; k < p->nindicators; k++) {
        const rp_indicator *d = rp_indicator_find(m->p, p->indicators[k].code);
        b->imap[k] = d ? (int)(d - m->p->indicators) : -1;
        memcpy(&b->bands[4 * k], p->indicators[k].bands, sizeof p->indicators[k].bands);
    }
    *out = (int)m->nb++;
    return SR_OK;
}

/* Band limits moved by s band widths, stricter when s > 0. A band's width is the mean gap
 * between the declared limits (or a tenth of the only limit). */
static void shift_bands(rp_indicator *d, const rp_band *decl, double s)
{
    size_t n = d->nbands;
    memcpy(d->bands, decl, 4 * sizeof *decl);
    if (s == 0 || n == 0)
        return;
    double wmin = n > 1 ? (decl[0].min - decl[n - 1].min) / (double)(n - 1) : fabs(decl[0].min) / 10;
    double wmax = n > 1 ? (decl[n - 1].max - decl[0].max) / (double)(n - 1) : fabs(decl[0].max) / 10;
    for (size_t i = 0; i < n; i++) {
        rp_band *b = &d->bands[i];
        if (d->polarity == RP_HIGHER && b->has_min) b->min += s * fabs(wmin);
        if (d->polarity == RP_LOWER && b->has_max) b->max -= s * fabs(wmax);
        if (d->polarity == RP_RANGE) {
            if (b->has_min) b->min += s * fabs(wmin);
            if (b->has_max) b->max -= s * fabs(wmax);
        }
    }
}

static int apply_binding(un_model *m, binding *b, const double *x, sr_error *err)
{
    rp_pack *p = b->p;
    for (size_t j = 0; j < p->nparams; j++)
        b->vals[j] = p->params[j].value;
    if (x)
        for (size_t i = 0; i < m->nparams; i++)
            if (b->pmap[i] >= 0 && !m->p->params[i].each_indicator)
                b->vals[b->pmap[i]] = x[i];
    int rc = rp_params_set(p, b->vals, err);
    for (size_t k = 0; rc == SR_OK && k < p->nindicators; k++) {
        rp_indicator *d = &p->indicators[k];
        double s = 0;
        if (x && m->shift >= 0 && d->prov.reconstructed && b->imap[k] >= 0)
            s = x[m->nparams + (size_t)b->imap[k]];
        shift_bands(d, &b->bands[4 * k], s);
    }
    return rc;
}

static const double *variant(const un_model *m, size_t v)
{
    return v == SIZE_MAX || !m->nvalues ? NULL : m->values + v * m->nvalues;
}

int un_apply(un_model *m, size_t v, sr_error *err)
{
    const double *x = variant(m, v);
    int rc = SR_OK;
    for (size_t i = 0; rc == SR_OK && i < m->nb; i++)
        rc = apply_binding(m, &m->b[i], x, err);
    return rc;
}

/* ---- the pack's tests ------------------------------------------------------------------ */

static int add_check(un_model *m, ss_session *s, const char *file, const char *packdir,
                     const yd_node *cs, const char *exclude, sr_error *err)
{
    const yd_node *ev = yd_get(cs, "evidence"), *exp = yd_get(cs, "expect");
    const yd_node *nm = yd_get(cs, "name"), *fp = yd_get(cs, "from_published");
    if (cs->kind != YD_MAP || !ev || !exp || !nm || nm->kind != YD_SCALAR)
        return sr_fail(err, SR_EINPUT, file, cs->line, cs->col, "a test case needs name, evidence and expect");
    int from_pub = fp && fp->kind == YD_SCALAR && strcmp(fp->str, "true") == 0;
    char path[3 * PATH_MAX];
    const yd_node *node = pt_case_evidence(file, ev, path, sizeof path);
    ss_loaded l;
    int rc = ss_load(s, path, node, packdir, from_pub, &l, err);
    if (rc != SR_OK)
        return rc;
    /* evidence given inline is in its test file, which has a line of its own */
    sr_buf_printf(&m->key, "case %s %s\n", l.ev->sha256, l.pack->sha256);
    if (exclude && l.ev->council && strcmp(l.ev->council, exclude) == 0) {
        ss_unload(&l);
        return SR_OK;
    }
    un_check *grown = sr_realloc(m->checks, (m->nchecks + 1) * sizeof *grown);
    if (!grown) {
        ss_unload(&l);
        return sr_oom(err);
    }
    m->checks = grown;
    un_check *c = &m->checks[m->nchecks];
    memset(c, 0, sizeof *c);
    c->l = l;
    c->expect = exp;
    c->name = sr_strdup(nm->str);
    c->file = sr_strdup(file);
    c->fixed = 1;
    for (size_t k = 0; k < l.ev->nservices && k < RP_MAX_SERVICES; k++)
        if (l.ev->services[k].present &&
            (l.ev->services[k].given_serving < 0 || l.ev->services[k].given_capacity < 0))
            c->fixed = 0;
    for (size_t k = 0; k < l.pack->nservices && k < RP_MAX_SERVICES; k++)
        pt_expect_service(exp, l.pack, k, &c->want[k][0], &c->want[k][1]);
    m->nchecks++;
    if (!c->name || !c->file)
        return sr_oom(err);
    return binding_for(m, l.pack, &c->binding, err);
}

static int load_test_file(un_model *m, ss_session *s, const char *file, const char *packdir,
                          const char *exclude, sr_error *err)
{
    yd_node *doc = NULL;
    char *data = NULL, sha[65];
    size_t len = 0;
    int rc = sr_read_file(file, yd_default_limits.max_bytes, &data, &len, err);
    if (rc == SR_OK) rc = hs_sha256_hex(data, len, sha, err);
    if (rc == SR_OK) rc = yd_parse(file, data, len, &yd_default_limits, &doc, err);
    sr_free(data);
    if (rc != SR_OK)
        return rc;
    sr_buf_printf(&m->key, "test %s\n", sha);
    yd_node **grown = sr_realloc(m->docs, (m->ndocs + 1) * sizeof *grown);
    if (!grown) {
        yd_free(doc);
        return sr_oom(err);
    }
    m->docs = grown;
    m->docs[m->ndocs++] = doc;
    const yd_node *cases = yd_get(doc, "cases");
    if (!cases || cases->kind != YD_SEQ)
        return sr_fail(err, SR_EINPUT, file, 1, 1, "a test file needs a list 'cases'");
    for (size_t i = 0; rc == SR_OK && i < cases->n; i++)
        rc = add_check(m, s, file, packdir, cases->items[i], exclude, err);
    return rc;
}

static int load_test_dir(un_model *m, ss_session *s, const char *packdir, const char *exclude,
                         sr_error *err)
{
    char *names[256];
    int n = pt_test_files(packdir, names, 256);
    int rc = n < 0 ? sr_oom(err) : SR_OK;
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%.*s/tests/%.255s", PATH_MAX - 300, packdir, names[i]);
        if (rc == SR_OK)
            rc = load_test_file(m, s, path, packdir, exclude, err);
        sr_free(names[i]);
    }
    return rc;
}

/* The folders of the pack and of those it extends: the folders of the files it loaded. */
static int load_tests(un_model *m, ss_session *s, const char *exclude, sr_error *err)
{
    char seen[8][PATH_MAX];
    size_t nseen = 0;
    int rc = SR_OK;
    for (size_t i = 0; rc == SR_OK && i < m->p->nfiles; i++) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", m->p->files[i]);
        char *slash = strrchr(dir, '/');
        if (!slash)
            continue;
        *slash = '\0';
        size_t k = 0;
        while (k < nseen && strcmp(seen[k], dir) != 0)
            k++;
        if (k < nseen || nseen == 8)
            continue;
        snprintf(seen[nseen++], PATH_MAX, "%s", dir);
        rc = load_test_dir(m, s, dir, exclude, err);
    }
    return rc;
}

/* rt_result.service_done of a test case: whether service s came out as the case expects, so
 * a variant is rejected at its first wrong service without deriving the rest. */
static int service_as_expected(void *ctx, const rt_result *r, size_t s)
{
    const un_check *c = ctx;
    if (s >= RP_MAX_SERVICES)
        return 1;
    int ws = c->want[s][0], wc = c->want[s][1];
    return (ws == PT_ANY || ws == r->svc[s].serving) && (wc == PT_ANY || wc == r->svc[s].capacity);
}

/* fixed: 0 every case; 1 leave out the cases whose judgements are all given; 2 only those. Caps act on derived
 * judgements only and the star rows read no parameter (docs/rules.md), so those cases come
 * out the same under every variant: the sampler checks them once, with the declared values. */
static int checks_hold(un_model *m, int *holds, int fixed, sr_error *err)
{
    *holds = 1;
    for (size_t i = 0; i < m->nchecks; i++) {
        un_check *c = &m->checks[i];
        if ((fixed == 1 && c->fixed) || (fixed == 2 && !c->fixed))
            continue;
        m->r.service_done = service_as_expected;
        m->r.service_ctx = c;
        int rc = rt_evaluate(c->l.pack, c->l.ev, &m->r, err);
        m->r.service_done = NULL;
        if (rc == SR_ELIMIT || rc == SR_ERULES) {
            *holds = 0; /* a variant that breaks a rule is not admissible */
        } else if (rc != SR_OK) {
            return rc;
        } else if (m->r.stopped) {
            *holds = 0; /* a service came out other than the case says */
        } else {
            sr_buf f;
            sr_buf_init(&f);
            rc = pt_expect(c->expect, c->file, c->l.pack, &m->r, &f, err);
            int failed = f.len > 0 || f.oom;
            sr_buf_free(&f);
            if (rc != SR_OK)
                return rc;
            *holds = !failed;
        }
        if (!*holds) {
            /* The case that failed is tried first next time: rejections stay cheap. */
            if (i > 0) {
                un_check t = m->checks[i];
                memmove(&m->checks[1], &m->checks[0], i * sizeof t);
                m->checks[0] = t;
            }
            return SR_OK;
        }
    }
    return SR_OK;
}

int un_checks_hold(un_model *m, int *holds, sr_error *err)
{
    return checks_hold(m, holds, 0, err);
}

/* ---- fitting --------------------------------------------------------------------------- */

static void draw_variant(const un_model *m, un_rng *g, double *x)
{
    for (size_t i = 0; i < m->nparams; i++)
        x[i] = m->p->params[i].each_indicator ? m->p->params[i].value : draw_param(g, &m->p->params[i]);
    if (m->shift >= 0)
        for (size_t k = 0; k < m->p->nindicators; k++)
            x[m->nparams + k] = draw_param(g, &m->p->params[m->shift]);
}

/* The parallel fit. Tries are numbered and each draws from a stream of its own (try t is the
 * same variant whoever runs it), so the tries are shared among workers in chunks and the
 * admissible variants are the first `want` admissible tries in try order: the same set, the
 * same order and the same count of tries whatever the number of workers. Worker 0 is the
 * model being fitted; every other worker has a session, a pack and test cases of its own,
 * because a Lua state serves one thread. */
typedef struct fit_worker {
    ss_session s;
    un_model *m;
    double *x;          /* the try's values */
    int rc;
    sr_error err;
} fit_worker;

typedef struct fit_run {
    fit_worker *w;
    int nw;
    long base;          /* the chunk's first try */
    unsigned char *ok;  /* per try of the chunk: admissible */
} fit_run;

static int model_new(rp_pack *p, const un_options *o, un_model **out, sr_error *err);
static int model_tests(un_model *m, ss_session *s, const un_options *o, sr_error *err);

static void fit_task(void *ctx, int worker, int task)
{
    fit_run *f = ctx;
    fit_worker *w = &f->w[worker];
    if (w->rc != SR_OK)
        return;
    un_rng g;
    rng_seed(&g, w->m->seed, (1ull << 40) + (uint64_t)(f->base + task));
    draw_variant(w->m, &g, w->x);
    int holds = 0;
    int rc = SR_OK;
    for (size_t i = 0; rc == SR_OK && i < w->m->nb; i++)
        rc = apply_binding(w->m, &w->m->b[i], w->x, &w->err);
    if (rc == SR_OK) rc = checks_hold(w->m, &holds, 1, &w->err);
    w->rc = rc;
    f->ok[task] = (unsigned char)holds; /* read once jb_run has joined every worker */
}

static void fit_workers_free(fit_run *f)
{
    for (int i = 0; i < f->nw; i++) {
        sr_free(f->w[i].x);
        if (i > 0) {
            un_model_free(f->w[i].m);
            ss_free(&f->w[i].s);
        }
    }
    sr_free(f->w);
}

/* Worker 0 is m itself; the others load the pack of m afresh, with its tests. A worker that
 * cannot be made is left out: the fit needs only one. */
static int fit_workers(fit_run *f, un_model *m, const un_options *o, sr_error *err)
{
    int want = o->threads > 1 ? o->threads : 1;
    f->w = sr_calloc((size_t)want, sizeof *f->w);
    if (!f->w)
        return sr_oom(err);
    f->w[0].m = m;
    f->w[0].x = sr_calloc(m->nvalues + 1, sizeof *f->w[0].x);
    f->nw = 1;
    if (!f->w[0].x)
        return sr_oom(err);
    for (int i = 1; i < want; i++) {
        fit_worker *w = &f->w[f->nw];
        ss_init(&w->s);
        rp_pack *p = ss_pack(&w->s, m->p->dir, &w->err);
        int rc = p ? model_new(p, o, &w->m, &w->err) : SR_ERULES;
        if (rc == SR_OK) rc = model_tests(w->m, &w->s, o, &w->err);
        if (rc == SR_OK && !(w->x = sr_calloc(m->nvalues + 1, sizeof *w->x)))
            rc = SR_ENOMEM;
        if (rc != SR_OK || w->m->nvalues != m->nvalues || w->m->nchecks != m->nchecks) {
            un_model_free(w->m);
            sr_free(w->x);
            ss_free(&w->s);
            memset(w, 0, sizeof *w);
            break;
        }
        f->nw++;
    }
    return SR_OK;
}

/* One chunk of tries from f->base; returns the first error of any worker. */
static int fit_chunk(fit_run *f, long n, sr_error *err)
{
    jb_run(fit_task, NULL, f, (int)n, f->nw);
    for (int i = 0; i < f->nw; i++)
        if (f->w[i].rc != SR_OK) {
            *err = f->w[i].err;
            return f->w[i].rc;
        }
    return SR_OK;
}

/* Tries in the next chunk: enough for the variants still wanted at the acceptance seen so far
 * and a tenth more, at least a few per worker, and never past the limit. */
static long chunk_size(const fit_run *f, size_t want, size_t have, long tried, long max_tries)
{
    double rate = have > 0 ? (double)have / (double)tried : 0.05;
    long n = (long)((double)(want - have) / rate * 1.1) + 1;
    if (n < 16L * f->nw)
        n = 16L * f->nw;
    if (n > 4096)
        n = 4096;
    return n < max_tries - tried ? n : max_tries - tried;
}

static int sample(un_model *m, const un_options *o, size_t want, sr_error *err)
{
    m->values = sr_calloc(want * m->nvalues + 1, sizeof *m->values);
    m->admitted = sr_calloc(want + 1, sizeof *m->admitted);
    if (!m->values || !m->admitted)
        return sr_oom(err);
    long max_tries = (long)want * UN_MAX_TRIES_PER_VARIANT;
    int fixed_hold = 0;
    int rc = un_apply(m, SIZE_MAX, err);
    if (rc == SR_OK) rc = checks_hold(m, &fixed_hold, 2, err);
    if (rc == SR_OK && !fixed_hold)
        max_tries = 0; /* its star-table tests fail: no variant can be admissible */
    fit_run f = {0};
    if (rc == SR_OK && max_tries > 0) rc = fit_workers(&f, m, o, err);
    unsigned char *ok = NULL;
    long tried = 0;
    while (rc == SR_OK && m->nvariants < want && tried < max_tries) {
        long n = chunk_size(&f, want, m->nvariants, tried, max_tries);
        sr_free(ok);
        if (!(ok = sr_calloc((size_t)n, 1))) {
            rc = sr_oom(err);
            break;
        }
        f.base = tried, f.ok = ok;
        rc = fit_chunk(&f, n, err);
        /* the admissible tries in order, up to the number wanted: tried counts up to the last */
        for (long t = 0; rc == SR_OK && t < n && m->nvariants < want; t++) {
            m->tried = tried + t + 1;
            if (!ok[t])
                continue;
            un_rng g;
            rng_seed(&g, m->seed, (1ull << 40) + (uint64_t)(tried + t));
            m->admitted[m->nvariants] = tried + t;
            draw_variant(m, &g, m->values + m->nvariants++ * m->nvalues);
        }
        tried += n;
    }
    sr_free(ok);
    if (f.w) fit_workers_free(&f);
    int rrc = un_apply(m, SIZE_MAX, err);
    return rc != SR_OK ? rc : rrc;
}

static int model_new(rp_pack *p, const un_options *o, un_model **out, sr_error *err)
{
    *out = NULL;
    un_model *m = sr_calloc(1, sizeof *m);
    if (!m)
        return sr_oom(err);
    rt_init(&m->r);
    sr_buf_init(&m->key);
    m->r.trace_off = 1;
    m->r.memo_off = 1; /* every try sets new values: a remembered answer never applies */
    m->p = p;
    m->seed = o->seed;
    m->quick = o->quick;
    m->nparams = p->nparams;
    m->shift = -1;
    for (size_t i = 0; i < p->nparams; i++)
        if (p->params[i].each_indicator)
            m->shift = (int)i;
    m->nvalues = m->nparams + (m->shift >= 0 ? p->nindicators : 0);
    *out = m;
    int own;
    return binding_for(m, p, &own, err);
}

static int model_tests(un_model *m, ss_session *s, const un_options *o, sr_error *err)
{
    return m->nparams ? load_tests(m, s, o->exclude, err) : SR_OK;
}

/* ---- the fit store (fitstore.h) --------------------------------------------------------- */

/* The key of a fit: everything its outcome depends on. 0 when there is none to give (no
 * build id, or the key text ran out of memory): then the fit is neither looked up nor kept. */
static int fit_key(const un_model *m, const un_options *o, size_t want, char key[65])
{
    char program[80];
    if (m->key.oom || !fs_program_id(program, sizeof program))
        return 0;
    sr_buf b;
    sr_buf_init(&b);
    sr_buf_printf(&b, "starrate %s %s\nseed %llu\nwant %zu\nexclude %s\nvalues %zu\npack %s\n",
                  SR_VERSION, program, (unsigned long long)o->seed, want,
                  o->exclude ? o->exclude : "", m->nvalues, m->p->sha256);
    sr_buf_putn(&b, m->key.data ? m->key.data : "", m->key.len);
    sr_error ignored;
    sr_error_clear(&ignored);
    int ok = !b.oom && hs_sha256_hex(b.data, b.len, key, &ignored) == SR_OK;
    sr_buf_free(&b);
    return ok;
}

/* The variants of a kept fit, drawn again from their tries' numbers; 1 on a hit. */
static int recall(un_model *m, const char *key, size_t want)
{
    fs_fit f;
    if (!fs_load(key, &f))
        return 0;
    int hit = f.n <= want && f.ncases == (long)m->nchecks &&
              (m->values = sr_calloc(f.n * m->nvalues + 1, sizeof *m->values)) &&
              (m->admitted = sr_calloc(f.n + 1, sizeof *m->admitted));
    for (size_t v = 0; hit && v < f.n; v++) {
        un_rng g;
        rng_seed(&g, m->seed, (1ull << 40) + (uint64_t)f.admitted[v]);
        m->admitted[v] = f.admitted[v];
        draw_variant(m, &g, m->values + v * m->nvalues);
    }
    if (hit)
        m->nvariants = f.n, m->tried = f.tried;
    else {
        sr_free(m->values), sr_free(m->admitted);
        m->values = NULL, m->admitted = NULL;
    }
    fs_fit_free(&f);
    return hit;
}

static int fit_or_recall(un_model *m, const un_options *o, size_t want, sr_error *err)
{
    char key[65];
    int keyed = fit_key(m, o, want, key);
    if (keyed && recall(m, key, want))
        return SR_OK;
    int rc = sample(m, o, want, err);
    if (rc == SR_OK && keyed && m->nvariants > 0) {
        fs_fit f = {m->tried, (long)m->nchecks, m->nvariants, m->admitted};
        fs_save(key, &f);
    }
    return rc;
}

int un_fit(ss_session *s, rp_pack *p, const un_options *o, un_model **out, sr_error *err)
{
    *out = NULL;
    un_model *m;
    int rc = model_new(p, o, &m, err);
    if (rc == SR_OK) rc = model_tests(m, s, o, err);
    size_t want = o->variants > 0 ? (size_t)o->variants : UN_DEFAULT_VARIANTS;
    if (rc == SR_OK && m->nparams)
        rc = fit_or_recall(m, o, want, err);
    if (rc == SR_OK && !m->nparams)
        m->nvariants = 1, m->tried = 1; /* the pack as declared: nothing to vary */
    if (m) m->ncases = m->nchecks;
    if (rc == SR_OK && m->nvariants == 0)
        rc = sr_fail(err, SR_ERULES, p->dir, 0, 0,
                     "no variant of the pack's parameters passes its tests in %ld tries", m->tried);
    if (rc != SR_OK) {
        un_model_free(m);
        return rc;
    }
    *out = m;
    return SR_OK;
}

void un_model_free(un_model *m)
{
    if (!m)
        return;
    sr_error ignored;
    sr_error_clear(&ignored);
    un_apply(m, SIZE_MAX, &ignored);
    for (size_t i = 0; i < m->nchecks; i++) {
        ss_unload(&m->checks[i].l);
        sr_free(m->checks[i].name), sr_free(m->checks[i].file);
    }
    sr_free(m->checks);
    for (size_t i = 0; i < m->ndocs; i++)
        yd_free(m->docs[i]);
    sr_free(m->docs);
    for (size_t i = 0; i < m->nb; i++)
        binding_free(&m->b[i]);
    sr_free(m->b);
    sr_free(m->values);
    sr_free(m->admitted);
    sr_buf_free(&m->key);
    rt_free(&m->r);
    sr_free(m);
}

size_t un_model_variants(const un_model *m) { return m->nvariants; }
long un_model_tried(const un_model *m) { return m->tried; }
size_t un_model_checks(const un_model *m) { return m->ncases; }
uint64_t un_model_seed(const un_model *m) { return m->seed; }
int un_model_has_params(const un_model *m) { return m->nparams > 0; }

/* ---- the unknowns of one council ------------------------------------------------------- */

typedef struct gap {
    un_input_kind kind;
    size_t svc;
    int ind;          /* UN_MISSING_INDICATOR: pack indicator; UN_THRESHOLD_VALUE: evidence index */
    int req;          /* UN_UNKNOWN_REQUIREMENT: pack requirement */
} gap;

typedef struct filled {
    ev_evidence ev;                       /* a shallow copy whose arrays below are our own */
    ev_indicator *ind[RP_MAX_SERVICES];
    int *req[RP_MAX_SERVICES];
    gap *gaps;
    size_t ngaps;
} filled;

static int has_indicator(const ev_service *svc, const char *code)
{
    for (size_t i = 0; i < svc->nindicators; i++)
        if (strcmp(svc->indicators[i].code, code) == 0)
            return 1;
    return 0;
}

static int capped_indicator(const rp_pack *p, const char *code)
{
    for (size_t i = 0; i < p->ncaps; i++)
        if (p->caps[i].indicator && strcmp(p->caps[i].indicator, code) == 0)
            return 1;
    return 0;
}

static int add_gap(filled *f, gap g)
{
    gap *grown = sr_realloc(f->gaps, (f->ngaps + 1) * sizeof *grown);
    if (!grown)
        return SR_ENOMEM;
    f->gaps = grown;
    f->gaps[f->ngaps++] = g;
    return SR_OK;
}

static void filled_free(filled *f)
{
    for (size_t s = 0; s < RP_MAX_SERVICES; s++)
        sr_free(f->ind[s]), sr_free(f->req[s]);
    sr_free(f->gaps);
}

/* Lists the unknowns and makes the evidence that holds a value for each. */
static int fill_prepare(const rp_pack *p, const ev_evidence *ev, filled *f, sr_error *err)
{
    memset(f, 0, sizeof *f);
    f->ev = *ev;
    if (!p->gaps.declared)
        return SR_OK;
    int rc = SR_OK;
    for (size_t s = 0; rc == SR_OK && s < ev->nservices && s < RP_MAX_SERVICES; s++) {
        const ev_service *svc = &ev->services[s];
        if (!svc->present)
            continue;
        size_t before = f->ngaps;
        for (size_t i = 0; rc == SR_OK && i < svc->nindicators; i++)
            if (!svc->indicators[i].has_value && capped_indicator(p, svc->indicators[i].code))
                rc = add_gap(f, (gap){UN_THRESHOLD_VALUE, s, (int)i, -1});
        for (size_t k = 0; rc == SR_OK && k < p->nindicators; k++)
            if ((size_t)p->indicators[k].service == s && !has_indicator(svc, p->indicators[k].code))
                rc = add_gap(f, (gap){UN_MISSING_INDICATOR, s, (int)k, -1});
        size_t nmissing = 0;
        for (size_t g = before; g < f->ngaps; g++)
            nmissing += f->gaps[g].kind == UN_MISSING_INDICATOR;
        f->ind[s] = sr_calloc(svc->nindicators + nmissing + 1, sizeof *f->ind[s]);
        f->req[s] = sr_calloc(p->nrequirements + 1, sizeof *f->req[s]);
        if (rc == SR_OK && (!f->ind[s] || !f->req[s]))
            rc = SR_ENOMEM;
        if (rc != SR_OK)
            break;
        if (svc->nindicators) /* memcpy from NULL is undefined even for no bytes */
            memcpy(f->ind[s], svc->indicators, svc->nindicators * sizeof *f->ind[s]);
        size_t n = svc->nindicators;
        for (size_t g = before; g < f->ngaps; g++) {
            if (f->gaps[g].kind != UN_MISSING_INDICATOR)
                continue;
            const rp_indicator *d = &p->indicators[f->gaps[g].ind];
            ev_indicator *ni = &f->ind[s][n];
            ni->code = d->code;
            ni->def = d;
            ni->has_value = 1;
            ni->origin = EV_ORIGIN_ESTIMATE;
            f->gaps[g].ind = (int)n++; /* from now on: the evidence index */
        }
        f->ev.services[s].indicators = f->ind[s];
        f->ev.services[s].nindicators = n;
        if (p->nrequirements && svc->requirements)
            memcpy(f->req[s], svc->requirements, p->nrequirements * sizeof *f->req[s]);
        f->ev.services[s].requirements = f->req[s];
    }
    /* A requirement is one fact however many services it applies to: one draw. */
    for (size_t k = 0; rc == SR_OK && k < p->nrequirements; k++) {
        int unknown = 0;
        for (size_t s = 0; s < ev->nservices && s < RP_MAX_SERVICES; s++)
            if (f->req[s] && p->requirements[k].services[s] && f->req[s][k] < 0)
                unknown = 1;
        if (unknown)
            rc = add_gap(f, (gap){UN_UNKNOWN_REQUIREMENT, 0, -1, (int)k});
    }
    if (rc == SR_ENOMEM)
        return sr_oom(err);
    return rc;
}

/* A value inside band b by the declared limits (band 1: up to one band width beyond band 2). */
static double value_in_band(const rp_indicator *d, const rp_band *decl, int b, un_rng *g)
{
    size_t n = d->nbands;
    double u = rng_unit(g);
    if (n == 0)
        return u;
    if (d->polarity == RP_RANGE) {
        /* band 5 is the middle; a worse band lies on either side of the better one, and band 1
         * reaches a band width beyond the last limits */
        size_t i = (size_t)(5 - b);
        if (b == 5 || i > n)
            i = b == 5 ? 0 : n;
        double lo, hi;
        if (i == 0)
            return decl[0].min + u * (decl[0].max - decl[0].min);
        double ilo = decl[i - 1].min, ihi = decl[i - 1].max;
        if (i < n) {
            lo = decl[i].min, hi = decl[i].max;
        } else {
            double w = n > 1 ? (decl[0].min - decl[n - 1].min) / (double)(n - 1) : (ihi - ilo) / 2;
            lo = ilo - fabs(w), hi = ihi + fabs(w);
        }
        return rng_unit(g) < 0.5 ? lo + u * (ilo - lo) : ihi + u * (hi - ihi);
    }
    double first = d->polarity == RP_HIGHER ? decl[0].min : decl[0].max;
    double last = d->polarity == RP_HIGHER ? decl[n - 1].min : decl[n - 1].max;
    double w = n > 1 ? fabs(first - last) / (double)(n - 1) : fabs(first) / 10 + 1;
    double dir = d->polarity == RP_HIGHER ? 1 : -1; /* towards better */
    double inner, outer; /* the band's better and worse limits */
    size_t i = (size_t)(5 - b);
    if (b == 5)
        inner = first + dir * w, outer = first;
    else if (i < n)
        inner = d->polarity == RP_HIGHER ? decl[i - 1].min : decl[i - 1].max,
        outer = d->polarity == RP_HIGHER ? decl[i].min : decl[i].max;
    else
        inner = last, outer = last - dir * w;
    return outer + u * (inner - outer);
}

static int draw_band(const rp_gaps *gp, un_rng *g)
{
    double u = rng_unit(g), acc = 0;
    for (int b = 0; b < 5; b++) {
        acc += gp->band[b];
        if (u < acc)
            return b + 1;
    }
    return 5;
}

/* Draws every unknown for one run; side[i] is 1 when the draw is on the good side. */
static void fill_draw(const un_model *m, filled *f, const ev_evidence *ev, un_rng *g,
                      unsigned char *side)
{
    const rp_pack *p = m->p;
    for (size_t i = 0; i < f->ngaps; i++) {
        gap *gp = &f->gaps[i];
        if (gp->kind == UN_UNKNOWN_REQUIREMENT) {
            int met = rng_unit(g) < p->gaps.requirement_met;
            for (size_t s = 0; s < ev->nservices && s < RP_MAX_SERVICES; s++)
                if (f->req[s] && p->requirements[gp->req].services[s] && ev->services[s].requirements[gp->req] < 0)
                    f->req[s][gp->req] = met;
            side[i] = (unsigned char)met;
            continue;
        }
        ev_indicator *ni = &f->ind[gp->svc][gp->ind];
        const rp_indicator *d = ni->def;
        const rp_band *decl = &m->b[0].bands[4 * (size_t)(d - p->indicators)];
        int band = gp->kind == UN_THRESHOLD_VALUE ? ni->band : draw_band(&p->gaps, g);
        ni->value = value_in_band(d, decl, band, g);
        side[i] = (unsigned char)(band >= 3);
        if (gp->kind == UN_THRESHOLD_VALUE) {
            ni->has_value = 1;
            int breached = 0;
            for (size_t c = 0; c < p->ncaps; c++)
                if (p->caps[c].indicator && strcmp(p->caps[c].indicator, d->code) == 0 &&
                    rt_cap_breached_by(&p->caps[c], ni->value))
                    breached = 1;
            side[i] = (unsigned char)!breached;
        }
    }
}

/* ---- rating with every variant --------------------------------------------------------- */

/* The inputs that vary: the parameters drawn as one number, the band limits of each
 * reconstructed indicator the council's evidence holds, then the unknowns. */
typedef struct input {
    un_input_kind kind;
    const char *name;
    size_t slot;      /* index into the variant (parameters, shifts) or into the gaps */
} input;

static size_t list_inputs(const un_model *m, const filled *f, input *in)
{
    size_t n = 0;
    const rp_pack *p = m->p;
    for (size_t i = 0; i < m->nparams; i++)
        if (!p->params[i].each_indicator && p->params[i].hi > p->params[i].lo)
            in[n++] = (input){UN_PARAM, p->params[i].id, i};
    if (m->shift >= 0 && p->params[m->shift].hi > p->params[m->shift].lo)
        for (size_t s = 0; s < f->ev.nservices && s < RP_MAX_SERVICES; s++)
            for (size_t i = 0; i < f->ev.services[s].nindicators; i++) {
                const ev_indicator *ei = &f->ev.services[s].indicators[i];
                if (ei->band || !ei->def->prov.reconstructed || ei->def < p->indicators ||
                    ei->def >= p->indicators + p->nindicators)
                    continue; /* a published band does not move with the limits */
                in[n++] = (input){UN_BAND_LIMITS, ei->code, m->nparams + (size_t)(ei->def - p->indicators)};
            }
    for (size_t i = 0; i < f->ngaps; i++) {
        const gap *g = &f->gaps[i];
        const char *name = g->kind == UN_UNKNOWN_REQUIREMENT ? p->requirements[g->req].id
                                                              : f->ind[g->svc][g->ind].code;
        in[n++] = (input){g->kind, name, i};
    }
    return n;
}

static int stars_slot(const un_council *u, int stars)
{
    return stars < 0 ? -1 : stars - u->rating_min;
}

static void tally(un_council *u, const rp_pack *p, const rt_result *r)
{
    int k = stars_slot(u, r->stars);
    if (k >= 0 && k < 8)
        u->stars[k] += 1;
    else
        u->stars_open += 1;
    for (size_t s = 0; s < u->nservices; s++) {
        int sv = r->svc[s].serving, cp = r->svc[s].capacity;
        u->serving[s][sv >= 0 ? (size_t)sv : p->serving.nwords] += 1;
        u->capacity[s][cp >= 0 ? (size_t)cp : p->capacity.nwords] += 1;
    }
}

static void normalise(un_council *u, const rp_pack *p)
{
    double n = (double)u->runs;
    for (int k = 0; k < 8; k++)
        u->stars[k] /= n;
    u->stars_open /= n;
    for (size_t s = 0; s < u->nservices; s++) {
        for (size_t w = 0; w <= p->serving.nwords; w++)
            u->serving[s][w] /= n;
        for (size_t w = 0; w <= p->capacity.nwords; w++)
            u->capacity[s][w] /= n;
    }
    u->likely = -1;
    u->p_likely = u->stars_open;
    for (int k = 0; k <= u->rating_max - u->rating_min && k < 8; k++)
        if (u->stars[k] > u->p_likely)
            u->likely = k + u->rating_min, u->p_likely = u->stars[k];
}

/* Drivers: for each input, the share of runs off the most likely rating when the input was
 * low (below the declared value; a missing indicator in band 1-2; a requirement not met; a
 * threshold breached) and when high; the inputs with the largest difference. */
static void find_drivers(un_council *u, const input *in, size_t nin, const unsigned char *sides,
                         const int *stars)
{
    u->ndrivers = 0;
    for (size_t i = 0; i < nin; i++) {
        double off[2] = {0, 0}, cnt[2] = {0, 0};
        for (size_t k = 0; k < u->runs; k++) {
            int sd = sides[k * nin + i];
            cnt[sd] += 1;
            off[sd] += stars[k] != u->likely;
        }
        if (cnt[0] < 1 || cnt[1] < 1)
            continue;
        un_driver d = {in[i].kind, "", off[0] / cnt[0], off[1] / cnt[1], 0};
        d.influence = fabs(d.off_low - d.off_high);
        snprintf(d.name, sizeof d.name, "%s", in[i].name);
        if (d.influence < 0.05)
            continue; /* within the noise of a few hundred runs */
        size_t at = u->ndrivers < UN_DRIVERS ? u->ndrivers : UN_DRIVERS;
        while (at > 0 && u->drivers[at - 1].influence < d.influence)
            at--;
        if (at >= UN_DRIVERS)
            continue;
        size_t last = u->ndrivers < UN_DRIVERS ? u->ndrivers : UN_DRIVERS - 1;
        memmove(&u->drivers[at + 1], &u->drivers[at], (last - at) * sizeof d);
        u->drivers[at] = d;
        if (u->ndrivers < UN_DRIVERS)
            u->ndrivers++;
    }
}

/* Whether the runs so far show, with 95% confidence, that the most common rating has at
 * least UN_UNSURE of all runs: the lower end of the one-sided Wilson score interval of its
 * share. Looked at every UN_QUICK_RUNS runs, so the plain line, which says nothing of a
 * rating that sure, stops there; a rating that stays in doubt gets every run. */
static int surely_sure(const int *stars, size_t n)
{
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            k += stars[j] == stars[i];
        best = k > best ? k : best;
    }
    const double z = 1.645; /* one-sided 95% */
    double nn = (double)n, p = (double)best / nn, z2 = z * z;
    double low = (p + z2 / (2 * nn) - z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn))) / (1 + z2 / nn);
    return low >= UN_UNSURE;
}

static int run_all(un_model *m, filled *f, const ev_evidence *ev, rt_result *r, un_council *u,
                   const input *in, size_t nin, unsigned char *sides, int *stars,
                   unsigned char *gside, sr_error *err)
{
    int rc = SR_OK;
    for (size_t k = 0; rc == SR_OK && k < u->runs; k++) {
        const double *x = variant(m, k);
        if (m->nparams)
            rc = apply_binding(m, &m->b[0], x, err);
        un_rng g;
        rng_seed(&g, m->seed, k + 1);
        fill_draw(m, f, ev, &g, gside);
        if (rc == SR_OK) rc = rt_evaluate(m->p, &f->ev, r, err);
        if (rc != SR_OK)
            break;
        tally(u, m->p, r);
        stars[k] = r->stars;
        for (size_t i = 0; i < nin; i++) {
            int sd;
            if (in[i].kind == UN_PARAM)
                sd = x && x[in[i].slot] > m->p->params[in[i].slot].value;
            else if (in[i].kind == UN_BAND_LIMITS)
                sd = x && x[in[i].slot] > 0;
            else
                sd = gside[in[i].slot];
            sides[k * nin + i] = (unsigned char)sd;
        }
        if (m->quick && (k + 1) % UN_QUICK_RUNS == 0 && k + 1 < u->runs && surely_sure(stars, k + 1)) {
            u->runs = k + 1; /* sure enough for the plain line, which then says nothing */
            break;
        }
    }
    return rc;
}

int un_rate(un_model *m, const ev_evidence *ev, rt_result *r, un_council *u, sr_error *err)
{
    memset(u, 0, sizeof *u);
    const rp_pack *p = m->p;
    u->rating_min = p->rating_min, u->rating_max = p->rating_max;
    u->seed = m->seed;
    u->nservices = p->nservices;
    int rc = un_apply(m, SIZE_MAX, err);
    if (rc == SR_OK) rc = rt_evaluate(m->p, ev, r, err);
    if (rc != SR_OK)
        return rc;
    u->baseline = r->stars;
    filled f;
    memset(&f, 0, sizeof f);
    f.ev = *ev;
    /* Without parameters the pack states no uncertainty at all: one run, nothing drawn. */
    if (m->nparams)
        rc = fill_prepare(p, ev, &f, err);
    if (rc != SR_OK) {
        filled_free(&f);
        return rc;
    }
    u->runs = m->nparams ? m->nvariants : 1;
    u->nunknowns = f.ngaps;
    size_t maxin = m->nparams + p->nindicators * 2 + f.ngaps + 1;
    input *in = sr_calloc(maxin, sizeof *in);
    size_t nin = in ? list_inputs(m, &f, in) : 0;
    unsigned char *sides = sr_calloc(u->runs * (nin + 1), 1);
    unsigned char *gside = sr_calloc(f.ngaps + 1, 1);
    int *stars = sr_calloc(u->runs, sizeof *stars);
    if (!in || !sides || !gside || !stars)
        rc = sr_oom(err);
    int memo_was = r->memo_off;
    r->memo_off = 1; /* every run sets new values: a remembered answer never applies */
    if (rc == SR_OK) rc = run_all(m, &f, ev, r, u, in, nin, sides, stars, gside, err);
    r->memo_off = memo_was;
    if (rc == SR_OK) {
        u->ninputs = nin;
        normalise(u, p);
        find_drivers(u, in, nin, sides, stars);
    }
    int rrc = un_apply(m, SIZE_MAX, err);
    sr_free(in), sr_free(sides), sr_free(gside), sr_free(stars);
    filled_free(&f);
    return rc != SR_OK ? rc : rrc;
}

/* ---- rendering ------------------------------------------------------------------------- */

static int pct(double share) { return (int)lround(share * 100); }

/* "71%", or "<1%" for a chance that is there but rounds to nothing. */
static void put_pct(sr_buf *b, double share)
{
    if (share > 0 && share < 0.005)
        sr_buf_puts(b, "<1%");
    else
        sr_buf_printf(b, "%d%%", pct(share));
}

static const char *stars_word(int n) { return n == 1 ? "star" : "stars"; }

/* The star ratings with a chance, most likely first. */
static void stars_list(sr_buf *b, const un_council *u, int skip)
{
    int used[9] = {0};
    int first = 1;
    for (;;) {
        int best = -2;
        double bp = 0;
        for (int k = 0; k <= u->rating_max - u->rating_min && k < 8; k++)
            if (!used[k] && u->stars[k] > bp)
                best = k, bp = u->stars[k];
        if (!used[8] && u->stars_open > bp)
            best = 8, bp = u->stars_open;
        if (best == -2)
            break;
        used[best] = 1;
        if (best != 8 && best + u->rating_min == skip)
            continue;
        if (best == 8 && skip == -1)
            continue;
        sr_buf_printf(b, "%s", first ? "" : ", ");
        first = 0;
        if (best == 8)
            sr_buf_puts(b, "open ");
        else
            sr_buf_printf(b, "%d %s ", best + u->rating_min, stars_word(best + u->rating_min));
        put_pct(b, bp);
    }
}

static void words_list(sr_buf *b, const rp_scale *sc, const double *share)
{
    int first = 1;
    for (size_t w = sc->nwords + 1; w-- > 0;) {
        if (share[w] <= 0)
            continue;
        sr_buf_printf(b, "%s%s ", first ? "" : ", ",
                      w == sc->nwords ? "insufficient evidence" : sc->words[w].id);
        put_pct(b, share[w]);
        first = 0;
    }
}

static const char *kind_phrase(un_input_kind k)
{
    switch (k) {
    case UN_PARAM: return "parameter";
    case UN_BAND_LIMITS: return "band limits";
    case UN_MISSING_INDICATOR: return "indicator not in the evidence";
    case UN_UNKNOWN_REQUIREMENT: return "requirement not stated";
    case UN_THRESHOLD_VALUE: return "value within its published band";
    }
    return "";
}

static const char *low_phrase(un_input_kind k)
{
    switch (k) {
    case UN_PARAM: return "below its value";
    case UN_BAND_LIMITS: return "more lenient";
    case UN_MISSING_INDICATOR: return "in band 1-2";
    case UN_UNKNOWN_REQUIREMENT: return "not met";
    case UN_THRESHOLD_VALUE: return "breaching its key threshold";
    }
    return "";
}

static const char *high_phrase(un_input_kind k)
{
    switch (k) {
    case UN_PARAM: return "above";
    case UN_BAND_LIMITS: return "stricter";
    case UN_MISSING_INDICATOR: return "in band 3-5";
    case UN_UNKNOWN_REQUIREMENT: return "met";
    case UN_THRESHOLD_VALUE: return "not breaching it";
    }
    return "";
}

void un_driver_text(sr_buf *b, const un_driver *d)
{
    sr_buf_printf(b, "%s (%s): off the most likely rating in %d%% of runs %s, %d%% %s", d->name,
                  kind_phrase(d->kind), pct(d->off_low), low_phrase(d->kind), pct(d->off_high),
                  high_phrase(d->kind));
}

void un_text(sr_buf *b, const un_model *m, const rp_pack *p, const un_council *u)
{
    if (!m->nparams) {
        sr_buf_printf(b, "  How sure: rule pack %s declares no parameters, so no uncertainty can be "
                         "stated; the rating above is the pack's only answer\n", p->name);
        return;
    }
    sr_buf_puts(b, "  How sure: ");
    stars_list(b, u, -2);
    sr_buf_putc(b, '\n');
    for (size_t s = 0; s < u->nservices; s++) {
        sr_buf_printf(b, "    %s: serving ", p->services[s].title);
        words_list(b, &p->serving, u->serving[s]);
        sr_buf_puts(b, "; capacity ");
        words_list(b, &p->capacity, u->capacity[s]);
        sr_buf_putc(b, '\n');
    }
    if (u->likely >= 0)
        sr_buf_printf(b, "    Most likely: %d %s (%d%%)\n", u->likely, stars_word(u->likely), pct(u->p_likely));
    else
        sr_buf_printf(b, "    Most likely: open, the judgements leave the stars undecided (%d%%)\n",
                      pct(u->p_likely));
    if (u->ndrivers) {
        sr_buf_puts(b, "    What moves it most:\n");
        for (size_t i = 0; i < u->ndrivers; i++) {
            sr_buf_puts(b, "      - ");
            un_driver_text(b, &u->drivers[i]);
            sr_buf_putc(b, '\n');
        }
    } else {
        sr_buf_puts(b, "    No parameter or unknown alone moves it.\n");
    }
    sr_buf_printf(b, "    (%zu runs, seed %llu: %zu admissible variants of %zu parameters, %ld tried, "
                     "%d%% accepted by %zu test cases; %zu unknowns of the evidence drawn in each run)\n",
                  u->runs, (unsigned long long)m->seed, m->nvariants, m->nparams, m->tried,
                  pct((double)m->nvariants / (double)m->tried), m->ncases, u->nunknowns);
}

void un_explain(sr_buf *b, const un_model *m, const rp_pack *p, const un_council *u)
{
    sr_buf_puts(b, "\nHow sure\n");
    if (!m->nparams) {
        sr_buf_printf(b, "  Rule pack %s declares no parameters, so it states no uncertainty: the "
                         "rating above is its only answer.\n", p->name);
        return;
    }
    sr_buf_printf(b, "  The pack's reconstructed numbers (%zu parameters) were drawn from their ranges "
                     "%ld times; %zu of the variants (%d%%) still reproduce every published outcome "
                     "of its %zu test cases. Each was run once, with the %zu things this evidence "
                     "does not state (indicators with no value, requirements not stated) drawn as "
                     "the pack declares (seed %llu).\n",
                  m->nparams, m->tried, m->nvariants, pct((double)m->nvariants / (double)m->tried),
                  m->ncases, u->nunknowns, (unsigned long long)m->seed);
    sr_buf_puts(b, "  Chances: ");
    stars_list(b, u, -2);
    sr_buf_puts(b, ".\n");
    if (u->likely == u->baseline && u->p_likely >= UN_UNSURE)
        sr_buf_printf(b, "  The rating is fairly sure: %d%% of runs agree with it.\n", pct(u->p_likely));
    else if (u->likely == u->baseline)
        sr_buf_printf(b, "  The rating is the most likely one, but only %d%% of runs agree with it.\n",
                      pct(u->p_likely));
    else
        sr_buf_printf(b, "  The rating above rests on the pack's declared values and on the evidence "
                         "as stated; with the unknowns drawn, %s is more likely (%d%%).\n",
                      u->likely >= 0 ? (u->likely == 1 ? "1 star" : u->likely == 0 ? "0 stars" :
                                        u->likely == 2 ? "2 stars" : "3 stars") : "an open rating",
                      pct(u->p_likely));
    for (size_t s = 0; s < u->nservices; s++) {
        sr_buf_printf(b, "  %s: serving ", p->services[s].title);
        words_list(b, &p->serving, u->serving[s]);
        sr_buf_puts(b, "; capacity ");
        words_list(b, &p->capacity, u->capacity[s]);
        sr_buf_puts(b, ".\n");
    }
    if (!u->ndrivers) {
        sr_buf_puts(b, "  No single parameter or unknown moves the rating by itself.\n");
        return;
    }
    sr_buf_puts(b, "  Why: what moves it most (the share of runs that end off the most likely rating, "
                   "by which side of the input they drew):\n");
    for (size_t i = 0; i < u->ndrivers; i++) {
        sr_buf_puts(b, "    - ");
        un_driver_text(b, &u->drivers[i]);
        sr_buf_puts(b, "\n");
    }
}

void un_unsure_line(sr_buf *b, const un_council *u, const rp_pack *p)
{
    (void)p;
    if (u->p_likely >= UN_UNSURE)
        return;
    sr_buf_puts(b, "  Unsure: ");
    if (u->likely >= 0)
        sr_buf_printf(b, "%d %s is the most likely rating at %d%% (", u->likely,
                      stars_word(u->likely), pct(u->p_likely));
    else
        sr_buf_printf(b, "the stars are most likely left open, at %d%% (", pct(u->p_likely));
    stars_list(b, u, u->likely);
    sr_buf_printf(b, "); starrate rate --uncertainty says why\n");
}

static void json_words(js_writer *w, const rp_scale *sc, const double *share)
{
    js_object(w);
    for (size_t i = 0; i < sc->nwords; i++) {
        js_key(w, sc->words[i].id);
        js_number(w, share[i]);
    }
    js_key(w, "insufficient");
    js_number(w, share[sc->nwords]);
    js_end_object(w);
}

void un_chances(sr_buf *b, const un_council *u) { stars_list(b, u, -2); }

void un_moves(sr_buf *b, const un_council *before, const un_council *after)
{
    int any = 0;
    for (int k = 0; k <= before->rating_max - before->rating_min && k < 8; k++) {
        double x = before->stars[k], y = after->stars[k];
        if (fabs(x - y) < 0.01)
            continue;
        int n = k + before->rating_min;
        sr_buf_printf(b, "%s%d %s ", any ? ", of " : "chance of ", n, stars_word(n));
        put_pct(b, x);
        sr_buf_puts(b, " -> ");
        put_pct(b, y);
        any = 1;
    }
    if (!any)
        sr_buf_puts(b, "no change to the chances");
}

/* Text that is safe in HTML as it is: ids and numbers only reach here, but escape anyway. */
static void html_text(sr_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') sr_buf_puts(b, "&lt;");
        else if (*s == '>') sr_buf_puts(b, "&gt;");
        else if (*s == '&') sr_buf_puts(b, "&amp;");
        else if (*s == '"') sr_buf_puts(b, "&quot;");
        else sr_buf_putc(b, *s);
    }
}

void un_html(sr_buf *b, const un_model *m, const un_council *u)
{
    sr_buf_puts(b, "<div class=\"sure\" style=\"margin:.6em 0\">\n<h3>How sure</h3>\n");
    if (!m->nparams) {
        sr_buf_puts(b, "<p>The rule pack declares no parameters, so it states no uncertainty.</p>\n</div>\n");
        return;
    }
    sr_buf_puts(b, "<p>");
    if (u->likely >= 0)
        sr_buf_printf(b, "Most likely <strong>%d %s</strong>: in %d of every 100 ways of reading the "
                         "rules that still fit the published ratings, with the gaps in the evidence "
                         "filled in. ", u->likely, stars_word(u->likely), pct(u->p_likely));
    if (u->ndrivers) {
        sr_buf_puts(b, "What could change it most: ");
        for (size_t i = 0; i < u->ndrivers; i++) {
            sr_buf_puts(b, i ? (i + 1 == u->ndrivers ? " and " : ", ") : "");
            html_text(b, u->drivers[i].name);
            sr_buf_printf(b, " (%s)", kind_phrase(u->drivers[i].kind));
        }
        sr_buf_puts(b, ".");
    }
    sr_buf_puts(b, "</p>\n<div class=\"sure-bars\" role=\"img\" aria-label=\"chance of each star rating\">\n");
    for (int k = 0; k <= u->rating_max - u->rating_min && k < 8; k++) {
        int n = k + u->rating_min;
        sr_buf_printf(b, "<div style=\"display:flex;align-items:center;gap:.5em;margin:2px 0\">"
                         "<span style=\"width:5em\">%d %s</span>"
                         "<span style=\"display:inline-block;height:.9em;width:%.1fem;"
                         "min-width:1px;background:%s\"></span><span>",
                      n, stars_word(n), u->stars[k] * 16, n == u->likely ? "#1f5fa8" : "#9bb6d6");
        put_pct(b, u->stars[k]);
        sr_buf_puts(b, "</span></div>\n");
    }
    sr_buf_printf(b, "</div>\n<p class=\"note\" style=\"font-size:.85em\">%zu runs, seed %llu; "
                     "docs/methodology.md, &ldquo;How sure is a rating&rdquo;.</p>\n</div>\n",
                  u->runs, (unsigned long long)m->seed);
}

static const char *const kind_ids[] = {"parameter", "band_limits", "missing_indicator",
                                       "unknown_requirement", "threshold_value"};

void un_json(js_writer *w, const un_model *m, const rp_pack *p, const un_council *u)
{
    js_key(w, "uncertainty");
    js_object(w);
    js_key(w, "declared"); js_bool(w, m->nparams > 0);
    js_key(w, "seed"); js_int(w, (long)m->seed);
    js_key(w, "runs"); js_int(w, (long)u->runs);
    js_key(w, "parameters"); js_int(w, (long)m->nparams);
    js_key(w, "variants"); js_int(w, (long)m->nvariants);
    js_key(w, "tried"); js_int(w, m->tried);
    js_key(w, "acceptance"); js_number(w, (double)m->nvariants / (double)m->tried);
    js_key(w, "test_cases"); js_int(w, (long)m->ncases);
    js_key(w, "unknowns"); js_int(w, (long)u->nunknowns);
    js_key(w, "stars");
    js_object(w);
    for (int k = u->rating_min; k <= u->rating_max && k - u->rating_min < 8; k++) {
        char key[16];
        snprintf(key, sizeof key, "%d", k);
        js_key(w, key);
        js_number(w, u->stars[k - u->rating_min]);
    }
    js_key(w, "open"); js_number(w, u->stars_open);
    js_end_object(w);
    js_key(w, "likely");
    if (u->likely >= 0) js_int(w, u->likely); else js_null(w);
    js_key(w, "p_likely"); js_number(w, u->p_likely);
    js_key(w, "services");
    js_object(w);
    for (size_t s = 0; s < u->nservices; s++) {
        js_key(w, p->services[s].id);
        js_object(w);
        js_key(w, "serving"); json_words(w, &p->serving, u->serving[s]);
        js_key(w, "capacity"); json_words(w, &p->capacity, u->capacity[s]);
        js_end_object(w);
    }
    js_end_object(w);
    js_key(w, "drivers");
    js_array(w);
    for (size_t i = 0; i < u->ndrivers; i++) {
        const un_driver *d = &u->drivers[i];
        js_object(w);
        js_key(w, "input"); js_string(w, d->name);
        js_key(w, "kind"); js_string(w, kind_ids[d->kind]);
        js_key(w, "off_low"); js_number(w, d->off_low);
        js_key(w, "off_high"); js_number(w, d->off_high);
        js_key(w, "influence"); js_number(w, d->influence);
        js_end_object(w);
    }
    js_end_array(w);
    js_end_object(w);
}

void un_json_member(js_writer *w, const void *ctx)
{
    const un_json_ctx *jc = ctx;
    un_json(w, jc->m, jc->p, jc->u);
}

static void csv_share(sr_buf *b, double v, int last)
{
    char num[32];
    snprintf(num, sizeof num, "%.3f", v);
    out_csv_field(b, num, last);
}

void un_csv_header(sr_buf *b, const rp_pack *p)
{
    sr_buf_puts(b, "council,year,stars");
    for (int k = p->rating_min; k <= p->rating_max; k++)
        sr_buf_printf(b, ",p_stars_%d", k);
    sr_buf_puts(b, ",p_open");
    for (size_t s = 0; s < p->nservices; s++) {
        for (size_t w = 0; w < p->serving.nwords; w++)
            sr_buf_printf(b, ",p_%s_serving_%s", p->services[s].id, p->serving.words[w].id);
        for (size_t w = 0; w < p->capacity.nwords; w++)
            sr_buf_printf(b, ",p_%s_capacity_%s", p->services[s].id, p->capacity.words[w].id);
    }
    sr_buf_puts(b, ",likely,p_likely,drivers,runs,seed\n");
}

void un_csv_row(sr_buf *b, const ev_evidence *ev, const rp_pack *p, const un_council *u)
{
    char num[64];
    out_csv_field(b, ev->council, 0);
    snprintf(num, sizeof num, "%d", ev->year);
    out_csv_field(b, num, 0);
    snprintf(num, sizeof num, "%d", u->baseline);
    out_csv_field(b, u->baseline >= 0 ? num : "", 0);
    for (int k = 0; k <= u->rating_max - u->rating_min && k < 8; k++)
        csv_share(b, u->stars[k], 0);
    csv_share(b, u->stars_open, 0);
    for (size_t s = 0; s < u->nservices; s++) {
        for (size_t w = 0; w < p->serving.nwords; w++)
            csv_share(b, u->serving[s][w], 0);
        for (size_t w = 0; w < p->capacity.nwords; w++)
            csv_share(b, u->capacity[s][w], 0);
    }
    snprintf(num, sizeof num, "%d", u->likely);
    out_csv_field(b, u->likely >= 0 ? num : "open", 0);
    csv_share(b, u->p_likely, 0);
    sr_buf d;
    sr_buf_init(&d);
    for (size_t i = 0; i < u->ndrivers; i++)
        sr_buf_printf(&d, "%s%s", i ? " " : "", u->drivers[i].name);
    out_csv_field(b, d.data ? d.data : "", 0);
    sr_buf_free(&d);
    snprintf(num, sizeof num, "%zu", u->runs);
    out_csv_field(b, num, 0);
    snprintf(num, sizeof num, "%llu", (unsigned long long)u->seed);
    out_csv_field(b, num, 1);
}

void un_table_header(sr_buf *b)
{
    sr_buf_printf(b, "%-46s %-5s %-5s %-34s %s\n", "council", "year", "stars", "chances",
                  "moved most by");
}

void un_table_row(sr_buf *b, const ev_evidence *ev, const un_council *u)
{
    sr_buf c;
    sr_buf_init(&c);
    stars_list(&c, u, -2);
    char stars[16];
    snprintf(stars, sizeof stars, "%d", u->baseline);
    sr_buf_printf(b, "%-46.46s %-5d %-5s %-34s ", ev->council, ev->year, u->baseline >= 0 ? stars : "?",
                  c.data ? c.data : "");
    for (size_t i = 0; i < u->ndrivers; i++)
        sr_buf_printf(b, "%s%s", i ? ", " : "", u->drivers[i].name);
    sr_buf_puts(b, u->ndrivers ? "\n" : "-\n");
    sr_buf_free(&c);
}

void un_list_params(sr_buf *b, const rp_pack *p)
{
    if (!p->nparams) {
        sr_buf_printf(b, "  no parameters: %s states no uncertainty\n", p->name);
        return;
    }
    sr_buf_printf(b, "  %zu parameters (value, range [lo, hi]):\n", p->nparams);
    for (size_t i = 0; i < p->nparams; i++) {
        const rp_param *q = &p->params[i];
        char v[32], lo[32], hi[32];
        sr_format_number(q->value, v, sizeof v);
        sr_format_number(q->lo, lo, sizeof lo);
        sr_format_number(q->hi, hi, sizeof hi);
        sr_buf_printf(b, "    %-38s %-6s [%s, %s]%s%s  %s:%d: %s\n", q->id, v, lo, hi,
                      q->dist == RP_DIST_TRIANGULAR ? " triangular" : "",
                      q->each_indicator ? " each indicator" : "", q->prov.file, q->prov.line,
                      q->prov.text);
    }
    if (p->gaps.declared)
        sr_buf_printf(b, "  unknowns drawn: bands 1-5 with chances %.2f %.2f %.2f %.2f %.2f; a "
                         "requirement not stated is met with chance %.2f (%s:%d)\n",
                      p->gaps.band[0], p->gaps.band[1], p->gaps.band[2], p->gaps.band[3],
                      p->gaps.band[4], p->gaps.requirement_met, p->gaps.prov.file, p->gaps.prov.line);
}

/* ---- the models of a command ----------------------------------------------------------- */

void un_cache_init(un_cache *c, const un_options *o)
{
    memset(c, 0, sizeof *c);
    c->o = *o;
}

/* The fits of a command, shared by its workers: a pack is fitted once, by the first worker
 * that meets it (on every processor), and the workers after it take the variants. */
typedef struct shared_fit {
    char *dir;
    double *values;
    size_t nvalues, nvariants, ncases;
    long tried;
} shared_fit;

struct un_shared {
    pthread_mutex_t lock;
    shared_fit e[UN_CACHE_PACKS];
    int n;
};

int un_shared_new(un_shared **out)
{
    *out = sr_calloc(1, sizeof **out);
    if (!*out)
        return SR_ENOMEM;
    if (pthread_mutex_init(&(*out)->lock, NULL) != 0) {
        sr_free(*out);
        *out = NULL;
        return SR_ENOMEM;
    }
    return SR_OK;
}

void un_shared_free(un_shared *sh)
{
    if (!sh)
        return;
    for (int i = 0; i < sh->n; i++)
        sr_free(sh->e[i].dir), sr_free(sh->e[i].values);
    pthread_mutex_destroy(&sh->lock);
    sr_free(sh);
}

/* A model of p holding the variants fitted before: no test cases, nothing drawn. */
static int model_adopt(rp_pack *p, const un_options *o, const shared_fit *f, un_model **out,
                       sr_error *err)
{
    int rc = model_new(p, o, out, err);
    un_model *m = *out;
    if (rc == SR_OK && m->nvalues != f->nvalues)
        rc = sr_fail(err, SR_ERULES, p->dir, 0, 0, "the pack changed while it was being rated");
    if (rc == SR_OK && !(m->values = sr_calloc(f->nvariants * f->nvalues + 1, sizeof *m->values)))
        rc = sr_oom(err);
    if (rc != SR_OK) {
        un_model_free(m);
        *out = NULL;
        return rc;
    }
    if (f->nvariants > 0 && f->nvalues > 0)
        memcpy(m->values, f->values, f->nvariants * f->nvalues * sizeof *m->values);
    m->nvariants = f->nvariants, m->tried = f->tried, m->ncases = f->ncases;
    return SR_OK;
}

static int shared_keep(un_shared *sh, const un_model *m, sr_error *err)
{
    if (sh->n == UN_CACHE_PACKS)
        return SR_OK; /* not kept: a later worker fits again */
    shared_fit *f = &sh->e[sh->n];
    size_t n = m->nvariants * m->nvalues;
    f->dir = sr_strdup(m->p->dir);
    f->values = sr_calloc(n + 1, sizeof *f->values);
    if (!f->dir || !f->values) {
        sr_free(f->dir), sr_free(f->values);
        memset(f, 0, sizeof *f);
        return sr_oom(err);
    }
    if (n)
        memcpy(f->values, m->values, n * sizeof *f->values);
    f->nvalues = m->nvalues, f->nvariants = m->nvariants, f->ncases = m->ncases;
    f->tried = m->tried;
    sh->n++;
    return SR_OK;
}

static int shared_get(un_shared *sh, ss_session *s, rp_pack *p, const un_options *o,
                      un_model **out, sr_error *err)
{
    pthread_mutex_lock(&sh->lock);
    int rc = SR_OK, found = 0;
    for (int i = 0; !found && i < sh->n; i++)
        if (strcmp(sh->e[i].dir, p->dir) == 0) {
            found = 1;
            rc = model_adopt(p, o, &sh->e[i], out, err);
        }
    if (!found) {
        rc = un_fit(s, p, o, out, err);
        if (rc == SR_OK && (rc = shared_keep(sh, *out, err)) != SR_OK) {
            un_model_free(*out);
            *out = NULL;
        }
    }
    pthread_mutex_unlock(&sh->lock);
    return rc;
}

int un_cache_get(un_cache *c, ss_session *s, rp_pack *p, un_model **out, sr_error *err)
{
    for (int i = 0; i < c->n; i++)
        if (c->e[i].p == p) {
            *out = c->e[i].m;
            return SR_OK;
        }
    if (c->n == UN_CACHE_PACKS)
        return sr_fail(err, SR_ELIMIT, p->dir, 0, 0, "more than %d rule packs in one run",
                       UN_CACHE_PACKS);
    int rc = c->shared ? shared_get(c->shared, s, p, &c->o, out, err)
                       : un_fit(s, p, &c->o, out, err);
    if (rc == SR_OK) {
        c->e[c->n].p = p;
        c->e[c->n++].m = *out;
    }
    return rc;
}

void un_cache_free(un_cache *c)
{
    /* Newest first: a later model may have set values in a pack an earlier one binds. */
    for (int i = c->n; i-- > 0;)
        un_model_free(c->e[i].m);
    c->n = 0;
}

int un_parse_options(const char *seed, const char *variants, int fast, un_options *o, char *msg,
                     size_t msglen)
{
    memset(o, 0, sizeof *o);
    o->seed = UN_DEFAULT_SEED;
    o->variants = fast ? UN_FAST_VARIANTS : UN_DEFAULT_VARIANTS;
    int cpus = jb_online_cpus();
    o->threads = cpus < UN_MAX_THREADS ? cpus : UN_MAX_THREADS;
    char *end;
    if (seed) {
        errno = 0;
        unsigned long long v = strtoull(seed, &end, 10);
        if (!*seed || *end || errno || seed[0] == '-') {
            snprintf(msg, msglen, "--seed needs a whole number of at least 0, not '%s'", seed);
            return -1;
        }
        o->seed = (uint64_t)v;
    }
    if (variants) {
        errno = 0;
        long v = strtol(variants, &end, 10);
        if (!*variants || *end || errno || v < 1 || v > UN_MAX_VARIANTS) {
            snprintf(msg, msglen, "--variants needs a whole number from 1 to %d, not '%s'",
                     UN_MAX_VARIANTS, variants);
            return -1;
        }
        o->variants = (int)v;
    }
    return 0;
}

/* ---- leave-one-out over the calibration councils --------------------------------------- */

typedef struct calib {
    char path[PATH_MAX];
} calib;

/* The evidence files the packs' tests derive (not from_published) whose rating was published. */
static int find_calibration(ss_session *s, calib *out, size_t max, size_t *n, sr_error *err)
{
    int rounds[32];
    int nr = rp_rounds(rounds, 32);
    *n = 0;
    for (int r = 0; r < nr; r++) {
        char dir[PATH_MAX], tdir[PATH_MAX + 8];
        if (rp_round_dir(rounds[r], dir, sizeof dir) != SR_OK)
            continue;
        snprintf(tdir, sizeof tdir, "%s/tests", dir);
        char *names[64];
        int nn = pt_test_files(dir, names, 64);
        if (nn < 0)
            return sr_oom(err);
        int rc = SR_OK;
        for (int i = 0; i < nn; i++) {
            char file[PATH_MAX + 16];
            snprintf(file, sizeof file, "%.*s/%.255s", PATH_MAX - 300, tdir, names[i]);
            sr_free(names[i]);
            yd_node *doc = NULL;
            if (rc != SR_OK) /* after a failure the rest of the names are only freed */
                continue;
            if (yd_load_file(file, &yd_default_limits, &doc, err) != SR_OK) {
                rc = SR_EINPUT;
                continue;
            }
            const yd_node *cases = yd_get(doc, "cases");
            for (size_t k = 0; cases && cases->kind == YD_SEQ && k < cases->n; k++) {
                const yd_node *ev = yd_get(cases->items[k], "evidence");
                const yd_node *fp = yd_get(cases->items[k], "from_published");
                if (!ev || ev->kind != YD_SCALAR || (fp && fp->kind == YD_SCALAR && strcmp(fp->str, "true") == 0))
                    continue;
                char path[3 * PATH_MAX];
                const char *slash = strrchr(file, '/');
                snprintf(path, sizeof path, "%.*s%s", slash ? (int)(slash - file + 1) : 0, file, ev->str);
                size_t j = 0;
                while (j < *n && strcmp(out[j].path, path) != 0)
                    j++;
                ss_loaded l;
                sr_error ignored;
                if (j < *n || *n == max || ss_load(s, path, NULL, NULL, 0, &l, &ignored) != SR_OK)
                    continue;
                if (l.ev->pub_stars >= 0)
                    snprintf(out[(*n)++].path, PATH_MAX, "%.*s", PATH_MAX - 1, path);
                ss_unload(&l);
            }
            yd_free(doc);
        }
        if (rc != SR_OK)
            return rc;
    }
    return SR_OK;
}

typedef struct score {
    double brier, logloss;
    int top;
} score;

/* Multi-class Brier score (sum over ratings of (p - outcome)^2) and log-loss, the chance of
 * the published rating clipped at half a run so that one unseen outcome stays finite. */
static score score_of(const un_council *u, int truth)
{
    score sc = {0, 0, u->likely == truth};
    double p_true = 0;
    for (int k = u->rating_min; k <= u->rating_max && k - u->rating_min < 8; k++) {
        double p = u->stars[k - u->rating_min], o = k == truth;
        sc.brier += (p - o) * (p - o);
        if (k == truth)
            p_true = p;
    }
    sc.brier += u->stars_open * u->stars_open;
    double floor_p = 0.5 / (double)(u->runs ? u->runs : 1);
    sc.logloss = p_true >= 1 ? 0 : -log(p_true > floor_p ? p_true : floor_p);
    return sc;
}

int un_backtest(ss_session *s, const un_options *o, int json, sr_buf *b, sr_error *err)
{
    calib cal[32];
    size_t n;
    int rc = find_calibration(s, cal, 32, &n, err);
    if (rc != SR_OK)
        return rc;
    js_writer w;
    js_init(&w, b, 1);
    if (json) {
        js_object(&w);
        js_key(&w, "seed"); js_int(&w, (long)o->seed);
        js_key(&w, "variants"); js_int(&w, o->variants);
        js_key(&w, "councils");
        js_array(&w);
    } else {
        sr_buf_printf(b, "Leave-one-out over the calibration councils with evidence (seed %llu, %d "
                         "variants): each council's tests are left out, the admissible variants "
                         "fitted on the others, and the council predicted.\n",
                      (unsigned long long)o->seed, o->variants);
    }
    score tot[2] = {{0, 0, 0}, {0, 0, 0}};
    rt_result r;
    rt_init(&r);
    for (size_t i = 0; rc == SR_OK && i < n; i++) {
        ss_loaded l;
        if ((rc = ss_load(s, cal[i].path, NULL, NULL, 0, &l, err)) != SR_OK)
            break;
        un_council u[2];
        long tried[2] = {0, 0};
        size_t nv[2] = {0, 0};
        for (int loo = 0; rc == SR_OK && loo < 2; loo++) {
            un_options oo = *o;
            oo.exclude = loo ? l.ev->council : NULL;
            un_model *m;
            rc = un_fit(s, l.pack, &oo, &m, err);
            if (rc == SR_OK) {
                rc = un_rate(m, l.ev, &r, &u[loo], err);
                tried[loo] = m->tried, nv[loo] = m->nvariants;
                un_model_free(m);
            }
        }
        if (rc == SR_OK) {
            score sc[2] = {score_of(&u[0], l.ev->pub_stars), score_of(&u[1], l.ev->pub_stars)};
            for (int k = 0; k < 2; k++)
                tot[k].brier += sc[k].brier, tot[k].logloss += sc[k].logloss, tot[k].top += sc[k].top;
            if (json) {
                js_object(&w);
                js_key(&w, "council"); js_string(&w, l.ev->council);
                js_key(&w, "year"); js_int(&w, l.ev->year);
                js_key(&w, "published"); js_int(&w, l.ev->pub_stars);
                for (int k = 0; k < 2; k++) {
                    js_key(&w, k ? "left_out" : "in_sample");
                    js_object(&w);
                    js_key(&w, "p_published"); js_number(&w, u[k].stars[l.ev->pub_stars - u[k].rating_min]);
                    js_key(&w, "likely");
                    if (u[k].likely >= 0) js_int(&w, u[k].likely); else js_null(&w);
                    js_key(&w, "brier"); js_number(&w, sc[k].brier);
                    js_key(&w, "log_loss"); js_number(&w, sc[k].logloss);
                    js_key(&w, "acceptance"); js_number(&w, (double)nv[k] / (double)tried[k]);
                    js_end_object(&w);
                }
                js_end_object(&w);
            } else {
                sr_buf_printf(b, "  %s (%d), published %d %s\n", l.ev->council, l.ev->year,
                              l.ev->pub_stars, stars_word(l.ev->pub_stars));
                for (int k = 0; k < 2; k++) {
                    sr_buf_printf(b, "    %-10s ", k ? "left out:" : "in sample:");
                    stars_list(b, &u[k], -2);
                    sr_buf_printf(b, "; Brier %.3f, log-loss %.3f, %s (%d%% of %ld variants accepted)\n",
                                  sc[k].brier, sc[k].logloss,
                                  sc[k].top ? "published rating most likely" : "published rating NOT most likely",
                                  pct((double)nv[k] / (double)tried[k]), tried[k]);
                }
            }
        }
        ss_unload(&l);
    }
    rt_free(&r);
    if (rc != SR_OK)
        return rc;
    double dn = n ? (double)n : 1;
    if (json) {
        js_end_array(&w);
        for (int k = 0; k < 2; k++) {
            js_key(&w, k ? "left_out" : "in_sample");
            js_object(&w);
            js_key(&w, "councils"); js_int(&w, (long)n);
            js_key(&w, "brier"); js_number(&w, tot[k].brier / dn);
            js_key(&w, "log_loss"); js_number(&w, tot[k].logloss / dn);
            js_key(&w, "top"); js_int(&w, tot[k].top);
            js_end_object(&w);
        }
        js_end_object(&w);
        sr_buf_putc(b, '\n');
    } else {
        for (int k = 0; k < 2; k++)
            sr_buf_printf(b, "%s mean Brier %.3f, mean log-loss %.3f, published rating most likely "
                             "for %d of %zu\n", k ? "Left out: " : "In sample:", tot[k].brier / dn,
                          tot[k].logloss / dn, tot[k].top, n);
    }
    return SR_OK;
}
