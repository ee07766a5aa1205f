/*
 * report.c — the self-contained HTML report of one or many ratings.
 *
 * Like the other renderings it reads the rt_result and its trace and recomputes nothing, so
 * the page cannot disagree with `rate --format json`. Each council's section is rendered as
 * soon as it is rated (its evidence is then freed); only a small row per council is kept for
 * the league table and the summary, which come first in the page.
 *
 * The "What if" section (--scenario) runs each scenario on a working copy of the evidence
 * with compare.c's scenario runner (then sc_rollback), rates it into a result of its own,
 * and compares the two traces step by step with compare.c's test of a difference, the one
 * whatif uses, so the cells it marks are the differences `whatif` lists.
 *
 * Colours: PAF indicators were published in five bands shown as traffic lights (5 very good,
 * dark green, down to 1 investigate urgently, red). Grades, judgements and stars use the same
 * five colours, spread over their scale from the pack (worst red, best dark green), so the
 * page needs no colour table of its own per scale.
 */
#include "cmd.h"
#include "uncert.h"
#include "compare.h"
#include "html.h"
#include "report-css.h" /* report.css and report-whatif.css, embedded at build time */
#include "eval.h"
#include "output.h"
#include "scenario.h"
#include "seek.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- escaping and small helpers ------------------------------------------------------- */

/* The traffic-light band (1-5) of word `i` on a scale of n words, worst first. */
static int band_of_word(int i, size_t n)
{
    if (i < 0)
        return 0;
    if (n < 2)
        return 5;
    return 1 + (int)(((size_t)i * 4 + (n - 1) / 2) / (n - 1));
}

static void stars_phrase(sr_buf *b, const rp_pack *p, int stars)
{
    html_rawf(b, "%d ", stars);
    html_txt(b, rp_unit(p, stars));
}

/* "Nov 2003" when the evidence names its round, else the year. */
static void round_label(sr_buf *b, int year, const char *round)
{
    if (round)
        html_txt(b, round);
    else
        html_rawf(b, "%d", year);
}

static void prov_label(sr_buf *b, int reconstructed)
{
    html_rawf(b, "<span class=\"prov %s\">%s</span>", reconstructed ? "rec" : "doc",
                  rp_prov_text(reconstructed));
}

static void prov_phrase(sr_buf *b, const rp_prov *pr) { prov_label(b, pr->reconstructed); }

/* A rule file named relative to the folder that holds the rule packs ("2002/stars.lua"),
 * never as the machine's path: the page is read on other machines. The packs' folder is the
 * parent of the pack's own; a file outside it keeps its last two parts. */
static void pack_path(sr_buf *b, const rp_pack *p, const char *file, int line)
{
    if (!file)
        return;
    /* Files are named as sr_display_path shows them (from the working folder, or absolute):
     * show the packs' folder the same way and cut it off. */
    char parent[4096], root[4096];
    snprintf(parent, sizeof parent, "%s/..", p->dir ? p->dir : ".");
    sr_display_path(parent, root, sizeof root);
    size_t n = strlen(root);
    const char *rel = file;
    if (n && strncmp(file, root, n) == 0 && file[n] == '/') {
        rel = file + n + 1;
    } else if (file[0] == '/') {
        /* Outside the packs' folder: its last two parts, never the machine's path. */
        const char *last = strrchr(file, '/');
        rel = last + 1;
        for (const char *q = last - 1; q > file; q--)
            if (*q == '/') {
                rel = q + 1;
                break;
            }
    }
    html_txt(b, rel);
    if (line > 0)
        html_rawf(b, ":%d", line);
}

/* An evidence file as the page names it: its name alone when the path is absolute. */
static const char *evidence_name(const char *path)
{
    const char *last = path && path[0] == '/' ? strrchr(path, '/') : NULL;
    return last ? last + 1 : path;
}

/* A kind of finding in words: "area for improvement". */
static void kind_words(sr_buf *b, int kind)
{
    for (const char *k = kind >= 0 && kind < EV_NKINDS ? ev_kind_words[kind] : "?"; *k; k++)
        html_rawf(b, "%c", *k == '_' ? ' ' : *k);
}

/* A scale's word in its own text ("very good", not "very_good"). */
static const char *word_text(const rp_scale *sc, int w, const char *none)
{
    return w >= 0 && (size_t)w < sc->nwords ? sc->words[w].text : none;
}

/* ---- the kept rows -------------------------------------------------------------------- */

typedef struct hr_row {
    int index;            /* position among the files, for a stable order */
    char *council, *round;
    int year;
    rp_pack *pack;        /* owned by the session, alive for the whole run */
    int stars, rule;
    unsigned possible;
    int serving[RP_MAX_SERVICES], capacity[RP_MAX_SERVICES];
    int pub_stars;
} hr_row;

typedef struct hr_run {
    ss_session *session;
    const char *rules;
    int from_published;
    hr_row *rows;
    size_t nrows;
    sr_buf sections;
    FILE *err;
    const char *const *scenarios; /* --scenario files, in order */
    size_t nscenarios;
    int no_page;                  /* a scenario was rejected: the report is not written */
    un_cache uc;                  /* the variants of each pack, for "How sure" */
} hr_run;

static void row_free(hr_row *r)
{
    sr_free(r->council);
    sr_free(r->round);
}

static int row_keep(hr_run *h, const out_rating *o, int index)
{
    hr_row *grown = sr_realloc(h->rows, (h->nrows + 1) * sizeof *grown);
    if (!grown)
        return SR_ENOMEM;
    h->rows = grown;
    hr_row *r = &h->rows[h->nrows];
    memset(r, 0, sizeof *r);
    r->index = index;
    r->council = sr_strdup(o->ev->council);
    r->round = o->ev->round ? sr_strdup(o->ev->round) : NULL;
    h->nrows++; /* counted now so row_free sees it even when a copy failed */
    if (!r->council || (o->ev->round && !r->round))
        return SR_ENOMEM;
    r->year = o->ev->year;
    r->pack = o->pack;
    r->stars = o->r->stars;
    r->rule = o->r->rule;
    r->possible = o->r->possible;
    r->pub_stars = o->ev->pub_stars;
    for (size_t s = 0; s < o->pack->nservices && s < RP_MAX_SERVICES; s++) {
        r->serving[s] = o->r->svc[s].serving;
        r->capacity[s] = o->r->svc[s].capacity;
    }
    return SR_OK;
}

/* ---- one council: rating and judgements ----------------------------------------------- */

static void council_stars(sr_buf *b, const out_rating *o)
{
    const rp_pack *p = o->pack;
    int stars = o->r->stars;
    html_raw(b, "<div class=\"rating\"><p class=\"stars\" aria-hidden=\"true\">");
    for (int k = p->rating_min; k < p->rating_max; k++)
        html_raw(b, stars > k ? "<span class=\"on\">&#9733;</span>" : "<span class=\"off\">&#9734;</span>");
    html_raw(b, "</p><p class=\"stars-text\"><strong>");
    if (stars >= 0) {
        stars_phrase(b, p, stars);
    } else {
        int total = 0, done = 0;
        for (int k = 0; k < 32; k++)
            total += (o->r->possible >> k) & 1;
        html_raw(b, "Not settled: ");
        for (int k = 0; k < 32; k++)
            if ((o->r->possible >> k) & 1)
                html_rawf(b, "%s%d", done++ == 0 ? "" : done == total ? " or " : ", ", k);
        html_raw(b, " ");
        html_txt(b, p->rating_unit);
        html_raw(b, " possible");
    }
    html_raw(b, "</strong>");
}

static void council_rule(sr_buf *b, const out_rating *o)
{
    if (o->r->rule < 0) {
        html_raw(b, o->r->stars >= 0 ? ", whatever the missing judgements are</p>"
                                         : "; the missing judgements decide</p>");
        return;
    }
    /* The star rule's sentence is in the paragraph that says why, below the judgements. */
    html_raw(b, "</p>");
}

/* Where the star rule comes from: in the detail, not on the first page. */
static void council_rule_source(sr_buf *b, const out_rating *o)
{
    const rp_pack *p = o->pack;
    if (o->r->rule < 0)
        return;
    const rp_star_rule *sr = &p->star_rules[o->r->rule];
    html_raw(b, "<p class=\"provenance\">The star rule (");
    html_txt(b, sr->sentence);
    html_raw(b, "): ");
    prov_phrase(b, &sr->prov);
    html_raw(b, " ");
    html_txt(b, sr->prov.text);
    html_raw(b, " <span class=\"where\">(");
    pack_path(b, p, sr->prov.file, sr->prov.line);
    html_raw(b, ")</span></p>\n");
}

static void council_published(sr_buf *b, const out_rating *o)
{
    int pub = o->ev->pub_stars;
    if (pub < 0) {
        html_raw(b, "</div>\n");
        return;
    }
    int agrees = o->r->stars >= 0 && o->r->stars == pub;
    int open = o->r->stars < 0;
    html_rawf(b, "<p class=\"published %s\" data-published=\"%d\">Published: ",
                  open ? "open" : agrees ? "agrees" : "differs", pub);
    stars_phrase(b, o->pack, pub);
    if (open)
        html_raw(b, (o->r->possible >> pub) & 1 ? ", consistent with the evidence"
                                                     : ", not reachable from the evidence");
    else
        html_raw(b, agrees ? ", the rating agrees" : ", the rating differs");
    html_raw(b, ".</p></div>\n");
}

static void judgement_cell(sr_buf *b, const rp_scale *sc, int word, int given, int uncapped,
                           const char *needs)
{
    html_rawf(b, "<td class=\"b%d\">", band_of_word(word, sc->nwords));
    html_txt(b, word >= 0 ? sc->words[word].text : "insufficient evidence");
    html_rawf(b, " <span class=\"src\">%s</span>",
                  word < 0 ? "insufficient" : given ? "given" : "derived");
    if (word >= 0 && uncapped > word) {
        html_raw(b, "<br><span class=\"capped\">held down by a key threshold from ");
        html_txt(b, sc->words[uncapped].text);
        html_raw(b, "</span>");
    }
    if (word < 0 && needs) {
        html_raw(b, "<br><span class=\"needs\">needs ");
        html_txt(b, needs);
        html_raw(b, "</span>");
    }
    html_raw(b, "</td>");
}

