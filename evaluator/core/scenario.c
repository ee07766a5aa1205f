/*
 * scenario.c — reading what-if scenarios, copying evidence, applying changes with undo.
 *
 * The format (docs/scenario-format.md) names what a change touches with a path in the same
 * words as the trace subjects ("SERVICE.indicator.CODE", "SERVICE.standard.3",
 * "SERVICE.serving"), so a reader can go from a difference in the output to the change that
 * caused it and back. The schema lives in the tables at the top of this file.
 */
#include "scenario.h"
#include "ydoc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the schema ----------------------------------------------------------------------- */

static const char *const top_keys[] = {"name", "description", "base", "changes", NULL};

static const char *const verb_words[] = {"set", "clear", "add", "remove"};
static const char *const what_words[] = {
    "indicator", "finding", "capacity_finding", "requirement", "standard", "serving", "capacity",
};

/* Keys a change may carry besides its verb, per verb and target. */
static const char *const set_indicator_keys[] = {"set", "value", "band", "previous", "note", NULL};
static const char *const set_finding_keys[] = {
    "set", "kind", "text", "weight", "standards", "indicators", "note", NULL,
};
static const char *const set_capacity_keys[] = {"set", "kind", "text", "weight", "theme", "note", NULL};
static const char *const add_finding_keys[] = {
    "add", "id", "kind", "text", "weight", "standards", "indicators", "note", NULL,
};
static const char *const add_capacity_keys[] = {"add", "id", "kind", "text", "weight", "theme", "note", NULL};
static const char *const set_requirement_keys[] = {"set", "met", "note", NULL};
static const char *const set_standard_keys[] = {"set", "grade", "note", NULL};
static const char *const set_judgement_keys[] = {"set", "judgement", "note", NULL};
static const char *const clear_keys[] = {"clear", "note", NULL};
static const char *const remove_keys[] = {"remove", "note", NULL};


/* ---- reading -------------------------------------------------------------------------- */

typedef struct rd {
    const char *file;
    sr_error *err;
} rd;

static int dup_str(rd *r, const yd_node *v, const char *what, char **out)
{
    const char *s;
    int rc = yd_string(v, what, r->file, &s, r->err);
    if (rc != SR_OK)
        return rc;
    *out = sr_strdup(s);
    return *out ? SR_OK : sr_oom(r->err);
}

static int bad_path(rd *r, const yd_node *v, const char *why)
{
    return sr_fail(r->err, SR_EINPUT, r->file, v->line, v->col,
                   "bad path '%s': %s (SERVICE.indicator.CODE, SERVICE.finding.ID, "
                   "SERVICE.finding.#3, SERVICE.requirement.ID, SERVICE.standard.NUMBER, "
                   "SERVICE.serving or SERVICE.capacity)", v->str, why);
}

/* "#3" -> 3; anything else -> 0. */
static int position_of(const char *s)
{
    if (s[0] != '#' || !s[1])
        return 0;
    long n = 0;
    for (const char *q = s + 1; *q; q++) {
        if (*q < '0' || *q > '9' || n > 100000)
            return 0;
        n = n * 10 + (*q - '0');
    }
    return (int)n;
}

/* Splits SERVICE.WHAT[.NAME[.FIELD]] into the change. */
static int parse_path(rd *r, const yd_node *v, sc_change *c)
{
    const char *p = v->str;
    const char *d1 = strchr(p, '.');
    if (!d1 || d1 == p)
        return bad_path(r, v, "expected SERVICE.WHAT");
    const char *what = d1 + 1;
    const char *d2 = strchr(what, '.');
    size_t wl = d2 ? (size_t)(d2 - what) : strlen(what);
    int w = -1;
    for (int i = 0; i < (int)(sizeof what_words / sizeof what_words[0]); i++)
        if (strlen(what_words[i]) == wl && strncmp(what, what_words[i], wl) == 0)
            w = i;
    if (w < 0)
        return bad_path(r, v, "the part after the service must be indicator, finding, "
                              "capacity_finding, requirement, standard, serving or capacity");
    c->what = (sc_what)w;
    if (!(c->service = sr_strndup(p, (size_t)(d1 - p))))
        return sr_oom(r->err);
    const char *rest = d2 ? d2 + 1 : NULL;
    if (rest && !*rest)
        return bad_path(r, v, "nothing after the last '.'");
    switch (c->what) {
    case SC_SERVING:
    case SC_CAPACITY:
        if (rest)
            return bad_path(r, v, "a judgement path ends with serving or capacity");
        return SR_OK;
    case SC_STANDARD: {
        if (!rest)
            return bad_path(r, v, "a standard path needs its number");
        char *end;
        long n = strtol(rest, &end, 10);
        if (*end || n < 1 || n > RP_STANDARDS || rest[0] < '0' || rest[0] > '9')
            return bad_path(r, v, "standards are numbered from 1");
        c->standard = (int)n;
        return SR_OK;
    }
    case SC_INDICATOR: {
        if (!rest)
            return bad_path(r, v, "an indicator path needs its code");
        const char *d3 = strchr(rest, '.');
        if (!(c->name = d3 ? sr_strndup(rest, (size_t)(d3 - rest)) : sr_strdup(rest)))
            return sr_oom(r->err);
        if (d3) {
            if (strcmp(d3 + 1, "value") && strcmp(d3 + 1, "band") && strcmp(d3 + 1, "previous"))
                return bad_path(r, v, "an indicator's field is value, band or previous");
            if (!(c->field = sr_strdup(d3 + 1)))
                return sr_oom(r->err);
        }
        return SR_OK;
    }
    case SC_FINDING:
    case SC_CAPACITY_FINDING:
        if (!rest)
            return SR_OK; /* the list itself: only `add` takes it (checked by the caller) */
        if (rest[0] == '#') {
            if (!(c->position = position_of(rest)))
                return bad_path(r, v, "a position is '#' and a number from 1");
            return SR_OK;
        }
        if (!(c->name = sr_strdup(rest)))
            return sr_oom(r->err);
        return SR_OK;
    case SC_REQUIREMENT:
        if (!rest)
            return bad_path(r, v, "a requirement path needs the requirement's name");
        if (!(c->name = sr_strdup(rest)))
            return sr_oom(r->err);
        return SR_OK;
    }
    return SR_OK;
}

static const char *const *allowed_keys(const sc_change *c)
{
    switch (c->verb) {
    case SC_CLEAR: return clear_keys;
    case SC_REMOVE: return remove_keys;
    case SC_ADD: return c->what == SC_CAPACITY_FINDING ? add_capacity_keys : add_finding_keys;
    case SC_SET: break;
    }
    switch (c->what) {
    case SC_INDICATOR: return set_indicator_keys;
    case SC_FINDING: return set_finding_keys;
    case SC_CAPACITY_FINDING: return set_capacity_keys;
    case SC_REQUIREMENT: return set_requirement_keys;
    case SC_STANDARD: return set_standard_keys;
    case SC_SERVING:
    case SC_CAPACITY: return set_judgement_keys;
    }
    return clear_keys;
}

