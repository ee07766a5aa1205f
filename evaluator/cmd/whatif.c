/*
 * whatif.c — `starrate whatif` and `starrate seek`.
 *
 * whatif evaluates the council as it is (or as the --against scenario leaves it) and with
 * each scenario, then compares the two traces node by node, by subject: a band, grade, key
 * threshold, judgement or the stars whose output differs is a difference. Each difference is
 * traced back to the changes that caused it through the trace's own "uses" links, and where a
 * change stops having effect (a grade that stays, a cap that still holds) the unchanged node
 * is what explains "why not". Every sentence is built from trace data, so no cut-off or label
 * of the rule pack is repeated here.
 */
#include "whatif.h"
#include "uncert.h"
#include "cli.h"
#include "json.h"
#include "output.h"
#include "scenario.h"
#include "seek.h"
#include "session.h"
#include "starrate.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef enum { FMT_TEXT, FMT_JSON, FMT_CSV } fmt_kind;

static const char usage_whatif[] =
    "usage: starrate whatif [OPTIONS] FILE SCENARIO...\n"
    "\n"
    "Rates the council whose evidence FILE gives, then again with each SCENARIO's changes\n"
    "(YAML, see docs/scenario-format.md), and shows them side by side. For each scenario it\n"
    "lists every band, standard grade, key threshold, judgement and the stars that changed,\n"
    "with the rule that decided it and the change that caused it. A scenario that moves no\n"
    "judgement and no star says so and explains where each change stops having an effect.\n"
    "A scenario that is rejected is reported as FILE:LINE:COL: error: MESSAGE on standard\n"
    "error and the others are still compared (exit status 1).\n"
    "\n"
    "options:\n"
    "  --against SCENARIO    compare each scenario with SCENARIO instead of with the baseline\n"
    "  --format text|json|csv   output format (default text)\n"
    "  --rules PACK          rule pack folder or round (default: the pack for FILE's year)\n"
    "  -o FILE               write the output to FILE atomically instead of standard output\n"
    "  --uncertainty         (text) how each scenario moves the chance of each star rating,\n"
    "                        \"chance of 2 stars 30% -> 85%\"; --seed N, --variants N as for rate\n";

static const char usage_seek[] =
    "usage: starrate seek [OPTIONS] FILE --target N\n"
    "       starrate seek [OPTIONS] FILE --margin\n"
    "\n"
    "Finds the smallest sets of changes to the council's evidence that reach N stars (at least\n"
    "N; at most N when N is below the present rating), ranked by the number of changes and then\n"
    "by the total band steps. Each plan is shown with the judgements it gives and as scenario\n"
    "changes (docs/scenario-format.md). With --margin: the smallest deteriorations that would\n"
    "lose a star. Only minimal plans are shown: none holds a smaller plan that reaches the\n"
    "target, or the same moves by fewer bands.\n"
    "\n"
    "Moves considered: each indicator of the rule pack's catalogue for the service moved by 1\n"
    "to 4 bands (its value set at the band's limit; one not in the evidence counts from band\n"
    "3), each concern or area for improvement turned into a strength, each key requirement met;\n"
    "with --margin the reverse. A band step counts one; a finding or a requirement counts one.\n"
    "\n"
    "options:\n"
    "  --target N            the stars wanted\n"
    "  --margin              the smallest deteriorations that lose a star\n"
    "  --max-changes K       the largest plan tried, 1 to 5 (default 3)\n"
    "  --only KINDS          indicators, findings or requirements (a comma-separated list)\n"
    "  --fix CODE            keep an input unchanged: an indicator code, finding id,\n"
    "                        requirement name or path such as adults.indicator.D42\n"
    "                        (repeatable)\n"
    "  --limit M             plans shown (default 10)\n"
    "  --format text|json|csv   output format (default text)\n"
    "  --rules PACK          rule pack folder or round (default: the pack for FILE's year)\n"
    "  -o FILE               write the output to FILE atomically instead of standard output\n"
    "\n"
    "The search reports how many evaluations it made; when it runs longer than a second it\n"
    "prints its progress on standard error.\n";

/* ---- options ----------------------------------------------------------------------------- */

#define WI_MAX_ARGS 256

typedef struct wi_opts {
    fmt_kind format;
    const char *rules, *output, *against;
    int help;
    int target, has_target, margin, max_changes, limit;
    unsigned only;
    const char *fix[WI_MAX_ARGS];
    size_t nfix;
    const char *args[WI_MAX_ARGS];
    int nargs;
    int uncertainty;                 /* whatif --uncertainty [--seed N] [--variants N] */
    const char *seed, *variants;
} wi_opts;

typedef struct wi_cli {
    FILE *out, *err;
    wi_opts o;
    ss_session session;
} wi_cli;

static int usage_error(wi_cli *c, const char *fmt, const char *arg)
{
    fprintf(c->err, "starrate: ");
    fprintf(c->err, fmt, arg);
    fprintf(c->err, "\nTry 'starrate help' for usage.\n");
    return EXIT_USAGE;
}

static int parse_int(wi_cli *c, const char *name, const char *v, int lo, int hi, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi) {
        fprintf(c->err, "starrate: %s needs a whole number from %d to %d, got '%s'\n", name, lo, hi, v);
        return EXIT_USAGE;
    }
    *out = (int)n;
    return 0;
}

static int parse_only(wi_cli *c, const char *v)
{
    char word[64];
    const char *p = v;
    while (*p) {
        size_t n = strcspn(p, ",");
        snprintf(word, sizeof word, "%.*s", (int)(n < 63 ? n : 63), p);
        if (strcmp(word, "indicators") == 0) c->o.only |= SK_INDICATORS;
        else if (strcmp(word, "findings") == 0) c->o.only |= SK_FINDINGS;
        else if (strcmp(word, "requirements") == 0) c->o.only |= SK_REQUIREMENTS;
        else return usage_error(c, "--only takes indicators, findings or requirements, not '%s'", word);
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* One option with its value; `seek` says which command's options apply. */
static int take_option(wi_cli *c, const char *name, const char *v, int seek)
{
    wi_opts *o = &c->o;
    if (strcmp(name, "--format") == 0) {
        if (strcmp(v, "text") == 0) o->format = FMT_TEXT;
        else if (strcmp(v, "json") == 0) o->format = FMT_JSON;
        else if (strcmp(v, "csv") == 0) o->format = FMT_CSV;
        else return usage_error(c, "unknown format '%s' (expected text, json or csv)", v);
        return 0;
    }
    if (strcmp(name, "--rules") == 0) return o->rules = v, 0;
    if (strcmp(name, "-o") == 0 || strcmp(name, "--output") == 0) return o->output = v, 0;
    if (!seek && strcmp(name, "--against") == 0) return o->against = v, 0;
    if (!seek && strcmp(name, "--seed") == 0) return o->seed = v, 0;
    if (!seek && strcmp(name, "--variants") == 0) return o->variants = v, 0;
    if (seek && strcmp(name, "--target") == 0) {
        o->has_target = 1;
        return parse_int(c, "--target", v, 0, 99, &o->target);
    }
    if (seek && strcmp(name, "--max-changes") == 0)
        return parse_int(c, "--max-changes", v, 1, SK_MAX_CHANGES, &o->max_changes);
    if (seek && strcmp(name, "--limit") == 0) return parse_int(c, "--limit", v, 1, 100000, &o->limit);
    if (seek && strcmp(name, "--only") == 0) return parse_only(c, v);
    if (seek && strcmp(name, "--fix") == 0) {
        if (o->nfix == WI_MAX_ARGS)
            return usage_error(c, "too many --fix options (at most %s)", "256");
        o->fix[o->nfix++] = v;
        return 0;
    }
    return usage_error(c, "unknown option '%s'", name);
}

static int takes_value(const char *name, int seek)
{
    static const char *const common[] = {"--format", "--rules", "-o", "--output"};
    static const char *const seek_only[] = {"--target", "--max-changes", "--limit", "--only", "--fix"};
    for (size_t i = 0; i < sizeof common / sizeof *common; i++)
        if (strcmp(name, common[i]) == 0)
            return 1;
    if (!seek)
        return strcmp(name, "--against") == 0 || strcmp(name, "--seed") == 0 ||
               strcmp(name, "--variants") == 0;
    for (size_t i = 0; i < sizeof seek_only / sizeof *seek_only; i++)
        if (strcmp(name, seek_only[i]) == 0)
            return 1;
    return 0;
}

static int parse_opts(wi_cli *c, int argc, char **argv, int seek)
{
    wi_opts *o = &c->o;
    int only_args = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || strcmp(a, "-") == 0) {
            if (o->nargs == WI_MAX_ARGS)
                return usage_error(c, "too many arguments (at most %s)", "256");
            o->args[o->nargs++] = a;
            continue;
        }
        char name[64];
        const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : 63, a);
        if (strcmp(a, "--") == 0) only_args = 1;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) o->help = 1;
        else if (seek && strcmp(a, "--margin") == 0) o->margin = 1;
        else if (!seek && strcmp(a, "--uncertainty") == 0) o->uncertainty = 1;
        else if (takes_value(name, seek)) {
            const char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
            if (!v)
                return usage_error(c, "option %s needs a value", name);
            if (take_option(c, name, v, seek))
                return EXIT_USAGE;
        } else {
            return usage_error(c, "unknown option '%s'", a);
        }
    }
    return 0;
}

/* ---- shared plumbing ---------------------------------------------------------------------- */

static void report(wi_cli *c, const sr_error *e) { sr_error_print(c->err, e); }

static int write_output(wi_cli *c, sr_buf *b) { return cli_deliver(b, c->o.output, c->out, c->err); }

static void csv_int(sr_buf *b, long v, int last)
{
    char num[32];
    snprintf(num, sizeof num, "%ld", v);
    out_csv_field(b, num, last);
}

static const char *word_or(const rp_scale *sc, int w, const char *none)
{
    return w >= 0 ? sc->words[w].id : none;
}

static void stars_phrase(sr_buf *b, const rp_pack *p, int stars)
{
    if (stars < 0)
        sr_buf_puts(b, "not settled");
    else
        sr_buf_printf(b, "%d %s", stars,
                      stars == 1 && strcmp(p->rating_unit, "stars") == 0 ? "star" : p->rating_unit);
}


