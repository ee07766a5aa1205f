/*
 * test_evidence.c — the evidence model: a complete file reads into the model, and every kind
 * of mistake is an error with its message, line and column pinned.
 */
#include "helpers.h"

static rp_pack *pack;

static void setup(void) { pack = th_pack(RULES_DIR("2003")); }
static void teardown(void) { rp_free(pack); }

TestSuite(evidence, .init = setup, .fini = teardown);

static void rejects(const char *yaml, int line, int col, const char *msg)
{
    ev_evidence *ev = NULL;
    sr_error err;
    int rc = th_evidence(pack, yaml, &ev, &err);
    cr_assert_neq(rc, SR_OK, "accepted: %s", yaml);
    cr_assert_null(ev);
    cr_assert_str_eq(err.msg, msg);
    cr_assert_eq(err.line, line, "line %d, expected %d: %s", err.line, line, err.msg);
    cr_assert_eq(err.col, col, "col %d, expected %d: %s", err.col, col, err.msg);
    cr_assert_str_eq(err.file, "test.yaml");
}

Test(evidence, complete_example_reads)
{
    ev_evidence *ev = th_evidence_file(pack, COUNCIL("demo-2-star-capped.yaml"));
    cr_assert_str_eq(ev->council, "Brookfield Borough Council (demonstration)");
    cr_assert_eq(ev->year, 2003);
    cr_assert_str_eq(ev->round, "Nov 2003");
    cr_assert_eq(ev->nservices, 2);
    const ev_service *ad = &ev->services[1];
    cr_assert_eq(ad->nindicators, 8);
    cr_assert_str_eq(ad->indicators[3].code, "D38");
    cr_assert_float_eq(ad->indicators[3].value, 74, 1e-9);
    cr_assert_float_eq(ad->indicators[3].previous, 78, 1e-9);
    cr_assert_str_eq(ad->indicators[3].note, "equipment store moving to a joint service");
    cr_assert_eq(ad->nfindings, 5);
    cr_assert_eq(ad->findings[0].kind, EV_STRENGTH);
    cr_assert_eq(ad->findings[0].standards, 1u << 3);
    cr_assert_str_eq(ad->findings[0].codes[0], "C32");
    cr_assert_eq(ad->ncapacity, 2);
    cr_assert_eq(ad->capacity_findings[0].theme, 4); /* partnership */
    const rp_requirement *r = rp_requirement_find(pack, "care_homes_inspected");
    cr_assert_eq(ad->requirements[r - pack->requirements], 1);
    r = rp_requirement_find(pack, "race_equality");
    cr_assert_eq(ad->requirements[r - pack->requirements], -1);
    cr_assert_eq(ev->pub_stars, -1);
    ev_free(ev);
}

Test(evidence, published_and_given)
{
    ev_evidence *ev = th_evidence_file(pack, COUNCIL("durham-2003.yaml"));
    cr_assert_eq(ev->pub_stars, 2);
    cr_assert_eq(ev->pub_serving[0], 1);
    cr_assert_eq(ev->pub_capacity[1], 2);
    cr_assert_eq(ev->services[0].given_serving, -1);
    cr_assert_eq(ev->services[0].nfindings, 9);
    cr_assert_str_eq(ev->services[0].findings[0].id, "ch-gp-invest-to-save");
    cr_assert_float_eq(ev->services[0].findings[5].weight, 2, 1e-9);
    ev_free(ev);
}

Test(evidence, default_ids_from_position)
{
    ev_evidence *ev;
    sr_error err;
    cr_assert_eq(th_evidence(pack, "council: X\nyear: 2003\nadults:\n  findings:\n"
                                   "    - {text: a, kind: strength}\n    - {text: b, kind: concern}\n"
                                   "  capacity_findings:\n    - {text: c, kind: concern}\n", &ev, &err), SR_OK, "%s", err.msg);
    cr_assert_str_eq(ev->services[1].findings[1].id, "adults-finding-2");
    cr_assert_str_eq(ev->services[1].capacity_findings[0].id, "adults-capacity-1");
    ev_free(ev);
}

