/*
 * compare.h — one council under two sets of evidence (module prefix cmp_): the scenario
 * runner (load, check, apply, evaluate) and the test of what counts as a difference between
 * two evaluations, shared by `whatif` and the report's "What if" section so the two can never
 * disagree about which steps moved.
 */
#ifndef SR_COMPARE_H
#define SR_COMPARE_H

#include "common.h"
#include "eval.h"
#include "evidence.h"
#include "scenario.h"
#include "trace.h"

/* Whether a step is reported as a difference: the nodes of one subject in the two traces
 * (either NULL when the subject is in one trace only) are a band, grade, key threshold,
 * judgement or the stars, and their output or its source (given, derived...) differ. */
int cmp_node_differs(const tr_node *before, const tr_node *after);

/* A scenario whose `base` chain ends at an evidence file must be about ev: otherwise an
 * SR_EINPUT error at the `base` line. A scenario without such a base applies to any. */
int cmp_check_base(const sc_scenario *sc, const ev_evidence *ev, sr_error *err);

/* Loads the scenario at path, checks it is about `base` (the evidence work was made from),
 * applies its changes to work and evaluates the result into r. *sc is set whenever the
 * scenario was read (the caller frees it, also on error). */
int cmp_run_scenario(rp_pack *p, const ev_evidence *base, sc_work *work, const char *path,
                     sc_scenario **sc, rt_result *r, sr_error *err);

#endif