/* Word-wraps text at `width` columns with `indent` spaces before every line. */
static void wrap(sr_buf *b, const char *text, int indent, int width)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\n')
            p++;
        if (!*p)
            break;
        int col = indent;
        sr_buf_printf(b, "%*s", indent, "");
        int first = 1;
        while (*p) {
            while (*p == ' ' || *p == '\n')
                p++;
            size_t n = strcspn(p, " \n");
            if (!n)
                break;
            if (!first && col + 1 + (int)n > width)
                break;
            sr_buf_printf(b, "%s%.*s", first ? "" : " ", (int)n, p);
            col += (first ? 0 : 1) + (int)n;
            first = 0;
            p += n;
        }
        sr_buf_putc(b, '\n');
    }
}

/* Writes text from column col0 on, continuing on new lines indented by `indent` when a line
 * would pass `width`; ends with a newline. */
static void hang(sr_buf *b, const char *text, int col0, int indent, int width)
{
    int col = col0, first = 1;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (!n)
            break;
        if (!first && col + 1 + (int)n > width) {
            sr_buf_printf(b, "\n%*s", indent, "");
            col = indent;
            first = 1;
        }
        sr_buf_printf(b, "%s%.*s", first ? "" : " ", (int)n, p);
        col += (first ? 0 : 1) + (int)n;
        first = 0;
        p += n;
    }
    sr_buf_putc(b, '\n');
}

#define WIDTH 100

/* ---- one evaluated state of the council -------------------------------------------------- */

typedef struct state {
    const char *label;      /* column heading */
    sc_work *work;          /* NULL for the baseline */
    const ev_evidence *ev;
    rt_result r;
    const sc_scenario *sc;  /* NULL for the baseline */
} state;

/* ---- the difference between two evaluations ---------------------------------------------- */

typedef struct cause_src {
    const sc_change *c;
    int number;     /* 1-based within its scenario */
    int reference;  /* 1: a change of the --against scenario */
} cause_src;

typedef struct diff {
    const rp_pack *p;
    const state *A, *B;      /* reference and scenario */
    size_t na, nb;
    int *a_of_b, *b_of_a;    /* same subject in the other trace, or -1 */
    unsigned char *changed;  /* per B node */
    unsigned char *effect;   /* per B node: its change reaches the nodes that use it */
    cause_src *src;
    size_t nsrc;
    unsigned char *cause;    /* nb x nsrc */
    unsigned char *cause_a;  /* na x nsrc, for nodes that exist only in A */
    int *direct;             /* per source: up to DIRECT_MAX B node indexes */
    int *ndirect;
    int *direct_a;           /* per source: A-only nodes */
    int *ndirect_a;
    int oom;
} diff;

#define DIRECT_MAX 32

static int reported_kind(const tr_node *nd)
{
    static const char *const kinds[] = {"band", "grade", "cap", "judgement", "star"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(nd->kind, kinds[i]) == 0)
            return 1;
    return 0;
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int find_subject(const tr_trace *t, const char *subject)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->nodes[i].subject, subject) == 0)
            return (int)i;
    return -1;
}

int wi_node_differs(const tr_node *before, const tr_node *after)
{
    const tr_node *nd = after ? after : before;
    if (!nd || !reported_kind(nd))
        return 0;
    return !before || !after || !same_str(before->output, after->output) ||
           !same_str(before->source, after->source);
}

static int caps(const tr_node *nd)
{
    return nd && nd->output && strcmp(nd->output, "capped") == 0;
}

static void diff_free(diff *d)
{
    sr_free(d->a_of_b), sr_free(d->b_of_a), sr_free(d->changed), sr_free(d->effect), sr_free(d->src);
    sr_free(d->cause), sr_free(d->cause_a), sr_free(d->direct), sr_free(d->ndirect);
    sr_free(d->direct_a), sr_free(d->ndirect_a);
    memset(d, 0, sizeof *d);
}

static void add_direct(diff *d, size_t j, const char *subject)
{
    int b = find_subject(&d->B->r.trace, subject);
    if (b >= 0) {
        for (int i = 0; i < d->ndirect[j]; i++)
            if (d->direct[j * DIRECT_MAX + (size_t)i] == b)
                return;
        if (d->ndirect[j] < DIRECT_MAX)
            d->direct[j * DIRECT_MAX + (size_t)d->ndirect[j]++] = b;
        return;
    }
    int a = find_subject(&d->A->r.trace, subject);
    if (a >= 0 && d->ndirect_a[j] < DIRECT_MAX)
        d->direct_a[j * DIRECT_MAX + (size_t)d->ndirect_a[j]++] = a;
}

static const ev_finding *finding_named(const ev_evidence *ev, size_t s, const sc_change *c)
{
    const ev_service *svc = &ev->services[s];
    int cap = c->what == SC_CAPACITY_FINDING;
    const ev_finding *list = cap ? svc->capacity_findings : svc->findings;
    size_t n = cap ? svc->ncapacity : svc->nfindings;
    if (c->position)
        return (size_t)c->position <= n ? &list[c->position - 1] : NULL;
    const char *id = c->verb == SC_ADD ? c->id : c->name;
    for (size_t i = 0; id && i < n; i++)
        if (strcmp(list[i].id, id) == 0)
            return &list[i];
    return NULL;
}

/* Standards a finding feeds (none for no finding), as the derivation reads them. */
static unsigned finding_mask(const rp_pack *p, const ev_evidence *ev, const ev_finding *f)
{
    return f ? rt_finding_standards(p, ev, f) : 0;
}

static const ev_indicator *indicator_named(const ev_evidence *ev, size_t s, const char *code)
{
    const ev_service *svc = &ev->services[s];
    for (size_t i = 0; i < svc->nindicators; i++)
        if (strcmp(svc->indicators[i].code, code) == 0)
            return &svc->indicators[i];
    return NULL;
}

/* The caps of service s that read an indicator or a requirement (one of them NULL). */
static void direct_caps(diff *d, size_t j, int s, const char *indicator, const char *requirement)
{
    const rp_pack *p = d->p;
    char subject[512];
    for (size_t i = 0; i < p->ncaps; i++) {
        const rp_cap *cap = &p->caps[i];
        const char *reads = indicator ? cap->indicator : cap->requirement;
        if (cap->service != s || !reads || strcmp(reads, indicator ? indicator : requirement) != 0)
            continue;
        snprintf(subject, sizeof subject, "%s.%s.cap.%s", p->services[s].id,
                 cap->judgement ? "capacity" : "serving", cap->id);
        add_direct(d, j, subject);
    }
}

static void direct_indicator(diff *d, size_t j, int s, const char *code)
{
    const char *sid = d->p->services[s].id;
    char subject[512];
    snprintf(subject, sizeof subject, "%s.indicator.%s", sid, code);
    add_direct(d, j, subject);
    direct_caps(d, j, s, code, NULL);
    const ev_indicator *ia = indicator_named(d->A->ev, (size_t)s, code);
    const ev_indicator *ib = indicator_named(d->B->ev, (size_t)s, code);
    const ev_indicator *any = ib ? ib : ia;
    /* Added or taken out: the standard it feeds sees one indicator more or less. */
    if (any && (!ia || !ib)) {
        snprintf(subject, sizeof subject, "%s.standard.%d", sid, any->def->standard);
        add_direct(d, j, subject);
    }
    /* Its value also counts in the direction of travel (standard 6). */
    if ((ia && ia->has_previous) || (ib && ib->has_previous)) {
        snprintf(subject, sizeof subject, "%s.standard.6", sid);
        add_direct(d, j, subject);
    }
}

static void direct_finding(diff *d, size_t j, int s, const sc_change *c)
{
    const char *sid = d->p->services[s].id;
    char subject[512];
    unsigned mask = c->standards |
                    finding_mask(d->p, d->A->ev, finding_named(d->A->ev, (size_t)s, c)) |
                    finding_mask(d->p, d->B->ev, finding_named(d->B->ev, (size_t)s, c));
    for (int k = 1; k <= 5; k++)
        if (mask & (1u << k)) {
            snprintf(subject, sizeof subject, "%s.standard.%d", sid, k);
            add_direct(d, j, subject);
        }
    /* A finding that names no standard has a trace node of its own that says so. */
    const char *id = c->verb == SC_ADD ? c->id : c->name;
    if (!mask && id) {
        snprintf(subject, sizeof subject, "%s.finding.%s", sid, id);
        add_direct(d, j, subject);
    }
}

/* The trace subjects a change touches first. */
static void direct_subjects(diff *d, size_t j)
{
    const sc_change *c = d->src[j].c;
    int s = sc_service_of(d->p, c);
    if (s < 0)
        return;
    const char *sid = d->p->services[s].id;
    char subject[512];
    switch (c->what) {
    case SC_INDICATOR:
        direct_indicator(d, j, s, c->name);
        break;
    case SC_FINDING:
        direct_finding(d, j, s, c);
        break;
    case SC_CAPACITY_FINDING:
        snprintf(subject, sizeof subject, "%s.standard.6", sid);
        add_direct(d, j, subject);
        break;
    case SC_REQUIREMENT:
        direct_caps(d, j, s, NULL, c->name);
        break;
    case SC_STANDARD:
        snprintf(subject, sizeof subject, "%s.standard.%d", sid, c->standard);
        add_direct(d, j, subject);
        break;
    case SC_SERVING:
    case SC_CAPACITY:
        snprintf(subject, sizeof subject, "%s.%s", sid, c->what == SC_SERVING ? "serving" : "capacity");
        add_direct(d, j, subject);
        break;
    }
}

static void add_sources(diff *d, const sc_scenario *sc, int reference, size_t *n)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->nchanges; i++) {
        d->src[*n].c = &sc->changes[i];
        d->src[*n].number = (int)i + 1;
        d->src[*n].reference = reference;
        (*n)++;
    }
}

static int diff_alloc(diff *d, size_t ns)
{
    d->a_of_b = sr_calloc(d->nb + 1, sizeof *d->a_of_b);
    d->b_of_a = sr_calloc(d->na + 1, sizeof *d->b_of_a);
    d->changed = sr_calloc(d->nb + 1, 1);
    d->effect = sr_calloc(d->nb + 1, 1);
    d->src = sr_calloc(ns, sizeof *d->src);
    d->cause = sr_calloc((d->nb + 1) * ns, 1);
    d->cause_a = sr_calloc((d->na + 1) * ns, 1);
    d->direct = sr_calloc(ns * DIRECT_MAX, sizeof *d->direct);
    d->ndirect = sr_calloc(ns, sizeof *d->ndirect);
    d->direct_a = sr_calloc(ns * DIRECT_MAX, sizeof *d->direct_a);
    d->ndirect_a = sr_calloc(ns, sizeof *d->ndirect_a);
    if (d->a_of_b && d->b_of_a && d->changed && d->effect && d->src && d->cause && d->cause_a &&
        d->direct && d->ndirect && d->direct_a && d->ndirect_a)
        return 1;
    diff_free(d);
    return 0;
}

