/*
 * packtest.c — running rule packs' test cases, with TAP and JUnit output.
 */
#include "packtest.h"
#include "eval.h"
#include "json.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static const char *const file_keys[] = {"cases", NULL};
static const char *const case_keys[] = {"name", "evidence", "from_published", "expect", NULL};
static const char *const expect_fixed[] = {"stars", "stars_possible", "rule", NULL};
static const char *const expect_service_keys[] = {"serving", "capacity", NULL};

typedef struct pt_result {
    char *file;     /* test file */
    char *name;     /* case name */
    int line;
    char *failures; /* NULL when the case passed; one line per difference */
} pt_result;

typedef struct runner {
    const pt_options *o;
    pt_result *results;
    size_t n, cap;
    int rejected;   /* files that could not be read at all */
    rt_result r;
} runner;

static int add_result(runner *rn, const char *file, const char *name, int line, char *failures)
{
    if (rn->n == rn->cap) {
        size_t cap = rn->cap ? rn->cap * 2 : 32;
        pt_result *grown = sr_realloc(rn->results, cap * sizeof *grown);
        if (!grown)
            return SR_ENOMEM;
        rn->results = grown;
        rn->cap = cap;
    }
    pt_result *res = &rn->results[rn->n];
    res->file = sr_strdup(file);
    res->name = sr_strdup(name);
    res->line = line;
    res->failures = failures;
    if (!res->file || !res->name) {
        sr_free(res->file), sr_free(res->name), sr_free(failures);
        return SR_ENOMEM;
    }
    rn->n++;
    return SR_OK;
}

/* ---- comparing -------------------------------------------------------------------------- */

static void expect_word(sr_buf *f, const char *what, const yd_node *want, const rp_scale *sc,
                        int got)
{
    const char *g = got >= 0 ? sc->words[got].id : "insufficient evidence";
    if (strcmp(want->str, g) != 0)
        sr_buf_printf(f, "%s: expected %s, got %s\n", what, want->str, g);
}

static int check_expect(const rt_result *r, const char *file, const yd_node *exp, rp_pack *p,
                        sr_buf *f, sr_error *err)
{
    const char *keys[16];
    size_t nk = 0;
    for (; expect_fixed[nk]; nk++)
        keys[nk] = expect_fixed[nk];
    for (size_t s = 0; s < p->nservices; s++)
        keys[nk++] = p->services[s].id;
    keys[nk] = NULL;
    int rc = yd_expect(exp, YD_MAP, "expect", file, err);
    if (rc == SR_OK) rc = yd_check_keys(exp, keys, "expect", file, err);
    const yd_node *v;
    long n;
    if (rc == SR_OK && (v = yd_get(exp, "stars")) &&
        (rc = yd_integer(v, "stars", p->rating_min, p->rating_max, file, &n, err)) == SR_OK &&
        n != r->stars)
        sr_buf_printf(f, "stars: expected %ld, got %s%d\n", n, r->stars < 0 ? "none: " : "",
                      r->stars);
    if (rc == SR_OK && (v = yd_get(exp, "stars_possible")) &&
        (rc = yd_expect(v, YD_SEQ, "stars_possible", file, err)) == SR_OK) {
        unsigned want = 0;
        for (size_t i = 0; rc == SR_OK && i < v->n; i++)
            if ((rc = yd_integer(v->items[i], "stars", p->rating_min, p->rating_max, file, &n, err)) == SR_OK)
                want |= 1u << n;
        if (rc == SR_OK && want != r->possible)
            sr_buf_printf(f, "stars_possible: expected mask %u, got %u\n", want, r->possible);
    }
    if (rc == SR_OK && (v = yd_get(exp, "rule"))) {
        const char *got = r->rule >= 0 ? p->star_rules[r->rule].id : "(none)";
        if (v->kind != YD_SCALAR)
            rc = yd_expect(v, YD_SCALAR, "rule", file, err);
        else if (strcmp(v->str, got) != 0)
            sr_buf_printf(f, "rule: expected %s, got %s\n", v->str, got);
    }
    for (size_t s = 0; rc == SR_OK && s < p->nservices; s++) {
        const yd_node *svc = yd_get(exp, p->services[s].id);
        if (!svc)
            continue;
        rc = yd_expect(svc, YD_MAP, p->services[s].id, file, err);
        if (rc == SR_OK) rc = yd_check_keys(svc, expect_service_keys, p->services[s].id, file, err);
        char what[96];
        if (rc == SR_OK && (v = yd_get(svc, "serving")) &&
            (rc = yd_expect(v, YD_SCALAR, "serving", file, err)) == SR_OK) {
            snprintf(what, sizeof what, "%s.serving", p->services[s].id);
            expect_word(f, what, v, &p->serving, r->svc[s].serving);
        }
        if (rc == SR_OK && (v = yd_get(svc, "capacity")) &&
            (rc = yd_expect(v, YD_SCALAR, "capacity", file, err)) == SR_OK) {
            snprintf(what, sizeof what, "%s.capacity", p->services[s].id);
            expect_word(f, what, v, &p->capacity, r->svc[s].capacity);
        }
    }
    return rc;
}

