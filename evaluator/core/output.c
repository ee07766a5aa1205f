/*
 * output.c — text, JSON, CSV, table and explanation renderings of a rating.
 *
 * Every rendering reads the same rt_result and trace; none recomputes anything, so the
 * formats cannot disagree with each other.
 */
#include "output.h"
#include "json.h"

#include <stdio.h>
#include <string.h>

static const char *judgement_word(const rp_scale *s, int w)
{
    return w >= 0 ? s->words[w].id : NULL;
}

const char *out_serving_text(const rp_pack *p, int w)
{
    return w >= 0 ? p->serving.words[w].text : "insufficient evidence";
}

const char *out_capacity_text(const rp_pack *p, int w)
{
    return w >= 0 ? p->capacity.words[w].text : "insufficient evidence";
}

static const char *source_of(int given, int word)
{
    return word < 0 ? "insufficient" : given ? "given" : "derived";
}

static const rp_star_rule *fired_rule(const out_rating *o)
{
    return o->r->rule >= 0 ? &o->pack->star_rules[o->r->rule] : NULL;
}

static void stars_phrase(sr_buf *b, const rp_pack *p, int stars)
{
    sr_buf_printf(b, "%d %s", stars, rp_unit(p, stars));
}

static void possible_phrase(sr_buf *b, const rp_pack *p, unsigned possible)
{
    int first = 1;
    for (int k = 0; k < 32; k++)
        if (possible & (1u << k)) {
            sr_buf_printf(b, "%s%d", first ? "" : " or ", k);
            first = 0;
        }
    sr_buf_printf(b, " %s possible", p->rating_unit);
}

/* ---- text ----------------------------------------------------------------------------- */

static void text_caps(sr_buf *b, const out_rating *o, size_t s)
{
    const rt_service *rs = &o->r->svc[s];
    for (int i = 0; i < rs->ncaps_fired; i++) {
        const rp_cap *cap = &o->pack->caps[rs->caps_fired[i]];
        const rp_scale *sc = cap->judgement ? &o->pack->capacity : &o->pack->serving;
        int from = cap->judgement ? rs->capacity_uncapped : rs->serving_uncapped;
        sr_buf_printf(b, "    capped from %s to %s by key threshold %s: %s (%s)\n",
                      sc->words[from].id, sc->words[cap->to].id, cap->id, cap->sentence,
                      rp_prov_text(cap->prov.reconstructed));
    }
}

static void text_service(sr_buf *b, const out_rating *o, size_t s)
{
    const rt_service *rs = &o->r->svc[s];
    const rp_pack *p = o->pack;
    sr_buf_printf(b, "  %s: %s [%s]; %s [%s]\n", p->services[s].title,
                  out_serving_text(p, rs->serving), source_of(rs->serving_given, rs->serving),
                  out_capacity_text(p, rs->capacity), source_of(rs->capacity_given, rs->capacity));
    text_caps(b, o, s);
    if (rs->serving < 0 && rs->serving_needs)
        sr_buf_printf(b, "    %s needs: %s\n", p->serving.name, rs->serving_needs);
    if (rs->capacity < 0 && rs->capacity_needs)
        sr_buf_printf(b, "    %s needs: %s\n", p->capacity.name, rs->capacity_needs);
}

static void text_published(sr_buf *b, const out_rating *o)
{
    const ev_evidence *ev = o->ev;
    if (ev->pub_stars < 0)
        return;
    sr_buf_puts(b, "  Published: ");
    stars_phrase(b, o->pack, ev->pub_stars);
    if (o->r->stars >= 0)
        sr_buf_printf(b, "; the rating %s\n", o->r->stars == ev->pub_stars ? "agrees" : "differs");
    else
        sr_buf_printf(b, "; %s\n", (o->r->possible >> ev->pub_stars) & 1 ? "consistent with the evidence"
                                                                          : "not reachable from the evidence");
}