Test(evidence, unknown_top_level_key)
{
    rejects("council: X\nyear: 2003\ncouncill: Y\n", 3, 1,
            "unknown key 'councill' in evidence (expected one of: council, year, round, source, "
            "published, indicators, notes, import, children, adults)");
}

Test(evidence, missing_council)
{
    rejects("year: 2003\n", 1, 1, "missing key 'council' in evidence");
}

Test(evidence, wrong_judgement_word)
{
    rejects("council: X\nyear: 2003\nchildren:\n  given:\n    serving: mostly\n", 5, 14,
            "unknown serving judgement 'mostly' (expected one of: no, some, most, yes)");
}

Test(evidence, wrong_capacity_word)
{
    rejects("council: X\nyear: 2003\nadults:\n  given: {capacity: good}\n", 4, 21,
            "unknown capacity judgement 'good' (expected one of: poor, uncertain, promising, excellent)");
}

Test(evidence, wrong_grade_word)
{
    rejects("council: X\nyear: 2003\nadults:\n  given:\n    standards: {2: great}\n", 5, 20,
            "unknown grade 'great' (expected one of: inadequate, adequate, good, very_good)");
}

Test(evidence, standard_out_of_range)
{
    rejects("council: X\nyear: 2003\nadults:\n  given:\n    standards: {7: good}\n", 5, 17,
            "expected a whole number from 1 to 6 for 'standard number', got '7'");
}

Test(evidence, unknown_indicator)
{
    rejects("council: X\nyear: 2003\nadults:\n  indicators:\n    - {code: Z9, value: 1}\n", 5, 14,
            "unknown indicator 'Z9': not in the ssi-2003 catalogue and not declared under "
            "'indicators' at the top of the file");
}

Test(evidence, indicator_of_the_other_service)
{
    rejects("council: X\nyear: 2003\nadults:\n  indicators:\n    - {code: A1, value: 1}\n", 5, 14,
            "indicator A1 belongs to children's services");
}

Test(evidence, quoted_number_is_not_a_number)
{
    rejects("council: X\nyear: 2003\nadults:\n  indicators:\n    - {code: D42, value: \"8\"}\n", 5, 26,
            "expected a number for 'value', got '\"8\"'");
}

Test(evidence, percent_sign_is_not_a_number)
{
    rejects("council: X\nyear: 2003\nadults:\n  indicators:\n    - {code: D42, value: 8%}\n", 5, 26,
            "expected a number for 'value', got '8%'");
}

Test(evidence, band_out_of_range)
{
    rejects("council: X\nyear: 2003\nadults:\n  indicators:\n    - {code: D42, band: 6}\n", 5, 25,
            "expected a whole number from 1 to 5 for 'band', got '6'");
}

Test(evidence, indicator_needs_value_or_band)
{
    rejects("council: X\nyear: 2003\nadults:\n  indicators:\n    - {code: D42, note: x}\n", 5, 7,
            "indicator D42 needs a 'value' or a published 'band'");
}

Test(evidence, indicator_twice)
{
    rejects("council: X\nyear: 2003\nadults:\n  indicators:\n    - {code: D42, value: 1}\n"
            "    - {code: D42, value: 2}\n", 6, 7,
            "indicator D42 is given twice (first at line 5)");
}

Test(evidence, wrong_finding_kind)
{
    rejects("council: X\nyear: 2003\nadults:\n  findings:\n    - {text: t, kind: worry}\n", 5, 23,
            "unknown kind 'worry' (expected one of: improvement, strength, area_for_improvement, concern)");
}

Test(evidence, capacity_kind_in_findings_is_wrong)
{
    rejects("council: X\nyear: 2003\nadults:\n  findings:\n    - {text: t, kind: area_for_development}\n", 5, 23,
            "unknown kind 'area_for_development' (expected one of: improvement, strength, "
            "area_for_improvement, concern)");
}