static void council_judgements(sr_buf *b, const out_rating *o)
{
    const rp_pack *p = o->pack;
    html_raw(b, "<h3>Judgements</h3>\n<table class=\"judgements\"><thead><tr><th>Service</th><th>");
    html_txt(b, p->serving.name);
    html_raw(b, "</th><th>");
    html_txt(b, p->capacity.name);
    html_raw(b, "</th></tr></thead><tbody>\n");
    for (size_t s = 0; s < p->nservices; s++) {
        const rt_service *rs = &o->r->svc[s];
        html_raw(b, "<tr");
        html_attr(b, "data-service", p->services[s].id);
        html_raw(b, " data-serving=\"");
        html_txt(b, rp_word_id(&p->serving, rs->serving, NULL));
        html_raw(b, "\"");
        html_attr(b, "data-capacity", rp_word_id(&p->capacity, rs->capacity, NULL));
        html_raw(b, "><th scope=\"row\">");
        html_txt(b, p->services[s].title);
        html_raw(b, "</th>");
        judgement_cell(b, &p->serving, rs->serving, rs->serving_given, rs->serving_uncapped, rs->serving_needs);
        judgement_cell(b, &p->capacity, rs->capacity, rs->capacity_given, rs->capacity_uncapped, rs->capacity_needs);
        html_raw(b, "</tr>\n");
    }
    html_raw(b, "</tbody></table>\n");
}

/* ---- one council: the first page -------------------------------------------------------- */

/* Why, in the inspectorate's words: the four judgements, any key threshold that held one
 * down, and the star table's sentence for the row that gave the rating. */
static const rp_cap *cap_of(const rp_pack *p, const char *id);

static void council_why(sr_buf *b, const out_rating *o)
{
    const rp_pack *p = o->pack;
    html_raw(b, "<p class=\"why-rating\">");
    for (size_t s = 0; s < p->nservices; s++) {
        const rt_service *rs = &o->r->svc[s];
        html_txt(b, p->services[s].title);
        if (rs->serving >= 0) {
            html_raw(b, s ? " are " : " are judged to be ");
            html_txt(b, word_text(&p->serving, rs->serving, "?"));
        } else {
            html_txtf(b, " are not judged on %s", p->serving.name);
        }
        html_raw(b, ", with ");
        if (rs->capacity >= 0)
            html_txt(b, word_text(&p->capacity, rs->capacity, "?"));
        else
            html_txtf(b, "%s not judged", p->capacity.name);
        html_raw(b, s + 1 < p->nservices ? "; " : ". ");
    }
    const tr_trace *t = &o->r->trace;
    for (size_t i = 0; i < t->n; i++) {
        const rp_cap *cap = t->nodes[i].kind == TR_CAP && tr_caps(&t->nodes[i]) ? cap_of(p, t->nodes[i].rule) : NULL;
        if (!cap)
            continue;
        const rp_scale *sc = cap->judgement ? &p->capacity : &p->serving;
        html_raw(b, "A key threshold holds ");
        html_txt(b, p->services[cap->service].title);
        html_raw(b, " at ");
        html_txt(b, word_text(sc, cap->to, "?"));
        html_raw(b, ": ");
        html_txt(b, cap->sentence);
        html_raw(b, ". ");
    }
    if (o->r->stars >= 0) {
        html_raw(b, "With these judgements the council is rated ");
        stars_phrase(b, p, o->r->stars);
        if (o->r->rule >= 0) {
            html_raw(b, " because ");
            html_txt(b, p->star_rules[o->r->rule].sentence);
        }
        html_raw(b, ".");
    }
    html_raw(b, "</p>\n");
}

/* One move of a plan as a sentence a council can act on, with the letter's own words for a
 * finding, the name of an indicator and the text of a requirement. */
static void move_words(sr_buf *b, const rp_pack *p, const sk_candidate *c)
{
    html_raw(b, "<li>");
    switch (c->kind) {
    case SK_INDICATOR:
        html_raw(b, c->from_band == 0 ? "Add " : c->to_band > c->from_band ? "Improve " : "Should ");
        html_raw(b, "<strong>");
        html_txt(b, c->label ? c->label : c->change.name);
        html_raw(b, "</strong> (");
        html_txt(b, p->services[c->service].title);
        html_raw(b, ", ");
        html_txt(b, c->change.name);
        html_raw(b, ")");
        if (c->from_band == 0)
            html_rawf(b, ", not in the evidence, in band %d", c->to_band);
        else
            html_rawf(b, c->to_band > c->from_band ? " from band %d to band %d" : " fall from band %d to band %d",
                      c->from_band, c->to_band);
        if (c->change.has & SC_HAS_VALUE) {
            html_raw(b, " (");
            if (c->has_from_value) {
                html_num(b, c->from_value);
                html_raw(b, " &rarr; ");
            }
            html_num(b, c->change.value);
            html_raw(b, ")");
        }
        break;
    case SK_FINDING:
    case SK_CAPACITY_FINDING:
        html_raw(b, c->to_word == EV_STRENGTH ? "Turn round the " : "Should the ");
        kind_words(b, c->from_word);
        html_raw(b, " (");
        html_txt(b, p->services[c->service].title);
        html_raw(b, ") <q class=\"letter\">");
        html_txt(b, c->label);
        html_raw(b, "</q>");
        html_raw(b, c->to_word == EV_STRENGTH ? " into a strength" : " become a concern");
        break;
    case SK_REQUIREMENT:
        html_raw(b, c->to_word ? "Meet the requirement " : "Should the requirement ");
        html_raw(b, "<q>");
        html_txt(b, c->label ? c->label : c->change.name);
        html_raw(b, "</q> (");
        html_txt(b, p->services[c->service].title);
        html_raw(b, c->to_word ? ")" : ") no longer be met");
        break;
    }
    html_raw(b, "</li>\n");
}

static void plan_item(sr_buf *b, const rp_pack *p, const sk_result *r, const sk_plan *pl)
{
    html_rawf(b, "<li class=\"plan\" data-changes=\"%zu\" data-stars=\"%d\">", pl->n, pl->stars);
    html_rawf(b, "%zu change%s &rarr; ", pl->n, pl->n == 1 ? "" : "s");
    stars_phrase(b, p, pl->stars);
    html_raw(b, "<ul class=\"moves\">\n");
    for (size_t k = 0; k < pl->n; k++)
        move_words(b, p, &r->cands[pl->moves[k]]);
    html_raw(b, "</ul></li>\n");
}

/* The plans seek finds, plannable changes only: the cheapest ways to a star more, or the
 * smallest deteriorations that lose one. The search runs on the council's own Lua state and
 * leaves the rating it was given untouched. */
#define HR_PLANS 3

static int council_seek(sr_buf *b, const out_rating *o, int margin, sr_error *e)
{
    rp_pack *p = o->pack;
    html_raw(b, margin ? "<h3>What could lose a star</h3>\n" : "<h3>What would gain a star</h3>\n");
    if (o->r->stars < 0) {
        html_raw(b, "<p class=\"none\">The evidence does not settle the rating.</p>\n");
        return SR_OK;
    }
    if (margin ? o->r->stars <= p->rating_min : o->r->stars >= p->rating_max) {
        html_raw(b, margin ? "<p class=\"none\">The rating is the lowest there is.</p>\n"
                           : "<p class=\"none\">The rating is the highest there is.</p>\n");
        return SR_OK;
    }
    sk_options so;
    memset(&so, 0, sizeof so);
    so.target = o->r->stars + 1;
    so.margin = margin;
    so.max_changes = margin ? 2 : 3;
    so.limit = HR_PLANS;
    sk_result r;
    /* A failure (a rule that errs, memory) is the run's failure: report_one reports it. */
    int rc = sk_seek(p, o->ev, &so, &r, e);
    if (rc != SR_OK)
        return rc;
    if (r.unreachable) {
        html_raw(b, "<p class=\"none\">No change to the evidence can do it: ");
        html_txt(b, r.why);
        html_raw(b, ".</p>\n");
    } else if (r.nplans == 0) {
        html_rawf(b, "<p class=\"none\">No change of up to %d finding%s, indicator%s or requirement%s "
                     "the council can plan %s.</p>\n", so.max_changes, "s", "s", "s",
                  margin ? "loses a star" : "gains a star");
    } else {
        html_raw(b, margin ? "<p>The smallest deteriorations that would lose a star:</p>\n"
                           : "<p>The fewest changes the council can make that would gain a star:</p>\n");
        html_raw(b, margin ? "<ol class=\"plans lose\">\n" : "<ol class=\"plans gain\">\n");
        /* Two deteriorations are enough to show the margin; the gains get one more. */
        size_t shown = margin ? HR_PLANS - 1 : HR_PLANS;
        for (size_t i = 0; i < r.nplans && i < shown; i++)
            plan_item(b, p, &r, &r.plans[i]);
        html_raw(b, "</ol>\n");
        if (r.nplans > shown)
            html_rawf(b, "<p class=\"more\">%zu other way%s found (<code>starrate seek%s</code>).</p>\n",
                      r.nplans - shown, r.nplans - shown == 1 ? "" : "s", margin ? " --margin" : "");
    }
    if (r.nsensitive) {
        html_raw(b, "<p class=\"sensitive\">The rating is also sensitive to evidence not given: ");
        for (size_t i = 0; i < r.nsensitive; i++) {
            const sk_candidate *c = &r.cands[r.sensitive[i]];
            if (i == 3) {
                html_rawf(b, " and %zu more", r.nsensitive - i);
                break;
            }
            html_raw(b, i ? "; " : "");
            html_txt(b, c->label ? c->label : c->change.name);
            if (c->kind == SK_INDICATOR)
                html_rawf(b, " in band %d", c->to_band);
        }
        html_raw(b, margin ? " would each alone lose a star.</p>\n" : " would each alone gain one.</p>\n");
    }
    sk_result_free(&r);
    return SR_OK;
}

/* ---- one council: the standards grid -------------------------------------------------- */

/* Whether finding f of service s informs standard k (0-based): its tags or its indicators
 * for a performance finding, the capacity standard for a capacity finding. */
static int finding_informs(const out_rating *o, const ev_finding *f, int capacity, int k)
{
    if (capacity)
        return o->pack->capacity_standard == k + 1;
    return (rt_finding_standards(o->pack, o->ev, f) >> (k + 1)) & 1;
}

/* What a grade rests on, in plain words: the letter's findings for and against, and the
 * indicators of the standard with their bands (the weighing is in `starrate explain`). */
