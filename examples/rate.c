/*
 * rate.c — an example of the public API (evaluator/include/starrate.h): rates one council
 * and prints its stars, its judgements and the steps of the trace that decided them.
 *
 *   build/release/example-rate rules/2003 scenarios/councils/durham-2003.yaml
 *
 * Built against libstarrate.a with only evaluator/include on the include path.
 */
#include "starrate.h"

#include <stdio.h>
#include <string.h>

static int report(const starrate_error *e)
{
    fprintf(stderr, "%s:%d:%d: error: %s\n", e->file, e->line, e->col, e->message);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: example-rate PACK EVIDENCE.yaml\n");
        return 2;
    }
    starrate_error err;
    starrate_pack *pack;
    starrate_evidence *ev;
    starrate_result *r;
    if (starrate_pack_load(argv[1], &pack, &err))
        return report(&err);
    if (starrate_evidence_read(pack, argv[2], &ev, &err)) {
        starrate_pack_free(pack);
        return report(&err);
    }
    int status = 0;
    if (starrate_evaluate(pack, ev, &r, &err)) {
        status = report(&err);
    } else {
        printf("rules %s %s: %d stars by rule %s\n", starrate_pack_name(pack),
               starrate_pack_version(pack), starrate_stars(r), starrate_rule(r) ? starrate_rule(r) : "-");
        for (size_t s = 0; s < starrate_services(r); s++)
            printf("%s: %s/%s\n", starrate_service(r, s), starrate_judgement(r, s, 0),
                   starrate_judgement(r, s, 1));
        starrate_step step;
        for (size_t i = 0; starrate_trace_step(r, i, &step) == 0; i++)
            if (strcmp(step.kind, "judgement") == 0 || strcmp(step.kind, "star") == 0)
                printf("  %s = %s (%s, rule %s)\n", step.subject, step.output ? step.output : "-",
                       step.source ? step.source : "-", step.rule ? step.rule : "given");
        starrate_result_free(r);
    }
    starrate_evidence_free(ev);
    starrate_pack_free(pack);
    return status;
}