int pt_expect(const yd_node *exp, const char *file, rp_pack *p, const rt_result *r, sr_buf *f,
              sr_error *err)
{
    return check_expect(r, file, exp, p, f, err);
}

static int expected_word(const yd_node *svc, const char *key, const rp_scale *sc)
{
    const yd_node *v = svc ? yd_get(svc, key) : NULL;
    if (!v || v->kind != YD_SCALAR)
        return PT_ANY;
    if (strcmp(v->str, "insufficient evidence") == 0)
        return -1;
    for (size_t w = 0; w < sc->nwords; w++)
        if (strcmp(sc->words[w].id, v->str) == 0)
            return (int)w;
    return PT_ANY; /* a word of no scale: pt_expect says so */
}

void pt_expect_service(const yd_node *exp, const rp_pack *p, size_t s, int *serving,
                       int *capacity)
{
    const yd_node *svc = exp && exp->kind == YD_MAP ? yd_get(exp, p->services[s].id) : NULL;
    if (svc && svc->kind != YD_MAP)
        svc = NULL;
    *serving = expected_word(svc, "serving", &p->serving);
    *capacity = expected_word(svc, "capacity", &p->capacity);
}

const yd_node *pt_case_evidence(const char *file, const yd_node *ev, char *path, size_t n)
{
    if (ev->kind == YD_SCALAR) {
        const char *slash = strrchr(file, '/');
        snprintf(path, n, "%.*s%s", slash ? (int)(slash - file + 1) : 0, file, ev->str);
        return NULL;
    }
    snprintf(path, n, "%s", file);
    return ev;
}

/* ---- running ---------------------------------------------------------------------------- */

/* The pack a test file belongs to: the folder above its tests/ folder. */
static void pack_of(const char *file, char *out, size_t n)
{
    snprintf(out, n, "%s", file);
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(out, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(out, n, "%s", up ? "." : "..");
    }
}

static int run_case(runner *rn, const char *file, const char *packdir, const yd_node *cs,
                    sr_error *err)
{
    const yd_node *v, *ev, *exp;
    const char *name;
    int from_pub = 0;
    int rc = yd_expect(cs, YD_MAP, "case", file, err);
    if (rc == SR_OK) rc = yd_check_keys(cs, case_keys, "case", file, err);
    if (rc == SR_OK) rc = yd_require(cs, "name", "case", file, &v, err);
    if (rc == SR_OK) rc = yd_string(v, "name", file, &name, err);
    if (rc == SR_OK) rc = yd_require(cs, "evidence", "case", file, &ev, err);
    if (rc == SR_OK) rc = yd_require(cs, "expect", "case", file, &exp, err);
    if (rc == SR_OK && (v = yd_get(cs, "from_published"))) rc = yd_bool(v, "from_published", file, &from_pub, err);
    if (rc != SR_OK)
        return rc;
    char path[3 * PATH_MAX];
    const yd_node *node = pt_case_evidence(file, ev, path, sizeof path);
    sr_buf f;
    sr_buf_init(&f);
    ss_loaded l;
    sr_error caseerr;
    sr_error_clear(&caseerr);
    rc = ss_load(rn->o->session, path, node, packdir, from_pub, &l, &caseerr);
    if (rc == SR_OK) rc = rt_evaluate(l.pack, l.ev, &rn->r, &caseerr);
    if (rc == SR_OK) {
        rc = check_expect(&rn->r, file, exp, l.pack, &f, err);
    } else if (rc != SR_ENOMEM) {
        char msg[2048];
        sr_error_format(&caseerr, msg, sizeof msg);
        sr_buf_printf(&f, "%s\n", msg);
        rc = SR_OK;
    } else {
        *err = caseerr;
    }
    ss_unload(&l);
    if (rc != SR_OK || f.oom) {
        sr_buf_free(&f);
        return rc != SR_OK ? rc : sr_oom(err);
    }
    char *failures = f.len ? sr_buf_take(&f) : NULL;
    sr_buf_free(&f);
    if (add_result(rn, file, name, cs->line, failures) != SR_OK)
        return sr_oom(err);
    return SR_OK;
}

