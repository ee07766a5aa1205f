/*
 * eval.c — the layered derivation: bands, standard grades, judgements with caps, stars.
 */
#include "eval.h"

#include <lauxlib.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct ctx {
    rp_pack *p;
    lua_State *L;
    const ev_evidence *ev;
    rt_result *r;
    tr_trace *t;
    sr_error *err;
    int fns[4];
    int keys;      /* stack index of the first input key (input_key_words), pushed once */
    int kinds;     /* stack index of the first finding kind word (ev_kind_words) */    /* stack indexes of the rule functions (see push_rule_function), 0 none */
} ctx;

static void node_rule(ctx *c, int node, const char *rule, const rp_prov *prov)
{
    tr_node *nd = tr_get(c->t, node);
    if (!nd)
        return;
    nd->rule = tr_str(c->t, rule);
    nd->file = tr_str(c->t, prov->file);
    nd->line = prov->line;
    nd->provenance = prov->reconstructed ? TR_PROV_RECONSTRUCTED : TR_PROV_SOURCE;
}

static void node_given(ctx *c, int node, int line)
{
    tr_node *nd = tr_get(c->t, node);
    if (!nd)
        return;
    nd->source = TR_GIVEN;
    nd->file = tr_str(c->t, c->ev->path);
    nd->line = line;
}

/* ---- bands ---------------------------------------------------------------------------- */

/* What meeting a band gives, as the trace words it ("band 4"). */
static const char *band_word(int band, char *buf, size_t len)
{
    static const char *const words[] = {"band 0", "band 1", "band 2", "band 3", "band 4", "band 5"};
    if (band >= 0 && band <= 5)
        return words[band];
    snprintf(buf, len, "band %d", band);
    return buf;
}

/* One comparison of a band step: the value against the band's limits. */
static void band_compare(tr_trace *t, int node, const char *what, const char *value, double num,
                         const rp_band *b, int met)
{
    tr_op op = b->has_min && b->has_max ? TR_OP_WITHIN : b->has_min ? TR_OP_GE : TR_OP_LE;
    const char *limit;
    if (b->has_min && b->has_max)
        limit = tr_concat(t, tr_number(t, b->min), " to ", tr_number(t, b->max), NULL);
    else
        limit = tr_number(t, b->has_min ? b->min : b->max);
    char word[16];
    tr_compare_add(t, node, what, value, num, op, limit, band_word(b->band, word, sizeof word), met);
}

/* rt_band_of with the value already formatted for the trace (`shown`). */
static int band_of(const rp_indicator *d, double value, const char *shown, tr_trace *t, int node)
{
    int traced = t && node >= 0;
    char what[64];
    if (traced)
        snprintf(what, sizeof what, "value of %s", d->code);
    for (size_t i = 0; i < d->nbands; i++) {
        const rp_band *b = &d->bands[i];
        int met = (!b->has_min || value >= b->min) && (!b->has_max || value <= b->max);
        if (traced)
            band_compare(t, node, what, shown, value, b, met);
        if (met)
            return b->band;
    }
    if (traced)
        tr_compare_add(t, node, what, shown, value, TR_OP_NONE, NULL, "band 1", 1);
    return 1;
}

int rt_band_of(const rp_indicator *d, double value, tr_trace *t, int node)
{
    return band_of(d, value, t && node >= 0 ? tr_number(t, value) : NULL, t, node);
}

static tr_source value_source(const ev_indicator *ind)
{
    return ind->origin == EV_ORIGIN_LETTER ? TR_EXTRACTED : TR_GIVEN;
}

/* The trace of a band step: the value, where the band came from, and the band. */
static void band_trace(ctx *c, int node, const ev_indicator *ind, const char *shown, int band)
{
    if (ind->has_value)
        tr_input_add(c->t, node, ind->code, shown, value_source(ind));
    if (ind->band)
        node_given(c, node, ind->line);
    else
        node_rule(c, node, tr_concat(c->t, "bands.", ind->code, NULL), &ind->def->prov);
    tr_node *nd = tr_get(c->t, node);
    if (!nd)
        return;
    if (ind->band) {
        nd->text = tr_printf(c->t, "%s: published band %d", ind->def->name, ind->band);
    } else {
        nd->source = TR_DERIVED;
        /* "%s: %s %s is in band %d", without a format to parse for every indicator */
        nd->text = tr_concat(c->t, ind->def->name, ": ", shown, " ", ind->def->unit,
                             " is in band ", tr_number(c->t, band), NULL);
    }
    nd->output = tr_number(c->t, band);
}

static void band_step(ctx *c, size_t s, size_t i, int *band, int *bnode)
{
    const ev_indicator *ind = &c->ev->services[s].indicators[i];
    int node = tr_add(c->t, TR_BAND, tr_concat(c->t, c->p->services[s].id, ".indicator.", ind->code, NULL));
    *bnode = node;
    /* formatted once for the input, the comparisons and the sentence */
    const char *shown = node >= 0 ? tr_number(c->t, ind->value) : NULL;
    *band = ind->band ? ind->band : band_of(ind->def, ind->value, shown, c->t, node);
    if (node >= 0)
        band_trace(c, node, ind, shown, *band);
}

/* ---- calling a rule ------------------------------------------------------------------- */

/* The field names of the rules' inputs (docs/rules.md). They are pushed once per evaluation
 * and stored with lua_rawset: lua_setfield would look each C string up among Lua's strings
 * again, for every field of every table (a tenth of an evaluation). */
typedef enum input_key {
    IK_ID, IK_KIND, IK_WEIGHT, IK_TEXT, IK_THEME, IK_SERVICE, IK_STANDARD, IK_EXPLAIN, IK_CODE,
    IK_BAND, IK_INDICATORS, IK_FINDINGS, IK_GRADE, IK_GRADES, IK_IMPROVED, IK_WORSENED,
    IK_COMPARED, IK_TRAVEL, IK_COUNT
} input_key;

static const char *const input_key_words[IK_COUNT] = {
    "id", "kind", "weight", "text", "theme", "service", "standard", "explain", "code",
    "band", "indicators", "findings", "grade", "grades", "improved", "worsened",
    "compared", "travel",
};

