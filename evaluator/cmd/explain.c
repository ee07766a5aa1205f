/*
 * explain.c — `starrate explain`: the derivation of one rating as prose.
 */
#include "cmd.h"
#include "eval.h"
#include "output.h"
#include "uncert.h"

#include <stddef.h>
#include <string.h>

typedef struct explain_opts {
    const char *why, *rules, *output, *seed, *variants;
    int from_published;
} explain_opts;

#define OPT(field) offsetof(explain_opts, field)
const po_option explain_options[] = {
    {PO_STRING, 0, "why", OPT(why), "SUBJECT",
     "only one conclusion and what it rests on: SERVICE.serving,\n"
     "SERVICE.capacity, SERVICE.standard.N or stars", 0, 0, NULL, NULL},
    {PO_STRING, 0, "rules", OPT(rules), "PACK", "rule pack folder or round (default: the pack for the file's year)", 0, 0, NULL, NULL},
    {PO_FLAG, 0, "from-published", OPT(from_published), NULL, "use the published judgements in the file as given", 0, 0, NULL, NULL},
    {PO_STRING, 0, "seed", OPT(seed), "N", "the seed of \"How sure\" (default 2002), as for rate", 0, 0, NULL, NULL},
    {PO_STRING, 0, "variants", OPT(variants), "N", "the variants of \"How sure\" (default 1000), as for rate", 0, 0, NULL, NULL},
    {PO_STRING, 'o', "output", OPT(output), "FILE", "write the output to FILE atomically instead of standard output", 0, 0, NULL, NULL},
    {PO_END, 0, NULL, 0, NULL, NULL, 0, 0, NULL, NULL},
};
#undef OPT

const char explain_description[] =
    "Prints how the rating of one council was derived: every band, standard grade, judgement,\n"
    "key threshold and the star rule, with the evidence each rests on, the limits compared and\n"
    "whether each rule is documented fact or reconstruction.\n";

/* The "How sure" section (docs/methodology.md): --seed and --variants as for rate. */
static int explain_how_sure(const explain_opts *o, ss_session *session, const ss_loaded *l,
                            sr_buf *b, sr_error *e)
{
    un_options uo;
    char msg[160];
    if (un_parse_options(o->seed, o->variants, 0, &uo, msg, sizeof msg))
        return sr_fail(e, SR_EUSAGE, NULL, 0, 0, "%s", msg);
    un_model *m;
    un_council u;
    rt_result r;
    rt_init(&r);
    int rc = un_fit(session, l->pack, &uo, &m, e);
    if (rc == SR_OK) {
        rc = un_rate(m, l->ev, &r, &u, e);
        if (rc == SR_OK)
            un_explain(b, m, l->pack, &u);
        un_model_free(m);
    }
    rt_free(&r);
    return rc;
}

static int explain_one(const explain_opts *o, ss_session *session, const char *path, FILE *out,
                       FILE *err)
{
    sr_error e;
    sr_error_clear(&e);
    ss_loaded l;
    rt_result r;
    rt_init(&r);
    int rc = ss_load(session, path, NULL, o->rules, o->from_published, &l, &e);
    if (rc == SR_OK)
        ev_warnings_print(err, l.ev);
    if (rc == SR_OK) rc = rt_evaluate(l.pack, l.ev, &r, &e);
    int status = EXIT_DONE;
    sr_buf b;
    sr_buf_init(&b);
    if (rc != SR_OK) {
        status = cmd_reject(err, &e);
    } else {
        out_rating rating = {l.pack, l.ev, &r};
        if (!out_explain(&b, &rating, o->why)) {
            char ids[256] = "";
            for (size_t s = 0; s < l.pack->nservices; s++)
                snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%s", s ? ", " : "",
                         l.pack->services[s].id);
            status = cmd_usage(err, "explain", "--why '%.200s' names no step of this rating (try "
                               "SERVICE.serving, SERVICE.capacity, SERVICE.standard.N or stars; "
                               "SERVICE is one of: %s)", o->why, ids);
        } else if (!o->why && (rc = explain_how_sure(o, session, &l, &b, &e)) != SR_OK) {
            status = e.code == SR_EUSAGE ? cmd_usage(err, "explain", "%s", e.msg) : cmd_reject(err, &e);
        } else {
            status = cmd_deliver(&b, o->output, out, err);
        }
    }
    sr_buf_free(&b);
    rt_free(&r);
    ss_unload(&l);
    return status;
}

int cmd_explain(int argc, char **argv, FILE *out, FILE *err)
{
    explain_opts o = {0};
    int status, n = cmd_parse(argc, &argv, &o, out, err, &status);
    if (n < 0)
        return status;
    if (n != 1)
        return cmd_usage(err, "explain", "explain needs exactly one evidence file");
    ss_session *session = cmd_session_new(err);
    if (!session)
        return EXIT_REJECTED;
    status = explain_one(&o, session, argv[0], out, err);
    cmd_session_free(session);
    return status;
}
