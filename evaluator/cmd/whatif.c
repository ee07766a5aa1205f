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
#include "uncert.h"
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
    const char *rules, *output, *against, *seed, *variants;
    int uncertainty;
} whatif_opts;

static const char *const whatif_formats[] = {"text", "json", "csv", NULL};

#define OPT(field) offsetof(whatif_opts, field)
const po_option whatif_options[] = {
    {PO_STRING, 0, "against", OPT(against), "SCENARIO", "compare each scenario with SCENARIO instead of with the baseline", 0, 0, NULL, NULL},
    {PO_CHOICE, 0, "format", OPT(format), "text|json|csv", "output format (default text)", 0, 0, whatif_formats, NULL},
    {PO_STRING, 0, "rules", OPT(rules), "PACK", "rule pack folder or round (default: the pack for FILE's year)", 0, 0, NULL, NULL},
    {PO_STRING, 'o', "output", OPT(output), "FILE", "write the output to FILE atomically instead of standard output", 0, 0, NULL, NULL},
    {PO_FLAG, 0, "uncertainty", OPT(uncertainty), NULL,
     "(text) how each scenario moves the chance of each star rating,\n"
     "\"chance of 2 stars 30% -> 85%\"", 0, 0, NULL, NULL},
    {PO_STRING, 0, "seed", OPT(seed), "N", "with --uncertainty: the generator's seed, as for rate", 0, 0, NULL, NULL},
    {PO_STRING, 0, "variants", OPT(variants), "N", "with --uncertainty: the variants, as for rate", 0, 0, NULL, NULL},
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

/* ---- whatif: text --------------------------------------------------------------------------- */

typedef struct wi {
    rp_pack *p;
    const ev_evidence *ev;
    state base, ref;         /* ref is base unless --against */
    int has_ref;
    state *cols;             /* scenarios evaluated */
    size_t ncols;
} wi;

static const state *reference(const wi *w) { return w->has_ref ? &w->ref : &w->base; }

static cmp_side side_of(const state *st)
{
    cmp_side side = {st->ev, &st->r, st->sc};
    return side;
}

static void cell_judgement(char *out, size_t n, const rp_scale *sc, int word, int given, int capped)
{
    snprintf(out, n, "%s%s", rp_word_id(sc, word, "?"), given ? "*" : capped ? "^" : "");
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

static void text_causes(sr_buf *b, const cmp_diff *d, const unsigned char *row)
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
        sr_buf_printf(b, " (rule %s, %s, %s:%d)", nd->rule, tr_prov_words[nd->provenance], nd->file ? nd->file : "?", nd->line);
}

/* "band 1 -> band 5", then what decided the new value and the changes that caused it. */
static void text_difference(sr_buf *b, const cmp_diff *d, const cmp_difference *x)
{
    const tr_node *na = x->before, *nb = x->after;
    sr_buf_printf(b, "    %-34s ", (nb ? nb : na)->subject);
    cmp_node_value(b, na);
    sr_buf_puts(b, " -> ");
    if (!nb) {
        sr_buf_puts(b, "none\n        no longer in the evidence\n");
        text_causes(b, d, x->causes);
        return;
    }
    cmp_node_value(b, nb);
    sr_buf_puts(b, "\n        ");
    sr_buf t;
    sr_buf_init(&t);
    if (nb->kind == TR_STAR) {
        sr_buf_printf(&t, "rule %s -> %s", na && na->rule ? na->rule : "-", nb->rule ? nb->rule : "-");
        if (nb->text) {
            sr_buf_puts(&t, ": ");
            sr_buf_put_escaped(&t, nb->text, NULL);
        }
    } else {
        cmp_decided_by(&t, nb);
        text_rule(&t, nb);
        const tr_compare *above, *was = cmp_first_met(na, &above);
        if (na && nb->kind != TR_CAP && was && na->source != TR_GIVEN)
            sr_buf_printf(&t, "; was %s %s", was->what, was->value);
    }
    if (t.oom)
        b->oom = 1;
    hang(b, t.data ? t.data : "", 8, 10, WIDTH);
    sr_buf_free(&t);
    text_causes(b, d, x->causes);
}

static void text_differences(sr_buf *b, const cmp_diff *d, const char *against)
{
    sr_buf_printf(b, "  Differences from %s:\n", against);
    cmp_difference x;
    for (size_t pos = 0; cmp_next_difference(d, &pos, &x);)
        text_difference(b, d, &x);
}

/* Change j's "why not" sentences, one per line, into t. 0 when out of memory. */
static int why_not_of(const cmp_diff *d, size_t j, sr_buf *t)
{
    int nodes[64];
    int n = cmp_frontier(d, j, nodes, 64);
    if (n < 0)
        return 0;
    if (n == 0 && d->ndirect[j] == 0 && d->ndirect_a[j] == 0)
        sr_buf_puts(t, "nothing in the derivation reads what it changes\n");
    else if (n == 0)
        sr_buf_puts(t, "its effect reaches the stars\n");
    for (int k = 0; k < n; k++) {
        cmp_why_not(t, d, nodes[k]);
        sr_buf_putc(t, '\n');
    }
    return !t->oom;
}

/* Changes whose effect stops at the same places are told once: "changes 1 and 2: ...". */
static void text_why_not(sr_buf *b, const cmp_diff *d)
{
    sr_buf *texts = sr_calloc(d->nsrc ? d->nsrc : 1, sizeof *texts);
    unsigned char *done = sr_calloc(d->nsrc ? d->nsrc : 1, 1);
    int ok = texts && done;
    for (size_t j = 0; ok && j < d->nsrc; j++)
        ok = d->src[j].reference || why_not_of(d, j, &texts[j]);
    for (size_t j = 0; ok && j < d->nsrc; j++) {
        if (d->src[j].reference || done[j])
            continue;
        size_t ng = 0, last = j;
        for (size_t k = j; k < d->nsrc; k++)
            if (!d->src[k].reference && !done[k] && strcmp(texts[k].data ? texts[k].data : "", texts[j].data ? texts[j].data : "") == 0)
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
}

static void text_scenario(wi *w, size_t idx, const cmp_diff *d, sr_buf *b)
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
    rp_stars_phrase(b, w->p, st->r.stars);
    if (st->r.rule >= 0)
        sr_buf_printf(b, " by rule %s", w->p->star_rules[st->r.rule].id);
    sr_buf_printf(b, "; %s ", w->has_ref ? "the --against scenario gives" : "the baseline is");
    rp_stars_phrase(b, w->p, A->r.stars);
    if (A->r.rule >= 0)
        sr_buf_printf(b, " by rule %s", w->p->star_rules[A->r.rule].id);
    sr_buf_putc(b, '\n');
    const char *against = w->has_ref ? "the --against scenario" : "the baseline";
    if (cmp_diff_count(d))
        text_differences(b, d, against);
    int moved = cmp_judgements_differ(d);
    if (!moved) {
        if (!cmp_diff_count(d))
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
        js_key(jw, "serving"); js_string(jw, rp_word_id(&p->serving, rs->serving, NULL));
        js_key(jw, "capacity"); js_string(jw, rp_word_id(&p->capacity, rs->capacity, NULL));
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
    cmp_node_value(&v, nd);
    js_string(jw, v.data ? v.data : "");
    sr_buf_free(&v);
}

static void json_causes(js_writer *jw, const cmp_diff *d, const unsigned char *row)
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

static void json_difference(js_writer *jw, const cmp_diff *d, const tr_node *na, const tr_node *nb,
                            const unsigned char *row)
{
    const tr_node *nd = nb ? nb : na;
    js_object(jw);
    js_key(jw, "subject"); js_string(jw, nd->subject);
    js_key(jw, "kind"); js_string(jw, tr_kind_words[nd->kind]);
    js_key(jw, "before"); json_node_value(jw, na);
    js_key(jw, "after"); json_node_value(jw, nb);
    js_key(jw, "rule"); js_string(jw, nb ? nb->rule : NULL);
    js_key(jw, "provenance"); js_string(jw, nb ? tr_prov_words[nb->provenance] : NULL);
    js_key(jw, "file"); js_string(jw, nb && nb->provenance ? nb->file : NULL);
    js_key(jw, "line");
    if (nb && nb->provenance && nb->line > 0) js_int(jw, nb->line); else js_null(jw);
    sr_buf why;
    sr_buf_init(&why);
    if (nb)
        cmp_decided_by(&why, nb);
    js_key(jw, "decided_by"); js_string(jw, nb ? (why.data ? why.data : "") : "no longer in the evidence");
    sr_buf_free(&why);
    js_key(jw, "caused_by"); json_causes(jw, d, row);
    js_end_object(jw);
}

static void json_why_not(js_writer *jw, const cmp_diff *d)
{
    js_array(jw);
    int nodes[64];
    for (size_t j = 0; j < d->nsrc; j++) {
        int n = d->src[j].reference ? 0 : cmp_frontier(d, j, nodes, 64);
        if (n < 0)
            jw->out->oom = 1;
        for (int k = 0; k < n; k++) {
            sr_buf t;
            sr_buf_init(&t);
            cmp_why_not(&t, d, nodes[k]);
            js_object(jw);
            js_key(jw, "change"); js_int(jw, d->src[j].number);
            js_key(jw, "subject"); js_string(jw, d->B.r->trace.nodes[nodes[k]].subject);
            js_key(jw, "text"); js_string(jw, t.data ? t.data : "");
            js_end_object(jw);
            sr_buf_free(&t);
        }
    }
    js_end_array(jw);
}

static void json_scenario(wi *w, size_t idx, const cmp_diff *d, js_writer *jw)
{
    const state *st = &w->cols[idx];
    const sc_scenario *sc = st->sc;
    const state *A = reference(w);
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
    cmp_difference x;
    for (size_t pos = 0; cmp_next_difference(d, &pos, &x);)
        json_difference(jw, d, x.before, x.after, x.causes);
    js_end_array(jw);
    int moved = cmp_judgements_differ(d);
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

static void csv_difference(sr_buf *b, const cmp_diff *d, const char *const *names, const tr_node *na,
                           const tr_node *nb, const unsigned char *row)
{
    const tr_node *nd = nb ? nb : na;
    sr_buf v1, v2, why, causes;
    sr_buf_init(&v1), sr_buf_init(&v2), sr_buf_init(&why), sr_buf_init(&causes);
    cmp_node_value(&v1, na);
    cmp_node_value(&v2, nb);
    if (nb)
        cmp_decided_by(&why, nb);
    else
        sr_buf_puts(&why, "no longer in the evidence");
    /* causes as change numbers; "a2" is change 2 of the --against scenario */
    for (size_t j = 0; j < d->nsrc; j++)
        if (row[j])
            sr_buf_printf(&causes, "%s%s%d", causes.len ? " " : "", d->src[j].reference ? "a" : "",
                          d->src[j].number);
    const char *f[10] = {names[0], names[1], "difference", nd->subject, tr_kind_words[nd->kind], v1.data,
                         v2.data, nb ? nb->rule : NULL, causes.data, why.data};
    csv_row(b, f);
    if (v1.oom || v2.oom || why.oom || causes.oom)
        b->oom = 1;
    sr_buf_free(&v1), sr_buf_free(&v2), sr_buf_free(&why), sr_buf_free(&causes);
}

static void csv_why_not(sr_buf *b, const cmp_diff *d, const char *const *names)
{
    int nodes[64];
    for (size_t j = 0; j < d->nsrc; j++) {
        int n = d->src[j].reference ? 0 : cmp_frontier(d, j, nodes, 64);
        if (n < 0)
            b->oom = 1;
        for (int k = 0; k < n; k++) {
            const tr_node *nd = &d->B.r->trace.nodes[nodes[k]];
            sr_buf t, v;
            sr_buf_init(&t), sr_buf_init(&v);
            cmp_why_not(&t, d, nodes[k]);
            cmp_node_value(&v, nd);
            char num[16];
            snprintf(num, sizeof num, "%d", d->src[j].number);
            const char *f[10] = {names[0], names[1], "why_not", nd->subject, tr_kind_words[nd->kind], v.data,
                                 v.data, nd->rule, num, t.data};
            csv_row(b, f);
            sr_buf_free(&t), sr_buf_free(&v);
        }
    }
}

static void csv_scenario(wi *w, size_t idx, const cmp_diff *d, sr_buf *b)
{
    const state *st = &w->cols[idx];
    const state *A = reference(w);
    const char *names[2] = {st->label, w->has_ref ? w->ref.label : "baseline"};
    cmp_difference x;
    for (size_t pos = 0; cmp_next_difference(d, &pos, &x);)
        csv_difference(b, d, names, x.before, x.after, x.causes);
    int moved = cmp_judgements_differ(d);
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
    /* evidence text may hold a newline or an escape: escaped, it cannot forge a line */
    sr_buf_puts(b, "What if: ");
    sr_buf_put_escaped(b, ev->council, NULL);
    sr_buf_printf(b, ", %d%s%s%s (rules %s %s)\n", ev->year,
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
        cmp_diff d;
        cmp_side a = side_of(reference(w)), b_ = side_of(&w->cols[i]);
        if (!cmp_diff_build(&d, w->p, &a, &b_)) {
            b->oom = 1;
            return;
        }
        if (c->o.format == FMT_TEXT) text_scenario(w, i, &d, b);
        else if (c->o.format == FMT_JSON) json_scenario(w, i, &d, jw);
        else csv_scenario(w, i, &d, b);
        cmp_diff_free(&d);
    }
}

/* How each scenario moves the chances (rate --uncertainty): the same variants and the same
 * draws of the unknowns for the baseline and every scenario. */
static int how_sure(whatif_cmd *c, wi *w, sr_buf *b)
{
    un_options uo;
    char msg[160];
    sr_error e;
    sr_error_clear(&e);
    if (un_parse_options(c->o.seed, c->o.variants, 0, &uo, msg, sizeof msg))
        return cmd_usage(c->err, "whatif", "%s", msg);
    un_model *m = NULL;
    rt_result r;
    rt_init(&r);
    un_council base, sc;
    int rc = un_fit(c->session, w->p, &uo, &m, &e);
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
    rt_free(&r);
    return rc == SR_OK ? EXIT_DONE : cmd_reject(c->err, &e);
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
        int sure = c->o.uncertainty ? how_sure(c, w, &out) : EXIT_DONE;
        if (sure != EXIT_DONE) {
            sr_buf_free(&out);
            return sure;
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
    int status = cmd_deliver(&out, c->o.output, c->out, c->err);
    sr_buf_free(&out);
    return status;
}

static int whatif_main(whatif_cmd *cp);

/* `whatif SCENARIO...`: the evidence is the one the first scenario's `base` chain ends at,
 * so a plan can be tried without naming its council twice. Returns a new argument list
 * (evidence first) in *args, or NULL when the first argument is not such a scenario. */
static char **evidence_from_base(char **args, int nargs, char **evidence)
{
    sc_scenario *s = NULL;
    sr_error e;
    sr_error_clear(&e);
    *evidence = NULL;
    if (nargs < 1 || sc_load(args[0], &s, &e) != SR_OK || !s->evidence) {
        sc_free(s);
        return NULL;
    }
    char **v = sr_calloc((size_t)nargs + 2, sizeof *v);
    *evidence = sr_strdup(s->evidence);
    sc_free(s);
    if (!v || !*evidence) {
        sr_free(v);
        sr_free(*evidence);
        *evidence = NULL;
        return NULL;
    }
    v[0] = *evidence;
    memcpy(v + 1, args, (size_t)nargs * sizeof *v);
    return v;
}

int cmd_whatif(int argc, char **argv, FILE *out, FILE *err)
{
    whatif_cmd c = {out, err, {0}, NULL, 0, NULL};
    int status;
    if ((c.nargs = cmd_parse(argc, &argv, &c.o, out, err, &status)) < 0)
        return status;
    c.args = argv;
    char *evidence = NULL;
    char **with_base = evidence_from_base(c.args, c.nargs, &evidence);
    if (with_base) {
        c.args = with_base;
        c.nargs++;
    }
    status = c.nargs < 2 ? cmd_usage(err, "whatif", "whatif needs an evidence file and at least one scenario (or scenarios whose base names it)")
                         : whatif_main(&c);
    sr_free(with_base);
    sr_free(evidence);
    return status;
}

static int whatif_main(whatif_cmd *cp)
{
    whatif_cmd c = *cp;
    FILE *err = c.err;
    int status;
    if (c.o.uncertainty && c.o.format != FMT_TEXT)
        return cmd_usage(err, "whatif", "--uncertainty is shown in text output only");
    if (!(c.session = cmd_session_new(err)))
        return EXIT_REJECTED;
    sr_error e;
    sr_error_clear(&e);
    ss_loaded l;
    if (ss_load(c.session, c.args[0], NULL, c.o.rules, 0, &l, &e) != SR_OK) {
        cmd_session_free(c.session);
        return cmd_reject(err, &e);
    }
    ev_warnings_print(err, l.ev);
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
