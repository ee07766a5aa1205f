/*
 * compare.c — one council under two sets of evidence: the scenario runner and the test of a
 * difference between two evaluations.
 */
#include "compare.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIRECT_MAX 32

/* The steps whatif reports: every kind but a finding's own node. */
static int reported_kind(const tr_node *nd) { return nd->kind != TR_FINDING; }

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int cmp_node_differs(const tr_node *before, const tr_node *after)
{
    const tr_node *nd = after ? after : before;
    if (!nd || !reported_kind(nd))
        return 0;
    return !before || !after || !same_str(tr_output(before), tr_output(after)) ||
           before->source != after->source;
}

static int check_base(const sc_scenario *sc, const ev_evidence *ev, sr_error *e)
{
    if (!sc->evidence)
        return SR_OK;
    char a[PATH_MAX], b[PATH_MAX];
    if (realpath(sc->evidence, a) && realpath(ev->path, b) && strcmp(a, b) == 0)
        return SR_OK;
    return sr_fail(e, SR_EINPUT, sc->evidence_file, sc->evidence_line, sc->evidence_col,
                   "the scenario is built on %s, not on %s", sc->evidence, ev->path);
}

int cmp_run_scenario(rp_pack *p, const ev_evidence *base, sc_work *work, const char *path,
                     sc_scenario **sc, rt_result *r, sr_error *err)
{
    *sc = NULL;
    int rc = sc_load(path, sc, err);
    if (rc == SR_OK) rc = check_base(*sc, base, err);
    if (rc == SR_OK) rc = sc_apply_all(work, *sc, err);
    if (rc == SR_OK) rc = rt_evaluate(p, sc_work_evidence(work), r, err);
    return rc;
}

/* ---- the difference between two evaluations ------------------------------------------------ */


static int find_subject(const tr_trace *t, const char *subject)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->nodes[i].subject, subject) == 0)
            return (int)i;
    return -1;
}


/* Users of each B node (reverse of "uses"), for following a change forward. */

static int users_build(cmp_users *u, const tr_trace *t)
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

static void users_free(cmp_users *u)
{
    sr_free(u->first), sr_free(u->next), sr_free(u->node);
    memset(u, 0, sizeof *u);
}

void cmp_diff_free(cmp_diff *d)
{
    sr_free(d->a_of_b), sr_free(d->b_of_a), sr_free(d->changed), sr_free(d->effect), sr_free(d->src);
    sr_free(d->cause), sr_free(d->cause_a), sr_free(d->direct), sr_free(d->ndirect);
    sr_free(d->direct_a), sr_free(d->ndirect_a);
    users_free(&d->users);
    memset(d, 0, sizeof *d);
}

static void add_direct(cmp_diff *d, size_t j, const char *subject)
{
    int b = find_subject(&d->B.r->trace, subject);
    if (b >= 0) {
        for (int i = 0; i < d->ndirect[j]; i++)
            if (d->direct[j * DIRECT_MAX + (size_t)i] == b)
                return;
        if (d->ndirect[j] < DIRECT_MAX)
            d->direct[j * DIRECT_MAX + (size_t)d->ndirect[j]++] = b;
        return;
    }
    int a = find_subject(&d->A.r->trace, subject);
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
    int i = ev_indicator_index(&ev->services[s], code);
    return i >= 0 ? &ev->services[s].indicators[i] : NULL;
}

/* The caps of service s that read an indicator or a requirement (one of them NULL). */
static void direct_caps(cmp_diff *d, size_t j, int s, const char *indicator, const char *requirement)
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

static void direct_indicator(cmp_diff *d, size_t j, int s, const char *code)
{
    const char *sid = d->p->services[s].id;
    char subject[512];
    snprintf(subject, sizeof subject, "%s.indicator.%s", sid, code);
    add_direct(d, j, subject);
    direct_caps(d, j, s, code, NULL);
    const ev_indicator *ia = indicator_named(d->A.ev, (size_t)s, code);
    const ev_indicator *ib = indicator_named(d->B.ev, (size_t)s, code);
    const ev_indicator *any = ib ? ib : ia;
    /* Added or taken out: the standard it feeds sees one indicator more or less. */
    if (any && (!ia || !ib)) {
        snprintf(subject, sizeof subject, "%s.standard.%d", sid, any->def->standard);
        add_direct(d, j, subject);
    }
    /* Its value also counts in the direction of travel (the capacity standard's). */
    if (d->p->capacity_standard && ((ia && ia->has_previous) || (ib && ib->has_previous))) {
        snprintf(subject, sizeof subject, "%s.standard.%d", sid, d->p->capacity_standard);
        add_direct(d, j, subject);
    }
}