static void grade_basis(sr_buf *b, const out_rating *o, size_t s, int k)
{
    const ev_service *svc = &o->ev->services[s];
    int pro = 0, con = 0, nind = 0;
    for (int cap = 0; cap < 2; cap++) {
        const ev_finding *list = cap ? svc->capacity_findings : svc->findings;
        size_t n = cap ? svc->ncapacity : svc->nfindings;
        for (size_t i = 0; i < n; i++)
            if (finding_informs(o, &list[i], cap, k))
                list[i].kind == EV_STRENGTH || list[i].kind == EV_IMPROVEMENT ? pro++ : con++;
    }
    for (size_t i = 0; i < svc->nindicators; i++)
        nind += svc->indicators[i].def && svc->indicators[i].def->standard == k + 1;
    if (!pro && !con && !nind)
        return;
    html_raw(b, "<br><span class=\"why\">");
    if (pro || con)
        html_rawf(b, "%d finding%s for, %d against", pro, pro == 1 ? "" : "s", con);
    if (nind) {
        html_rawf(b, "%s%d indicator%s, band%s", pro || con ? "; " : "", nind, nind == 1 ? "" : "s",
                  nind == 1 ? "" : "s");
        int first = 1;
        for (size_t i = 0; i < svc->nindicators; i++)
            if (svc->indicators[i].def && svc->indicators[i].def->standard == k + 1) {
                html_rawf(b, "%s%d", first ? " " : ", ", o->r->svc[s].band[i]);
                first = 0;
            }
    }
    html_raw(b, "</span>");
}

/* The letter's own words beside the grades they move: each finding once, with the standards
 * it informs and the grade each was given. */
static void letter_row(sr_buf *b, const out_rating *o, size_t s, const ev_finding *f, int cap)
{
    const rp_pack *p = o->pack;
    int pro = f->kind == EV_STRENGTH || f->kind == EV_IMPROVEMENT;
    html_raw(b, "<tr");
    html_attr(b, "data-finding", f->id);
    html_rawf(b, "><td class=\"%s\">", pro ? "for" : "against");
    kind_words(b, (int)f->kind);
    html_raw(b, "</td><td><q>");
    html_txt(b, f->text);
    html_raw(b, "</q></td><td>");
    int any = 0;
    for (int k = 0; k < p->nstandards; k++) {
        if (!finding_informs(o, f, cap, k))
            continue;
        int g = o->r->svc[s].grade[k];
        html_rawf(b, "%s<span class=\"lim b%d\">%d ", any ? " " : "", band_of_word(g, p->grade.nwords), k + 1);
        html_txt(b, word_text(&p->grade, g, "not assessed"));
        html_raw(b, "</span>");
        any = 1;
    }
    html_raw(b, any ? "</td></tr>\n" : "no standard named</td></tr>\n");
}