/* Which verbs suit which targets, so that "remove SERVICE.indicator.CODE" gets a useful answer. */
static int check_verb(rd *r, const yd_node *pathnode, const sc_change *c)
{
    int finding = c->what == SC_FINDING || c->what == SC_CAPACITY_FINDING;
    int list = finding && !c->name && !c->position;
    const char *why = NULL;
    if (c->verb == SC_ADD && !finding)
        why = "only findings can be added (set an indicator to add it)";
    else if (c->verb == SC_ADD && !list)
        why = "add takes the list, SERVICE.finding, and the new finding's fields";
    else if (c->verb != SC_ADD && list)
        why = "name the finding by id or by position, SERVICE.finding.ID or SERVICE.finding.#3";
    else if (c->verb == SC_REMOVE && !finding)
        why = c->what == SC_INDICATOR ? "use clear to take an indicator out of the evidence"
                                      : "only findings can be removed (use clear)";
    else if (c->verb == SC_CLEAR && finding)
        why = "use remove to take a finding out of the evidence";
    else if (c->field && c->verb != SC_CLEAR)
        why = "a field path (value, band, previous) is only for clear";
    if (!why)
        return SR_OK;
    return sr_fail(r->err, SR_EINPUT, r->file, pathnode->line, pathnode->col, "%s %s: %s",
                   verb_words[c->verb], pathnode->str, why);
}

static int read_tags(rd *r, const yd_node *list, unsigned *mask)
{
    int rc = yd_expect(list, YD_SEQ, "standards", r->file, r->err);
    for (size_t i = 0; rc == SR_OK && i < list->n; i++) {
        long n = 0;
        /* which of these inform serving, the pack says when the change is applied */
        rc = yd_integer(list->items[i], "standard", 1, RP_STANDARDS, r->file, &n, r->err);
        if (rc == SR_OK)
            *mask |= 1u << n;
    }
    return rc;
}

static int read_codes(rd *r, const yd_node *list, sc_change *c)
{
    int rc = yd_expect(list, YD_SEQ, "indicators", r->file, r->err);
    if (rc == SR_OK && list->n > 1000)
        rc = sr_fail(r->err, SR_ELIMIT, r->file, list->line, list->col, "more than 1000 indicators");
    if (rc == SR_OK && !(c->codes = sr_calloc(list->n ? list->n : 1, sizeof *c->codes)))
        rc = sr_oom(r->err);
    for (size_t i = 0; rc == SR_OK && i < list->n; i++) {
        rc = dup_str(r, list->items[i], "indicator", &c->codes[i]);
        if (rc == SR_OK)
            c->ncodes = i + 1;
    }
    return rc;
}

/* The fields after the verb; which are allowed was checked already. */
static int read_fields(rd *r, const yd_node *m, sc_change *c)
{
    const yd_node *v;
    int rc = SR_OK;
    long n = 0;
    size_t idx = 0;
    int capacity = c->what == SC_CAPACITY_FINDING;
    if ((v = yd_get(m, "value")) && (rc = yd_number(v, "value", r->file, &c->value, r->err)) == SR_OK)
        c->has |= SC_HAS_VALUE;
    if (rc == SR_OK && (v = yd_get(m, "previous")) &&
        (rc = yd_number(v, "previous", r->file, &c->previous, r->err)) == SR_OK)
        c->has |= SC_HAS_PREVIOUS;
    if (rc == SR_OK && (v = yd_get(m, "band")) &&
        (rc = yd_integer(v, "band", 1, 5, r->file, &n, r->err)) == SR_OK)
        c->band = (int)n, c->has |= SC_HAS_BAND;
    if (rc == SR_OK && (v = yd_get(m, "kind")) &&
        (rc = yd_enum(v, "kind", capacity ? ev_capacity_kinds : ev_finding_kinds, 4, r->file, &idx,
                      r->err)) == SR_OK) {
        c->has |= SC_HAS_KIND;
        rc = dup_str(r, v, "kind", &c->kind);
    }
    if (rc == SR_OK && (v = yd_get(m, "text")) && (rc = dup_str(r, v, "text", &c->text)) == SR_OK)
        c->has |= SC_HAS_TEXT;
    if (rc == SR_OK && (v = yd_get(m, "id")) && (rc = dup_str(r, v, "id", &c->id)) == SR_OK)
        c->has |= SC_HAS_ID;
    if (rc == SR_OK && (v = yd_get(m, "weight"))) {
        rc = yd_number(v, "weight", r->file, &c->weight, r->err);
        if (rc == SR_OK && (c->weight < 0 || c->weight > 3))
            rc = sr_fail(r->err, SR_EINPUT, r->file, v->line, v->col,
                         "weight must be from 0 to 3, got %s", v->str);
        c->has |= SC_HAS_WEIGHT;
    }
    if (rc == SR_OK && (v = yd_get(m, "standards")) && (rc = read_tags(r, v, &c->standards)) == SR_OK)
        c->has |= SC_HAS_STANDARDS;
    if (rc == SR_OK && (v = yd_get(m, "indicators")) && (rc = read_codes(r, v, c)) == SR_OK)
        c->has |= SC_HAS_CODES;
    if (rc == SR_OK && (v = yd_get(m, "theme")) &&
        (rc = yd_enum(v, "theme", ev_theme_words, EV_NTHEMES, r->file, &idx, r->err)) == SR_OK) {
        c->has |= SC_HAS_THEME;
        rc = dup_str(r, v, "theme", &c->theme);
    }
    if (rc == SR_OK && (v = yd_get(m, "met")) && (rc = yd_bool(v, "met", r->file, &c->met, r->err)) == SR_OK)
        c->has |= SC_HAS_MET;
    if (rc == SR_OK && ((v = yd_get(m, "grade")) || (v = yd_get(m, "judgement"))) &&
        (rc = dup_str(r, v, "word", &c->word)) == SR_OK)
        c->has |= SC_HAS_WORD;
    if (rc == SR_OK && (v = yd_get(m, "note")))
        rc = dup_str(r, v, "note", &c->note);
    return rc;
}