static void direct_finding(cmp_diff *d, size_t j, int s, const sc_change *c)
{
    const char *sid = d->p->services[s].id;
    char subject[512];
    unsigned mask = c->standards |
                    finding_mask(d->p, d->A.ev, finding_named(d->A.ev, (size_t)s, c)) |
                    finding_mask(d->p, d->B.ev, finding_named(d->B.ev, (size_t)s, c));
    for (int k = 1; k <= d->p->nstandards; k++)
        if (rp_informs_serving(d->p, k) && mask & (1u << k)) {
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
static void direct_subjects(cmp_diff *d, size_t j)
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
        snprintf(subject, sizeof subject, "%s.standard.%d", sid, d->p->capacity_standard);
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

static void add_sources(cmp_diff *d, const sc_scenario *sc, int reference, size_t *n)
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

static int diff_alloc(cmp_diff *d, size_t ns)
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
    cmp_diff_free(d);
    return 0;
}

/* Compares B with A and traces each difference to its causes. 0 when out of memory. */
int cmp_diff_build(cmp_diff *d, const rp_pack *p, const cmp_side *A, const cmp_side *B)
{
    memset(d, 0, sizeof *d);
    d->p = p, d->A = *A, d->B = *B;
    d->na = A->r->trace.n, d->nb = B->r->trace.n;
    d->nsrc = (B->sc ? B->sc->nchanges : 0) + (A->sc ? A->sc->nchanges : 0);
    size_t ns = d->nsrc ? d->nsrc : 1;
    if (!diff_alloc(d, ns))
        return 0;
    const tr_trace *ta = &A->r->trace, *tb = &B->r->trace;
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
                       (nb->kind != TR_CAP || tr_caps(na) != tr_caps(nb));
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
    if (!users_build(&d->users, tb)) {
        cmp_diff_free(d);
        return 0;
    }
    return 1;
}

int cmp_next_difference(const cmp_diff *d, size_t *pos, cmp_difference *out)
{
    size_t ns = d->nsrc ? d->nsrc : 1;
    const tr_node *a = d->A.r->trace.nodes, *b = d->B.r->trace.nodes;
    for (; *pos < d->nb; ++*pos)
        if (d->changed[*pos]) {
            size_t i = (*pos)++;
            out->before = d->a_of_b[i] >= 0 ? &a[d->a_of_b[i]] : NULL;
            out->after = &b[i];
            out->causes = &d->cause[i * ns];
            return 1;
        }
    for (; *pos < d->nb + d->na; ++*pos) {
        size_t i = *pos - d->nb;
        if (d->b_of_a[i] < 0 && cmp_node_differs(&a[i], NULL)) {
            ++*pos;
            out->before = &a[i], out->after = NULL;
            out->causes = &d->cause_a[i * ns];
            return 1;
        }
    }
    return 0;
}

size_t cmp_diff_count(const cmp_diff *d)
{
    size_t n = 0, pos = 0;
    cmp_difference x;
    while (cmp_next_difference(d, &pos, &x))
        n++;
    return n;
}

/* Whether any judgement or the stars differ. */
int cmp_judgements_differ(const cmp_diff *d)
{
    const rt_result *a = d->A.r, *b = d->B.r;
    if (a->stars != b->stars || a->rule != b->rule)
        return 1;
    for (size_t s = 0; s < d->p->nservices; s++)
        if (a->svc[s].serving != b->svc[s].serving || a->svc[s].capacity != b->svc[s].capacity)
            return 1;
    return 0;
}

/* ---- sentences from trace nodes ------------------------------------------------------------ */

/* "band 5", a grade or judgement word, a cap's state; "none" when the node is absent. */
void cmp_node_value(sr_buf *b, const tr_node *nd)
{
    if (!nd) {
        sr_buf_puts(b, "none");
        return;
    }
    const char *out = tr_output(nd);
    if (!out) {
        sr_buf_puts(b, nd->source == TR_INSUFFICIENT ? "insufficient evidence" : "not assessed");
        return;
    }
    sr_buf_printf(b, "%s%s", nd->kind == TR_BAND ? "band " : "", out);
    if (nd->source == TR_GIVEN)
        sr_buf_puts(b, " (given)");
}

const tr_compare *cmp_first_met(const tr_node *nd, const tr_compare **above)
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
        sr_buf_printf(b, "%s %s %s %s gives %s", c->what, c->value, tr_op_words[c->op], c->limit, c->word);
    else
        sr_buf_printf(b, "%s %s meets no higher cut-off: %s", c->what, c->value, c->word);
}

