/*
 * compare.c — one council under two sets of evidence: the scenario runner and the test of a
 * difference between two evaluations.
 */
#include "compare.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int reported_kind(const tr_node *nd)
{
    static const char *const kinds[] = {"band", "grade", "cap", "judgement", "star"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(nd->kind, kinds[i]) == 0)
            return 1;
    return 0;
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int cmp_node_differs(const tr_node *before, const tr_node *after)
{
    const tr_node *nd = after ? after : before;
    if (!nd || !reported_kind(nd))
        return 0;
    return !before || !after || !same_str(before->output, after->output) ||
           !same_str(before->source, after->source);
}

int cmp_check_base(const sc_scenario *sc, const ev_evidence *ev, sr_error *e)
{
    if (!sc->evidence)
        return SR_OK;
    char a[PATH_MAX], b[PATH_MAX];
    if (realpath(sc->evidence, a) && realpath(ev->path, b) && strcmp(a, b) == 0)
        return SR_OK;
    return sr_fail(e, SR_EINPUT, sc->evidence_file, sc->evidence_line, sc->evidence_col,
                   "the scenario is built on %s, not on %s", sc->evidence, ev->path);
}

int cmp_run_scenario(rp_pack *p, const ev_evidence *base, sc_work *work, const char *path,
                     sc_scenario **sc, rt_result *r, sr_error *err)
{
    *sc = NULL;
    int rc = sc_load(path, sc, err);
    if (rc == SR_OK) rc = cmp_check_base(*sc, base, err);
    if (rc == SR_OK) rc = sc_apply_all(work, *sc, err);
    if (rc == SR_OK) rc = rt_evaluate(p, sc_work_evidence(work), r, err);
    return rc;
}