/* Compares B with A and traces each difference to its causes. 0 when out of memory. */
static int diff_build(diff *d, const rp_pack *p, const state *A, const state *B)
{
    memset(d, 0, sizeof *d);
    d->p = p, d->A = A, d->B = B;
    d->na = A->r.trace.n, d->nb = B->r.trace.n;
    d->nsrc = (B->sc ? B->sc->nchanges : 0) + (A->sc ? A->sc->nchanges : 0);
    size_t ns = d->nsrc ? d->nsrc : 1;
    if (!diff_alloc(d, ns))
        return 0;
    const tr_trace *ta = &A->r.trace, *tb = &B->r.trace;
    for (size_t i = 0; i < d->na; i++)
        d->b_of_a[i] = find_subject(tb, ta->nodes[i].subject);
    for (size_t i = 0; i < d->nb; i++) {
        const tr_node *nb = &tb->nodes[i];
        int a = d->a_of_b[i] = find_subject(ta, nb->subject);
        const tr_node *na = a >= 0 ? &ta->nodes[a] : NULL;
        d->changed[i] = wi_node_differs(na, nb);
        /* A key threshold acts only when it caps: "not evaluated" and "not breached" (or
         * "breached, no effect") lower nothing, so a move between them stops there. */
        d->effect[i] = d->changed[i] &&
                       (strcmp(nb->kind, "cap") != 0 || caps(na) != caps(nb));
    }
    size_t n = 0;
    add_sources(d, B->sc, 0, &n);
    add_sources(d, A->sc, 1, &n);
    for (size_t j = 0; j < d->nsrc; j++) {
        direct_subjects(d, j);
        for (int k = 0; k < d->ndirect[j]; k++)
            d->cause[(size_t)d->direct[j * DIRECT_MAX + (size_t)k] * ns + j] = 1;
        for (int k = 0; k < d->ndirect_a[j]; k++)
            d->cause_a[(size_t)d->direct_a[j * DIRECT_MAX + (size_t)k] * ns + j] = 1;
    }
    /* A node's causes are its own and those of the changed nodes it uses; uses may point
     * forward (a judgement uses its caps), so repeat until nothing moves. */
    for (int moved = 1; moved;) {
        moved = 0;
        for (size_t i = 0; i < d->nb; i++)
            for (const tr_use *u = tb->nodes[i].uses; u; u = u->next) {
                if (u->node < 0 || (size_t)u->node >= d->nb || !d->effect[u->node])
                    continue;
                for (size_t j = 0; j < d->nsrc; j++)
                    if (d->cause[(size_t)u->node * ns + j] && !d->cause[i * ns + j])
                        d->cause[i * ns + j] = 1, moved = 1;
            }
    }
    return 1;
}

static size_t diff_count(const diff *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nb; i++)
        n += d->changed[i];
    for (size_t i = 0; i < d->na; i++)
        n += d->b_of_a[i] < 0 && wi_node_differs(&d->A->r.trace.nodes[i], NULL);
    return n;
}

/* Whether any judgement or the stars differ. */
static int judgements_differ(const state *A, const state *B, size_t ns)
{
    if (A->r.stars != B->r.stars || A->r.rule != B->r.rule)
        return 1;
    for (size_t s = 0; s < ns; s++)
        if (A->r.svc[s].serving != B->r.svc[s].serving || A->r.svc[s].capacity != B->r.svc[s].capacity)
            return 1;
    return 0;
}

/* ---- sentences from trace nodes ---------------------------------------------------------- */

/* "band 5", a grade or judgement word, a cap's state; "none" when the node is absent. */
static void node_value(sr_buf *b, const tr_node *nd)
{
    if (!nd) {
        sr_buf_puts(b, "none");
        return;
    }
    if (!nd->output) {
        sr_buf_puts(b, nd->source && strcmp(nd->source, "insufficient") == 0 ? "insufficient evidence"
                                                                               : "not assessed");
        return;
    }
    if (strcmp(nd->kind, "band") == 0)
        sr_buf_printf(b, "band %s", nd->output);
    else if (strcmp(nd->kind, "star") == 0)
        sr_buf_printf(b, "%s", nd->output);
    else
        sr_buf_puts(b, nd->output);
    if (nd->source && strcmp(nd->source, "given") == 0)
        sr_buf_puts(b, " (given)");
}

static const tr_compare *first_met(const tr_node *nd, const tr_compare **above)
{
    *above = NULL;
    for (const tr_compare *c = nd ? nd->cmps : NULL; c; c = c->next) {
        if (c->met)
            return c;
        *above = c;
    }
    return NULL;
}

/* "score 0.31 >= 0.1 gives good" */
static void compare_text(sr_buf *b, const tr_compare *c)
{
    if (c->limit && c->op)
        sr_buf_printf(b, "%s %s %s %s gives %s", c->what, c->value, c->op, c->limit, c->word);
    else
        sr_buf_printf(b, "%s %s meets no higher cut-off: %s", c->what, c->value, c->word);
}

/* How a node arrived at its output: the comparison that decided it, or its text. */
static void decided_by(sr_buf *b, const tr_node *nd)
{
    const tr_compare *above, *met = first_met(nd, &above);
    if (nd->source && strcmp(nd->source, "given") == 0)
        sr_buf_puts(b, "given");
    else if (met && strcmp(nd->kind, "cap") != 0)
        compare_text(b, met);
    else if (met)
        sr_buf_printf(b, "%s %s %s %s", met->what, met->value, met->op ? met->op : "", met->limit ? met->limit : "");
    else if (nd->cmps && strcmp(nd->kind, "cap") == 0)
        sr_buf_printf(b, "%s %s does not breach %s", nd->cmps->what, nd->cmps->value, nd->cmps->limit ? nd->cmps->limit : "");
    else if (nd->text)
        sr_buf_puts(b, nd->text);
}

static double num(const char *s) { return s ? strtod(s, NULL) : 0; }

/* Why an unchanged node stayed: the cut-off it still misses (or still reaches). */
static void stays_reason(sr_buf *b, const tr_node *nb, const tr_node *na)
{
    if (nb->source && strcmp(nb->source, "given") == 0) {
        sr_buf_puts(b, "it is given, so nothing below it counts");
        return;
    }
    const tr_compare *above, *met = first_met(nb, &above);
    if (!met) {
        if (nb->text)
            sr_buf_puts(b, nb->text);
        return;
    }
    const tr_compare *was_above, *was = first_met(na, &was_above);
    /* Moving away from the next word (a worse value) is told by the cut-off still reached. */
    int ge = above && above->op && (strcmp(above->op, ">=") == 0 || strcmp(above->op, ">") == 0);
    int le = above && above->op && (strcmp(above->op, "<=") == 0 || strcmp(above->op, "<") == 0);
    int away = was && ((ge && num(met->value) < num(was->value)) || (le && num(met->value) > num(was->value)));
    if (!above && !away && met->limit) {
        sr_buf_printf(b, "already the best: %s %s reaches %s for %s", met->what, met->value, met->limit, met->word);
    } else if (above && above->limit && !away) {
        const char *rel = ge ? "still below" : le ? "still above" : "still outside";
        sr_buf_printf(b, "%s %s %s %s for %s", met->what, met->value, rel, above->limit, above->word);
    } else if (met->limit) {
        sr_buf_printf(b, "%s %s still %s %s for %s", met->what, met->value,
                      strcmp(met->op, "within") == 0 ? "within" : "reaches", met->limit, met->word);
    } else {
        sr_buf_printf(b, "%s %s", met->what, met->value);
    }
}

/* Whether some judgement is better in B than in A. */
static int judgements_rose(const diff *d)
{
    for (size_t s = 0; s < d->p->nservices; s++)
        if (d->B->r.svc[s].serving > d->A->r.svc[s].serving ||
            d->B->r.svc[s].capacity > d->A->r.svc[s].capacity)
            return 1;
    return 0;
}

/* The sentence for a node where a change stopped having an effect. */
/* The stars stayed: the rule that still fires, the judgements nothing can move, and (when
 * judgements rose) the pack's rows that would give more. */
static void why_not_star(sr_buf *b, const diff *d, const tr_node *nb)
{
    const rp_pack *p = d->p;
    sr_buf_puts(b, "the rating stays ");
    stars_phrase(b, p, d->B->r.stars);
    sr_buf_printf(b, " by rule %s", nb->rule ? nb->rule : "(several)");
    if (nb->text)
        sr_buf_printf(b, " (%s)", nb->text);
    const char *sep = "; judgements given: ";
    for (size_t s = 0; s < p->nservices; s++) {
        const rt_service *rs = &d->B->r.svc[s];
        if (rs->serving_given)
            sr_buf_printf(b, "%s%s.serving %s", sep, p->services[s].id, word_or(&p->serving, rs->serving, "?")), sep = ", ";
        if (rs->capacity_given)
            sr_buf_printf(b, "%s%s.capacity %s", sep, p->services[s].id, word_or(&p->capacity, rs->capacity, "?")), sep = ", ";
    }
    if (!judgements_rose(d) || d->B->r.stars < 0)
        return;
    sep = "; more stars need rule ";
    for (size_t i = 0; i < p->nstar_rules; i++)
        if (p->star_rules[i].stars > d->B->r.stars)
            sr_buf_printf(b, "%s%s (%s)", sep, p->star_rules[i].id, p->star_rules[i].sentence), sep = " or ";
}

static void cap_comparison(sr_buf *b, const tr_node *cap, const char *open, const char *close)
{
    if (cap->cmps)
        sr_buf_printf(b, "%s%s %s %s %s%s", open, cap->cmps->what, cap->cmps->value,
                      cap->cmps->op ? cap->cmps->op : "", cap->cmps->limit ? cap->cmps->limit : "", close);
    else if (cap->inputs)
        sr_buf_printf(b, "%s%s %s%s", open, cap->inputs->name, cap->inputs->value, close);
}