void out_caveat(sr_buf *b, const ev_evidence *ev)
{
    const ev_import *im = &ev->import;
    if (im->unplaced_lines > 0)
        sr_buf_printf(b, "%ld line%s of the letter could not be placed", im->unplaced_lines,
                      im->unplaced_lines == 1 ? "" : "s");
    if (im->unplaced_lines > 0 && im->unassigned > 0)
        sr_buf_puts(b, " and ");
    if (im->unassigned > 0)
        sr_buf_printf(b, "%zu finding%s ha%s no standard or indicator", im->unassigned,
                      im->unassigned == 1 ? "" : "s", im->unassigned == 1 ? "s" : "ve");
    sr_buf_printf(b, "; the rating may be wrong \xE2\x80\x94 see the import section of %s",
                  ev->path);
}

void out_text(sr_buf *b, const out_rating *o)
{
    const rp_pack *p = o->pack;
    const ev_evidence *ev = o->ev;
    sr_buf_put_escaped(b, ev->council, NULL);
    sr_buf_printf(b, ", %d%s%s%s (rules %s %s)\n", ev->year, ev->round ? " (" : "",
                  ev->round ? ev->round : "", ev->round ? ")" : "", p->name, p->version);
    for (size_t s = 0; s < p->nservices; s++)
        text_service(b, o, s);
    const rp_star_rule *rule = fired_rule(o);
    sr_buf_puts(b, "  Rating: ");
    if (o->r->stars >= 0)
        stars_phrase(b, p, o->r->stars);
    else
        possible_phrase(b, p, o->r->possible);
    if (rule)
        sr_buf_printf(b, ", by rule %s: %s (%s, %s:%d)\n", rule->id, rule->sentence,
                      rp_prov_text(rule->prov.reconstructed), rule->prov.file,
                      rule->prov.line);
    else
        sr_buf_puts(b, o->r->stars >= 0 ? ", whatever the missing judgements are\n"
                                         : "; the missing judgements decide\n");
    text_published(b, o);
    if (ev_import_doubtful(ev)) {
        sr_buf_puts(b, "  Caveat: ");
        out_caveat(b, ev);
        sr_buf_putc(b, '\n');
    }
}

/* ---- JSON ----------------------------------------------------------------------------- */

static void json_prov(js_writer *w, const rp_prov *p)
{
    js_key(w, "provenance");
    js_string(w, rp_prov_json(p->reconstructed));
    js_key(w, "reference");
    js_string(w, p->text);
    js_key(w, "file");
    js_string(w, p->file);
    js_key(w, "line");
    js_int(w, p->line);
}

static void json_judgement(js_writer *w, const rp_scale *sc, int word, int given, int uncapped,
                           const char *needs)
{
    js_object(w);
    js_key(w, "value");
    js_string(w, judgement_word(sc, word));
    js_key(w, "source");
    js_string(w, source_of(given, word));
    if (uncapped != word && uncapped >= 0) {
        js_key(w, "uncapped");
        js_string(w, judgement_word(sc, uncapped));
    }
    if (word < 0) {
        js_key(w, "needs");
        js_string(w, needs);
    }
    js_end_object(w);
}

static void json_caps(js_writer *w, const out_rating *o, size_t s)
{
    const rt_service *rs = &o->r->svc[s];
    js_array(w);
    for (int i = 0; i < rs->ncaps_fired; i++) {
        const rp_cap *cap = &o->pack->caps[rs->caps_fired[i]];
        const rp_scale *sc = cap->judgement ? &o->pack->capacity : &o->pack->serving;
        js_object(w);
        js_key(w, "id");
        js_string(w, cap->id);
        js_key(w, "judgement");
        js_string(w, cap->judgement ? "capacity" : "serving");
        js_key(w, "from");
        js_string(w, judgement_word(sc, cap->judgement ? rs->capacity_uncapped : rs->serving_uncapped));
        js_key(w, "to");
        js_string(w, sc->words[cap->to].id);
        js_key(w, "sentence");
        js_string(w, cap->sentence);
        json_prov(w, &cap->prov);
        js_end_object(w);
    }
    js_end_array(w);
}

static void json_standards(js_writer *w, const out_rating *o, size_t s)
{
    const rt_service *rs = &o->r->svc[s];
    js_object(w);
    for (int k = 0; k < o->pack->nstandards; k++) {
        char key[16];
        snprintf(key, sizeof key, "%d", k + 1);
        js_key(w, key);
        js_object(w);
        js_key(w, "grade");
        js_string(w, judgement_word(&o->pack->grade, rs->grade[k]));
        js_key(w, "source");
        js_string(w, rs->grade[k] < 0 ? "not_assessed" : rs->grade_given[k] ? "given" : "derived");
        js_end_object(w);
    }
    js_end_object(w);
}

