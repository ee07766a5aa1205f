/*
 * seek.c — `starrate seek`: the smallest sets of changes to a council's evidence that reach
 * a number of stars, or (--margin) that lose one. The search is seek.c of the core; this
 * file reads the options and renders the plans (text, JSON, CSV).
 */
#include "cmd.h"
#include "json.h"
#include "output.h"
#include "scenario.h"
#include "seek.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum { FMT_TEXT, FMT_JSON, FMT_CSV } seek_format;

typedef struct seek_opts {
    int format; /* seek_format */
    const char *rules, *output;
    int target, margin, max_changes, limit, max_evaluations, include_gaps;
    unsigned only;
    po_list fix;
} seek_opts;

static const char *const seek_formats[] = {"text", "json", "csv", NULL};

/* --only: a comma-separated list of kinds of move. */
static int parse_only(void *opts, const char *v, char *msg, size_t n)
{
    static const struct { const char *word; unsigned bit; } kinds[] = {
        {"indicators", SK_INDICATORS}, {"findings", SK_FINDINGS}, {"requirements", SK_REQUIREMENTS}};
    seek_opts *o = opts;
    for (const char *p = v; *p;) {
        size_t len = strcspn(p, ","), k = 0;
        while (k < 3 && !(strlen(kinds[k].word) == len && strncmp(p, kinds[k].word, len) == 0))
            k++;
        if (k == 3) {
            snprintf(msg, n, "--only takes indicators, findings or requirements, not '%.*s'", (int)(len < 63 ? len : 63), p);
            return -1;
        }
        o->only |= kinds[k].bit;
        p += len + (p[len] == ',');
    }
    return 0;
}

#define OPT(field) offsetof(seek_opts, field)
const po_option seek_options[] = {
    {PO_INT, 0, "target", OPT(target), "N", "the stars wanted", 0, 99, NULL, NULL},
    {PO_FLAG, 0, "margin", OPT(margin), NULL, "the smallest deteriorations that lose a star", 0, 0, NULL, NULL},
    {PO_INT, 0, "max-changes", OPT(max_changes), "K", "the largest plan tried, 1 to 5 (default 3)", 1, SK_MAX_CHANGES, NULL, NULL},
    {PO_CALLBACK, 0, "only", 0, "KINDS", "indicators, findings or requirements (a comma-separated list)", 0, 0, NULL, parse_only},
    {PO_LIST, 0, "fix", OPT(fix), "CODE",
     "keep an input unchanged: an indicator code, finding id,\n"
     "requirement name or path such as SERVICE.indicator.CODE\n"
     "(repeatable)", 0, 0, NULL, NULL},
    {PO_FLAG, 0, "include-gaps", OPT(include_gaps), NULL,
     "let plans fill gaps in the evidence (an indicator or\n"
     "requirement not stated), as well as plannable changes", 0, 0, NULL, NULL},
    {PO_INT, 0, "limit", OPT(limit), "M", "plans shown (default 10)", 1, 100000, NULL, NULL},
    {PO_INT, 0, "max-evaluations", OPT(max_evaluations), "N",
     "the search's budget (default 50000 evaluations of the rules,\n"
     "and 100 plans tried for each); past it the search stops and\n"
     "shows the best plans found so far", 1, 2000000000, NULL, NULL},
    {PO_CHOICE, 0, "format", OPT(format), "text|json|csv", "output format (default text)", 0, 0, seek_formats, NULL},
    {PO_STRING, 0, "rules", OPT(rules), "PACK", "rule pack folder or round (default: the pack for FILE's year)", 0, 0, NULL, NULL},
    {PO_STRING, 'o', "output", OPT(output), "FILE", "write the output to FILE atomically instead of standard output", 0, 0, NULL, NULL},
    {PO_END, 0, NULL, 0, NULL, NULL, 0, 0, NULL, NULL},
};
#undef OPT

const char seek_description[] =
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
    "By default plans hold only changes a council can plan: findings turned round, indicators\n"
    "already in the evidence improved, requirements met. Gaps in the evidence (an indicator or\n"
    "a requirement not stated) are tried one at a time instead, and those that alone would\n"
    "change the rating are listed as evidence the rating is sensitive to. --include-gaps lets\n"
    "plans fill gaps too.\n"
    "\n"
    "The search reports how many evaluations it made; when it runs longer than a second it\n"
    "prints its progress on standard error.\n";

static void csv_int(sr_buf *b, long v, int last)
{
    char num[32];
    snprintf(num, sizeof num, "%ld", v);
    out_csv_field(b, num, last);
}

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
                      rp_word_id(&p->serving, serving[s], "?"), rp_word_id(&p->capacity, capacity[s], "?"));
}