/* What a change must state besides its path. */
static int check_required(rd *r, const yd_node *m, const sc_change *c)
{
    const char *need = NULL;
    if (c->verb == SC_SET && c->what == SC_INDICATOR &&
        !(c->has & (SC_HAS_VALUE | SC_HAS_BAND | SC_HAS_PREVIOUS)))
        need = "value, band or previous";
    else if (c->verb == SC_SET && (c->what == SC_FINDING || c->what == SC_CAPACITY_FINDING) &&
             !(c->has & (SC_HAS_KIND | SC_HAS_TEXT | SC_HAS_WEIGHT | SC_HAS_STANDARDS |
                         SC_HAS_CODES | SC_HAS_THEME)))
        need = c->what == SC_FINDING ? "kind, text, weight, standards or indicators"
                                      : "kind, text, weight or theme";
    else if (c->verb == SC_ADD && !(c->has & SC_HAS_TEXT))
        need = "text";
    else if (c->verb == SC_ADD && !(c->has & SC_HAS_KIND))
        need = "kind";
    else if (c->verb == SC_SET && c->what == SC_REQUIREMENT && !(c->has & SC_HAS_MET))
        need = "met (true or false)";
    else if (c->verb == SC_SET && c->what == SC_STANDARD && !(c->has & SC_HAS_WORD))
        need = "grade";
    else if (c->verb == SC_SET && (c->what == SC_SERVING || c->what == SC_CAPACITY) &&
             !(c->has & SC_HAS_WORD))
        need = "judgement";
    if (!need)
        return SR_OK;
    return sr_fail(r->err, SR_EINPUT, r->file, m->line, m->col, "%s %s needs %s",
                   verb_words[c->verb], c->path, need);
}

static int read_change(rd *r, const yd_node *m, sc_change *c)
{
    int rc = yd_expect(m, YD_MAP, "change", r->file, r->err);
    if (rc != SR_OK)
        return rc;
    c->line = m->line, c->col = m->col;
    if (!(c->file = sr_strdup(r->file)))
        return sr_oom(r->err);
    const yd_node *pathnode = NULL;
    int verbs = 0;
    for (int i = 0; i < 4; i++) {
        const yd_node *v = yd_get(m, verb_words[i]);
        if (v) {
            verbs++;
            c->verb = (sc_verb)i;
            pathnode = v;
        }
    }
    if (verbs != 1)
        return sr_fail(r->err, SR_EINPUT, r->file, m->line, m->col,
                       verbs ? "a change has one verb: set, clear, add or remove"
                             : "a change needs a verb: set, clear, add or remove (with the path "
                               "it changes)");
    if ((rc = yd_expect(pathnode, YD_SCALAR, verb_words[c->verb], r->file, r->err)) != SR_OK)
        return rc;
    c->path_line = pathnode->line, c->path_col = pathnode->col;
    if (!(c->path = sr_strdup(pathnode->str)))
        return sr_oom(r->err);
    if ((rc = parse_path(r, pathnode, c)) != SR_OK)
        return rc;
    if ((rc = check_verb(r, pathnode, c)) != SR_OK)
        return rc;
    char what[96];
    snprintf(what, sizeof what, "%s %s change", verb_words[c->verb], what_words[c->what]);
    if ((rc = yd_check_keys(m, allowed_keys(c), what, r->file, r->err)) != SR_OK)
        return rc;
    if ((rc = read_fields(r, m, c)) != SR_OK)
        return rc;
    return check_required(r, m, c);
}

void sc_change_free(sc_change *c)
{
    if (!c)
        return;
    sr_free(c->path), sr_free(c->service), sr_free(c->name), sr_free(c->field);
    sr_free(c->word), sr_free(c->kind), sr_free(c->text), sr_free(c->theme), sr_free(c->id);
    sr_free_strings(c->codes, c->ncodes);
    sr_free(c->note), sr_free(c->file);
    memset(c, 0, sizeof *c);
}

static int copy_opt(const char *s, char **out)
{
    *out = NULL;
    if (!s)
        return 1;
    return (*out = sr_strdup(s)) != NULL;
}

int sc_change_copy(const sc_change *from, sc_change *to, sr_error *err)
{
    *to = *from;
    to->codes = NULL, to->ncodes = 0;
    int ok = copy_opt(from->path, &to->path) & copy_opt(from->service, &to->service) &
             copy_opt(from->name, &to->name) & copy_opt(from->field, &to->field) &
             copy_opt(from->word, &to->word) & copy_opt(from->kind, &to->kind) &
             copy_opt(from->text, &to->text) & copy_opt(from->theme, &to->theme) &
             copy_opt(from->id, &to->id) & copy_opt(from->note, &to->note) &
             copy_opt(from->file, &to->file);
    if (ok && from->ncodes) {
        if (!(to->codes = sr_calloc(from->ncodes, sizeof *to->codes)))
            ok = 0;
        for (size_t i = 0; ok && i < from->ncodes; i++) {
            if (!(to->codes[i] = sr_strdup(from->codes[i])))
                ok = 0;
            else
                to->ncodes = i + 1;
        }
    }
    if (!ok) {
        sc_change_free(to);
        return sr_oom(err);
    }
    return SR_OK;
}

void sc_free(sc_scenario *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nchanges; i++)
        sc_change_free(&s->changes[i]);
    sr_free(s->changes);
    sr_free(s->path), sr_free(s->name), sr_free(s->description);
    sr_free(s->evidence), sr_free(s->evidence_file);
    sr_free(s);
}

/* "dir/of/file.yaml" + "../x.yaml" -> "dir/of/../x.yaml"; absolute bases stay as they are. */
static char *relative_to(const char *file, const char *base)
{
    if (base[0] == '/')
        return sr_strdup(base);
    const char *slash = strrchr(file, '/');
    size_t dl = slash ? (size_t)(slash - file) + 1 : 0;
    char *out = sr_malloc(dl + strlen(base) + 1);
    if (!out)
        return NULL;
    memcpy(out, file, dl);
    strcpy(out + dl, base);
    return out;
}

typedef struct chain {
    char real[SC_MAX_CHAIN + 1][PATH_MAX];
    int depth;
} chain;

static int load_doc(const char *path, const yd_node *at, const char *from, yd_node **doc,
                    sr_error *err)
{
    int rc = yd_load_file(path, &yd_default_limits, doc, err);
    if (rc == SR_EIO && at) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return sr_fail(err, SR_EINPUT, from, at->line, at->col, "cannot read base '%s': %s",
                       at->str, msg);
    }
    return rc;
}

static int build(const char *file, const yd_node *root, chain *ch, sc_scenario **out, sr_error *err);