static int run_file(runner *rn, const char *file)
{
    sr_error err;
    sr_error_clear(&err);
    yd_node *doc = NULL;
    char packdir[PATH_MAX];
    pack_of(file, packdir, sizeof packdir);
    const yd_node *cases;
    int rc = yd_load_file(file, &yd_default_limits, &doc, &err);
    if (rc == SR_OK) rc = yd_expect(doc, YD_MAP, "test file", file, &err);
    if (rc == SR_OK) rc = yd_check_keys(doc, file_keys, "test file", file, &err);
    if (rc == SR_OK) rc = yd_require(doc, "cases", "test file", file, &cases, &err);
    if (rc == SR_OK) rc = yd_expect(cases, YD_SEQ, "cases", file, &err);
    for (size_t i = 0; rc == SR_OK && i < cases->n; i++)
        rc = run_case(rn, file, packdir, cases->items[i], &err);
    yd_free(doc);
    if (rc != SR_OK) {
        char msg[2048];
        sr_error_format(&err, msg, sizeof msg);
        fprintf(rn->o->err, "%s\n", msg);
        rn->rejected++;
    }
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int pt_test_files(const char *packdir, char **names, size_t max)
{
    char dir[PATH_MAX + 8];
    snprintf(dir, sizeof dir, "%s/tests", packdir);
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* a pack without tests has nothing to run */
    size_t n = 0;
    int oom = 0;
    struct dirent *e;
    while (!oom && (e = readdir(d)) && n < max) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0)
            oom = !(names[n++] = sr_strdup(e->d_name));
    }
    closedir(d);
    if (oom) {
        while (n > 0)
            sr_free(names[--n]);
        return -1;
    }
    qsort(names, n, sizeof names[0], cmp_names);
    return (int)n;
}

static int run_pack(runner *rn, const char *pack)
{
    char dir[PATH_MAX + 8];
    snprintf(dir, sizeof dir, "%s/tests", pack);
    char *names[512];
    int got = pt_test_files(pack, names, 512);
    size_t n = got > 0 ? (size_t)got : 0;
    for (size_t i = 0; i < n; i++) {
        char path[2 * PATH_MAX], shown[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        sr_display_path(path, shown, sizeof shown);
        run_file(rn, shown);
        sr_free(names[i]);
    }
    return SR_OK;
}

/* ---- reporting -------------------------------------------------------------------------- */

static void tap(runner *rn, sr_buf *b, size_t *failed)
{
    sr_buf_puts(b, "TAP version 13\n");
    for (size_t i = 0; i < rn->n; i++) {
        pt_result *res = &rn->results[i];
        /* names come from the pack: escaped, a newline cannot start a forged "ok" line and a
         * '#' cannot add a directive (# TODO, # SKIP) */
        sr_buf_printf(b, "%s %zu - ", res->failures ? "not ok" : "ok", i + 1);
        sr_buf_put_escaped(b, res->file, "#\\");
        sr_buf_puts(b, ": ");
        sr_buf_put_escaped(b, res->name, "#\\");
        sr_buf_putc(b, '\n');
        if (!res->failures)
            continue;
        (*failed)++;
        sr_buf_printf(b, "  ---\n  at: %s:%d\n  failures:\n", res->file, res->line);
        for (const char *p = res->failures; *p;) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            sr_buf_puts(b, "    - \"");
            char line[1024];
            snprintf(line, sizeof line, "%.*s", (int)(len < 1000 ? len : 1000), p);
            sr_buf_put_escaped(b, line, "\"\\");
            sr_buf_puts(b, "\"\n");
            p += len + (nl ? 1 : 0);
        }
        sr_buf_puts(b, "  ...\n");
    }
    sr_buf_printf(b, "1..%zu\n", rn->n);
}

