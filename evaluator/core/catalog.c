/*
 * catalog.c — the indicator catalogue of a pack, as text, CSV or JSON.
 *
 * The listing answers "which indicators does this round use, and where do its bands start?"
 * without reading Lua. Band limits are printed best band first, as the pack declares them; a
 * value that meets none of them is band 1, which therefore has no limits of its own.
 */
#include "catalog.h"
#include "json.h"
#include "output.h"

#include <stdio.h>

/* The polarity words of the pack's `polarity` field, for CSV and JSON. */
static const char *const polarity_ids[] = {[RP_HIGHER] = "higher", [RP_LOWER] = "lower",
                                           [RP_RANGE] = "range"};

const char *ct_direction(rp_polarity pol)
{
    return pol == RP_HIGHER ? "higher is better" : pol == RP_LOWER ? "lower is better"
                                                                   : "within a range";
}

void ct_band_limits(sr_buf *b, const rp_band *band)
{
    char lo[32], hi[32];
    sr_format_number(band->min, lo, sizeof lo);
    sr_format_number(band->max, hi, sizeof hi);
    if (band->has_min && band->has_max)
        sr_buf_printf(b, "%s to %s", lo, hi);
    else if (band->has_min)
        sr_buf_printf(b, ">= %s", lo);
    else if (band->has_max)
        sr_buf_printf(b, "<= %s", hi);
}

static const char *service_id(const rp_pack *p, const rp_indicator *d)
{
    return d->service >= 0 && (size_t)d->service < p->nservices ? p->services[d->service].id : "";
}

/* The limits of band `band` of d, or "" when d declares none for it. */
static void limits_of(sr_buf *b, const rp_indicator *d, int band)
{
    for (size_t i = 0; i < d->nbands; i++)
        if (d->bands[i].band == band)
            ct_band_limits(b, &d->bands[i]);
}

/* ---- text ------------------------------------------------------------------------------ */

static void text_one(sr_buf *b, const rp_indicator *d)
{
    sr_buf_printf(b, "  %-5s standard %d  %s (%s; %s)\n", d->code, d->standard, d->name, d->unit,
                  ct_direction(d->polarity));
    sr_buf_puts(b, "        bands:");
    for (size_t i = 0; i < d->nbands; i++) {
        sr_buf_printf(b, "%s %d ", i ? "," : "", d->bands[i].band);
        ct_band_limits(b, &d->bands[i]);
    }
    sr_buf_printf(b, "%s otherwise 1\n", d->nbands ? "," : "");
    if (d->has_plausible) {
        char lo[32], hi[32];
        sr_format_number(d->plausible_min, lo, sizeof lo);
        sr_format_number(d->plausible_max, hi, sizeof hi);
        sr_buf_printf(b, "        plausible: %s to %s\n", lo, hi);
    }
    sr_buf_printf(b, "        %s: %s\n", rp_prov_json(d->prov.reconstructed), d->prov.text ? d->prov.text : "");
}

static void text_all(sr_buf *b, const rp_pack *p)
{
    sr_buf_printf(b, "%s %s: %zu indicators\n", p->name, p->version, p->nindicators);
    for (size_t s = 0; s < p->nservices; s++) {
        sr_buf_printf(b, "\n%s\n", p->services[s].title);
        for (size_t i = 0; i < p->nindicators; i++)
            if (p->indicators[i].service == (int)s)
                text_one(b, &p->indicators[i]);
    }
}

/* ---- CSV ------------------------------------------------------------------------------- */

static void csv_all(sr_buf *b, const rp_pack *p)
{
    sr_buf_puts(b, "code,service,standard,name,unit,direction,band5,band4,band3,band2,"
                   "plausible_min,plausible_max,provenance,reference\n");
    sr_buf cell;
    sr_buf_init(&cell);
    char num[32];
    for (size_t i = 0; i < p->nindicators; i++) {
        const rp_indicator *d = &p->indicators[i];
        out_csv_field(b, d->code, 0);
        out_csv_field(b, service_id(p, d), 0);
        snprintf(num, sizeof num, "%d", d->standard);
        out_csv_field(b, num, 0);
        out_csv_field(b, d->name, 0);
        out_csv_field(b, d->unit, 0);
        out_csv_field(b, polarity_ids[d->polarity], 0);
        for (int band = 5; band >= 2; band--) {
            cell.len = 0;
            limits_of(&cell, d, band);
            out_csv_field(b, cell.len ? cell.data : "", 0);
        }
        for (int end = 0; end < 2; end++) {
            num[0] = '\0';
            if (d->has_plausible)
                sr_format_number(end ? d->plausible_max : d->plausible_min, num, sizeof num);
            out_csv_field(b, num, 0);
        }
        out_csv_field(b, rp_prov_json(d->prov.reconstructed), 0);
        out_csv_field(b, d->prov.text, 1);
    }
    sr_buf_free(&cell);
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void json_band(js_writer *w, const rp_band *band)
{
    js_object(w);
    js_key(w, "band");
    js_int(w, band->band);
    js_key(w, "min");
    if (band->has_min)
        js_number(w, band->min);
    else
        js_null(w);
    js_key(w, "max");
    if (band->has_max)
        js_number(w, band->max);
    else
        js_null(w);
    js_end_object(w);
}

static void json_one(js_writer *w, const rp_pack *p, const rp_indicator *d)
{
    js_object(w);
    js_key(w, "code");
    js_string(w, d->code);
    js_key(w, "service");
    js_string(w, service_id(p, d));
    js_key(w, "standard");
    js_int(w, d->standard);
    js_key(w, "name");
    js_string(w, d->name);
    js_key(w, "unit");
    js_string(w, d->unit);
    js_key(w, "direction");
    js_string(w, polarity_ids[d->polarity]);
    js_key(w, "bands");
    js_array(w);
    for (size_t i = 0; i < d->nbands; i++)
        json_band(w, &d->bands[i]);
    js_end_array(w);
    js_key(w, "plausible");
    if (d->has_plausible) {
        js_array(w);
        js_number(w, d->plausible_min);
        js_number(w, d->plausible_max);
        js_end_array(w);
    } else {
        js_null(w);
    }
    js_key(w, "provenance");
    js_string(w, rp_prov_json(d->prov.reconstructed));
    js_key(w, "reference");
    js_string(w, d->prov.text);
    js_key(w, "file");
    js_string(w, d->prov.file);
    js_key(w, "line");
    js_int(w, d->prov.line);
    js_end_object(w);
}

static void json_all(sr_buf *b, const rp_pack *p)
{
    js_writer w;
    js_init(&w, b, 1);
    js_object(&w);
    js_key(&w, "ruleset");
    js_object(&w);
    js_key(&w, "name");
    js_string(&w, p->name);
    js_key(&w, "version");
    js_string(&w, p->version);
    js_key(&w, "sha256");
    js_string(&w, p->sha256);
    js_end_object(&w);
    js_key(&w, "indicators");
    js_array(&w);
    for (size_t i = 0; i < p->nindicators; i++)
        json_one(&w, p, &p->indicators[i]);
    js_end_array(&w);
    js_end_object(&w);
    sr_buf_putc(b, '\n');
}

void ct_indicators(sr_buf *b, const rp_pack *p, ct_format fmt)
{
    if (fmt == CT_CSV)
        csv_all(b, p);
    else if (fmt == CT_JSON)
        json_all(b, p);
    else
        text_all(b, p);
}