static void council_letter(sr_buf *b, const out_rating *o)
{
    const rp_pack *p = o->pack;
    html_raw(b, "<h3>What the letter says, and the grades it moves</h3>\n");
    for (size_t s = 0; s < p->nservices; s++) {
        const ev_service *svc = &o->ev->services[s];
        if (!svc->nfindings && !svc->ncapacity)
            continue;
        html_raw(b, "<table class=\"letter\"><thead><tr><th colspan=\"2\">");
        html_txt(b, p->services[s].title);
        html_raw(b, ": the letter's findings</th><th>Standards and grades</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < svc->nfindings; i++)
            letter_row(b, o, s, &svc->findings[i], 0);
        for (size_t i = 0; i < svc->ncapacity; i++)
            letter_row(b, o, s, &svc->capacity_findings[i], 1);
        html_raw(b, "</tbody></table>\n");
    }
}

static void grid_cell(sr_buf *b, const out_rating *o, const rt_service *rs, int k)
{
    const rp_pack *p = o->pack;
    int g = rs->grade[k];
    const tr_node *nd = rs->grade_node[k] >= 0 && (size_t)rs->grade_node[k] < o->r->trace.n
                            ? &o->r->trace.nodes[rs->grade_node[k]] : NULL;
    html_rawf(b, "<td class=\"b%d\" data-standard=\"%d\" data-grade=\"", band_of_word(g, p->grade.nwords), k + 1);
    html_txt(b, rp_word_id(&p->grade, g, NULL));
    html_raw(b, "\"><span class=\"grade\">");
    html_txt(b, g >= 0 ? p->grade.words[g].text : "not assessed");
    html_raw(b, "</span>");
    if (g >= 0)
        html_rawf(b, " <span class=\"src\">%s</span>", rs->grade_given[k] ? "given" : "derived");
    (void)nd;
    grade_basis(b, o, (size_t)(rs - o->r->svc), k);
    html_raw(b, "</td>");
}

static void council_grid(sr_buf *b, const out_rating *o)
{
    const rp_pack *p = o->pack;
    html_raw(b, "<h3>Standards</h3>\n<table class=\"grid\"><thead><tr><th>Service</th>");
    for (int k = 0; k < p->nstandards; k++) {
        html_rawf(b, "<th scope=\"col\"><span class=\"std-no\">%d</span> ", k + 1);
        html_txt(b, p->standards[k].name);
        html_raw(b, "</th>");
    }
    html_raw(b, "</tr></thead><tbody>\n");
    for (size_t s = 0; s < p->nservices; s++) {
        html_raw(b, "<tr><th scope=\"row\">");
        html_txt(b, p->services[s].title);
        html_raw(b, "</th>");
        for (int k = 0; k < p->nstandards; k++)
            grid_cell(b, o, &o->r->svc[s], k);
        html_raw(b, "</tr>\n");
    }
    html_raw(b, "</tbody></table>\n");
}

/* ---- one council: indicators ---------------------------------------------------------- */

/* "5: &ge; 90 · 4: &ge; 85 · ... · 1: otherwise", from the pack's limits. */
static void band_limits(sr_buf *b, const rp_indicator *d)
{
    for (size_t i = 0; i < d->nbands; i++) {
        const rp_band *bd = &d->bands[i];
        html_rawf(b, "<span class=\"lim b%d\">%d: ", bd->band >= 1 && bd->band <= 5 ? bd->band : 0, bd->band);
        if (bd->has_min && bd->has_max) {
            html_num(b, bd->min);
            html_raw(b, "&ndash;");
            html_num(b, bd->max);
        } else {
            html_raw(b, bd->has_min ? "&ge; " : "&le; ");
            html_num(b, bd->has_min ? bd->min : bd->max);
        }
        html_raw(b, "</span> ");
    }
    html_raw(b, "<span class=\"lim b1\">1: otherwise</span>");
}

static void indicator_origin(sr_buf *b, const ev_indicator *ind)
{
    if (ind->band)
        html_raw(b, "published band");
    else
        html_raw(b, "derived from the limits");
    if (ind->origin == EV_ORIGIN_LETTER) {
        html_raw(b, "; value from the letter");
        if (ind->letter_line > 0)
            html_rawf(b, ", line %d", ind->letter_line);
    } else if (ind->origin == EV_ORIGIN_ESTIMATE) {
        html_raw(b, "; value estimated");
    }
}

static void indicator_row(sr_buf *b, const rp_pack *p, size_t s, const ev_indicator *ind, int band)
{
    static const char *const polarity[] = {"higher is better", "lower is better", "a middle range is best"};
    const rp_indicator *d = ind->def;
    html_rawf(b, "<tr data-indicator=\"");
    html_txt(b, ind->code);
    html_rawf(b, "\" data-band=\"%d\"><td>", band);
    html_txt(b, p->services[s].title);
    html_raw(b, "</td><td><code>");
    html_txt(b, ind->code);
    html_raw(b, "</code></td><td>");
    html_txt(b, d->name);
    html_rawf(b, "</td><td class=\"c\">%d</td><td class=\"n\">", d->standard);
    if (ind->has_value) html_num(b, ind->value); else html_raw(b, "&mdash;");
    html_raw(b, " <span class=\"unit\">");
    html_txt(b, d->unit);
    html_raw(b, "</span></td><td class=\"n\">");
    if (ind->has_previous) html_num(b, ind->previous); else html_raw(b, "&mdash;");
    html_rawf(b, "</td><td class=\"b%d c\"><strong>%d</strong></td><td class=\"limits\">", band, band);
    band_limits(b, d);
    html_rawf(b, "<br><span class=\"pol\">%s</span> ", polarity[d->polarity <= RP_RANGE ? d->polarity : 0]);
    prov_phrase(b, &d->prov);
    html_raw(b, "</td><td>");
    indicator_origin(b, ind);
    html_raw(b, "</td></tr>\n");
}

static void council_indicators(sr_buf *b, const out_rating *o)
{
    const rp_pack *p = o->pack;
    size_t total = 0;
    for (size_t s = 0; s < p->nservices; s++)
        total += o->ev->services[s].nindicators;
    html_raw(b, "<h3>Indicators</h3>\n");
    if (total == 0) {
        html_raw(b, "<p class=\"none\">The evidence gives no indicator values.</p>\n");
        return;
    }
    html_raw(b, "<table class=\"indicators\"><thead><tr><th>Service</th><th>Code</th>"
                   "<th>Indicator</th><th>Standard</th><th>Value</th><th>Previous</th><th>Band</th>"
                   "<th>Band limits</th><th>Source</th></tr></thead><tbody>\n");
    for (size_t s = 0; s < p->nservices; s++) {
        const ev_service *svc = &o->ev->services[s];
        for (size_t i = 0; i < svc->nindicators; i++)
            indicator_row(b, p, s, &svc->indicators[i], o->r->svc[s].band[i]);
    }
    html_raw(b, "</tbody></table>\n");
}

/* ---- one council: key thresholds ------------------------------------------------------ */

static void cap_compared(sr_buf *b, const tr_node *nd)
{
    const tr_input *in = nd->inputs;
    if (in) {
        html_txt(b, in->name);
        html_raw(b, ": ");
        html_txt(b, in->value);
    }
    for (const tr_compare *c = nd->cmps; c; c = c->next) {
        html_raw(b, "<br>");
        html_txt(b, c->value);
        html_raw(b, " ");
        html_txt(b, tr_op_words[c->op]);
        html_raw(b, " ");
        html_txt(b, c->limit);
        html_raw(b, c->met ? ": holds" : ": does not hold");
    }
}

static const rp_cap *cap_of(const rp_pack *p, const char *id)
{
    for (size_t i = 0; id && i < p->ncaps; i++)
        if (strcmp(p->caps[i].id, id) == 0)
            return &p->caps[i];
    return NULL;
}

/* The result in bold, then the node's sentence, which usually starts with the result. */
static void cap_result(sr_buf *b, const tr_node *nd)
{
    const char *out = tr_output(nd) ? tr_output(nd) : "not evaluated", *text = nd->text ? nd->text : "";
    size_t n = strlen(out);
    html_raw(b, "<strong>");
    html_txt(b, out);
    html_raw(b, "</strong>");
    if (strncmp(text, out, n) == 0)
        text += n;
    else if (*text)
        html_raw(b, ": ");
    html_txt(b, text);
}

static void cap_row(sr_buf *b, const rp_pack *p, const tr_node *nd)
{
    const rp_cap *cap = cap_of(p, nd->rule);
    int fired = tr_caps(nd);
    html_rawf(b, "<tr class=\"%s\" data-cap=\"", fired ? "fired" : "quiet");
    html_txt(b, nd->rule);
    html_raw(b, "\"><td>");
    html_txt(b, cap ? p->services[cap->service].title : nd->subject);
    html_raw(b, "</td><td>");
    if (cap)
        html_txt(b, cap->judgement ? p->capacity.name : p->serving.name);
    html_raw(b, "</td><td>");
    if (cap && cap->sentence) {
        html_txt(b, cap->sentence);
    } else {
        html_raw(b, "<code>");
        html_txt(b, nd->rule);
        html_raw(b, "</code>");
    }
    html_raw(b, "</td><td class=\"result\">");
    cap_result(b, nd);
    html_raw(b, "</td><td>");
    cap_compared(b, nd);
    html_raw(b, "</td><td>");
    if (cap)
        prov_phrase(b, &cap->prov);
    html_raw(b, " <span class=\"where\">");
    pack_path(b, p, nd->file, nd->line);
    html_raw(b, "</span></td></tr>\n");
}

static int cap_evaluated(const tr_node *nd)
{
    const char *out = tr_output(nd);
    return out && strcmp(out, "not evaluated") != 0;
}

/* The key thresholds the evidence gave nothing to check, on one line: what each would need. */
static void caps_unchecked(sr_buf *b, const rp_pack *p, const tr_trace *t, size_t n)
{
    html_rawf(b, "<p class=\"unchecked\">%zu key threshold%s not checked, the evidence does not say: ",
              n, n == 1 ? "" : "s");
    size_t done = 0;
    for (size_t i = 0; i < t->n; i++) {
        const tr_node *nd = &t->nodes[i];
        if (nd->kind != TR_CAP || cap_evaluated(nd))
            continue;
        const rp_cap *cap = cap_of(p, nd->rule);
        html_raw(b, done++ ? "; " : "");
        if (cap) {
            html_txt(b, p->services[cap->service].title);
            html_raw(b, ", ");
        }
        const char *what = nd->inputs ? nd->inputs->name : nd->rule;
        const rp_indicator *d = what ? rp_indicator_find(p, what) : NULL;
        html_txt(b, d ? d->name : what);
    }
    html_raw(b, ".</p>\n");
}

static void council_caps(sr_buf *b, const out_rating *o)
{
    const tr_trace *t = &o->r->trace;
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        n += t->nodes[i].kind == TR_CAP;
    html_raw(b, "<h3>Key thresholds</h3>\n");
    if (n == 0) {
        html_raw(b, "<p class=\"none\">No key threshold was checked.</p>\n");
        return;
    }
    size_t checked = 0;
    for (size_t i = 0; i < t->n; i++)
        checked += t->nodes[i].kind == TR_CAP && cap_evaluated(&t->nodes[i]);
    if (checked) {
        html_raw(b, "<table class=\"caps\"><thead><tr><th>Service</th><th>Judgement</th>"
                       "<th>Threshold</th><th>Result</th><th>Compared</th><th>Source</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < t->n; i++)
            if (t->nodes[i].kind == TR_CAP && cap_evaluated(&t->nodes[i]))
                cap_row(b, o->pack, &t->nodes[i]);
        html_raw(b, "</tbody></table>\n");
    }
    if (checked < n)
        caps_unchecked(b, o->pack, t, n - checked);
}

/* ---- one council ---------------------------------------------------------------------- */

static void council_audit(sr_buf *b, const out_rating *o)
{
    html_raw(b, "<p class=\"audit\">Evidence <code>");
    html_txt(b, evidence_name(o->ev->path));
    html_raw(b, "</code> (sha256 <code>");
    html_txt(b, o->ev->sha256);
    html_raw(b, "</code>); rules ");
    html_txt(b, o->pack->name);
    html_raw(b, " ");
    html_txt(b, o->pack->version);
    html_raw(b, " (sha256 <code>");
    html_txt(b, o->pack->sha256);
    html_raw(b, "</code>). The full derivation, with the weighing of each grade: <code>starrate explain ");
    html_txt(b, evidence_name(o->ev->path));
    html_raw(b, "</code>.</p>\n");
}

/* A rating built from a letter the import could not fully read says so, in red. */
static void council_caveat(sr_buf *b, const out_rating *o)
{
    if (!ev_import_doubtful(o->ev))
        return;
    sr_buf msg;
    sr_buf_init(&msg);
    out_caveat(&msg, o->ev);
    html_raw(b, "<p class=\"caveat\" role=\"alert\"><strong>Caveat:</strong> ");
    html_txt(b, msg.oom || !msg.data ? "" : msg.data);
    html_raw(b, ".</p>\n");
    sr_buf_free(&msg);
}

/* The words of the page that must stay, once. */
static void council_glossary(sr_buf *b)
{
    html_raw(b, "<p class=\"glossary\"><strong>Words used:</strong> <em>given</em>, stated in the "
                "evidence as published; <em>derived</em>, worked out by the rules from the letter's "
                "findings and the indicators; <em>band</em>, the performance band of an indicator, "
                "5 best to 1 worst; <em>key threshold</em>, a condition that holds a judgement down "
                "whatever the findings; <em>documented</em> and <em>reconstructed</em>, whether a "
                "rule rests on a published source or on this project's reading of incomplete "
                "evidence.</p>\n");
}

/* `sure`: the "How sure" HTML (report_how_sure), on the first page; NULL for none. */
static int council_section(sr_buf *b, const out_rating *o, int index, const char *sure,
                           sr_error *e)
{
    html_rawf(b, "<section class=\"council\" id=\"council-%d\" data-council=\"", index + 1);
    html_txt(b, o->ev->council);
    html_raw(b, "\" data-stars=\"");
    if (o->r->stars >= 0)
        html_rawf(b, "%d", o->r->stars);
    html_raw(b, "\" data-rule=\"");
    if (o->r->rule >= 0)
        html_txt(b, o->pack->star_rules[o->r->rule].id);
    html_raw(b, "\"");
    html_attr(b, "data-ruleset", o->pack->name);
    html_raw(b, ">\n<h2>");
    html_txt(b, o->ev->council);
    html_raw(b, " <span class=\"round\">&middot; ");
    round_label(b, o->ev->year, o->ev->round);
    html_raw(b, "</span></h2>\n");
    /* The first page stands alone: the rating, the judgements, why, and what would move it. */
    html_raw(b, "<div class=\"first\">\n");
    council_stars(b, o);
    council_rule(b, o);
    council_published(b, o);
    council_caveat(b, o);
    council_judgements(b, o);
    if (sure)
        html_raw(b, sure);
    council_why(b, o);
    int rc = council_seek(b, o, 0, e);
    if (rc == SR_OK)
        rc = council_seek(b, o, 1, e);
    if (rc != SR_OK)
        return rc;
    html_raw(b, "</div>\n<div class=\"detail\">\n<h3 class=\"detail\">The detail</h3>\n");
    council_rule_source(b, o);
    council_grid(b, o);
    council_letter(b, o);
    council_indicators(b, o);
    council_caps(b, o);
    council_glossary(b);
    council_audit(b, o);
    html_raw(b, "</div>\n</section>\n");
    return SR_OK;
}

/* ---- many councils: league table ------------------------------------------------------ */

/* Most stars first; an unsettled rating last; then by name, then by input order, so the
 * table is the same on every run. */
static int league_cmp(const void *a, const void *b)
{
    const hr_row *x = a, *y = b;
    if (x->stars != y->stars)
        return y->stars - x->stars;
    int c = strcmp(x->council, y->council);
    return c ? c : x->index - y->index;
}

static void league_pair(sr_buf *b, const hr_row *r, size_t s)
{
    const rp_pack *p = r->pack;
    int sv = r->serving[s], cp = r->capacity[s];
    html_rawf(b, "<td class=\"b%d\">", band_of_word(sv, p->serving.nwords));
    html_txt(b, sv >= 0 ? p->serving.words[sv].id : "?");
    html_rawf(b, "</td><td class=\"b%d\">", band_of_word(cp, p->capacity.nwords));
    html_txt(b, cp >= 0 ? p->capacity.words[cp].id : "?");
    html_raw(b, "</td>");
}

static void league_row(sr_buf *b, const hr_row *r, size_t pos, const rp_pack *first)
{
    const rp_pack *p = r->pack;
    html_rawf(b, "<tr data-council=\"");
    html_txt(b, r->council);
    html_rawf(b, "\"><td class=\"c\">%zu</td><td><a href=\"#council-%d\">", pos, r->index + 1);
    html_txt(b, r->council);
    html_raw(b, "</a></td><td>");
    round_label(b, r->year, r->round);
    html_raw(b, "</td>");
    for (size_t fs = 0; fs < first->nservices; fs++) {
        int s = rp_service_index(p, first->services[fs].id);
        if (s >= 0)
            league_pair(b, r, (size_t)s);
        else
            html_raw(b, "<td></td><td></td>");
    }
    int band = r->stars >= 0 ? band_of_word(r->stars - p->rating_min, (size_t)(p->rating_max - p->rating_min + 1)) : 0;
    html_rawf(b, "<td class=\"b%d c\"><strong>", band);
    if (r->stars >= 0) html_rawf(b, "%d", r->stars); else html_raw(b, "?");
    /* The star table's sentence for the row, not its id: the id is a word of the rule pack. */
    html_raw(b, "</strong></td><td class=\"why\"");
    if (r->rule >= 0)
        html_attr(b, "data-rule", p->star_rules[r->rule].id);
    html_raw(b, ">");
    html_txt(b, r->rule >= 0 ? p->star_rules[r->rule].sentence : "");
    html_raw(b, "</td><td class=\"c\">");
    if (r->pub_stars < 0)
        html_raw(b, "&mdash;");
    else
        html_rawf(b, "%d%s", r->pub_stars, r->stars < 0 ? "" : r->stars == r->pub_stars ? " (agrees)" : " (differs)");
    html_raw(b, "</td></tr>\n");
}

static void league_table(sr_buf *b, hr_row *rows, size_t n)
{
    const rp_pack *first = rows[0].pack;
    html_raw(b, "<h2>League table</h2>\n<table class=\"league\"><thead><tr><th>#</th>"
                   "<th>Council</th><th>Round</th>");
    for (size_t s = 0; s < first->nservices; s++) {
        html_raw(b, "<th>");
        html_txt(b, first->services[s].title);
        html_raw(b, ": serving</th><th>");
        html_txt(b, first->services[s].title);
        html_raw(b, ": capacity</th>");
    }
    html_raw(b, "<th>Stars</th><th>Why</th><th>Published</th></tr></thead><tbody>\n");
    qsort(rows, n, sizeof *rows, league_cmp);
    for (size_t i = 0; i < n; i++)
        league_row(b, &rows[i], i + 1, first);
    html_raw(b, "</tbody></table>\n");
}

/* ---- many councils: counts and charts ------------------------------------------------- */

typedef struct hr_counts {
    int lo, hi;
    long stars[32];       /* [stars - lo] */
    long open;            /* ratings left unsettled */
    /* [service of the first pack][0 serving, 1 capacity][word + 1]: index 0 counts
     * insufficient evidence */
    long words[RP_MAX_SERVICES][2][33];
} hr_counts;

/* Judgements are counted by word id against the first council's pack, so councils rated
 * with different packs of the same scales add up. */
static void count_row(hr_counts *c, const rp_pack *first, const hr_row *r)
{
    const rp_pack *p = r->pack;
    if (r->stars >= c->lo && r->stars <= c->hi)
        c->stars[r->stars - c->lo]++;
    else
        c->open++;
    for (size_t fs = 0; fs < first->nservices; fs++) {
        int s = rp_service_index(p, first->services[fs].id);
        if (s < 0)
            continue;
        int sv = r->serving[s] >= 0 ? rp_word_index(&first->serving, p->serving.words[r->serving[s]].id) : -1;
        int cp = r->capacity[s] >= 0 ? rp_word_index(&first->capacity, p->capacity.words[r->capacity[s]].id) : -1;
        /* A word the first pack does not know is left out rather than counted as missing. */
        if ((sv >= 0 || r->serving[s] < 0) && sv < 32) c->words[fs][0][sv + 1]++;
        if ((cp >= 0 || r->capacity[s] < 0) && cp < 32) c->words[fs][1][cp + 1]++;
    }
}

static void count_all(hr_counts *c, const hr_row *rows, size_t n)
{
    memset(c, 0, sizeof *c);
    c->lo = rows[0].pack->rating_min;
    c->hi = rows[0].pack->rating_max;
    for (size_t i = 1; i < n; i++) {
        c->lo = rows[i].pack->rating_min < c->lo ? rows[i].pack->rating_min : c->lo;
        c->hi = rows[i].pack->rating_max > c->hi ? rows[i].pack->rating_max : c->hi;
    }
    if (c->hi - c->lo > 31)
        c->hi = c->lo + 31;
    for (size_t i = 0; i < n; i++)
        count_row(c, rows[0].pack, &rows[i]);
}

/* A vertical bar per star level; heights in whole pixels so the output is byte-stable. */
static void stars_chart(sr_buf *b, const hr_counts *c, const rp_pack *p)
{
    int levels = c->hi - c->lo + 1 + (c->open > 0);
    long max = 1;
    for (int k = 0; k <= c->hi - c->lo; k++)
        max = c->stars[k] > max ? c->stars[k] : max;
    max = c->open > max ? c->open : max;
    int w = 60 + levels * 70, h = 220;
    html_rawf(b, "<figure><svg class=\"chart\" role=\"img\" width=\"%d\" height=\"%d\" "
                     "viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\"><title>Councils by ",
                  w, h, w, h);
    html_txt(b, p->rating_unit);
    html_raw(b, "</title>\n");
    html_rawf(b, "<line x1=\"40\" y1=\"180\" x2=\"%d\" y2=\"180\" stroke=\"#444\"/>\n", w - 10);
    for (int i = 0; i < levels; i++) {
        int is_open = i > c->hi - c->lo;
        long v = is_open ? c->open : c->stars[i];
        int bh = (int)(v * 150 / max), x = 50 + i * 70;
        int band = is_open ? 0 : band_of_word(i, (size_t)(c->hi - c->lo + 1));
        html_rawf(b, "<rect class=\"b%d\" x=\"%d\" y=\"%d\" width=\"50\" height=\"%d\"/>"
                         "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%ld</text>"
                         "<text x=\"%d\" y=\"200\" text-anchor=\"middle\">",
                      band, x, 180 - bh, bh, x + 25, 174 - bh, v, x + 25);
        if (is_open) html_raw(b, "open"); else html_rawf(b, "%d", c->lo + i);
        html_raw(b, "</text>\n");
    }
    html_raw(b, "</svg><figcaption>Councils at each level of the rating (");
    html_txt(b, p->rating_unit);
    html_raw(b, ")</figcaption></figure>\n");
}

static void judgement_bar(sr_buf *b, const long *counts, const rp_scale *sc, long total, int y)
{
    int x = 10;
    for (size_t k = 0; k <= sc->nwords && k < 33; k++) {
        long v = counts[k];
        if (v == 0)
            continue;
        int width = (int)(v * 600 / (total ? total : 1));
        int band = k == 0 ? 0 : band_of_word((int)k - 1, sc->nwords);
        html_rawf(b, "<rect class=\"b%d\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"22\"><title>", band, x, y, width);
        html_txt(b, k == 0 ? "insufficient evidence" : sc->words[k - 1].id);
        html_rawf(b, ": %ld</title></rect>", v);
        if (width >= 16)
            html_rawf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%ld</text>", x + width / 2, y + 16, v);
        x += width;
    }
    html_raw(b, "\n");
}

/* The legend pairs the words of both judgement scales by rank, as the bars do. */
static void judgements_legend(sr_buf *b, const rp_pack *p, int y)
{
    int x = 10;
    for (size_t k = 0; k < p->serving.nwords; k++, x += 150) {
        html_rawf(b, "<rect class=\"b%d\" x=\"%d\" y=\"%d\" width=\"14\" height=\"14\"/><text x=\"%d\" y=\"%d\">",
                      band_of_word((int)k, p->serving.nwords), x, y, x + 18, y + 12);
        html_txt(b, p->serving.words[k].id);
        html_raw(b, " / ");
        html_txt(b, k < p->capacity.nwords ? p->capacity.words[k].id : "");
        html_raw(b, "</text>");
    }
    html_raw(b, "\n");
}

/* One stacked bar per service and judgement, worst word left, coloured like the grid; the
 * label sits above its bar so long service and judgement names are never cut. */
static void judgements_chart(sr_buf *b, const hr_counts *c, const rp_pack *p, long total)
{
    int rows = (int)p->nservices * 2, h = rows * 46 + 36;
    html_rawf(b, "<figure><svg class=\"chart\" role=\"img\" width=\"640\" height=\"%d\" viewBox=\"0 0 640 %d\" "
                     "xmlns=\"http://www.w3.org/2000/svg\"><title>Councils at each judgement level</title>\n", h, h);
    int y = 4;
    for (size_t s = 0; s < p->nservices; s++)
        for (int j = 0; j < 2; j++, y += 46) {
            const rp_scale *sc = j ? &p->capacity : &p->serving;
            html_rawf(b, "<text x=\"10\" y=\"%d\">", y + 12);
            html_txt(b, p->services[s].title);
            html_raw(b, ": ");
            html_txt(b, sc->name);
            html_raw(b, "</text>");
            judgement_bar(b, c->words[s][j], sc, total, y + 18);
        }
    judgements_legend(b, p, y + 6);
    html_raw(b, "</svg><figcaption>Councils at each judgement level, worst on the left</figcaption></figure>\n");
}

static void stars_counts(sr_buf *b, const hr_counts *c, const rp_pack *p)
{
    html_raw(b, "<table class=\"counts\"><thead><tr><th>Rating</th>");
    for (int k = c->lo; k <= c->hi; k++) {
        html_raw(b, "<th>");
        stars_phrase(b, p, k);
        html_raw(b, "</th>");
    }
    html_raw(b, c->open ? "<th>not settled</th></tr></thead><tbody><tr><th scope=\"row\">Councils</th>"
                           : "</tr></thead><tbody><tr><th scope=\"row\">Councils</th>");
    for (int k = c->lo; k <= c->hi; k++)
        html_rawf(b, "<td class=\"n b%d\" data-level=\"%d\" data-count=\"%ld\">%ld</td>",
                      band_of_word(k - c->lo, (size_t)(c->hi - c->lo + 1)), k, c->stars[k - c->lo],
                      c->stars[k - c->lo]);
    if (c->open)
        html_rawf(b, "<td class=\"n b0\" data-level=\"open\" data-count=\"%ld\">%ld</td>", c->open, c->open);
    html_raw(b, "</tr></tbody></table>\n");
}

/* One row per service and judgement, one cell per level, worst first. */
static void judgement_counts(sr_buf *b, const hr_counts *c, const rp_pack *p)
{
    html_raw(b, "<table class=\"counts\"><thead><tr><th>Judgement</th><th colspan=\"");
    html_rawf(b, "%zu\">Councils at each level, worst first</th><th>insufficient evidence</th></tr></thead><tbody>\n",
                  p->serving.nwords > p->capacity.nwords ? p->serving.nwords : p->capacity.nwords);
    for (size_t s = 0; s < p->nservices; s++)
        for (int j = 0; j < 2; j++) {
            const rp_scale *sc = j ? &p->capacity : &p->serving;
            html_raw(b, "<tr><th scope=\"row\">");
            html_txt(b, p->services[s].title);
            html_raw(b, ": ");
            html_txt(b, sc->name);
            html_raw(b, "</th>");
            for (size_t k = 0; k < sc->nwords && k < 32; k++) {
                html_rawf(b, "<td class=\"b%d\">", band_of_word((int)k, sc->nwords));
                html_txt(b, sc->words[k].id);
                html_rawf(b, " <strong>%ld</strong></td>", c->words[s][j][k + 1]);
            }
            html_rawf(b, "<td class=\"n\">%ld</td></tr>\n", c->words[s][j][0]);
        }
    html_raw(b, "</tbody></table>\n");
}

static void summary_section(sr_buf *b, hr_row *rows, size_t n)
{
    hr_counts c;
    html_rawf(b, "<section class=\"summary\" id=\"summary\" data-councils=\"%zu\">\n", n);
    league_table(b, rows, n);
    count_all(&c, rows, n);
    html_raw(b, "<h2>How many councils at each level</h2>\n<div class=\"charts\">\n");
    stars_chart(b, &c, rows[0].pack);
    judgements_chart(b, &c, rows[0].pack, (long)n);
    html_raw(b, "</div>\n");
    stars_counts(b, &c, rows[0].pack);
    judgement_counts(b, &c, rows[0].pack);
    html_raw(b, "</section>\n");
}

/* ---- what if: the council beside each scenario ---------------------------------------- */

/* The baseline and one scenario of the same council. Both were evaluated with the trace on,
 * so each value has its node; what counts as a change is whatif's own test on those nodes
 * (cmp_node_differs), so the page marks exactly what `whatif` lists as a difference. */
typedef struct hr_pair {
    const rp_pack *p;
    const ev_evidence *ev_a, *ev_b; /* baseline and scenario evidence */
    const rt_result *a, *b;
    size_t changed;                 /* scenario cells marked so far */
} hr_pair;

static const tr_node *node_at(const rt_result *r, int i)
{
    return i >= 0 && (size_t)i < r->trace.n ? &r->trace.nodes[i] : NULL;
}

/* Which way a value moved on a scale where more is better; 0 when either side has no value
 * (`none`), since "insufficient evidence" is neither better nor worse than a word. */
static int delta_of(int before, int after, int none)
{
    if (before == none || after == none)
        return 0;
    return (after > before) - (after < before);
}

/* data-subject is the trace subject ("SERVICE.serving", "SERVICE.standard.3", "stars"), the
 * same name whatif's output gives the difference. */
static void row_open(sr_buf *b, const char *sid, const char *kind, const char *tail)
{
    html_raw(b, "<tr data-subject=\"");
    if (sid) {
        html_txt(b, sid);
        html_raw(b, ".");
    }
    html_txt(b, kind);
    if (tail) {
        html_raw(b, ".");
        html_txt(b, tail);
    }
    html_raw(b, "\"><th scope=\"row\">");
}

/* band < 0: a cell without a traffic-light colour (the rule). */
static void cell_open(sr_buf *b, int band, const char *value, int changed)
{
    html_raw(b, "<td");
    if (band >= 0 || changed) {
        html_raw(b, " class=\"");
        if (band >= 0)
            html_rawf(b, "b%d", band);
        html_raw(b, changed ? (band >= 0 ? " changed" : "changed") : "");
        html_raw(b, "\"");
    }
    html_raw(b, " data-value=\"");
    html_txt(b, value);
    html_raw(b, changed ? "\" data-changed=\"1\">" : "\">");
}

/* The direction is also written out, so the mark survives a black-and-white printout. */
static void cell_close(hr_pair *x, sr_buf *b, int changed, int delta)
{
    if (changed) {
        x->changed++;
        html_rawf(b, "<br><span class=\"delta\">%s</span>",
                      delta > 0 ? "&#9650; better" : delta < 0 ? "&#9660; worse" : "&#9670; changed");
    }
    html_raw(b, "</td>");
}

/* Why a changed value has no rule: the scenario stated it (a changed given value can only
 * come from the scenario), took it out (no node), or left too little to decide it. */
static void flip_without_rule(sr_buf *b, const tr_node *nd)
{
    html_raw(b, "<td class=\"flip\">");
    if (!nd) {
        html_raw(b, "taken out by the scenario");
    } else if (nd->source == TR_GIVEN) {
        html_raw(b, "given by the scenario, no rule");
    } else {
        html_raw(b, "no rule decides it");
        if (nd->text) {
            html_raw(b, ": ");
            html_txt(b, nd->text);
        }
    }
    html_raw(b, "</td>");
}

/* The rule that gave a changed value, from the scenario's trace node: id, provenance and
 * where it is written. */
static void flip_cell(sr_buf *b, const tr_node *nd, int changed)
{
    if (!changed) {
        html_raw(b, "<td class=\"flip\"></td>");
        return;
    }
    if (!nd || !nd->rule) {
        flip_without_rule(b, nd);
        return;
    }
    html_raw(b, "<td class=\"flip\"");
    html_attr(b, "data-rule", nd->rule);
    html_raw(b, "><code class=\"rule-id\">");
    html_txt(b, nd->rule);
    html_raw(b, "</code> ");
    prov_label(b, nd->provenance == TR_PROV_RECONSTRUCTED);
    html_raw(b, " <span class=\"where\">");
    html_txt(b, nd->file);
    html_rawf(b, ":%d</span></td>", nd->line);
}

static void stars_cell(hr_pair *x, sr_buf *b, const rt_result *r, int changed, int delta)
{
    const rp_pack *p = x->p;
    char v[16] = "";
    if (r->stars >= 0)
        snprintf(v, sizeof v, "%d", r->stars);
    int band = r->stars >= 0 ? band_of_word(r->stars - p->rating_min, (size_t)(p->rating_max - p->rating_min + 1)) : 0;
    cell_open(b, band, v, changed);
    if (r->stars >= 0)
        stars_phrase(b, p, r->stars);
    else
        html_raw(b, "not settled");
    cell_close(x, b, changed, delta);
}

static void rule_cell(hr_pair *x, sr_buf *b, const rt_result *r, int changed)
{
    const rp_star_rule *sr = r->rule >= 0 ? &x->p->star_rules[r->rule] : NULL;
    cell_open(b, -1, sr ? sr->id : "", changed);
    if (sr) {
        html_raw(b, "<code class=\"rule-id\">");
        html_txt(b, sr->id);
        html_raw(b, "</code><br><span class=\"why\">");
        html_txt(b, sr->sentence);
        html_raw(b, "</span>");
    } else {
        html_raw(b, "several rules: the missing judgements decide");
    }
    cell_close(x, b, changed, 0);
}

static void pair_rating(hr_pair *x, sr_buf *b)
{
    const tr_node *nb = node_at(x->b, x->b->star_node);
    int changed = x->a->stars != x->b->stars || cmp_node_differs(node_at(x->a, x->a->star_node), nb);
    html_raw(b, "<tbody class=\"rating\">\n");
    row_open(b, NULL, "stars", NULL);
    html_raw(b, "Rating</th>");
    stars_cell(x, b, x->a, 0, 0);
    stars_cell(x, b, x->b, changed, delta_of(x->a->stars, x->b->stars, -1));
    flip_cell(b, nb, changed);
    html_raw(b, "</tr>\n");
    /* A different row of the star table can give the same stars: its own row, its own mark. */
    int rule_changed = x->a->rule != x->b->rule;
    row_open(b, NULL, "stars", "rule");
    html_raw(b, "Star rule</th>");
    rule_cell(x, b, x->a, 0);
    rule_cell(x, b, x->b, rule_changed);
    flip_cell(b, nb, rule_changed);
    html_raw(b, "</tr>\n</tbody>\n");
}

/* A judgement or a grade as one side of the table shows it. */
typedef struct hr_word {
    int word;            /* word index, -1 none */
    int given;
    int uncapped;        /* the word before key thresholds; -1 where none apply (grades) */
    const tr_node *node;
} hr_word;

static hr_word judgement_of(const rt_result *r, size_t s, int capacity)
{
    const rt_service *rs = &r->svc[s];
    hr_word w = {capacity ? rs->capacity : rs->serving, capacity ? rs->capacity_given : rs->serving_given,
                 capacity ? rs->capacity_uncapped : rs->serving_uncapped,
                 node_at(r, capacity ? rs->capacity_node : rs->serving_node)};
    return w;
}

static hr_word grade_of(const rt_result *r, size_t s, int k)
{
    const rt_service *rs = &r->svc[s];
    hr_word w = {rs->grade[k], rs->grade_given[k], -1, node_at(r, rs->grade_node[k])};
    return w;
}

/* The word, given or derived, and a cap that lowered it. */
static void word_cell(hr_pair *x, sr_buf *b, const rp_scale *sc, const hr_word *w, const char *none,
                      int changed, int delta)
{
    cell_open(b, band_of_word(w->word, sc->nwords), w->word >= 0 ? sc->words[w->word].id : "", changed);
    html_txt(b, w->word >= 0 ? sc->words[w->word].text : none);
    if (w->word >= 0)
        html_rawf(b, " <span class=\"src\">%s</span>", w->given ? "given" : "derived");
    if (w->word >= 0 && w->uncapped > w->word) {
        html_raw(b, "<br><span class=\"capped\">capped from ");
        html_txt(b, sc->words[w->uncapped].id);
        html_raw(b, "</span>");
    }
    cell_close(x, b, changed, delta);
}

/* The cells of a word-valued row, baseline wa and scenario wb; the caller wrote its head. */
static void word_row(hr_pair *x, sr_buf *b, const rp_scale *sc, const hr_word *wa, const hr_word *wb,
                     const char *none)
{
    int changed = wa->word != wb->word || wa->given != wb->given || cmp_node_differs(wa->node, wb->node);
    word_cell(x, b, sc, wa, none, 0, 0);
    word_cell(x, b, sc, wb, none, changed, delta_of(wa->word, wb->word, -1));
    flip_cell(b, wb->node, changed);
    html_raw(b, "</tr>\n");
}

static void judgement_pair(hr_pair *x, sr_buf *b, size_t s, int capacity)
{
    const rp_scale *sc = capacity ? &x->p->capacity : &x->p->serving;
    hr_word wa = judgement_of(x->a, s, capacity), wb = judgement_of(x->b, s, capacity);
    row_open(b, x->p->services[s].id, capacity ? "capacity" : "serving", NULL);
    html_txt(b, sc->name);
    html_raw(b, "</th>");
    word_row(x, b, sc, &wa, &wb, "insufficient evidence");
}

static void grade_pair(hr_pair *x, sr_buf *b, size_t s, int k)
{
    hr_word wa = grade_of(x->a, s, k), wb = grade_of(x->b, s, k);
    char number[16];
    snprintf(number, sizeof number, "%d", k + 1);
    row_open(b, x->p->services[s].id, "standard", number);
    html_rawf(b, "<span class=\"std-no\">%d</span> ", k + 1);
    html_txt(b, x->p->standards[k].name);
    html_raw(b, "</th>");
    word_row(x, b, &x->p->grade, &wa, &wb, "not assessed");
}

static void pair_service(hr_pair *x, sr_buf *b, size_t s)
{
    html_raw(b, "<tbody");
    html_attr(b, "data-service", x->p->services[s].id);
    html_raw(b, "><tr class=\"group\"><th colspan=\"4\" scope=\"rowgroup\">");
    html_txt(b, x->p->services[s].title);
    html_raw(b, "</th></tr>\n");
    judgement_pair(x, b, s, 0);
    judgement_pair(x, b, s, 1);
    for (int k = 0; k < x->p->nstandards; k++)
        grade_pair(x, b, s, k);
    html_raw(b, "</tbody>\n");
}

static void band_cell(hr_pair *x, sr_buf *b, const ev_indicator *ind, int band, int changed, int delta)
{
    char v[16] = "";
    if (ind && band > 0)
        snprintf(v, sizeof v, "%d", band);
    cell_open(b, ind && band >= 1 && band <= 5 ? band : 0, v, changed);
    if (!ind) {
        html_raw(b, "not in the evidence");
    } else {
        html_rawf(b, "band <strong>%d</strong>", band);
        if (ind->has_value) {
            html_raw(b, " <span class=\"unit\">(");
            html_num(b, ind->value);
            html_raw(b, " ");
            html_txt(b, ind->def->unit);
            html_raw(b, ")</span>");
        }
    }
    cell_close(x, b, changed, delta);
}

/* One indicator, by its index in the baseline (ia) and the scenario (ib), -1 where it is
 * absent; a row only when its band step differs. Returns whether it wrote one. */
static int band_pair(hr_pair *x, sr_buf *b, size_t s, int ia, int ib)
{
    const ev_indicator *inda = ia >= 0 ? &x->ev_a->services[s].indicators[ia] : NULL;
    const ev_indicator *indb = ib >= 0 ? &x->ev_b->services[s].indicators[ib] : NULL;
    int banda = inda ? x->a->svc[s].band[ia] : 0, bandb = indb ? x->b->svc[s].band[ib] : 0;
    const tr_node *na = inda ? node_at(x->a, x->a->svc[s].band_node[ia]) : NULL;
    const tr_node *nb = indb ? node_at(x->b, x->b->svc[s].band_node[ib]) : NULL;
    if (banda == bandb && !inda == !indb && !cmp_node_differs(na, nb))
        return 0;
    const ev_indicator *any = indb ? indb : inda;
    row_open(b, x->p->services[s].id, "indicator", any->code);
    html_txt(b, x->p->services[s].title);
    html_raw(b, ": <code>");
    html_txt(b, any->code);
    html_raw(b, "</code> ");
    html_txt(b, any->def->name);
    html_raw(b, "</th>");
    band_cell(x, b, inda, banda, 0, 0);
    band_cell(x, b, indb, bandb, 1, delta_of(banda, bandb, 0));
    flip_cell(b, nb, 1);
    html_raw(b, "</tr>\n");
    return 1;
}

/* Only the bands that moved: the scenario's indicators in its order, then those it took out. */
static void pair_bands(hr_pair *x, sr_buf *b)
{
    size_t n = 0;
    html_raw(b, "<tbody class=\"bands\"><tr class=\"group\"><th colspan=\"4\" scope=\"rowgroup\">"
                   "Indicator bands that changed</th></tr>\n");
    for (size_t s = 0; s < x->p->nservices; s++) {
        const ev_service *sa = &x->ev_a->services[s], *sb = &x->ev_b->services[s];
        for (size_t i = 0; i < sb->nindicators; i++)
            n += band_pair(x, b, s, ev_indicator_index(&x->ev_a->services[s], sb->indicators[i].code), (int)i);
        for (size_t i = 0; i < sa->nindicators; i++)
            if (ev_indicator_index(&x->ev_b->services[s], sa->indicators[i].code) < 0)
                n += band_pair(x, b, s, (int)i, -1);
    }
    if (n == 0)
        html_raw(b, "<tr><td colspan=\"4\" class=\"none\">No indicator changes band.</td></tr>\n");
    html_raw(b, "</tbody>\n");
}

static void pair_table(hr_pair *x, sr_buf *b)
{
    html_raw(b, "<table class=\"sxs\"><thead><tr><th></th><th scope=\"col\">Baseline</th>"
                   "<th scope=\"col\">Scenario</th><th scope=\"col\">Rule that gave the changed value</th>"
                   "</tr></thead>\n");
    pair_rating(x, b);
    for (size_t s = 0; s < x->p->nservices; s++)
        pair_service(x, b, s);
    pair_bands(x, b);
    html_raw(b, "</table>\n");
}

/* The changes as whatif's text lists them: sc_change_describe, then where it is written. */
static void scenario_changes(sr_buf *b, const sc_scenario *sc)
{
    html_raw(b, "<h4>Changes</h4>\n");
    if (!sc->nchanges) {
        html_raw(b, "<p class=\"none\">The scenario makes no change.</p>\n");
        return;
    }
    html_raw(b, "<ol class=\"changes\">\n");
    for (size_t i = 0; i < sc->nchanges; i++) {
        const sc_change *c = &sc->changes[i];
        sr_buf t;
        sr_buf_init(&t);
        sc_change_describe(c, &t);
        if (t.oom)
            b->oom = 1;
        html_raw(b, "<li>");
        html_txt(b, t.data);
        html_raw(b, " <span class=\"where\">(");
        html_txt(b, c->file);
        html_rawf(b, ":%d)</span>", c->line);
        if (c->note) {
            html_raw(b, "<br><span class=\"note\">note: ");
            html_txt(b, c->note);
            html_raw(b, "</span>");
        }
        html_raw(b, "</li>\n");
        sr_buf_free(&t);
    }
    html_raw(b, "</ol>\n");
}

static void result_phrase(sr_buf *b, const rp_pack *p, const rt_result *r)
{
    if (r->stars >= 0)
        stars_phrase(b, p, r->stars);
    else
        html_raw(b, "not settled");
    if (r->rule >= 0) {
        html_raw(b, " by rule <code>");
        html_txt(b, p->star_rules[r->rule].id);
        html_raw(b, "</code>");
    }
}

static void scenario_result(sr_buf *b, const hr_pair *x)
{
    html_raw(b, "<p class=\"result\">Result: <strong>");
    result_phrase(b, x->p, x->b);
    html_raw(b, "</strong>; the baseline is ");
    result_phrase(b, x->p, x->a);
    html_raw(b, ".</p>\n");
    if (x->changed == 0)
        html_raw(b, "<p class=\"nochange\" data-nochange=\"1\">No difference from the baseline: no "
                       "indicator band, standard grade, judgement or star rating moves.</p>\n");
    else
        html_rawf(b, "<p class=\"count\">%zu value%s differ%s from the baseline (outlined).</p>\n",
                      x->changed, x->changed == 1 ? "" : "s", x->changed == 1 ? "s" : "");
}

/* The table is written first, to a buffer of its own, because the verdict above it (what
 * changed, or that nothing did) is counted while the table is written. */
static void scenario_article(sr_buf *b, hr_pair *x, const sc_scenario *sc, size_t idx)
{
    sr_buf table;
    sr_buf_init(&table);
    pair_table(x, &table);
    if (table.oom)
        b->oom = 1;
    html_rawf(b, "<article class=\"scenario\" id=\"scenario-%zu\" data-scenario=\"", idx + 1);
    html_txt(b, sc->path);
    html_raw(b, "\" data-stars=\"");
    if (x->b->stars >= 0)
        html_rawf(b, "%d", x->b->stars);
    html_rawf(b, "\" data-changed-cells=\"%zu\">\n<h3>Scenario %zu: ", x->changed, idx + 1);
    html_txt(b, sc->name);
    html_raw(b, "</h3>\n<p class=\"description\">");
    html_txt(b, sc->description);
    html_raw(b, "</p>\n");
    scenario_changes(b, sc);
    scenario_result(b, x);
    sr_buf_putn(b, table.data ? table.data : "", table.len);
    html_raw(b, "<p class=\"audit\">Scenario <code>");
    html_txt(b, sc->path);
    html_raw(b, "</code>. Where each change stops having an effect: <code>starrate whatif ");
    html_txt(b, x->ev_a->path);
    html_raw(b, " ");
    html_txt(b, sc->path);
    html_raw(b, "</code>.</p>\n</article>\n");
    sr_buf_free(&table);
}

static void whatif_open(sr_buf *b, const out_rating *o, size_t n)
{
    html_rawf(b, "<section class=\"whatif\" id=\"whatif\" data-scenarios=\"%zu\">\n<h2>What if &middot; ", n);
    html_txt(b, o->ev->council);
    html_raw(b, "</h2>\n<p class=\"meta\">Each scenario's changes are applied to the evidence above and "
                   "the council is rated again by the same rules. In the scenario column every value "
                   "that differs from the baseline is <span class=\"changed-key\">outlined</span> and says "
                   "which way it moved; the last column gives the rule that decided it.</p>\n");
}

/* Loads, applies and rates one scenario on the working copy, renders it, and rolls the
 * changes back so the next scenario starts from the baseline again. A rejection is reported
 * here (SR_ENOMEM is returned unreported: the run stops). */
static int scenario_one(hr_run *h, sc_work *w, const out_rating *base, rt_result *r, size_t i)
{
    sr_error e;
    sr_error_clear(&e);
    sc_scenario *sc = NULL;
    size_t mark = sc_mark(w);
    int rc = cmp_run_scenario(base->pack, base->ev, w, h->scenarios[i], &sc, r, &e);
    if (rc == SR_OK) {
        hr_pair x = {base->pack, base->ev, sc_work_evidence(w), base->r, r, 0};
        scenario_article(&h->sections, &x, sc, i);
    } else if (rc != SR_ENOMEM) {
        sr_error_print(h->err, &e);
    }
    sc_rollback(w, mark);
    sc_free(sc);
    return rc;
}

/* The "What if" section after the council's own. Every scenario is tried, so one run reports
 * every rejected file; SR_EINPUT then says some were (the page is not written). */
static int whatif_section(hr_run *h, const out_rating *base)
{
    sr_error e;
    sr_error_clear(&e);
    sc_work *w = NULL;
    int rc = sc_work_new(base->pack, base->ev, &w, &e);
    if (rc != SR_OK) {
        if (rc != SR_ENOMEM)
            sr_error_print(h->err, &e);
        return rc;
    }
    /* The scenario's own result, so the baseline's stays whole for every comparison. */
    rt_result r;
    rt_init(&r);
    int rejected = 0;
    whatif_open(&h->sections, base, h->nscenarios);
    for (size_t i = 0; i < h->nscenarios && rc != SR_ENOMEM; i++) {
        rc = scenario_one(h, w, base, &r, i);
        rejected |= rc != SR_OK;
    }
    sr_buf_puts(&h->sections, "</section>\n");
    rt_free(&r);
    sc_work_free(w);
    return rc == SR_ENOMEM ? rc : rejected ? SR_EINPUT : SR_OK;
}

/* ---- the page ------------------------------------------------------------------------- */

/* Whether every council of the report was rated with the same pack. */
static int one_pack(const hr_row *rows, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (rows[i].pack != rows[0].pack)
            return 0;
    return n > 0;
}

static void page_head(sr_buf *b, const hr_row *rows, size_t n, int whatif)
{
    html_raw(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta name=\"generator\" content=\"starrate " SR_VERSION "\">\n<title>");
    if (n == 1) {
        html_raw(b, "Star rating: ");
        html_txt(b, rows[0].council);
        html_rawf(b, " (%d)", rows[0].year);
    } else {
        html_rawf(b, "Star ratings of %zu councils", n);
    }
    html_raw(b, "</title>\n");
    html_raw(b, "<style>\n");
    html_raw(b, report_css);
    /* Only a page with a "What if" section carries its rules, so a report without scenarios
     * is the same page as before they existed. */
    if (whatif)
        html_raw(b, report_whatif_css);
    html_raw(b, "</style>\n");
    html_rawf(b, "</head>\n<body data-report=\"starrate\" data-councils=\"%zu\">\n", n);
    /* The heading is the round's own title (its pack says what was rated and by whom); a
     * report over several rounds has no one title, and says what it holds instead. */
    html_raw(b, "<header><h1>");
    if (one_pack(rows, n))
        html_txt(b, rows[0].pack->title);
    else
        html_rawf(b, "Star ratings of %zu councils", n);
    html_raw(b, "</h1>\n<p class=\"meta\">Derived by starrate " SR_VERSION " with the rule packs");
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && rows[j].pack != rows[i].pack)
            j++;
        if (j < i)
            continue;
        html_raw(b, i ? ", " : " ");
        html_txt(b, rows[i].pack->name);
        html_raw(b, " ");
        html_txt(b, rows[i].pack->version);
        html_raw(b, " (sha256 <code>");
        html_rawf(b, "%.12s", rows[i].pack->sha256);
        html_raw(b, "</code>)");
    }
    html_raw(b, ". Rules marked <span class=\"prov doc\">documented</span> rest on published "
                   "sources; rules marked <span class=\"prov rec\">reconstructed</span> are this "
                   "project's reading of incomplete evidence.</p></header>\n");
}

