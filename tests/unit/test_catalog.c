/*
 * test_catalog.c — the indicator catalogue listing (catalog.c).
 */
#include "catalog.h"
#include "helpers.h"

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

Test(catalog, band_limits_in_words)
{
    sr_buf b;
    sr_buf_init(&b);
    rp_band lo = {.band = 5, .has_min = 1, .min = 75};
    rp_band hi = {.band = 4, .has_max = 1, .max = 13.5};
    rp_band both = {.band = 3, .has_min = 1, .has_max = 1, .min = 20, .max = 30};
    ct_band_limits(&b, &lo);
    sr_buf_puts(&b, "|");
    ct_band_limits(&b, &hi);
    sr_buf_puts(&b, "|");
    ct_band_limits(&b, &both);
    cr_assert_str_eq(b.data, ">= 75|<= 13.5|20 to 30");
    sr_buf_free(&b);
    cr_assert_str_eq(ct_direction(RP_LOWER), "lower is better");
}

/* Every indicator of the pack is one CSV row, in the pack's order, with its service id. */
Test(catalog, csv_lists_every_indicator_of_the_pack)
{
    rp_pack *p = th_pack(RULES_DIR("2003"));
    sr_buf b;
    sr_buf_init(&b);
    ct_indicators(&b, p, CT_CSV);
    cr_assert_eq(count_lines(b.data), p->nindicators + 1);
    const char *at = strchr(b.data, '\n') + 1;
    for (size_t i = 0; i < p->nindicators; i++) {
        const rp_indicator *d = &p->indicators[i];
        char head[128];
        snprintf(head, sizeof head, "%s,%s,%d,", d->code, p->services[d->service].id, d->standard);
        cr_assert(strncmp(at, head, strlen(head)) == 0, "row %zu starts %.40s, wanted %s", i, at, head);
        at = strchr(at, '\n') + 1;
    }
    sr_buf_free(&b);
    rp_free(p);
}

/* The text lists each indicator under its service's title, with "otherwise 1" closing the
 * bands, and JSON names the pack it was read from. */
Test(catalog, text_and_json)
{
    rp_pack *p = th_pack(RULES_DIR("2002"));
    sr_buf t, j;
    sr_buf_init(&t);
    sr_buf_init(&j);
    ct_indicators(&t, p, CT_TEXT);
    ct_indicators(&j, p, CT_JSON);
    for (size_t s = 0; s < p->nservices; s++)
        cr_assert(strstr(t.data, p->services[s].title));
    size_t otherwise = 0;
    for (const char *q = t.data; (q = strstr(q, "otherwise 1")); q++)
        otherwise++;
    cr_assert_eq(otherwise, p->nindicators);
    cr_assert(strstr(j.data, p->sha256));
    size_t codes = 0;
    for (const char *q = j.data; (q = strstr(q, "\"code\":")); q++)
        codes++;
    cr_assert_eq(codes, p->nindicators);
    sr_buf_free(&t);
    sr_buf_free(&j);
    rp_free(p);
}