/* Text as XML 1.0 allows it: a character XML forbids (C0 controls other than tab and line
 * ends, U+FFFE, U+FFFF) or a byte of invalid UTF-8 becomes U+FFFD; tab and line ends are
 * written as references so attributes keep them. */
static void xml_escaped(sr_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = sr_utf8_seq(p);
        switch (*p) {
        case '&': sr_buf_puts(b, "&amp;"); break;
        case '<': sr_buf_puts(b, "&lt;"); break;
        case '>': sr_buf_puts(b, "&gt;"); break;
        case '"': sr_buf_puts(b, "&quot;"); break;
        case '\t': sr_buf_puts(b, "&#9;"); break;
        case '\n': sr_buf_puts(b, "&#10;"); break;
        case '\r': sr_buf_puts(b, "&#13;"); break;
        default:
            if (n == 0 || *p < 0x20 ||
                (n == 3 && p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)))
                sr_buf_puts(b, "\xEF\xBF\xBD");
            else
                sr_buf_putn(b, (const char *)p, n);
        }
        p += n ? n : 1;
    }
}

static void junit(runner *rn, sr_buf *b, size_t failed)
{
    sr_buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites name=\"starrate rule packs\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\">\n"
                     "  <testsuite name=\"packs\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\">\n",
                  rn->n, failed, rn->rejected, rn->n, failed, rn->rejected);
    for (size_t i = 0; i < rn->n; i++) {
        pt_result *res = &rn->results[i];
        sr_buf_puts(b, "    <testcase classname=\"");
        xml_escaped(b, res->file);
        sr_buf_puts(b, "\" name=\"");
        xml_escaped(b, res->name);
        if (!res->failures) {
            sr_buf_puts(b, "\"/>\n");
            continue;
        }
        sr_buf_puts(b, "\">\n      <failure message=\"expected and actual differ\">");
        xml_escaped(b, res->failures);
        sr_buf_puts(b, "</failure>\n    </testcase>\n");
    }
    sr_buf_puts(b, "  </testsuite>\n</testsuites>\n");
}

int pt_run(const char *const *targets, int ntargets, const pt_options *o)
{
    runner rn;
    memset(&rn, 0, sizeof rn);
    rn.o = o;
    rt_init(&rn.r);
    for (int i = 0; i < ntargets; i++) {
        size_t len = strlen(targets[i]);
        if (len > 5 && strcmp(targets[i] + len - 5, ".yaml") == 0) {
            run_file(&rn, targets[i]);
        } else {
            char dir[PATH_MAX];
            sr_error err;
            sr_error_clear(&err);
            if (rp_resolve(targets[i], dir, sizeof dir, &err) != SR_OK) {
                char msg[2048];
                sr_error_format(&err, msg, sizeof msg);
                fprintf(o->err, "%s\n", msg);
                rn.rejected++;
                continue;
            }
            run_pack(&rn, dir);
        }
    }
    sr_buf b;
    sr_buf_init(&b);
    size_t failed = 0;
    tap(&rn, &b, &failed);
    sr_buf_printf(&b, "%zu passed, %zu failed\n", rn.n - failed, failed);
    fputs(b.data ? b.data : "", o->out);
    int status = failed || rn.rejected || b.oom ? 1 : 0;
    if (o->junit) {
        sr_buf x;
        sr_buf_init(&x);
        junit(&rn, &x, failed);
        sr_error err;
        sr_error_clear(&err);
        if (x.oom || sr_write_file_atomic(o->junit, x.data, x.len, &err) != SR_OK) {
            char msg[2048];
            sr_error_format(&err, msg, sizeof msg);
            fprintf(o->err, "%s\n", msg);
            status = 1;
        }
        sr_buf_free(&x);
    }
    sr_buf_free(&b);
    for (size_t i = 0; i < rn.n; i++)
        sr_free(rn.results[i].file), sr_free(rn.results[i].name), sr_free(rn.results[i].failures);
    sr_free(rn.results);
    rt_free(&rn.r);
    return status;
}