static void page_foot(sr_buf *b)
{
    /* The bands' names belong to the inspectorate, so the legend gives only their order. */
    html_raw(b, "<footer id=\"report-end\"><p class=\"legend\">PAF bands, best first: "
                   "<span class=\"b5\">5</span><span class=\"b4\">4</span><span class=\"b3\">3</span>"
                   "<span class=\"b2\">2</span><span class=\"b1\">1</span>"
                   "<span class=\"b0\">not assessed</span>. "
                   "Grades and judgements take the colour of the band at the same place on their "
                   "scale (worst red, best dark green).</p></footer>\n</body>\n</html>\n");
}

/* ---- the command ---------------------------------------------------------------------- */

const char report_description[] =
    "Writes one self-contained HTML report (no external assets, no scripts; printable on A4)\n"
    "of the councils whose evidence FILEs give (- reads standard input). Each council starts\n"
    "with a page that stands alone: the stars, the four judgements, why in the inspectorate's\n"
    "words, \"What would gain a star\" and \"What could lose a star\" (seek's cheapest plans of\n"
    "changes the council can make, each with the letter's own words). Then the detail: the star\n"
    "rule and its source, the services x standards grid, the letter's findings beside the\n"
    "grades they move, the indicators coloured with the PAF traffic-light bands (with each\n"
    "indicator's band limits), and the key thresholds. With several councils it starts with a\n"
    "league table and how many councils reached each star and judgement level, with bar\n"
    "charts. A file that is rejected is reported on standard error and the report covers the\n"
    "others (exit status 1).\n"
    "\n"
    "With --scenario (one evidence FILE only) a \"What if\" section follows the council: for\n"
    "each scenario (YAML, see docs/scenario-format.md) its changes and a table of the baseline\n"
    "and the scenario side by side (stars and rule, each service's judgements and its standards'\n"
    "grades, and the indicator bands that changed), every value that differs from the baseline\n"
    "outlined, with the rule that gave it. A scenario that is rejected is reported as\n"
    "FILE:LINE:COL: error: MESSAGE and no report is written (exit status 1).\n";