/* How a node arrived at its output: the comparison that decided it, or its text. */
void cmp_decided_by(sr_buf *b, const tr_node *nd)
{
    const tr_compare *above, *met = cmp_first_met(nd, &above);
    if (nd->source == TR_GIVEN)
        sr_buf_puts(b, "given");
    else if (met && nd->kind != TR_CAP)
        compare_text(b, met);
    else if (met)
        sr_buf_printf(b, "%s %s %s %s", met->what, met->value, met->op ? tr_op_words[met->op] : "", met->limit ? met->limit : "");
    else if (nd->cmps && nd->kind == TR_CAP)
        sr_buf_printf(b, "%s %s does not breach %s", nd->cmps->what, nd->cmps->value, nd->cmps->limit ? nd->cmps->limit : "");
    else if (nd->text)
        sr_buf_put_escaped(b, nd->text, NULL);
}

/* A compared value as a number; one that is none ("?") counts as 0. */
static double num(const tr_compare *c) { return isnan(c->num) ? 0 : c->num; }

/* Why an unchanged node stayed: the cut-off it still misses (or still reaches). */
static void stays_reason(sr_buf *b, const tr_node *nb, const tr_node *na)
{
    if (nb->source == TR_GIVEN) {
        sr_buf_puts(b, "it is given, so nothing below it counts");
        return;
    }
    const tr_compare *above, *met = cmp_first_met(nb, &above);
    if (!met) {
        if (nb->text)
            sr_buf_put_escaped(b, nb->text, NULL);
        return;
    }
    const tr_compare *was_above, *was = cmp_first_met(na, &was_above);
    /* Moving away from the next word (a worse value) is told by the cut-off still reached. */
    int ge = above && above->op && (above->op == TR_OP_GE || above->op == TR_OP_GT);
    int le = above && above->op && (above->op == TR_OP_LE || above->op == TR_OP_LT);
    int away = was && ((ge && num(met) < num(was)) || (le && num(met) > num(was)));
    if (!above && !away && met->limit) {
        sr_buf_printf(b, "already the best: %s %s reaches %s for %s", met->what, met->value, met->limit, met->word);
    } else if (above && above->limit && !away) {
        const char *rel = ge ? "still below" : le ? "still above" : "still outside";
        sr_buf_printf(b, "%s %s %s %s for %s", met->what, met->value, rel, above->limit, above->word);
    } else if (met->limit) {
        sr_buf_printf(b, "%s %s still %s %s for %s", met->what, met->value,
                      met->op == TR_OP_WITHIN ? "within" : "reaches", met->limit, met->word);
    } else {
        sr_buf_printf(b, "%s %s", met->what, met->value);
    }
}

/* Whether some judgement is better in B than in A. */
static int judgements_rose(const cmp_diff *d)
{
    for (size_t s = 0; s < d->p->nservices; s++)
        if (d->B.r->svc[s].serving > d->A.r->svc[s].serving ||
            d->B.r->svc[s].capacity > d->A.r->svc[s].capacity)
            return 1;
    return 0;
}

/* The sentence for a node where a change stopped having an effect. */
/* The stars stayed: the rule that still fires, the judgements nothing can move, and (when
 * judgements rose) the pack's rows that would give more. */