/* A key threshold where a change stopped: it moved without capping, or it did not move. */
static void why_not_cap(sr_buf *b, const diff *d, int bi, const tr_node *nb)
{
    const char *name = nb->rule ? nb->rule : nb->subject;
    if (d->changed[bi]) {
        sr_buf_printf(b, "the key threshold %s is now %s, but it caps nothing now and capped nothing before",
                      name, nb->output ? nb->output : "not evaluated");
        return;
    }
    int holds = nb->output && (strcmp(nb->output, "capped") == 0 || strncmp(nb->output, "breached", 8) == 0);
    sr_buf_printf(b, "the key threshold %s %s", name,
                  holds ? "still holds"
                  : nb->output && strcmp(nb->output, "not evaluated") == 0 ? "is still not evaluated"
                                                                            : "still does not fire");
    cap_comparison(b, nb, ": ", "");
}

/* The sentence for a node where a change stopped having an effect. */
static void why_not_text(sr_buf *b, const diff *d, int bi)
{
    const tr_node *nb = &d->B->r.trace.nodes[bi];
    int ai = d->a_of_b[bi];
    const tr_node *na = ai >= 0 ? &d->A->r.trace.nodes[ai] : NULL;
    if (strcmp(nb->kind, "star") == 0) {
        why_not_star(b, d, nb);
        return;
    }
    if (strcmp(nb->kind, "cap") == 0) {
        why_not_cap(b, d, bi, nb);
        return;
    }
    if (strcmp(nb->kind, "finding") == 0) {
        sr_buf_printf(b, "%s: %s", nb->subject, nb->text ? nb->text : "not assessed");
        return;
    }
    sr_buf_printf(b, "%s stays ", nb->subject);
    node_value(b, nb);
    /* A judgement held by a key threshold: the uncapped word moved, the capped one did not. */
    for (const tr_use *u = strcmp(nb->kind, "judgement") == 0 ? nb->uses : NULL; u; u = u->next) {
        const tr_node *cap = &d->B->r.trace.nodes[u->node];
        if (strcmp(cap->kind, "cap") == 0 && cap->output && strcmp(cap->output, "capped") == 0) {
            sr_buf_printf(b, ": the key threshold %s still holds", cap->rule ? cap->rule : cap->subject);
            cap_comparison(b, cap, " (", ")");
            return;
        }
    }
    sr_buf_puts(b, ": ");
    stays_reason(b, nb, na);
}

/* Users of each B node (reverse of "uses"), for following a change forward. */
typedef struct users {
    int *first, *next, *node;
    size_t n;
} users;

static int users_build(users *u, const tr_trace *t)
{
    size_t edges = 0;
    for (size_t i = 0; i < t->n; i++)
        for (const tr_use *x = t->nodes[i].uses; x; x = x->next)
            edges++;
    u->first = sr_malloc((t->n + 1) * sizeof *u->first);
    u->next = sr_malloc((edges + 1) * sizeof *u->next);
    u->node = sr_malloc((edges + 1) * sizeof *u->node);
    if (!u->first || !u->next || !u->node)
        return 0;
    for (size_t i = 0; i < t->n; i++)
        u->first[i] = -1;
    size_t e = 0;
    for (size_t i = 0; i < t->n; i++)
        for (const tr_use *x = t->nodes[i].uses; x; x = x->next) {
            if (x->node < 0 || (size_t)x->node >= t->n)
                continue;
            u->node[e] = (int)i;
            u->next[e] = u->first[x->node];
            u->first[x->node] = (int)e++;
        }
    u->n = t->n;
    return 1;
}

static void users_free(users *u)
{
    sr_free(u->first), sr_free(u->next), sr_free(u->node);
    memset(u, 0, sizeof *u);
}

/* The nodes where change j's effect stops: unchanged nodes reached from it. */
static int frontier(const diff *d, const users *u, size_t j, int *out, int max)
{
    int n = 0;
    int *stack = sr_malloc((d->nb + 1) * sizeof *stack);
    unsigned char *seen = sr_calloc(d->nb + 1, 1);
    if (!stack || !seen) {
        sr_free(stack), sr_free(seen);
        return -1;
    }
    int top = 0;
    for (int k = 0; k < d->ndirect[j]; k++) {
        int b = d->direct[j * DIRECT_MAX + (size_t)k];
        if (!seen[b])
            seen[b] = 1, stack[top++] = b;
    }
    /* Depth first, smallest node first, so the order follows the trace. */
    while (top > 0) {
        int best = 0;
        for (int i = 1; i < top; i++)
            if (stack[i] < stack[best])
                best = i;
        int b = stack[best];
        stack[best] = stack[--top];
        if (!d->effect[b]) {
            if (n < max)
                out[n++] = b;
            continue;
        }
        for (int e = u->first[b]; e >= 0; e = u->next[e]) {
            int v = u->node[e];
            if (!seen[v])
                seen[v] = 1, stack[top++] = v;
        }
    }
    sr_free(stack), sr_free(seen);
    return n;
}

/* ---- whatif: text --------------------------------------------------------------------------- */

typedef struct wi {
    wi_cli *c;
    rp_pack *p;
    const ev_evidence *ev;
    state base, ref;         /* ref is base unless --against */
    int has_ref;
    state *cols;             /* scenarios evaluated */
    size_t ncols;
} wi;

static const state *reference(const wi *w) { return w->has_ref ? &w->ref : &w->base; }

static void cell_judgement(char *out, size_t n, const rp_scale *sc, int word, int given, int capped)
{
    snprintf(out, n, "%s%s", word_or(sc, word, "?"), given ? "*" : capped ? "^" : "");
}

static void text_table_raw(wi *w, sr_buf *b);

/* The table without the padding at the ends of its lines. */
static void text_table(wi *w, sr_buf *b)
{
    sr_buf t;
    sr_buf_init(&t);
    text_table_raw(w, &t);
    if (t.oom)
        b->oom = 1;
    const char *p = t.data ? t.data : "";
    while (*p) {
        size_t n = strcspn(p, "\n");
        size_t m = n;
        while (m > 0 && p[m - 1] == ' ')
            m--;
        sr_buf_putn(b, p, m);
        sr_buf_putc(b, '\n');
        p += n + (p[n] == '\n');
    }
    sr_buf_free(&t);
}

static void text_table_raw(wi *w, sr_buf *b)
{
    const rp_pack *p = w->p;
    const state *cols[WI_MAX_ARGS + 2];
    size_t n = 0;
    cols[n++] = &w->base;
    if (w->has_ref)
        cols[n++] = &w->ref;
    for (size_t i = 0; i < w->ncols && n < WI_MAX_ARGS + 2; i++)
        cols[n++] = &w->cols[i];
    int width = 10;
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(cols[i]->label) > width)
            width = (int)strlen(cols[i]->label);
    width = width > 40 ? 40 : width;
    sr_buf_printf(b, "%-20s", "");
    for (size_t i = 0; i < n; i++)
        sr_buf_printf(b, "  %-*.*s", width, width, cols[i]->label);
    sr_buf_putc(b, '\n');
    for (size_t s = 0; s < p->nservices; s++)
        for (int j = 0; j < 2; j++) {
            char row[64];
            snprintf(row, sizeof row, "%s %s", p->services[s].id, j ? "capacity" : "serving");
            sr_buf_printf(b, "%-20s", row);
            for (size_t i = 0; i < n; i++) {
                const rt_service *rs = &cols[i]->r.svc[s];
                char cell[64];
                if (j)
                    cell_judgement(cell, sizeof cell, &p->capacity, rs->capacity, rs->capacity_given,
                                   rs->capacity != rs->capacity_uncapped);
                else
                    cell_judgement(cell, sizeof cell, &p->serving, rs->serving, rs->serving_given,
                                   rs->serving != rs->serving_uncapped);
                sr_buf_printf(b, "  %-*s", width, cell);
            }
            sr_buf_putc(b, '\n');
        }
    sr_buf_printf(b, "%-20s", "stars");
    for (size_t i = 0; i < n; i++) {
        char cell[32];
        if (cols[i]->r.stars >= 0) snprintf(cell, sizeof cell, "%d", cols[i]->r.stars);
        else snprintf(cell, sizeof cell, "?");
        sr_buf_printf(b, "  %-*s", width, cell);
    }
    sr_buf_printf(b, "\n%-20s", "rule");
    for (size_t i = 0; i < n; i++)
        sr_buf_printf(b, "  %-*s", width, cols[i]->r.rule >= 0 ? p->star_rules[cols[i]->r.rule].id : "-");
    sr_buf_puts(b, "\n(* given, ^ capped by a key threshold, ? insufficient evidence)\n");
}

static void text_causes(sr_buf *b, const diff *d, const unsigned char *row)
{
    int any = 0;
    for (size_t j = 0; j < d->nsrc; j++) {
        if (!row[j])
            continue;
        sr_buf_printf(b, "%s%s%d", any ? ", " : "        caused by ",
                      d->src[j].reference ? "--against change " : "change ", d->src[j].number);
        any = 1;
    }
    if (any)
        sr_buf_putc(b, '\n');
}

static void text_rule(sr_buf *b, const tr_node *nd)
{
    if (nd && nd->rule && nd->provenance)
        sr_buf_printf(b, " (rule %s, %s, %s:%d)", nd->rule, nd->provenance, nd->file ? nd->file : "?", nd->line);
}

static void text_differences(sr_buf *b, const diff *d, const char *against)
{
    const tr_trace *ta = &d->A->r.trace, *tb = &d->B->r.trace;
    size_t ns = d->nsrc ? d->nsrc : 1;
    sr_buf_printf(b, "  Differences from %s:\n", against);
    for (size_t i = 0; i < d->nb; i++) {
        if (!d->changed[i])
            continue;
        const tr_node *nb = &tb->nodes[i];
        const tr_node *na = d->a_of_b[i] >= 0 ? &ta->nodes[d->a_of_b[i]] : NULL;
        sr_buf_printf(b, "    %-34s ", nb->subject);
        node_value(b, na);
        sr_buf_puts(b, " -> ");
        node_value(b, nb);
        sr_buf_puts(b, "\n        ");
        sr_buf t;
        sr_buf_init(&t);
        if (strcmp(nb->kind, "star") == 0) {
            sr_buf_printf(&t, "rule %s -> %s", na && na->rule ? na->rule : "-", nb->rule ? nb->rule : "-");
            if (nb->text)
                sr_buf_printf(&t, ": %s", nb->text);
        } else {
            decided_by(&t, nb);
            text_rule(&t, nb);
            if (na && strcmp(nb->kind, "cap") != 0 && first_met(na, &(const tr_compare *){NULL}) &&
                !(na->source && strcmp(na->source, "given") == 0)) {
                const tr_compare *above, *was = first_met(na, &above);
                sr_buf_printf(&t, "; was %s %s", was->what, was->value);
            }
        }
        if (t.oom)
            b->oom = 1;
        hang(b, t.data ? t.data : "", 8, 10, WIDTH);
        sr_buf_free(&t);
        text_causes(b, d, &d->cause[i * ns]);
    }
    for (size_t i = 0; i < d->na; i++) {
        const tr_node *na = &ta->nodes[i];
        if (d->b_of_a[i] >= 0 || !wi_node_differs(na, NULL))
            continue;
        sr_buf_printf(b, "    %-34s ", na->subject);
        node_value(b, na);
        sr_buf_puts(b, " -> none\n        no longer in the evidence\n");
        text_causes(b, d, &d->cause_a[i * ns]);
    }
}