typedef struct hr_opts {
    const char *output, *rules;
    int from_published;
    po_list scenarios;
    const char **files;
    int nfiles;
} hr_opts;

#define OPT(field) offsetof(hr_opts, field)
const po_option report_options[] = {
    {PO_STRING, 'o', "output", OPT(output), "FILE", "write the report to FILE atomically (default: standard output)", 0, 0, NULL, NULL},
    {PO_STRING, 0, "rules", OPT(rules), "PACK", "rule pack folder or round (default: the pack for each file's year)", 0, 0, NULL, NULL},
    {PO_FLAG, 0, "from-published", OPT(from_published), NULL, "use the published judgements in each file as given", 0, 0, NULL, NULL},
    {PO_LIST, 0, "scenario", OPT(scenarios), "FILE", "add FILE to the \"What if\" section (repeatable)", 0, 0, NULL, NULL},
    {PO_END, 0, NULL, 0, NULL, NULL, 0, 0, NULL, NULL},
};
#undef OPT

static void report_error(FILE *err, const sr_error *e) { sr_error_print(err, e); }

/* Rates one file and appends its section; returns SR_OK, or the code of a rejection that has
 * been reported (SR_ENOMEM is returned unreported: the run stops). */
/* "How sure" after the council's section: 100 variants, as plain rate, fitted once per pack;
 * STARRATE_UNSURE=off leaves it out. The runs use a result of their own. */
