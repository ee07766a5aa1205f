/*
 * check.c — `starrate check`: rule packs validated (declarations, every judgement
 * combination matched, every star rule reachable).
 */
#include "cmd.h"
#include "uncert.h"
#include "pack.h"

const char check_description[] =
    "Validates rule packs: declarations complete, ids unique, every combination of judgements\n"
    "matched by a star rule, every star rule the first match somewhere. With no PACK, checks\n"
    "every pack in the rules folder. For each pack it lists the grade words, the key\n"
    "requirements and key thresholds (the names evidence and scenarios use) and the\n"
    "reconstructed parameters with their ranges.\n";

/* What the pack declares that evidence and scenarios name: the grade words, the key
 * requirements and the key thresholds, so nobody has to read Lua to write them. */
static void list_words(sr_buf *b, const rp_pack *p)
{
    sr_buf_printf(b, "  %s words (worst first):", p->grade.name);
    for (size_t w = 0; w < p->grade.nwords; w++)
        sr_buf_printf(b, "%s %s", w ? "," : "", p->grade.words[w].id);
    sr_buf_printf(b, "\n  requirements (%zu):\n", p->nrequirements);
    for (size_t i = 0; i < p->nrequirements; i++) {
        const rp_requirement *r = &p->requirements[i];
        sr_buf_printf(b, "    %-28s", r->id);
        for (size_t s = 0; s < p->nservices; s++)
            if (r->services[s])
                sr_buf_printf(b, " %s", p->services[s].id);
        sr_buf_printf(b, ": %s\n", r->text);
    }
    sr_buf_printf(b, "  key thresholds (%zu):\n", p->ncaps);
    for (size_t i = 0; i < p->ncaps; i++) {
        const rp_cap *c = &p->caps[i];
        const rp_scale *sc = c->judgement ? &p->capacity : &p->serving;
        sr_buf_printf(b, "    %-28s %s %s at most %s: %s (%s)\n", c->id, p->services[c->service].id,
                      c->judgement ? "capacity" : "serving", sc->words[c->to].id, c->sentence,
                      rp_prov_text(c->prov.reconstructed));
    }
}

static int check_one(ss_session *session, const char *name, FILE *out, FILE *err)
{
    sr_error e;
    sr_error_clear(&e);
    rp_pack *p = ss_pack(session, name, &e);
    if (!p)
        return cmd_reject(err, &e);
    sr_buf rep;
    sr_buf_init(&rep);
    int problems = rp_check(p, &rep, &e);
    int status = EXIT_DONE;
    if (problems < 0) {
        status = cmd_reject(err, &e);
    } else if (problems > 0) {
        fputs(rep.data, err);
        fprintf(err, "%s: %d problem%s\n", p->name, problems, problems == 1 ? "" : "s");
        status = EXIT_REJECTED;
    } else {
        size_t combos = 1;
        for (size_t s = 0; s < p->nservices; s++)
            combos *= p->serving.nwords * p->capacity.nwords;
        fprintf(out,
                "%s %s: ok (%zu files; %zu services, %d standards, %zu indicators, %zu "
                "requirements, %zu caps, %zu star rules; all %zu judgement combinations "
                "matched)\n",
                p->name, p->version, p->nfiles, p->nservices, p->nstandards, p->nindicators,
                p->nrequirements, p->ncaps, p->nstar_rules, combos);
        list_words(&rep, p);
        un_list_params(&rep, p);
        fputs(rep.data ? rep.data : "", out);
    }
    sr_buf_free(&rep);
    return status;
}

int cmd_check(int argc, char **argv, FILE *out, FILE *err)
{
    int status, n = cmd_parse(argc, &argv, NULL, out, err, &status);
    if (n < 0)
        return status;
    int npacks = 0;
    char **packs = n == 0 ? cmd_all_packs(&npacks) : NULL;
    if (n == 0 && !packs) {
        fputs("starrate: error: out of memory\n", err);
        return EXIT_REJECTED;
    }
    if (n == 0 && npacks == 0) {
        cmd_packs_free(packs, npacks);
        fprintf(err, "starrate: no rule pack found\n");
        return EXIT_REJECTED;
    }
    ss_session *session = cmd_session_new(err);
    status = session ? EXIT_DONE : EXIT_REJECTED;
    for (int i = 0; session && i < (n ? n : npacks); i++)
        if (check_one(session, n ? argv[i] : packs[i], out, err) != EXIT_DONE)
            status = EXIT_REJECTED;
    cmd_session_free(session);
    cmd_packs_free(packs, npacks);
    return status;
}