/* Change j's "why not" sentences, one per line, into t. 0 when out of memory. */
static int why_not_of(const diff *d, const users *u, size_t j, sr_buf *t)
{
    int nodes[64];
    int n = frontier(d, u, j, nodes, 64);
    if (n < 0)
        return 0;
    if (n == 0 && d->ndirect[j] == 0 && d->ndirect_a[j] == 0)
        sr_buf_puts(t, "nothing in the derivation reads what it changes\n");
    else if (n == 0)
        sr_buf_puts(t, "its effect reaches the stars\n");
    for (int k = 0; k < n; k++) {
        why_not_text(t, d, nodes[k]);
        sr_buf_putc(t, '\n');
    }
    return !t->oom;
}

/* Changes whose effect stops at the same places are told once: "changes 1 and 2: ...". */
static void text_why_not(sr_buf *b, const diff *d)
{
    users u;
    memset(&u, 0, sizeof u);
    sr_buf *texts = sr_calloc(d->nsrc ? d->nsrc : 1, sizeof *texts);
    unsigned char *done = sr_calloc(d->nsrc ? d->nsrc : 1, 1);
    int ok = texts && done && users_build(&u, &d->B->r.trace);
    for (size_t j = 0; ok && j < d->nsrc; j++)
        ok = d->src[j].reference || why_not_of(d, &u, j, &texts[j]);
    for (size_t j = 0; ok && j < d->nsrc; j++) {
        if (d->src[j].reference || done[j])
            continue;
        size_t group[WI_MAX_ARGS], ng = 0;
        for (size_t k = j; k < d->nsrc && ng < WI_MAX_ARGS; k++)
            if (!d->src[k].reference && !done[k] && same_str(texts[k].data, texts[j].data))
                group[ng++] = k, done[k] = 1;
        sr_buf_printf(b, "    change%s ", ng > 1 ? "s" : "");
        for (size_t g = 0; g < ng; g++)
            sr_buf_printf(b, "%s%d", g == 0 ? "" : g + 1 == ng ? " and " : ", ", d->src[group[g]].number);
        sr_buf_puts(b, ":\n");
        const char *p = texts[j].data ? texts[j].data : "\n";
        char line[2048];
        while (*p) {
            size_t n = strcspn(p, "\n");
            snprintf(line, sizeof line, "%.*s", (int)n, p);
            sr_buf_puts(b, "      - ");
            hang(b, line, 8, 8, WIDTH);
            p += n + (p[n] == '\n');
        }
    }
    if (!ok)
        b->oom = 1;
    for (size_t j = 0; texts && j < d->nsrc; j++)
        sr_buf_free(&texts[j]);
    sr_free(texts), sr_free(done);
    users_free(&u);
}

static void text_scenario(wi *w, size_t idx, const diff *d, sr_buf *b)
{
    const state *st = &w->cols[idx];
    const sc_scenario *sc = st->sc;
    const state *A = reference(w);
    sr_buf_printf(b, "\nScenario %zu: %s (%s)\n", idx + 1, sc->name, sc->path);
    wrap(b, sc->description, 2, 92);
    sr_buf_puts(b, "  Changes:\n");
    if (!sc->nchanges)
        sr_buf_puts(b, "    none\n");
    for (size_t i = 0; i < sc->nchanges; i++) {
        const sc_change *c = &sc->changes[i];
        sr_buf t;
        sr_buf_init(&t);
        sc_change_describe(c, &t);
        sr_buf_printf(&t, " (%s:%d)", c->file, c->line);
        int at = 6 + snprintf(NULL, 0, "%zu", i + 1);
        sr_buf_printf(b, "    %zu. ", i + 1);
        hang(b, t.data ? t.data : "", at, at, WIDTH);
        if (t.oom)
            b->oom = 1;
        sr_buf_free(&t);
        if (c->note) {
            sr_buf_printf(b, "%*snote: ", at, "");
            hang(b, c->note, at + 6, at + 6, WIDTH);
        }
    }
    sr_buf_puts(b, "  Result: ");
    stars_phrase(b, w->p, st->r.stars);
    if (st->r.rule >= 0)
        sr_buf_printf(b, " by rule %s", w->p->star_rules[st->r.rule].id);
    sr_buf_printf(b, "; %s ", w->has_ref ? "the --against scenario gives" : "the baseline is");
    stars_phrase(b, w->p, A->r.stars);
    if (A->r.rule >= 0)
        sr_buf_printf(b, " by rule %s", w->p->star_rules[A->r.rule].id);
    sr_buf_putc(b, '\n');
    const char *against = w->has_ref ? "the --against scenario" : "the baseline";
    if (diff_count(d))
        text_differences(b, d, against);
    int moved = judgements_differ(A, st, w->p->nservices);
    if (!moved) {
        if (!diff_count(d))
            sr_buf_printf(b, "  No difference from %s: no band, grade, key threshold, judgement or star moves.\n", against);
        else
            sr_buf_puts(b, "  No difference to any judgement or to the stars.\n");
        sr_buf_puts(b, "  Why not:\n");
        text_why_not(b, d);
    } else if (A->r.stars == st->r.stars) {
        sr_buf_puts(b, "  The stars do not change. Why not:\n");
        text_why_not(b, d);
    }
}

/* ---- whatif: JSON and CSV -------------------------------------------------------------------- */

static void json_judgements(js_writer *jw, const rp_pack *p, const state *st)
{
    js_object(jw);
    js_key(jw, "stars");
    if (st->r.stars >= 0) js_int(jw, st->r.stars); else js_null(jw);
    js_key(jw, "rule");
    js_string(jw, st->r.rule >= 0 ? p->star_rules[st->r.rule].id : NULL);
    js_key(jw, "services");
    js_object(jw);
    for (size_t s = 0; s < p->nservices; s++) {
        const rt_service *rs = &st->r.svc[s];
        js_key(jw, p->services[s].id);
        js_object(jw);
        js_key(jw, "serving"); js_string(jw, word_or(&p->serving, rs->serving, NULL));
        js_key(jw, "capacity"); js_string(jw, word_or(&p->capacity, rs->capacity, NULL));
        js_key(jw, "serving_capped"); js_bool(jw, rs->serving != rs->serving_uncapped);
        js_key(jw, "capacity_capped"); js_bool(jw, rs->capacity != rs->capacity_uncapped);
        js_end_object(jw);
    }
    js_end_object(jw);
    js_end_object(jw);
}

static void json_node_value(js_writer *jw, const tr_node *nd)
{
    if (!nd) {
        js_null(jw);
        return;
    }
    sr_buf v;
    sr_buf_init(&v);
    node_value(&v, nd);
    js_string(jw, v.data ? v.data : "");
    sr_buf_free(&v);
}

static void json_causes(js_writer *jw, const diff *d, const unsigned char *row)
{
    js_array(jw);
    for (size_t j = 0; j < d->nsrc; j++)
        if (row[j]) {
            js_object(jw);
            js_key(jw, "change"); js_int(jw, d->src[j].number);
            js_key(jw, "of"); js_string(jw, d->src[j].reference ? "against" : "scenario");
            js_end_object(jw);
        }
    js_end_array(jw);
}

static void json_difference(js_writer *jw, const diff *d, const tr_node *na, const tr_node *nb,
                            const unsigned char *row)
{
    const tr_node *nd = nb ? nb : na;
    js_object(jw);
    js_key(jw, "subject"); js_string(jw, nd->subject);
    js_key(jw, "kind"); js_string(jw, nd->kind);
    js_key(jw, "before"); json_node_value(jw, na);
    js_key(jw, "after"); json_node_value(jw, nb);
    js_key(jw, "rule"); js_string(jw, nb ? nb->rule : NULL);
    js_key(jw, "provenance"); js_string(jw, nb ? nb->provenance : NULL);
    js_key(jw, "file"); js_string(jw, nb && nb->provenance ? nb->file : NULL);
    js_key(jw, "line");
    if (nb && nb->provenance && nb->line > 0) js_int(jw, nb->line); else js_null(jw);
    sr_buf why;
    sr_buf_init(&why);
    if (nb)
        decided_by(&why, nb);
    js_key(jw, "decided_by"); js_string(jw, nb ? (why.data ? why.data : "") : "no longer in the evidence");
    sr_buf_free(&why);
    js_key(jw, "caused_by"); json_causes(jw, d, row);
    js_end_object(jw);
}

static void json_why_not(js_writer *jw, const diff *d)
{
    users u;
    memset(&u, 0, sizeof u);
    js_array(jw);
    if (users_build(&u, &d->B->r.trace)) {
        int nodes[64];
        for (size_t j = 0; j < d->nsrc; j++) {
            if (d->src[j].reference)
                continue;
            int n = frontier(d, &u, j, nodes, 64);
            for (int k = 0; k < n; k++) {
                sr_buf t;
                sr_buf_init(&t);
                why_not_text(&t, d, nodes[k]);
                js_object(jw);
                js_key(jw, "change"); js_int(jw, d->src[j].number);
                js_key(jw, "subject"); js_string(jw, d->B->r.trace.nodes[nodes[k]].subject);
                js_key(jw, "text"); js_string(jw, t.data ? t.data : "");
                js_end_object(jw);
                sr_buf_free(&t);
            }
        }
    } else {
        jw->out->oom = 1;
    }
    users_free(&u);
    js_end_array(jw);
}