static void target_phrase(sr_buf *b, const rp_pack *p, const sk_result *r, int margin)
{
    if (margin)
        sr_buf_puts(b, "lose a star (at most ");
    else
        sr_buf_puts(b, r->direction > 0 ? "at least " : "at most ");
    rp_stars_phrase(b, p, r->target);
    if (margin)
        sr_buf_putc(b, ')');
}

/* What seek started from and how far it looked. */
static void seek_header(const seek_opts *o, rp_pack *p, const ev_evidence *ev, const sk_result *r, sr_buf *b)
{
    sr_buf_puts(b, "Seek: ");
    sr_buf_put_escaped(b, ev->council, NULL);
    sr_buf_printf(b, ", %d%s%s%s (rules %s %s)\n", ev->year,
                  ev->round ? " (" : "", ev->round ? ev->round : "", ev->round ? ")" : "", p->name, p->version);
    sr_buf_puts(b, "Now: ");
    rp_stars_phrase(b, p, r->stars);
    if (r->rule >= 0)
        sr_buf_printf(b, " by rule %s", p->star_rules[r->rule].id);
    sr_buf_puts(b, "; ");
    judgements_line(b, p, r->serving, r->capacity);
    sr_buf_puts(b, "\nTarget: ");
    target_phrase(b, p, r, o->margin);
    sr_buf_putc(b, '\n');
    if (r->already)
        return;
    sr_buf_printf(b, "Moves: %zu considered, %zu expanded", r->ncands, r->nlive);
    size_t pruned = r->pruned_fixed + r->pruned_given + r->pruned_noeffect + r->pruned_path + r->pruned_gap;
    const char *sep = "; not expanded: ";
    if (pruned && r->pruned_fixed) sr_buf_printf(b, "%s%zu kept unchanged (--fix)", sep, r->pruned_fixed), sep = ", ";
    if (pruned && r->pruned_given) sr_buf_printf(b, "%s%zu feeding only given grades or judgements", sep, r->pruned_given), sep = ", ";
    if (pruned && r->pruned_noeffect) sr_buf_printf(b, "%s%zu changing no grade or key threshold", sep, r->pruned_noeffect), sep = ", ";
    if (pruned && r->pruned_path) sr_buf_printf(b, "%s%zu unable to move a judgement the target needs", sep, r->pruned_path), sep = ", ";
    if (r->pruned_gap) sr_buf_printf(b, "%s%zu filling a gap in the evidence (--include-gaps)", sep, r->pruned_gap);
    sr_buf_putc(b, '\n');
    if (r->unreachable)
        return;
    sr_buf_printf(b, "Search: plans of up to %d change%s; %ld plans tried, %ld evaluations, %ld answered "
                     "from earlier evaluations%s\n",
                  r->levels, r->levels == 1 ? "" : "s", r->plans_tried, r->evaluations, r->answered,
                  r->judgement_pruning ? "" : " (judgement pruning off: the star table is not monotone "
                                              "or a judgement is missing)");
}

/* A move and, beneath it, what it moves in words: the letter's text of a finding (quoted),
 * the name of an indicator, the text of a requirement. */
static void seek_move_line(const rp_pack *p, const sk_candidate *c, sr_buf *b)
{
    sr_buf_puts(b, "    ");
    sk_describe(p, c, b);
    sr_buf_putc(b, '\n');
    if (c->label && *c->label)
        sr_buf_printf(b, c->kind == SK_FINDING || c->kind == SK_CAPACITY_FINDING ? "      \"%s\"\n" : "      %s\n",
                      c->label);
}

/* Gaps in the evidence that alone would change the rating (seek without --include-gaps). */
static void seek_sensitive(rp_pack *p, const sk_result *r, sr_buf *b)
{
    if (!r->nsensitive)
        return;
    sr_buf_puts(b, "\nThe rating is sensitive to evidence you have not given (each alone):\n");
    for (size_t i = 0; i < r->nsensitive; i++) {
        seek_move_line(p, &r->cands[r->sensitive[i]], b);
        sr_buf_puts(b, "      would give ");
        rp_stars_phrase(b, p, r->sensitive_stars[i]);
        sr_buf_putc(b, '\n');
    }
}

static void seek_plan(rp_pack *p, const sk_result *r, size_t i, sr_buf *b)
{
    const sk_plan *pl = &r->plans[i];
    sr_buf_printf(b, "\nPlan %zu: %zu change%s, %d step%s -> ", i + 1, pl->n, pl->n == 1 ? "" : "s",
                  pl->steps, pl->steps == 1 ? "" : "s");
    rp_stars_phrase(b, p, pl->stars);
    if (pl->rule >= 0)
        sr_buf_printf(b, " by rule %s", p->star_rules[pl->rule].id);
    sr_buf_putc(b, '\n');
    for (size_t k = 0; k < pl->n; k++)
        seek_move_line(p, &r->cands[pl->moves[k]], b);
    sr_buf_puts(b, "  gives: ");
    judgements_line(b, p, pl->serving, pl->capacity);
    sr_buf_puts(b, "\n  as scenario changes:\n");
    for (size_t k = 0; k < pl->n; k++) {
        sr_buf_puts(b, "    - ");
        sc_change_yaml(&r->cands[pl->moves[k]].change, b);
        sr_buf_putc(b, '\n');
    }
}

