/*
 * session.c — the pack cache and evidence loading shared by the commands.
 */
#include "session.h"
#include "hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ss_init(ss_session *s) { memset(s, 0, sizeof *s); }

void ss_free(ss_session *s)
{
    for (int i = 0; i < s->npacks; i++) {
        rp_free(s->packs[i].pack);
        sr_free(s->packs[i].dir);
        sr_free(s->packs[i].name);
    }
    s->npacks = 0;
}

/* A positive whole number from the environment, or def when unset; an unusable setting is an
 * error rather than a silent default. */
static int env_limit(const char *var, long def, long max, long *out, sr_error *err)
{
    const char *v = getenv(var);
    if (!v || !*v) {
        *out = def;
        return SR_OK;
    }
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 1 || n > max)
        return sr_fail(err, SR_EUSAGE, var, 0, 0, "must be a whole number from 1 to %ld, not '%s'",
                       max, v);
    *out = n;
    return SR_OK;
}

/* The sandbox limits: the defaults of docs/limits.md, or STARRATE_LUA_MEMORY_MB and
 * STARRATE_LUA_INSTRUCTIONS when set (a pack with heavier rules may need more). */
static int sandbox_limits(lh_limits *lim, sr_error *err)
{
    long mb, instr;
    int rc = env_limit("STARRATE_LUA_MEMORY_MB", (long)(lh_default_limits.mem_limit >> 20), 4096, &mb, err);
    if (rc == SR_OK)
        rc = env_limit("STARRATE_LUA_INSTRUCTIONS", lh_default_limits.instr_budget, 2000000000L, &instr, err);
    lim->mem_limit = (size_t)mb << 20;
    lim->instr_budget = instr;
    return rc;
}

/* The pack already loaded under this name. A name is resolved once a run: resolving costs
 * some thirty system calls (the program's own path, realpath of each candidate folder), which
 * was a fifth of the time of a council in a batch. */
static rp_pack *by_name(const ss_session *s, const char *name)
{
    for (int i = 0; i < s->npacks; i++)
        if (strcmp(s->packs[i].name, name) == 0)
            return s->packs[i].pack;
    return NULL;
}

static rp_pack *ss_pack_at(ss_session *s, const char *name, char *dir, sr_error *err);

rp_pack *ss_pack(ss_session *s, const char *name, sr_error *err)
{
    rp_pack *known = by_name(s, name);
    if (known)
        return known;
    /* allocated: an array of PATH_MAX here would lie above the whole load on the stack */
    char *dir = sr_malloc(PATH_MAX);
    if (!dir) {
        sr_oom(err);
        return NULL;
    }
    rp_pack *p = ss_pack_at(s, name, dir, err);
    sr_free(dir);
    return p;
}

static rp_pack *ss_pack_at(ss_session *s, const char *name, char *dir, sr_error *err)
{
    if (rp_resolve(name, dir, PATH_MAX, err) != SR_OK)
        return NULL;
    for (int i = 0; i < s->npacks; i++)
        if (strcmp(s->packs[i].dir, dir) == 0)
            return s->packs[i].pack;
    if (s->npacks == SS_MAX_PACKS) {
        sr_fail(err, SR_ELIMIT, name, 0, 0, "more than %d rule packs in one run", SS_MAX_PACKS);
        return NULL;
    }
    rp_pack *p;
    lh_limits lim;
    if (sandbox_limits(&lim, err) != SR_OK || rp_load(dir, &lim, &p, err) != SR_OK)
        return NULL;
    char *d = sr_strdup(dir), *n = sr_strdup(name);
    if (!d || !n) {
        sr_free(d);
        sr_free(n);
        rp_free(p);
        sr_oom(err);
        return NULL;
    }
    s->packs[s->npacks].dir = d;
    s->packs[s->npacks].name = n;
    s->packs[s->npacks++].pack = p;
    return p;
}

/* "2002, 2003, 2004, 2005": the rounds that have a pack. */
static void list_rounds(char *out, size_t n)
{
    int rounds[110];
    int count = rp_rounds(rounds, 110);
    out[0] = '\0';
    for (int i = 0; i < count; i++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%d", i ? ", " : "", rounds[i]);
    }
}

static void use_published(ev_evidence *ev)
{
    for (size_t s = 0; s < ev->nservices; s++) {
        if (ev->pub_serving[s] >= 0)
            ev->services[s].given_serving = ev->pub_serving[s];
        if (ev->pub_capacity[s] >= 0)
            ev->services[s].given_capacity = ev->pub_capacity[s];
    }
}

/* Whether the round has a pack. Out of memory it is said to have one: loading it then
 * reports the lack of memory. The buffers are allocated: arrays here would lie above the
 * whole load on the stack (ss_load). */
static int round_exists(const char *round)
{
    char *dir = sr_malloc(PATH_MAX);
    sr_error *none = sr_malloc(sizeof *none);
    int yes = !dir || !none || rp_resolve(round, dir, PATH_MAX, none) == SR_OK;
    sr_free(dir);
    sr_free(none);
    return yes;
}

void ss_unload(ss_loaded *l)
{
    ev_free(l->ev);
    yd_free(l->doc);
    memset(l, 0, sizeof *l);
}

int ss_load(ss_session *s, const char *path, const yd_node *node, const char *rules,
            int from_published, ss_loaded *l, sr_error *err)
{
    memset(l, 0, sizeof *l);
    const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
    char sha[65] = "";
    int rc = SR_OK;
    if (!node) {
        char *data = NULL;
        size_t len = 0;
        rc = sr_read_file(path, yd_default_limits.max_bytes, &data, &len, err);
        if (rc == SR_OK) rc = hs_sha256_hex(data, len, sha, err);
        if (rc == SR_OK) rc = yd_parse(shown, data, len, &yd_default_limits, &l->doc, err);
        sr_free(data);
        node = l->doc;
    }
    int year = 0;
    if (rc == SR_OK) rc = ev_peek_year(node, shown, &year, err);
    char round[16];
    snprintf(round, sizeof round, "%d", year);
    /* No pack for the file's round is a problem of the evidence: say where it is. A pack
     * that exists but fails to load reports its own error, at its own file and line. */
    const yd_node *y = yd_get(node, "year");
    if (rc == SR_OK && !rules && y && !by_name(s, round) && !round_exists(round)) {
        char available[128] = "";
        list_rounds(available, sizeof available);
        rc = sr_fail(err, SR_EINPUT, shown, y->line, y->col,
                     "no rule pack for the %d round (rounds with a pack: %s; or pass --rules)",
                     year, available);
    }
    if (rc == SR_OK && !(l->pack = ss_pack(s, rules ? rules : round, err)))
        rc = err->code ? err->code : SR_ERULES;
    if (rc == SR_OK) rc = ev_build(node, shown, l->pack, &l->ev, err);
    if (rc == SR_OK)
        memcpy(l->ev->sha256, sha, sizeof sha);
    if (rc == SR_OK && from_published)
        use_published(l->ev);
    if (rc != SR_OK)
        ss_unload(l);
    return rc;
}