static void json_services(js_writer *w, const out_rating *o)
{
    const rp_pack *p = o->pack;
    js_object(w);
    for (size_t s = 0; s < p->nservices; s++) {
        const rt_service *rs = &o->r->svc[s];
        js_key(w, p->services[s].id);
        js_object(w);
        js_key(w, "serving");
        json_judgement(w, &p->serving, rs->serving, rs->serving_given, rs->serving_uncapped, rs->serving_needs);
        js_key(w, "capacity");
        json_judgement(w, &p->capacity, rs->capacity, rs->capacity_given, rs->capacity_uncapped, rs->capacity_needs);
        js_key(w, "caps");
        json_caps(w, o, s);
        js_key(w, "standards");
        json_standards(w, o, s);
        js_end_object(w);
    }
    js_end_object(w);
}

static void json_published(js_writer *w, const out_rating *o)
{
    const ev_evidence *ev = o->ev;
    const rp_pack *p = o->pack;
    js_object(w);
    js_key(w, "stars");
    if (ev->pub_stars >= 0) js_int(w, ev->pub_stars); else js_null(w);
    for (size_t s = 0; s < p->nservices; s++) {
        js_key(w, p->services[s].id);
        js_object(w);
        js_key(w, "serving");
        js_string(w, judgement_word(&p->serving, ev->pub_serving[s]));
        js_key(w, "capacity");
        js_string(w, judgement_word(&p->capacity, ev->pub_capacity[s]));
        js_end_object(w);
    }
    js_key(w, "agrees");
    if (ev->pub_stars >= 0 && o->r->stars >= 0) js_bool(w, ev->pub_stars == o->r->stars); else js_null(w);
    js_end_object(w);
}

static void json_trace_node(js_writer *w, const tr_node *nd)
{
    js_object(w);
    js_key(w, "id"); js_int(w, nd->id);
    js_key(w, "kind"); js_string(w, tr_kind_words[nd->kind]);
    js_key(w, "subject"); js_string(w, nd->subject);
    js_key(w, "rule"); js_string(w, nd->rule);
    js_key(w, "file"); js_string(w, nd->file);
    js_key(w, "line"); if (nd->line > 0) js_int(w, nd->line); else js_null(w);
    js_key(w, "provenance"); js_string(w, tr_prov_words[nd->provenance]);
    js_key(w, "source"); js_string(w, tr_source_words[nd->source]);
    js_key(w, "output"); js_string(w, tr_output(nd));
    js_key(w, "text"); js_string(w, nd->text);
    js_key(w, "inputs");
    js_array(w);
    for (const tr_input *in = nd->inputs; in; in = in->next) {
        js_object(w);
        js_key(w, "name"); js_string(w, in->name);
        js_key(w, "value"); js_string(w, in->value);
        js_key(w, "source"); js_string(w, tr_source_words[in->source]);
        js_end_object(w);
    }
    js_end_array(w);
    js_key(w, "compared");
    js_array(w);
    for (const tr_compare *c = nd->cmps; c; c = c->next) {
        js_object(w);
        js_key(w, "what"); js_string(w, c->what);
        js_key(w, "value"); js_string(w, c->value);
        js_key(w, "op"); js_string(w, tr_op_words[c->op]);
        js_key(w, "limit"); js_string(w, c->limit);
        js_key(w, "gives"); js_string(w, c->word);
        js_key(w, "met"); js_bool(w, c->met);
        js_end_object(w);
    }
    js_end_array(w);
    js_key(w, "uses");
    js_array(w);
    for (const tr_use *u = nd->uses; u; u = u->next)
        js_int(w, u->node);
    js_end_array(w);
    js_end_object(w);
}

void out_json_meta(js_writer *w, const rp_pack *p, const ev_evidence *ev)
{
    js_key(w, "ruleset");
    js_object(w);
    js_key(w, "name"); js_string(w, p->name);
    js_key(w, "version"); js_string(w, p->version);
    js_key(w, "sha256"); js_string(w, p->sha256);
    js_end_object(w);
    js_key(w, "evidence");
    js_object(w);
    js_key(w, "path"); js_string(w, ev->path);
    js_key(w, "sha256"); js_string(w, ev->sha256);
    js_end_object(w);
    out_json_engine(w);
}

