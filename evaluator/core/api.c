/*
 * api.c — the public API (starrate.h) over the engine's modules: opaque handles that hold a
 * pack, evidence or a result, and errors copied into the public record.
 */
#include "starrate.h"

#include "common.h"
#include "eval.h"
#include "evidence.h"
#include "pack.h"
#include "ydoc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct starrate_pack {
    rp_pack *p;
};

struct starrate_evidence {
    ev_evidence *ev;
};

struct starrate_result {
    const rp_pack *p;
    rt_result r;
};

static int fail(starrate_error *out, const sr_error *e)
{
    if (out) {
        memset(out, 0, sizeof *out);
        out->code = e->code ? e->code : SR_EINPUT;
        snprintf(out->file, sizeof out->file, "%s", e->file);
        out->line = e->line, out->col = e->col;
        snprintf(out->message, sizeof out->message, "%s", e->msg);
    }
    return e->code ? e->code : SR_EINPUT;
}

/* "2003" names a round; anything else is a folder. */
static const char *pack_folder(const char *name, char *buf, size_t n)
{
    char *end;
    long round = strtol(name, &end, 10);
    if (*name && !*end && round > 0 && round < 10000 && rp_round_dir((int)round, buf, n) == 0)
        return buf;
    return name;
}

int starrate_pack_load(const char *folder_or_round, starrate_pack **out, starrate_error *err)
{
    sr_error e;
    sr_error_clear(&e);
    char dir[PATH_MAX];
    *out = sr_calloc(1, sizeof **out);
    if (!*out)
        return fail(err, (sr_oom(&e), &e));
    if (rp_load(pack_folder(folder_or_round, dir, sizeof dir), NULL, &(*out)->p, &e) != SR_OK) {
        sr_free(*out);
        *out = NULL;
        return fail(err, &e);
    }
    return 0;
}

void starrate_pack_free(starrate_pack *pack)
{
    if (pack)
        rp_free(pack->p);
    sr_free(pack);
}

const char *starrate_pack_name(const starrate_pack *pack) { return pack->p->name; }

const char *starrate_pack_version(const starrate_pack *pack) { return pack->p->version; }

int starrate_evidence_read(starrate_pack *pack, const char *path, starrate_evidence **out,
                           starrate_error *err)
{
    sr_error e;
    sr_error_clear(&e);
    yd_node *doc = NULL;
    *out = sr_calloc(1, sizeof **out);
    int rc = *out ? SR_OK : sr_oom(&e);
    if (rc == SR_OK) rc = yd_load_file(path, &yd_default_limits, &doc, &e);
    if (rc == SR_OK) rc = ev_build(doc, path, pack->p, &(*out)->ev, &e);
    yd_free(doc);
    if (rc != SR_OK) {
        starrate_evidence_free(*out);
        *out = NULL;
        return fail(err, &e);
    }
    return 0;
}

void starrate_evidence_free(starrate_evidence *ev)
{
    if (ev)
        ev_free(ev->ev);
    sr_free(ev);
}

int starrate_evaluate(starrate_pack *pack, const starrate_evidence *ev, starrate_result **out,
                      starrate_error *err)
{
    sr_error e;
    sr_error_clear(&e);
    *out = sr_calloc(1, sizeof **out);
    if (!*out)
        return fail(err, (sr_oom(&e), &e));
    (*out)->p = pack->p;
    rt_init(&(*out)->r);
    if (rt_evaluate(pack->p, ev->ev, &(*out)->r, &e) != SR_OK) {
        starrate_result_free(*out);
        *out = NULL;
        return fail(err, &e);
    }
    return 0;
}

void starrate_result_free(starrate_result *r)
{
    if (r)
        rt_free(&r->r);
    sr_free(r);
}

int starrate_stars(const starrate_result *r) { return r->r.stars; }

const char *starrate_rule(const starrate_result *r)
{
    return r->r.rule >= 0 ? r->p->star_rules[r->r.rule].id : NULL;
}

size_t starrate_services(const starrate_result *r) { return r->p->nservices; }

const char *starrate_service(const starrate_result *r, size_t service)
{
    return service < r->p->nservices ? r->p->services[service].id : NULL;
}

const char *starrate_judgement(const starrate_result *r, size_t service, int capacity)
{
    if (service >= r->p->nservices)
        return NULL;
    const rp_scale *sc = capacity ? &r->p->capacity : &r->p->serving;
    int w = capacity ? r->r.svc[service].capacity : r->r.svc[service].serving;
    return w >= 0 ? sc->words[w].id : NULL;
}

size_t starrate_trace_size(const starrate_result *r) { return r->r.trace.n; }

int starrate_trace_step(const starrate_result *r, size_t i, starrate_step *out)
{
    if (i >= r->r.trace.n)
        return SR_EINPUT;
    const tr_node *nd = &r->r.trace.nodes[i];
    starrate_step s = {tr_kind_words[nd->kind], nd->subject, nd->rule, nd->file, nd->line,
                       tr_prov_words[nd->provenance], tr_source_words[nd->source], tr_output(nd),
                       nd->text};
    *out = s;
    return 0;
}