/* Follows `base`: another scenario (its changes come first) or the evidence. */
static int read_base(const char *file, const yd_node *v, chain *ch, sc_scenario *s, sr_error *err)
{
    const char *b;
    int rc = yd_string(v, "base", file, &b, err);
    if (rc != SR_OK)
        return rc;
    char *path = relative_to(file, b);
    if (!path)
        return sr_oom(err);
    yd_node *doc = NULL;
    rc = load_doc(path, v, file, &doc, err);
    if (rc == SR_OK && doc->kind == YD_MAP && !yd_get(doc, "changes")) {
        s->evidence = path, path = NULL; /* evidence: validated when it is loaded */
        s->evidence_line = v->line, s->evidence_col = v->col;
        if (!(s->evidence_file = sr_strdup(file)))
            rc = sr_oom(err);
    } else if (rc == SR_OK) {
        char real[PATH_MAX];
        if (!realpath(path, real))
            snprintf(real, sizeof real, "%s", path);
        for (int i = 0; rc == SR_OK && i <= ch->depth; i++)
            if (strcmp(ch->real[i], real) == 0)
                rc = sr_fail(err, SR_EINPUT, file, v->line, v->col,
                             "base '%s' leads back to itself", b);
        if (rc == SR_OK && ch->depth + 1 >= SC_MAX_CHAIN)
            rc = sr_fail(err, SR_ELIMIT, file, v->line, v->col,
                         "scenarios built on scenarios more than %d deep", SC_MAX_CHAIN);
        sc_scenario *base = NULL;
        if (rc == SR_OK) {
            ch->depth++;
            snprintf(ch->real[ch->depth], PATH_MAX, "%s", real);
            rc = build(path, doc, ch, &base, err);
            ch->depth--;
        }
        if (rc == SR_OK) {
            /* Take the base's changes and evidence. */
            s->changes = base->changes, s->nchanges = base->nchanges;
            base->changes = NULL, base->nchanges = 0;
            s->evidence = base->evidence, base->evidence = NULL;
            s->evidence_file = base->evidence_file, base->evidence_file = NULL;
            s->evidence_line = base->evidence_line, s->evidence_col = base->evidence_col;
        }
        sc_free(base);
    }
    sr_free(path);
    yd_free(doc);
    return rc;
}

static int read_changes(rd *r, const yd_node *list, sc_scenario *s)
{
    int rc = yd_expect(list, YD_SEQ, "changes", r->file, r->err);
    if (rc != SR_OK)
        return rc;
    if (list->n > 10000)
        return sr_fail(r->err, SR_ELIMIT, r->file, list->line, list->col, "more than 10000 changes");
    size_t total = s->nchanges + list->n;
    sc_change *grown = sr_realloc(s->changes, (total ? total : 1) * sizeof *grown);
    if (!grown)
        return sr_oom(r->err);
    s->changes = grown;
    for (size_t i = 0; rc == SR_OK && i < list->n; i++) {
        sc_change *c = &s->changes[s->nchanges];
        memset(c, 0, sizeof *c);
        s->nchanges++; /* counted first, so a half-read change is freed with the rest */
        s->nown++;
        rc = read_change(r, list->items[i], c);
    }
    return rc;
}

static int build(const char *file, const yd_node *root, chain *ch, sc_scenario **out, sr_error *err)
{
    rd r = {file, err};
    *out = NULL;
    sc_scenario *s = sr_calloc(1, sizeof *s);
    if (!s)
        return sr_oom(err);
    const yd_node *v;
    int rc = yd_expect(root, YD_MAP, "scenario", file, err);
    if (rc == SR_OK) rc = yd_check_keys(root, top_keys, "scenario", file, err);
    if (rc == SR_OK && !(s->path = sr_strdup(file))) rc = sr_oom(err);
    if (rc == SR_OK) rc = yd_require(root, "name", "scenario", file, &v, err);
    if (rc == SR_OK) rc = dup_str(&r, v, "name", &s->name);
    if (rc == SR_OK) rc = yd_require(root, "description", "scenario", file, &v, err);
    if (rc == SR_OK) rc = dup_str(&r, v, "description", &s->description);
    /* A folded block ends with a newline; the outputs place the text themselves. */
    for (size_t n = rc == SR_OK ? strlen(s->description) : 0; n > 0 && strchr(" \n", s->description[n - 1]); n--)
        s->description[n - 1] = '\0';
    if (rc == SR_OK && (v = yd_get(root, "base"))) rc = read_base(file, v, ch, s, err);
    if (rc == SR_OK) rc = yd_require(root, "changes", "scenario", file, &v, err);
    if (rc == SR_OK) rc = read_changes(&r, v, s);
    if (rc != SR_OK) {
        sc_free(s);
        return rc;
    }
    *out = s;
    return SR_OK;
}

int sc_parse(const char *name, const char *text, size_t len, sc_scenario **out, sr_error *err)
{
    yd_node *doc = NULL;
    *out = NULL;
    int rc = yd_parse(name, text, len, &yd_default_limits, &doc, err);
    chain *ch = rc == SR_OK ? sr_calloc(1, sizeof *ch) : NULL;
    if (rc == SR_OK && !ch)
        rc = sr_oom(err);
    if (rc == SR_OK) {
        if (!realpath(name, ch->real[0]))
            snprintf(ch->real[0], PATH_MAX, "%s", name);
        rc = build(name, doc, ch, out, err);
    }
    sr_free(ch);
    yd_free(doc);
    return rc;
}

int sc_load(const char *path, sc_scenario **out, sr_error *err)
{
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = sr_read_file(path, yd_default_limits.max_bytes, &text, &len, err);
    if (rc == SR_OK)
        rc = sc_parse(path, text, len, out, err);
    sr_free(text);
    return rc;
}

/* ---- describing a change -------------------------------------------------------------- */

static void put_number(sr_buf *b, double v)
{
    char num[64];
    sr_format_number(v, num, sizeof num);
    sr_buf_puts(b, num);
}

static void put_standards(sr_buf *b, unsigned mask)
{
    int first = 1;
    for (int k = 1; k <= RP_STANDARDS; k++)
        if (mask & (1u << k)) {
            sr_buf_printf(b, "%s%d", first ? "" : ", ", k);
            first = 0;
        }
}