static void seek_text(const seek_opts *o, rp_pack *p, const ev_evidence *ev, const sk_result *r, sr_buf *b)
{
    seek_header(o, p, ev, r, b);
    if (r->already) {
        sr_buf_printf(b, "\nNothing to search: %s.\n", r->why);
        return;
    }
    if (r->unreachable) {
        sr_buf_printf(b, "\nThe target cannot be reached: %s.\n", r->why);
        seek_sensitive(p, r, b);
        return;
    }
    size_t shown = r->nplans < (size_t)o->limit ? r->nplans : (size_t)o->limit;
    for (size_t i = 0; i < shown; i++)
        seek_plan(p, r, i, b);
    if (r->stopped)
        sr_buf_printf(b, "\nThe search stopped at its budget of %ld evaluations (raise it with "
                         "--max-evaluations): %s.\n", r->budget,
                      r->nplans ? "the plans above are the best found so far" : "no plan found so far");
    if (!r->nplans && r->stopped)
        return;
    if (!r->nplans) {
        sr_buf_printf(b, "\nNo plan of up to %d change%s reaches ", o->max_changes, o->max_changes == 1 ? "" : "s");
        target_phrase(b, p, r, o->margin);
        sr_buf_printf(b, "%s.\n", o->max_changes < SK_MAX_CHANGES ? " (try a larger --max-changes)" : "");
        seek_sensitive(p, r, b);
        return;
    }
    sr_buf_printf(b, "\n%zu minimal plan%s found", r->nplans, r->nplans == 1 ? "" : "s");
    if (shown < r->nplans)
        sr_buf_printf(b, ", %zu shown (--limit)", shown);
    if (r->levels < o->max_changes)
        sr_buf_printf(b, "; plans of more than %d change%s not searched (enough found)", r->levels,
                      r->levels == 1 ? "" : "s");
    sr_buf_puts(b, ".\n");
    seek_sensitive(p, r, b);
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
    js_key(jw, cd->kind == SK_INDICATOR ? "name" : "text"); js_string(jw, cd->label);
    js_key(jw, "gap"); js_bool(jw, cd->gap);
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
        js_key(jw, "serving"); js_string(jw, rp_word_id(&p->serving, serving[s], NULL));
        js_key(jw, "capacity"); js_string(jw, rp_word_id(&p->capacity, capacity[s], NULL));
        js_end_object(jw);
    }
    js_end_object(jw);
}

static void seek_json(const seek_opts *o, rp_pack *p, const ev_evidence *ev, const sk_result *r, sr_buf *b)
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
    js_key(&jw, "margin"); js_bool(&jw, o->margin);
    js_end_object(&jw);
    js_key(&jw, "already"); js_bool(&jw, r->already);
    js_key(&jw, "unreachable"); js_bool(&jw, r->unreachable);
    js_key(&jw, "why"); js_string(&jw, r->already || r->unreachable ? r->why : NULL);
    js_key(&jw, "search");
    js_object(&jw);
    js_key(&jw, "max_changes"); js_int(&jw, o->max_changes);
    js_key(&jw, "levels"); js_int(&jw, r->levels);
    js_key(&jw, "moves"); js_int(&jw, (long)r->ncands);
    js_key(&jw, "expanded"); js_int(&jw, (long)r->nlive);
    js_key(&jw, "pruned");
    js_object(&jw);
    js_key(&jw, "fixed"); js_int(&jw, (long)r->pruned_fixed);
    js_key(&jw, "given"); js_int(&jw, (long)r->pruned_given);
    js_key(&jw, "no_effect"); js_int(&jw, (long)r->pruned_noeffect);
    js_key(&jw, "off_path"); js_int(&jw, (long)r->pruned_path);
    js_key(&jw, "gap"); js_int(&jw, (long)r->pruned_gap);
    js_end_object(&jw);
    js_key(&jw, "include_gaps"); js_bool(&jw, o->include_gaps);
    js_key(&jw, "judgement_pruning"); js_bool(&jw, r->judgement_pruning);
    js_key(&jw, "plans_tried"); js_int(&jw, r->plans_tried);
    js_key(&jw, "evaluations"); js_int(&jw, r->evaluations);
    js_key(&jw, "answered"); js_int(&jw, r->answered);
    js_key(&jw, "evaluation_budget"); js_int(&jw, r->budget);
    js_key(&jw, "stopped"); js_bool(&jw, r->stopped);
    js_end_object(&jw);
    js_key(&jw, "plans_found"); js_int(&jw, (long)r->nplans);
    js_key(&jw, "plans");
    js_array(&jw);
    for (size_t i = 0; i < r->nplans && i < (size_t)o->limit; i++) {
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
    js_key(&jw, "sensitive_to_gaps");
    js_array(&jw);
    for (size_t i = 0; i < r->nsensitive; i++) {
        js_object(&jw);
        js_key(&jw, "stars"); js_int(&jw, r->sensitive_stars[i]);
        js_key(&jw, "move");
        json_move(&jw, p, &r->cands[r->sensitive[i]]);
        js_end_object(&jw);
    }
    js_end_array(&jw);
    out_json_meta(&jw, p, ev);
    js_end_object(&jw);
    sr_buf_putc(b, '\n');
}

