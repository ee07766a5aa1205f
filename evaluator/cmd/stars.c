/*
 * stars.c — `starrate stars`: the rule pack's star table alone, applied to judgements given
 * on the command line.
 */
#include "cmd.h"
#include "json.h"
#include "luahost.h"
#include "output.h"
#include "pack.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

typedef enum { FMT_TEXT, FMT_JSON } stars_format;

typedef struct stars_opts {
    int format; /* stars_format */
    const char *rules, *year, *output;
} stars_opts;

static const char *const stars_formats[] = {"text", "json", NULL};

#define OPT(field) offsetof(stars_opts, field)
const po_option stars_options[] = {
    {PO_CHOICE, 0, "format", OPT(format), "text|json", "output format (default text)", 0, 0, stars_formats, NULL},
    {PO_STRING, 0, "rules", OPT(rules), "PACK", "rule pack folder or round", 0, 0, NULL, NULL},
    {PO_STRING, 0, "year", OPT(year), "Y", "the pack of round Y (default: the latest round)", 0, 0, NULL, NULL},
    {PO_STRING, 'o', "output", OPT(output), "FILE", "write the output to FILE atomically instead of standard output", 0, 0, NULL, NULL},
    {PO_END, 0, NULL, 0, NULL, NULL, 0, 0, NULL, NULL},
};
#undef OPT

const char stars_description[] =
    "Applies the rule pack's star table to the judgements of each service of the pack, in its\n"
    "order, each PAIR given as SERVING/CAPACITY (e.g. most/promising), and names the rule that\n"
    "fired.\n";

typedef struct stars_cmd {
    FILE *out, *err;
    stars_opts o;
    char **args;
    int nargs;
    ss_session *session;
} stars_cmd;

static int parse_pair(stars_cmd *c, rp_pack *p, const char *arg, int *serving, int *capacity)
{
    const char *slash = strchr(arg, '/');
    char sv[64];
    if (!slash || (size_t)(slash - arg) >= sizeof sv)
        return cmd_usage(c->err, "stars", "'%s' is not SERVING/CAPACITY (e.g. most/promising)", arg);
    snprintf(sv, sizeof sv, "%.*s", (int)(slash - arg), arg);
    *serving = rp_word_index(&p->serving, sv);
    *capacity = rp_word_index(&p->capacity, slash + 1);
    if (*serving < 0 || *capacity < 0) {
        sr_buf words;
        sr_buf_init(&words);
        const rp_scale *sc = *serving < 0 ? &p->serving : &p->capacity;
        for (size_t i = 0; i < sc->nwords; i++)
            sr_buf_printf(&words, "%s%s", i ? ", " : "", sc->words[i].id);
        fprintf(c->err, "starrate: '%s' is not a %s word (expected one of: %s)\n",
                *serving < 0 ? sv : slash + 1, sc->name, words.data ? words.data : "");
        sr_buf_free(&words);
        return EXIT_USAGE;
    }
    return 0;
}

static void stars_json(sr_buf *b, rp_pack *p, const int *serving, const int *capacity, int row)
{
    js_writer w;
    js_init(&w, b, 1);
    const rp_star_rule *r = &p->star_rules[row];
    js_object(&w);
    js_key(&w, "stars"); js_int(&w, r->stars);
    js_key(&w, "rule");
    js_object(&w);
    js_key(&w, "id"); js_string(&w, r->id);
    js_key(&w, "sentence"); js_string(&w, r->sentence);
    js_key(&w, "provenance"); js_string(&w, rp_prov_json(r->prov.reconstructed));
    js_key(&w, "reference"); js_string(&w, r->prov.text);
    js_key(&w, "file"); js_string(&w, r->prov.file);
    js_key(&w, "line"); js_int(&w, r->prov.line);
    js_end_object(&w);
    js_key(&w, "services");
    js_object(&w);
    for (size_t s = 0; s < p->nservices; s++) {
        js_key(&w, p->services[s].id);
        js_object(&w);
        js_key(&w, "serving"); js_string(&w, p->serving.words[serving[s]].id);
        js_key(&w, "capacity"); js_string(&w, p->capacity.words[capacity[s]].id);
        js_end_object(&w);
    }
    js_end_object(&w);
    js_key(&w, "ruleset");
    js_object(&w);
    js_key(&w, "name"); js_string(&w, p->name);
    js_key(&w, "version"); js_string(&w, p->version);
    js_key(&w, "sha256"); js_string(&w, p->sha256);
    js_end_object(&w);
    out_json_engine(&w);
    js_end_object(&w);
    sr_buf_putc(b, '\n');
}

static void stars_text(sr_buf *b, rp_pack *p, const int *serving, const int *capacity, int row)
{
    const rp_star_rule *r = &p->star_rules[row];
    for (size_t s = 0; s < p->nservices; s++)
        sr_buf_printf(b, "%s: %s; %s\n", p->services[s].title, p->serving.words[serving[s]].text,
                      p->capacity.words[capacity[s]].text);
    sr_buf_printf(b, "%d %s, by rule %s: %s\n", r->stars, rp_unit(p, r->stars),
                  r->id, r->sentence);
    sr_buf_printf(b, "(%s: %s; %s:%d; rules %s %s)\n",
                  rp_prov_text(r->prov.reconstructed), r->prov.text,
                  r->prov.file, r->prov.line, p->name, p->version);
}

static int stars_run(stars_cmd *c)
{
    sr_error e;
    sr_error_clear(&e);
    char dir[PATH_MAX];
    const char *name = c->o.rules ? c->o.rules : c->o.year;
    if (!name) {
        if (rp_latest(dir, sizeof dir, &e) != SR_OK)
            return cmd_reject(c->err, &e);
        name = dir;
    }
    rp_pack *p = ss_pack(c->session, name, &e);
    if (!p)
        return cmd_reject(c->err, &e);
    if ((size_t)c->nargs != p->nservices) {
        fprintf(c->err, "starrate: stars needs %zu judgement pairs (", p->nservices);
        for (size_t s = 0; s < p->nservices; s++)
            fprintf(c->err, "%s%s", s ? " " : "", p->services[s].id);
        fprintf(c->err, "), e.g. starrate stars most/promising some/promising\n");
        return EXIT_USAGE;
    }
    int serving[RP_MAX_SERVICES], capacity[RP_MAX_SERVICES], row;
    for (size_t s = 0; s < p->nservices; s++)
        if (parse_pair(c, p, c->args[s], &serving[s], &capacity[s]))
            return EXIT_USAGE;
    lh_budget_reset(p->host);
    if (rp_stars(p, serving, capacity, &row, &e) != SR_OK || row < 0) {
        if (row < 0 && e.code == SR_OK)
            sr_fail(&e, SR_ERULES, p->dir, 0, 0, "no star rule matched (run starrate check)");
        return cmd_reject(c->err, &e);
    }
    sr_buf b;
    sr_buf_init(&b);
    if (c->o.format == FMT_JSON)
        stars_json(&b, p, serving, capacity, row);
    else
        stars_text(&b, p, serving, capacity, row);
    int status = cmd_deliver(&b, c->o.output, c->out, c->err);
    sr_buf_free(&b);
    return status;
}


int cmd_stars(int argc, char **argv, FILE *out, FILE *err)
{
    stars_cmd c = {out, err, {0}, NULL, 0, NULL};
    int status;
    if ((c.nargs = cmd_parse(argc, &argv, &c.o, out, err, &status)) < 0)
        return status;
    c.args = argv;
    if (!(c.session = cmd_session_new(err)))
        return EXIT_REJECTED;
    status = stars_run(&c);
    cmd_session_free(c.session);
    return status;
}