void sc_change_describe(const sc_change *c, sr_buf *b)
{
    sr_buf_printf(b, "%s %s", verb_words[c->verb], c->path);
    const char *sep = ": ";
#define SEP() (sr_buf_puts(b, sep), sep = ", ")
    if (c->has & SC_HAS_ID) SEP(), sr_buf_printf(b, "id %s", c->id);
    if (c->has & SC_HAS_VALUE) SEP(), sr_buf_puts(b, "value "), put_number(b, c->value);
    if (c->has & SC_HAS_BAND) SEP(), sr_buf_printf(b, "band %d", c->band);
    if (c->has & SC_HAS_PREVIOUS) SEP(), sr_buf_puts(b, "previous "), put_number(b, c->previous);
    if (c->has & SC_HAS_KIND) {
        SEP();
        for (const char *k = c->kind; *k; k++)
            sr_buf_putc(b, *k == '_' ? ' ' : *k);
    }
    if (c->has & SC_HAS_WEIGHT) SEP(), sr_buf_puts(b, "weight "), put_number(b, c->weight);
    if (c->has & SC_HAS_STANDARDS) SEP(), sr_buf_puts(b, "standards "), put_standards(b, c->standards);
    if (c->has & SC_HAS_CODES) {
        SEP();
        sr_buf_puts(b, "indicators ");
        for (size_t i = 0; i < c->ncodes; i++)
            sr_buf_printf(b, "%s%s", i ? ", " : "", c->codes[i]);
    }
    if (c->has & SC_HAS_THEME) SEP(), sr_buf_printf(b, "theme %s", c->theme);
    if (c->has & SC_HAS_MET) SEP(), sr_buf_puts(b, c->met ? "met" : "not met");
    if (c->has & SC_HAS_WORD) SEP(), sr_buf_printf(b, "%s %s", c->what == SC_STANDARD ? "grade" : "judgement", c->word);
    if (c->has & SC_HAS_TEXT) {
        SEP();
        sr_buf_putc(b, '"');
        sr_buf_put_escaped(b, c->text, NULL); /* a newline in it must not break the line */
        sr_buf_putc(b, '"');
    }
#undef SEP
}

/* A YAML double-quoted scalar. */
static void put_quoted(sr_buf *b, const char *s)
{
    sr_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sr_buf_putc(b, '\\');
        if (*s == '\n')
            sr_buf_puts(b, "\\n");
        else
            sr_buf_putc(b, *s);
    }
    sr_buf_putc(b, '"');
}

void sc_change_yaml(const sc_change *c, sr_buf *b)
{
    sr_buf_printf(b, "{%s: ", verb_words[c->verb]);
    put_quoted(b, c->path);
    if (c->has & SC_HAS_ID) sr_buf_puts(b, ", id: "), put_quoted(b, c->id);
    if (c->has & SC_HAS_VALUE) sr_buf_puts(b, ", value: "), put_number(b, c->value);
    if (c->has & SC_HAS_BAND) sr_buf_printf(b, ", band: %d", c->band);
    if (c->has & SC_HAS_PREVIOUS) sr_buf_puts(b, ", previous: "), put_number(b, c->previous);
    if (c->has & SC_HAS_KIND) sr_buf_printf(b, ", kind: %s", c->kind);
    if (c->has & SC_HAS_WEIGHT) sr_buf_puts(b, ", weight: "), put_number(b, c->weight);
    if (c->has & SC_HAS_STANDARDS) {
        sr_buf_puts(b, ", standards: [");
        put_standards(b, c->standards);
        sr_buf_putc(b, ']');
    }
    if (c->has & SC_HAS_CODES) {
        sr_buf_puts(b, ", indicators: [");
        for (size_t i = 0; i < c->ncodes; i++)
            sr_buf_printf(b, "%s%s", i ? ", " : "", c->codes[i]);
        sr_buf_putc(b, ']');
    }
    if (c->has & SC_HAS_THEME) sr_buf_printf(b, ", theme: %s", c->theme);
    if (c->has & SC_HAS_MET) sr_buf_printf(b, ", met: %s", c->met ? "true" : "false");
    if (c->has & SC_HAS_WORD)
        sr_buf_printf(b, ", %s: %s", c->what == SC_STANDARD ? "grade" : "judgement", c->word);
    if (c->has & SC_HAS_TEXT) sr_buf_puts(b, ", text: "), put_quoted(b, c->text);
    if (c->note) sr_buf_puts(b, ", note: "), put_quoted(b, c->note);
    sr_buf_putc(b, '}');
}

/* ---- the working copy and its undo log ------------------------------------------------ */

typedef enum {
    UR_IND_SET,     /* ind: the element before */
    UR_IND_INSERT,  /* index: where it was appended */
    UR_IND_REMOVE,  /* ind: the element removed, owned by the record */
    UR_FIND_SET,    /* f: before; owned: which fields of the new one were allocated */
    UR_FIND_INSERT,
    UR_FIND_REMOVE, /* f: the finding removed, owned by the record */
    UR_INT          /* *slot was old */
} ur_kind;

enum { OWN_TEXT = 1, OWN_CODES = 2 };

typedef struct ur_rec {
    ur_kind kind;
    int service, cap;
    size_t index;
    int *slot, old;
    unsigned owned;
    ev_indicator ind;
    ev_finding f;
} ur_rec;

struct sc_work {
    rp_pack *p;
    ev_evidence *ev;
    size_t find_cap[RP_MAX_SERVICES][2];
    ur_rec *log;
    size_t nlog, caplog;
};

const ev_evidence *sc_work_evidence(const sc_work *w) { return w->ev; }
size_t sc_mark(const sc_work *w) { return w->nlog; }