/* Pushes the keys and the finding kinds (IK_COUNT + EV_NKINDS slots). */
static void push_words(ctx *c)
{
    c->keys = lua_gettop(c->L) + 1;
    for (int k = 0; k < IK_COUNT; k++)
        lua_pushstring(c->L, input_key_words[k]);
    c->kinds = lua_gettop(c->L) + 1;
    for (int k = 0; k < EV_NKINDS; k++)
        lua_pushstring(c->L, ev_kind_words[k]);
}

/* Stores the value on top of the stack as field k of the table below it. */
static void set_field(ctx *c, input_key k)
{
    lua_pushvalue(c->L, c->keys + (int)k);
    lua_insert(c->L, -2);
    lua_rawset(c->L, -3);
}

static void set_string(ctx *c, input_key k, const char *v)
{
    lua_pushvalue(c->L, c->keys + (int)k);
    lua_pushstring(c->L, v);
    lua_rawset(c->L, -3);
}

static void set_number(ctx *c, input_key k, double v)
{
    lua_pushvalue(c->L, c->keys + (int)k);
    lua_pushnumber(c->L, v);
    lua_rawset(c->L, -3);
}

/* Every rule input says whether an audit trail is being kept: rules build the details they
 * return (reason, score, compared) only for it. */
static void set_explain(ctx *c)
{
    lua_pushvalue(c->L, c->keys + IK_EXPLAIN);
    lua_pushboolean(c->L, !c->t->off);
    lua_rawset(c->L, -3);
}

/* Scores are shown to two decimals: the rules' cut-offs are never finer than that. A rule
 * compares one score with several cut-offs, so the last text is kept for the next row. */
typedef struct score_memo {
    double v;
    const char *text;
} score_memo;

static const char *score_text(ctx *c, double v, score_memo *m)
{
    if (m->text && m->v == v)
        return m->text;
    m->v = v;
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v)
        return m->text = tr_number(c->t, v);
    return m->text = tr_printf(c->t, "%.2f", v);
}

/* Copies the details table a rule returned (top of stack) into the node. Only `needs` is
 * part of the result; the rest is read for the trace alone. */