void out_json_engine(js_writer *w)
{
    js_key(w, "engine");
    js_object(w);
    js_key(w, "name"); js_string(w, "starrate");
    js_key(w, "version"); js_string(w, SR_VERSION);
    js_end_object(w);
}

void out_json(js_writer *w, const out_rating *o, int with_trace)
{
    out_json_with(w, o, with_trace, NULL, NULL);
}

void out_json_with(js_writer *w, const out_rating *o, int with_trace,
                   void (*extra)(js_writer *, const void *), const void *ctx)
{
    const rp_pack *p = o->pack;
    const ev_evidence *ev = o->ev;
    const rp_star_rule *rule = fired_rule(o);
    js_object(w);
    js_key(w, "format"); js_string(w, "starrate-rating/1");
    js_key(w, "council"); js_string(w, ev->council);
    js_key(w, "year"); js_int(w, ev->year);
    js_key(w, "round"); js_string(w, ev->round);
    js_key(w, "stars");
    if (o->r->stars >= 0) js_int(w, o->r->stars); else js_null(w);
    js_key(w, "stars_possible");
    js_array(w);
    for (int k = 0; k < 32; k++)
        if (o->r->possible & (1u << k))
            js_int(w, k);
    js_end_array(w);
    js_key(w, "rule");
    if (rule) {
        js_object(w);
        js_key(w, "id"); js_string(w, rule->id);
        js_key(w, "sentence"); js_string(w, rule->sentence);
        json_prov(w, &rule->prov);
        js_end_object(w);
    } else {
        js_null(w);
    }
    js_key(w, "services");
    json_services(w, o);
    js_key(w, "published");
    json_published(w, o);
    if (ev_import_doubtful(ev)) {  /* only then: other outputs stay as they were */
        sr_buf msg;
        sr_buf_init(&msg);
        out_caveat(&msg, ev);
        js_key(w, "import_caveat");
        js_object(w);
        js_key(w, "unplaced_lines"); js_int(w, ev->import.unplaced_lines);
        js_key(w, "unassigned_findings"); js_int(w, (long)ev->import.unassigned);
        js_key(w, "warnings"); js_int(w, (long)ev->import.warnings);
        js_key(w, "message"); js_string(w, msg.oom || !msg.data ? "" : msg.data);
        js_end_object(w);
        sr_buf_free(&msg);
    }
    out_json_meta(w, p, ev);
    if (with_trace) {
        js_key(w, "trace");
        js_array(w);
        for (size_t i = 0; i < o->r->trace.n; i++)
            json_trace_node(w, &o->r->trace.nodes[i]);
        js_end_array(w);
    }
    if (extra)
        extra(w, ctx);
    js_end_object(w);
}

/* ---- CSV and table -------------------------------------------------------------------- */

/* A plain decimal number: -?digits[.digits][e[+-]digits]. Such a cell is a number to a
 * spreadsheet, never a formula, so it keeps its sign. */