static ur_rec *push_rec(sc_work *w, ur_kind kind, sr_error *err)
{
    if (w->nlog == w->caplog) {
        size_t cap = w->caplog ? w->caplog * 2 : 16;
        ur_rec *grown = sr_realloc(w->log, cap * sizeof *grown);
        if (!grown) {
            sr_oom(err);
            return NULL;
        }
        w->log = grown, w->caplog = cap;
    }
    ur_rec *r = &w->log[w->nlog++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    return r;
}

static ev_finding **list_of(ev_service *svc, int cap, size_t **n)
{
    *n = cap ? &svc->ncapacity : &svc->nfindings;
    return cap ? &svc->capacity_findings : &svc->findings;
}

static void undo_one(sc_work *w, ur_rec *r)
{
    ev_service *svc = &w->ev->services[r->service];
    size_t *n;
    ev_finding **list = list_of(svc, r->cap, &n);
    switch (r->kind) {
    case UR_IND_SET:
        svc->indicators[r->index] = r->ind;
        break;
    case UR_IND_INSERT:
        svc->nindicators--;
        sr_free(svc->indicators[svc->nindicators].code);
        sr_free(svc->indicators[svc->nindicators].note);
        break;
    case UR_IND_REMOVE:
        memmove(&svc->indicators[r->index + 1], &svc->indicators[r->index],
                (svc->nindicators - r->index) * sizeof *svc->indicators);
        svc->indicators[r->index] = r->ind;
        svc->nindicators++;
        break;
    case UR_FIND_SET: {
        ev_finding *f = &(*list)[r->index];
        if (r->owned & OWN_TEXT) sr_free(f->text);
        if (r->owned & OWN_CODES) sr_free_strings(f->codes, f->ncodes);
        *f = r->f;
        break;
    }
    case UR_FIND_INSERT:
        (*n)--;
        ev_finding_free(&(*list)[*n]);
        break;
    case UR_FIND_REMOVE:
        memmove(&(*list)[r->index + 1], &(*list)[r->index], (*n - r->index) * sizeof **list);
        (*list)[r->index] = r->f;
        (*n)++;
        break;
    case UR_INT:
        *r->slot = r->old;
        break;
    }
}

void sc_rollback(sc_work *w, size_t mark)
{
    while (w->nlog > mark)
        undo_one(w, &w->log[--w->nlog]);
}

/* Drops the log: what the records own (replaced fields, removed elements) is freed. */
static void drop_log(sc_work *w)
{
    for (size_t i = 0; i < w->nlog; i++) {
        ur_rec *r = &w->log[i];
        if (r->kind == UR_IND_REMOVE) {
            sr_free(r->ind.code), sr_free(r->ind.note);
        } else if (r->kind == UR_FIND_REMOVE) {
            ev_finding_free(&r->f);
        } else if (r->kind == UR_FIND_SET) {
            if (r->owned & OWN_TEXT) sr_free(r->f.text);
            if (r->owned & OWN_CODES) sr_free_strings(r->f.codes, r->f.ncodes);
        }
    }
    w->nlog = 0;
}

int sc_work_new(rp_pack *p, const ev_evidence *base, sc_work **out, sr_error *err)
{
    *out = NULL;
    sc_work *w = sr_calloc(1, sizeof *w);
    if (!w)
        return sr_oom(err);
    w->p = p;
    /* Room for every indicator a service could hold, so that adding one never moves the
     * array (an indicator appears at most once per service). */
    size_t reserve[RP_MAX_SERVICES] = {0};
    for (size_t s = 0; s < p->nservices; s++) {
        for (size_t i = 0; i < p->nindicators; i++)
            reserve[s] += p->indicators[i].service == (int)s;
        for (size_t i = 0; i < base->ncustom; i++)
            reserve[s] += base->custom[i].service == (int)s;
    }
    int rc = ev_clone(base, p->nrequirements, reserve, &w->ev, err);
    if (rc != SR_OK) {
        sr_free(w);
        return rc;
    }
    for (size_t s = 0; s < RP_MAX_SERVICES; s++) {
        w->find_cap[s][0] = w->ev->services[s].nfindings ? w->ev->services[s].nfindings : 1;
        w->find_cap[s][1] = w->ev->services[s].ncapacity ? w->ev->services[s].ncapacity : 1;
    }
    *out = w;
    return SR_OK;
}

void sc_work_free(sc_work *w)
{
    if (!w)
        return;
    drop_log(w);
    sr_free(w->log);
    ev_free(w->ev);
    sr_free(w);
}

/* ---- resolving what a change names ---------------------------------------------------- */

typedef struct ap {
    sc_work *w;
    const sc_change *c;
    sr_error *err;
    int s;  /* service index */
} ap;

static int fail_at_path(ap *a, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int fail_at_path(ap *a, const char *fmt, ...)
{
    va_list ap_;
    va_start(ap_, fmt);
    int rc = sr_vfail(a->err, SR_EINPUT, a->c->file, a->c->path_line, a->c->path_col, fmt, ap_);
    va_end(ap_);
    return rc;
}

int sc_service_of(const rp_pack *p, const sc_change *c)
{
    return c->service ? rp_service_index(p, c->service) : -1;
}

static int resolve_service(ap *a)
{
    const rp_pack *p = a->w->p;
    a->s = sc_service_of(p, a->c);
    if (a->s >= 0)
        return SR_OK;
    sr_buf names;
    sr_buf_init(&names);
    for (size_t s = 0; s < p->nservices; s++)
        sr_buf_printf(&names, "%s%s", s ? ", " : "", p->services[s].id);
    int rc = fail_at_path(a, "unknown service '%s' in %s (expected one of: %s)", a->c->service,
                          a->c->path, names.data ? names.data : "");
    sr_buf_free(&names);
    return rc;
}


static int word_index(ap *a, const rp_scale *sc, const char *word, int *out)
{
    *out = rp_word_index(sc, word);
    if (*out >= 0)
        return SR_OK;
    sr_buf words;
    sr_buf_init(&words);
    for (size_t i = 0; i < sc->nwords; i++)
        sr_buf_printf(&words, "%s%s", i ? ", " : "", sc->words[i].id);
    int rc = sr_fail(a->err, SR_EINPUT, a->c->file, a->c->line, a->c->col,
                     "unknown %s '%s' (expected one of: %s)", sc->name, word,
                     words.data ? words.data : "");
    sr_buf_free(&words);
    return rc;
}

/* ---- applying: indicators ------------------------------------------------------------- */

static int apply_indicator_set(ap *a)
{
    ev_service *svc = &a->w->ev->services[a->s];
    const sc_change *c = a->c;
    const rp_indicator *def = ev_indicator_def(a->w->p, a->w->ev, c->name);
    if (!def)
        return fail_at_path(a, "unknown indicator '%s': not in the %s catalogue and not declared "
                               "in the evidence", c->name, a->w->p->name);
    if (def->service != a->s)
        return fail_at_path(a, "indicator %s belongs to %s, not %s", c->name,
                            a->w->p->services[def->service].name, a->w->p->services[a->s].name);
    long i = ev_indicator_index(svc, c->name);
    ur_rec *r;
    if (i < 0) {
        if (!(c->has & (SC_HAS_VALUE | SC_HAS_BAND)))
            return fail_at_path(a, "%s has no indicator %s yet: give its value or band",
                                a->w->p->services[a->s].name, c->name);
        char *code = sr_strdup(c->name);
        if (!code || !(r = push_rec(a->w, UR_IND_INSERT, a->err))) {
            sr_free(code);
            return sr_oom(a->err);
        }
        r->service = a->s;
        r->index = svc->nindicators;
        ev_indicator *ind = &svc->indicators[svc->nindicators++];
        memset(ind, 0, sizeof *ind);
        ind->code = code;
        ind->def = def;
        ind->origin = EV_ORIGIN_ESTIMATE;
    } else {
        if (!(r = push_rec(a->w, UR_IND_SET, a->err)))
            return a->err->code;
        r->service = a->s;
        r->index = (size_t)i;
        r->ind = svc->indicators[i];
    }
    ev_indicator *ind = &svc->indicators[r->index];
    if (c->has & SC_HAS_VALUE) {
        ind->has_value = 1, ind->value = c->value;
        ind->origin = EV_ORIGIN_ESTIMATE, ind->letter_line = 0;
    }
    if (c->has & SC_HAS_PREVIOUS)
        ind->has_previous = 1, ind->previous = c->previous;
    if (c->has & SC_HAS_BAND)
        ind->band = c->band;
    return SR_OK;
}

static int remove_indicator(ap *a, size_t i)
{
    ev_service *svc = &a->w->ev->services[a->s];
    ur_rec *r = push_rec(a->w, UR_IND_REMOVE, a->err);
    if (!r)
        return a->err->code;
    r->service = a->s;
    r->index = i;
    r->ind = svc->indicators[i];
    memmove(&svc->indicators[i], &svc->indicators[i + 1],
            (svc->nindicators - i - 1) * sizeof *svc->indicators);
    svc->nindicators--;
    return SR_OK;
}

static int apply_indicator_clear(ap *a)
{
    ev_service *svc = &a->w->ev->services[a->s];
    const sc_change *c = a->c;
    if (!ev_indicator_def(a->w->p, a->w->ev, c->name))
        return fail_at_path(a, "unknown indicator '%s': not in the %s catalogue and not declared "
                               "in the evidence", c->name, a->w->p->name);
    long i = ev_indicator_index(svc, c->name);
    if (i < 0)
        return fail_at_path(a, "%s have no indicator %s to clear", a->w->p->services[a->s].name,
                            c->name);
    ev_indicator now = svc->indicators[i];
    if (!c->field)
        return remove_indicator(a, (size_t)i);
    if (strcmp(c->field, "value") == 0) now.has_value = 0;
    else if (strcmp(c->field, "band") == 0) now.band = 0;
    else now.has_previous = 0;
    /* An indicator with neither a value nor a band says nothing: it leaves the evidence. */
    if (!now.has_value && !now.band)
        return remove_indicator(a, (size_t)i);
    ur_rec *r = push_rec(a->w, UR_IND_SET, a->err);
    if (!r)
        return a->err->code;
    r->service = a->s;
    r->index = (size_t)i;
    r->ind = svc->indicators[i];
    svc->indicators[i] = now;
    return SR_OK;
}

/* ---- applying: findings --------------------------------------------------------------- */

static const char *list_word(int cap) { return cap ? "capacity finding" : "finding"; }

static int find_by_id(const ev_evidence *ev, const char *id, int *service, int *cap, size_t *index)
{
    for (size_t s = 0; s < ev->nservices; s++)
        for (int k = 0; k < 2; k++) {
            const ev_finding *list = k ? ev->services[s].capacity_findings : ev->services[s].findings;
            size_t n = k ? ev->services[s].ncapacity : ev->services[s].nfindings;
            for (size_t i = 0; i < n; i++)
                if (list[i].id && strcmp(list[i].id, id) == 0) {
                    *service = (int)s, *cap = k, *index = i;
                    return 1;
                }
        }
    return 0;
}

/* The finding a path names, in the service and list the path says. */
static int locate_finding(ap *a, size_t *index)
{
    const ev_service *svc = &a->w->ev->services[a->s];
    int cap = a->c->what == SC_CAPACITY_FINDING;
    size_t n = cap ? svc->ncapacity : svc->nfindings;
    const char *svc_name = a->w->p->services[a->s].name;
    if (a->c->position) {
        if ((size_t)a->c->position > n)
            return fail_at_path(a, "%s have %zu %s%s; there is no #%d", svc_name, n,
                                list_word(cap), n == 1 ? "" : "s", a->c->position);
        *index = (size_t)a->c->position - 1;
        return SR_OK;
    }
    int s2, cap2;
    size_t i2;
    if (!find_by_id(a->w->ev, a->c->name, &s2, &cap2, &i2))
        return fail_at_path(a, "no finding with id '%s' in the evidence", a->c->name);
    if (s2 != a->s || cap2 != cap)
        return fail_at_path(a, "finding '%s' is a %s of %s, not a %s of %s (use %s.%s.%s)",
                            a->c->name, list_word(cap2), a->w->p->services[s2].name,
                            list_word(cap), svc_name, a->w->p->services[s2].id,
                            cap2 ? "capacity_finding" : "finding", a->c->name);
    *index = i2;
    return SR_OK;
}

static int check_codes(ap *a)
{
    for (size_t i = 0; i < a->c->ncodes; i++)
        if (!ev_indicator_def(a->w->p, a->w->ev, a->c->codes[i]))
            return sr_fail(a->err, SR_EINPUT, a->c->file, a->c->line, a->c->col,
                           "unknown indicator '%s' in finding", a->c->codes[i]);
    return SR_OK;
}

static int kind_of(const char *word)
{
    for (int k = 0; k < EV_NKINDS; k++)
        if (strcmp(ev_kind_words[k], word) == 0)
            return k;
    return -1;
}

static int theme_of(const char *word)
{
    for (int k = 0; k < EV_NTHEMES; k++)
        if (strcmp(ev_theme_words[k], word) == 0)
            return k;
    return -1;
}

/* Fills the fields a change states into f; allocated fields are reported in *owned. */
static int fill_finding(ap *a, ev_finding *f, unsigned *owned)
{
    const sc_change *c = a->c;
    *owned = 0;
    for (int k = 1; (c->has & SC_HAS_STANDARDS) && k <= RP_STANDARDS; k++)
        if ((c->standards >> k & 1) && !rp_informs_serving(a->w->p, k))
            return fail_at_path(a, "a finding's standards inform serving: standard %d of the %s "
                                   "rule pack does not", k, a->w->p->name);
    if (c->has & SC_HAS_TEXT) {
        char *t = sr_strdup(c->text);
        if (!t)
            return sr_oom(a->err);
        f->text = t;
        *owned |= OWN_TEXT;
    }
    if (c->has & SC_HAS_CODES) {
        char **codes = NULL;
        if (!sr_strings_copy(c->codes, c->ncodes, &codes)) {
            sr_free_strings(codes, c->ncodes);
            if (*owned & OWN_TEXT)
                sr_free(f->text);
            return sr_oom(a->err);
        }
        f->codes = codes, f->ncodes = c->ncodes;
        *owned |= OWN_CODES;
    }
    if (c->has & SC_HAS_KIND) f->kind = (ev_kind)kind_of(c->kind);
    if (c->has & SC_HAS_WEIGHT) f->weight = c->weight;
    if (c->has & SC_HAS_STANDARDS) f->standards = c->standards;
    if (c->has & SC_HAS_THEME) f->theme = theme_of(c->theme);
    return SR_OK;
}

static int apply_finding_set(ap *a)
{
    size_t i;
    int rc = locate_finding(a, &i);
    if (rc == SR_OK) rc = check_codes(a);
    if (rc != SR_OK)
        return rc;
    int cap = a->c->what == SC_CAPACITY_FINDING;
    size_t *n;
    ev_finding **list = list_of(&a->w->ev->services[a->s], cap, &n);
    ur_rec *r = push_rec(a->w, UR_FIND_SET, a->err);
    if (!r)
        return a->err->code;
    r->service = a->s, r->cap = cap, r->index = i;
    r->f = (*list)[i];
    ev_finding f = (*list)[i];
    if ((rc = fill_finding(a, &f, &r->owned)) != SR_OK) {
        a->w->nlog--;
        return rc;
    }
    (*list)[i] = f;
    return SR_OK;
}

static int apply_finding_add(ap *a)
{
    const sc_change *c = a->c;
    int cap = c->what == SC_CAPACITY_FINDING;
    int rc = check_codes(a);
    if (rc != SR_OK)
        return rc;
    int s2, cap2;
    size_t i2;
    char id[128];
    if (c->id) {
        if (find_by_id(a->w->ev, c->id, &s2, &cap2, &i2))
            return sr_fail(a->err, SR_EINPUT, c->file, c->line, c->col,
                           "finding id '%s' is already in the evidence", c->id);
        snprintf(id, sizeof id, "%s", c->id);
    } else {
        /* A made-up id that names where the finding came from. */
        for (int k = 1;; k++) {
            snprintf(id, sizeof id, "%s-%s-added-%d", a->w->p->services[a->s].id,
                     cap ? "capacity" : "finding", k);
            if (!find_by_id(a->w->ev, id, &s2, &cap2, &i2))
                break;
        }
    }
    ev_service *svc = &a->w->ev->services[a->s];
    size_t *n;
    ev_finding **list = list_of(svc, cap, &n);
    size_t *capacity = &a->w->find_cap[a->s][cap];
    if (*n == *capacity) {
        ev_finding *grown = sr_realloc(*list, 2 * *capacity * sizeof *grown);
        if (!grown)
            return sr_oom(a->err);
        *list = grown;
        *capacity *= 2;
    }
    ev_finding f;
    memset(&f, 0, sizeof f);
    f.weight = 1;
    f.theme = -1;
    unsigned owned;
    if ((rc = fill_finding(a, &f, &owned)) != SR_OK)
        return rc;
    if (!(f.id = sr_strdup(id))) {
        ev_finding_free(&f);
        return sr_oom(a->err);
    }
    ur_rec *r = push_rec(a->w, UR_FIND_INSERT, a->err);
    if (!r) {
        ev_finding_free(&f);
        return a->err->code;
    }
    r->service = a->s, r->cap = cap, r->index = *n;
    (*list)[(*n)++] = f;
    return SR_OK;
}

static int apply_finding_remove(ap *a)
{
    size_t i;
    int rc = locate_finding(a, &i);
    if (rc != SR_OK)
        return rc;
    int cap = a->c->what == SC_CAPACITY_FINDING;
    size_t *n;
    ev_finding **list = list_of(&a->w->ev->services[a->s], cap, &n);
    ur_rec *r = push_rec(a->w, UR_FIND_REMOVE, a->err);
    if (!r)
        return a->err->code;
    r->service = a->s, r->cap = cap, r->index = i;
    r->f = (*list)[i];
    memmove(&(*list)[i], &(*list)[i + 1], (*n - i - 1) * sizeof **list);
    (*n)--;
    return SR_OK;
}

/* ---- applying: requirements, grades, judgements --------------------------------------- */

static int set_int(ap *a, int *slot, int value)
{
    ur_rec *r = push_rec(a->w, UR_INT, a->err);
    if (!r)
        return a->err->code;
    r->slot = slot, r->old = *slot;
    *slot = value;
    return SR_OK;
}

static int apply_requirement(ap *a)
{
    const rp_pack *p = a->w->p;
    const rp_requirement *req = rp_requirement_find(p, a->c->name);
    if (!req || !req->services[a->s]) {
        sr_buf names;
        sr_buf_init(&names);
        for (size_t q = 0; q < p->nrequirements; q++)
            if (p->requirements[q].services[a->s])
                sr_buf_printf(&names, "%s%s", names.len ? ", " : "", p->requirements[q].id);
        int rc = fail_at_path(a, "unknown requirement '%s' for %s (expected one of: %s)",
                              a->c->name, p->services[a->s].name, names.data ? names.data : "none");
        sr_buf_free(&names);
        return rc;
    }
    int *slot = &a->w->ev->services[a->s].requirements[req - p->requirements];
    return set_int(a, slot, a->c->verb == SC_CLEAR ? -1 : a->c->met);
}

static int apply_given(ap *a)
{
    ev_service *svc = &a->w->ev->services[a->s];
    const rp_pack *p = a->w->p;
    int word = -1, rc = SR_OK;
    const rp_scale *sc = a->c->what == SC_STANDARD ? &p->grade
                       : a->c->what == SC_SERVING  ? &p->serving
                                                   : &p->capacity;
    if (a->c->verb == SC_SET && (rc = word_index(a, sc, a->c->word, &word)) != SR_OK)
        return rc;
    if (a->c->what == SC_STANDARD && a->c->standard > p->nstandards)
        return fail_at_path(a, "the %s rule pack has no standard %d (its standards are 1 to %d)",
                            p->name, a->c->standard, p->nstandards);
    int *slot, *line;
    if (a->c->what == SC_STANDARD)
        slot = &svc->given_grade[a->c->standard - 1], line = &svc->given_line[2 + a->c->standard - 1];
    else if (a->c->what == SC_SERVING)
        slot = &svc->given_serving, line = &svc->given_line[0];
    else
        slot = &svc->given_capacity, line = &svc->given_line[1];
    /* The evidence file does not hold this value, so it has no line there. */
    rc = set_int(a, slot, word);
    if (rc == SR_OK)
        rc = set_int(a, line, 0);
    return rc;
}

int sc_apply(sc_work *w, const sc_change *c, sr_error *err)
{
    ap a = {w, c, err, -1};
    size_t mark = w->nlog;
    int rc = resolve_service(&a);
    if (rc == SR_OK) {
        switch (c->what) {
        case SC_INDICATOR:
            rc = c->verb == SC_SET ? apply_indicator_set(&a) : apply_indicator_clear(&a);
            break;
        case SC_FINDING:
        case SC_CAPACITY_FINDING:
            rc = c->verb == SC_SET   ? apply_finding_set(&a)
               : c->verb == SC_ADD   ? apply_finding_add(&a)
                                     : apply_finding_remove(&a);
            break;
        case SC_REQUIREMENT:
            rc = apply_requirement(&a);
            break;
        case SC_STANDARD:
        case SC_SERVING:
        case SC_CAPACITY:
            rc = apply_given(&a);
            break;
        }
    }
    if (rc != SR_OK)
        sc_rollback(w, mark);
    return rc;
}

int sc_apply_all(sc_work *w, const sc_scenario *s, sr_error *err)
{
    size_t mark = w->nlog;
    for (size_t i = 0; i < s->nchanges; i++) {
        int rc = sc_apply(w, &s->changes[i], err);
        if (rc != SR_OK) {
            sc_rollback(w, mark); /* all or nothing */
            return rc;
        }
    }
    return SR_OK;
}
