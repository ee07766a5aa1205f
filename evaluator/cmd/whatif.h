/*
 * whatif.h — the `whatif` and `seek` commands (module prefix wi_): their options, the
 * difference between two evaluations of one council, and the renderings (text, JSON, CSV).
 *
 * Each main takes the arguments after the command name and returns the exit status: 0 done,
 * 1 an input, scenario or rule pack was rejected (FILE:LINE:COL: error: ... on err), 2 a usage
 * error. Output is collected in memory and written at the end, to out or atomically to -o.
 *
 * The report's "What if" section (report.c) compares a baseline with a scenario by the same
 * rules as whatif, so what counts as a difference and which scenarios are refused are
 * declared here once.
 */
#ifndef SR_WHATIF_H
#define SR_WHATIF_H

#include "common.h"
#include "evidence.h"
#include "scenario.h"
#include "trace.h"

#include <stdio.h>

int wi_whatif_main(int argc, char **argv, FILE *out, FILE *err);
int wi_seek_main(int argc, char **argv, FILE *out, FILE *err);

/* Whether whatif reports a step as a difference: the nodes of one subject in the two traces
 * (either NULL when the subject is in one trace only) are a band, grade, key threshold,
 * judgement or the stars, and their output or its source (given, derived...) differ. */
int wi_node_differs(const tr_node *before, const tr_node *after);

/* A scenario whose `base` chain ends at an evidence file must be about ev: otherwise an
 * SR_EINPUT error at the `base` line. A scenario without such a base applies to any. */
int wi_check_base(const sc_scenario *sc, const ev_evidence *ev, sr_error *err);

#endif