static void seek_csv(const seek_opts *o, rp_pack *p, const sk_result *r, sr_buf *b)
{
    sr_buf_puts(b, "plan,changes,steps,stars,rule");
    for (size_t s = 0; s < p->nservices; s++)
        sr_buf_printf(b, ",%s_serving,%s_capacity", p->services[s].id, p->services[s].id);
    sr_buf_puts(b, ",path,move,value,band,kind,met,text\n");
    for (size_t i = 0; i < r->nplans && i < (size_t)o->limit; i++) {
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
                out_csv_field(b, rp_word_id(&p->serving, pl->serving[s], ""), 0);
                out_csv_field(b, rp_word_id(&p->capacity, pl->capacity[s], ""), 0);
            }
            out_csv_field(b, ch->path, 0);
            out_csv_field(b, t.data, 0);
            if (ch->has & SC_HAS_VALUE)
                sr_format_number(ch->value, num, sizeof num);
            out_csv_field(b, num, 0);
            snprintf(num, sizeof num, "%d", ch->band);
            out_csv_field(b, ch->has & SC_HAS_BAND ? num : "", 0);
            out_csv_field(b, ch->has & SC_HAS_KIND ? ch->kind : "", 0);
            out_csv_field(b, ch->has & SC_HAS_MET ? (ch->met ? "true" : "false") : "", 0);
            out_csv_field(b, cd->label ? cd->label : "", 1);
            sr_buf_free(&t);
        }
    }
}

/* The search and its rendering, once the evidence is loaded. */
static int seek_run(const seek_opts *o, const ss_loaded *l, FILE *out, FILE *err)
{
    sk_options so;
    memset(&so, 0, sizeof so);
    so.target = o->target;
    so.margin = o->margin;
    so.max_changes = o->max_changes;
    so.only = o->only;
    so.fix = o->fix.v;
    so.nfix = o->fix.n;
    so.limit = o->limit;
    so.max_evaluations = o->max_evaluations;
    so.include_gaps = o->include_gaps;
    so.progress = seek_progress;
    so.progress_ctx = err;
    sk_result r;
    sr_error e;
    sr_error_clear(&e);
    if (sk_seek(l->pack, l->ev, &so, &r, &e) != SR_OK)
        return e.code == SR_EUSAGE ? cmd_usage(err, "seek", "%s", e.msg) : cmd_reject(err, &e);
    sr_buf b;
    sr_buf_init(&b);
    if (o->format == FMT_TEXT) seek_text(o, l->pack, l->ev, &r, &b);
    else if (o->format == FMT_JSON) seek_json(o, l->pack, l->ev, &r, &b);
    else seek_csv(o, l->pack, &r, &b);
    int status = cmd_deliver(&b, o->output, out, err);
    sr_buf_free(&b);
    sk_result_free(&r);
    return status;
}

static int seek_file(const seek_opts *o, const char *path, FILE *out, FILE *err)
{
    ss_session *session = cmd_session_new(err);
    if (!session)
        return EXIT_REJECTED;
    sr_error e;
    sr_error_clear(&e);
    ss_loaded l;
    int status;
    if (ss_load(session, path, NULL, o->rules, 0, &l, &e) == SR_OK) {
        ev_warnings_print(err, l.ev);
        status = seek_run(o, &l, out, err);
    } else {
        status = cmd_reject(err, &e);
    }
    ss_unload(&l);
    cmd_session_free(session);
    return status;
}

int cmd_seek(int argc, char **argv, FILE *out, FILE *err)
{
    seek_opts o = {.target = -1, .max_changes = 3, .limit = 10};
    int status, n = cmd_parse(argc, &argv, &o, out, err, &status);
    if (n >= 0 && n != 1)
        status = cmd_usage(err, "seek", "seek needs exactly one evidence file");
    else if (n >= 0 && (o.target >= 0) == o.margin)
        status = cmd_usage(err, "seek", "seek needs either --target N or --margin");
    else if (n >= 0)
        status = seek_file(&o, argv[0], out, err);
    po_list_free(&o.fix);
    return status;
}
