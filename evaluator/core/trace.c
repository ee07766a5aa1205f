/*
 * trace.c — an arena of trace nodes and strings.
 */
#include "trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Blocks of 64 KiB: a traced evaluation of a full council fits in a few, and tr_reset keeps
 * them for the next. */
#define BLOCK_SIZE (64 * 1024)

void tr_init(tr_trace *t)
{
    memset(t, 0, sizeof *t);
    ar_init(&t->arena, BLOCK_SIZE, BLOCK_SIZE);
}

void tr_free(tr_trace *t)
{
    ar_free(&t->arena);
    sr_free(t->nodes);
    tr_init(t);
}

/* The setting `off` survives: it belongs to the caller, not to one evaluation. */
void tr_reset(tr_trace *t)
{
    ar_reset(&t->arena);
    t->n = 0;
    t->oom = 0;
    t->rule_bytes = 0;
}

/* After the first failure nothing more is recorded (see tr_trace.oom). */
static void *arena_alloc(tr_trace *t, size_t n)
{
    if (t->oom)
        return NULL;
    void *p = ar_alloc(&t->arena, n);
    if (!p)
        t->oom = 1;
    return p;
}

static const char *copy(tr_trace *t, const char *s, size_t n)
{
    char *d = arena_alloc(t, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

const char *tr_keep(tr_trace *t, const char *s)
{
    return s ? copy(t, s, strlen(s)) : NULL;
}

const char *tr_rule_text(tr_trace *t, const char *s, size_t len, int keep)
{
    if (!s || (t->off && !keep))
        return NULL;
    if (t->rule_bytes >= TR_MAX_RULE_BYTES)
        return TR_FULL_MARK;
    if (len <= TR_MAX_RULE_TEXT) {
        t->rule_bytes += len;
        return copy(t, s, len);
    }
    /* cut before a UTF-8 continuation byte never splits a character */
    size_t n = TR_MAX_RULE_TEXT;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    char *d = arena_alloc(t, n + sizeof TR_CUT_MARK);
    if (d) {
        memcpy(d, s, n);
        memcpy(d + n, TR_CUT_MARK, sizeof TR_CUT_MARK);
    }
    t->rule_bytes += n;
    return d;
}

const char *tr_str(tr_trace *t, const char *s)
{
    return t->off ? NULL : tr_keep(t, s);
}

/* Called through tr_printf, which has already found the trace on. */
const char *tr_format(tr_trace *t, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    if ((size_t)n < sizeof small)
        return copy(t, small, (size_t)n);
    char *d = arena_alloc(t, (size_t)n + 1);
    if (!d)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

/* Called through tr_concat, which has already found the trace on. */
const char *tr_join(tr_trace *t, ...)
{
    va_list ap;
    size_t n = 0;
    va_start(ap, t);
    for (const char *s; (s = va_arg(ap, const char *));)
        n += strlen(s);
    va_end(ap);
    char *d = arena_alloc(t, n + 1);
    if (!d)
        return NULL;
    char *end = d;
    va_start(ap, t);
    for (const char *s; (s = va_arg(ap, const char *));) {
        size_t len = strlen(s);
        memcpy(end, s, len);
        end += len;
    }
    va_end(ap);
    *end = '\0';
    return d;
}

/* Whole numbers are most of what the trace shows (band limits, counts, thresholds), and
 * printf is the largest cost of a traced evaluation: write them by hand, exactly as
 * sr_format_number's "%lld" would. The range test comes first so that the conversion below
 * is always defined. */
const char *tr_number(tr_trace *t, double v)
{
    if (t->off)
        return NULL;
    char buf[64];
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v) {
        long long whole = (long long)v;
        unsigned long long u = whole < 0 ? 0ULL - (unsigned long long)whole : (unsigned long long)whole;
        char *p = buf + sizeof buf;
        do
            *--p = (char)('0' + u % 10);
        while (u /= 10);
        if (whole < 0)
            *--p = '-';
        return copy(t, p, (size_t)(buf + sizeof buf - p));
    }
    sr_format_number(v, buf, sizeof buf);
    return tr_keep(t, buf);
}

const char *const tr_kind_words[] = {"band", "grade", "cap", "judgement", "star", "finding"};
const char *const tr_source_words[] = {NULL, "given", "derived", "extracted", "evidence",
                                       "not_assessed", "insufficient"};
const char *const tr_prov_words[] = {NULL, "source", "reconstructed"};
const char *const tr_op_words[] = {NULL, ">=", "<=", ">", "<", "within"};
const char *const tr_cap_words[] = {NULL, "not evaluated", "not breached", "breached, no effect",
                                    "capped"};

const char *tr_output(const tr_node *nd)
{
    return nd->kind == TR_CAP ? tr_cap_words[nd->cap] : nd->output;
}

int tr_caps(const tr_node *nd) { return nd && nd->kind == TR_CAP && nd->cap == TR_CAP_CAPPED; }

int tr_breached(const tr_node *nd)
{
    return nd && nd->kind == TR_CAP && (nd->cap == TR_CAP_CAPPED || nd->cap == TR_CAP_NO_EFFECT);
}

int tr_add(tr_trace *t, tr_kind kind, const char *subject)
{
    if (t->oom || t->off)
        return -1;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        tr_node *nodes = sr_realloc(t->nodes, cap * sizeof *nodes);
        if (!nodes) {
            t->oom = 1;
            return -1;
        }
        t->nodes = nodes;
        t->cap = cap;
    }
    tr_node *nd = &t->nodes[t->n];
    memset(nd, 0, sizeof *nd);
    nd->id = (int)t->n;
    nd->kind = kind;
    nd->subject = tr_str(t, subject);
    t->n++;
    return nd->id;
}

tr_node *tr_get(tr_trace *t, int id)
{
    return id >= 0 && (size_t)id < t->n ? &t->nodes[id] : NULL;
}

void tr_input_add(tr_trace *t, int node, const char *name, const char *value, tr_source source)
{
    tr_node *nd = tr_get(t, node);
    tr_input *in = nd ? arena_alloc(t, sizeof *in) : NULL;
    if (!in)
        return;
    in->name = tr_str(t, name);
    in->value = tr_str(t, value);
    in->source = source;
    in->next = NULL;
    if (nd->inputs_tail)
        nd->inputs_tail->next = in;
    else
        nd->inputs = in;
    nd->inputs_tail = in;
}

void tr_compare_add(tr_trace *t, int node, const char *what, const char *value, double num,
                    tr_op op, const char *limit, const char *word, int met)
{
    tr_node *nd = tr_get(t, node);
    tr_compare *c = nd ? arena_alloc(t, sizeof *c) : NULL;
    if (!c)
        return;
    c->what = tr_str(t, what);
    c->value = tr_str(t, value);
    c->num = num;
    c->op = op;
    c->limit = tr_str(t, limit);
    c->word = tr_str(t, word);
    c->met = met;
    c->next = NULL;
    if (nd->cmps_tail)
        nd->cmps_tail->next = c;
    else
        nd->cmps = c;
    nd->cmps_tail = c;
}

void tr_use_add(tr_trace *t, int node, int used)
{
    tr_node *nd = tr_get(t, node);
    if (!nd || used < 0)
        return;
    tr_use *u = arena_alloc(t, sizeof *u);
    if (!u)
        return;
    u->node = used;
    u->next = NULL;
    if (nd->uses_tail)
        nd->uses_tail->next = u;
    else
        nd->uses = u;
    nd->uses_tail = u;
}
