/*
 * whatif.c — `starrate whatif`: a council beside itself with each scenario's changes.
 *
 * whatif evaluates the council as it is (or as the --against scenario leaves it) and with
 * each scenario, then compares the two traces node by node, by subject: a band, grade, key
 * threshold, judgement or the stars whose output differs is a difference. Each difference is
 * traced back to the changes that caused it through the trace's own "uses" links, and where a
 * change stops having effect (a grade that stays, a cap that still holds) the unchanged node
 * is what explains "why not". Every sentence is built from trace data, so no cut-off or label
 * of the rule pack is repeated here.
 */
#include "cmd.h"
#include "compare.h"
#include "eval.h"
#include "json.h"
#include "output.h"
#include "scenario.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum { FMT_TEXT, FMT_JSON, FMT_CSV } whatif_format;

const char whatif_description[] =
    "Rates the council whose evidence FILE gives, then again with each SCENARIO's changes\n"
    "(YAML, see docs/scenario-format.md), and shows them side by side. For each scenario it\n"
    "lists every band, standard grade, key threshold, judgement and the stars that changed,\n"
    "with the rule that decided it and the change that caused it. A scenario that moves no\n"
    "judgement and no star says so and explains where each change stops having an effect.\n"
    "A scenario that is rejected is reported as FILE:LINE:COL: error: MESSAGE on standard\n"
    "error and the others are still compared (exit status 1).\n";

typedef struct whatif_opts {
    int format; /* whatif_format */
    const char *rules, *output, *against;
} whatif_opts;

static const char *const whatif_formats[] = {"text", "json", "csv", NULL};

#define OPT(field) offsetof(whatif_opts, field)
const po_option whatif_options[] = {
    {PO_STRING, 0, "against", OPT(against), "SCENARIO", "compare each scenario with SCENARIO instead of with the baseline", 0, 0, NULL, NULL},
    {PO_CHOICE, 0, "format", OPT(format), "text|json|csv", "output format (default text)", 0, 0, whatif_formats, NULL},
    {PO_STRING, 0, "rules", OPT(rules), "PACK", "rule pack folder or round (default: the pack for FILE's year)", 0, 0, NULL, NULL},
    {PO_STRING, 'o', "output", OPT(output), "FILE", "write the output to FILE atomically instead of standard output", 0, 0, NULL, NULL},
    {PO_END, 0, NULL, 0, NULL, NULL, 0, 0, NULL, NULL},
};
#undef OPT

typedef struct whatif_cmd {
    FILE *out, *err;
    whatif_opts o;
    char **args;
    int nargs;
    ss_session *session;
} whatif_cmd;

static const char *word_or(const rp_scale *sc, int w, const char *none)
{
    return w >= 0 ? sc->words[w].id : none;
}