static int report_how_sure(hr_run *h, const ss_loaded *l, sr_buf *out, sr_error *e)
{
    const char *env = getenv("STARRATE_UNSURE");
    if (env && strcmp(env, "off") == 0)
        return SR_OK;
    un_model *m;
    un_council u;
    rt_result r;
    rt_init(&r);
    int rc = un_cache_get(&h->uc, h->session, l->pack, &m, e);
    if (rc == SR_OK) rc = un_rate(m, l->ev, &r, &u, e);
    if (rc == SR_OK)
        un_html(out, m, &u);
    rt_free(&r);
    return rc;
}

static int report_one(hr_run *h, const char *path, int index, rt_result *r)
{
    sr_error e;
    sr_error_clear(&e);
    ss_loaded l;
    int rc = ss_load(h->session, path, NULL, h->rules, h->from_published, &l, &e);
    if (rc == SR_OK)
        ev_warnings_print(h->err, l.ev);
    if (rc == SR_OK) rc = rt_evaluate(l.pack, l.ev, r, &e);
    if (rc == SR_OK) {
        out_rating o = {l.pack, l.ev, r};
        size_t mark = h->sections.len;
        sr_buf sure;
        sr_buf_init(&sure);
        rc = report_how_sure(h, &l, &sure, &e);
        if (rc == SR_OK && sure.oom)
            rc = sr_oom(&e);
        if (rc == SR_OK)
            rc = council_section(&h->sections, &o, index, sure.data, &e);
        sr_buf_free(&sure);
        if (rc == SR_OK) {
            rc = row_keep(h, &o, index);
        } else if (!h->sections.oom) {
            /* A section cut short is left out whole, as a rejected file is. */
            h->sections.len = mark;
            if (h->sections.data)
                h->sections.data[mark] = '\0';
            if (rc != SR_ENOMEM)
                report_error(h->err, &e);
        }
        /* The scenarios' rejections are reported where they happen. */
        if (rc == SR_OK && h->nscenarios && (rc = whatif_section(h, &o)) != SR_OK)
            h->no_page = 1;
    } else if (rc != SR_ENOMEM) {
        report_error(h->err, &e);
    }
    ss_unload(&l);
    return rc;
}

