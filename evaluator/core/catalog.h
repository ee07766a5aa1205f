/*
 * catalog.h — a pack's indicator catalogue as a listing (module prefix ct_).
 *
 * What `starrate indicators` prints: every indicator the pack declares, with its service,
 * standard, unit, direction, band limits and provenance, in the pack's own order. Everything
 * printed comes from the pack; nothing here knows an indicator.
 */
#ifndef SR_CATALOG_H
#define SR_CATALOG_H

#include "common.h"
#include "pack.h"

typedef enum { CT_TEXT, CT_CSV, CT_JSON } ct_format;

/* Appends the catalogue of p to b in format fmt. */
void ct_indicators(sr_buf *b, const rp_pack *p, ct_format fmt);

/* The direction of an indicator in words: "higher is better", "lower is better", "within a
 * range". */
const char *ct_direction(rp_polarity pol);

/* One band's limits as text, e.g. ">= 75", "<= 13", "20 to 30". */
void ct_band_limits(sr_buf *b, const rp_band *band);

#endif