static void why_not_star(sr_buf *b, const cmp_diff *d, const tr_node *nb)
{
    const rp_pack *p = d->p;
    sr_buf_puts(b, "the rating stays ");
    rp_stars_phrase(b, p, d->B.r->stars);
    sr_buf_printf(b, " by rule %s", nb->rule ? nb->rule : "(several)");
    if (nb->text) {
        sr_buf_puts(b, " (");
        sr_buf_put_escaped(b, nb->text, NULL);
        sr_buf_putc(b, ')');
    }
    const char *sep = "; judgements given: ";
    for (size_t s = 0; s < p->nservices; s++) {
        const rt_service *rs = &d->B.r->svc[s];
        if (rs->serving_given)
            sr_buf_printf(b, "%s%s.serving %s", sep, p->services[s].id, rp_word_id(&p->serving, rs->serving, "?")), sep = ", ";
        if (rs->capacity_given)
            sr_buf_printf(b, "%s%s.capacity %s", sep, p->services[s].id, rp_word_id(&p->capacity, rs->capacity, "?")), sep = ", ";
    }
    if (!judgements_rose(d) || d->B.r->stars < 0)
        return;
    sep = "; more stars need rule ";
    for (size_t i = 0; i < p->nstar_rules; i++)
        if (p->star_rules[i].stars > d->B.r->stars)
            sr_buf_printf(b, "%s%s (%s)", sep, p->star_rules[i].id, p->star_rules[i].sentence), sep = " or ";
}

static void cap_comparison(sr_buf *b, const tr_node *cap, const char *open, const char *close)
{
    if (cap->cmps)
        sr_buf_printf(b, "%s%s %s %s %s%s", open, cap->cmps->what, cap->cmps->value,
                      cap->cmps->op ? tr_op_words[cap->cmps->op] : "", cap->cmps->limit ? cap->cmps->limit : "", close);
    else if (cap->inputs)
        sr_buf_printf(b, "%s%s %s%s", open, cap->inputs->name, cap->inputs->value, close);
}

/* A key threshold where a change stopped: it moved without capping, or it did not move. */
static void why_not_cap(sr_buf *b, const cmp_diff *d, int bi, const tr_node *nb)
{
    const char *name = nb->rule ? nb->rule : nb->subject;
    if (d->changed[bi]) {
        sr_buf_printf(b, "the key threshold %s is now %s, but it caps nothing now and capped nothing before",
                      name, tr_output(nb) ? tr_output(nb) : "not evaluated");
        return;
    }
    sr_buf_printf(b, "the key threshold %s %s", name,
                  tr_breached(nb) ? "still holds"
                  : nb->cap == TR_CAP_NOT_EVALUATED ? "is still not evaluated" : "still does not fire");
    cap_comparison(b, nb, ": ", "");
}

/* The sentence for a node where a change stopped having an effect. */
void cmp_why_not(sr_buf *b, const cmp_diff *d, int bi)
{
    const tr_node *nb = &d->B.r->trace.nodes[bi];
    int ai = d->a_of_b[bi];
    const tr_node *na = ai >= 0 ? &d->A.r->trace.nodes[ai] : NULL;
    if (nb->kind == TR_STAR) {
        why_not_star(b, d, nb);
        return;
    }
    if (nb->kind == TR_CAP) {
        why_not_cap(b, d, bi, nb);
        return;
    }
    if (nb->kind == TR_FINDING) {
        sr_buf_printf(b, "%s: %s", nb->subject, nb->text ? nb->text : "not assessed");
        return;
    }
    sr_buf_printf(b, "%s stays ", nb->subject);
    cmp_node_value(b, nb);
    /* A judgement held by a key threshold: the uncapped word moved, the capped one did not. */
    for (const tr_use *u = nb->kind == TR_JUDGEMENT ? nb->uses : NULL; u; u = u->next) {
        const tr_node *cap = &d->B.r->trace.nodes[u->node];
        if (tr_caps(cap)) {
            sr_buf_printf(b, ": the key threshold %s still holds", cap->rule ? cap->rule : cap->subject);
            cap_comparison(b, cap, " (", ")");
            return;
        }
    }
    sr_buf_puts(b, ": ");
    stays_reason(b, nb, na);
}

/* The nodes where change j's effect stops: unchanged nodes reached from it. */
int cmp_frontier(const cmp_diff *d, size_t j, int *out, int max)
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
        for (int e = d->users.first[b]; e >= 0; e = d->users.next[e]) {
            int v = d->users.node[e];
            if (!seen[v])
                seen[v] = 1, stack[top++] = v;
        }
    }
    sr_free(stack), sr_free(seen);
    return n;
}