static void read_details(ctx *c, int node, const char **needs)
{
    lua_State *L = c->L;
    if (!lua_istable(L, -1))
        return;
    tr_node *nd = tr_get(c->t, node);
    size_t len;
    const char *s;
    if (nd && lua_getfield(L, -1, "reason") == LUA_TSTRING) {
        s = lua_tolstring(L, -1, &len);
        nd->text = tr_rule_text(c->t, s, len, 0);
    }
    if (nd)
        lua_pop(L, 1);
    if (lua_getfield(L, -1, "needs") == LUA_TSTRING && needs) {
        s = lua_tolstring(L, -1, &len);
        *needs = tr_rule_text(c->t, s, len, 1);
    }
    lua_pop(L, 1);
    if (!nd)
        return;
    if (lua_getfield(L, -1, "compared") == LUA_TTABLE) {
        score_memo values = {0, NULL}, limits = {0, NULL};
        lua_Integer n = luaL_len(L, -1);
        for (lua_Integer i = 1; i <= n && i <= 64; i++) {
            lua_rawgeti(L, -1, i);
            if (lua_istable(L, -1)) {
                lua_getfield(L, -1, "what");
                lua_getfield(L, -2, "value");
                lua_getfield(L, -3, "limit");
                lua_getfield(L, -4, "word");
                lua_getfield(L, -5, "met");
                const char *limit = lua_isnumber(L, -3) ? score_text(c, lua_tonumber(L, -3), &limits) : NULL;
                double num = lua_isnumber(L, -4) ? lua_tonumber(L, -4) : NAN;
                const char *value = isnan(num) ? "?" : score_text(c, num, &values);
                size_t wlen = 0, olen = 0;
                const char *what = lua_isstring(L, -5) ? lua_tolstring(L, -5, &wlen) : NULL;
                const char *word = lua_isstring(L, -2) ? lua_tolstring(L, -2, &olen) : NULL;
                tr_compare_add(c->t, node, what ? tr_rule_text(c->t, what, wlen, 0) : "value",
                               value, num, limit ? TR_OP_GE : TR_OP_NONE, limit,
                               word ? tr_rule_text(c->t, word, olen, 0) : NULL,
                               lua_toboolean(L, -1));
                lua_pop(L, 5);
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
}

/* The pack's rules, in the order of ctx.fns. */
static void pack_rules(const ctx *c, const rp_rule *rules[4])
{
    rules[0] = c->p->grade_rule;
    rules[1] = c->p->serving_rule;
    rules[2] = c->p->capacity_grade_rule;
    rules[3] = c->p->capacity_rule;
}

/* Pushes the rules' functions once per evaluation (from the pack's declarations, three
 * lookups each) so that a call only copies one. */
static void push_rule_functions(ctx *c)
{
    const rp_rule *rules[4];
    pack_rules(c, rules);
    for (int k = 0; k < 4; k++) {
        c->fns[k] = 0;
        if (rules[k]) {
            rp_push_function(c->p, rules[k]->fnref, "fn");
            c->fns[k] = lua_gettop(c->L);
        }
    }
}

static void push_rule_function(ctx *c, const rp_rule *rule)
{
    const rp_rule *rules[4];
    pack_rules(c, rules);
    for (int k = 0; k < 4; k++) {
        if (rule == rules[k] && c->fns[k]) {
            lua_pushvalue(c->L, c->fns[k]);
            return;
        }
    }
    rp_push_function(c->p, rule->fnref, "fn");
}

/* Calls rule->fn with its input table on top of the stack. The word it returns must
 * belong to `scale`; nil means "not assessed".
 *
 * Every input is a set of plain tables made for this one call and dropped after it: nothing
 * a rule does to them can reach another call or a later evaluation, and reads are the VM's
 * own table lookups, with no metamethod or C function between the rule and its data. */
static int call_rule(ctx *c, const rp_rule *rule, const rp_scale *scale, int node, int *word,
                     const char **needs)
{
    lua_State *L = c->L;
    *word = -1;
    int rc;
    push_rule_function(c, rule);
    lua_insert(L, -2);
    if ((rc = lh_pcall(c->p->host, 1, 2, c->err)) != SR_OK)
        return rc;
    node_rule(c, node, rule->id, &rule->prov);
    if (lua_type(L, -2) == LUA_TSTRING) {
        *word = rp_word_index(scale, lua_tostring(L, -2));
        if (*word < 0) {
            rc = sr_fail(c->err, SR_ERULES, rule->prov.file, rule->prov.line, 0,
                         "rule %s returned '%s', which is not a word of the %s scale", rule->id,
                         lua_tostring(L, -2), scale->id);
            lua_pop(L, 2);
            return rc;
        }
    } else if (!lua_isnil(L, -2)) {
        lua_pop(L, 2);
        return sr_fail(c->err, SR_ERULES, rule->prov.file, rule->prov.line, 0,
                       "rule %s must return a word of the %s scale or nil", rule->id, scale->id);
    }
    read_details(c, node, needs);
    lua_pop(L, 1);
    tr_node *nd = tr_get(c->t, node);
    if (nd) {
        nd->output = *word >= 0 ? scale->words[*word].id : NULL;
        nd->source = *word >= 0 ? TR_DERIVED : TR_NOT_ASSESSED;
    }
    return SR_OK;
}

/* ---- the memo (see rt_result.memo) ---------------------------------------------------- */

/* Site numbers within a service: the grade of standard n is n - 1 (that of the standard
 * informing capacity too). */
enum { SITE_SERVING = RP_STANDARDS, SITE_CAPACITY = RP_STANDARDS + 1 };

/* The memo slot of a call site, or NULL with the trace on: the trace needs the rule's
 * details, so then the rule always runs. */
static rt_memo *memo_begin(ctx *c, size_t s, int site)
{
    if (!c->t->off || c->r->memo_off)
        return NULL;
    return &c->r->memo[s][site];
}

static void key_bytes(ctx *c, const void *v, size_t n) { sr_buf_putn(&c->r->memo_key, v, n); }
static void key_int(ctx *c, int v) { key_bytes(c, &v, sizeof v); }
static void key_num(ctx *c, double v) { key_bytes(c, &v, sizeof v); }

/* A string with its terminator, so that consecutive strings cannot run together; NULL is
 * a lone 0xff byte, which no UTF-8 text starts with. */
static void key_str(ctx *c, const char *v)
{
    if (v)
        key_bytes(c, v, strlen(v) + 1);
    else
        key_bytes(c, "\xff", 1);
}

/* Everything a rule sees of a finding. */
static void key_finding(ctx *c, const ev_finding *f, int with_theme)
{
    key_str(c, f->id);
    key_int(c, (int)f->kind);
    key_num(c, f->weight);
    key_str(c, f->text);
    if (with_theme)
        key_int(c, f->theme);
}

/* After the key is complete: *hit says whether the slot holds the answer for it (then word
 * and needs are filled in). Fails only when the key could not be built. */
static int memo_lookup(ctx *c, const rt_memo *m, int *hit, int *word, const char **needs)
{
    const sr_buf *k = &c->r->memo_key;
    *hit = 0;
    if (k->oom)
        return sr_oom(c->err);
    if (!m->valid || m->key.len != k->len || memcmp(m->key.data, k->data, k->len) != 0)
        return SR_OK;
    *hit = 1;
    *word = m->word;
    if (needs)
        *needs = m->needs;
    c->r->memo_hits++;
    return SR_OK;
}

/* Keeps the rule's answer for the key just built (the key buffer changes hands). */
static int memo_store(ctx *c, rt_memo *m, int word, const char *needs)
{
    if (!m)
        return SR_OK;
    m->valid = 0;
    char *copy = NULL;
    if (needs && !(copy = sr_strdup(needs)))
        return sr_oom(c->err);
    sr_free(m->needs);
    m->needs = copy;
    sr_buf key = m->key;
    m->key = c->r->memo_key;
    c->r->memo_key = key;
    m->word = word;
    m->valid = 1;
    return SR_OK;
}

/* Runs the memo around a rule call: `key` writes the input's bytes, `call` pushes the input
 * and calls the rule. Returns what the call returns, or SR_OK after a hit. */
typedef struct site {
    size_t s;
    int site;
    void (*key)(ctx *, size_t s, int std);
    int (*call)(ctx *, size_t s, int std, int *word, const char **needs);
    int std;
} site;

/* The key of a call site's input is what the memo compares: the site, then the bytes of
 * everything the rule receives. */
static int run_site(ctx *c, const site *st, int *word, const char **needs)
{
    rt_memo *m = memo_begin(c, st->s, st->site);
    if (m) {
        c->r->memo_key.len = 0;
        key_int(c, (int)st->s);
        key_int(c, st->site);
        st->key(c, st->s, st->std);
        int hit, rc = memo_lookup(c, m, &hit, word, needs);
        if (rc != SR_OK || hit)
            return rc;
    }
    c->r->rule_calls++;
    int rc = st->call(c, st->s, st->std, word, needs);
    if (rc == SR_OK)
        rc = memo_store(c, m, *word, needs ? *needs : NULL);
    return rc;
}

/* ---- the standards that inform serving ------------------------------------------------ */

/* The standards a finding speaks to: its tags, or else those of the indicators it names. */
unsigned rt_finding_standards(const rp_pack *p, const ev_evidence *ev, const ev_finding *f)
{
    if (f->standards)
        return f->standards;
    unsigned mask = 0;
    for (size_t i = 0; i < f->ncodes; i++) {
        const rp_indicator *d = rp_indicator_find(p, f->codes[i]);
        for (size_t k = 0; !d && k < ev->ncustom; k++)
            if (strcmp(ev->custom[k].code, f->codes[i]) == 0)
                d = &ev->custom[k];
        if (d)
            mask |= 1u << d->standard;
    }
    return mask;
}

/* Whether finding i of service s speaks to standard std (worked out once, in prepare). */
static int finding_in(const ctx *c, size_t s, size_t i, int std)
{
    return (c->r->svc[s].finding_std[i] >> std) & 1;
}

/* "concern (weight 2, letter line 81): the level of carers assessments ..." */
static const char *finding_text(ctx *c, const ev_finding *f)
{
    if (c->t->off)
        return NULL;
    char extra[64] = "";
    if (f->weight != 1 && f->letter_line)
        snprintf(extra, sizeof extra, " (weight %g, letter line %d)", f->weight, f->letter_line);
    else if (f->weight != 1)
        snprintf(extra, sizeof extra, " (weight %g)", f->weight);
    else if (f->letter_line)
        snprintf(extra, sizeof extra, " (letter line %d)", f->letter_line);
    char kind[32];
    size_t n = 0;
    for (const char *w = ev_kind_words[f->kind]; *w && n < sizeof kind - 1; w++)
        kind[n++] = *w == '_' ? ' ' : *w;
    kind[n] = '\0';
    return tr_concat(c->t, kind, extra, ": ", f->text, NULL);
}

/* Pushes {id, kind, weight, text[, theme]} for a finding. */
static void push_finding(ctx *c, const ev_finding *f, int with_theme)
{
    lua_State *L = c->L;
    lua_createtable(L, 0, 5);
    set_string(c, IK_ID, f->id);
    lua_pushvalue(L, c->keys + IK_KIND);
    lua_pushvalue(L, c->kinds + (int)f->kind);
    lua_rawset(L, -3);
    set_number(c, IK_WEIGHT, f->weight);
    set_string(c, IK_TEXT, f->text);
    if (with_theme && f->theme >= 0)
        set_string(c, IK_THEME, ev_theme_words[f->theme]);
}

/* Pushes the list of the findings that speak to standard std. Each grade input gets tables
 * of its own (see call_rule): a finding that speaks to two standards is built twice, which
 * costs less than making shared tables read-only, and a finding mostly speaks to one. */
static void push_grade_findings(ctx *c, size_t s, int std, int node, int nfind)
{
    lua_State *L = c->L;
    const ev_service *svc = &c->ev->services[s];
    lua_createtable(L, nfind, 0);
    int n = 0;
    for (size_t i = 0; i < svc->nfindings; i++) {
        const ev_finding *f = &svc->findings[i];
        if (!finding_in(c, s, i, std))
            continue;
        push_finding(c, f, 0);
        lua_rawseti(L, -2, ++n);
        tr_input_add(c->t, node, f->id, finding_text(c, f), TR_EVIDENCE);
    }
}

static int grade_uses_indicator(const ev_service *svc, const rt_service *rs, size_t i, int std)
{
    return svc->indicators[i].def->standard == std && rs->band[i] != 0;
}

/* The input of the grade rule for one standard: { service, standard, indicators = { {code,
 * band}... }, findings = { {id, kind, weight, text}... } }. The lists are sized before they
 * are filled, so that Lua does not grow them step by step. */
static void push_grade_input(ctx *c, size_t s, int std, int node)
{
    lua_State *L = c->L;
    const ev_service *svc = &c->ev->services[s];
    rt_service *rs = &c->r->svc[s];
    int nind = 0, nfind = 0;
    for (size_t i = 0; i < svc->nindicators; i++)
        nind += grade_uses_indicator(svc, rs, i, std);
    for (size_t i = 0; i < svc->nfindings; i++)
        nfind += finding_in(c, s, i, std);
    lua_createtable(L, 0, 5);
    set_string(c, IK_SERVICE, c->p->services[s].id);
    set_number(c, IK_STANDARD, std);
    set_explain(c);
    lua_createtable(L, nind, 0);
    int n = 0;
    for (size_t i = 0; i < svc->nindicators; i++) {
        if (!grade_uses_indicator(svc, rs, i, std))
            continue;
        lua_createtable(L, 0, 2);
        set_string(c, IK_CODE, svc->indicators[i].code);
        set_number(c, IK_BAND, rs->band[i]);
        lua_rawseti(L, -2, ++n);
        char word[16];
        tr_input_add(c->t, node, svc->indicators[i].code, band_word(rs->band[i], word, sizeof word),
                     svc->indicators[i].band ? TR_GIVEN : TR_DERIVED);
        tr_use_add(c->t, node, rs->band_node[i]);
    }
    set_field(c, IK_INDICATORS);
    push_grade_findings(c, s, std, node, nfind);
    set_field(c, IK_FINDINGS);
}

/* The grade rule's input as bytes: what push_grade_input gives it, but for the service and
 * standard, which the call site fixes. */
static void grade_key(ctx *c, size_t s, int std)
{
    const ev_service *svc = &c->ev->services[s];
    const rt_service *rs = &c->r->svc[s];
    for (size_t i = 0; i < svc->nindicators; i++) {
        if (!grade_uses_indicator(svc, rs, i, std))
            continue;
        key_str(c, svc->indicators[i].code);
        key_int(c, rs->band[i]);
    }
    key_str(c, NULL);
    for (size_t i = 0; i < svc->nfindings; i++)
        if (finding_in(c, s, i, std))
            key_finding(c, &svc->findings[i], 0);
}

static int grade_call(ctx *c, size_t s, int std, int *word, const char **needs)
{
    (void)needs;
    int node = c->r->svc[s].grade_node[std - 1];
    push_grade_input(c, s, std, node);
    return call_rule(c, c->p->grade_rule, &c->p->grade, node, word, NULL);
}

static int grade_step(ctx *c, size_t s, int std)
{
    const ev_service *svc = &c->ev->services[s];
    rt_service *rs = &c->r->svc[s];
    int node = tr_add(c->t, TR_GRADE, tr_printf(c->t, "%s.standard.%d", c->p->services[s].id, std));
    rs->grade_node[std - 1] = node;
    tr_node *nd;
    if ((nd = tr_get(c->t, node)))
        nd->standard = std;
    if (svc->given_grade[std - 1] >= 0) {
        rs->grade[std - 1] = svc->given_grade[std - 1];
        rs->grade_given[std - 1] = 1;
        node_given(c, node, svc->given_line[2 + std - 1]);
        if ((nd = tr_get(c->t, node))) {
            nd->output = c->p->grade.words[rs->grade[std - 1]].id;
            nd->text = "grade given in the evidence";
        }
        return SR_OK;
    }
    if (!c->p->grade_rule) {
        if ((nd = tr_get(c->t, node)))
            nd->source = TR_NOT_ASSESSED, nd->text = "the rule pack has no grade rule";
        return SR_OK;
    }
    site st = {s, std - 1, grade_key, grade_call, std};
    return run_site(c, &st, &rs->grade[std - 1], NULL);
}

/* Findings that name no standard and no indicator cannot inform a grade: say so. */
static void unplaced_findings(ctx *c, size_t s)
{
    const ev_service *svc = &c->ev->services[s];
    for (size_t i = 0; i < svc->nfindings; i++) {
        const ev_finding *f = &svc->findings[i];
        if (c->r->svc[s].finding_std[i])
            continue;
        int node = tr_add(c->t, TR_FINDING, tr_printf(c->t, "%s.finding.%s", c->p->services[s].id, f->id));
        tr_node *nd = tr_get(c->t, node);
        if (nd) {
            nd->source = TR_NOT_ASSESSED;
            nd->file = tr_str(c->t, c->ev->path);
            nd->line = f->line;
            char span[64];
            rp_serving_span(c->p, span, sizeof span);
            nd->text = tr_printf(c->t, "left out of standards %s: \"%s\" names no standard and no indicator",
                                 span, f->text);
        }
    }
}

/* ---- judgements and caps -------------------------------------------------------------- */

static const ev_indicator *find_value(const ev_service *svc, const char *code)
{
    int i = ev_indicator_index(svc, code);
    return i >= 0 ? &svc->indicators[i] : NULL;
}

int rt_cap_breached_by(const rp_cap *cap, double value)
{
    return cap->has_above ? value > cap->above : value < cap->below;
}

int rt_travel_of(const rp_indicator *d, double now, double then)
{
    if (d->polarity == RP_RANGE) {
        /* For a middle range, moving a band up or down is what counts. */
        int bn = rt_band_of(d, now, NULL, -1), bt = rt_band_of(d, then, NULL, -1);
        return bn > bt ? 1 : bn < bt ? -1 : 0;
    }
    int up = d->polarity == RP_HIGHER;
    if (up ? now > then : now < then)
        return 1;
    return (up ? now < then : now > then) ? -1 : 0;
}

/* Evaluates one cap: 1 breached, 0 not breached, -1 not evaluated (no value, or the
 * requirement is not stated), which never fires but is said in the trace. */
static int cap_breached(ctx *c, size_t s, const rp_cap *cap, int node)
{
    const ev_service *svc = &c->ev->services[s];
    if (cap->requirement) {
        const rp_requirement *req = rp_requirement_find(c->p, cap->requirement);
        int met = svc->requirements[req - c->p->requirements];
        tr_input_add(c->t, node, req->text, met < 0 ? "not stated" : met ? "met" : "not met", TR_GIVEN);
        return met < 0 ? -1 : !met;
    }
    const ev_indicator *ind = find_value(svc, cap->indicator);
    if (!ind || !ind->has_value) {
        tr_input_add(c->t, node, cap->indicator, "no value", TR_GIVEN);
        return -1;
    }
    tr_input_add(c->t, node, cap->indicator, tr_number(c->t, ind->value), value_source(ind));
    int breached = rt_cap_breached_by(cap, ind->value);
    tr_compare_add(c->t, node, tr_printf(c->t, "value of %s", cap->indicator),
                   tr_number(c->t, ind->value), ind->value, cap->has_above ? TR_OP_GT : TR_OP_LT,
                   tr_number(c->t, cap->has_above ? cap->above : cap->below), "breached", breached);
    return breached;
}

/* The sentence for a cap's trace node. */
static const char *cap_text(ctx *c, const rp_cap *cap, const rp_scale *scale, int state, int before)
{
    if (state < 0)
        return tr_printf(c->t, "not evaluated: the evidence does not say (if %s, the judgement "
                         "would be capped at %s)", cap->sentence, scale->words[cap->to].id);
    if (state == 0)
        return tr_printf(c->t, "not breached (if %s, the judgement would be capped at %s)",
                         cap->sentence, scale->words[cap->to].id);
    if (before > cap->to)
        return tr_printf(c->t, "capped from %s to %s: %s", scale->words[before].id,
                         scale->words[cap->to].id, cap->sentence);
    return tr_printf(c->t, "breached, no effect: %s, and the judgement is already at most %s",
                     cap->sentence, scale->words[cap->to].id);
}

static void apply_caps(ctx *c, size_t s, int judgement, int *word, int jnode)
{
    rt_service *rs = &c->r->svc[s];
    const rp_scale *scale = judgement ? &c->p->capacity : &c->p->serving;
    for (size_t i = 0; i < c->p->ncaps; i++) {
        const rp_cap *cap = &c->p->caps[i];
        if (cap->service != (int)s || cap->judgement != judgement)
            continue;
        int node = tr_add(c->t, TR_CAP, tr_printf(c->t, "%s.%s.cap.%s", c->p->services[s].id,
                                                   judgement ? "capacity" : "serving", cap->id));
        node_rule(c, node, cap->id, &cap->prov);
        int state = cap_breached(c, s, cap, node);
        int before = *word;
        if (state == 1 && *word > cap->to) {
            *word = cap->to;
            tr_node *jn = tr_get(c->t, jnode);
            if (jn)
                jn->text = tr_printf(c->t, "%s; capped from %s to %s by key threshold %s",
                                     jn->text ? jn->text : "", scale->words[before].id,
                                     scale->words[cap->to].id, cap->id);
            if (rs->ncaps_fired < (int)(sizeof rs->caps_fired / sizeof rs->caps_fired[0]))
                rs->caps_fired[rs->ncaps_fired++] = (int)i;
        }
        tr_node *nd = tr_get(c->t, node);
        if (!nd)
            continue;
        nd->source = TR_DERIVED;
        nd->cap = state < 0 ? TR_CAP_NOT_EVALUATED : state == 0 ? TR_CAP_NOT_BREACHED
                : before > cap->to ? TR_CAP_CAPPED : TR_CAP_NO_EFFECT;
        nd->text = cap_text(c, cap, scale, state, before);
        tr_use_add(c->t, jnode, node);
    }
}

/* The serving rule sees the grades of the standards that inform serving. */
static void serving_key(ctx *c, size_t s, int unused)
{
    (void)unused;
    for (int std = 1; std <= c->p->nstandards; std++)
        if (rp_informs_serving(c->p, std))
            key_int(c, c->r->svc[s].grade[std - 1]);
}

/* { service, grades = { {standard, grade}... } } */
static void push_serving_input(ctx *c, size_t s, int unused, int node)
{
    (void)unused;
    lua_State *L = c->L;
    const rt_service *rs = &c->r->svc[s];
    lua_createtable(L, 0, 3);
    set_string(c, IK_SERVICE, c->p->services[s].id);
    set_explain(c);
    lua_createtable(L, c->p->nstandards, 0);
    int n = 0;
    for (int std = 1; std <= c->p->nstandards; std++) {
        if (!rp_informs_serving(c->p, std))
            continue;
        lua_createtable(L, 0, 2);
        set_number(c, IK_STANDARD, std);
        if (rs->grade[std - 1] >= 0)
            set_string(c, IK_GRADE, c->p->grade.words[rs->grade[std - 1]].id);
        lua_rawseti(L, -2, ++n);
        tr_input_add(c->t, node, tr_printf(c->t, "standard %d", std),
                     rs->grade[std - 1] >= 0 ? c->p->grade.words[rs->grade[std - 1]].text : "not assessed",
                     rs->grade_given[std - 1] ? TR_GIVEN : TR_DERIVED);
        tr_use_add(c->t, node, rs->grade_node[std - 1]);
    }
    set_field(c, IK_GRADES);
}

static int serving_call(ctx *c, size_t s, int unused, int *word, const char **needs)
{
    int node = c->r->svc[s].serving_node;
    push_serving_input(c, s, unused, node);
    return call_rule(c, c->p->serving_rule, &c->p->serving, node, word, needs);
}

static int serving_step(ctx *c, size_t s)
{
    const ev_service *svc = &c->ev->services[s];
    rt_service *rs = &c->r->svc[s];
    int node = tr_add(c->t, TR_JUDGEMENT, tr_printf(c->t, "%s.serving", c->p->services[s].id));
    rs->serving_node = node;
    tr_node *nd;
    if (svc->given_serving >= 0) {
        rs->serving = rs->serving_uncapped = svc->given_serving;
        rs->serving_given = 1;
        node_given(c, node, svc->given_line[0]);
        if ((nd = tr_get(c->t, node))) {
            nd->output = c->p->serving.words[rs->serving].id;
            nd->text = "judgement given in the evidence";
        }
        return SR_OK;
    }
    if (!c->p->serving_rule) {
        rs->serving_needs = "a given serving judgement (the pack derives none)";
        if ((nd = tr_get(c->t, node)))
            nd->source = TR_INSUFFICIENT, nd->text = rs->serving_needs;
        return SR_OK;
    }
    site st = {s, SITE_SERVING, serving_key, serving_call, 0};
    int rc = run_site(c, &st, &rs->serving, &rs->serving_needs);
    if (rc != SR_OK)
        return rc;
    rs->serving_uncapped = rs->serving;
    if (rs->serving < 0) {
        if ((nd = tr_get(c->t, node)))
            nd->source = TR_INSUFFICIENT;
        return SR_OK;
    }
    apply_caps(c, s, 0, &rs->serving, node);
    if ((nd = tr_get(c->t, node)))
        nd->output = c->p->serving.words[rs->serving].id;
    return SR_OK;
}

/* Direction of travel: indicators whose value moved the right way since the previous year. */
static void travel(ctx *c, size_t s, int *improved, int *worsened, int *compared)
{
    const ev_service *svc = &c->ev->services[s];
    *improved = *worsened = *compared = 0;
    for (size_t i = 0; i < svc->nindicators; i++) {
        const ev_indicator *ind = &svc->indicators[i];
        if (!ind->has_value || !ind->has_previous)
            continue;
        int t = rt_travel_of(ind->def, ind->value, ind->previous);
        (*compared)++;
        *improved += t > 0;
        *worsened += t < 0;
    }
}

/* The grade of the standard that informs capacity: index into rt_service.grade, or -1 when
 * the pack has no such standard. */
static int capacity_slot(const ctx *c)
{
    return c->p->capacity_standard - 1;
}

/* The capacity standard's rule sees the capacity findings and the direction of travel. */
static void capacity_grade_key(ctx *c, size_t s, int unused)
{
    (void)unused;
    const ev_service *svc = &c->ev->services[s];
    int improved, worsened, compared;
    travel(c, s, &improved, &worsened, &compared);
    key_int(c, improved);
    key_int(c, worsened);
    key_int(c, compared);
    for (size_t i = 0; i < svc->ncapacity; i++)
        key_finding(c, &svc->capacity_findings[i], 1);
}

/* { service, findings = { {id, kind, weight, text, theme}... }, travel = {improved, worsened,
 * compared} } */
static void push_capacity_findings(ctx *c, size_t s, int node)
{
    lua_State *L = c->L;
    const ev_service *svc = &c->ev->services[s];
    lua_createtable(L, (int)svc->ncapacity, 0);
    for (size_t i = 0; i < svc->ncapacity; i++) {
        const ev_finding *f = &svc->capacity_findings[i];
        push_finding(c, f, 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
        tr_input_add(c->t, node, f->id, finding_text(c, f), TR_EVIDENCE);
    }
}

static void push_capacity_grade_input(ctx *c, size_t s, int unused, int node)
{
    (void)unused;
    lua_State *L = c->L;
    int improved, worsened, compared;
    travel(c, s, &improved, &worsened, &compared);
    lua_createtable(L, 0, 4);
    set_string(c, IK_SERVICE, c->p->services[s].id);
    set_explain(c);
    push_capacity_findings(c, s, node);
    set_field(c, IK_FINDINGS);
    lua_createtable(L, 0, 3);
    set_number(c, IK_IMPROVED, improved);
    set_number(c, IK_WORSENED, worsened);
    set_number(c, IK_COMPARED, compared);
    set_field(c, IK_TRAVEL);
    tr_input_add(c->t, node, "direction of travel",
                 tr_printf(c->t, "%d improved, %d worsened of %d compared", improved, worsened, compared),
                 TR_DERIVED);
}

static int capacity_grade_call(ctx *c, size_t s, int unused, int *word, const char **needs)
{
    int node = c->r->svc[s].grade_node[capacity_slot(c)];
    push_capacity_grade_input(c, s, unused, node);
    return call_rule(c, c->p->capacity_grade_rule, &c->p->grade, node, word, needs);
}

static int capacity_grade_step(ctx *c, size_t s)
{
    const ev_service *svc = &c->ev->services[s];
    rt_service *rs = &c->r->svc[s];
    int k = capacity_slot(c);
    if (k < 0)
        return SR_OK;
    int node = tr_add(c->t, TR_GRADE, tr_printf(c->t, "%s.standard.%d", c->p->services[s].id, k + 1));
    rs->grade_node[k] = node;
    tr_node *nd;
    if ((nd = tr_get(c->t, node)))
        nd->standard = k + 1;
    if (svc->given_grade[k] >= 0) {
        rs->grade[k] = svc->given_grade[k];
        rs->grade_given[k] = 1;
        node_given(c, node, svc->given_line[2 + k]);
        if ((nd = tr_get(c->t, node)))
            nd->output = c->p->grade.words[rs->grade[k]].id, nd->text = "grade given in the evidence";
        return SR_OK;
    }
    if (!c->p->capacity_grade_rule) {
        if ((nd = tr_get(c->t, node)))
            nd->source = TR_NOT_ASSESSED,
            nd->text = tr_printf(c->t, "the rule pack has no standard %d rule", k + 1);
        return SR_OK;
    }
    site st = {s, k, capacity_grade_key, capacity_grade_call, 0};
    return run_site(c, &st, &rs->grade[k], &rs->capacity_needs);
}

/* The capacity rule sees the grade of the standard that informs capacity. */
static void capacity_key(ctx *c, size_t s, int unused)
{
    (void)unused;
    int k = capacity_slot(c);
    key_int(c, k >= 0 ? c->r->svc[s].grade[k] : -1);
}

/* { service, grade } */
static void push_capacity_input(ctx *c, size_t s, int unused, int node)
{
    (void)unused;
    lua_State *L = c->L;
    const rt_service *rs = &c->r->svc[s];
    lua_createtable(L, 0, 3);
    set_string(c, IK_SERVICE, c->p->services[s].id);
    set_explain(c);
    int k = capacity_slot(c);
    if (k >= 0 && rs->grade[k] >= 0)
        set_string(c, IK_GRADE, c->p->grade.words[rs->grade[k]].id);
    if (k >= 0) {
        tr_input_add(c->t, node, tr_printf(c->t, "standard %d", k + 1),
                     rs->grade[k] >= 0 ? c->p->grade.words[rs->grade[k]].text : "not assessed",
                     rs->grade_given[k] ? TR_GIVEN : TR_DERIVED);
        tr_use_add(c->t, node, rs->grade_node[k]);
    }
}

static int capacity_call(ctx *c, size_t s, int unused, int *word, const char **needs)
{
    int node = c->r->svc[s].capacity_node;
    push_capacity_input(c, s, unused, node);
    return call_rule(c, c->p->capacity_rule, &c->p->capacity, node, word, needs);
}

static int capacity_step(ctx *c, size_t s)
{
    const ev_service *svc = &c->ev->services[s];
    rt_service *rs = &c->r->svc[s];
    int node = tr_add(c->t, TR_JUDGEMENT, tr_printf(c->t, "%s.capacity", c->p->services[s].id));
    rs->capacity_node = node;
    tr_node *nd;
    if (svc->given_capacity >= 0) {
        rs->capacity = rs->capacity_uncapped = svc->given_capacity;
        rs->capacity_given = 1;
        node_given(c, node, svc->given_line[1]);
        if ((nd = tr_get(c->t, node)))
            nd->output = c->p->capacity.words[rs->capacity].id, nd->text = "judgement given in the evidence";
        rs->capacity_needs = NULL;
        return SR_OK;
    }
    if (!c->p->capacity_rule) {
        rs->capacity_needs = "a given capacity judgement (the pack derives none)";
        if ((nd = tr_get(c->t, node)))
            nd->source = TR_INSUFFICIENT, nd->text = rs->capacity_needs;
        return SR_OK;
    }
    const char *needs = NULL;
    site st = {s, SITE_CAPACITY, capacity_key, capacity_call, 0};
    int rc = run_site(c, &st, &rs->capacity, &needs);
    if (rc != SR_OK)
        return rc;
    if (rs->capacity >= 0)
        rs->capacity_needs = NULL;
    else if (!rs->capacity_needs)
        rs->capacity_needs = needs;
    rs->capacity_uncapped = rs->capacity;
    if (rs->capacity < 0) {
        if ((nd = tr_get(c->t, node)))
            nd->source = TR_INSUFFICIENT;
        return SR_OK;
    }
    apply_caps(c, s, 1, &rs->capacity, node);
    if ((nd = tr_get(c->t, node)))
        nd->output = c->p->capacity.words[rs->capacity].id;
    return SR_OK;
}

/* ---- stars ---------------------------------------------------------------------------- */

/* With judgements missing, tries every completion: the stars are settled when all
 * completions agree, and otherwise `possible` says which ratings remain open. */
static int stars_step(ctx *c)
{
    rt_result *r = c->r;
    size_t ns = c->p->nservices;
    int serving[RP_MAX_SERVICES], capacity[RP_MAX_SERVICES];
    int node = tr_add(c->t, TR_STAR, "stars");
    r->star_node = node;
    int *slots[2 * RP_MAX_SERVICES];
    int sizes[2 * RP_MAX_SERVICES];
    size_t nfree = 0;
    for (size_t s = 0; s < ns; s++) {
        serving[s] = r->svc[s].serving;
        capacity[s] = r->svc[s].capacity;
        tr_input_add(c->t, node, tr_printf(c->t, "%s.serving", c->p->services[s].id),
                     serving[s] >= 0 ? c->p->serving.words[serving[s]].id : "insufficient evidence",
                     r->svc[s].serving_given ? TR_GIVEN : TR_DERIVED);
        tr_input_add(c->t, node, tr_printf(c->t, "%s.capacity", c->p->services[s].id),
                     capacity[s] >= 0 ? c->p->capacity.words[capacity[s]].id : "insufficient evidence",
                     r->svc[s].capacity_given ? TR_GIVEN : TR_DERIVED);
        tr_use_add(c->t, node, r->svc[s].serving_node);
        tr_use_add(c->t, node, r->svc[s].capacity_node);
        if (serving[s] < 0)
            slots[nfree] = &serving[s], sizes[nfree++] = (int)c->p->serving.nwords;
        if (capacity[s] < 0)
            slots[nfree] = &capacity[s], sizes[nfree++] = (int)c->p->capacity.nwords;
    }
    for (size_t i = 0; i < nfree; i++)
        *slots[i] = 0;
    int first_row = -2, rc = SR_OK;
    r->possible = 0;
    for (;;) {
        int row;
        if ((rc = rp_stars(c->p, serving, capacity, &row, c->err)) != SR_OK)
            return rc;
        if (row < 0)
            return sr_fail(c->err, SR_ERULES, c->p->dir, 0, 0, "no star rule matched (run starrate check)");
        r->possible |= 1u << c->p->star_rules[row].stars;
        first_row = first_row == -2 ? row : first_row == row ? row : -1;
        if (!rp_next_completion(slots, sizes, nfree))
            break;
    }
    int count = 0, only = -1;
    for (int k = 0; k < 32; k++)
        if (r->possible & (1u << k))
            count++, only = k;
    r->stars = count == 1 ? only : -1;
    r->rule = first_row >= 0 ? first_row : -1;
    tr_node *nd = tr_get(c->t, node);
    if (!nd)
        return SR_OK;
    nd->source = TR_DERIVED;
    if (r->rule >= 0) {
        const rp_star_rule *sr = &c->p->star_rules[r->rule];
        node_rule(c, node, sr->id, &sr->prov);
        nd = tr_get(c->t, node);
        nd->text = tr_str(c->t, sr->sentence);
    } else {
        nd->text = nfree ? "the missing judgements leave more than one star rule possible" : NULL;
    }
    nd->output = r->stars >= 0 ? tr_printf(c->t, "%d", r->stars) : NULL;
    if (r->stars < 0)
        nd->source = TR_INSUFFICIENT;
    return SR_OK;
}

/* ---- driver --------------------------------------------------------------------------- */

void rt_init(rt_result *r)
{
    memset(r, 0, sizeof *r);
    tr_init(&r->trace);
}

void rt_free(rt_result *r)
{
    tr_free(&r->trace);
    sr_free(r->scratch);
    for (size_t s = 0; s < RP_MAX_SERVICES; s++) {
        for (int k = 0; k < RT_SITES; k++) {
            sr_buf_free(&r->memo[s][k].key);
            sr_free(r->memo[s][k].needs);
        }
    }
    sr_buf_free(&r->memo_key);
    rt_init(r);
}

static int prepare(ctx *c)
{
    rt_result *r = c->r;
    size_t total = 0;
    for (size_t s = 0; s < c->p->nservices; s++)
        total += 2 * c->ev->services[s].nindicators + c->ev->services[s].nfindings;
    if (total > r->scratch_len) {
        int *grown = sr_realloc(r->scratch, total * sizeof *grown);
        if (!grown)
            return sr_oom(c->err);
        r->scratch = grown;
        r->scratch_len = total;
    }
    tr_reset(&r->trace);
    r->trace.off = r->trace_off;
    if (r->memo_pack != c->p->serial || r->memo_gen != c->p->param_gen) {
        for (size_t s = 0; s < RP_MAX_SERVICES; s++)
            for (int k = 0; k < RT_SITES; k++)
                r->memo[s][k].valid = 0;
        r->memo_pack = c->p->serial;
        r->memo_gen = c->p->param_gen; /* the rules read other parameter values now */
    }
    r->nservices = c->p->nservices;
    size_t off = 0;
    for (size_t s = 0; s < c->p->nservices; s++) {
        rt_service *rs = &r->svc[s];
        const ev_service *svc = &c->ev->services[s];
        size_t n = svc->nindicators;
        memset(rs, 0, sizeof *rs);
        rs->band = r->scratch + off;
        rs->band_node = r->scratch + off + n;
        rs->finding_std = r->scratch + off + 2 * n;
        off += 2 * n + svc->nfindings;
        /* asked for by every grade input, its key and the check for unplaced findings */
        for (size_t i = 0; i < svc->nfindings; i++)
            rs->finding_std[i] = (int)rt_finding_standards(c->p, c->ev, &svc->findings[i]);
        for (int k = 0; k < RP_STANDARDS; k++)
            rs->grade[k] = -1, rs->grade_node[k] = -1;
        rs->serving = rs->capacity = -1;
        rs->serving_uncapped = rs->capacity_uncapped = -1;
    }
    r->stars = r->rule = r->star_node = -1;
    r->stopped = 0;
    return SR_OK;
}

static int evaluate_service(ctx *c, size_t s)
{
    const ev_service *svc = &c->ev->services[s];
    rt_service *rs = &c->r->svc[s];
    for (size_t i = 0; i < svc->nindicators; i++)
        band_step(c, s, i, &rs->band[i], &rs->band_node[i]);
    int top = lua_gettop(c->L);
    int rc = SR_OK;
    for (int std = 1; rc == SR_OK && std <= c->p->nstandards; std++)
        if (rp_informs_serving(c->p, std))
            rc = grade_step(c, s, std);
    if (rc == SR_OK) unplaced_findings(c, s);
    if (rc == SR_OK) rc = serving_step(c, s);
    if (rc == SR_OK) rc = capacity_grade_step(c, s);
    if (rc == SR_OK) rc = capacity_step(c, s);
    lua_settop(c->L, top);
    return rc;
}

/* The Lua half of an evaluation, in protected mode: building the rules' input tables
 * allocates, and a memory error there must come back as an error, not Lua's panic. Errors of
 * the steps themselves come back in c->rc. */
typedef struct eval_call {
    ctx *c;
    int rc;
} eval_call;

static int evaluate_protected(lua_State *L)
{
    eval_call *ec = lua_touserdata(L, 1);
    ctx *c = ec->c;
    /* Room for the rule functions and the deepest input being built. */
    luaL_checkstack(L, 32 + IK_COUNT + EV_NKINDS, "rule inputs");
    push_rule_functions(c);
    push_words(c);
    int rc = SR_OK;
    rt_result *r = c->r;
    for (size_t s = 0; rc == SR_OK && !r->stopped && s < c->p->nservices; s++) {
        rc = evaluate_service(c, s);
        if (rc == SR_OK && r->service_done && !r->service_done(r->service_ctx, r, s))
            r->stopped = 1;
    }
    if (rc == SR_OK && !r->stopped)
        rc = stars_step(c);
    ec->rc = rc;
    return 0;
}

/* The Lua half of an evaluation, under a fresh instruction budget. */
static int evaluate_lua(ctx *c)
{
    int top = lua_gettop(c->L);
    lh_budget_reset(c->p->host);
    eval_call ec = {c, SR_OK};
    int rc = lh_protect(c->p->host, evaluate_protected, &ec, 0, c->err);
    if (rc == SR_OK)
        rc = ec.rc;
    lua_settop(c->L, top);
    return rc;
}

int rt_evaluate(rp_pack *p, const ev_evidence *ev, rt_result *r, sr_error *err)
{
    ctx c = {p, lh_state(p->host), ev, r, &r->trace, err, {0, 0, 0, 0}, 0, 0};
    int rc = prepare(&c);
    if (rc != SR_OK)
        return rc;
    rc = evaluate_lua(&c);
    if (rc == SR_OK && r->trace.oom)
        rc = sr_oom(err);
    return rc;
}