/* Found by fuzz_evidence: a rejected tag must not be used as a shift count. */
Test(evidence, standard_tag_out_of_range)
{
    rejects("council: X\nyear: 2003\nadults:\n  findings:\n    - {text: t, kind: concern, standards: [94768008963658]}\n",
            5, 44, "expected a whole number from 1 to 5 for 'standard', got '94768008963658'");
    rejects("council: X\nyear: 2003\nadults:\n  findings:\n    - {text: t, kind: concern, standards: [6]}\n",
            5, 44, "expected a whole number from 1 to 5 for 'standard', got '6'");
}

Test(evidence, weight_out_of_range)
{
    rejects("council: X\nyear: 2003\nadults:\n  findings:\n    - {text: t, kind: concern, weight: 4}\n", 5, 40,
            "weight must be from 0 to 3, got 4");
}

Test(evidence, duplicate_finding_id)
{
    rejects("council: X\nyear: 2003\nadults:\n  findings:\n    - {id: a, text: t, kind: concern}\n"
            "children:\n  findings:\n    - {id: a, text: u, kind: strength}\n", 5, 7,
            "finding id 'a' is used twice (first at line 8)");
}

Test(evidence, unknown_requirement)
{
    rejects("council: X\nyear: 2003\nadults:\n  requirements:\n    homes_inspected: true\n", 5, 5,
            "unknown requirement 'homes_inspected' for adults' services (expected one of: "
            "care_homes_inspected, race_equality)");
}

Test(evidence, requirement_must_be_boolean)
{
    rejects("council: X\nyear: 2003\nadults:\n  requirements:\n    care_homes_inspected: maybe\n", 5, 27,
            "expected true or false for 'care_homes_inspected', got 'maybe'");
}

Test(evidence, requirement_of_a_later_round_is_unknown_in_2002)
{
    rp_pack *p2002 = th_pack(RULES_DIR("2002"));
    ev_evidence *ev;
    sr_error err;
    int rc = th_evidence(p2002, "council: X\nyear: 2002\nchildren:\n  requirements:\n    child_protection_audit: true\n", &ev, &err);
    cr_assert_eq(rc, SR_EINPUT);
    cr_assert_str_eq(err.msg, "unknown requirement 'child_protection_audit' for children's services "
                              "(expected one of: homes_inspected)");
    rp_free(p2002);
}

Test(evidence, declared_indicator_is_accepted_and_banded)
{
    ev_evidence *ev;
    sr_error err;
    int rc = th_evidence(pack, "council: X\nyear: 2003\nindicators:\n"
                               "  - {code: X1, name: respite, service: adults, standard: 4, polarity: higher, unit: percent,\n"
                               "     bands: [{band: 5, min: 80}, {band: 4, min: 60}]}\n"
                               "adults:\n  indicators:\n    - {code: X1, value: 70}\n", &ev, &err);
    cr_assert_eq(rc, SR_OK, "%d:%d %s", err.line, err.col, err.msg);
    cr_assert_eq(ev->ncustom, 1);
    cr_assert_eq(rt_band_of(ev->services[1].indicators[0].def, 70, NULL, -1), 4);
    cr_assert_eq(rt_band_of(ev->services[1].indicators[0].def, 10, NULL, -1), 1);
    ev_free(ev);
}

Test(evidence, declaring_a_catalogue_code_is_an_error)
{
    rejects("council: X\nyear: 2003\nindicators:\n"
            "  - {code: D42, name: c, service: adults, standard: 4, polarity: higher, unit: p, bands: [{band: 5, min: 1}]}\n",
            4, 12, "indicator D42 is already in the rule pack's catalogue");
}

Test(evidence, published_stars_out_of_range)
{
    rejects("council: X\nyear: 2003\npublished: {stars: 4}\n", 3, 20,
            "expected a whole number from 0 to 3 for 'stars', got '4'");
}