static int compose(hr_run *h, sr_buf *page)
{
    page_head(page, h->rows, h->nrows, h->nscenarios > 0);
    if (h->nrows > 1)
        summary_section(page, h->rows, h->nrows);
    if (h->sections.oom)
        return SR_ENOMEM;
    sr_buf_putn(page, h->sections.data, h->sections.len);
    page_foot(page);
    return page->oom ? SR_ENOMEM : SR_OK;
}

static int write_page(const hr_opts *o, sr_buf *page, FILE *out, FILE *err)
{
    sr_error e;
    sr_error_clear(&e);
    int rc = sr_deliver(page, o->output, out, &e);
    if (rc != SR_OK)
        report_error(err, &e);
    return rc;
}

static int run_files(hr_run *h, const hr_opts *o, int *rejected)
{
    rt_result r;
    rt_init(&r);
    int rc = SR_OK;
    for (int i = 0; i < o->nfiles && rc != SR_ENOMEM; i++) {
        rc = report_one(h, o->files[i], i, &r);
        *rejected |= rc != SR_OK;
    }
    rt_free(&r);
    return rc == SR_ENOMEM ? rc : SR_OK;
}

static int report_run(const hr_opts *o, FILE *out, FILE *err);

int cmd_report(int argc, char **argv, FILE *out, FILE *err)
{
    hr_opts o = {0};
    int status, n = cmd_parse(argc, &argv, &o, out, err, &status);
    o.files = (const char **)argv;
    o.nfiles = n;
    if (n == 0)
        status = cmd_usage(err, "report", "report needs at least one evidence file");
    /* A scenario changes one council's evidence: with several councils it would be unclear
     * which one it is about. */
    else if (n > 1 && o.scenarios.n)
        status = cmd_usage(err, "report", "--scenario needs exactly one evidence file, not several");
    else if (n > 0)
        status = report_run(&o, out, err);
    po_list_free(&o.scenarios);
    return status;
}

static int report_run(const hr_opts *o, FILE *out, FILE *err)
{
    hr_run h = {sr_malloc(sizeof(ss_session)), o->rules, o->from_published, NULL, 0, {0}, err,
                o->scenarios.v, o->scenarios.n, 0, {.n = 0}};
    sr_buf page;
    sr_buf_init(&page);
    sr_buf_init(&h.sections);
    un_options uo;
    char msg[8];
    un_parse_options(NULL, NULL, 1, &uo, msg, sizeof msg);
    un_cache_init(&h.uc, &uo);
    int rejected = 0, rc = h.session ? SR_OK : SR_ENOMEM;
    if (rc == SR_OK) {
        ss_init(h.session);
        rc = run_files(&h, o, &rejected);
    }
    if (rc == SR_OK && h.nrows && !h.no_page)
        rc = compose(&h, &page);
    if (rc == SR_OK && h.nrows && !h.no_page)
        rc = write_page(o, &page, out, err);
    if (rc == SR_ENOMEM)
        fputs("starrate: error: out of memory\n", err);
    for (size_t i = 0; i < h.nrows; i++)
        row_free(&h.rows[i]);
    sr_free(h.rows);
    sr_buf_free(&h.sections);
    sr_buf_free(&page);
    un_cache_free(&h.uc);
    if (h.session)
        ss_free(h.session);
    sr_free(h.session);
    return rc != SR_OK || rejected ? 1 : 0;
}