static void json_scenario(wi *w, size_t idx, const diff *d, js_writer *jw)
{
    const state *st = &w->cols[idx];
    const sc_scenario *sc = st->sc;
    const state *A = reference(w);
    size_t ns = d->nsrc ? d->nsrc : 1;
    js_object(jw);
    js_key(jw, "name"); js_string(jw, sc->name);
    js_key(jw, "file"); js_string(jw, sc->path);
    js_key(jw, "description"); js_string(jw, sc->description);
    js_key(jw, "changes");
    js_array(jw);
    for (size_t i = 0; i < sc->nchanges; i++) {
        sr_buf t;
        sr_buf_init(&t);
        sc_change_describe(&sc->changes[i], &t);
        js_object(jw);
        js_key(jw, "number"); js_int(jw, (long)i + 1);
        js_key(jw, "path"); js_string(jw, sc->changes[i].path);
        js_key(jw, "change"); js_string(jw, t.data ? t.data : "");
        js_key(jw, "note"); js_string(jw, sc->changes[i].note);
        js_key(jw, "file"); js_string(jw, sc->changes[i].file);
        js_key(jw, "line"); js_int(jw, sc->changes[i].line);
        js_end_object(jw);
        sr_buf_free(&t);
    }
    js_end_array(jw);
    js_key(jw, "result"); json_judgements(jw, w->p, st);
    js_key(jw, "differences");
    js_array(jw);
    for (size_t i = 0; i < d->nb; i++)
        if (d->changed[i])
            json_difference(jw, d, d->a_of_b[i] >= 0 ? &A->r.trace.nodes[d->a_of_b[i]] : NULL,
                            &st->r.trace.nodes[i], &d->cause[i * ns]);
    for (size_t i = 0; i < d->na; i++)
        if (d->b_of_a[i] < 0 && wi_node_differs(&A->r.trace.nodes[i], NULL))
            json_difference(jw, d, &A->r.trace.nodes[i], NULL, &d->cause_a[i * ns]);
    js_end_array(jw);
    int moved = judgements_differ(A, st, w->p->nservices);
    js_key(jw, "makes_a_difference"); js_bool(jw, moved);
    js_key(jw, "why_not");
    if (!moved || A->r.stars == st->r.stars) json_why_not(jw, d); else js_null(jw);
    js_end_object(jw);
}

/* One CSV row: scenario,against,row,subject,kind,before,after,rule,changes,text */
static void csv_row(sr_buf *b, const char *const *f)
{
    for (int i = 0; i < 10; i++)
        out_csv_field(b, f[i], i == 9);
}

static void csv_difference(sr_buf *b, const diff *d, const char *const *names, const tr_node *na,
                           const tr_node *nb, const unsigned char *row)
{
    const tr_node *nd = nb ? nb : na;
    sr_buf v1, v2, why, causes;
    sr_buf_init(&v1), sr_buf_init(&v2), sr_buf_init(&why), sr_buf_init(&causes);
    node_value(&v1, na);
    node_value(&v2, nb);
    if (nb)
        decided_by(&why, nb);
    else
        sr_buf_puts(&why, "no longer in the evidence");
    /* causes as change numbers; "a2" is change 2 of the --against scenario */
    for (size_t j = 0; j < d->nsrc; j++)
        if (row[j])
            sr_buf_printf(&causes, "%s%s%d", causes.len ? " " : "", d->src[j].reference ? "a" : "",
                          d->src[j].number);
    const char *f[10] = {names[0], names[1], "difference", nd->subject, nd->kind, v1.data,
                         v2.data, nb ? nb->rule : NULL, causes.data, why.data};
    csv_row(b, f);
    if (v1.oom || v2.oom || why.oom || causes.oom)
        b->oom = 1;
    sr_buf_free(&v1), sr_buf_free(&v2), sr_buf_free(&why), sr_buf_free(&causes);
}

static void csv_why_not(sr_buf *b, const diff *d, const char *const *names)
{
    users u;
    memset(&u, 0, sizeof u);
    if (!users_build(&u, &d->B->r.trace)) {
        b->oom = 1;
        users_free(&u);
        return;
    }
    int nodes[64];
    for (size_t j = 0; j < d->nsrc; j++) {
        int n = d->src[j].reference ? 0 : frontier(d, &u, j, nodes, 64);
        for (int k = 0; k < n; k++) {
            const tr_node *nd = &d->B->r.trace.nodes[nodes[k]];
            sr_buf t, v;
            sr_buf_init(&t), sr_buf_init(&v);
            why_not_text(&t, d, nodes[k]);
            node_value(&v, nd);
            char num[16];
            snprintf(num, sizeof num, "%d", d->src[j].number);
            const char *f[10] = {names[0], names[1], "why_not", nd->subject, nd->kind, v.data,
                                 v.data, nd->rule, num, t.data};
            csv_row(b, f);
            sr_buf_free(&t), sr_buf_free(&v);
        }
    }
    users_free(&u);
}

static void csv_scenario(wi *w, size_t idx, const diff *d, sr_buf *b)
{
    const state *st = &w->cols[idx];
    const state *A = reference(w);
    size_t ns = d->nsrc ? d->nsrc : 1;
    const char *names[2] = {st->label, w->has_ref ? w->ref.label : "baseline"};
    for (size_t i = 0; i < d->nb; i++)
        if (d->changed[i])
            csv_difference(b, d, names, d->a_of_b[i] >= 0 ? &A->r.trace.nodes[d->a_of_b[i]] : NULL,
                           &st->r.trace.nodes[i], &d->cause[i * ns]);
    for (size_t i = 0; i < d->na; i++)
        if (d->b_of_a[i] < 0 && wi_node_differs(&A->r.trace.nodes[i], NULL))
            csv_difference(b, d, names, &A->r.trace.nodes[i], NULL, &d->cause_a[i * ns]);
    int moved = judgements_differ(A, st, w->p->nservices);
    if (!moved || A->r.stars == st->r.stars)
        csv_why_not(b, d, names);
    /* The outcome, always: a reader of the CSV alone sees every scenario's stars. */
    char s1[16] = "", s2[16] = "";
    if (A->r.stars >= 0) snprintf(s1, sizeof s1, "%d", A->r.stars);
    if (st->r.stars >= 0) snprintf(s2, sizeof s2, "%d", st->r.stars);
    const char *f[10] = {names[0], names[1], "result", "stars", "star", s1, s2,
                         st->r.rule >= 0 ? w->p->star_rules[st->r.rule].id : "", "",
                         moved ? "makes a difference" : "no difference"};
    csv_row(b, f);
}

/* ---- whatif: the command ---------------------------------------------------------------- */

static const char *stem_of(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t len = strcspn(base, ".");
    snprintf(out, n, "%.*s", (int)len, base);
    return out;
}

int wi_check_base(const sc_scenario *sc, const ev_evidence *ev, sr_error *e)
{
    if (!sc->evidence)
        return SR_OK;
    char a[PATH_MAX], b[PATH_MAX];
    if (realpath(sc->evidence, a) && realpath(ev->path, b) && strcmp(a, b) == 0)
        return SR_OK;
    return sr_fail(e, SR_EINPUT, sc->evidence_file, sc->evidence_line, sc->evidence_col,
                   "the scenario is built on %s, not on %s", sc->evidence, ev->path);
}

/* Loads, applies and evaluates one scenario into st. */
static int run_scenario(wi *w, const char *path, state *st, char *label, size_t nlabel, sr_error *e)
{
    sc_scenario *sc = NULL;
    int rc = sc_load(path, &sc, e);
    if (rc == SR_OK) rc = wi_check_base(sc, w->ev, e);
    if (rc == SR_OK) rc = sc_work_new(w->p, w->ev, &st->work, e);
    if (rc == SR_OK) rc = sc_apply_all(st->work, sc, e);
    if (rc == SR_OK) rc = rt_evaluate(w->p, sc_work_evidence(st->work), &st->r, e);
    st->sc = sc;
    st->ev = st->work ? sc_work_evidence(st->work) : NULL;
    st->label = stem_of(path, label, nlabel);
    return rc;
}

static void state_free(state *st)
{
    rt_free(&st->r);
    sc_work_free(st->work);
    sc_free((sc_scenario *)st->sc);
    memset(st, 0, sizeof *st);
}

static void whatif_header(wi *w, sr_buf *b)
{
    const ev_evidence *ev = w->ev;
    sr_buf_printf(b, "What if: %s, %d%s%s%s (rules %s %s)\n", ev->council, ev->year,
                  ev->round ? " (" : "", ev->round ? ev->round : "", ev->round ? ")" : "",
                  w->p->name, w->p->version);
    sr_buf_printf(b, "Baseline: %s\n", ev->path);
    if (w->has_ref)
        sr_buf_printf(b, "Compared with: %s (--against)\n", w->ref.sc->path);
    sr_buf_putc(b, '\n');
}

static int whatif_run(wi_cli *c, wi *w, ss_loaded *l)
{
    static char labels[WI_MAX_ARGS + 1][128];
    int status = EXIT_DONE;
    sr_error e;
    sr_error_clear(&e);
    w->p = l->pack, w->ev = l->ev;
    w->base.label = "baseline";
    w->base.ev = l->ev;
    rt_init(&w->base.r);
    rt_init(&w->ref.r);
    if (rt_evaluate(w->p, w->ev, &w->base.r, &e) != SR_OK) {
        report(c, &e);
        return EXIT_REJECTED;
    }
    if (c->o.against) {
        w->has_ref = 1;
        if (run_scenario(w, c->o.against, &w->ref, labels[WI_MAX_ARGS], sizeof labels[0], &e) != SR_OK) {
            report(c, &e);
            return EXIT_REJECTED;
        }
    }
    w->cols = sr_calloc((size_t)c->o.nargs, sizeof *w->cols);
    if (!w->cols) {
        fprintf(c->err, "starrate: error: out of memory\n");
        return EXIT_REJECTED;
    }
    for (int i = 1; i < c->o.nargs; i++) {
        state *st = &w->cols[w->ncols];
        rt_init(&st->r);
        sr_error_clear(&e);
        if (run_scenario(w, c->o.args[i], st, labels[i - 1], sizeof labels[0], &e) != SR_OK) {
            report(c, &e);
            status = EXIT_REJECTED;
            state_free(st);
            continue;
        }
        w->ncols++;
    }
    return status;
}

/* Renders every scenario against the reference, in the chosen format. */
static void render_scenarios(wi_cli *c, wi *w, sr_buf *b, js_writer *jw)
{
    for (size_t i = 0; i < w->ncols; i++) {
        diff d;
        if (!diff_build(&d, w->p, reference(w), &w->cols[i])) {
            b->oom = 1;
            return;
        }
        if (c->o.format == FMT_TEXT) text_scenario(w, i, &d, b);
        else if (c->o.format == FMT_JSON) json_scenario(w, i, &d, jw);
        else csv_scenario(w, i, &d, b);
        diff_free(&d);
    }
}