Test(evidence, year_must_be_a_number)
{
    rejects("council: X\nyear: twenty\n", 2, 7, "expected a whole number from 1990 to 2099 for 'year', got 'twenty'");
}

Test(evidence, service_must_be_a_map)
{
    rejects("council: X\nyear: 2003\nadults: [1, 2]\n", 3, 9, "expected a mapping for 'adults'");
}

Test(evidence, allocation_failures_are_clean)
{
    char *text = NULL;
    size_t len = 0;
    sr_error err;
    cr_assert_eq(sr_read_file(COUNCIL("demo-2-star-capped.yaml"), 1 << 20, &text, &len, &err), SR_OK);
    int failures = 0;
    for (long n = 1; n < 100000; n++) {
        yd_node *doc = NULL;
        ev_evidence *ev = NULL;
        sr_error_clear(&err);
        sr_alloc_fail_at(n);
        int rc = yd_parse("x.yaml", text, len, &yd_default_limits, &doc, &err);
        if (rc == SR_OK)
            rc = ev_build(doc, "x.yaml", pack, &ev, &err);
        sr_alloc_fail_at(0);
        yd_free(doc);
        if (rc == SR_OK) {
            ev_free(ev);
            break;
        }
        cr_assert_eq(rc, SR_ENOMEM, "n=%ld: %s", n, err.msg);
        cr_assert_null(ev);
        failures++;
    }
    /* Every allocation of a successful parse and build must have been made to fail. */
    yd_node *doc = NULL;
    ev_evidence *ev = NULL;
    sr_alloc_fail_at(0);
    cr_assert_eq(yd_parse("x.yaml", text, len, &yd_default_limits, &doc, &err), SR_OK);
    cr_assert_eq(ev_build(doc, "x.yaml", pack, &ev, &err), SR_OK);
    cr_assert_eq(failures, sr_alloc_count());
    cr_assert_gt(failures, 50);
    ev_free(ev);
    yd_free(doc);
    sr_free(text);
}

/* A fraction given for a percentage is accepted as given but draws a warning at the value,
 * with the percentage it probably meant; values inside the pack's plausible range draw none. */
Test(evidence, implausible_value_is_a_warning)
{
    ev_evidence *ev = NULL;
    sr_error err;
    const char *yaml = "council: X\nyear: 2003\nchildren:\n  indicators:\n"
                       "    - {code: A2, value: 0.4}\n    - {code: B7, value: 80}\n";
    cr_assert_eq(th_evidence(pack, yaml, &ev, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(ev->nwarnings, 1);
    cr_assert_eq(ev->warnings[0].line, 5);
    cr_assert_eq(ev->warnings[0].col, 25);
    const rp_indicator *a2 = rp_indicator_find(pack, "A2");
    cr_assert(a2->has_plausible && a2->plausible_min > 0.4 && a2->plausible_max <= 100);
    cr_assert(strstr(ev->warnings[0].msg, "value 0.4 of A2 is outside the plausible range"),
              "%s", ev->warnings[0].msg);
    cr_assert(strstr(ev->warnings[0].msg, "did you mean 40?"), "%s", ev->warnings[0].msg);
    cr_assert_float_eq(ev->services[0].indicators[0].value, 0.4, 1e-12);
    ev_free(ev);
}

/* None of the bundled councils gives a value the pack finds implausible. */
Test(evidence, bundled_councils_are_plausible)
{
    static const char *const files[] = {"bath-ne-somerset-2003.yaml", "durham-2003.yaml",
                                        "harrow-2003.yaml", "demo-0-star.yaml",
                                        "demo-1-star-capped.yaml", "demo-2-star-capped.yaml",
                                        "demo-3-star.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/scenarios/councils/%s", SR_SOURCE_ROOT, files[i]);
        ev_evidence *ev = th_evidence_file(pack, path);
        cr_assert_eq(ev->nwarnings, 0, "%s: %s", files[i], ev->nwarnings ? ev->warnings[0].msg : "");
        ev_free(ev);
    }
}