static int plain_number(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (*s < '0' || *s > '9')
        return 0;
    while (*s >= '0' && *s <= '9')
        s++;
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (*s < '0' || *s > '9')
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

/* A cell a spreadsheet would run as a formula (OWASP's CSV injection: it starts with =, +, -,
 * @, a tab or a carriage return) gets a leading ' so it stays text; numbers stay numbers. */
static int formula_like(const char *s)
{
    return strchr("=+-@\t\r", *s) && *s && !plain_number(s);
}

void out_csv_field(sr_buf *b, const char *s, int last)
{
    s = s ? s : "";
    int mark = formula_like(s);
    if (mark || strpbrk(s, ",\"\r\n")) {
        sr_buf_putc(b, '"');
        if (mark)
            sr_buf_putc(b, '\'');
        for (; *s; s++) {
            if (*s == '"')
                sr_buf_putc(b, '"');
            sr_buf_putc(b, *s);
        }
        sr_buf_putc(b, '"');
    } else {
        sr_buf_puts(b, s);
    }
    sr_buf_putc(b, last ? '\n' : ',');
}

void out_csv_header(sr_buf *b, const rp_pack *p)
{
    sr_buf_puts(b, "council,year,round");
    for (size_t s = 0; s < p->nservices; s++)
        sr_buf_printf(b, ",%s_serving,%s_serving_source,%s_capacity,%s_capacity_source",
                      p->services[s].id, p->services[s].id, p->services[s].id, p->services[s].id);
    sr_buf_puts(b, ",stars,rule,published_stars,ruleset,evidence\n");
}

void out_csv_row(sr_buf *b, const out_rating *o)
{
    const rp_pack *p = o->pack;
    char num[32];
    out_csv_field(b, o->ev->council, 0);
    snprintf(num, sizeof num, "%d", o->ev->year);
    out_csv_field(b, num, 0);
    out_csv_field(b, o->ev->round, 0);
    for (size_t s = 0; s < p->nservices; s++) {
        const rt_service *rs = &o->r->svc[s];
        out_csv_field(b, judgement_word(&p->serving, rs->serving), 0);
        out_csv_field(b, source_of(rs->serving_given, rs->serving), 0);
        out_csv_field(b, judgement_word(&p->capacity, rs->capacity), 0);
        out_csv_field(b, source_of(rs->capacity_given, rs->capacity), 0);
    }
    snprintf(num, sizeof num, "%d", o->r->stars);
    out_csv_field(b, o->r->stars >= 0 ? num : "", 0);
    out_csv_field(b, fired_rule(o) ? fired_rule(o)->id : "", 0);
    snprintf(num, sizeof num, "%d", o->ev->pub_stars);
    out_csv_field(b, o->ev->pub_stars >= 0 ? num : "", 0);
    char rs[160];
    snprintf(rs, sizeof rs, "%s %s", p->name, p->version);
    out_csv_field(b, rs, 0);
    out_csv_field(b, o->ev->path, 1);
}

/* One column per service of the pack, headed by its id. */
void out_table_header(sr_buf *b, const rp_pack *p)
{
    sr_buf_printf(b, "%-46s %-5s ", "council", "year");
    for (size_t s = 0; s < p->nservices; s++)
        sr_buf_printf(b, "%-20s ", p->services[s].id);
    sr_buf_printf(b, "%-6s %-15s %s\n", "stars", "rule", "published");
}

/* "most/promising" with a mark for each given judgement and "?" for a missing one. */
static void pair_cell(char *out, size_t n, const rp_pack *p, const rt_service *rs)
{
    snprintf(out, n, "%s%s/%s%s", rs->serving >= 0 ? p->serving.words[rs->serving].id : "?",
             rs->serving_given ? "*" : rs->ncaps_fired ? "^" : "",
             rs->capacity >= 0 ? p->capacity.words[rs->capacity].id : "?",
             rs->capacity_given ? "*" : "");
}

void out_table_row(sr_buf *b, const out_rating *o)
{
    const rp_pack *p = o->pack;
    char cells[RP_MAX_SERVICES][64] = {{0}};
    for (size_t s = 0; s < p->nservices && s < RP_MAX_SERVICES; s++)
        pair_cell(cells[s], sizeof cells[s], p, &o->r->svc[s]);
    char stars[16], pub[48];
    if (o->r->stars >= 0)
        snprintf(stars, sizeof stars, "%d", o->r->stars);
    else
        snprintf(stars, sizeof stars, "?");
    if (o->ev->pub_stars < 0)
        snprintf(pub, sizeof pub, "-");
    else if (o->r->stars >= 0)
        snprintf(pub, sizeof pub, "%d (%s)", o->ev->pub_stars,
                 o->ev->pub_stars == o->r->stars ? "agrees" : "differs");
    else
        snprintf(pub, sizeof pub, "%d", o->ev->pub_stars);
    const rp_star_rule *rule = fired_rule(o);
    char council[256];
    sr_escape_text(council, sizeof council, o->ev->council, NULL);
    sr_buf_printf(b, "%-46.46s %-5d ", council, o->ev->year);
    for (size_t s = 0; s < p->nservices && s < RP_MAX_SERVICES; s++)
        sr_buf_printf(b, "%-20s ", cells[s]);
    sr_buf_printf(b, "%-6s %-15s %s\n", stars, rule ? rule->id : "-", pub);
}

/* ---- explanation ---------------------------------------------------------------------- */

static const char *service_title(const rp_pack *p, const char *subject)
{
    for (size_t s = 0; s < p->nservices; s++) {
        size_t n = strlen(p->services[s].id);
        if (strncmp(subject, p->services[s].id, n) == 0 && subject[n] == '.')
            return p->services[s].title;
    }
    return NULL;
}

/* A heading for a node in the inspectorate's terms. */
static void node_heading(sr_buf *b, const rp_pack *p, const tr_node *nd)
{
    const char *dot = strchr(nd->subject, '.');
    const char *rest = dot ? dot + 1 : nd->subject;
    int std = nd->standard;
    if (nd->kind == TR_STAR)
        sr_buf_puts(b, "Rating");
    else if (nd->kind == TR_BAND)
        sr_buf_printf(b, "Indicator %s", strchr(rest, '.') ? strchr(rest, '.') + 1 : rest);
    else if (nd->kind == TR_GRADE && std >= 1 && std <= RP_STANDARDS)
        sr_buf_printf(b, "Standard %d, %s", std, p->standards[std - 1].name ? p->standards[std - 1].name : "");
    else if (nd->kind == TR_CAP)
        sr_buf_printf(b, "Key threshold %s", nd->rule ? nd->rule : rest);
    else if (strcmp(rest, "serving") == 0)
        sr_buf_printf(b, "Judgement: %s", p->serving.name);
    else if (strcmp(rest, "capacity") == 0)
        sr_buf_printf(b, "Judgement: %s", p->capacity.name);
    else if (nd->kind == TR_FINDING)
        sr_buf_puts(b, "Finding");
    else
        sr_buf_puts(b, rest);
}

/* The inspectorate's words for a word id: "very good" for very_good, "most" stays "most". */
static const char *word_text(const rp_pack *p, const char *id)
{
    int g = id ? rp_word_index(&p->grade, id) : -1;
    return g >= 0 ? p->grade.words[g].text : id;
}

static const char *source_note(tr_source source)
{
    return source == TR_GIVEN ? ", given in the evidence"
           : source == TR_INSUFFICIENT ? ", insufficient evidence" : "";
}

/* A chain of cut-offs (best first, the last one met) as one sentence:
 * "The score of 0.23 reaches the cut-off for good (0.1) but not the one for very good (0.5)." */
static void explain_cutoffs(sr_buf *b, const rp_pack *p, const tr_compare *first)
{
    const tr_compare *met = NULL, *above = NULL;
    for (const tr_compare *c = first; c; c = c->next) {
        if (c->met) {
            met = c;
            break;
        }
        above = c;
    }
    if (!met)
        return;
    const char *word = word_text(p, met->word);
    if (met->limit && met->op == TR_OP_WITHIN)
        sr_buf_printf(b, "      The %s, %s, lies within %s for %s", met->what, met->value, met->limit, word);
    else if (met->limit)
        sr_buf_printf(b, "      The %s, %s, reaches the cut-off for %s (%s %s)", met->what, met->value,
                      word, tr_op_words[met->op], met->limit);
    else if (above && above->limit) {
        sr_buf_printf(b, "      The %s, %s, is below the cut-off for %s (%s %s): %s.\n", met->what,
                      met->value, word_text(p, above->word), tr_op_words[above->op], above->limit, word);
        return;
    } else
        sr_buf_printf(b, "      The %s, %s, gives %s", met->what, met->value, word);
    if (above && above->limit)
        sr_buf_printf(b, " but not the one for %s (%s %s)", word_text(p, above->word),
                      tr_op_words[above->op], above->limit);
    sr_buf_puts(b, ".\n");
}

static void explain_threshold(sr_buf *b, const tr_compare *c)
{
    sr_buf_printf(b, "      The %s, %s, is %s%s the key threshold of %s: %s.\n", c->what, c->value,
                  c->met ? "" : "not ", c->op == TR_OP_GT ? "above" : "below", c->limit,
                  c->met ? "breached" : "not breached");
}

static void explain_inputs(sr_buf *b, const tr_node *nd)
{
    int header = 0;
    for (const tr_input *in = nd->inputs; in; in = in->next) {
        if (!header && nd->kind == TR_GRADE) {
            sr_buf_puts(b, "      Evidence:\n");
            header = 1;
        }
        tr_source src = in->source;
        sr_buf_puts(b, "        - ");
        sr_buf_put_escaped(b, in->name, NULL);
        sr_buf_puts(b, ": ");
        sr_buf_put_escaped(b, in->value ? in->value : "(null)", NULL);
        if (src != TR_SRC_NONE && src != TR_EVIDENCE && src != TR_GIVEN)
            sr_buf_printf(b, " (%s)", src == TR_EXTRACTED ? "extracted from the letter" : tr_source_words[src]);
        else if (src == TR_GIVEN && nd->kind != TR_GRADE &&
                 nd->kind != TR_BAND && nd->kind != TR_CAP)
            sr_buf_puts(b, " (given)");
        sr_buf_putc(b, '\n');
    }
}

static void explain_node(sr_buf *b, const rp_pack *p, const tr_node *nd)
{
    sr_buf_puts(b, "  ");
    node_heading(b, p, nd);
    if (tr_output(nd))
        sr_buf_printf(b, ": %s%s\n", word_text(p, tr_output(nd)), source_note(nd->source));
    else
        sr_buf_printf(b, ": %s\n", nd->source == TR_INSUFFICIENT
                                       ? "insufficient evidence" : "not assessed");
    if (nd->text) {
        sr_buf_puts(b, "      ");
        sr_buf_put_escaped(b, nd->text, NULL);
        sr_buf_putc(b, '\n');
    }
    explain_inputs(b, nd);
    const tr_compare *c = nd->cmps;
    if (c && c->op && (c->op == TR_OP_GT || c->op == TR_OP_LT))
        explain_threshold(b, c);
    else if (c)
        explain_cutoffs(b, p, c);
    if (nd->rule && nd->provenance)
        sr_buf_printf(b, "      Rule %s (%s), %s:%d\n", nd->rule,
                      rp_prov_text(nd->provenance == TR_PROV_RECONSTRUCTED),
                      nd->file, nd->line);
    else if (nd->source == TR_GIVEN && nd->file)
        sr_buf_printf(b, "      Given at %s:%d\n", nd->file, nd->line);
}

/* Marks `id` and everything it rests on. */
static void mark_uses(const tr_trace *t, int id, unsigned char *mark)
{
    if (id < 0 || (size_t)id >= t->n || mark[id])
        return;
    mark[id] = 1;
    for (const tr_use *u = t->nodes[id].uses; u; u = u->next)
        mark_uses(t, u->node, mark);
}

int out_explain(sr_buf *b, const out_rating *o, const char *why)
{
    const rp_pack *p = o->pack;
    const tr_trace *t = &o->r->trace;
    unsigned char *mark = sr_calloc(t->n ? t->n : 1, 1);
    if (!mark) {
        b->oom = 1;
        return 1;
    }
    int found = !why;
    for (size_t i = 0; why && i < t->n; i++)
        if (strcmp(t->nodes[i].subject, why) == 0) {
            mark_uses(t, (int)i, mark);
            found = 1;
        }
    if (!found) {
        sr_free(mark);
        return 0;
    }
    sr_buf_puts(b, "How the rating of ");
    sr_buf_put_escaped(b, o->ev->council, NULL);
    sr_buf_printf(b, " (%d) was derived\n", o->ev->year);
    sr_buf_printf(b, "Rules %s %s (sha256 %.12s), evidence %s (sha256 %.12s)\n", p->name,
                  p->version, p->sha256, o->ev->path, o->ev->sha256);
    const char *current = "";
    for (size_t i = 0; i < t->n; i++) {
        const tr_node *nd = &t->nodes[i];
        if (why && !mark[i])
            continue;
        const char *title = service_title(p, nd->subject);
        title = title ? title : "Overall";
        if (strcmp(title, current) != 0) {
            sr_buf_printf(b, "\n%s\n", title);
            current = title;
        }
        explain_node(b, p, nd);
    }
    sr_buf_putc(b, '\n');
    out_text(b, o);
    sr_free(mark);
    return 1;
}