/* How each scenario moves the chances (rate --uncertainty): the same variants and the same
 * draws of the unknowns for the baseline and every scenario. */
static int how_sure(wi_cli *c, wi *w, sr_buf *b)
{
    un_options uo;
    char msg[160];
    sr_error e;
    sr_error_clear(&e);
    if (un_parse_options(c->o.seed, c->o.variants, 0, &uo, msg, sizeof msg))
        return usage_error(c, "%s", msg);
    un_model *m = NULL;
    rt_result r;
    rt_init(&r);
    un_council base, sc;
    int rc = un_fit(&c->session, w->p, &uo, &m, &e);
    if (rc == SR_OK && (rc = un_rate(m, w->ev, &r, &base, &e)) == SR_OK) {
        sr_buf_puts(b, "\nHow sure (");
        sr_buf_printf(b, "%zu runs, seed %llu; docs/methodology.md)\n  Now: ", base.runs,
                      (unsigned long long)uo.seed);
        un_chances(b, &base);
        sr_buf_putc(b, '\n');
        for (size_t i = 0; rc == SR_OK && i < w->ncols; i++) {
            if ((rc = un_rate(m, w->cols[i].ev, &r, &sc, &e)) != SR_OK)
                break;
            sr_buf_printf(b, "  %s: ", w->cols[i].label);
            un_moves(b, &base, &sc);
            sr_buf_putc(b, '\n');
        }
    }
    un_model_free(m);
    if (rc != SR_OK)
        report(c, &e);
    rt_free(&r);
    return rc == SR_OK ? 0 : EXIT_REJECTED;
}

static int whatif_write(wi_cli *c, wi *w)
{
    sr_buf out;
    sr_buf_init(&out);
    js_writer jw;
    js_init(&jw, &out, 1);
    if (c->o.format == FMT_TEXT) {
        whatif_header(w, &out);
        text_table(w, &out);
        render_scenarios(c, w, &out, &jw);
        if (c->o.uncertainty && how_sure(c, w, &out)) {
            sr_buf_free(&out);
            return EXIT_REJECTED;
        }
    } else if (c->o.format == FMT_JSON) {
        js_object(&jw);
        js_key(&jw, "format"); js_string(&jw, "starrate-whatif/1");
        js_key(&jw, "council"); js_string(&jw, w->ev->council);
        js_key(&jw, "year"); js_int(&jw, w->ev->year);
        js_key(&jw, "round"); js_string(&jw, w->ev->round);
        js_key(&jw, "baseline"); json_judgements(&jw, w->p, &w->base);
        js_key(&jw, "against");
        if (w->has_ref) {
            js_object(&jw);
            js_key(&jw, "file"); js_string(&jw, w->ref.sc->path);
            js_key(&jw, "name"); js_string(&jw, w->ref.sc->name);
            js_key(&jw, "result"); json_judgements(&jw, w->p, &w->ref);
            js_end_object(&jw);
        } else {
            js_null(&jw);
        }
        js_key(&jw, "scenarios");
        js_array(&jw);
        render_scenarios(c, w, &out, &jw);
        js_end_array(&jw);
        out_json_meta(&jw, w->p, w->ev);
        js_end_object(&jw);
        sr_buf_putc(&out, '\n');
    } else {
        sr_buf_puts(&out, "scenario,against,row,subject,kind,before,after,rule,changes,text\n");
        render_scenarios(c, w, &out, &jw);
    }
    int status = write_output(c, &out);
    sr_buf_free(&out);
    return status;
}

/* Opens the command's session and loads its evidence file (the first argument), or reports
 * why it cannot be and leaves nothing open. */
static int load_evidence(wi_cli *c, ss_loaded *l)
{
    ss_init(&c->session);
    sr_error e;
    sr_error_clear(&e);
    if (ss_load(&c->session, c->o.args[0], NULL, c->o.rules, 0, l, &e) != SR_OK) {
        report(c, &e);
        ss_free(&c->session);
        return EXIT_REJECTED;
    }
    return EXIT_DONE;
}

int wi_whatif_main(int argc, char **argv, FILE *out, FILE *err)
{
    static wi_cli c;
    memset(&c, 0, sizeof c);
    c.out = out, c.err = err;
    if (parse_opts(&c, argc, argv, 0))
        return EXIT_USAGE;
    if (c.o.help) {
        fputs(usage_whatif, out);
        return EXIT_DONE;
    }
    if (c.o.nargs < 2)
        return usage_error(&c, "whatif needs an evidence file and at least one scenario%s", "");
    ss_loaded l;
    if (load_evidence(&c, &l) != EXIT_DONE)
        return EXIT_REJECTED;
    wi w;
    memset(&w, 0, sizeof w);
    w.c = &c;
    int status = whatif_run(&c, &w, &l);
    /* With every scenario rejected there is nothing to compare: write nothing, not a baseline. */
    int wstatus = !w.cols || w.ncols == 0 ? EXIT_REJECTED : whatif_write(&c, &w);
    for (size_t i = 0; i < w.ncols; i++)
        state_free(&w.cols[i]);
    sr_free(w.cols);
    state_free(&w.ref);
    rt_free(&w.base.r);
    ss_unload(&l);
    ss_free(&c.session);
    return status != EXIT_DONE ? status : wstatus;
}

/* ---- seek ------------------------------------------------------------------------------------ */

static void seek_progress(void *ctx, const sk_progress *pr)
{
    FILE *err = ctx;
    fprintf(err, "starrate seek: plans of %d change%s: %.0f%% tried, %ld evaluations, %.1f s\n",
            pr->level, pr->level == 1 ? "" : "s", pr->done * 100, pr->evaluations, pr->seconds);
    fflush(err);
}

static void judgements_line(sr_buf *b, const rp_pack *p, const int *serving, const int *capacity)
{
    for (size_t s = 0; s < p->nservices; s++)
        sr_buf_printf(b, "%s%s %s/%s", s ? ", " : "", p->services[s].id,
                      word_or(&p->serving, serving[s], "?"), word_or(&p->capacity, capacity[s], "?"));
}

static void target_phrase(sr_buf *b, const rp_pack *p, const sk_result *r, int margin)
{
    if (margin)
        sr_buf_puts(b, "lose a star (at most ");
    else
        sr_buf_puts(b, r->direction > 0 ? "at least " : "at most ");
    stars_phrase(b, p, r->target);
    if (margin)
        sr_buf_putc(b, ')');
}

/* What seek started from and how far it looked. */
static void seek_header(wi_cli *c, rp_pack *p, const ev_evidence *ev, const sk_result *r, sr_buf *b)
{
    sr_buf_printf(b, "Seek: %s, %d%s%s%s (rules %s %s)\n", ev->council, ev->year,
                  ev->round ? " (" : "", ev->round ? ev->round : "", ev->round ? ")" : "", p->name, p->version);
    sr_buf_puts(b, "Now: ");
    stars_phrase(b, p, r->stars);
    if (r->rule >= 0)
        sr_buf_printf(b, " by rule %s", p->star_rules[r->rule].id);
    sr_buf_puts(b, "; ");
    judgements_line(b, p, r->serving, r->capacity);
    sr_buf_puts(b, "\nTarget: ");
    target_phrase(b, p, r, c->o.margin);
    sr_buf_putc(b, '\n');
    if (r->already)
        return;
    sr_buf_printf(b, "Moves: %zu considered, %zu expanded", r->ncands, r->nlive);
    size_t pruned = r->pruned_fixed + r->pruned_given + r->pruned_noeffect + r->pruned_path;
    const char *sep = "; not expanded: ";
    if (pruned && r->pruned_fixed) sr_buf_printf(b, "%s%zu kept unchanged (--fix)", sep, r->pruned_fixed), sep = ", ";
    if (pruned && r->pruned_given) sr_buf_printf(b, "%s%zu feeding only given grades or judgements", sep, r->pruned_given), sep = ", ";
    if (pruned && r->pruned_noeffect) sr_buf_printf(b, "%s%zu changing no grade or key threshold", sep, r->pruned_noeffect), sep = ", ";
    if (pruned && r->pruned_path) sr_buf_printf(b, "%s%zu unable to move a judgement the target needs", sep, r->pruned_path);
    sr_buf_putc(b, '\n');
    if (r->unreachable)
        return;
    sr_buf_printf(b, "Search: plans of up to %d change%s; %ld plans tried, %ld evaluations, %ld answered "
                     "from earlier evaluations%s\n",
                  r->levels, r->levels == 1 ? "" : "s", r->plans_tried, r->evaluations, r->answered,
                  r->judgement_pruning ? "" : " (judgement pruning off: the star table is not monotone "
                                              "or a judgement is missing)");
}

static void seek_plan(rp_pack *p, const sk_result *r, size_t i, sr_buf *b)
{
    const sk_plan *pl = &r->plans[i];
    sr_buf_printf(b, "\nPlan %zu: %zu change%s, %d step%s -> ", i + 1, pl->n, pl->n == 1 ? "" : "s",
                  pl->steps, pl->steps == 1 ? "" : "s");
    stars_phrase(b, p, pl->stars);
    if (pl->rule >= 0)
        sr_buf_printf(b, " by rule %s", p->star_rules[pl->rule].id);
    sr_buf_putc(b, '\n');
    for (size_t k = 0; k < pl->n; k++) {
        sr_buf_puts(b, "    ");
        sk_describe(p, &r->cands[pl->moves[k]], b);
        sr_buf_putc(b, '\n');
    }
    sr_buf_puts(b, "  gives: ");
    judgements_line(b, p, pl->serving, pl->capacity);
    sr_buf_puts(b, "\n  as scenario changes:\n");
    for (size_t k = 0; k < pl->n; k++) {
        sr_buf_puts(b, "    - ");
        sc_change_yaml(&r->cands[pl->moves[k]].change, b);
        sr_buf_putc(b, '\n');
    }
}