static void stars_phrase(sr_buf *b, const rp_pack *p, int stars)
{
    if (stars < 0)
        sr_buf_puts(b, "not settled");
    else
        sr_buf_printf(b, "%d %s", stars, rp_unit(p, stars));
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
    char name[128];         /* a scenario's label: its file name without the extension */
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
        d->changed[i] = cmp_node_differs(na, nb);
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
        n += d->b_of_a[i] < 0 && cmp_node_differs(&d->A->r.trace.nodes[i], NULL);
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
    whatif_cmd *c;
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

/* The table's columns: the baseline, the --against scenario when there is one, the scenarios. */
static size_t column_count(const wi *w) { return 1 + (size_t)w->has_ref + w->ncols; }

static const state *column_at(const wi *w, size_t i)
{
    if (i == 0)
        return &w->base;
    if (w->has_ref && i == 1)
        return &w->ref;
    return &w->cols[i - 1 - (size_t)w->has_ref];
}

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
    size_t n = column_count(w);
    int width = 10;
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(column_at(w, i)->label) > width)
            width = (int)strlen(column_at(w, i)->label);
    width = width > 40 ? 40 : width;
    sr_buf_printf(b, "%-20s", "");
    for (size_t i = 0; i < n; i++)
        sr_buf_printf(b, "  %-*.*s", width, width, column_at(w, i)->label);
    sr_buf_putc(b, '\n');
    for (size_t s = 0; s < p->nservices; s++)
        for (int j = 0; j < 2; j++) {
            char row[64];
            snprintf(row, sizeof row, "%s %s", p->services[s].id, j ? "capacity" : "serving");
            sr_buf_printf(b, "%-20s", row);
            for (size_t i = 0; i < n; i++) {
                const rt_service *rs = &column_at(w, i)->r.svc[s];
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
        if (column_at(w, i)->r.stars >= 0) snprintf(cell, sizeof cell, "%d", column_at(w, i)->r.stars);
        else snprintf(cell, sizeof cell, "?");
        sr_buf_printf(b, "  %-*s", width, cell);
    }
    sr_buf_printf(b, "\n%-20s", "rule");
    for (size_t i = 0; i < n; i++)
        sr_buf_printf(b, "  %-*s", width, column_at(w, i)->r.rule >= 0 ? p->star_rules[column_at(w, i)->r.rule].id : "-");
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
        if (d->b_of_a[i] >= 0 || !cmp_node_differs(na, NULL))
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
        size_t ng = 0, last = j;
        for (size_t k = j; k < d->nsrc; k++)
            if (!d->src[k].reference && !done[k] && same_str(texts[k].data, texts[j].data))
                done[k] = 2, ng++, last = k; /* 2: in this group */
        sr_buf_printf(b, "    change%s ", ng > 1 ? "s" : "");
        for (size_t k = j, g = 0; k < d->nsrc; k++)
            if (done[k] == 2) {
                sr_buf_printf(b, "%s%d", g == 0 ? "" : k == last ? " and " : ", ", d->src[k].number);
                done[k] = 1, g++;
            }
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
        if (d->b_of_a[i] < 0 && cmp_node_differs(&A->r.trace.nodes[i], NULL))
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
        if (d->b_of_a[i] < 0 && cmp_node_differs(&A->r.trace.nodes[i], NULL))
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

/* Loads, applies and evaluates one scenario into st. */
static int run_scenario(wi *w, const char *path, state *st, sr_error *e)
{
    sc_scenario *sc = NULL;
    int rc = sc_work_new(w->p, w->ev, &st->work, e);
    if (rc == SR_OK) rc = cmp_run_scenario(w->p, w->ev, st->work, path, &sc, &st->r, e);
    st->sc = sc;
    st->ev = st->work ? sc_work_evidence(st->work) : NULL;
    st->label = stem_of(path, st->name, sizeof st->name);
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

static int whatif_run(whatif_cmd *c, wi *w, ss_loaded *l)
{
    int status = EXIT_DONE;
    sr_error e;
    sr_error_clear(&e);
    w->p = l->pack, w->ev = l->ev;
    w->base.label = "baseline";
    w->base.ev = l->ev;
    rt_init(&w->base.r);
    rt_init(&w->ref.r);
    if (rt_evaluate(w->p, w->ev, &w->base.r, &e) != SR_OK) {
        cmd_reject(c->err, &e);
        return EXIT_REJECTED;
    }
    if (c->o.against) {
        w->has_ref = 1;
        if (run_scenario(w, c->o.against, &w->ref, &e) != SR_OK) {
            cmd_reject(c->err, &e);
            return EXIT_REJECTED;
        }
    }
    w->cols = sr_calloc((size_t)c->nargs, sizeof *w->cols);
    if (!w->cols) {
        fprintf(c->err, "starrate: error: out of memory\n");
        return EXIT_REJECTED;
    }
    for (int i = 1; i < c->nargs; i++) {
        state *st = &w->cols[w->ncols];
        rt_init(&st->r);
        sr_error_clear(&e);
        if (run_scenario(w, c->args[i], st, &e) != SR_OK) {
            cmd_reject(c->err, &e);
            status = EXIT_REJECTED;
            state_free(st);
            continue;
        }
        w->ncols++;
    }
    return status;
}

/* Renders every scenario against the reference, in the chosen format. */
static void render_scenarios(whatif_cmd *c, wi *w, sr_buf *b, js_writer *jw)
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

static int whatif_write(whatif_cmd *c, wi *w)
{
    sr_buf out;
    sr_buf_init(&out);
    js_writer jw;
    js_init(&jw, &out, 1);
    if (c->o.format == FMT_TEXT) {
        whatif_header(w, &out);
        text_table(w, &out);
        render_scenarios(c, w, &out, &jw);
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
    int status = cmd_deliver(&out, c->o.output, c->out, c->err);
    sr_buf_free(&out);
    return status;
}

int cmd_whatif(int argc, char **argv, FILE *out, FILE *err)
{
    whatif_cmd c = {out, err, {0}, NULL, 0, NULL};
    int status;
    if ((c.nargs = cmd_parse(argc, &argv, &c.o, out, err, &status)) < 0)
        return status;
    c.args = argv;
    if (c.nargs < 2)
        return cmd_usage(err, "whatif", "whatif needs an evidence file and at least one scenario");
    if (!(c.session = cmd_session_new(err)))
        return EXIT_REJECTED;
    sr_error e;
    sr_error_clear(&e);
    ss_loaded l;
    if (ss_load(c.session, c.args[0], NULL, c.o.rules, 0, &l, &e) != SR_OK) {
        cmd_session_free(c.session);
        return cmd_reject(err, &e);
    }
    wi w;
    memset(&w, 0, sizeof w);
    status = whatif_run(&c, &w, &l);
    /* With every scenario rejected there is nothing to compare: write nothing, not a baseline. */
    int wstatus = !w.cols || w.ncols == 0 ? EXIT_REJECTED : whatif_write(&c, &w);
    for (size_t i = 0; i < w.ncols; i++)
        state_free(&w.cols[i]);
    sr_free(w.cols);
    state_free(&w.ref);
    rt_free(&w.base.r);
    ss_unload(&l);
    cmd_session_free(c.session);
    return status != EXIT_DONE ? status : wstatus;
}
