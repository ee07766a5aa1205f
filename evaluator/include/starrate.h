/*
 * starrate.h — the public C API of the starrate core.
 *
 * A program that rates councils uses four steps, each returning an SR_* result code and
 * filling an sr_error with the file, line and column of any problem:
 *
 *   rp_pack *pack;  rp_load("rules/2003", NULL, &pack, &err);          -- load a rule pack
 *   yd_node *doc;   yd_load_file("council.yaml", &yd_default_limits, &doc, &err);
 *   ev_evidence *ev; ev_build(doc, "council.yaml", pack, &ev, &err);    -- validate evidence
 *   rt_result r;    rt_init(&r); rt_evaluate(pack, ev, &r, &err);       -- derive the rating
 *
 * then render with the out_* functions (text, JSON, CSV, explanation) and free with rt_free,
 * ev_free, yd_free and rp_free. The result may be reused for many evaluations.
 */
#ifndef STARRATE_H
#define STARRATE_H

#define STARRATE_VERSION "0.1.0"

#include "common.h"
#include "eval.h"
#include "evidence.h"
#include "json.h"
#include "output.h"
#include "pack.h"
#include "ydoc.h"

#endif