static void seek_text(wi_cli *c, rp_pack *p, const ev_evidence *ev, const sk_result *r, sr_buf *b)
{
    seek_header(c, p, ev, r, b);
    if (r->already) {
        sr_buf_printf(b, "\nNothing to search: %s.\n", r->why);
        return;
    }
    if (r->unreachable) {
        sr_buf_printf(b, "\nThe target cannot be reached: %s.\n", r->why);
        return;
    }
    size_t shown = r->nplans < (size_t)c->o.limit ? r->nplans : (size_t)c->o.limit;
    for (size_t i = 0; i < shown; i++)
        seek_plan(p, r, i, b);
    if (!r->nplans) {
        sr_buf_printf(b, "\nNo plan of up to %d change%s reaches ", c->o.max_changes, c->o.max_changes == 1 ? "" : "s");
        target_phrase(b, p, r, c->o.margin);
        sr_buf_printf(b, "%s.\n", c->o.max_changes < SK_MAX_CHANGES ? " (try a larger --max-changes)" : "");
        return;
    }
    sr_buf_printf(b, "\n%zu minimal plan%s found", r->nplans, r->nplans == 1 ? "" : "s");
    if (shown < r->nplans)
        sr_buf_printf(b, ", %zu shown (--limit)", shown);
    if (r->levels < c->o.max_changes)
        sr_buf_printf(b, "; plans of more than %d change%s not searched (enough found)", r->levels,
                      r->levels == 1 ? "" : "s");
    sr_buf_puts(b, ".\n");
}

static void json_move(js_writer *jw, rp_pack *p, const sk_candidate *cd)
{
    sr_buf t;
    sr_buf_init(&t);
    sk_describe(p, cd, &t);
    const sc_change *ch = &cd->change;
    js_object(jw);
    js_key(jw, "path"); js_string(jw, ch->path);
    js_key(jw, "move"); js_string(jw, t.data ? t.data : "");
    js_key(jw, "steps"); js_int(jw, cd->steps);
    js_key(jw, "scenario");
    js_object(jw);
    js_key(jw, "set"); js_string(jw, ch->path);
    if (ch->has & SC_HAS_VALUE) { js_key(jw, "value"); js_number(jw, ch->value); }
    if (ch->has & SC_HAS_BAND) { js_key(jw, "band"); js_int(jw, ch->band); }
    if (ch->has & SC_HAS_KIND) { js_key(jw, "kind"); js_string(jw, ch->kind); }
    if (ch->has & SC_HAS_MET) { js_key(jw, "met"); js_bool(jw, ch->met); }
    js_end_object(jw);
    js_end_object(jw);
    sr_buf_free(&t);
}

static void json_services_of(js_writer *jw, const rp_pack *p, const int *serving, const int *capacity)
{
    js_object(jw);
    for (size_t s = 0; s < p->nservices; s++) {
        js_key(jw, p->services[s].id);
        js_object(jw);
        js_key(jw, "serving"); js_string(jw, word_or(&p->serving, serving[s], NULL));
        js_key(jw, "capacity"); js_string(jw, word_or(&p->capacity, capacity[s], NULL));
        js_end_object(jw);
    }
    js_end_object(jw);
}

static void seek_json(wi_cli *c, rp_pack *p, const ev_evidence *ev, const sk_result *r, sr_buf *b)
{
    js_writer jw;
    js_init(&jw, b, 1);
    js_object(&jw);
    js_key(&jw, "format"); js_string(&jw, "starrate-seek/1");
    js_key(&jw, "council"); js_string(&jw, ev->council);
    js_key(&jw, "year"); js_int(&jw, ev->year);
    js_key(&jw, "round"); js_string(&jw, ev->round);
    js_key(&jw, "baseline");
    js_object(&jw);
    js_key(&jw, "stars"); if (r->stars >= 0) js_int(&jw, r->stars); else js_null(&jw);
    js_key(&jw, "rule"); js_string(&jw, r->rule >= 0 ? p->star_rules[r->rule].id : NULL);
    js_key(&jw, "services"); json_services_of(&jw, p, r->serving, r->capacity);
    js_end_object(&jw);
    js_key(&jw, "target");
    js_object(&jw);
    js_key(&jw, "stars"); js_int(&jw, r->target);
    js_key(&jw, "direction"); js_string(&jw, r->direction > 0 ? "at_least" : "at_most");
    js_key(&jw, "margin"); js_bool(&jw, c->o.margin);
    js_end_object(&jw);
    js_key(&jw, "already"); js_bool(&jw, r->already);
    js_key(&jw, "unreachable"); js_bool(&jw, r->unreachable);
    js_key(&jw, "why"); js_string(&jw, r->already || r->unreachable ? r->why : NULL);
    js_key(&jw, "search");
    js_object(&jw);
    js_key(&jw, "max_changes"); js_int(&jw, c->o.max_changes);
    js_key(&jw, "levels"); js_int(&jw, r->levels);
    js_key(&jw, "moves"); js_int(&jw, (long)r->ncands);
    js_key(&jw, "expanded"); js_int(&jw, (long)r->nlive);
    js_key(&jw, "pruned");
    js_object(&jw);
    js_key(&jw, "fixed"); js_int(&jw, (long)r->pruned_fixed);
    js_key(&jw, "given"); js_int(&jw, (long)r->pruned_given);
    js_key(&jw, "no_effect"); js_int(&jw, (long)r->pruned_noeffect);
    js_key(&jw, "off_path"); js_int(&jw, (long)r->pruned_path);
    js_end_object(&jw);
    js_key(&jw, "judgement_pruning"); js_bool(&jw, r->judgement_pruning);
    js_key(&jw, "plans_tried"); js_int(&jw, r->plans_tried);
    js_key(&jw, "evaluations"); js_int(&jw, r->evaluations);
    js_key(&jw, "answered"); js_int(&jw, r->answered);
    js_end_object(&jw);
    js_key(&jw, "plans_found"); js_int(&jw, (long)r->nplans);
    js_key(&jw, "plans");
    js_array(&jw);
    for (size_t i = 0; i < r->nplans && i < (size_t)c->o.limit; i++) {
        const sk_plan *pl = &r->plans[i];
        js_object(&jw);
        js_key(&jw, "changes"); js_int(&jw, (long)pl->n);
        js_key(&jw, "steps"); js_int(&jw, pl->steps);
        js_key(&jw, "stars"); js_int(&jw, pl->stars);
        js_key(&jw, "rule"); js_string(&jw, pl->rule >= 0 ? p->star_rules[pl->rule].id : NULL);
        js_key(&jw, "services"); json_services_of(&jw, p, pl->serving, pl->capacity);
        js_key(&jw, "moves");
        js_array(&jw);
        for (size_t k = 0; k < pl->n; k++)
            json_move(&jw, p, &r->cands[pl->moves[k]]);
        js_end_array(&jw);
        js_end_object(&jw);
    }
    js_end_array(&jw);
    out_json_meta(&jw, p, ev);
    js_end_object(&jw);
    sr_buf_putc(b, '\n');
}

static void seek_csv(wi_cli *c, rp_pack *p, const sk_result *r, sr_buf *b)
{
    sr_buf_puts(b, "plan,changes,steps,stars,rule");
    for (size_t s = 0; s < p->nservices; s++)
        sr_buf_printf(b, ",%s_serving,%s_capacity", p->services[s].id, p->services[s].id);
    sr_buf_puts(b, ",path,move,value,band,kind,met\n");
    for (size_t i = 0; i < r->nplans && i < (size_t)c->o.limit; i++) {
        const sk_plan *pl = &r->plans[i];
        for (size_t k = 0; k < pl->n; k++) {
            const sk_candidate *cd = &r->cands[pl->moves[k]];
            const sc_change *ch = &cd->change;
            char num[64] = "";
            sr_buf t;
            sr_buf_init(&t);
            sk_describe(p, cd, &t);
            csv_int(b, (long)i + 1, 0);
            csv_int(b, (long)pl->n, 0);
            csv_int(b, pl->steps, 0);
            csv_int(b, pl->stars, 0);
            out_csv_field(b, pl->rule >= 0 ? p->star_rules[pl->rule].id : "", 0);
            for (size_t s = 0; s < p->nservices; s++) {
                out_csv_field(b, word_or(&p->serving, pl->serving[s], ""), 0);
                out_csv_field(b, word_or(&p->capacity, pl->capacity[s], ""), 0);
            }
            out_csv_field(b, ch->path, 0);
            out_csv_field(b, t.data, 0);
            if (ch->has & SC_HAS_VALUE)
                sr_format_number(ch->value, num, sizeof num);
            out_csv_field(b, num, 0);
            snprintf(num, sizeof num, "%d", ch->band);
            out_csv_field(b, ch->has & SC_HAS_BAND ? num : "", 0);
            out_csv_field(b, ch->has & SC_HAS_KIND ? ch->kind : "", 0);
            out_csv_field(b, ch->has & SC_HAS_MET ? (ch->met ? "true" : "false") : "", 1);
            sr_buf_free(&t);
        }
    }
}

int wi_seek_main(int argc, char **argv, FILE *out, FILE *err)
{
    static wi_cli c;
    memset(&c, 0, sizeof c);
    c.out = out, c.err = err;
    c.o.max_changes = 3;
    c.o.limit = 10;
    if (parse_opts(&c, argc, argv, 1))
        return EXIT_USAGE;
    if (c.o.help) {
        fputs(usage_seek, out);
        return EXIT_DONE;
    }
    if (c.o.nargs != 1)
        return usage_error(&c, "seek needs exactly one evidence file%s", "");
    if (c.o.has_target == c.o.margin)
        return usage_error(&c, "seek needs either --target N or --margin%s", "");
    ss_loaded l;
    if (load_evidence(&c, &l) != EXIT_DONE)
        return EXIT_REJECTED;
    sk_options so;
    memset(&so, 0, sizeof so);
    so.target = c.o.target;
    so.margin = c.o.margin;
    so.max_changes = c.o.max_changes;
    so.only = c.o.only;
    so.fix = c.o.fix;
    so.nfix = c.o.nfix;
    so.limit = c.o.limit;
    so.progress = seek_progress;
    so.progress_ctx = err;
    sk_result r;
    int status = EXIT_DONE;
    sr_error e;
    sr_error_clear(&e);
    if (sk_seek(l.pack, l.ev, &so, &r, &e) != SR_OK) {
        if (e.code == SR_EUSAGE) {
            fprintf(err, "starrate: %s\nTry 'starrate help' for usage.\n", e.msg);
            status = EXIT_USAGE;
        } else {
            report(&c, &e);
            status = EXIT_REJECTED;
        }
    } else {
        sr_buf b;
        sr_buf_init(&b);
        if (c.o.format == FMT_TEXT) seek_text(&c, l.pack, l.ev, &r, &b);
        else if (c.o.format == FMT_JSON) seek_json(&c, l.pack, l.ev, &r, &b);
        else seek_csv(&c, l.pack, &r, &b);
        status = write_output(&c, &b);
        sr_buf_free(&b);
        sk_result_free(&r);
    }
    ss_unload(&l);
    ss_free(&c.session);
    return status;
}
